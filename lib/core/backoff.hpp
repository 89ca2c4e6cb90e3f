#pragma once
/// Exponential backoff with full jitter, as pure arithmetic: the caller supplies the random value
/// (so tests are deterministic) and any Retry-After delay the server sent. No clock, no I/O.

#include <chrono>
#include <optional>
#include <string>

namespace flywatch::core {

/// Shape of a backoff sequence. After n consecutive failures (n >= 1) the window is
/// [floor, min(cap, base * 2^n)]; the delay is drawn uniformly from that window (full jitter).
/// With floor 0 this is the classic "full jitter" scheme; a floor keeps retries from running
/// faster than a normal poll interval.
struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  std::chrono::milliseconds floor{0};
  /// A server's Retry-After is honoured up to this much; beyond it the server is not trusted
  /// (a Retry-After of a day must not silence monitoring for a day).
  std::chrono::milliseconds retry_after_cap{std::chrono::minutes(15)};
};

/// Consecutive-failure counter that turns failures into delays. Not thread-safe (one per poller).
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {});

  /// Records one more failure and returns the delay before the next attempt:
  /// floor + random * (window_top - floor), where window_top = min(cap, base * 2^failures) and
  /// `random` is clamped to [0, 1] (NaN counts as 0). If `retry_after` is given, the result is at
  /// least min(retry_after, retry_after_cap), even above `cap`. Never negative.
  std::chrono::milliseconds next_delay(double random,
                                       std::optional<std::chrono::milliseconds> retry_after = {});

  /// Forgets the failures (call on success): the next failure starts from the smallest window.
  void reset() { failures_ = 0; }

  /// Consecutive failures recorded since construction or the last reset.
  int failures() const { return failures_; }

  /// Upper end of the jitter window for the given failure count (>= 1); for n <= 0, `base`
  /// clamped to `cap`. Saturates at `cap` without overflow for any n.
  std::chrono::milliseconds window_top(int failures) const;

  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  int failures_ = 0;
};

/// Parses an HTTP Retry-After value in its delta-seconds form ("7", surrounding blanks allowed).
/// The HTTP-date form and anything else yield nullopt (the caller then uses its own backoff).
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

}  // namespace flywatch::core
