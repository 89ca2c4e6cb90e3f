// core::parse_set_cookie (RFC 6265 §5.2) and core::parse_cookie_date (§5.1.1).
#include "core/cookie.hpp"

#include <doctest.h>

#include <limits>
#include <string>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

// An independent oracle: the standard library's calendar.
system_clock::time_point utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

fc::SetCookie parsed(std::string_view header) {
  auto c = fc::parse_set_cookie(header);
  REQUIRE_MESSAGE(c.has_value(), std::string(header));
  return *c;
}

}  // namespace

TEST_CASE("set-cookie: a bare name=value has no attributes") {
  const fc::SetCookie c = parsed("sid=abc");
  CHECK(c.name == "sid");
  CHECK(c.value == "abc");
  CHECK_FALSE(c.domain.has_value());
  CHECK_FALSE(c.path.has_value());
  CHECK_FALSE(c.max_age.has_value());
  CHECK_FALSE(c.expires.has_value());
  CHECK_FALSE(c.secure);
  CHECK_FALSE(c.http_only);
  CHECK(c.same_site == fc::SameSite::unset);
  CHECK(c.same_site_text.empty());
}

TEST_CASE("set-cookie: white space around names, values and attributes is trimmed") {
  const fc::SetCookie c = parsed(" \tsid \t=  a b \t;  Path = /x ;\tHttpOnly  ;  Max-Age =\t60 ");
  CHECK(c.name == "sid");
  CHECK(c.value == "a b");  // inner space kept
  CHECK(c.path == "/x");
  CHECK(c.http_only);
  CHECK(c.max_age == 60);
}

TEST_CASE("set-cookie: attribute names are case-insensitive, the domain lower-cased") {
  const fc::SetCookie c = parsed(
      "a=b; SECURE; httponly; DoMaIn=Sub.Example.COM; PATH=/P; max-AGE=60; SameSite=STRICT; "
      "eXpIrEs=Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK(c.secure);
  CHECK(c.http_only);
  CHECK(c.domain == "sub.example.com");
  CHECK(c.path == "/P");  // paths are case-sensitive
  CHECK(c.max_age == 60);
  CHECK(c.same_site == fc::SameSite::strict);
  CHECK(c.same_site_text == "STRICT");
  CHECK(c.expires == utc(2015, 10, 21, 7, 28, 0));
}

TEST_CASE("set-cookie: values keep quotes and everything after the first '='") {
  CHECK(parsed("a=\"x y\"").value == "\"x y\"");
  CHECK(parsed("a=b=c==").value == "b=c==");
  CHECK(parsed("a=").value.empty());
  CHECK(parsed("a=  ").value.empty());
  CHECK(parsed("a=\tb\t").value == "b");  // tab is white space, not a control character here
}

TEST_CASE("set-cookie: ignored when there is no '=' or the name is empty") {
  CHECK_FALSE(fc::parse_set_cookie("").has_value());
  CHECK_FALSE(fc::parse_set_cookie("sid").has_value());
  CHECK_FALSE(fc::parse_set_cookie("sid; Path=/").has_value());  // the '=' is in an attribute
  CHECK_FALSE(fc::parse_set_cookie("=abc").has_value());
  CHECK_FALSE(fc::parse_set_cookie("  =abc; Secure").has_value());
  CHECK_FALSE(fc::parse_set_cookie(";a=b").has_value());
}

TEST_CASE("set-cookie: hostile headers are ignored (size, control characters)") {
  const std::string prefix = "a=";
  const std::string at_limit = prefix + std::string(4096 - prefix.size(), 'v');
  CHECK(fc::parse_set_cookie(at_limit).has_value());
  CHECK_FALSE(fc::parse_set_cookie(at_limit + "v").has_value());
  CHECK_FALSE(fc::parse_set_cookie("a=b\r\nX-Injected: 1").has_value());
  CHECK_FALSE(fc::parse_set_cookie("a=b\nc").has_value());
  CHECK_FALSE(fc::parse_set_cookie(std::string_view("a=b\0c", 5)).has_value());
  CHECK_FALSE(fc::parse_set_cookie("a=b; Path=/\x7f").has_value());
}

TEST_CASE("set-cookie: empty attributes and unknown ones are ignored") {
  const fc::SetCookie c = parsed("a=b;;; ; =x; Foo=bar; Priority=High; Partitioned; Secure");
  CHECK(c.secure);
  CHECK_FALSE(c.http_only);
  CHECK_FALSE(c.domain.has_value());
  CHECK_FALSE(c.path.has_value());
  CHECK(c.same_site == fc::SameSite::unset);
  CHECK(parsed("a=b; Secure=no").secure);  // a flag's value does not matter
}

TEST_CASE("set-cookie: Domain drops one leading dot; empty means absent") {
  CHECK(parsed("a=b; Domain=.example.com").domain == "example.com");
  CHECK_FALSE(parsed("a=b; Domain=").domain.has_value());
  CHECK_FALSE(parsed("a=b; Domain").domain.has_value());
  CHECK_FALSE(parsed("a=b; Domain=.").domain.has_value());
  // An empty Domain is ignored, so an earlier one stays; "." is an occurrence of nothing.
  CHECK(parsed("a=b; Domain=example.com; Domain=").domain == "example.com");
  CHECK_FALSE(parsed("a=b; Domain=example.com; Domain=.").domain.has_value());
  CHECK(parsed("a=b; Domain=a.com; Domain=b.com").domain == "b.com");
}

TEST_CASE("set-cookie: a Path not starting with '/' means the default path") {
  CHECK(parsed("a=b; Path=/").path == "/");
  CHECK(parsed("a=b; Path=/a/b/").path == "/a/b/");
  CHECK_FALSE(parsed("a=b; Path=").path.has_value());
  CHECK_FALSE(parsed("a=b; Path=api").path.has_value());
  CHECK(parsed("a=b; Path=/a; Path=/b").path == "/b");
  CHECK_FALSE(parsed("a=b; Path=/a; Path=rel").path.has_value());  // last one wins
}

TEST_CASE("set-cookie: Max-Age is digits with an optional '-'; invalid ones are ignored") {
  CHECK(parsed("a=b; Max-Age=0").max_age == 0);
  CHECK(parsed("a=b; Max-Age=-5").max_age == -5);
  CHECK(parsed("a=b; Max-Age=007").max_age == 7);
  for (const char* bad : {"", "-", "+5", "1a", "abc", "1.5", "- 5", "--5"}) {
    CAPTURE(bad);
    CHECK_FALSE(parsed(std::string("a=b; Max-Age=") + bad).max_age.has_value());
  }
  CHECK(parsed("a=b; Max-Age=60; Max-Age=x").max_age == 60);  // the invalid one is dropped
  CHECK(parsed("a=b; Max-Age=60; Max-Age=10").max_age == 10);
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  CHECK(parsed("a=b; Max-Age=99999999999999999999999").max_age == max);
  CHECK(parsed("a=b; Max-Age=9223372036854775807").max_age == max);
  CHECK(parsed("a=b; Max-Age=9223372036854775806").max_age == max - 1);
  CHECK(parsed("a=b; Max-Age=9223372036854775808").max_age == max);
  CHECK(parsed("a=b; Max-Age=-99999999999999999999999").max_age == -max);
}

TEST_CASE("set-cookie: Expires that does not parse is ignored") {
  CHECK_FALSE(parsed("a=b; Expires=tomorrow").expires.has_value());
  CHECK_FALSE(parsed("a=b; Expires=").expires.has_value());
  CHECK(parsed("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Expires=soon").expires ==
        utc(2015, 10, 21, 7, 28, 0));
}

TEST_CASE("set-cookie: SameSite values, unknown ones unset but kept as text") {
  CHECK(parsed("a=b; SameSite=Lax").same_site == fc::SameSite::lax);
  CHECK(parsed("a=b; samesite=none").same_site == fc::SameSite::none);
  const fc::SetCookie bogus = parsed("a=b; SameSite= Bogus ");
  CHECK(bogus.same_site == fc::SameSite::unset);
  CHECK(bogus.same_site_text == "Bogus");
  const fc::SetCookie bare = parsed("a=b; SameSite");
  CHECK(bare.same_site == fc::SameSite::unset);
  CHECK(bare.same_site_text.empty());
  CHECK(parsed("a=b; SameSite=Strict; SameSite=Lax").same_site == fc::SameSite::lax);
  CHECK(parsed("a=b; SameSite=Strict; SameSite=x").same_site == fc::SameSite::unset);
}

TEST_CASE("SameSite names") {
  CHECK(fc::to_string(fc::SameSite::unset) == "");
  CHECK(fc::to_string(fc::SameSite::strict) == "strict");
  CHECK(fc::to_string(fc::SameSite::lax) == "lax");
  CHECK(fc::to_string(fc::SameSite::none) == "none");
}

TEST_CASE("cookie date: the three HTTP date formats") {
  CHECK(fc::parse_cookie_date("Wed, 21 Oct 2015 07:28:00 GMT") == utc(2015, 10, 21, 7, 28, 0));
  CHECK(fc::parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT") == utc(1994, 11, 6, 8, 49, 37));
  CHECK(fc::parse_cookie_date("Sun Nov  6 08:49:37 1994") == utc(1994, 11, 6, 8, 49, 37));
  CHECK(fc::parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT") == system_clock::time_point{});
}

TEST_CASE("cookie date: tokens in any order, trailing text and zones ignored") {
  const auto want = utc(2015, 10, 21, 7, 28, 0);
  CHECK(fc::parse_cookie_date("2015 Oct 21 07:28:00") == want);
  CHECK(fc::parse_cookie_date("07:28:00 21 october 2015") == want);
  CHECK(fc::parse_cookie_date("21st OCT 2015 07:28:00Z") == want);
  CHECK(fc::parse_cookie_date("21 Oct 2015 07:28:00 +0200") == want);  // always UTC
  CHECK(fc::parse_cookie_date("21-Oct-2015 7:28:0") == want);
}

TEST_CASE("cookie date: two-digit years") {
  CHECK(fc::parse_cookie_date("01 Jan 70 00:00:00") == utc(1970, 1, 1));
  CHECK(fc::parse_cookie_date("01 Jan 99 00:00:00") == utc(1999, 1, 1));
  CHECK(fc::parse_cookie_date("01 Jan 00 00:00:00") == utc(2000, 1, 1));
  CHECK(fc::parse_cookie_date("01 Jan 69 00:00:00") == utc(2069, 1, 1));
  CHECK(fc::parse_cookie_date("01 Jan 2 00:00:00") == std::nullopt);  // a year has 2-4 digits
}

TEST_CASE("cookie date: out-of-range parts and dates that do not exist") {
  for (const char* bad : {"", "garbage", "Wed, 21 Oct 2015", "21 2015 07:28:00",
                          "21 Foo 2015 07:28:00", "Oct 2015 07:28:00", "21 Oct 07:28:00",
                          "32 Oct 2015 07:28:00", "00 Oct 2015 07:28:00", "21 Oct 2015 24:00:00",
                          "21 Oct 2015 23:60:00", "21 Oct 2015 23:59:60", "21 Oct 1600 07:28:00",
                          "21 Oct 2015 123:00:00", "021 Oct 2015 07:28:00", "21 Oct 20155 07:28:00",
                          "30 Feb 2024 00:00:00", "29 Feb 2023 00:00:00", "31 Apr 2024 00:00:00",
                          "29 Feb 2100 00:00:00"}) {
    CAPTURE(bad);
    CHECK(fc::parse_cookie_date(bad) == std::nullopt);
  }
  CHECK(fc::parse_cookie_date("29 Feb 2024 00:00:00") == utc(2024, 2, 29));
  CHECK(fc::parse_cookie_date("29 Feb 2000 23:59:59") == utc(2000, 2, 29, 23, 59, 59));
  CHECK(fc::parse_cookie_date("31 Dec 2015 00:00:00") == utc(2015, 12, 31));
}

TEST_CASE("cookie date: far dates are clamped, not overflowed") {
  const auto far = fc::parse_cookie_date("31 Dec 9999 23:59:59");
  REQUIRE(far.has_value());
  CHECK(*far > utc(2100, 1, 1));
  CHECK(*far - utc(2025, 1, 1) > std::chrono::hours{0});  // no wrap-around
  const auto old = fc::parse_cookie_date("01 Jan 1601 00:00:00");
  REQUIRE(old.has_value());
  CHECK(*old < utc(1850, 1, 1));
  CHECK(utc(2025, 1, 1) - *old > std::chrono::hours{0});
}
