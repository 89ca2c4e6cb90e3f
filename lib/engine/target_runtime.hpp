#pragma once
/// What the engine keeps per target between probes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/expectation.hpp"
#include "core/flapping.hpp"
#include "core/target_health.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

/// The outcome of the latest probe, as the status API shows it.
struct LastOutcome {
  core::Verdict verdict;
  std::optional<int> status_code;  ///< null for kinds without an HTTP response (tcp, tls)
  std::chrono::nanoseconds duration{0};
  std::chrono::system_clock::time_point at{};
};

/// One target's configuration, health and schedule. Owned by the engine through a shared_ptr so a
/// probe in flight keeps it alive across a reload that removes it.
struct TargetRuntime {
  TargetRuntime(config::Target c, net::ProbeSpec s)
      : cfg(std::move(c)), spec(std::move(s)), health(cfg.failure_threshold, cfg.success_threshold) {}

  config::Target cfg;
  const net::ProbeSpec spec;  ///< derived from cfg once; a changed probe gets a new runtime
  core::TargetHealth health;
  core::FlappingDetector flapping;  ///< raw results, for TargetFlapping
  std::optional<LastOutcome> last;
  core::FailureReason last_failure = core::FailureReason::none;  ///< to log repeats quietly

  std::chrono::steady_clock::time_point due{};      ///< next scheduled start
  std::chrono::steady_clock::time_point run_due{};  ///< due time of the run being started
  std::uint64_t schedule_generation = 0;        ///< heap entries of older generations are stale
  bool in_flight = false;
  bool waiting = false;  ///< due, but held back by the global in-flight limit
  bool retired = false;  ///< removed or replaced by a reload; results are dropped
  /// Named by a Fly app (fly.apps[].target): probed through the app's machines by its
  /// AppWatch, never scheduled on its own.
  bool bound = false;
};

}  // namespace flywatch::engine
