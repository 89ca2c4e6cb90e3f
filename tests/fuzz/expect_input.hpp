#pragma once
/// Fuzzer input → the values lib/core's expectation checks take: an Expectation shaped as the
/// config loader could produce it (names that are HTTP tokens, status codes 100-599, durations
/// of 1 ms up to Millis::max, compiled patterns), a ProbeResult shaped as a prober could produce
/// it (any status 0-999, lower-cased header names, any bytes in values and body), and a
/// wall-clock time in 2000-2100. Shared by the expectation fuzzers of tests/fuzz.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/expectation.hpp"
#include "core/probe_result.hpp"

namespace flywatch::fuzz {

/// An HTTP token (RFC 9110 tchar) of up to `max` characters, possibly empty, lower-cased when
/// `lower`; drawn from a short list of real header and cookie names half of the time.
std::string consume_token(FuzzedDataProvider& in, std::size_t max, bool lower);

/// A compiled pattern from up to `max` bytes of input; nullopt when they do not compile (the
/// config loader refuses those).
std::optional<core::Pattern> consume_pattern(FuzzedDataProvider& in, std::size_t max);

/// A positive duration the config loader accepts (1 ms .. Millis::max).
std::chrono::milliseconds consume_config_duration(FuzzedDataProvider& in);

/// Every member of an expectation, each present or not.
core::Expectation consume_expectation(FuzzedDataProvider& in);

/// A probe result with everything but the body; `body` is left empty for the caller.
core::ProbeResult consume_result(FuzzedDataProvider& in);

/// A wall-clock time between 2000-01-01 and 2100-01-01, in whole milliseconds.
std::chrono::system_clock::time_point consume_now(FuzzedDataProvider& in);

/// Aborts (a fuzzer finding) unless `v` is a well-formed verdict: success exactly when the
/// reason is none, a non-empty detail on failure, and, when the transport succeeded, no raw CR
/// or LF in the detail (details go into log lines and quote what the server sent).
void check_verdict(const core::Verdict& v, const core::ProbeResult& result);

}  // namespace flywatch::fuzz
