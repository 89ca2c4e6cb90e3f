#include "core/machine_probe_book.hpp"

#include <set>

namespace flywatch::core {

bool own_probe_wanted(const MachineSnapshot& m) {
  return !is_ignored_process_group(m.process_group) && probe_eligible(m);
}

bool own_probe_passed(const Verdict& verdict, bool booting) {
  // The target's own series still count the latency failure; the cold start metrics time it.
  return verdict.success || (booting && verdict.reason == FailureReason::latency);
}

std::vector<MachineProbeOrder> MachineProbeBook::due(const std::vector<MachineSnapshot>& machines,
                                                     int failure_threshold,
                                                     std::chrono::nanoseconds interval,
                                                     time_point now) {
  // The first listing of an id decides, as in AppFleet.
  std::map<std::string, bool> wanted;
  for (const auto& m : machines) wanted.try_emplace(m.id, own_probe_wanted(m));
  // A machine that left started loses its verdict: its next start is judged afresh. So does a
  // cordoned one: the proxy sends it no traffic, so it is not probed (docs/fly.md).
  std::erase_if(entries_, [&](const auto& kv) {
    auto w = wanted.find(kv.first);
    return w == wanted.end() || !w->second;
  });
  std::vector<MachineProbeOrder> out;
  std::set<std::string> seen;
  for (const auto& m : machines) {
    if (!seen.insert(m.id).second || !wanted[m.id]) continue;
    auto [slot, fresh] = entries_.try_emplace(m.id);
    Entry& e = slot->second;
    // A new entry is a new start of the machine: results of probes sent before it do not count.
    if (fresh) e.token = ++next_token_;
    e.tracker.set_failure_threshold(failure_threshold);
    if (e.in_flight) continue;
    // Until the verdict is known the machine is probed after every list; then every interval.
    const bool is_due = !e.last_start || e.tracker.verdict() == OwnProbe::pending ||
                        now - *e.last_start >= interval;
    if (!is_due) continue;
    e.in_flight = true;
    e.last_start = now;
    out.push_back({m.id, e.token});
  }
  return out;
}

bool MachineProbeBook::current(const std::string& machine, std::uint64_t token) const {
  auto it = entries_.find(machine);
  return it != entries_.end() && it->second.token == token;
}

std::optional<OwnProbe> MachineProbeBook::on_result(const std::string& machine,
                                                    std::uint64_t token, bool passed) {
  if (!current(machine, token)) return std::nullopt;
  Entry& e = entries_.at(machine);
  e.in_flight = false;
  return e.tracker.observe(passed);
}

std::map<std::string, OwnProbe> MachineProbeBook::verdicts(
    const std::vector<MachineSnapshot>& machines) const {
  std::map<std::string, OwnProbe> out;
  for (const auto& m : machines) {
    if (!own_probe_wanted(m)) continue;
    out[m.id] = verdict(m.id).value_or(OwnProbe::pending);
  }
  return out;
}

std::optional<OwnProbe> MachineProbeBook::verdict(const std::string& machine) const {
  auto it = entries_.find(machine);
  if (it == entries_.end()) return std::nullopt;
  return it->second.tracker.verdict();
}

}  // namespace flywatch::core
