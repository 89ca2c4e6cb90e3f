#pragma once
/// flywatch's own per-machine probes of one app (DESIGN §5) as a value type: which machines get
/// one, when each is due, which results still count, and the verdicts they add up to. Shared by
/// the daemon (engine::AppWatch) and `flywatch check`. Time is an argument; no clock, no I/O.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/expectation.hpp"
#include "core/machine.hpp"
#include "core/machine_state.hpp"
#include "core/own_probe_tracker.hpp"

namespace flywatch::core {

/// True when the own per-machine probe is to reach `m`: a machine that serves the app (not of an
/// ignored process group) and probe_eligible (started, host ok, not cordoned).
bool own_probe_wanted(const MachineSnapshot& m);

/// Whether a per-machine result counts as a pass for the machine's own probe. During a cold
/// start (`booting`) the proxy holds the request until the app listens, so the answer is as slow
/// as the rest of the boot: a right answer that failed only on latency shows the app is ready.
bool own_probe_passed(const Verdict& verdict, bool booting);

/// One per-machine probe to send now: to `machine`, for its start `token` (the result carries
/// the token back to MachineProbeBook::on_result).
struct MachineProbeOrder {
  std::string machine;
  std::uint64_t token = 0;
};

/// The own probes of one app's machines, by machine id.
///
/// Each start of a machine gets an entry with a fresh token; the entry goes when the machine
/// leaves started (or is cordoned, or its host is lost), so its next start is judged afresh and
/// results of probes sent before it do not count. A machine is probed after every list until its
/// verdict is known, then every target interval; never twice at once.
class MachineProbeBook {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Brings the book in line with one list of the app's machines (list order; a duplicate id:
  /// the first one wins) and returns the probes due at `now`, each marked in flight. A probe is
  /// due for a wanted machine with none in flight that was never probed in this start, whose
  /// verdict is still pending, or whose last probe began `interval` or more before `now`.
  /// `failure_threshold` is the target's (1: one result is the verdict, as in `flywatch check`).
  std::vector<MachineProbeOrder> due(const std::vector<MachineSnapshot>& machines,
                                     int failure_threshold, std::chrono::nanoseconds interval,
                                     time_point now);

  /// True when a result for `machine`'s start `token` still counts: the machine has an entry
  /// and it is the same start (not gone, stopped, restarted or cleared meanwhile).
  bool current(const std::string& machine, std::uint64_t token) const;

  /// Records a result (`passed`: own_probe_passed) for `machine`'s start `token` and ends its
  /// probe in flight; returns the new verdict when it changed. A result that is not current()
  /// is dropped (nullopt).
  std::optional<OwnProbe> on_result(const std::string& machine, std::uint64_t token, bool passed);

  /// The own-probe verdict of every wanted machine of `machines` for the lifecycle
  /// (core::AppFleet::observe): its entry's verdict, `pending` before it has one.
  std::map<std::string, OwnProbe> verdicts(const std::vector<MachineSnapshot>& machines) const;

  /// The verdict of `machine`, or nullopt when it has no entry (not probed).
  std::optional<OwnProbe> verdict(const std::string& machine) const;
  bool tracks(const std::string& machine) const { return entries_.contains(machine); }
  /// Forgets every entry (the target changed: earlier verdicts do not speak for the new probe).
  /// Tokens keep counting up, so results of probes in flight are dropped.
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    OwnProbeTracker tracker;
    std::uint64_t token = 0;
    bool in_flight = false;
    std::optional<time_point> last_start;
  };
  std::map<std::string, Entry> entries_;
  std::uint64_t next_token_ = 0;
};

}  // namespace flywatch::core
