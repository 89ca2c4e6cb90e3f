#include "net/http_request.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace flywatch::net {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token characters: what a method or a header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Header values may hold anything visible plus spaces and tabs, but never CR, LF or NUL,
// which would let a config value inject a header or a second request.
bool is_field_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool is_target(std::string_view s) {
  if (s.empty()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

bool has_header(const ProbeSpec& spec, std::string_view name) {
  return std::any_of(spec.endpoint.headers.begin(), spec.endpoint.headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool build_request(const ProbeSpec& spec, std::string& out, std::string& error) {
  if (!is_token(spec.method)) {
    error = "invalid request method \"" + spec.method + "\"";
    return false;
  }
  if (!is_target(spec.endpoint.target)) {
    error = "invalid request target \"" + spec.endpoint.target + "\"";
    return false;
  }
  for (const auto& [name, value] : spec.endpoint.headers) {
    if (!is_token(name) || !is_field_value(value)) {
      error = "invalid request header \"" + name + "\"";
      return false;
    }
  }

  out.clear();
  out.reserve(128 + spec.endpoint.target.size() + spec.body.size() + spec.endpoint.headers.size() * 48);
  out.append(spec.method).append(" ").append(spec.endpoint.target).append(" HTTP/1.1\r\n");

  if (!has_header(spec, "host")) {
    const std::string& name = spec.endpoint.tls.server_name.empty() ? spec.endpoint.host : spec.endpoint.tls.server_name;
    out.append("Host: ");
    if (name.find(':') != std::string::npos) {
      out.append("[").append(name).append("]");
    } else {
      out.append(name);
    }
    const std::uint16_t default_port = spec.endpoint.scheme == "http" ? 80 : 443;
    if (spec.endpoint.port != default_port) out.append(":").append(std::to_string(spec.endpoint.port));
    out.append("\r\n");
  }
  for (const auto& [name, value] : spec.endpoint.headers) {
    if (iequals(name, "connection")) continue;
    append_header(out, name, value);
  }
  if (!has_header(spec, "user-agent")) append_header(out, "User-Agent", "flywatch");
  if (!has_header(spec, "accept")) append_header(out, "Accept", "*/*");
  const bool wants_length = !spec.body.empty() || spec.method == "POST" ||
                            spec.method == "PUT" || spec.method == "PATCH";
  if (wants_length && !has_header(spec, "content-length") &&
      !has_header(spec, "transfer-encoding")) {
    append_header(out, "Content-Length", std::to_string(spec.body.size()));
  }
  // fresh: one request per connection. reuse: HTTP/1.1's default, a persistent connection.
  if (spec.connection != core::ConnectionMode::reuse) append_header(out, "Connection", "close");
  out.append("\r\n");
  out.append(spec.body);
  return true;
}

}  // namespace flywatch::net
