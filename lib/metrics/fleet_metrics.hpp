#pragma once
/// The Fly machine families of DESIGN §6 (flywatch_machine_*, flywatch_cold_start_seconds,
/// flywatch_app_* including flywatch_app_release_info, flywatch_wake_latency_seconds,
/// flywatch_fly_api_requests_total), owned as
/// plain values keyed by app and rendered with ExpositionWriter. Single-threaded, like Metrics.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/machine_lifecycle.hpp"

namespace flywatch::metrics {

/// Bucket bounds of flywatch_cold_start_seconds and flywatch_wake_latency_seconds (0.1 s … 120 s).
const std::vector<double>& cold_start_buckets();

/// A histogram with fixed bounds (cold_start_buckets()), counts per bucket not cumulative.
struct FleetHistogram {
  FleetHistogram();
  /// Counts `seconds` in the first bucket whose bound is >= it (or only in +Inf).
  void observe(double seconds);
  std::vector<std::uint64_t> counts;  ///< one per bound, then one for +Inf
  double sum = 0;
  std::uint64_t count = 0;
};

class FleetMetrics {
 public:
  FleetMetrics() = default;
  FleetMetrics(const FleetMetrics&) = delete;
  FleetMetrics& operator=(const FleetMetrics&) = delete;

  /// Sets flywatch_machine_state of the machine: 1 for `state`, 0 for every other state. Creates
  /// the machine on first use; a changed `region` replaces the old one.
  void set_machine_state(std::string_view app, std::string_view machine, std::string_view region,
                         core::MachineState state);
  /// Sets flywatch_machine_probe_success of the machine (created on first use).
  void set_machine_probe(std::string_view app, std::string_view machine, std::string_view region,
                         bool ok);
  /// Drops flywatch_machine_probe_success of every machine of the app (its target was removed).
  void clear_machine_probes(std::string_view app);
  /// Removes every series labelled with the machine (state and probe). Unknown names are ignored.
  void remove_machine(std::string_view app, std::string_view machine);

  /// Adds one to flywatch_machine_transitions_total{app,region,from,to}.
  void count_transition(std::string_view app, std::string_view region, core::MachineState from,
                        core::MachineState to);
  /// Observes one phase of a cold start in flywatch_cold_start_seconds. `phase` must be "boot",
  /// "ready" or "total"; any other name is not recorded and false is returned (the label set
  /// stays bounded).
  bool observe_cold_start(std::string_view app, std::string_view region, core::ColdStartKind kind,
                          std::string_view phase, double seconds);

  /// Sets flywatch_app_machines{app,state} for every state, from counts indexed by MachineState.
  void set_app_counts(std::string_view app, const std::array<int, core::machine_state_count>& counts);
  /// Sets flywatch_app_asleep of the app.
  void set_app_asleep(std::string_view app, bool asleep);
  /// Observes one wake in flywatch_wake_latency_seconds.
  void observe_wake_latency(std::string_view app, double seconds);
  /// Adds one to flywatch_fly_api_requests_total{app,code}. `code` must come from a bounded set:
  /// fly::PollOutcome::code ("200", "429", "5xx", "network", "timeout", "malformed", ...).
  void count_api_request(std::string_view app, std::string_view code);

  /// Sets flywatch_app_release_info{app,version,image} to 1 for the release the app's machines
  /// run; the series of the release before it goes.
  void set_release(std::string_view app, std::string_view version, std::string_view image);

  /// Drops every series of the app, machines included. Unknown apps are ignored.
  void remove_app(std::string_view app);

  /// Appends every family (HELP and TYPE even without series), series sorted by label values,
  /// labels in alphabetical order with `le` last.
  void render(std::string& out) const;

 private:
  struct Machine {
    std::string region;
    std::optional<core::MachineState> state;
    std::optional<bool> probe_ok;
  };
  struct App {
    std::string label;  ///< `app="<escaped>"`
    std::map<std::string, Machine, std::less<>> machines;  ///< by machine id
    /// by (region, from, to)
    std::map<std::tuple<std::string, std::string_view, std::string_view>, double> transitions;
    /// by (kind, phase, region): label order is app, kind, phase, region
    std::map<std::tuple<std::string_view, std::string_view, std::string>, FleetHistogram> cold_starts;
    std::optional<std::array<int, core::machine_state_count>> counts;
    std::optional<bool> asleep;
    std::optional<FleetHistogram> wake_latency;
    std::map<std::string, double, std::less<>> api_requests;
    std::optional<std::pair<std::string, std::string>> release;  ///< (version, image)
  };

  App& app(std::string_view name);
  Machine& machine(std::string_view app, std::string_view machine, std::string_view region);

  std::map<std::string, App, std::less<>> apps_;
};

}  // namespace flywatch::metrics
