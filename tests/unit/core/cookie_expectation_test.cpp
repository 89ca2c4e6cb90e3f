// core::check_cookies: expect.cookies (DESIGN §12).
#include "core/cookie_expectation.hpp"

#include <doctest.h>

#include <string>
#include <utility>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

// 2025-01-01T00:00:00Z.
const system_clock::time_point t0 = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1};
constexpr std::string_view secret = "s3cr3t-VALUE";

fc::ProbeResult response(std::vector<std::string> set_cookies) {
  fc::ProbeResult r;
  r.http_status = 200;
  r.headers.emplace_back("content-type", "application/json");
  for (auto& c : set_cookies) r.headers.emplace_back("set-cookie", std::move(c));
  return r;
}

fc::CookieExpectation named(std::string name) {
  fc::CookieExpectation e;
  e.name = std::move(name);
  return e;
}

// The detail of the failure, after checking it is one and carries no cookie value.
std::string failure(const fc::ProbeResult& r, const std::vector<fc::CookieExpectation>& expect,
                    system_clock::time_point now = t0) {
  const auto v = fc::check_cookies(r, expect, now);
  REQUIRE(v.has_value());
  CHECK_FALSE(v->success);
  CHECK(v->reason == fc::FailureReason::cookie);
  CHECK(v->detail.find(secret) == std::string::npos);
  return v->detail;
}

std::string with_secret(std::string_view name, std::string_view attributes) {
  return std::string(name) + "=" + std::string(secret) + std::string(attributes);
}

}  // namespace

TEST_CASE("cookies: nothing expected holds even without cookies") {
  CHECK_FALSE(fc::check_cookies(response({}), {}, t0).has_value());
}

TEST_CASE("cookies: every attribute as expected holds") {
  auto e = named("medio_session");
  e.http_only = true;
  e.secure = true;
  e.same_site = fc::SameSite::strict;
  e.path = "/";
  e.max_age_min = 3600s;
  e.max_age_max = 86400s;
  const auto r = response(
      {"other=1",
       with_secret("medio_session", "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600")});
  CHECK_FALSE(fc::check_cookies(r, {e}, t0).has_value());
  CHECK_FALSE(fc::check_cookies(r, {named("other"), named("medio_session")}, t0).has_value());
}

TEST_CASE("cookies: a missing cookie is not set") {
  const auto r = response({with_secret("other", ""), "broken", with_secret("Medio_Session", "")});
  CHECK(failure(r, {named("medio_session")}) == "cookie \"medio_session\" is not set");
  CHECK(failure(response({}), {named("sid")}) == "cookie \"sid\" is not set");
  // Only set-cookie headers count, in any case of the name.
  fc::ProbeResult other = response({});
  other.headers.emplace_back("cookie", "sid=1");
  other.headers.emplace_back("x-set-cookie", "sid=1");
  CHECK(failure(other, {named("sid")}) == "cookie \"sid\" is not set");
  other.headers.emplace_back("Set-Cookie", "sid=1");
  CHECK_FALSE(fc::check_cookies(other, {named("sid")}, t0).has_value());
}

TEST_CASE("cookies: a deletion counts as not set") {
  for (const char* attrs :
       {"; Max-Age=0", "; Max-Age=-1", "; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "; Expires=Wed, 01 Jan 2025 00:00:00 GMT",
        "; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT"}) {
    CAPTURE(attrs);
    CHECK(failure(response({with_secret("sid", attrs)}), {named("sid")}) ==
          "cookie \"sid\" is not set (the response expires it)");
  }
  // Max-Age wins over a past Expires.
  const auto r =
      response({with_secret("sid", "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=9")});
  CHECK_FALSE(fc::check_cookies(r, {named("sid")}, t0).has_value());
}

TEST_CASE("cookies: HttpOnly and Secure must match exactly what is given") {
  auto http_only = named("sid");
  http_only.http_only = true;
  auto not_http_only = named("sid");
  not_http_only.http_only = false;
  auto secure = named("sid");
  secure.secure = true;
  auto not_secure = named("sid");
  not_secure.secure = false;

  const auto plain = response({with_secret("sid", "")});
  CHECK(failure(plain, {http_only}) == "cookie \"sid\" is not HttpOnly");
  CHECK(failure(plain, {secure}) == "cookie \"sid\" is not Secure");
  CHECK_FALSE(fc::check_cookies(plain, {not_http_only, not_secure}, t0).has_value());

  const auto flagged = response({with_secret("sid", "; HttpOnly; Secure")});
  CHECK(failure(flagged, {not_http_only}) == "cookie \"sid\" is HttpOnly, want not HttpOnly");
  CHECK(failure(flagged, {not_secure}) == "cookie \"sid\" is Secure, want not Secure");
  CHECK_FALSE(fc::check_cookies(flagged, {http_only, secure}, t0).has_value());
}

TEST_CASE("cookies: SameSite") {
  auto strict = named("sid");
  strict.same_site = fc::SameSite::strict;
  CHECK(failure(response({with_secret("sid", "; SameSite=Lax")}), {strict}) ==
        "cookie \"sid\" SameSite is lax, want strict");
  CHECK(failure(response({with_secret("sid", "; SameSite=None; Secure")}), {strict}) ==
        "cookie \"sid\" SameSite is none, want strict");
  CHECK(failure(response({with_secret("sid", "")}), {strict}) ==
        "cookie \"sid\" SameSite is unset, want strict");
  CHECK(failure(response({with_secret("sid", "; SameSite=Strictly")}), {strict}) ==
        "cookie \"sid\" SameSite is unknown \"Strictly\", want strict");
  CHECK_FALSE(fc::check_cookies(response({with_secret("sid", "; samesite=STRICT")}), {strict}, t0)
                  .has_value());
  auto unset = named("sid");
  unset.same_site = fc::SameSite::unset;
  CHECK(failure(response({with_secret("sid", "; SameSite=Lax")}), {unset}) ==
        "cookie \"sid\" SameSite is lax, want unset");
  CHECK_FALSE(fc::check_cookies(response({with_secret("sid", "")}), {unset}, t0).has_value());
}

TEST_CASE("cookies: Path") {
  auto root = named("sid");
  root.path = "/";
  CHECK(failure(response({with_secret("sid", "; Path=/api")}), {root}) ==
        "cookie \"sid\" Path is \"/api\", want \"/\"");
  CHECK(failure(response({with_secret("sid", "")}), {root}) ==
        "cookie \"sid\" has no Path, want \"/\"");
  CHECK(failure(response({with_secret("sid", "; Path=relative")}), {root}) ==
        "cookie \"sid\" has no Path, want \"/\"");
  CHECK_FALSE(
      fc::check_cookies(response({with_secret("sid", "; Path=/")}), {root}, t0).has_value());
}

TEST_CASE("cookies: the lifetime range, from Max-Age or Expires") {
  auto day = named("sid");
  day.max_age_min = 3600s;
  day.max_age_max = 86400s;
  CHECK(failure(response({with_secret("sid", "; Max-Age=3599")}), {day}) ==
        "cookie \"sid\" lifetime is 3599s, want at least 3600s");
  CHECK(failure(response({with_secret("sid", "; Max-Age=86401")}), {day}) ==
        "cookie \"sid\" lifetime is 86401s, want at most 86400s");
  CHECK_FALSE(
      fc::check_cookies(response({with_secret("sid", "; Max-Age=3600")}), {day}, t0).has_value());
  CHECK_FALSE(
      fc::check_cookies(response({with_secret("sid", "; Max-Age=86400")}), {day}, t0).has_value());
  // Expires − now: 02:00 is 7200 s after t0, 0.5 s earlier it is still 7200 s (floored).
  const auto expires = response({with_secret("sid", "; Expires=Wed, 01 Jan 2025 02:00:00 GMT")});
  CHECK_FALSE(fc::check_cookies(expires, {day}, t0).has_value());
  CHECK_FALSE(fc::check_cookies(expires, {day}, t0 - 500ms).has_value());
  auto short_max = named("sid");
  short_max.max_age_max = 7199s;
  CHECK(failure(expires, {short_max}) == "cookie \"sid\" lifetime is 7200s, want at most 7199s");
  CHECK(failure(expires, {day}, t0 + 2h - 1s) ==
        "cookie \"sid\" lifetime is 1s, want at least 3600s");
  // Max-Age wins over Expires.
  const auto both =
      response({with_secret("sid", "; Max-Age=60; Expires=Wed, 01 Jan 2025 02:00:00 GMT")});
  CHECK(failure(both, {day}) == "cookie \"sid\" lifetime is 60s, want at least 3600s");
  // A session cookie has no lifetime to compare.
  auto only_max = named("sid");
  only_max.max_age_max = 60s;
  CHECK(failure(response({with_secret("sid", "")}), {only_max}) ==
        "cookie \"sid\" is a session cookie (no Max-Age or Expires), want a lifetime");
}

TEST_CASE("cookies: the last Set-Cookie of a name wins") {
  auto http_only = named("sid");
  http_only.http_only = true;
  CHECK(failure(response({with_secret("sid", "; HttpOnly"), with_secret("sid", "")}),
                {http_only}) == "cookie \"sid\" is not HttpOnly");
  CHECK_FALSE(
      fc::check_cookies(response({with_secret("sid", ""), with_secret("sid", "; HttpOnly")}),
                        {http_only}, t0)
          .has_value());
  // A later header that does not parse does not count.
  CHECK_FALSE(fc::check_cookies(response({with_secret("sid", "; HttpOnly"), "sid; Path=/"}),
                                {http_only}, t0)
                  .has_value());
  // A later deletion wins too.
  CHECK(failure(response({with_secret("sid", "; HttpOnly"), "sid=; Max-Age=0"}), {named("sid")}) ==
        "cookie \"sid\" is not set (the response expires it)");
}

TEST_CASE("cookies: expectations are checked in order, the first failure is reported") {
  auto a = named("a");
  a.secure = true;
  auto b = named("b");
  b.http_only = true;
  const auto r = response({with_secret("a", ""), with_secret("b", "")});
  CHECK(failure(r, {a, b}) == "cookie \"a\" is not Secure");
  CHECK(failure(r, {b, a}) == "cookie \"b\" is not HttpOnly");
  // HttpOnly is checked before Secure, Secure before SameSite, SameSite before Path.
  auto all = named("a");
  all.http_only = true;
  all.secure = true;
  all.same_site = fc::SameSite::lax;
  all.path = "/";
  CHECK(failure(r, {all}) == "cookie \"a\" is not HttpOnly");
}

TEST_CASE("cookies: a detail never shows the value, even one that looks like an attribute") {
  // The value is the secret and sits where a careless detail would print it.
  auto e = named("sid");
  e.path = "/";
  e.same_site = fc::SameSite::strict;
  for (const char* attrs : {"; Path=/x", "", "; SameSite=Lax"}) {
    CAPTURE(attrs);
    const std::string detail = failure(response({with_secret("sid", attrs)}), {e});
    CHECK(detail.rfind("cookie \"sid\" ", 0) == 0);
  }
  // Hostile attribute text is quoted and bounded like any other detail.
  auto lax = named("sid");
  lax.same_site = fc::SameSite::lax;
  const std::string detail =
      failure(response({"sid=v; SameSite=\"" + std::string(500, 'z')}), {lax});
  CHECK(detail.size() < 200);
}
