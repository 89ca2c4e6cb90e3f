// count_fleet_update and log_fleet_update: what one observation changed (a FleetUpdated event),
// as machine metrics and log lines.
#include <doctest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/fleet_report.hpp"
#include "log/logger.hpp"
#include "metrics/fleet_metrics.hpp"
#include "testdata_files.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

using Tp = std::chrono::system_clock::time_point;
const Tp t0 = Tp{} + std::chrono::hours(24 * 365 * 56);

std::int64_t ms(Tp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::MachineEvent ev(const char* type, const char* status, Tp at, bool oom = false) {
  core::MachineEvent e;
  e.type = type;
  e.status = status;
  e.timestamp_ms = ms(at);
  e.oom_killed = oom;
  if (oom) e.exit_code = 137;
  return e;
}

core::MachineSnapshot machine(const char* state, std::vector<core::MachineEvent> events) {
  core::MachineSnapshot m;
  m.id = "m1";
  m.state = state;
  m.region = "iad";
  m.events = std::move(events);
  return m;
}

struct Sink {
  std::FILE* f = std::tmpfile();
  log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, f};
  ~Sink() { std::fclose(f); }
  std::string text() { return test::read_all(f); }
};

/// Reports one observation of app "medio" as its metrics and log subscribers do.
void report(const core::FleetUpdate& u, const core::AppFleet& fleet,
            const std::map<std::string, std::string>& regions, Tp now, metrics::FleetMetrics& fm,
            log::Logger& log) {
  const std::string app = "medio";
  const engine::FleetVerdicts verdicts;
  const engine::FleetUpdated e{app, u, fleet, regions, verdicts, std::nullopt, now};
  engine::count_fleet_update(e, fm);
  engine::log_fleet_update(e, log);
}

}  // namespace

TEST_CASE("a machine first seen mid-start appears in its state before the start") {
  Sink sink;
  metrics::FleetMetrics fm;
  core::AppFleet fleet;
  const std::map<std::string, std::string> regions{{"m1", "iad"}};
  const std::vector<core::MachineEvent> evs = {ev("start", "started", t0 - 2s),
                                               ev("start", "starting", t0 - 3s),
                                               ev("exit", "stopped", t0 - 1h)};
  const auto u = fleet.observe({machine("started", evs)}, {}, t0);
  report(u, fleet, regions, t0, fm, sink.logger);
  const std::string text = sink.text();
  const auto appeared = text.find(R"(msg="machine appeared" app=medio machine=m1 region=iad state=stopped)");
  const auto changed = text.find(R"(msg="machine state changed" app=medio machine=m1 region=iad from=stopped to=healthy)");
  const auto finished = text.find(R"(msg="cold start finished" app=medio machine=m1 region=iad kind=cold boot_ms=1000)");
  REQUIRE(appeared != std::string::npos);
  REQUIRE(changed != std::string::npos);
  REQUIRE(finished != std::string::npos);
  CHECK(appeared < changed);
  CHECK(changed < finished);
  std::string out;
  fm.render(out);
  CHECK(out.find(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)") !=
        std::string::npos);
  CHECK(out.find(R"(flywatch_cold_start_seconds_count{app="medio",kind="cold",phase="total",region="iad"} 1)") !=
        std::string::npos);
}

TEST_CASE("an OOM exit is logged before the state change it causes") {
  Sink sink;
  metrics::FleetMetrics fm;
  core::AppFleet fleet;
  const std::map<std::string, std::string> regions{{"m1", "iad"}};
  std::vector<core::MachineEvent> evs = {ev("start", "started", t0 - 1h)};
  fleet.observe({machine("started", evs)}, {}, t0);
  evs.insert(evs.begin(), ev("exit", "stopped", t0 + 2s, true));
  const auto u = fleet.observe({machine("stopped", evs)}, {}, t0 + 5s);
  report(u, fleet, regions, t0 + 5s, fm, sink.logger);
  const std::string text = sink.text();
  const auto exited = text.find(R"(msg="machine exited" app=medio machine=m1 region=iad exit_code=137 reason=oom_killed)");
  const auto changed = text.find(R"(msg="machine state changed" app=medio machine=m1 region=iad from=healthy to=stopped)");
  REQUIRE(exited != std::string::npos);
  REQUIRE(changed != std::string::npos);
  CHECK(exited < changed);
  CHECK(text.find("level=warn msg=\"machine exited\"") != std::string::npos);
}

TEST_CASE("a start whose only event is `started` logs boot=unknown and adds no boot or total sample") {
  Sink sink;
  metrics::FleetMetrics fm;
  core::AppFleet fleet;
  const std::map<std::string, std::string> regions{{"m1", "iad"}};
  std::vector<core::MachineEvent> evs = {ev("exit", "stopped", t0 - 1h)};
  fleet.observe({machine("stopped", evs)}, {}, t0);
  // Between two polls the machine started; the log holds `started` only (no `starting`).
  evs.insert(evs.begin(), ev("start", "started", t0 + 3s));
  const auto u = fleet.observe({machine("started", evs)}, {}, t0 + 5s);
  report(u, fleet, regions, t0 + 5s, fm, sink.logger);
  const std::string text = sink.text();
  CHECK(text.find(R"(msg="cold start finished" app=medio machine=m1 region=iad kind=cold boot=unknown)") !=
        std::string::npos);
  CHECK(text.find("boot_ms=") == std::string::npos);
  std::string out;
  fm.render(out);
  CHECK(out.find(R"(flywatch_cold_start_seconds_count{app="medio",kind="cold",phase="ready",region="iad"} 1)") !=
        std::string::npos);
  CHECK(out.find(R"(phase="boot",region="iad"} 1)") == std::string::npos);
  CHECK(out.find(R"(phase="total",region="iad"} 1)") == std::string::npos);
}
