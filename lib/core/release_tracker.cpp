#include "core/release_tracker.hpp"

#include <algorithm>
#include <charconv>

#include "core/machine_state.hpp"

namespace flywatch::core {

namespace {

// Release versions are decimal; compare them as numbers ("10" after "9"), others as text.
bool newer(const std::string& a, const std::string& b) {
  long long x = 0, y = 0;
  const auto ra = std::from_chars(a.data(), a.data() + a.size(), x);
  const auto rb = std::from_chars(b.data(), b.data() + b.size(), y);
  if (ra.ec == std::errc() && ra.ptr == a.data() + a.size() && rb.ec == std::errc() &&
      rb.ptr == b.data() + b.size()) {
    return x > y;
  }
  return a > b;
}

std::optional<ReleaseCommandExit> exit_of(const MachineSnapshot& m) {
  const MachineEvent* e = latest_exit_event(m);
  if (e == nullptr) return std::nullopt;
  return ReleaseCommandExit{m.id, e->exit_code.value_or(0), e->oom_killed, e->timestamp_ms};
}

}  // namespace

bool is_release_command_group(std::string_view group) {
  return group == "fly_app_release_command" || group == "release_command";
}

const MachineEvent* latest_exit_event(const MachineSnapshot& m) {
  for (const MachineEvent& e : m.events) {
    if (e.type == "exit") return &e;
  }
  return nullptr;
}

void ReleaseTracker::record_exit(const ReleaseCommandExit& exit, ReleaseUpdate& out) {
  pending_.erase(exit.machine);
  if (!reported_.insert(exit.machine).second) return;
  out.command_exits.push_back(exit);
  if (exit.at_ms < latest_exit_ms_) return;  // an older command's late report changes nothing
  latest_exit_ms_ = exit.at_ms;
  if (exit.failed()) {
    failure_ = exit;
  } else {
    failure_.reset();
  }
}

ReleaseUpdate ReleaseTracker::observe(const std::vector<MachineSnapshot>& machines) {
  ReleaseUpdate out;
  std::optional<AppRelease> seen;
  std::set<std::string> listed;
  std::vector<ReleaseCommandExit> exits;
  for (const MachineSnapshot& m : machines) {
    if (is_release_command_group(m.process_group)) {
      listed.insert(m.id);
      if (reported_.count(m.id)) continue;
      if (auto e = exit_of(m)) {
        exits.push_back(*e);
      } else {
        pending_.insert(m.id);
      }
      continue;
    }
    if (is_ignored_process_group(m.process_group) || m.release_version.empty()) continue;
    if (base_state(m.state) == MachineState::destroyed) continue;
    if (!seen || newer(m.release_version, seen->version)) seen = AppRelease{m.release_version, m.image};
  }
  std::sort(exits.begin(), exits.end(),
            [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  for (const ReleaseCommandExit& e : exits) record_exit(e, out);
  for (const std::string& id : pending_) {
    if (!listed.count(id)) out.to_fetch.push_back(id);
  }
  if (seen && (!current_ || *seen != *current_)) {
    // A rollback or an image swap is a release too; only a newer one ends a failure.
    if (current_) {
      out.released.emplace(*current_, *seen);
      if (newer(seen->version, current_->version)) failure_.reset();
    }
    current_ = seen;
  }
  return out;
}

ReleaseUpdate ReleaseTracker::observe_command(const MachineSnapshot& machine) {
  ReleaseUpdate out;
  if (auto e = exit_of(machine)) {
    record_exit(*e, out);
  } else if (base_state(machine.state) == MachineState::destroyed) {
    pending_.erase(machine.id);  // gone without a word: nothing more will come
  }
  return out;
}

}  // namespace flywatch::core
