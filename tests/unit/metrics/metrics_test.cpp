#include <doctest.h>

#include <boost/regex.hpp>
#include <set>
#include <sstream>
#include <string>

#include "metrics/exposition.hpp"
#include "metrics/metrics.hpp"

using namespace flywatch;

namespace {

bool has_line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every family of DESIGN §6 that applies is exposed, with build info and process metrics") {
  metrics::Metrics m("1.2.3");
  auto& s = m.target("medio-backend");
  s.probes_success.Increment();
  s.probe_success.Set(1);
  m.set_target_up("medio-backend", true);
  m.set_cert_expiry("medio-backend", 1.9e9);
  m.count_failure("medio-backend", core::FailureReason::too_large);
  m.config_last_reload_successful().Set(1);
  const std::string text = m.render();
  for (const char* name :
       {"flywatch_probe_success", "flywatch_probe_duration_seconds", "flywatch_probe_phase_seconds",
        "flywatch_probes_total", "flywatch_probe_failures_total", "flywatch_probe_http_status_code",
        "flywatch_tls_cert_expiry_timestamp_seconds", "flywatch_target_up",
        "flywatch_scheduler_lateness_seconds", "flywatch_config_last_reload_successful",
        "flywatch_config_last_reload_success_timestamp_seconds", "flywatch_build_info",
        "flywatch_shard_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
        "process_start_time_seconds"}) {
    INFO(name);
    CHECK(has_line_starting(text, std::string("# TYPE ") + name + " "));
  }
  CHECK(has_line_starting(text, "flywatch_build_info{version=\"1.2.3\"} 1"));
  CHECK(has_line_starting(text, "flywatch_probe_failures_total{reason=\"too_large\",target=\"medio-backend\"} 1"));
  CHECK(has_line_starting(text, "flywatch_probe_phase_seconds{phase=\"first_byte\",target=\"medio-backend\"}"));
  CHECK(has_line_starting(text, "flywatch_probes_total{result=\"failure\",target=\"medio-backend\"} 0"));
}

TEST_CASE("flywatch_shard_info: 0 of 1 by default, one series for the shard set last") {
  metrics::Metrics m("x");
  CHECK(has_line_starting(m.render(), "flywatch_shard_info{count=\"1\",index=\"0\"} 1"));
  m.set_shard({1, 3});
  std::string text = m.render();
  CHECK(has_line_starting(text, "flywatch_shard_info{count=\"3\",index=\"1\"} 1"));
  CHECK(text.find("flywatch_shard_info{count=\"1\"") == std::string::npos);
  m.set_shard({1, 3});  // a reload that keeps the shard
  m.set_shard({0, 2});
  text = m.render();
  CHECK(has_line_starting(text, "flywatch_shard_info{count=\"2\",index=\"0\"} 1"));
  CHECK(text.find("flywatch_shard_info{count=\"3\"") == std::string::npos);
}

TEST_CASE("process metrics read plausible values from /proc") {
  metrics::Metrics m("x");
  const std::string text = m.render();
  boost::smatch match;
  REQUIRE(boost::regex_search(text, match, boost::regex("\nprocess_resident_memory_bytes ([0-9.e+]+)")));
  CHECK(std::stod(match[1]) > 1e5);
  REQUIRE(boost::regex_search(text, match, boost::regex("\nprocess_open_fds ([0-9.e+]+)")));
  CHECK(std::stod(match[1]) >= 3);
  REQUIRE(boost::regex_search(text, match, boost::regex("\nprocess_start_time_seconds ([0-9.e+]+)")));
  CHECK(std::stod(match[1]) > 1.6e9);
}

TEST_CASE("a removed target leaves no series behind") {
  metrics::Metrics m("x");
  m.target("a");
  m.target("b");
  m.set_target_up("a", false);
  m.set_cert_expiry("a", 1);
  m.count_failure("a", core::FailureReason::dns);
  m.remove_target("a");
  const std::string text = m.render();
  CHECK(text.find("target=\"a\"") == std::string::npos);
  CHECK(text.find("target=\"b\"") != std::string::npos);
  m.remove_target("missing");  // harmless
}

TEST_CASE("no idle series for healthy targets: failure counters and up appear on first use") {
  metrics::Metrics m("x");
  m.target("quiet");
  const std::string text = m.render();
  CHECK(text.find("flywatch_probe_failures_total{") == std::string::npos);
  CHECK(text.find("flywatch_target_up{") == std::string::npos);
  CHECK(text.find("flywatch_tls_cert_expiry_timestamp_seconds{") == std::string::npos);
  // Before the first result there is no "last probe" to report.
  CHECK(text.find("flywatch_probe_success{") == std::string::npos);
  CHECK(text.find("flywatch_probe_phase_seconds{") == std::string::npos);
  CHECK(text.find("flywatch_probe_http_status_code{") == std::string::npos);
  // Counters and the histogram start at zero from the beginning.
  CHECK(text.find("flywatch_probes_total{result=\"success\",target=\"quiet\"} 0") != std::string::npos);
  CHECK(text.find("flywatch_probe_duration_seconds_count{target=\"quiet\"} 0") != std::string::npos);
}

TEST_CASE("the per-target exposition is well-formed text format") {
  metrics::Metrics m("x");
  auto& s = m.target("a");
  s.probes_success.Increment();
  s.probe_duration.Observe(0.02);
  s.probe_duration.Observe(3);
  s.phase[static_cast<std::size_t>(core::ProbePhase::tls)].Set(0.0125);
  m.target("b").probes_success.Increment();
  const std::string text = m.render();
  CHECK(text.find("flywatch_probe_duration_seconds_bucket{target=\"a\",le=\"0.01\"} 0\n") != std::string::npos);
  CHECK(text.find("flywatch_probe_duration_seconds_bucket{target=\"a\",le=\"0.025\"} 1\n") != std::string::npos);
  CHECK(text.find("flywatch_probe_duration_seconds_bucket{target=\"a\",le=\"+Inf\"} 2\n") != std::string::npos);
  CHECK(text.find("flywatch_probe_duration_seconds_sum{target=\"a\"} 3.02\n") != std::string::npos);
  CHECK(text.find("flywatch_probe_duration_seconds_count{target=\"a\"} 2\n") != std::string::npos);
  CHECK(text.find("flywatch_probe_phase_seconds{phase=\"tls\",target=\"a\"} 0.0125\n") != std::string::npos);
  // Each family's samples follow its own TYPE line, once.
  CHECK(text.find("# TYPE flywatch_probe_success gauge\nflywatch_probe_success{target=\"a\"} 0\n"
                  "flywatch_probe_success{target=\"b\"} 0\n") != std::string::npos);
  const boost::regex line(R"(^(# (HELP|TYPE) .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? \S+)$)");
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    INFO(l);
    CHECK(boost::regex_match(l, line));
  }
}

TEST_CASE("label values are escaped and numbers read back exactly") {
  CHECK(metrics::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  std::string out;
  metrics::ExpositionWriter::append_number(out, 0.1);
  out += ' ';
  metrics::ExpositionWriter::append_number(out, 1.0 / 0.0);
  out += ' ';
  metrics::ExpositionWriter::append_number(out, 1.9e9);
  CHECK(out == "0.1 +Inf 1.9e+09");
}

TEST_CASE("alert and webhook families: set, counted, removed per sink") {
  flywatch::metrics::Metrics m("test");
  m.set_alerts_firing("TargetDown", 2);
  m.count_webhook_delivery("oncall", "retry");
  m.count_webhook_delivery("oncall", "retry");
  m.count_webhook_delivery("oncall", "delivered");
  m.set_webhook_queue("oncall", 3, 12.5);
  m.set_webhook_queue("am", 0, 0);
  std::string text = m.render();
  CHECK(text.find("flywatch_alerts_firing{alertname=\"TargetDown\"} 2") != std::string::npos);
  CHECK(text.find("flywatch_webhook_deliveries_total{result=\"retry\",sink=\"oncall\"} 2") != std::string::npos);
  CHECK(text.find("flywatch_webhook_deliveries_total{result=\"delivered\",sink=\"oncall\"} 1") != std::string::npos);
  CHECK(text.find("flywatch_webhook_queue_depth{sink=\"oncall\"} 3") != std::string::npos);
  CHECK(text.find("flywatch_webhook_oldest_pending_seconds{sink=\"oncall\"} 12.5") != std::string::npos);
  m.remove_sink("oncall");
  text = m.render();
  CHECK(text.find("sink=\"oncall\"") == std::string::npos);
  CHECK(text.find("flywatch_webhook_queue_depth{sink=\"am\"} 0") != std::string::npos);
}

TEST_CASE("every failure reason of DESIGN §6 can be counted and is exposed with its label") {
  metrics::Metrics m("x");
  for (core::FailureReason r : core::all_failure_reasons()) m.count_failure("t", r);
  m.count_failure("t", core::FailureReason::extract);
  const std::string text = m.render();
  for (core::FailureReason r : core::all_failure_reasons()) {
    const std::string line = "flywatch_probe_failures_total{reason=\"" +
                             std::string(core::to_string(r)) + "\",target=\"t\"} ";
    INFO(line);
    CHECK(has_line_starting(text, line + (r == core::FailureReason::extract ? "2" : "1")));
  }
}

namespace {

// Targets with something in every per-target family, so each family has lines to split.
void fill(metrics::Metrics& m, int n) {
  for (int i = 0; i < n; ++i) {
    const std::string name = "target-" + std::to_string(i);
    auto& s = m.target(name);
    s.probes_success.Increment();
    s.probe_duration.Observe(0.01 * i);
    s.http_status.Set(200);
    m.count_failure(name, core::FailureReason::status);
    m.set_cert_expiry(name, 1.8e9 + i);
    m.set_target_up(name, i % 2 == 0);
  }
}

// The lines that carry a target label: the part of a render that steps split.
std::string target_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.find("target=\"") != std::string::npos || line.rfind("# ", 0) == 0) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a render in steps is the render in one go, split between any two targets") {
  metrics::Metrics m("x");
  fill(m, 30);
  const std::string whole = m.render();
  for (std::size_t lines : {1, 7, 100}) {
    CAPTURE(lines);
    metrics::MetricsRender r = m.start_render();
    int steps = 1;
    while (!r.step(lines)) ++steps;
    CHECK(r.done());
    const std::string stepped = r.take();
    // The process_* values move between two renders; the rest is the same text.
    CHECK(target_lines(stepped) == target_lines(whole));
    CHECK(stepped.substr(0, stepped.find("# HELP process_")) == whole.substr(0, whole.find("# HELP process_")));
    if (lines == 1) CHECK(steps == 30 * 8);  // every target of every family is a step of its own
  }
}

TEST_CASE("a target removed mid-render is rendered from its last values; one added waits") {
  metrics::Metrics m("x");
  fill(m, 20);
  const std::string before = target_lines(m.render());
  metrics::MetricsRender r = m.start_render();
  REQUIRE_FALSE(r.step(5));
  // A reload: half the targets go (their series are freed by Metrics), one new one comes.
  for (int i = 0; i < 20; i += 2) m.remove_target("target-" + std::to_string(i));
  m.target("newcomer").probes_success.Increment();
  m.count_failure("newcomer", core::FailureReason::dns);
  while (!r.step(5)) {
  }
  const std::string during = target_lines(r.take());
  CHECK(during == before);
  CHECK(during.find("newcomer") == std::string::npos);
  const std::string after = target_lines(m.render());
  CHECK(after.find("target=\"target-0\"") == std::string::npos);
  CHECK(after.find("target=\"target-1\"") != std::string::npos);
  CHECK(after.find("target=\"newcomer\"") != std::string::npos);
}
