#pragma once
/// CenterRig: an AlertCenter on its own io_context with real metrics and a logger writing to a
/// temp file, recording what reaches the publisher; and the helpers its tests share
/// (alert_center_test.cpp, alert_inhibit_test.cpp).

#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/machine_lifecycle.hpp"
#include "engine/alert_center.hpp"
#include "test_targets.hpp"
#include "testdata_files.hpp"

namespace flywatch::test {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using Kind = core::AlertEventKind;

struct Published {
  std::vector<core::AlertEvent> events;
  std::vector<alert::PersistedAlert> state;
  system_clock::time_point at;
};

struct CenterRig {
  boost::asio::io_context io{1};
  metrics::Metrics metrics{"test"};
  std::FILE* sink = std::tmpfile();
  log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, sink};
  engine::AlertCenter center{io, metrics, logger};
  std::vector<Published> published;
  std::vector<std::optional<std::vector<alert::PersistedAlert>>> states;
  config::AlertsConfig cfg;
  std::set<std::string, std::less<>> targets{"a"};
  std::set<std::string, std::less<>> apps;
  std::set<std::string, std::less<>> bound;  ///< targets probed through an app
  std::set<std::string, std::less<>> journeys;

  CenterRig() {
    // Each publication of events is recorded with the state at that moment; the delayed
    // state-only publications (AlertCenter::state_delay) are checked in their own test.
    center.set_publisher([this](const std::vector<core::AlertEvent>& events,
                                std::optional<std::vector<alert::PersistedAlert>> state) {
      if (events.empty()) {
        states.push_back(std::move(state));
        return;
      }
      published.push_back({events, center.state(), system_clock::now()});
    });
  }
  ~CenterRig() {
    center.stop();
    io.restart();
    io.run_for(10ms);
    std::fclose(sink);
  }

  core::InhibitAppMap owners;  ///< target / journey → app, for inhibit rules

  void apply() { center.apply(cfg, targets, apps, bound, journeys, system_clock::now(), owners); }
  /// Watches the app "medio" and no target, with `rule` (one of cfg.rules) firing at once.
  void watch_app_only(core::AlertRule& rule) {
    targets = {};
    apps = {"medio"};
    rule.for_duration = 0ms;
    apply();
  }
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
  /// Runs the timers until `done()` holds, for at most `deadline`; returns whether it held.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds deadline = 10s) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      run_for(20ms);
    }
    return true;
  }

  /// A target that goes down at its first failure and up at its first success.
  static std::unique_ptr<engine::TargetRuntime> target(const std::string& name) {
    config::Target t = test::make_target(name);
    t.failure_threshold = 1;
    t.success_threshold = 1;
    return std::make_unique<engine::TargetRuntime>(t, net::ProbeSpec{});
  }
  /// One probe result of `t`, recorded as the engine does: the runtime first, then the alerts.
  void probe(engine::TargetRuntime& t, bool ok) {
    core::Verdict v;
    v.success = ok;
    v.reason = ok ? core::FailureReason::none : core::FailureReason::timeout;
    core::ProbeResult r = {};
    r.http_status = ok ? 200 : 0;
    observe(center, t, v, r);
  }
  /// Records `r` in `t` and hands the event to `center`, as the engine's bus does.
  static void observe(engine::AlertCenter& center, engine::TargetRuntime& t,
                      const core::Verdict& v, const core::ProbeResult& r) {
    const auto now = system_clock::now();
    const engine::Recording rec = t.record(v, r, now);
    const core::LogFields context;
    center.observe_target(engine::ProbeRecorded{t, r, v, context, rec.previous_failure, {}, now});
  }

  /// Every published event of `kind` for `alertname`, in order.
  std::vector<core::AlertEvent> events(Kind kind, std::string_view alertname) const {
    std::vector<core::AlertEvent> out;
    for (const auto& p : published) {
      for (const auto& e : p.events) {
        if (e.kind == kind && e.alert.name() == alertname) out.push_back(e);
      }
    }
    return out;
  }
  std::size_t event_count(std::string_view alertname) const {
    return events(Kind::firing, alertname).size() + events(Kind::repeat, alertname).size() +
           events(Kind::resolved, alertname).size();
  }
  /// The log lines containing every one of `parts`.
  std::vector<std::string> log_lines(std::initializer_list<std::string> parts) {
    std::vector<std::string> out;
    std::istringstream in(test::read_all(sink));
    std::string line;
    while (std::getline(in, line)) {
      if (std::all_of(parts.begin(), parts.end(),
                      [&](const std::string& p) { return line.find(p) != std::string::npos; })) {
        out.push_back(line);
      }
    }
    return out;
  }
  /// flywatch_alerts_firing{alertname=…} from the rendered metrics; -1 when absent.
  double firing_metric(const std::string& alertname) const {
    return alert_metric("flywatch_alerts_firing", alertname);
  }
  /// flywatch_alerts_inhibited_total{alertname=…}; -1 when absent.
  double inhibited_metric(const std::string& alertname) const {
    return alert_metric("flywatch_alerts_inhibited_total", alertname);
  }
  double alert_metric(const std::string& family, const std::string& alertname) const {
    const std::string prefix = family + "{alertname=\"" + alertname + "\"} ";
    std::istringstream in(metrics.render());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size()));
    }
    return -1;
  }
};

inline core::MaintenanceWindow window(const std::string& name, system_clock::time_point start,
                                      system_clock::time_point end,
                                      std::vector<std::string> targets = {}) {
  core::MaintenanceWindow w;
  w.name = name;
  w.start = start;
  w.end = end;
  w.targets = std::move(targets);
  return w;
}

inline core::AlertLabels down_labels(const std::string& target) {
  return core::target_alert_labels(core::alert_target_down, core::Severity::critical, target);
}

/// A machine Fly lists as started, of the app's main process group.
inline core::MachineSnapshot started_machine(const std::string& id, const std::string& region) {
  core::MachineSnapshot m;
  m.id = id;
  m.state = "started";
  m.region = region;
  m.process_group = "app";
  return m;
}

inline alert::PersistedAlert persisted(const core::AlertLabels& labels, bool notified) {
  alert::PersistedAlert p;
  p.entry.alert.labels = labels;
  p.entry.alert.fingerprint = core::alert_fingerprint(labels);
  p.entry.alert.starts_at = system_clock::now() - 10min;
  p.entry.last_notified = system_clock::now() - 10min;
  p.notified = notified;
  return p;
}

}  // namespace flywatch::test
