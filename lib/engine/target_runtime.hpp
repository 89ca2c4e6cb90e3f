#pragma once
/// What the engine keeps per target between probes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/expectation.hpp"
#include "core/flapping.hpp"
#include "core/probe_result.hpp"
#include "core/target_health.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

/// The outcome of the latest probe, as the status API shows it.
struct LastOutcome {
  core::Verdict verdict;
  std::optional<int> status_code;  ///< null for kinds without an HTTP response (tcp, tls)
  std::chrono::nanoseconds duration{0};
  std::chrono::system_clock::time_point at{};
  /// Whether the probe ran on a kept-alive connection (`connection: reuse`): true reused,
  /// false a new connection; null when no connection was made (e.g. dns or connect failed).
  std::optional<bool> reused;
};

/// The LastOutcome of `result`, judged `verdict`, at `now`.
inline LastOutcome last_outcome(const core::Verdict& verdict, const core::ProbeResult& result,
                                std::optional<int> status_code,
                                std::chrono::system_clock::time_point now) {
  LastOutcome o{verdict, status_code, result.total, now, std::nullopt};
  if (result.reused || !result.remote.empty()) o.reused = result.reused;
  return o;
}

/// What recording one result changed, besides the stored state itself.
struct Recording {
  core::FailureReason previous_failure;  ///< the reason of the result before this one
  std::optional<core::HealthTransition> change;  ///< the health transition it caused, if any
};

/// One target's configuration, health and schedule. Owned by the engine through a shared_ptr so a
/// probe in flight keeps it alive across a reload that removes it.
///
/// Its runtime state (health, flapping, last outcome, last failure) has one mutator, record();
/// everyone else (events, alerts, status) reads it through the const accessors.
class TargetRuntime {
 public:
  TargetRuntime(config::Target c, net::ProbeSpec s)
      : cfg(std::move(c)), spec(std::move(s)), health_(cfg.failure_threshold, cfg.success_threshold) {}

  /// Records one evaluated result at `now`: feeds the health, the flapping detector (only when
  /// not `bound`: machines that disagree are not a flapping target), the last failure and the
  /// last outcome. Returns what the caller reports about it.
  Recording record(const core::Verdict& verdict, const core::ProbeResult& result,
                   std::chrono::system_clock::time_point now) {
    Recording r{last_failure_, health_.observe(verdict.success, now)};
    if (!bound) flapping_.observe(verdict.success);
    last_failure_ = verdict.success ? core::FailureReason::none : verdict.reason;
    last_ = last_outcome(verdict, result, result.status_code(), now);
    return r;
  }
  /// Reload: new health thresholds, state and counters kept.
  void set_thresholds(int failure_threshold, int success_threshold) {
    health_.set_thresholds(failure_threshold, success_threshold);
  }
  /// Reload: new flapping thresholds, history kept.
  void set_flapping_thresholds(core::FlappingThresholds thresholds) {
    flapping_.set_thresholds(thresholds);
  }

  const core::TargetHealth& health() const { return health_; }
  const core::FlappingDetector& flapping() const { return flapping_; }  ///< for TargetFlapping
  const std::optional<LastOutcome>& last() const { return last_; }
  /// The reason of the latest result (none after a success): repeats are logged quietly.
  core::FailureReason last_failure() const { return last_failure_; }

  config::Target cfg;
  const net::ProbeSpec spec;  ///< derived from cfg once; a changed probe gets a new runtime

  std::chrono::steady_clock::time_point due{};      ///< next scheduled start
  std::chrono::steady_clock::time_point run_due{};  ///< due time of the run being started
  std::uint64_t schedule_generation = 0;        ///< heap entries of older generations are stale
  bool in_flight = false;
  bool waiting = false;  ///< due, but held back by the global in-flight limit
  bool retired = false;  ///< removed or replaced by a reload; results are dropped
  /// Named by a Fly app (fly.apps[].target): probed through the app's machines by its
  /// AppWatch, never scheduled on its own.
  bool bound = false;

 private:
  core::TargetHealth health_;
  core::FlappingDetector flapping_;
  std::optional<LastOutcome> last_;
  core::FailureReason last_failure_ = core::FailureReason::none;
};

}  // namespace flywatch::engine
