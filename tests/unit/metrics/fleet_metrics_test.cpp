#include <doctest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/regex.hpp>

#include "metrics/fleet_metrics.hpp"
#include "metrics/metrics.hpp"

using namespace flywatch;
using core::MachineState;

namespace {

std::string render(const metrics::FleetMetrics& f) {
  std::string out;
  f.render(out);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

// Sample lines (not comments) of `family` exactly, not of its _bucket/_sum/_count or longer names.
std::vector<std::string> samples_of(const std::string& text, const std::string& family) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text)) {
    if (l.rfind(family + "{", 0) == 0 || l.rfind(family + " ", 0) == 0) out.push_back(l);
  }
  return out;
}

const std::vector<std::string> fleet_families{
    "flywatch_machine_state",        "flywatch_machine_probe_success",
    "flywatch_machine_transitions_total", "flywatch_cold_start_seconds",
    "flywatch_app_machines",         "flywatch_app_asleep",
    "flywatch_wake_latency_seconds", "flywatch_fly_api_requests_total"};

void populate(metrics::FleetMetrics& f) {
  f.set_machine_state("medio", "m1", "ams", MachineState::healthy);
  f.set_machine_probe("medio", "m1", "ams", true);
  f.set_machine_state("medio", "m2", "fra", MachineState::stopped);
  f.count_transition("medio", "ams", MachineState::starting, MachineState::started);
  f.observe_cold_start("medio", "ams", core::ColdStartKind::cold, "total", 3.2);
  std::array<int, core::machine_state_count> counts{};
  counts[static_cast<std::size_t>(MachineState::healthy)] = 1;
  counts[static_cast<std::size_t>(MachineState::stopped)] = 1;
  f.set_app_counts("medio", counts);
  f.set_app_asleep("medio", false);
  f.observe_wake_latency("medio", 4);
  f.count_api_request("medio", "200");
  f.count_api_request("medio", "200");
  f.count_api_request("medio", "network");
  f.set_release("medio", "7", "registry.fly.io/medio:deployment-7");
}

}  // namespace

TEST_CASE("every fleet family has HELP and TYPE once, even with no series") {
  metrics::FleetMetrics f;
  const std::string empty = render(f);
  const std::map<std::string, std::string> types{
      {"flywatch_machine_state", "gauge"},         {"flywatch_machine_probe_success", "gauge"},
      {"flywatch_machine_transitions_total", "counter"}, {"flywatch_cold_start_seconds", "histogram"},
      {"flywatch_app_machines", "gauge"},          {"flywatch_app_asleep", "gauge"},
      {"flywatch_wake_latency_seconds", "histogram"}, {"flywatch_fly_api_requests_total", "counter"},
      {"flywatch_app_release_info", "gauge"}};
  for (const auto& [name, type] : types) {
    INFO(name);
    CHECK(has_line(empty, "# TYPE " + name + " " + type));
    CHECK(samples_of(empty, name).empty());
  }
  CHECK(lines_of(empty).size() == 2 * types.size());

  populate(f);
  const std::string text = render(f);
  for (const auto& [name, type] : types) {
    INFO(name);
    std::size_t type_lines = 0;
    for (const auto& l : lines_of(text)) type_lines += l.rfind("# TYPE " + name + " ", 0) == 0;
    CHECK(type_lines == 1);
  }
}

TEST_CASE("each family carries its DESIGN §6 labels in alphabetical order, le last") {
  metrics::FleetMetrics f;
  populate(f);
  const std::string text = render(f);
  CHECK(has_line(text,
                 R"(flywatch_machine_state{app="medio",machine="m1",region="ams",state="healthy"} 1)"));
  CHECK(has_line(text,
                 R"(flywatch_machine_state{app="medio",machine="m1",region="ams",state="stopped"} 0)"));
  CHECK(has_line(text, R"(flywatch_machine_probe_success{app="medio",machine="m1",region="ams"} 1)"));
  CHECK(has_line(
      text, R"(flywatch_machine_transitions_total{app="medio",from="starting",region="ams",to="started"} 1)"));
  CHECK(has_line(
      text,
      R"(flywatch_cold_start_seconds_bucket{app="medio",kind="cold",phase="total",region="ams",le="5"} 1)"));
  CHECK(has_line(text,
                 R"(flywatch_cold_start_seconds_sum{app="medio",kind="cold",phase="total",region="ams"} 3.2)"));
  CHECK(has_line(text,
                 R"(flywatch_cold_start_seconds_count{app="medio",kind="cold",phase="total",region="ams"} 1)"));
  CHECK(has_line(text, R"(flywatch_app_machines{app="medio",state="healthy"} 1)"));
  CHECK(has_line(text, R"(flywatch_app_machines{app="medio",state="failed"} 0)"));
  CHECK(samples_of(text, "flywatch_app_machines").size() == core::machine_state_count);
  CHECK(has_line(text, R"(flywatch_app_asleep{app="medio"} 0)"));
  CHECK(has_line(text, R"(flywatch_wake_latency_seconds_bucket{app="medio",le="3"} 0)"));
  CHECK(has_line(text, R"(flywatch_wake_latency_seconds_bucket{app="medio",le="5"} 1)"));
  CHECK(has_line(text, R"(flywatch_wake_latency_seconds_count{app="medio"} 1)"));
  CHECK(has_line(text, R"(flywatch_fly_api_requests_total{app="medio",code="200"} 2)"));
  CHECK(has_line(text, R"(flywatch_fly_api_requests_total{app="medio",code="network"} 1)"));
  // m2 has no probe: no idle probe series for it.
  CHECK(samples_of(text, "flywatch_machine_probe_success").size() == 1);
}

TEST_CASE("machine_state has exactly one 1 per machine, and follows state changes") {
  metrics::FleetMetrics f;
  f.set_machine_state("a", "m1", "ams", MachineState::starting);
  f.set_machine_state("a", "m2", "ams", MachineState::suspended);
  f.set_machine_state("b", "m1", "fra", MachineState::unknown);
  f.set_machine_state("a", "m1", "ams", MachineState::healthy);  // a change, not a second series set

  const boost::regex sample(
      R"re(flywatch_machine_state\{app="([^"]*)",machine="([^"]*)",region="[^"]*",state="([^"]*)"\} ([01]))re");
  std::map<std::string, int> ones, series;
  std::map<std::string, std::string> current;
  for (const auto& l : samples_of(render(f), "flywatch_machine_state")) {
    boost::smatch m;
    REQUIRE(boost::regex_match(l, m, sample));
    const std::string key = m[1] + "/" + m[2];
    ++series[key];
    if (m[4] == "1") {
      ++ones[key];
      current[key] = m[3];
    }
  }
  REQUIRE(series.size() == 3);
  for (const auto& [key, n] : series) {
    INFO(key);
    CHECK(n == static_cast<int>(core::machine_state_count));
    CHECK(ones[key] == 1);
  }
  CHECK(current["a/m1"] == "healthy");
  CHECK(current["a/m2"] == "suspended");
  CHECK(current["b/m1"] == "unknown");
}

TEST_CASE("a changed region replaces the old one") {
  metrics::FleetMetrics f;
  f.set_machine_state("a", "m1", "ams", MachineState::started);
  f.set_machine_probe("a", "m1", "fra", false);
  const std::string text = render(f);
  CHECK(text.find("region=\"ams\"") == std::string::npos);
  CHECK(has_line(text, R"(flywatch_machine_probe_success{app="a",machine="m1",region="fra"} 0)"));
}

TEST_CASE("remove_machine and remove_app leave no series behind") {
  metrics::FleetMetrics f;
  populate(f);
  f.set_machine_state("other", "m9", "syd", MachineState::started);
  f.count_api_request("other", "429");

  f.remove_machine("medio", "m1");
  std::string text = render(f);
  CHECK(text.find("machine=\"m1\"") == std::string::npos);
  CHECK(text.find("machine=\"m2\"") != std::string::npos);
  f.remove_machine("medio", "missing");  // harmless
  f.remove_machine("missing", "m2");

  f.remove_app("medio");
  text = render(f);
  CHECK(text.find("app=\"medio\"") == std::string::npos);
  CHECK(has_line(text, R"(flywatch_machine_state{app="other",machine="m9",region="syd",state="started"} 1)"));
  CHECK(has_line(text, R"(flywatch_fly_api_requests_total{app="other",code="429"} 1)"));
  f.remove_app("other");
  f.remove_app("never");
  text = render(f);
  for (const auto& name : fleet_families) {
    INFO(name);
    CHECK(samples_of(text, name).empty());
    CHECK(samples_of(text, name + "_bucket").empty());
  }
}

TEST_CASE("cold start histogram buckets from 0.1 s to 120 s, le inclusive") {
  const auto& b = metrics::cold_start_buckets();
  REQUIRE(!b.empty());
  CHECK(b.front() == 0.1);
  CHECK(b.back() == 120);

  metrics::FleetMetrics f;
  for (double s : {0.05, 0.1, 0.11, 5.0, 120.0, 121.0}) {
    CHECK(f.observe_cold_start("a", "ams", core::ColdStartKind::resume, "boot", s));
  }
  CHECK_FALSE(f.observe_cold_start("a", "ams", core::ColdStartKind::resume, "warmup", 1));
  const std::string text = render(f);
  const std::string prefix = R"(flywatch_cold_start_seconds_bucket{app="a",kind="resume",phase="boot",region="ams",le=")";
  CHECK(has_line(text, prefix + R"(0.1"} 2)"));
  CHECK(has_line(text, prefix + R"(0.25"} 3)"));
  CHECK(has_line(text, prefix + R"(3"} 3)"));
  CHECK(has_line(text, prefix + R"(5"} 4)"));
  CHECK(has_line(text, prefix + R"(90"} 4)"));
  CHECK(has_line(text, prefix + R"(120"} 5)"));
  CHECK(has_line(text, prefix + R"(+Inf"} 6)"));
  CHECK(has_line(text, R"(flywatch_cold_start_seconds_count{app="a",kind="resume",phase="boot",region="ams"} 6)"));
  CHECK(text.find("warmup") == std::string::npos);

  // Buckets are cumulative and complete: one line per bound plus +Inf.
  std::size_t buckets = 0;
  double last = -1;
  for (const auto& l : lines_of(text)) {
    if (l.rfind(prefix, 0) != 0) continue;
    ++buckets;
    const double v = std::stod(l.substr(l.rfind(' ') + 1));
    CHECK(v >= last);
    last = v;
  }
  CHECK(buckets == b.size() + 1);
}

TEST_CASE("label values are escaped and series sorted by app") {
  metrics::FleetMetrics f;
  f.set_app_asleep("z", true);
  f.set_app_asleep("a\"b\\c\nd", false);
  const auto samples = samples_of(render(f), "flywatch_app_asleep");
  REQUIRE(samples.size() == 2);
  CHECK(samples[0] == R"(flywatch_app_asleep{app="a\"b\\c\nd"} 0)");
  CHECK(samples[1] == R"(flywatch_app_asleep{app="z"} 1)");
}

TEST_CASE("Metrics::render includes the fleet families and every line is valid exposition format") {
  metrics::Metrics m("1.0.0");
  auto& s = m.target("t");
  s.probes_success.Increment();
  s.probe_duration.Observe(0.2);
  populate(m.fleet());
  m.fleet().set_machine_state("we\"ird", "m\\x", "a\nb", MachineState::failed);
  const std::string text = m.render();
  CHECK(has_line(text, R"(flywatch_app_asleep{app="medio"} 0)"));
  CHECK(has_line(text, R"(flywatch_machine_state{app="we\"ird",machine="m\\x",region="a\nb",state="failed"} 1)"));

  const boost::regex line(
      R"(^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? ([-+]?[0-9.]+(e[-+]?[0-9]+)?|[-+]Inf|NaN))$)");
  std::size_t checked = 0;
  for (const auto& l : lines_of(text)) {
    INFO(l);
    CHECK(boost::regex_match(l, line));
    ++checked;
  }
  CHECK(checked > 100);

  // promtool is the reference parser and linter: it must accept the whole scrape silently.
  const char* promtool = "/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) {
    MESSAGE("promtool not installed: skipping `promtool check metrics`");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path();
  const auto path = dir / ("flywatch_fleet_metrics_" + std::to_string(::getpid()) + ".prom");
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  const std::string command = std::string(promtool) + " check metrics < " + path.string() + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  INFO(output);
  CHECK(status == 0);
  CHECK(output.empty());
}

TEST_CASE("the release info series follows the app's release, one series per app") {
  metrics::FleetMetrics f;
  f.set_release("medio", "7", "img:7");
  CHECK(has_line(render(f), "flywatch_app_release_info{app=\"medio\",image=\"img:7\",version=\"7\"} 1"));
  f.set_release("medio", "8", "img:8");
  const std::string text = render(f);
  CHECK(samples_of(text, "flywatch_app_release_info").size() == 1);
  CHECK(has_line(text, "flywatch_app_release_info{app=\"medio\",image=\"img:8\",version=\"8\"} 1"));
  f.remove_app("medio");
  CHECK(samples_of(render(f), "flywatch_app_release_info").empty());
}
