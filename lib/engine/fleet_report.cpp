#include "engine/fleet_report.hpp"

#include "core/duration.hpp"

namespace flywatch::engine {

namespace {

using std::chrono::system_clock;

std::string ms_between(system_clock::time_point from, system_clock::time_point to) {
  return core::format_ms_count(std::chrono::duration_cast<std::chrono::milliseconds>(to - from));
}

std::string region_of(const std::map<std::string, std::string>& regions, const std::string& id) {
  auto it = regions.find(id);
  return it == regions.end() ? std::string() : it->second;
}

core::LogLevel transition_level(const core::MachineTransition& t) {
  return t.to == core::MachineState::unhealthy || t.to == core::MachineState::failed ||
                 core::host_lost(t.to, t.reason)
             ? core::LogLevel::warn
             : core::LogLevel::info;
}

void count_machine(const std::string& app, const std::string& region,
                   const core::MachineUpdate& u, metrics::FleetMetrics& metrics) {
  for (const auto& t : u.transitions) metrics.count_transition(app, region, t.from, t.to);
  for (const auto& c : u.cold_starts) {
    // An unknown boot (only the `started` event was seen) is left out, not counted as 0.
    if (auto b = c.boot()) metrics.observe_cold_start(app, region, c.kind, "boot", core::to_seconds(*b));
    if (auto r = c.ready()) metrics.observe_cold_start(app, region, c.kind, "ready", core::to_seconds(*r));
    if (auto t = c.known_total()) {
      metrics.observe_cold_start(app, region, c.kind, "total", core::to_seconds(*t));
    }
  }
}

void log_machine(const std::string& app, const std::string& id, const std::string& region,
                 const core::MachineUpdate& u, system_clock::time_point now, log::Logger& log) {
  const core::LogFields who{{"app", app}, {"machine", id}, {"region", region}};
  auto fields = [&who](core::LogFields more) {
    core::LogFields f = who;
    f.insert(f.end(), more.begin(), more.end());
    return f;
  };
  // The exit first: it explains the state change that follows it.
  for (const auto& e : u.exits) {
    core::LogFields more{{"exit_code", e.exit_code ? std::to_string(*e.exit_code) : "unknown"}};
    if (e.oom_killed) more.emplace_back("reason", "oom_killed");
    const bool bad = e.oom_killed || (e.exit_code && *e.exit_code != 0);
    log.write(bad ? core::LogLevel::warn : core::LogLevel::info, "machine exited", fields(more));
  }
  for (const auto& t : u.transitions) {
    core::LogFields more{{"from", std::string(core::to_string(t.from))},
                         {"to", std::string(core::to_string(t.to))}};
    if (!t.reason.empty()) more.emplace_back("reason", t.reason);
    log.write(transition_level(t), "machine state changed", fields(more));
  }
  for (const auto& c : u.cold_starts) {
    const std::string kind(core::to_string(c.kind));
    core::LogFields more{{"kind", kind}};
    // An unknown boot (only the `started` event was seen): `duration_ms` counts from `started`.
    if (auto b = c.boot()) {
      more.emplace_back("boot_ms", core::format_ms_count(*b));
    } else {
      more.emplace_back("boot", "unknown");
    }
    if (auto r = c.ready()) more.emplace_back("ready_ms", core::format_ms_count(*r));
    if (auto t = c.total()) {
      more.emplace_back("duration_ms", core::format_ms_count(*t));
    }
    if (c.slow) more.emplace_back("slow", "true");
    log.write(c.slow ? core::LogLevel::warn : core::LogLevel::info, "cold start finished",
              fields(more));
  }
  if (u.slow) {
    log.warn("cold start slow", fields({{"kind", std::string(core::to_string(u.slow->kind))},
                                        {"duration_ms", ms_between(u.slow->start, now)}}));
  }
  if (u.abandoned) {
    const auto end = u.abandoned->ended.value_or(now);
    log.warn("cold start abandoned",
             fields({{"kind", std::string(core::to_string(u.abandoned->kind))},
                     {"duration_ms", ms_between(u.abandoned->start, end)}}));
  }
  if (u.stuck) {
    const std::string state = u.stuck->fly_state.empty()
                                  ? std::string(core::to_string(u.stuck->state))
                                  : u.stuck->fly_state;
    log.warn("machine stuck", fields({{"state", state},
                                      {"duration_ms", ms_between(u.stuck->since, now)}}));
  }
}

}  // namespace

void count_fleet_update(const FleetUpdated& e, metrics::FleetMetrics& metrics) {
  const auto& regions = e.regions;
  for (const auto& [id, u] : e.update.machines) count_machine(e.app, region_of(regions, id), u, metrics);
  for (const auto& id : e.update.destroyed) metrics.remove_machine(e.app, id);
  for (const auto& id : e.update.disappeared) metrics.remove_machine(e.app, id);
  for (const auto& [id, lc] : e.fleet.machines()) {
    metrics.set_machine_state(e.app, id, region_of(regions, id), lc.state());
  }
  metrics.set_app_counts(e.app, e.update.counts);
  metrics.set_app_asleep(e.app, e.update.asleep);
}

void log_fleet_update(const FleetUpdated& e, log::Logger& log) {
  const std::string& app = e.app;
  const auto& update = e.update;
  const auto& regions = e.regions;
  for (const auto& id : update.appeared) {
    // The state it was first seen in: a start already under way is reported as transitions
    // from the state before it.
    std::string state = "unknown";
    auto u = update.machines.find(id);
    auto it = e.fleet.machines().find(id);
    if (u != update.machines.end() && !u->second.transitions.empty()) {
      state = core::to_string(u->second.transitions.front().from);
    } else if (it != e.fleet.machines().end()) {
      state = core::to_string(it->second.state());
    }
    log.info("machine appeared",
             {{"app", app}, {"machine", id}, {"region", region_of(regions, id)}, {"state", state}});
  }
  for (const auto& [id, u] : update.machines) {
    log_machine(app, id, region_of(regions, id), u, e.at, log);
  }
  for (const auto& id : update.destroyed) {
    log.info("machine destroyed", {{"app", app}, {"machine", id}, {"region", region_of(regions, id)}});
  }
  for (const auto& id : update.disappeared) {
    log.info("machine gone", {{"app", app}, {"machine", id}, {"region", region_of(regions, id)}});
  }
}

}  // namespace flywatch::engine
