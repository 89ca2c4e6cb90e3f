#include "fly/wait_book.hpp"

#include <set>

#include "core/machine_lifecycle.hpp"

namespace flywatch::fly {

bool is_standby(const core::MachineSnapshot& m) { return !m.standbys.empty(); }

std::vector<WaitBook::Ticket> WaitBook::to_open(const std::vector<core::MachineSnapshot>& machines,
                                                time_point now) {
  std::set<std::string> listed;
  for (const auto& m : machines) listed.insert(m.id);
  std::erase_if(refused_, [&](const auto& kv) { return !listed.contains(kv.first); });

  std::vector<Ticket> out;
  for (const auto& m : machines) {
    const core::MachineState s = core::base_state(m.state);
    // A start may begin any moment for a sleeping machine, and a resume takes less than a poll
    // interval: a long-poll per such machine (one request a minute) catches `started` at once.
    if (s != core::MachineState::starting && s != core::MachineState::stopped &&
        s != core::MachineState::suspended) {
      continue;
    }
    if (core::is_ignored_process_group(m.process_group) || is_standby(m)) continue;
    if (in_flight_.contains(m.id)) continue;
    const Key key{m.state, m.instance_id};
    if (auto r = refused_.find(m.id); r != refused_.end()) {
      // A clock stepped back (now before the refusal) must not hold the refusal for as long
      // as it went back: that counts as time passed.
      const bool fresh = now >= r->second.at && now - r->second.at < retry_refused_after_;
      if (r->second.key == key && fresh) continue;
    }
    const std::uint64_t seq = ++next_seq_;
    in_flight_[m.id] = Open{seq, key};
    out.push_back(Ticket{m.id, seq});
  }
  return out;
}

WaitBook::After WaitBook::on_result(const Ticket& ticket, const PollOutcome& outcome, time_point now) {
  auto it = in_flight_.find(ticket.machine);
  if (it == in_flight_.end() || it->second.seq != ticket.seq) return After::ignore;
  const Key key = std::move(it->second.key);
  in_flight_.erase(it);
  if (outcome.ok) {
    refused_.erase(ticket.machine);
    return After::poll_now;
  }
  if (outcome.http_status == 408) return After::timed_out;
  if (outcome.http_status == 400) {
    auto [r, fresh] = refused_.try_emplace(ticket.machine, Refusal{key, now});
    const bool same = !fresh && r->second.key == key;
    r->second = Refusal{key, now};
    return same ? After::refused_again : After::refused;
  }
  return After::failed;
}

}  // namespace flywatch::fly
