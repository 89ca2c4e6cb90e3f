#include <doctest.h>

#include <string>
#include <vector>

#include "net/http_request.hpp"
#include "probe_checks.hpp"

using flywatch::net::build_request;
using flywatch::net::is_ip_literal;
using flywatch::net::ProbeSpec;
using flywatch::testing::spec_for;

namespace {

std::string build(const ProbeSpec& spec) {
  std::string out;
  std::string error;
  REQUIRE_MESSAGE(build_request(spec, out, error), error);
  return out;
}

}  // namespace

TEST_CASE("build_request: a default GET") {
  const auto spec = spec_for("https", "example.com", 443);
  CHECK(build(spec) ==
        "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: flywatch\r\nAccept: */*\r\n"
        "Connection: close\r\n\r\n");
}

TEST_CASE("build_request: Host header forms") {
  struct Case {
    std::string scheme, host, server_name;
    std::uint16_t port;
    std::string host_line;
  };
  const std::vector<Case> cases = {
      {"https", "example.com", "", 443, "Host: example.com\r\n"},
      {"http", "example.com", "", 80, "Host: example.com\r\n"},
      {"https", "example.com", "", 80, "Host: example.com:80\r\n"},
      {"http", "127.0.0.1", "", 8080, "Host: 127.0.0.1:8080\r\n"},
      {"https", "::1", "", 8443, "Host: [::1]:8443\r\n"},
      {"https", "10.0.0.7", "medio-backend.fly.dev", 443, "Host: medio-backend.fly.dev\r\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.host);
    auto spec = spec_for(c.scheme, c.host, c.port);
    spec.endpoint.tls.server_name = c.server_name;
    const auto request = build(spec);
    CHECK(request.find(c.host_line) != std::string::npos);
  }
}

TEST_CASE("build_request: given headers are kept, Connection is always close") {
  auto spec = spec_for("https", "example.com", 443);
  spec.method = "POST";
  spec.endpoint.target = "/api/check?verbose=1";
  spec.endpoint.headers = {{"host", "override.example"}, {"Authorization", "Bearer t"},
                  {"Connection", "keep-alive"}, {"user-agent", "probe/2"}};
  spec.body = R"({"ping":true})";
  CHECK(build(spec) ==
        "POST /api/check?verbose=1 HTTP/1.1\r\nhost: override.example\r\n"
        "Authorization: Bearer t\r\nuser-agent: probe/2\r\nAccept: */*\r\n"
        "Content-Length: 13\r\nConnection: close\r\n\r\n{\"ping\":true}");
}

TEST_CASE("build_request: an empty POST still says Content-Length: 0") {
  auto spec = spec_for("http", "example.com", 80);
  spec.method = "POST";
  CHECK(build(spec).find("Content-Length: 0\r\n") != std::string::npos);
}

TEST_CASE("build_request: anything that could split the request is refused") {
  struct Case {
    std::string method, target, header_name, header_value;
  };
  const std::vector<Case> cases = {
      {"GET", "/", "X-A", "one\r\nInjected: yes"},
      {"GET", "/", "X-A", std::string("nul\0byte", 8)},
      {"GET", "/", "X A", "v"},
      {"GET", "/", "", "v"},
      {"GET", "/a b", "X-A", "v"},
      {"GET", "", "X-A", "v"},
      {"GET", "/\r\nX: y", "X-A", "v"},
      {"GE T", "/", "X-A", "v"},
      {"", "/", "X-A", "v"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    CAPTURE(c.header_name);
    auto spec = spec_for("https", "example.com", 443);
    spec.method = c.method;
    spec.endpoint.target = c.target;
    spec.endpoint.headers = {{c.header_name, c.header_value}};
    std::string out;
    std::string error;
    CHECK_FALSE(build_request(spec, out, error));
    CHECK(error.rfind("invalid request", 0) == 0);
  }
}

TEST_CASE("is_ip_literal") {
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK(is_ip_literal("::1"));
  CHECK(is_ip_literal("2001:db8::42"));
  CHECK_FALSE(is_ip_literal("localhost"));
  CHECK_FALSE(is_ip_literal("[::1]"));
  CHECK_FALSE(is_ip_literal("1.2.3"));
  CHECK_FALSE(is_ip_literal(""));
}
