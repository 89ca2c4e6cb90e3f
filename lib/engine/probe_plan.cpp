#include "engine/probe_plan.hpp"

#include <tuple>

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
  return s;
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
  return std::tie(a.url, a.endpoint, a.method, a.body, a.send, a.timeout, a.max_body_bytes) ==
             std::tie(b.url, b.endpoint, b.method, b.body, b.send, b.timeout, b.max_body_bytes) &&
         same_expectation(a.expect, b.expect);
}

}  // namespace flywatch::engine
