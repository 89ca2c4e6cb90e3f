#include "core/gate_wait.hpp"

#include "core/machine_state.hpp"
#include "core/release_tracker.hpp"

namespace flywatch::core {

namespace {

std::string exit_text(const MachineEvent& e) {
  if (e.oom_killed) return "was OOM-killed";
  return "exited with code " + std::to_string(e.exit_code.value_or(-1));
}

bool bad_exit(const MachineEvent& e) {
  return !e.requested_stop && (e.oom_killed || e.exit_code.value_or(0) != 0);
}

}  // namespace

GateWaitVerdict judge_gate_wait(const std::vector<MachineSnapshot>& machines,
                                std::int64_t since_ms) {
  GateWaitVerdict v;
  // The release command runs the migrations: when the newest one exited non-zero, the deploy
  // failed (older ones, listed with include_deleted, are history).
  const MachineSnapshot* release = nullptr;
  const MachineEvent* release_exit = nullptr;
  for (const MachineSnapshot& m : machines) {
    if (!is_release_command_group(m.process_group)) continue;
    const MachineEvent* e = latest_exit_event(m);
    if (e && (!release_exit || e->timestamp_ms > release_exit->timestamp_ms)) {
      release = &m;
      release_exit = e;
    }
  }
  if (release_exit && bad_exit(*release_exit)) {
    return {GateWaitVerdict::Kind::failed, 0, 0,
            "release command machine " + release->id + " " + exit_text(*release_exit)};
  }
  std::string waiting;
  for (const MachineSnapshot& m : machines) {
    if (is_release_command_group(m.process_group)) continue;
    if (is_ignored_process_group(m.process_group) || !m.standbys.empty()) continue;
    const MachineState state = lifecycle_state(m, OwnProbe::none);
    if (state == MachineState::destroyed) continue;
    if (state == MachineState::failed) {
      return {GateWaitVerdict::Kind::failed, v.healthy, v.total, "machine " + m.id + " failed"};
    }
    for (const MachineEvent& e : m.events) {
      if (e.type == "exit" && e.timestamp_ms >= since_ms && bad_exit(e)) {
        return {GateWaitVerdict::Kind::failed, v.healthy, v.total,
                "machine " + m.id + " " + exit_text(e)};
      }
    }
    ++v.total;
    if (state == MachineState::healthy) {
      ++v.healthy;
    } else {
      if (!waiting.empty()) waiting += ", ";
      waiting += m.id + " " + std::string(to_string(state));
    }
  }
  if (v.total == 0) {
    v.kind = GateWaitVerdict::Kind::failed;
    v.detail = "the app has no machines to wait for";
  } else if (v.healthy == v.total) {
    v.kind = GateWaitVerdict::Kind::healthy;
  } else {
    v.kind = GateWaitVerdict::Kind::waiting;
    v.detail = std::move(waiting);
  }
  return v;
}

}  // namespace flywatch::core
