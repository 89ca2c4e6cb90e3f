#include "core/gate_wait.hpp"

#include <doctest.h>

namespace fc = flywatch::core;
using Kind = fc::GateWaitVerdict::Kind;

namespace {

fc::MachineSnapshot machine(std::string id, std::string state, std::vector<std::string> checks = {}) {
  fc::MachineSnapshot m;
  m.id = std::move(id);
  m.state = std::move(state);
  m.process_group = "app";
  m.configured_checks = static_cast<int>(checks.size());
  for (auto& status : checks) m.checks.push_back({"c", std::move(status), "", std::nullopt});
  return m;
}

fc::MachineEvent exit_event(std::int64_t at, int code, bool oom = false, bool requested = false) {
  fc::MachineEvent e;
  e.type = "exit";
  e.status = "stopped";
  e.timestamp_ms = at;
  e.exit_code = code;
  e.oom_killed = oom;
  e.requested_stop = requested;
  return e;
}

}  // namespace

TEST_CASE("gate wait: healthy once every machine's checks pass") {
  const auto v = fc::judge_gate_wait(
      {machine("a", "started", {"passing"}), machine("b", "started", {"passing", "passing"})}, 0);
  CHECK(v.kind == Kind::healthy);
  CHECK(v.healthy == 2);
  CHECK(v.total == 2);
  CHECK(v.detail.empty());
}

TEST_CASE("gate wait: waiting names the machines not healthy yet") {
  auto starting = machine("b", "starting");
  auto unreported = machine("c", "started");
  unreported.configured_checks = 1;  // Fly lists no status yet right after a start
  const auto v = fc::judge_gate_wait(
      {machine("a", "started", {"passing"}), starting, unreported, machine("d", "started", {"critical"})},
      0);
  CHECK(v.kind == Kind::waiting);
  CHECK(v.healthy == 1);
  CHECK(v.total == 4);
  CHECK(v.detail == "b starting, c started, d unhealthy");
}

TEST_CASE("gate wait: failed at once on a failed machine, an exit or an OOM kill since the gate began") {
  CHECK(fc::judge_gate_wait({machine("a", "failed")}, 0).detail == "machine a failed");
  auto exited = machine("a", "stopped");
  exited.events = {exit_event(2000, 1)};
  const auto v = fc::judge_gate_wait({exited}, 1000);
  CHECK(v.kind == Kind::failed);
  CHECK(v.detail == "machine a exited with code 1");
  // Before the gate began, or a stop someone asked for, is history.
  CHECK(fc::judge_gate_wait({exited}, 3000).kind == Kind::waiting);
  exited.events = {exit_event(2000, 0, false, true)};
  CHECK(fc::judge_gate_wait({exited}, 1000).kind == Kind::waiting);
  auto oom = machine("b", "started", {"passing"});
  oom.events = {exit_event(5000, 137, true)};
  CHECK(fc::judge_gate_wait({oom}, 1000).detail == "machine b was OOM-killed");
}

TEST_CASE("gate wait: a release command that exited non-zero fails, naming its exit code") {
  auto release = machine("r", "stopped");
  release.process_group = "fly_app_release_command";
  release.events = {exit_event(100, 3)};
  const auto v = fc::judge_gate_wait({machine("a", "started", {"passing"}), release}, 1000);
  CHECK(v.kind == Kind::failed);
  CHECK(v.detail == "release command machine r exited with code 3");
  release.events = {exit_event(100, 0)};
  CHECK(fc::judge_gate_wait({machine("a", "started", {"passing"}), release}, 1000).kind ==
        Kind::healthy);
}

TEST_CASE("gate wait: standbys, consoles and destroyed machines are not waited for; none at all fails") {
  auto standby = machine("s", "stopped");
  standby.standbys = {"a"};
  auto console = machine("c", "stopped");
  console.process_group = "fly_app_console";
  const auto v = fc::judge_gate_wait(
      {machine("a", "started", {"passing"}), standby, console, machine("d", "destroyed")}, 0);
  CHECK(v.kind == Kind::healthy);
  CHECK(v.total == 1);
  const auto none = fc::judge_gate_wait({standby}, 0);
  CHECK(none.kind == Kind::failed);
  CHECK(none.detail == "the app has no machines to wait for");
}

TEST_CASE("gate wait: only the newest release command counts") {
  auto old_fail = machine("r1", "destroyed");
  old_fail.process_group = "fly_app_release_command";
  old_fail.events = {exit_event(100, 1)};
  auto new_ok = machine("r2", "destroyed");
  new_ok.process_group = "fly_app_release_command";
  new_ok.events = {exit_event(200, 0)};
  const auto app = machine("a", "started", {"passing"});
  CHECK(fc::judge_gate_wait({old_fail, new_ok, app}, 1000).kind == Kind::healthy);
  new_ok.events = {exit_event(50, 0)};  // now the failure is the newest
  CHECK(fc::judge_gate_wait({old_fail, new_ok, app}, 1000).detail ==
        "release command machine r1 exited with code 1");
}
