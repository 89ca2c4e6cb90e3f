#pragma once
/// The verdict of flywatch's own per-machine probe (DESIGN §5) from its results in order: a value
/// type, no clock, no I/O.

#include <optional>

#include "core/machine_lifecycle.hpp"

namespace flywatch::core {

/// Turns one machine's probe results into an OwnProbe verdict. One good result makes it
/// `passing` (so a cold start's `ready` phase ends at the first good answer); it turns
/// `failing` only after `failure_threshold` consecutive failures, and a failure below the
/// threshold keeps the verdict it had. Before any result it is `pending`.
class OwnProbeTracker {
 public:
  explicit OwnProbeTracker(int failure_threshold = 3) : failure_threshold_(failure_threshold) {}

  /// Records one result; returns the new verdict when it changed.
  std::optional<OwnProbe> observe(bool ok);
  /// Starts over (the machine stopped or restarted): pending, no failures counted.
  void reset();
  void set_failure_threshold(int n) { failure_threshold_ = n; }

  OwnProbe verdict() const { return verdict_; }
  int consecutive_failures() const { return failures_; }

 private:
  int failure_threshold_;
  int failures_ = 0;
  OwnProbe verdict_ = OwnProbe::pending;
};

}  // namespace flywatch::core
