// The status document's own parts (lib/engine/status.cpp): the recent cold starts and the
// firing alerts, through the engine. Targets', apps' and journeys' entries are tested with
// their runtimes (engine_test, app_watch_test, journey_watch_test).
#include <doctest.h>

#include <string>

#include <boost/json.hpp>

#include "engine/engine.hpp"
#include "engine_rig.hpp"
#include "fake_fly.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using config::WhenAsleep;
using test::make_target;

namespace {

struct Rig : test::EngineRig {
  test::FakeFly fly;

  Rig() { fly.serve(prober); }
  // `fly` dies before the base's io drain: probes still suspended there must not reach it.
  ~Rig() { prober.respond = nullptr; }
  std::string machine_state(const std::string& app, const std::string& id) {
    const auto entry = status_entry("apps", app);
    for (const auto& m : entry.at("machines").as_array()) {
      if (m.at("id").as_string() == id) return std::string(m.at("state").as_string());
    }
    return "";
  }
};

}  // namespace

TEST_CASE("the status document lists the alerts firing, with their labels and since when") {
  test::EngineRig rig;
  core::ProbeResult bad;
  bad.transport_failure = core::FailureReason::connect;
  bad.error = "connection refused";
  rig.prober.results["down"] = bad;
  config::Config cfg;
  cfg.targets.push_back(make_target("up", 50ms));
  cfg.targets.push_back(make_target("down", 50ms));  // down after 2 failures: TargetDown at once
  rig.engine.apply(cfg);
  const auto alerts = [&] { return boost::json::parse(rig.engine.status_json()).at("alerts"); };
  CHECK(alerts().as_array().empty());
  REQUIRE(rig.run_until([&] { return !alerts().as_array().empty(); }));
  const auto doc = alerts();
  REQUIRE(doc.as_array().size() == 1);
  const auto& a = doc.as_array()[0].as_object();
  CHECK(a.at("name").as_string() == "TargetDown");
  CHECK(a.at("severity").as_string() == "critical");
  CHECK(a.at("labels") == boost::json::object{{"alertname", "TargetDown"},
                                              {"severity", "critical"},
                                              {"target", "down"}});
  CHECK(a.at("summary").as_string() == "Target down is down");
  CHECK(a.at("notified").as_bool());
  CHECK(a.at("since").as_string().size() == std::string("2026-11-27T15:04:05.123Z").size());
  CHECK(a.at("since").as_string().ends_with("Z"));
}

TEST_CASE("a cold start that ends is listed in the status document, until its app goes") {
  Rig rig;
  rig.fly.apps["medio"] = {{"m1", "stopped"}};
  auto cfg = test::fly_config("medio", "be", WhenAsleep::skip);
  rig.engine.apply(cfg);
  const auto cold_starts = [&] {
    return boost::json::parse(rig.engine.status_json()).at("cold_starts").as_array();
  };
  REQUIRE(rig.run_until([&] { return rig.machine_state("medio", "m1") == "stopped"; }));
  CHECK(cold_starts().empty());
  rig.fly.apps["medio"][0].state = "starting";
  REQUIRE(rig.run_until([&] { return rig.machine_state("medio", "m1") == "starting"; }));
  rig.fly.apps["medio"][0].state = "started";
  REQUIRE(rig.run_until([&] { return !cold_starts().empty(); }));
  const auto list = cold_starts();
  REQUIRE(list.size() == 1);
  const auto& c = list[0].as_object();
  CHECK(c.at("app").as_string() == "medio");
  CHECK(c.at("machine").as_string() == "m1");
  CHECK(c.at("region").as_string() == "iad");
  CHECK(c.at("kind").as_string() == "cold");
  CHECK(c.at("outcome").as_string() == "healthy");
  CHECK_FALSE(c.at("slow").as_bool());
  CHECK(c.at("start").is_string());
  CHECK(c.at("end").is_string());
  // Seen starting, then started, then healthy (no events from the fake: observation times).
  const double boot = c.at("boot_seconds").to_number<double>();
  const double ready = c.at("ready_seconds").to_number<double>();
  CHECK(boot > 0.0);
  CHECK(ready >= 0.0);
  // Each phase is whole milliseconds, cut from the observation times on its own, so the total
  // may be one millisecond above boot + ready (never below).
  const double total = c.at("total_seconds").to_number<double>();
  CHECK(total >= boot + ready - 1e-9);
  CHECK(total <= boot + ready + 0.001 + 1e-9);
  cfg.fly.reset();
  rig.engine.apply(cfg);
  CHECK(cold_starts().empty());
}
