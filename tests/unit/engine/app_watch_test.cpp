// AppWatch through the engine, against a fake Machines API behind the FakeProber seam: the
// wiring (lists, waits, per-machine probes with fly-force-instance-id, results reaching status,
// metrics and logs). What AppWatch decides, and when, is tested on a fake clock in
// tests/unit/core (machine_probe_book_test, sleep_policy_test, poll_schedule_test,
// fleet_judgement_test). Every wait here is on a condition with a deadline; the timing checks
// read the probe start times the fake recorded (a timer never fires early).
#include <doctest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "engine/engine.hpp"
#include "engine_rig.hpp"
#include "fake_fly.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using config::WhenAsleep;

namespace {

struct FlyRig : test::EngineRig {
  test::FakeFly fly;

  FlyRig() { fly.serve(prober); }
  // `fly` dies before the base's io drain: probes still suspended there must not reach it.
  ~FlyRig() { prober.respond = nullptr; }
  std::vector<net::ProbeSpec> target_probes(const std::string& host) const {
    std::vector<net::ProbeSpec> out;
    for (const auto& s : prober.specs) {
      if (s.endpoint.host == host) out.push_back(s);
    }
    return out;
  }
  bool has_metric(const std::string& line) const {
    const std::string text = metrics.render();
    return text.find("\n" + line + "\n") != std::string::npos;
  }
  boost::json::object app_status(const std::string& app) { return status_entry("apps", app); }
  /// Machine list requests so far (the fake answers each wait at once unless told otherwise).
  std::size_t lists() const {
    return target_probes("flyapi").size() - static_cast<std::size_t>(fly.waits);
  }
  /// When each probe of `host` began whose spec passes `pick`, in start order.
  template <class Pick>
  std::vector<std::chrono::steady_clock::time_point> starts(const std::string& host, Pick pick) const {
    std::vector<std::chrono::steady_clock::time_point> out;
    std::size_t i = 0;
    const auto& at = prober.starts.at(host);
    for (const auto& s : prober.specs) {
      if (s.endpoint.host != host) continue;
      if (pick(s)) out.push_back(at[i]);
      ++i;
    }
    return out;
  }
  /// The shortest time between two consecutive `times` (a day when fewer than two).
  static std::chrono::nanoseconds min_gap(const std::vector<std::chrono::steady_clock::time_point>& times) {
    std::chrono::nanoseconds gap = std::chrono::hours(24);
    for (std::size_t i = 1; i < times.size(); ++i) gap = std::min(gap, times[i] - times[i - 1]);
    return gap;
  }
  std::string machine_state(const std::string& app, const std::string& id) {
    const auto status = app_status(app);
    for (const auto& m : status.at("machines").as_array()) {
      if (m.at("id").as_string() == id) return std::string(m.at("state").as_string());
    }
    return "";
  }
};

bool no_force_header(const net::ProbeSpec& s) {
  return test::header_of(s, "fly-force-instance-id").empty();
}

}  // namespace

TEST_CASE("AppWatch: an app asleep under skip gets no probe at all") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}, {"m2", "suspended"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  REQUIRE(rig.run_until([&] {
    return rig.lists() >= 5 && rig.fly.waits >= 2 &&
           rig.has_metric(R"(flywatch_app_asleep{app="medio"} 1)") &&
           rig.logs().find(R"(msg="app asleep" app=medio)") != std::string::npos;
  }));
  CHECK(rig.target_probes("be").empty());  // SleepPolicy: skip sends nothing (sleep_policy_test)
  CHECK(rig.target_probes("flyapi").size() >= 5);
  CHECK(rig.has_metric(R"(flywatch_app_asleep{app="medio"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m2",region="iad",state="suspended"} 1)"));
  CHECK(rig.fly.waits >= 2);  // a long-poll per sleeping machine (answered 408 at once here)
  CHECK(rig.has_metric(R"(flywatch_fly_api_requests_total{app="medio",code="200"} )" +
                       std::to_string(rig.target_probes("flyapi").size() - rig.fly.waits)));
  CHECK(rig.app_status("medio").at("asleep").as_bool());
  CHECK(rig.logs().find(R"(msg="app asleep" app=medio)") != std::string::npos);
}

TEST_CASE("AppWatch: each started machine is probed with fly-force-instance-id") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "started"}, {"m2", "started", "ams", "app", 503}, {"m3", "stopped"},
                           {"rel", "started", "iad", "fly_app_release_command"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  const auto forced = [&](const std::string& id) {
    int n = 0;
    for (const auto& p : rig.target_probes("be")) n += test::header_of(p, "fly-force-instance-id") == id;
    return n;
  };
  REQUIRE(rig.run_until([&] {
    return rig.target_probes("be").size() >= 4 && forced("m1") >= 1 && forced("m2") >= 2 &&
           rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m2",region="ams",state="unhealthy"} 1)") &&
           rig.has_metric(R"(flywatch_machine_probe_success{app="medio",machine="m1",region="iad"} 1)");
  }));
  const auto probes = rig.target_probes("be");
  REQUIRE(probes.size() >= 4);
  int m1 = 0, m2 = 0;
  for (const auto& p : probes) {
    const std::string id = test::header_of(p, "fly-force-instance-id");
    CHECK_MESSAGE((id == "m1" || id == "m2"), "probe forced to '" << id << "'");
    m1 += id == "m1";
    m2 += id == "m2";
  }
  CHECK(m1 >= 1);
  CHECK(m2 >= 2);  // probed after every poll until its verdict (failing at threshold 2) is known
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m2",region="ams",state="unhealthy"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_probe_success{app="medio",machine="m1",region="iad"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_probe_success{app="medio",machine="m2",region="ams"} 0)"));
  CHECK(rig.has_metric(R"(flywatch_app_machines{app="medio",state="stopped"} 1)"));
  CHECK(rig.metrics.render().find(R"(machine="rel")") == std::string::npos);
  const std::string text = rig.metrics.render();
  CHECK(text.find(R"(flywatch_probes_total{result="failure",target="be"})") != std::string::npos);
  const auto logs = rig.logs();
  CHECK(logs.find(R"(msg="machine state changed" app=medio machine=m2 region=ams from=started to=unhealthy)") !=
        std::string::npos);
  CHECK(logs.find("machine=m2 region=ams") != std::string::npos);
}

TEST_CASE("AppWatch: wake_every wakes an asleep app through its public URL and times it") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  const auto applied = std::chrono::steady_clock::now();
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::wake_every));
  REQUIRE(rig.run_until([&] {
    return rig.target_probes("be").size() >= 2 &&
           rig.logs().find(R"(msg="app woken" app=medio)") != std::string::npos;
  }));
  const auto probes = rig.target_probes("be");
  REQUIRE_FALSE(probes.empty());
  // Not before wake_every (150 ms) has passed; then once per 150 ms at most (the decision:
  // sleep_policy_test; here, that the watch follows it).
  const auto wakes = rig.starts("be", no_force_header);
  REQUIRE(wakes.size() == probes.size());
  CHECK(wakes.front() - applied >= 150ms);
  CHECK(FlyRig::min_gap(wakes) >= 100ms);
  for (const auto& p : probes) CHECK(test::header_of(p, "fly-force-instance-id").empty());
  CHECK(rig.metrics.render().find(R"(flywatch_wake_latency_seconds_count{app="medio"})") !=
        std::string::npos);
  CHECK(rig.logs().find(R"(msg="app woken" app=medio)") != std::string::npos);
}

TEST_CASE("AppWatch: when_asleep probe probes the public URL at the target's interval") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::probe));
  REQUIRE(rig.run_until([&] { return rig.target_probes("be").size() >= 3; }));
  const auto probes = rig.target_probes("be");
  CHECK(probes.size() >= 2);
  // Interval 200 ms (the decision: sleep_policy_test); lists every 40 ms come between.
  CHECK(FlyRig::min_gap(rig.starts("be", no_force_header)) >= 150ms);
  for (const auto& p : probes) CHECK(test::header_of(p, "fly-force-instance-id").empty());
}

TEST_CASE("AppWatch: an API failing keeps the last known states and is counted") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "started"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  REQUIRE(rig.run_until([&] {
    return rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)");
  }));
  rig.fly.api_status = 500;
  REQUIRE(rig.run_until([&] {
    return rig.logs().find(R"(msg="fly api request failed" app=medio code=5xx)") != std::string::npos;
  }));
  const auto failing_from = rig.lists();
  REQUIRE(rig.run_until([&] { return rig.lists() >= failing_from + 1; }));  // and failing again
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)"));
  CHECK(rig.metrics.render().find(R"(flywatch_fly_api_requests_total{app="medio",code="5xx"})") !=
        std::string::npos);
  const auto logs = rig.logs();
  CHECK(logs.find(R"(msg="fly api request failed" app=medio code=5xx)") != std::string::npos);
  CHECK(logs.find("machine gone") == std::string::npos);
  CHECK(rig.app_status("medio").at("api").at("last_error_code").as_string() == "5xx");
  rig.fly.api_status = 200;
  // The backoff may have grown to a few intervals.
  CHECK(rig.run_until([&] {
    return rig.logs().find(R"(msg="fly api recovered" app=medio)") != std::string::npos;
  }));
}

TEST_CASE("AppWatch: a reload that drops the app frees its target to be probed on its own") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  auto cfg = test::fly_config("medio", "be", WhenAsleep::skip);
  rig.engine.apply(cfg);
  REQUIRE(rig.run_until([&] {
    return rig.lists() >= 3 && rig.has_metric(R"(flywatch_app_asleep{app="medio"} 1)");
  }));
  CHECK(rig.target_probes("be").empty());
  CHECK(rig.engine.app_count() == 1);
  cfg.fly.reset();
  rig.engine.apply(cfg);
  REQUIRE(rig.run_until([&] { return !rig.target_probes("be").empty(); }));
  CHECK(rig.engine.app_count() == 0);
  CHECK_FALSE(rig.target_probes("be").empty());
  CHECK(rig.metrics.render().find(R"(app="medio")") == std::string::npos);
}

TEST_CASE("AppWatch: wake_every counts time asleep, not time since the last wake") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "started"}};
  const auto applied = std::chrono::steady_clock::now();
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::wake_every));
  // Awake for two wake_every periods: 9 lists at least 40 ms apart span 320 ms.
  REQUIRE(rig.run_until([&] {
    return rig.lists() >= 9 &&
           rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)");
  }));
  const auto last_awake_list = rig.prober.starts.at("flyapi").back();  // no waits while started
  CHECK(last_awake_list - applied >= 300ms);
  rig.fly.apps["medio"][0].state = "stopped";
  REQUIRE(rig.run_until([&] { return !rig.starts("be", no_force_header).empty(); }));
  // Asleep for less than wake_every (150 ms) since the last list that found it awake: no wake.
  const auto first_wake = rig.starts("be", no_force_header).front();
  CHECK_MESSAGE(first_wake - last_awake_list >= 150ms, "woken too early");
  int wakes = 0;
  for (const auto& p : rig.target_probes("be")) wakes += test::header_of(p, "fly-force-instance-id").empty();
  CHECK(wakes >= 1);
}

TEST_CASE("AppWatch: a probe sent before a machine restarted does not count for the new start") {
  FlyRig rig;
  // P1 is held long enough for the stop and the restart to be seen before it answers.
  rig.prober.host_delay["be"] = 300ms;
  rig.fly.apps["medio"] = {{"m1", "started"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  // First poll done, probe P1 (will answer 200) in flight.
  REQUIRE(rig.run_until([&] { return rig.target_probes("be").size() == 1; }));
  REQUIRE(rig.target_probes("be").size() == 1);
  rig.fly.apps["medio"][0].state = "stopped";
  REQUIRE(rig.run_until([&] { return rig.machine_state("medio", "m1") == "stopped"; }));
  rig.fly.apps["medio"][0].state = "started";
  rig.fly.apps["medio"][0].answer = 503;
  // Two 503s (the threshold) of the new start answer after P1, which started before them.
  REQUIRE(rig.run_until([&] {
    return rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="unhealthy"} 1)");
  }));
  const std::string logs = rig.logs();
  CHECK(logs.find(R"(msg="cold start finished" app=medio)") == std::string::npos);
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="unhealthy"} 1)"));
}

TEST_CASE("AppWatch: a wait that keeps answering started cannot make polls run wild") {
  FlyRig rig;
  rig.fly.wait_always_started = true;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip,
                                    std::chrono::milliseconds(100)));
  REQUIRE(rig.run_until([&] { return rig.lists() >= 12 && rig.fly.waits >= 1; }));
  // Every 100 ms at most however many waits answer (poll_schedule_test counts the lists of
  // 1.5 s: at most 16 + 2): an early list keeps the interval, up to 250 ms, from the last one.
  const auto lists = rig.starts("flyapi", [](const net::ProbeSpec& s) {
    return s.endpoint.target.find("/wait?") == std::string::npos;
  });
  CHECK(lists.size() >= 12);
  CHECK(FlyRig::min_gap(lists) >= 95ms);
  CHECK(rig.fly.waits >= 1);
}

TEST_CASE("AppWatch: no wait for a standby; a refused wait is not sent again every poll") {
  FlyRig rig;
  test::FakeMachine standby{"s1", "stopped"};
  standby.standbys = {"p1"};  // stays stopped until p1 fails: a wait would be held forever
  test::FakeMachine refused{"r1", "stopped"};
  refused.wait_status = 400;
  rig.fly.apps["medio"] = {{"p1", "started"}, standby, refused, {"m1", "stopped"}};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  const auto waits_on = [&](const std::string& id) {
    auto it = rig.fly.waits_on.find(id);
    return it == rig.fly.waits_on.end() ? 0 : it->second;
  };
  const auto lists = [&] {
    return rig.target_probes("flyapi").size() - static_cast<std::size_t>(rig.fly.waits);
  };
  // m1's waits are answered 408 at once here, so it is asked again after each poll: by the
  // time it has been asked 5 times, r1 and s1 have had every chance to be asked too.
  REQUIRE(rig.run_until([&] { return lists() >= 5 && waits_on("m1") >= 5; }));
  CHECK(waits_on("s1") == 0);
  CHECK(waits_on("r1") == 1);
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count(rig.logs(), "fly api refused a wait") == 1);
  // Something changed about the refused machine: it is worth asking again, once.
  rig.fly.apps["medio"][2].state = "suspended";
  REQUIRE(rig.run_until([&] { return waits_on("r1") >= 2; }));
  const int m1_then = waits_on("m1");
  REQUIRE(rig.run_until([&] { return waits_on("m1") >= m1_then + 4; }));  // more polls pass
  CHECK(waits_on("r1") == 2);
  CHECK(waits_on("s1") == 0);
  CHECK(count(rig.logs(), "fly api refused a wait") == 2);
}

TEST_CASE("AppWatch: waits held by the API are cancelled at stop and by a reload changing the token") {
  FlyRig rig;
  rig.prober.wait_delay = 60s;  // the API holds each wait its full minute
  rig.fly.apps["medio"] = {{"m1", "stopped"}, {"m2", "suspended"}};
  auto cfg = test::fly_config("medio", "be", WhenAsleep::skip);
  rig.engine.apply(cfg);
  const auto lists = [&] {
    return rig.target_probes("flyapi").size() - static_cast<std::size_t>(rig.fly.waits);
  };
  REQUIRE(rig.run_until([&] { return rig.fly.waits >= 2 && lists() >= 4; }));
  CHECK(rig.fly.waits == 2);  // one per sleeping machine, held however many polls pass
  CHECK(rig.prober.running == 2);
  cfg.fly->token = "rotated";
  rig.engine.apply(cfg);
  // The old waits end at once; the next poll asks again with the new token.
  REQUIRE(rig.run_until([&] { return rig.fly.waits >= 4; }));
  const auto polls_then = lists();
  REQUIRE(rig.run_until([&] { return lists() >= polls_then + 3; }));
  CHECK(rig.fly.waits == 4);
  CHECK(rig.prober.running == 2);
  CHECK(test::header_of(rig.prober.specs.back(), "Authorization") == "Bearer rotated");
  rig.engine.stop();
  CHECK(rig.run_until([&] { return rig.prober.running == 0; }));
}

TEST_CASE("AppWatch: a right but slow answer ends a cold start; after it, slowness counts") {
  FlyRig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  auto cfg = test::fly_config("medio", "be", WhenAsleep::skip);
  cfg.targets[0].expect.max_latency = 50ms;
  rig.engine.apply(cfg);
  REQUIRE(rig.run_until([&] { return rig.machine_state("medio", "m1") == "stopped"; }));
  rig.fly.apps["medio"][0].state = "started";
  rig.fly.apps["medio"][0].took = 120ms;  // the proxy held it while the app booted
  REQUIRE(rig.run_until([&] {
    return rig.logs().find(R"(msg="cold start finished" app=medio machine=m1)") != std::string::npos;
  }));
  const std::string logs = rig.logs();
  CHECK(logs.find(R"(msg="cold start finished" app=medio machine=m1)") != std::string::npos);
  CHECK(logs.find("reason=latency") != std::string::npos);  // the target still counts it
  // Still that slow once started: two failures (the threshold) make it unhealthy.
  CHECK(rig.run_until([&] {
    return rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="unhealthy"} 1)");
  }));
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="unhealthy"} 1)"));
}

TEST_CASE("AppWatch: cordoned machines and machines on a lost host are neither probed nor serving") {
  FlyRig rig;
  test::FakeMachine drained{"m2", "started", "ams"};
  drained.cordoned = true;
  test::FakeMachine lost{"m3", "started", "fra"};
  lost.host_status = "unreachable";
  rig.fly.apps["medio"] = {{"m1", "started"}, drained, lost};
  rig.engine.apply(test::fly_config("medio", "be", WhenAsleep::skip));
  // Several probes of m1 leave m2 and m3 every chance to be probed too.
  REQUIRE(rig.run_until([&] {
    return rig.target_probes("be").size() >= 4 &&
           rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)");
  }));
  const auto probes = rig.target_probes("be");
  for (const auto& p : probes) {
    CHECK(test::header_of(p, "fly-force-instance-id") == "m1");
  }
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m1",region="iad",state="healthy"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m2",region="ams",state="started"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_machine_state{app="medio",machine="m3",region="fra",state="unknown"} 1)"));
  CHECK(rig.has_metric(R"(flywatch_app_machines{app="medio",state="healthy"} 1)"));
  std::map<std::string, std::string> reasons;
  const auto status = rig.app_status("medio");
  for (const auto& m : status.at("machines").as_array()) {
    reasons[std::string(m.at("id").as_string())] = std::string(m.at("reason").as_string());
  }
  CHECK(reasons["m1"].empty());
  CHECK(reasons["m2"] == "cordoned");
  CHECK(reasons["m3"] == "host unreachable");
}
