#pragma once
/// When an app watch lists its machines next (DESIGN §5, §11): one list in flight at a time, the
/// next one a delay after the last one began (the delay comes from fly::AppPollState: the
/// interval, or a backoff), and early lists when a wait says a machine started. Time is an
/// argument; no clock, no I/O.

#include <chrono>

namespace flywatch::core {

class PollSchedule {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit PollSchedule(std::chrono::milliseconds interval) : interval_(interval) {}

  /// A list request begins at `now`.
  void started(time_point now);
  /// The list in flight ended; its outcome is being handled (plan_next follows).
  void list_ended() { polling_ = false; }
  /// Plans the next list after the one that ended (`ok`: it gave a machine list): `delay` after
  /// its start. An early list asked for while it was in flight (poll_now) is kept when it was
  /// good. Returns when the next list is due.
  time_point plan_next(bool ok, std::chrono::milliseconds delay);
  /// Asks for a list soon (a machine just started). While a list is in flight this is applied
  /// when it ends; else the next list moves to earliest() at the latest. True when the caller
  /// must re-arm its timer for next().
  bool poll_now();
  /// A reload: the next list is due at most `interval` after the last one began. True when the
  /// interval changed (re-arm the timer).
  bool set_interval(std::chrono::milliseconds interval);

  /// The earliest an early list may start: the interval, at most a quarter second, after the
  /// last one began. Fly's API takes short bursts, and a wait that keeps answering cannot turn
  /// into a tight loop.
  time_point earliest() const;
  time_point next() const { return next_; }
  bool polling() const { return polling_; }

 private:
  std::chrono::milliseconds interval_;
  bool polling_ = false;
  bool poll_now_ = false;
  time_point last_start_{};
  time_point next_{};
};

}  // namespace flywatch::core
