#include "engine/fly_probe.hpp"

#include "engine/probe_plan.hpp"

namespace flywatch::engine {

net::ProbeSpec machine_probe_spec(const net::ProbeSpec& target_spec, const std::string& machine_id) {
  net::ProbeSpec spec = target_spec;
  spec.endpoint.headers.emplace_back(core::fly_force_instance_header, machine_id);
  // connection: reuse keeps one connection per machine: Fly's proxy routes each request by
  // the header, and a machine's probe must not ride on another machine's connection state.
  if (!spec.connection_key.empty()) spec.connection_key += "@" + machine_id;
  prepare_request(spec);
  return spec;
}

core::LifecycleLimits lifecycle_limits(const config::FlyApp& app) {
  core::LifecycleLimits l;
  l.cold_start_slo = app.cold_start_slo;
  l.stuck_after = app.stuck_after;
  return l;
}

core::SleepSettings sleep_settings(const config::FlyApp& app, std::chrono::nanoseconds probe_interval) {
  core::SleepSettings s;
  switch (app.when_asleep) {
    case config::WhenAsleep::skip: s.action = core::AsleepAction::skip; break;
    case config::WhenAsleep::probe: s.action = core::AsleepAction::probe; break;
    case config::WhenAsleep::wake_every: s.action = core::AsleepAction::wake_every; break;
  }
  s.probe_interval = probe_interval;
  s.wake_every = app.wake_every;
  s.cold_start_slo = app.cold_start_slo;
  return s;
}

}  // namespace flywatch::engine
