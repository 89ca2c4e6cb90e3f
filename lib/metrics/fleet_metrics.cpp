#include "metrics/fleet_metrics.hpp"

#include <algorithm>
#include <utility>

#include "metrics/exposition.hpp"

namespace flywatch::metrics {

namespace {

using core::MachineState;

// The Fly families, in exposition order. Names and help texts live here and only here.
struct FamilyInfo {
  const char* name;
  const char* help;
  const char* type;
};
constexpr FamilyInfo machine_state_family{
    "flywatch_machine_state", "Lifecycle state of the machine: 1 for the current state, 0 for the others.",
    "gauge"};
constexpr FamilyInfo machine_probe_family{
    "flywatch_machine_probe_success",
    "Whether the last own probe of the machine succeeded (1) or not (0).", "gauge"};
constexpr FamilyInfo transitions_family{"flywatch_machine_transitions_total",
                                        "Machine state changes, by state left and entered.", "counter"};
constexpr FamilyInfo cold_start_family{
    "flywatch_cold_start_seconds",
    "Duration of cold starts (kind cold) and resumes (kind resume), by phase, in seconds.",
    "histogram"};
constexpr FamilyInfo app_machines_family{"flywatch_app_machines", "Machines of the app, by state.",
                                         "gauge"};
constexpr FamilyInfo app_asleep_family{
    "flywatch_app_asleep", "Whether every machine of the app is stopped or suspended (1) or not (0).",
    "gauge"};
constexpr FamilyInfo wake_latency_family{
    "flywatch_wake_latency_seconds",
    "Time from the first machine leaving sleep to the app serving again, in seconds.", "histogram"};
constexpr FamilyInfo release_info_family{
    "flywatch_app_release_info",
    "Always 1: the release (fly_release_version) and image the app's machines run.", "gauge"};
constexpr FamilyInfo api_requests_family{"flywatch_fly_api_requests_total",
                                         "Requests to the Fly Machines API, by HTTP status (0: none).",
                                         "counter"};

constexpr std::array<std::string_view, 3> cold_start_phases{"boot", "ready", "total"};

// Every MachineState, ordered by its label value so series come out sorted.
const std::array<MachineState, core::machine_state_count>& states_by_name() {
  static const auto states = [] {
    std::array<MachineState, core::machine_state_count> s{};
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<MachineState>(i);
    std::sort(s.begin(), s.end(),
              [](MachineState a, MachineState b) { return core::to_string(a) < core::to_string(b); });
    return s;
  }();
  return states;
}

// `le` label values of the histograms, rendered once.
const std::vector<std::string>& le_texts() {
  static const std::vector<std::string> texts = ExpositionWriter::le_texts(cold_start_buckets());
  return texts;
}

// Appends `,name="value"` (no leading comma when `labels` is empty), escaping the value.
void add_label(std::string& labels, std::string_view name, std::string_view value) {
  if (!labels.empty()) labels += ',';
  labels.append(name).append("=\"").append(escape_label_value(value)).append("\"");
}

void render_histogram(ExpositionWriter& w, std::string_view family, const std::string& labels,
                      const FleetHistogram& h) {
  const auto& le = le_texts();
  const std::string bucket_name = std::string(family) + "_bucket";
  std::string bucket_labels;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    bucket_labels.assign(labels);
    add_label(bucket_labels, "le", le[i]);
    w.sample(bucket_name, bucket_labels, static_cast<double>(cumulative));
  }
  w.sample(std::string(family) + "_sum", labels, h.sum);
  w.sample(std::string(family) + "_count", labels, static_cast<double>(h.count));
}

}  // namespace

const std::vector<double>& cold_start_buckets() {
  static const std::vector<double> buckets{0.1, 0.25, 0.5, 1,  2,  3,  5,  7.5,
                                           10,  15,   20,  30, 45, 60, 90, 120};
  return buckets;
}

FleetHistogram::FleetHistogram() : counts(cold_start_buckets().size() + 1, 0) {}

void FleetHistogram::observe(double seconds) {
  const auto& b = cold_start_buckets();
  // lower_bound: a value equal to a bound belongs to that bound's bucket (`le` is <=).
  const auto i = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), seconds) - b.begin());
  ++counts[i];
  sum += seconds;
  ++count;
}

FleetMetrics::App& FleetMetrics::app(std::string_view name) {
  auto it = apps_.find(name);
  if (it == apps_.end()) {
    it = apps_.emplace(std::string(name), App{}).first;
    add_label(it->second.label, "app", name);
  }
  return it->second;
}

FleetMetrics::Machine& FleetMetrics::machine(std::string_view app_name, std::string_view id,
                                             std::string_view region) {
  auto& machines = app(app_name).machines;
  auto it = machines.find(id);
  if (it == machines.end()) it = machines.emplace(std::string(id), Machine{}).first;
  if (it->second.region != region) it->second.region.assign(region);
  return it->second;
}

void FleetMetrics::set_machine_state(std::string_view app_name, std::string_view id,
                                     std::string_view region, MachineState state) {
  machine(app_name, id, region).state = state;
}

void FleetMetrics::set_machine_probe(std::string_view app_name, std::string_view id,
                                     std::string_view region, bool ok) {
  machine(app_name, id, region).probe_ok = ok;
}

void FleetMetrics::remove_machine(std::string_view app_name, std::string_view id) {
  auto it = apps_.find(app_name);
  if (it == apps_.end()) return;
  auto m = it->second.machines.find(id);
  if (m != it->second.machines.end()) it->second.machines.erase(m);
}

void FleetMetrics::count_transition(std::string_view app_name, std::string_view region,
                                    MachineState from, MachineState to) {
  app(app_name).transitions[{std::string(region), core::to_string(from), core::to_string(to)}] += 1;
}

bool FleetMetrics::observe_cold_start(std::string_view app_name, std::string_view region,
                                      core::ColdStartKind kind, std::string_view phase,
                                      double seconds) {
  const auto p = std::find(cold_start_phases.begin(), cold_start_phases.end(), phase);
  if (p == cold_start_phases.end()) return false;
  // *p, not `phase`: the key must view storage that outlives the caller's string.
  app(app_name).cold_starts[{core::to_string(kind), *p, std::string(region)}].observe(seconds);
  return true;
}

void FleetMetrics::set_app_counts(std::string_view app_name,
                                  const std::array<int, core::machine_state_count>& counts) {
  app(app_name).counts = counts;
}

void FleetMetrics::set_app_asleep(std::string_view app_name, bool asleep) {
  app(app_name).asleep = asleep;
}

void FleetMetrics::observe_wake_latency(std::string_view app_name, double seconds) {
  auto& a = app(app_name);
  if (!a.wake_latency) a.wake_latency.emplace();
  a.wake_latency->observe(seconds);
}

void FleetMetrics::clear_machine_probes(std::string_view app_name) {
  auto it = apps_.find(app_name);
  if (it == apps_.end()) return;
  for (auto& [id, m] : it->second.machines) m.probe_ok.reset();
}

void FleetMetrics::count_api_request(std::string_view app_name, std::string_view code) {
  auto& counts = app(app_name).api_requests;
  auto it = counts.find(code);
  if (it == counts.end()) it = counts.emplace(std::string(code), 0.0).first;
  it->second += 1;
}

void FleetMetrics::remove_app(std::string_view app_name) {
  auto it = apps_.find(app_name);
  if (it != apps_.end()) apps_.erase(it);
}

void FleetMetrics::set_release(std::string_view app_name, std::string_view version,
                               std::string_view image) {
  app(app_name).release.emplace(std::string(version), std::string(image));
}

void FleetMetrics::render(std::string& out) const {
  ExpositionWriter w(out);
  std::string labels;  // scratch, reused for every sample

  w.header(machine_state_family.name, machine_state_family.help, machine_state_family.type);
  for (const auto& [name, a] : apps_) {
    for (const auto& [id, m] : a.machines) {
      if (!m.state) continue;
      for (MachineState s : states_by_name()) {
        labels.assign(a.label);
        add_label(labels, "machine", id);
        add_label(labels, "region", m.region);
        add_label(labels, "state", core::to_string(s));
        w.sample(machine_state_family.name, labels, s == *m.state ? 1 : 0);
      }
    }
  }

  w.header(machine_probe_family.name, machine_probe_family.help, machine_probe_family.type);
  for (const auto& [name, a] : apps_) {
    for (const auto& [id, m] : a.machines) {
      if (!m.probe_ok) continue;
      labels.assign(a.label);
      add_label(labels, "machine", id);
      add_label(labels, "region", m.region);
      w.sample(machine_probe_family.name, labels, *m.probe_ok ? 1 : 0);
    }
  }

  w.header(transitions_family.name, transitions_family.help, transitions_family.type);
  for (const auto& [name, a] : apps_) {
    for (const auto& [key, value] : a.transitions) {
      const auto& [region, from, to] = key;
      labels.assign(a.label);
      add_label(labels, "from", from);
      add_label(labels, "region", region);
      add_label(labels, "to", to);
      w.sample(transitions_family.name, labels, value);
    }
  }

  w.header(cold_start_family.name, cold_start_family.help, cold_start_family.type);
  for (const auto& [name, a] : apps_) {
    for (const auto& [key, h] : a.cold_starts) {
      const auto& [kind, phase, region] = key;
      labels.assign(a.label);
      add_label(labels, "kind", kind);
      add_label(labels, "phase", phase);
      add_label(labels, "region", region);
      render_histogram(w, cold_start_family.name, labels, h);
    }
  }

  w.header(app_machines_family.name, app_machines_family.help, app_machines_family.type);
  for (const auto& [name, a] : apps_) {
    if (!a.counts) continue;
    for (MachineState s : states_by_name()) {
      labels.assign(a.label);
      add_label(labels, "state", core::to_string(s));
      w.sample(app_machines_family.name, labels, (*a.counts)[static_cast<std::size_t>(s)]);
    }
  }

  w.header(app_asleep_family.name, app_asleep_family.help, app_asleep_family.type);
  for (const auto& [name, a] : apps_) {
    if (a.asleep) w.sample(app_asleep_family.name, a.label, *a.asleep ? 1 : 0);
  }

  w.header(wake_latency_family.name, wake_latency_family.help, wake_latency_family.type);
  for (const auto& [name, a] : apps_) {
    if (a.wake_latency) render_histogram(w, wake_latency_family.name, a.label, *a.wake_latency);
  }

  w.header(api_requests_family.name, api_requests_family.help, api_requests_family.type);
  for (const auto& [name, a] : apps_) {
    for (const auto& [code, value] : a.api_requests) {
      labels.assign(a.label);
      add_label(labels, "code", code);
      w.sample(api_requests_family.name, labels, value);
    }
  }

  w.header(release_info_family.name, release_info_family.help, release_info_family.type);
  for (const auto& [name, a] : apps_) {
    if (!a.release) continue;
    labels.assign(a.label);
    add_label(labels, "image", a.release->second);
    add_label(labels, "version", a.release->first);
    w.sample(release_info_family.name, labels, 1);
  }
}

}  // namespace flywatch::metrics
