#include "engine/probe_plan.hpp"

#include <cstdint>
#include <string>
#include <tuple>

#include "net/http_request.hpp"

namespace flywatch::engine {

net::ProbeSpec make_probe_spec(const config::Target& t) {
  net::ProbeSpec s;
  s.endpoint = t.endpoint;
  s.method = t.method;
  s.body = t.body;
  s.timeout = t.timeout;
  s.max_body_bytes = t.max_body_bytes;
  s.tcp.send = t.send;
  s.tcp.read_until = t.expect.banner_regex;
  s.fetch_assets = t.expect.assets;
  if (t.connection == core::ConnectionMode::reuse &&
      (t.endpoint.scheme == "http" || t.endpoint.scheme == "https")) {
    s.connection = core::ConnectionMode::reuse;
    s.max_connection_age = t.max_connection_age;
    // Each spec made is a new owner: a changed target's old connection is never handed to it.
    static std::uint64_t generation = 0;
    s.connection_owner = t.name + "#" + std::to_string(++generation);
    s.connection_key = s.connection_owner;
  }
  prepare_request(s);
  return s;
}

void prepare_request(net::ProbeSpec& spec) {
  spec.request.clear();
  if (spec.endpoint.scheme != "http" && spec.endpoint.scheme != "https") return;
  std::string error;
  // An invalid request stays unprepared: the probe builds it and reports the error.
  if (!net::build_request(spec, spec.request, error)) spec.request.clear();
}

namespace {

// Patterns have no equality of their own; two patterns judge alike when their sources match.
auto expectation_key(const core::Expectation& e) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, pattern] : e.headers) headers.emplace_back(name, pattern.source());
  auto source = [](const std::optional<core::Pattern>& p) {
    return std::make_pair(p.has_value(), p ? p->source() : std::string());
  };
  return std::make_tuple(e.status, e.body_json, source(e.body_regex), headers, e.cookies, e.cors,
                         e.assets, source(e.banner_regex), e.max_latency, e.cert_min_validity);
}

}  // namespace

bool same_expectation(const core::Expectation& a, const core::Expectation& b) {
  return expectation_key(a) == expectation_key(b);
}

bool same_probe(const config::Target& a, const config::Target& b) {
  return std::tie(a.url, a.endpoint, a.method, a.body, a.send, a.timeout, a.max_body_bytes,
                  a.connection, a.max_connection_age) ==
             std::tie(b.url, b.endpoint, b.method, b.body, b.send, b.timeout, b.max_body_bytes,
                      b.connection, b.max_connection_age) &&
         same_expectation(a.expect, b.expect);
}

}  // namespace flywatch::engine
