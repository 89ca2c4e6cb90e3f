#pragma once
/// The probes of a Fly app that the daemon (AppWatch) and `flywatch check` send alike: the
/// per-machine probe of DESIGN §5 and the app's sleep policy as core sees it.

#include <chrono>
#include <string>

#include "config/config.hpp"
#include "core/machine_update.hpp"
#include "core/sleep_policy.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

/// The per-machine probe: the target's spec, routed by Fly's proxy to machine `machine_id` only
/// (the `fly-force-instance-id` header), with `connection: reuse` on its own kept connection
/// (key "<target key>@<machine>"). Which machines get one: core::MachineProbeBook.
net::ProbeSpec machine_probe_spec(const net::ProbeSpec& target_spec, const std::string& machine_id);

/// The cold-start SLO and stuck limit `app` configures, for its machines' lifecycles.
core::LifecycleLimits lifecycle_limits(const config::FlyApp& app);

/// `app`'s sleep policy for core::SleepPolicy; `probe_interval` is its target's interval.
core::SleepSettings sleep_settings(const config::FlyApp& app, std::chrono::nanoseconds probe_interval);

}  // namespace flywatch::engine
