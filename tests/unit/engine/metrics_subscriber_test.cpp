// MetricsSubscriber: the probe and target series written from events; phase gauges only for the
// phases a kind has.
#include <doctest.h>

#include <chrono>
#include <string>

#include "engine/metrics_subscriber.hpp"
#include "engine/probe_record.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using core::ProbePhase;

namespace {

std::size_t idx(ProbePhase p) { return static_cast<std::size_t>(p); }

/// A runtime of `scheme`://name/ and a subscriber over fresh metrics.
struct Rig {
  explicit Rig(const std::string& scheme) : target(make(scheme)) {}
  static engine::TargetRuntime make(const std::string& scheme) {
    net::ProbeSpec spec;
    spec.endpoint.scheme = scheme;
    return engine::TargetRuntime(test::make_target("t"), spec);
  }
  /// Records `r` as the recorder does and publishes it to the subscriber.
  void record(const core::ProbeResult& r, bool ok) {
    core::Verdict v;
    v.success = ok;
    v.reason = ok ? core::FailureReason::none : core::FailureReason::connect;
    engine::EventBus bus;
    bus.subscribe(sub);
    engine::record_verdict(target, r, v, std::chrono::system_clock::now(), bus, context);
  }
  bool has(const std::string& line) { return metrics.render().find(line) != std::string::npos; }
  std::string phase(const char* name) {
    return std::string("flywatch_probe_phase_seconds{phase=\"") + name + "\",target=\"t\"}";
  }

  metrics::Metrics metrics{"test"};
  engine::MetricsSubscriber sub{metrics};
  engine::TargetRuntime target;
  core::LogFields context;
};

}  // namespace

TEST_CASE("MetricsSubscriber: a tcp target never shows tls or first_byte unless a result had it") {
  Rig rig("tcp");
  core::ProbeResult r;
  r.total = 3ms;
  r.phases[idx(ProbePhase::resolve)] = 1ms;
  r.phases[idx(ProbePhase::connect)] = 2ms;
  rig.record(r, true);
  CHECK(rig.has(rig.phase("connect") + " 0.002"));
  CHECK_FALSE(rig.has(rig.phase("tls")));
  CHECK_FALSE(rig.has(rig.phase("first_byte")));
  CHECK_FALSE(rig.has(rig.phase("transfer")));
  // A banner read brings first_byte; from then on it is always set (0 when not reached).
  r.phases[idx(ProbePhase::first_byte)] = 4ms;
  rig.record(r, true);
  CHECK(rig.has(rig.phase("first_byte") + " 0.004"));
  r.phases[idx(ProbePhase::first_byte)].reset();
  rig.record(r, true);
  CHECK(rig.has(rig.phase("first_byte") + " 0\n"));
  CHECK_FALSE(rig.has(rig.phase("tls")));
}

TEST_CASE("MetricsSubscriber: an https target failing early sets its unreached phases to 0") {
  Rig rig("https");
  core::ProbeResult r;
  r.phases[idx(ProbePhase::resolve)] = 1ms;
  rig.record(r, false);
  CHECK(rig.has(rig.phase("resolve") + " 0.001"));
  CHECK(rig.has(rig.phase("connect") + " 0\n"));
  CHECK(rig.has(rig.phase("tls") + " 0\n"));
  CHECK(rig.has(rig.phase("first_byte") + " 0\n"));
  CHECK(rig.has(rig.phase("transfer") + " 0\n"));
  CHECK(rig.has("flywatch_probes_total{result=\"failure\",target=\"t\"} 1"));
  CHECK(rig.has("flywatch_probe_failures_total{reason=\"connect\",target=\"t\"} 1"));
  CHECK(rig.has("flywatch_probe_success{target=\"t\"} 0"));
}

TEST_CASE("MetricsSubscriber: a state change sets flywatch_target_up; target events own the series") {
  Rig rig("http");
  const std::string name = "t";
  rig.sub.on(engine::TargetAdded{name});
  CHECK(rig.has("flywatch_probes_total{result=\"success\",target=\"t\"} 0"));
  CHECK_FALSE(rig.has("flywatch_target_up{"));
  core::ProbeResult r;
  rig.record(r, true);  // the first result sets the state
  CHECK(rig.has("flywatch_target_up{target=\"t\"} 1"));
  CHECK(rig.has(rig.phase("transfer") + " 0\n"));
  CHECK_FALSE(rig.has(rig.phase("tls")));
  rig.sub.on(engine::TargetRemoved{name});
  CHECK_FALSE(rig.has("target=\"t\""));
}
