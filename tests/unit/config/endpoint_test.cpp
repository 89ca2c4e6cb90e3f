// core::Endpoint: the one URL parse of targets, sinks and the Fly API, and its comparison.
#include <doctest.h>

#include <string>

#include "config/config.hpp"
#include "core/endpoint.hpp"

namespace core = flywatch::core;

TEST_CASE("parse_endpoint_url: tcp and tls need a port and have no path") {
  std::string error;
  auto ep = core::parse_endpoint_url("TCP://[::1]:22", core::UrlSchemes::http_and_raw, error);
  REQUIRE(ep.has_value());
  CHECK(ep->scheme == "tcp");
  CHECK(ep->host == "::1");
  CHECK(ep->port == 22);
  CHECK(ep->target.empty());
  CHECK(ep->headers.empty());

  CHECK_FALSE(core::parse_endpoint_url("tls://h", core::UrlSchemes::http_and_raw, error));
  CHECK(error == "a tls:// URL needs a port (tls://host:port)");
  CHECK_FALSE(core::parse_endpoint_url("tcp://h:1/x", core::UrlSchemes::http_and_raw, error));
  CHECK(error == "a tcp:// URL has no path or query (tcp://host:port)");
  CHECK_FALSE(core::parse_endpoint_url("ftp://h/", core::UrlSchemes::http_and_raw, error));
  CHECK(error == "scheme must be http, https, tcp or tls");
  // Where only HTTP makes sense, tcp:// is just another wrong scheme.
  CHECK_FALSE(core::parse_endpoint_url("tcp://h:1", core::UrlSchemes::http, error));
  CHECK(error == "scheme must be http or https");
}

TEST_CASE("Endpoint ==: every part counts, TLS options and headers included") {
  std::string error;
  const auto a = *core::parse_endpoint_url("https://h/x", core::UrlSchemes::http, error);
  core::Endpoint b = a;
  CHECK(a == b);
  b.tls.server_name = "other";
  CHECK_FALSE(a == b);
  b = a;
  b.headers.emplace_back("X-A", "1");
  CHECK_FALSE(a == b);
  b = a;
  b.port = 8443;
  CHECK_FALSE(a == b);
}

TEST_CASE("SinkConfig ==: the entry's line is not part of the sink") {
  flywatch::config::SinkConfig a;
  a.name = "hook";
  a.line = 3;
  flywatch::config::SinkConfig b = a;
  b.line = 12;
  CHECK(a == b);
  b.endpoint.tls.ca_file = "/ca.pem";
  CHECK_FALSE(a == b);
}
