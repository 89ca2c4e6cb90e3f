#include <doctest.h>

#include <string>

#include "config/syntax.hpp"
#include "core/endpoint.hpp"

using namespace flywatch::config::detail;
namespace core = flywatch::core;

TEST_CASE("names and tokens") {
  CHECK(is_valid_name("medio-backend"));
  CHECK(is_valid_name("a.b_c-9"));
  CHECK_FALSE(is_valid_name(""));
  CHECK_FALSE(is_valid_name("a b"));
  CHECK_FALSE(is_valid_name("a\"b"));
  CHECK_FALSE(is_valid_name("caf\xc3\xa9"));
  CHECK(is_http_token("X-Request-Id"));
  CHECK(is_http_token("!#$%&'*+-.^_`|~"));
  CHECK_FALSE(is_http_token("Bad Header"));
  CHECK_FALSE(is_http_token("a:b"));
  CHECK_FALSE(is_http_token(""));
  CHECK(is_method("GET"));
  CHECK(is_method("M-SEARCH"));
  CHECK_FALSE(is_method("get"));
  CHECK_FALSE(is_method("Get"));
  CHECK_FALSE(is_method("GET /"));
  CHECK(has_control_char("a\nb"));
  CHECK(has_control_char(std::string("a\0b", 3)));
  CHECK(has_control_char("\x7f"));
  CHECK_FALSE(has_control_char("a\tb c"));
}

TEST_CASE("parse_size") {
  const std::size_t limit = 1024 * 1024 * 1024;
  CHECK(parse_size("1MiB", limit) == std::size_t{1048576});
  CHECK(parse_size("512KiB", limit) == std::size_t{524288});
  CHECK(parse_size("0B", limit) == std::size_t{0});
  CHECK(parse_size("1024MiB", limit) == limit);
  CHECK_FALSE(parse_size("1025MiB", limit));
  CHECK_FALSE(parse_size("99999999999999999999MiB", limit));
  CHECK_FALSE(parse_size("1GB", limit));
  CHECK_FALSE(parse_size("1 MiB", limit));
  CHECK_FALSE(parse_size("1mib", limit));
  CHECK_FALSE(parse_size("1024", limit));
  CHECK_FALSE(parse_size("MiB", limit));
  CHECK_FALSE(parse_size("-1B", limit));
}

TEST_CASE("parse_listen") {
  struct Case {
    const char* in;
    const char* host;  // nullptr: must fail
    int port;
  };
  const Case cases[] = {
      {"127.0.0.1:9464", "127.0.0.1", 9464},
      {"[::1]:9464", "::1", 9464},
      {"[::]:0", "::", 0},
      {"localhost:65535", "localhost", 65535},
      {"0.0.0.0:80", "0.0.0.0", 80},
      {"127.0.0.1", nullptr, 0},
      {"::1:9464", nullptr, 0},
      {"[::1]9464", nullptr, 0},
      {"[nope]:1", nullptr, 0},
      {"127.0.0.1:65536", nullptr, 0},
      {"127.0.0.1:", nullptr, 0},
      {":9464", nullptr, 0},
      {"256.0.0.1:1", nullptr, 0},
      {"example.com:1", nullptr, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    std::string error;
    const auto out = parse_listen(c.in, error);
    if (c.host) {
      REQUIRE(out.has_value());
      CHECK(out->host == c.host);
      CHECK(out->port == c.port);
    } else {
      CHECK_FALSE(out.has_value());
      CHECK_FALSE(error.empty());
    }
  }
}

TEST_CASE("parse_endpoint_url: http and https") {
  struct Case {
    const char* in;
    const char* scheme;  // nullptr: must fail
    const char* host;
    int port;
    const char* target;
  };
  const Case cases[] = {
      {"https://medio-backend.fly.dev/", "https", "medio-backend.fly.dev", 443, "/"},
      {"http://h", "http", "h", 80, "/"},
      {"HTTPS://h:8443/a/b?x=1&y=%20", "https", "h", 8443, "/a/b?x=1&y=%20"},
      {"http://[::1]:8080/health", "http", "::1", 8080, "/health"},
      {"https://[2001:db8::1]/", "https", "2001:db8::1", 443, "/"},
      {"http://10.0.0.1?q", "http", "10.0.0.1", 80, "/?q"},
      {"ftp://h/", nullptr, nullptr, 0, nullptr},
      {"https:///x", nullptr, nullptr, 0, nullptr},
      {"https://h:0/", nullptr, nullptr, 0, nullptr},
      {"https://h:65536/", nullptr, nullptr, 0, nullptr},
      {"https://h:/", nullptr, nullptr, 0, nullptr},
      {"https://u:p@h/", nullptr, nullptr, 0, nullptr},
      {"https://h/#f", nullptr, nullptr, 0, nullptr},
      {"https://h/a b", nullptr, nullptr, 0, nullptr},
      {"/relative", nullptr, nullptr, 0, nullptr},
      {"https://[v1.x]/", nullptr, nullptr, 0, nullptr},
      {"mailto:a@b", nullptr, nullptr, 0, nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    std::string error;
    const auto out = core::parse_endpoint_url(c.in, core::UrlSchemes::http, error);
    if (c.scheme) {
      REQUIRE(out.has_value());
      CHECK(out->scheme == c.scheme);
      CHECK(out->host == c.host);
      CHECK(out->port == c.port);
      CHECK(out->target == c.target);
    } else {
      CHECK_FALSE(out.has_value());
      CHECK_FALSE(error.empty());
      // The URL may carry a credential; the message never repeats it.
      CHECK(error.find(c.in) == std::string::npos);
    }
  }
}
