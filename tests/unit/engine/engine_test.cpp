#include <doctest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "engine/engine.hpp"
#include "engine_rig.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using test::make_target;

namespace {

struct Rig : test::EngineRig {
  boost::json::object status_of(const std::string& name) { return status_entry("targets", name); }
};

}  // namespace

TEST_CASE("each target runs at its interval, start to start, without drift") {
  Rig rig;
  rig.prober.delay = 30ms;  // a probe that takes time must not push the next start back
  config::Config cfg;
  cfg.targets.push_back(make_target("a", 100ms));
  rig.engine.apply(cfg);
  rig.run_for(760ms);
  const auto& s = rig.prober.starts["a"];
  REQUIRE(s.size() >= 6);
  // Start-to-start spacing averages the interval: with drift it would be ~130 ms.
  const auto span = std::chrono::duration<double, std::milli>(s.back() - s.front()).count();
  const double mean = span / static_cast<double>(s.size() - 1);
  CHECK(mean == doctest::Approx(100.0).epsilon(0.08));
}

TEST_CASE("first runs are spread over the interval") {
  Rig rig;
  config::Config cfg;
  for (int i = 0; i < 200; ++i) cfg.targets.push_back(make_target("t" + std::to_string(i), 1000ms));
  const auto t0 = std::chrono::steady_clock::now();
  rig.engine.apply(cfg);
  rig.run_for(1100ms);
  int first_half = 0;
  int second_half = 0;
  for (const auto& [host, starts] : rig.prober.starts) {
    REQUIRE(!starts.empty());
    (starts.front() - t0 < 500ms ? first_half : second_half)++;
  }
  CHECK(first_half + second_half == 200);
  // Uniform spread: neither half holds much more than the other.
  CHECK(first_half > 60);
  CHECK(second_half > 60);
}

TEST_CASE("the global in-flight limit holds and late starts show as lateness") {
  Rig rig;
  rig.prober.delay = 40ms;
  config::Config cfg;
  cfg.engine.max_in_flight = 2;
  for (int i = 0; i < 6; ++i) cfg.targets.push_back(make_target("h" + std::to_string(i), 1000ms));
  rig.engine.apply(cfg);
  rig.run_for(1200ms);
  CHECK(rig.prober.max_running == 2);
  for (int i = 0; i < 6; ++i) CHECK(rig.prober.starts["h" + std::to_string(i)].size() >= 1);
  const std::string text = rig.metrics.render();
  CHECK(text.find("flywatch_scheduler_lateness_seconds_count") != std::string::npos);
}

TEST_CASE("results feed metrics, health and the status document") {
  Rig rig;
  core::ProbeResult bad;
  bad.transport_failure = core::FailureReason::timeout;
  bad.error = "timeout after 50ms";
  bad.total = 50ms;
  rig.prober.results["down"] = bad;
  config::Config cfg;
  cfg.targets.push_back(make_target("up", 100ms));
  cfg.targets.push_back(make_target("down", 100ms));
  rig.engine.apply(cfg);
  rig.run_for(450ms);

  const std::string text = rig.metrics.render();
  CHECK(text.find("flywatch_probe_success{target=\"up\"} 1") != std::string::npos);
  CHECK(text.find("flywatch_probe_success{target=\"down\"} 0") != std::string::npos);
  CHECK(text.find("flywatch_target_up{target=\"up\"} 1") != std::string::npos);
  CHECK(text.find("flywatch_target_up{target=\"down\"} 0") != std::string::npos);
  CHECK(text.find("flywatch_probe_failures_total{reason=\"timeout\",target=\"down\"}") != std::string::npos);
  CHECK(text.find("flywatch_probe_http_status_code{target=\"up\"} 200") != std::string::npos);

  auto up = rig.status_of("up");
  CHECK(up.at("state").as_string() == "up");
  CHECK(up.at("last").at("success").as_bool());
  auto down = rig.status_of("down");
  CHECK(down.at("state").as_string() == "down");
  CHECK(down.at("last").at("reason").as_string() == "timeout");

  // One warn line for the first failure, state changes logged once each; repeats stay at debug.
  const std::string logs = rig.logs();
  CHECK(logs.find("level=warn msg=\"probe failed\" target=down reason=timeout") != std::string::npos);
  CHECK(logs.find("msg=\"target state changed\" target=down from=unknown to=down") != std::string::npos);
  CHECK(logs.find("msg=\"target state changed\" target=up from=unknown to=up") != std::string::npos);
}

TEST_CASE("reload keeps unchanged targets, drops removed ones and starts new ones") {
  Rig rig;
  config::Config cfg;
  cfg.targets.push_back(make_target("keep", 100ms));
  cfg.targets.push_back(make_target("gone", 100ms));
  rig.engine.apply(cfg);
  rig.run_for(350ms);
  const auto since_before = rig.status_of("keep").at("since").as_string();
  const auto keep_runs = rig.prober.starts["keep"].size();
  REQUIRE(keep_runs >= 2);

  config::Config next;
  auto keep = make_target("keep", 100ms);
  keep.failure_threshold = 5;  // thresholds may change without losing state
  next.targets.push_back(keep);
  next.targets.push_back(make_target("fresh", 100ms));
  rig.engine.apply(next);
  rig.run_for(350ms);

  CHECK(rig.status_of("keep").at("since").as_string() == since_before);
  CHECK(rig.prober.starts["keep"].size() >= keep_runs + 3);  // no run missed across the reload
  CHECK(rig.prober.starts["fresh"].size() >= 2);
  const std::string text = rig.metrics.render();
  CHECK(text.find("target=\"gone\"") == std::string::npos);
  CHECK(text.find("flywatch_probe_success{target=\"fresh\"}") != std::string::npos);
  CHECK(rig.engine.target_count() == 2);
}

TEST_CASE("a changed probe starts the target afresh") {
  Rig rig;
  core::ProbeResult bad;
  bad.transport_failure = core::FailureReason::connect;
  rig.prober.results["a"] = bad;
  config::Config cfg;
  cfg.targets.push_back(make_target("a", 100ms));
  rig.engine.apply(cfg);
  rig.run_for(250ms);
  CHECK(rig.status_of("a").at("state").as_string() == "down");

  config::Config next;
  auto changed = make_target("a", 100ms);
  changed.endpoint.host = "b";  // now probes somewhere that answers
  changed.url = "https://b/";
  next.targets.push_back(changed);
  rig.engine.apply(next);
  CHECK(rig.status_of("a").at("state").as_string() == "unknown");
  rig.run_for(250ms);
  CHECK(rig.status_of("a").at("state").as_string() == "up");
}

TEST_CASE("stop ends scheduling") {
  Rig rig;
  config::Config cfg;
  cfg.targets.push_back(make_target("a", 50ms));
  rig.engine.apply(cfg);
  rig.run_for(200ms);
  rig.engine.stop();
  const auto runs = rig.prober.starts["a"].size();
  rig.run_for(200ms);
  CHECK(rig.prober.starts["a"].size() <= runs + 1);
}

TEST_CASE("the status document never shows a URL's query string") {
  Rig rig;
  config::Config cfg;
  auto t = make_target("tok", 100ms);
  t.url = "https://tok/health?token=s3cret";
  t.endpoint.target = "/health?token=s3cret";
  cfg.targets.push_back(t);
  rig.engine.apply(cfg);
  const std::string doc = rig.engine.status_json();
  CHECK(doc.find("s3cret") == std::string::npos);
  CHECK(rig.status_of("tok").at("url").as_string() == "https://tok/health?REDACTED");
}

TEST_CASE("a loop that stalled for several intervals runs each target once, not a burst") {
  Rig rig;
  config::Config cfg;
  cfg.targets.push_back(make_target("a", 100ms));
  rig.engine.apply(cfg);
  std::this_thread::sleep_for(350ms);  // the loop is stalled: every slot so far is missed
  rig.io.restart();
  rig.io.poll();  // runs what is ready now, and nothing that is due later
  CHECK(rig.prober.starts["a"].size() == 1);
  CHECK(rig.logs().find("msg=\"probe runs skipped\" target=a reason=late") != std::string::npos);
  // The run stood for the latest slot, so it was barely late.
  const auto late = rig.metrics.scheduler_lateness().Collect().histogram;
  REQUIRE(late.sample_count == 1);
  CHECK(late.sample_sum < 0.1);
}
