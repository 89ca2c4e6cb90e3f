// core::CookieJar: RFC 6265 §5.3 storage and §5.4 the Cookie header.
#include "core/cookie_jar.hpp"

#include <doctest.h>

#include <string>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

const system_clock::time_point t0 = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1};

fc::CookieUrl https(std::string host, std::string path = "/") {
  return fc::CookieUrl{true, std::move(host), std::move(path)};
}
fc::CookieUrl http(std::string host, std::string path = "/") {
  return fc::CookieUrl{false, std::move(host), std::move(path)};
}

bool set(fc::CookieJar& jar, std::string_view header, const fc::CookieUrl& url,
         system_clock::time_point now = t0) {
  auto c = fc::parse_set_cookie(header);
  REQUIRE_MESSAGE(c.has_value(), std::string(header));
  return jar.store(*c, url, now);
}

std::string header(const fc::CookieJar& jar, const fc::CookieUrl& url,
                   system_clock::time_point now = t0) {
  return jar.cookie_header(url, now);
}

}  // namespace

TEST_CASE("jar: an empty jar sends nothing") {
  fc::CookieJar jar;
  CHECK(jar.size() == 0);
  CHECK(header(jar, https("example.com")) == "");
}

TEST_CASE("jar: a host-only cookie goes back to its host only") {
  fc::CookieJar jar;
  CHECK(set(jar, "sid=abc", https("example.com", "/login")));
  CHECK(jar.size() == 1);
  CHECK(header(jar, https("example.com")) == "sid=abc");
  CHECK(header(jar, https("sub.example.com")) == "");
  CHECK(header(jar, https("otherexample.com")) == "");
  CHECK(header(jar, https("com")) == "");
  CHECK(header(jar, https("EXAMPLE.com")) == "sid=abc");  // hosts compare lower-cased
}

TEST_CASE("jar: a Domain cookie goes to the domain and its subdomains") {
  fc::CookieJar jar;
  CHECK(set(jar, "sid=abc; Domain=example.com", https("sub.example.com")));
  CHECK(header(jar, https("example.com")) == "sid=abc");
  CHECK(header(jar, https("sub.example.com")) == "sid=abc");
  CHECK(header(jar, https("a.b.example.com")) == "sid=abc");
  CHECK(header(jar, https("notexample.com")) == "");
  CHECK(header(jar, https("example.org")) == "");
  CHECK(header(jar, https("example.com.evil.org")) == "");
}

TEST_CASE("jar: Domain=.example.com is Domain=example.com (the same cookie)") {
  fc::CookieJar jar;
  CHECK(set(jar, "sid=1; Domain=.example.com", https("example.com")));
  CHECK(header(jar, https("www.example.com")) == "sid=1");
  CHECK(set(jar, "sid=2; Domain=EXAMPLE.com", https("example.com")));
  CHECK(jar.size() == 1);
  CHECK(header(jar, https("www.example.com")) == "sid=2");
}

TEST_CASE("jar: a Domain the host does not domain-match is refused") {
  fc::CookieJar jar;
  CHECK_FALSE(set(jar, "sid=1; Domain=evil.com", https("example.com")));
  CHECK_FALSE(set(jar, "sid=1; Domain=sub.example.com", https("example.com")));
  CHECK_FALSE(set(jar, "sid=1; Domain=example.com", https("badexample.com")));
  CHECK_FALSE(set(jar, "sid=1; Domain=ample.com", https("example.com")));
  // No public-suffix list, but a single label that is not the host is refused.
  CHECK_FALSE(set(jar, "sid=1; Domain=com", https("example.com")));
  CHECK(jar.size() == 0);
  CHECK(header(jar, https("evil.com")) == "");
  CHECK(set(jar, "sid=1; Domain=localhost", http("localhost")));
  CHECK(header(jar, http("localhost")) == "sid=1");
}

TEST_CASE("jar: a host-only and a Domain cookie of the same domain are one cookie") {
  fc::CookieJar jar;
  CHECK(set(jar, "sid=1", https("example.com")));
  CHECK(set(jar, "sid=2; Domain=example.com", https("example.com")));
  CHECK(jar.size() == 1);
  CHECK(header(jar, https("www.example.com")) == "sid=2");
}

TEST_CASE("jar: IP hosts get host-only cookies") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1", http("192.168.1.10")));
  CHECK(header(jar, http("192.168.1.10")) == "a=1");
  CHECK(header(jar, http("10.192.168.1.10")) == "");
  CHECK_FALSE(set(jar, "b=1; Domain=168.1.10", http("192.168.1.10")));
  CHECK_FALSE(set(jar, "b=1; Domain=example.com", http("192.168.1.10")));
  // A Domain equal to the IP is accepted but stays host-only: the same cookie as "a=…".
  CHECK(set(jar, "a=2; Domain=192.168.1.10", http("192.168.1.10")));
  CHECK(jar.size() == 1);
  CHECK(header(jar, http("192.168.1.10")) == "a=2");

  CHECK(set(jar, "v6=1", https("[::1]")));
  CHECK(set(jar, "v6=2; Domain=::1", https("[::1]")));
  CHECK(header(jar, https("[::1]")) == "v6=2");
  CHECK(jar.size() == 2);
}

TEST_CASE("jar: a domain cookie never matches an IP host by suffix") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1; Domain=2.3.4", https("x.2.3.4")));
  CHECK(header(jar, https("y.2.3.4")) == "a=1");
  CHECK(header(jar, https("1.2.3.4")) == "");
}

TEST_CASE("jar: path matching (/api vs /apifoo vs /api/x)") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1; Path=/api", https("example.com", "/login")));
  CHECK(set(jar, "b=2; Path=/api/", https("example.com", "/login")));
  CHECK(header(jar, https("example.com", "/api")) == "a=1");
  CHECK(header(jar, https("example.com", "/api/")) == "b=2; a=1");
  CHECK(header(jar, https("example.com", "/api/x")) == "b=2; a=1");
  CHECK(header(jar, https("example.com", "/api?x=1")) == "a=1");
  CHECK(header(jar, https("example.com", "/apifoo")) == "");
  CHECK(header(jar, https("example.com", "/ap")) == "");
  CHECK(header(jar, https("example.com", "/")) == "");
  CHECK(header(jar, https("example.com", "/API")) == "");  // paths are case-sensitive
}

TEST_CASE("jar: without a Path the default path is the request's directory") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1", https("example.com", "/api/auth/login")));
  CHECK(header(jar, https("example.com", "/api/auth/me")) == "a=1");
  CHECK(header(jar, https("example.com", "/api/auth")) == "a=1");
  CHECK(header(jar, https("example.com", "/api/authx")) == "");
  CHECK(header(jar, https("example.com", "/api/other")) == "");
  CHECK(header(jar, https("example.com", "/api")) == "");

  fc::CookieJar q;  // the query is not part of the path, even with slashes in it
  CHECK(set(q, "a=1", https("example.com", "/api/auth/login?next=/x/y/z")));
  CHECK(header(q, https("example.com", "/api/auth/me")) == "a=1");
  CHECK(header(q, https("example.com", "/api/other")) == "");

  for (const char* path : {"/login", "/", "", "login", "/api/"}) {
    CAPTURE(path);
    fc::CookieJar j;
    CHECK(set(j, "a=1", https("example.com", path)));
    const bool root = std::string_view(path) != "/api/";
    CHECK(header(j, https("example.com", "/elsewhere")) == (root ? "a=1" : ""));
  }
  fc::CookieJar rel;  // an invalid Path is the default path too
  CHECK(set(rel, "a=1; Path=relative", https("example.com", "/api/auth/login")));
  CHECK(header(rel, https("example.com", "/api/auth/me")) == "a=1");
  CHECK(header(rel, https("example.com", "/")) == "");
}

TEST_CASE("jar: Secure cookies are refused from http and not sent over http") {
  fc::CookieJar jar;
  CHECK_FALSE(set(jar, "s=1; Secure", http("example.com")));
  CHECK(jar.size() == 0);
  CHECK(set(jar, "s=1; Secure", https("example.com")));
  CHECK(set(jar, "p=2", https("example.com")));
  CHECK(header(jar, https("example.com")) == "s=1; p=2");
  CHECK(header(jar, http("example.com")) == "p=2");
}

TEST_CASE("jar: Max-Age takes precedence over Expires, in either order") {
  for (const char* h : {"a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                        "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60"}) {
    CAPTURE(h);
    fc::CookieJar jar;
    CHECK(set(jar, h, https("example.com")));
    CHECK(header(jar, https("example.com"), t0 + 59s) == "a=1");
    CHECK(header(jar, https("example.com"), t0 + 60s) == "");
  }
  fc::CookieJar jar;
  CHECK(set(jar, "a=1; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT", https("example.com")));
  CHECK(jar.size() == 0);
}

TEST_CASE("jar: Expires alone, session cookies and the 400-day cap") {
  fc::CookieJar jar;
  CHECK(set(jar, "e=1; Expires=Wed, 01 Jan 2025 01:00:00 GMT", https("example.com")));
  CHECK(set(jar, "s=2", https("example.com")));
  CHECK(set(jar, "m=3; Max-Age=99999999999999", https("example.com")));
  CHECK(set(jar, "f=4; Expires=Fri, 01 Jan 2100 00:00:00 GMT", https("example.com")));
  CHECK(header(jar, https("example.com"), t0 + 3599s) == "e=1; s=2; m=3; f=4");
  CHECK(header(jar, https("example.com"), t0 + 3600s) == "s=2; m=3; f=4");
  CHECK(header(jar, https("example.com"), t0 + 24h * 400 - 1s) == "s=2; m=3; f=4");
  CHECK(header(jar, https("example.com"), t0 + 24h * 400) == "s=2");
  CHECK(jar.size() == 4);  // expired cookies stay until the next store
}

TEST_CASE("jar: deletion by Max-Age=0, a negative Max-Age or a past Expires") {
  for (const char* del : {"sid=; Max-Age=0", "sid=x; Max-Age=-1",
                          "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}) {
    CAPTURE(del);
    fc::CookieJar jar;
    CHECK(set(jar, "sid=abc", https("example.com")));
    CHECK(set(jar, "other=1", https("example.com")));
    CHECK(set(jar, del, https("example.com"), t0 + 1s));
    CHECK(jar.size() == 1);
    CHECK(header(jar, https("example.com"), t0 + 1s) == "other=1");
  }
  fc::CookieJar jar;  // deleting needs the same (name, domain, path)
  CHECK(set(jar, "sid=abc; Path=/", https("example.com")));
  CHECK(set(jar, "sid=; Max-Age=0; Path=/x", https("example.com")));
  CHECK(set(jar, "sid=; Max-Age=0; Domain=www.example.com", https("www.example.com")));
  CHECK(set(jar, "nothing=; Max-Age=0", https("example.com")));  // deleting nothing is fine
  CHECK(jar.size() == 1);
  CHECK(header(jar, https("example.com")) == "sid=abc");
}

TEST_CASE("jar: replacing keeps the creation time, so the order does not change") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1", https("example.com"), t0));
  CHECK(set(jar, "b=2", https("example.com"), t0 + 1s));
  CHECK(set(jar, "a=3; Max-Age=10", https("example.com"), t0 + 2s));
  CHECK(jar.size() == 2);
  CHECK(header(jar, https("example.com"), t0 + 2s) == "a=3; b=2");
  CHECK(header(jar, https("example.com"), t0 + 12s) == "b=2");  // the new expiry applies
  // Once expired, "a" is evicted: a new "a" is a new cookie, created after "b".
  CHECK(set(jar, "a=4", https("example.com"), t0 + 13s));
  CHECK(header(jar, https("example.com"), t0 + 13s) == "b=2; a=4");
}

TEST_CASE("jar: longer paths first, then earlier creation") {
  fc::CookieJar jar;
  CHECK(set(jar, "root=1; Path=/", https("example.com"), t0));
  CHECK(set(jar, "deep=2; Path=/api/x", https("example.com"), t0));
  CHECK(set(jar, "mid=3; Path=/api", https("example.com"), t0));
  CHECK(set(jar, "late=4; Path=/api", https("example.com"), t0 + 5s));
  CHECK(set(jar, "early=5; Path=/api", https("example.com"), t0 + 1s));
  CHECK(header(jar, https("example.com", "/api/x/y"), t0 + 5s) ==
        "deep=2; mid=3; early=5; late=4; root=1");
  // The same name on two paths is two cookies, both sent.
  CHECK(set(jar, "root=6; Path=/api/x", https("example.com"), t0 + 6s));
  CHECK(header(jar, https("example.com", "/api/x"), t0 + 6s) ==
        "deep=2; root=6; mid=3; early=5; late=4; root=1");
}

TEST_CASE("jar: at most 64 cookies; expired ones are evicted first, then the oldest") {
  fc::CookieJar jar;
  const auto url = https("example.com");
  for (int i = 0; i < 64; ++i) {
    const std::string h = "c" + std::to_string(i) + "=v" + (i == 10 ? "; Max-Age=60" : "");
    CHECK(set(jar, h, url, t0 + std::chrono::seconds{i}));
  }
  CHECK(jar.size() == 64);
  CHECK(set(jar, "new=1", url, t0 + 100s));  // c10 expired at t0+70s
  CHECK(jar.size() == 64);
  std::string h = header(jar, url, t0 + 100s);
  CHECK(h.rfind("c0=v; c1=v; ", 0) == 0);
  CHECK(h.find("c10=") == std::string::npos);
  CHECK(h.find("; new=1") == h.size() - 7);

  CHECK(set(jar, "newer=2", url, t0 + 101s));  // nothing expired: the oldest, c0, goes
  CHECK(jar.size() == 64);
  h = header(jar, url, t0 + 101s);
  CHECK(h.rfind("c1=v; c2=v; ", 0) == 0);
  CHECK(h.find("c0=") == std::string::npos);
  CHECK(set(jar, "c1=again", url, t0 + 102s));  // replacing needs no room
  CHECK(header(jar, url, t0 + 102s).rfind("c1=again; c2=v; ", 0) == 0);
}

TEST_CASE("jar: a flood of cookies keeps the newest 64") {
  fc::CookieJar jar;
  const auto url = https("example.com");
  for (int i = 0; i < 1000; ++i) {
    CHECK(set(jar, "c" + std::to_string(i) + "=" + std::string(4000, 'x'), url));
  }
  CHECK(jar.size() == 64);
  const std::string h = header(jar, url);
  CHECK(h.rfind("c936=", 0) == 0);
  CHECK(h.find("c935=") == std::string::npos);
}

TEST_CASE("jar: receive stores every set-cookie header in order, skipping bad ones") {
  fc::CookieJar jar;
  const fc::HeaderList headers = {
      {"content-type", "text/plain"}, {"set-cookie", "a=1"},
      {"set-cookie", "broken"},       {"Set-Cookie", "b=2; Path=/"},
      {"set-cookie", "a=3"},          {"cookie", "c=4"},
      {"set-cookie", "s=5; Secure"}};
  jar.receive(headers, http("example.com", "/x"), t0);
  CHECK(jar.size() == 2);
  CHECK(header(jar, https("example.com")) == "a=3; b=2");
}

TEST_CASE("jar: the next store evicts expired cookies") {
  fc::CookieJar jar;
  CHECK(set(jar, "a=1; Max-Age=5", https("example.com"), t0));
  CHECK(set(jar, "b=2", https("example.com"), t0));
  CHECK(jar.size() == 2);
  CHECK(set(jar, "c=3", https("example.com"), t0 + 5s));
  CHECK(jar.size() == 2);
  CHECK(header(jar, https("example.com"), t0 + 5s) == "b=2; c=3");
}
