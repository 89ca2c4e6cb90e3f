// The apps' pure functions called directly, for what the process cannot show: session expiry
// (a day), hostile Cookie headers, fault names and the determinism of the site's hashes.
#include <doctest.h>

#include <set>
#include <string>

#include "app_auth.hpp"
#include "app_cors.hpp"
#include "app_faults.hpp"
#include "app_site.hpp"

namespace fs = flywatch::flysim;

TEST_CASE("app_auth: a session ends Max-Age after the login, and tokens differ") {
  fs::AuthStore store(42);
  const auto id = store.add_user("a@b.c", "pw");
  REQUIRE(id == 1);
  CHECK_FALSE(store.add_user("a@b.c", "other").has_value());
  CHECK(store.add_user("A@b.c", "pw") == 2);  // emails compare exactly
  CHECK(store.check_password("a@b.c", "pw") == 1);
  CHECK_FALSE(store.check_password("a@b.c", "PW").has_value());
  CHECK_FALSE(store.check_password("x@b.c", "pw").has_value());

  const std::int64_t t = 1'700'000'000'000;
  const std::string s1 = store.open_session(1, t);
  const std::string s2 = store.open_session(1, t);
  CHECK(s1.size() == 64);
  CHECK(s1 != s2);
  CHECK(store.session_user(s1, t) == 1);
  CHECK(store.session_user(s1, t + 86'400'000 - 1) == 1);
  CHECK_FALSE(store.session_user(s1, t + 86'400'000).has_value());
  CHECK_FALSE(store.session_user("", t).has_value());
  // A login a day later sweeps the expired sessions away for good.
  store.open_session(2, t + 86'400'000);
  CHECK_FALSE(store.session_user(s2, t).has_value());

  // A fresh store with the same seed makes the same tokens: the seed is the only randomness.
  fs::AuthStore twin(42);
  twin.add_user("a@b.c", "pw");
  CHECK(twin.open_session(1, t) == s1);
}

TEST_CASE("app_auth: cookie_value finds the exact name among others, or nothing") {
  CHECK(fs::cookie_value("medio_session=abc", "medio_session") == "abc");
  CHECK(fs::cookie_value("a=1; medio_session=abc; b=2", "medio_session") == "abc");
  CHECK(fs::cookie_value("a=1;medio_session=abc ", "medio_session") == "abc");
  CHECK(fs::cookie_value("medio_session=", "medio_session") == "");
  CHECK(fs::cookie_value("medio_session=a=b", "medio_session") == "a=b");
  CHECK_FALSE(fs::cookie_value("", "medio_session").has_value());
  CHECK_FALSE(fs::cookie_value("xmedio_session=abc", "medio_session").has_value());
  CHECK_FALSE(fs::cookie_value("medio_session_old=abc", "medio_session").has_value());
  CHECK_FALSE(fs::cookie_value("medio_session", "medio_session").has_value());
  CHECK_FALSE(fs::cookie_value(";;;", "medio_session").has_value());
  CHECK(fs::is_auth_path("/api/auth/me"));
  CHECK(fs::is_auth_path("/api/auth"));
  CHECK_FALSE(fs::is_auth_path("/api/authority"));
  CHECK_FALSE(fs::is_auth_path("/"));
}

TEST_CASE("app_faults: switch on by name, none clears, unknown names change nothing") {
  fs::AppFaults f;
  CHECK(fs::fault_names(f).empty());
  CHECK(fs::switch_fault(f, "login_500"));
  CHECK(fs::switch_fault(f, "cookie_insecure"));
  CHECK(fs::switch_fault(f, "cookie_insecure"));  // twice is once
  CHECK(fs::fault_names(f) == std::vector<std::string>{"cookie_insecure", "login_500"});
  CHECK_FALSE(fs::switch_fault(f, "Login_500"));
  CHECK_FALSE(fs::switch_fault(f, "db_down"));  // a machine fault, not an app one
  CHECK(fs::fault_names(f).size() == 2);
  CHECK(fs::switch_fault(f, "none"));
  CHECK(fs::fault_names(f).empty());
}

TEST_CASE("app_cors: no Origin, no headers; the wildcard fault without Vary") {
  fs::AppRequest req;
  fs::AppAnswer a;
  fs::add_cors_headers(req, "https://f.example", {}, a);
  CHECK(a.headers.empty());
  req.origin = "https://f.example";
  fs::add_cors_headers(req, "", {}, a);  // no origin configured: nobody is allowed
  CHECK(a.headers.empty());
  fs::AppFaults wild;
  wild.cors_wildcard = true;
  wild.cors_no_credentials = true;
  fs::add_cors_headers(req, "https://f.example", wild, a);
  REQUIRE(a.headers.size() == 1);
  CHECK(a.headers[0] == std::pair<std::string, std::string>{"Access-Control-Allow-Origin", "*"});
  req.method = "GET";
  CHECK_FALSE(fs::cors_preflight(req, "https://f.example", {}).has_value());
}

TEST_CASE("app_site: hashes are fixed per version and differ between versions and files") {
  const auto v1 = fs::site_assets(1);
  CHECK(fs::site_assets(1).js == v1.js);
  const auto v2 = fs::site_assets(2);
  CHECK(v2.js != v1.js);
  CHECK(v2.vendor != v1.vendor);
  CHECK(v2.css != v1.css);
  std::set<std::string> hashes;
  for (std::int64_t v = 1; v <= 200; ++v) {
    const auto a = fs::site_assets(v);
    REQUIRE(a.js.size() == std::string("/assets/index-12345678.js").size());
    hashes.insert(a.js.substr(14, 8));
    hashes.insert(a.vendor.substr(15, 8));
    hashes.insert(a.css.substr(14, 8));
  }
  CHECK(hashes.size() == 600);
  fs::AppRequest head;
  head.method = "HEAD";
  CHECK(fs::site_answer(head, 1, {}).status == 405);
}
