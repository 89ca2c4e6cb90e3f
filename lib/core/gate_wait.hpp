#pragma once
/// `flywatch gate`'s `wait_healthy` (DESIGN §12) as a pure judgement of one list of an app's
/// machines: every machine healthy, still waiting, or failed at once (a machine `failed`, one
/// that exited or was OOM-killed since the gate began, or a release command that exited
/// non-zero). No I/O, no clock: the list and the gate's start are arguments.

#include <cstdint>
#include <string>
#include <vector>

#include "core/machine.hpp"

namespace flywatch::core {

struct GateWaitVerdict {
  enum class Kind { healthy, waiting, failed };
  Kind kind = Kind::waiting;
  int healthy = 0;  ///< machines of the app healthy now
  int total = 0;    ///< machines of the app that must be (standbys and ignored groups left out)
  /// For failed: what failed ("machine 1857705f126d08 exited with code 1"); for waiting: who is
  /// not healthy yet ("1857705f126d08 starting"); empty when healthy.
  std::string detail;
};

/// Judges `machines` (one list of an app) for a gate that began at `since_ms` (epoch ms):
/// - failed: a machine in state `failed`; an exit event (not a requested stop) at or after
///   `since_ms` with a non-zero code or an OOM kill; the newest release command (by its exit)
///   exited non-zero or was OOM-killed (its migrations failed: the detail names the exit code);
///   or no machine to wait for;
/// - healthy: every machine's lifecycle state (Fly's checks; no own probe) is healthy;
/// - waiting otherwise.
GateWaitVerdict judge_gate_wait(const std::vector<MachineSnapshot>& machines, std::int64_t since_ms);

}  // namespace flywatch::core
