#pragma once
/// Turns a configured target into what the prober and the evaluator need.

#include "config/config.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

/// The ProbeSpec of `target` (URL parts, method, headers, body, timeout, body cap, TLS options;
/// for tcp:// what to send and the banner pattern to read until; whether to fetch assets; the
/// connection mode and, with reuse, a connection owner and key new to this call), with its
/// request prepared (prepare_request).
net::ProbeSpec make_probe_spec(const config::Target& target);

/// Serialises spec's http(s) request once into spec.request, so a probe does not build it
/// again; call again after changing what the request holds (headers, method, body).
void prepare_request(net::ProbeSpec& spec);

/// True when two expectations judge every result alike (patterns compared by source).
bool same_expectation(const core::Expectation& a, const core::Expectation& b);

/// True when two versions of a target probe the same way and judge results the same way, so a
/// reload may keep the target's health state. Interval and thresholds may differ.
bool same_probe(const config::Target& a, const config::Target& b);

}  // namespace flywatch::engine
