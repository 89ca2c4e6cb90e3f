#pragma once
/// The outcome of one Machines API list poll, and the pure per-app state that turns outcomes into
/// "what do we believe now" and "when do we poll next" (DESIGN §5, §11). No I/O, no clock reads:
/// time and randomness come in as arguments.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/backoff.hpp"
#include "core/machine.hpp"

namespace flywatch::fly {

/// Result of one `GET /v1/apps/{app}/machines`. Either `ok` with `machines`, or a failure with
/// a bounded `code`, a human `message` and whether retrying sooner than usual makes sense.
struct PollOutcome {
  bool ok = false;
  std::vector<core::MachineSnapshot> machines;  ///< parsed list (empty unless ok)
  std::vector<std::string> warnings;            ///< parser notes about skipped fields/machines

  /// Label value for flywatch_fly_api_requests_total{app,code}; one of
  /// "200", "401", "403", "404", "408", "429", "4xx", "5xx", "other", "network", "timeout", "malformed";
  /// a wait abandoned by cancellation has "cancelled", which is no API answer and is not counted.
  std::string code;
  int http_status = 0;  ///< 0 when no HTTP response was read
  /// Server-requested wait (Retry-After, delta-seconds form), when present and valid.
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;  ///< for logs and the status API, never a metric label
  /// True for 408, 429, 5xx, network, timeout and malformed: worth retrying with backoff.
  /// 401/403/404 and other statuses are not: the caller keeps polling at its normal interval.
  bool retryable = false;
  std::chrono::nanoseconds duration{0};  ///< how long the request took
};

/// What to do after one outcome.
struct PollDecision {
  /// True when the outcome carried no usable machine list, so the previous states stand.
  bool keep_last_known = false;
  std::chrono::milliseconds next_delay{0};  ///< wait this long before the next poll
};

/// Per-app poll bookkeeping: the last known machine list and the failure backoff.
class AppPollState {
 public:
  /// `interval` is the normal poll period. Retryable failures back off from it: the n-th
  /// consecutive one waits a random time in [interval, min(max_backoff, interval * 2^n)],
  /// and at least the server's Retry-After (up to `max_retry_after`).
  explicit AppPollState(std::chrono::milliseconds interval,
                        std::chrono::milliseconds max_backoff = std::chrono::minutes(5),
                        std::chrono::milliseconds max_retry_after = std::chrono::minutes(15));

  /// Applies one outcome observed at `now`; `random` in [0, 1] draws the jitter. Success stores
  /// the new list, resets the backoff and schedules the next poll after `interval`. A failure
  /// keeps the last known machines; a retryable one advances the backoff, any other waits
  /// `interval` (or the Retry-After, if longer) without advancing it.
  PollDecision on_outcome(const PollOutcome& outcome, std::chrono::system_clock::time_point now,
                          double random);

  /// Changes the normal poll period (a reload). The last known machines are kept; the backoff
  /// starts over from the new interval.
  void set_interval(std::chrono::milliseconds interval);

  /// The last successfully polled machines (empty before the first success).
  const std::vector<core::MachineSnapshot>& machines() const { return machines_; }
  /// When the last successful poll was applied; nullopt before the first.
  std::optional<std::chrono::system_clock::time_point> last_success() const { return last_success_; }
  /// Code and message of the latest failure since the last success (empty after a success).
  const std::string& last_error_code() const { return last_error_code_; }
  const std::string& last_error() const { return last_error_; }
  /// Consecutive retryable failures (the backoff step); 0 after a success.
  int consecutive_failures() const { return backoff_.failures(); }

 private:
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds max_backoff_;
  std::chrono::milliseconds max_retry_after_;
  core::Backoff backoff_;
  std::vector<core::MachineSnapshot> machines_;
  std::optional<std::chrono::system_clock::time_point> last_success_;
  std::string last_error_code_;
  std::string last_error_;
};

}  // namespace flywatch::fly
