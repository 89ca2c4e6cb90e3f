#pragma once
/// Small assertions shared by the prober tests.

#include <chrono>
#include <string>

#include "core/probe_result.hpp"
#include "net/prober.hpp"

namespace flywatch::testing {

/// The reason label of a result ("" on success), for readable CHECK output.
inline std::string reason(const core::ProbeResult& r) {
  return std::string(core::to_string(r.transport_failure));
}

inline bool has_phase(const core::ProbeResult& r, core::ProbePhase p) {
  return r.phases[static_cast<std::size_t>(p)].has_value();
}

/// Value of a response header by lower-case name, "" if absent.
inline std::string header(const core::ProbeResult& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

inline net::ProbeSpec spec_for(std::string scheme, std::string host, std::uint16_t port,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  net::ProbeSpec spec;
  spec.endpoint.scheme = std::move(scheme);
  spec.endpoint.host = std::move(host);
  spec.endpoint.port = port;
  spec.timeout = timeout;
  return spec;
}

}  // namespace flywatch::testing
