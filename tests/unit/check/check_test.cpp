#include <doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "check/check.hpp"
#include "check/check_apps.hpp"
#include "check/check_journeys.hpp"
#include "fake_fly.hpp"
#include "engine/json_text.hpp"
#include "fake_prober.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;


TEST_CASE("check probes every target once and reports in config order") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  prober.delay = 20ms;
  prober.results["bad"] = test::FakeProber::ok(503);
  config::Config cfg;
  cfg.engine.max_in_flight = 2;
  for (const char* n : {"one", "bad", "two", "three"}) cfg.targets.push_back(test::make_target(n));

  const auto rows = check::run_checks(io, prober, cfg);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].target == "one");
  CHECK(rows[1].target == "bad");
  CHECK_FALSE(rows[1].verdict.success);
  CHECK(rows[1].verdict.reason == core::FailureReason::status);
  CHECK(rows[3].verdict.success);
  CHECK(prober.max_running == 2);
  for (const char* n : {"one", "bad", "two", "three"}) CHECK(prober.starts[n].size() == 1);
  CHECK_FALSE(check::all_passed(rows));

  const std::string table = check::format_check_table(rows);
  CHECK(table.find("TARGET") == 0);
  CHECK(table.find("bad ") != std::string::npos);
  CHECK(table.find("FAIL") != std::string::npos);
  CHECK(table.find("4 targets: 3 ok, 1 failing") != std::string::npos);

  const auto doc = boost::json::parse(check::format_check_json(rows));
  CHECK_FALSE(doc.at("ok").as_bool());
  CHECK(doc.at("targets").as_array().size() == 4);
  CHECK(doc.at("targets").at(1).at("reason").as_string() == "status");
  CHECK(doc.at("targets").at(1).at("status_code").as_int64() == 503);
}

TEST_CASE("check of an empty config passes") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  config::Config cfg;
  const auto rows = check::run_checks(io, prober, cfg);
  CHECK(rows.empty());
  CHECK(check::all_passed(rows));
}

TEST_CASE("JSON text writes plain numbers and escapes strings") {
  boost::json::object o;
  o["d"] = 0.25;
  o["i"] = 15;
  o["whole"] = 5.0;
  o["s"] = "a\"b\n";
  o["n"] = nullptr;
  o["a"] = boost::json::array{1.5, true};
  const std::string text = engine::to_json_text(o);
  CHECK(text == R"({"d":0.25,"i":15,"whole":5,"s":"a\"b\n","n":null,"a":[1.5,true]})");
  const auto back = boost::json::parse(text);
  CHECK(back.at("d").as_double() == 0.25);
  CHECK(back.at("whole").to_number<double>() == 5.0);  // JSON does not tell 5 from 5.0
}

TEST_CASE("check of a Fly app probes each started machine once and leaves an asleep app alone") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  test::FakeFly fly;
  fly.serve(prober);
  fly.apps["medio"] = {{"m1", "started"}, {"m2", "started", "ams", "app", 503}, {"m3", "stopped"},
                       {"rel", "started", "iad", "fly_app_release_command"}};
  fly.apps["sleepy"] = {{"s1", "suspended"}};
  auto cfg = test::fly_config("medio", "be", config::WhenAsleep::skip);
  cfg.targets.push_back(test::make_target("plain"));
  cfg.targets.push_back(test::make_target("sleepy-url"));
  config::FlyApp sleepy;
  sleepy.name = "sleepy";
  sleepy.target = "sleepy-url";
  cfg.fly->apps.push_back(sleepy);

  const auto rows = check::run_checks(io, prober, cfg);
  REQUIRE(rows.size() == 1);  // the bound targets are checked through their apps
  CHECK(rows[0].target == "plain");
  const auto apps = check::run_app_checks(io, prober, *net::http_client_over(prober), cfg);
  REQUIRE(apps.size() == 2);
  const auto& medio = apps[0];
  CHECK(medio.api_ok);
  REQUIRE(medio.machines.size() == 3);
  CHECK(medio.machines[0].state == core::MachineState::healthy);
  CHECK(medio.machines[1].state == core::MachineState::unhealthy);
  REQUIRE(medio.machines[1].probe);
  CHECK(medio.machines[1].probe->result.http_status == 503);
  CHECK_FALSE(medio.machines[2].probe);
  CHECK_FALSE(medio.passed());
  CHECK(apps[1].asleep);
  CHECK(apps[1].passed());
  CHECK(prober.starts["sleepy-url"].empty());
  CHECK(prober.starts["be"].size() == 2);
  CHECK_FALSE(check::all_passed(apps));

  const std::string table = check::format_app_table(apps);
  CHECK(table.find("APP") != std::string::npos);
  CHECK(table.find("m2") != std::string::npos);
  CHECK(table.find("unhealthy") != std::string::npos);
  CHECK(table.find("asleep: not probed") != std::string::npos);
  CHECK(table.find("2 apps: 1 ok, 1 failing; 4 machines, 1 failing") != std::string::npos);
  const auto doc = boost::json::parse(check::format_check_json(rows, apps, {}));
  CHECK_FALSE(doc.at("ok").as_bool());
  CHECK(doc.at("apps").at(0).at("machines").at(1).at("state").as_string() == "unhealthy");
  CHECK(doc.at("apps").at(1).at("asleep").as_bool());

  fly.api_status = 401;
  const auto failed = check::run_app_checks(io, prober, *net::http_client_over(prober), cfg);
  CHECK_FALSE(failed[0].api_ok);
  CHECK(failed[0].api_code == "401");
  CHECK(check::format_app_table(failed).find("FAIL fly api: 401") != std::string::npos);
}

TEST_CASE("check of a Fly app: a cordoned machine is not probed, a lost host fails with its reason") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  test::FakeFly fly;
  fly.serve(prober);
  test::FakeMachine drained{"m2", "started", "ams"};
  drained.cordoned = true;
  test::FakeMachine lost{"m3", "started", "fra"};
  lost.host_status = "unreachable";
  fly.apps["medio"] = {{"m1", "started"}, drained, lost};
  const auto cfg = test::fly_config("medio", "be", config::WhenAsleep::skip);
  const auto apps = check::run_app_checks(io, prober, *net::http_client_over(prober), cfg);
  REQUIRE(apps.size() == 1);
  REQUIRE(apps[0].machines.size() == 3);
  CHECK(apps[0].machines[0].probe);
  CHECK_FALSE(apps[0].machines[1].probe);
  CHECK(apps[0].machines[1].state == core::MachineState::started);
  CHECK(apps[0].machines[1].passed());
  CHECK(apps[0].machines[1].reason == "cordoned");
  CHECK_FALSE(apps[0].machines[2].probe);
  CHECK(apps[0].machines[2].state == core::MachineState::unknown);
  CHECK_FALSE(apps[0].machines[2].passed());
  CHECK(prober.starts["be"].size() == 1);
  CHECK(check::format_app_table(apps).find("machine is unknown: host unreachable") !=
        std::string::npos);
  CHECK(check::format_app_table(apps).find("cordoned: not probed") != std::string::npos);
}

TEST_CASE("check of an asleep Fly app: only `when_asleep: probe` probes its public URL, once") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  test::FakeFly fly;
  fly.serve(prober);
  fly.apps["medio"] = {{"m1", "stopped"}, {"m2", "suspended"}};
  for (auto when : {config::WhenAsleep::skip, config::WhenAsleep::wake_every,
                    config::WhenAsleep::probe}) {
    prober.specs.clear();
    const auto apps = check::run_app_checks(io, prober, *net::http_client_over(prober), test::fly_config("medio", "be", when));
    REQUIRE(apps.size() == 1);
    CHECK(apps[0].asleep);
    int be = 0;
    for (const auto& s : prober.specs) {
      if (s.endpoint.host != "be") continue;
      ++be;
      CHECK(test::header_of(s, "fly-force-instance-id").empty());
    }
    CHECK(be == (when == config::WhenAsleep::probe ? 1 : 0));
    CHECK(apps[0].app_probe.has_value() == (when == config::WhenAsleep::probe));
  }
}

TEST_CASE("check of a Fly app without a target: nothing probed, machines judged by Fly alone") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  test::FakeFly fly;
  fly.serve(prober);
  fly.apps["medio"] = {{"m1", "started"}};
  auto cfg = test::fly_config("medio", "be", config::WhenAsleep::probe);
  cfg.fly->apps[0].target.clear();
  const auto apps = check::run_app_checks(io, prober, *net::http_client_over(prober), cfg);
  REQUIRE(apps.size() == 1);
  REQUIRE(apps[0].machines.size() == 1);
  CHECK(apps[0].machines[0].state == core::MachineState::healthy);  // own probe none, not pending
  CHECK_FALSE(apps[0].machines[0].probe);
  CHECK(prober.starts["be"].empty());
  CHECK(apps[0].passed());
}

TEST_CASE("outcome_json: a check row's probe, or null") {
  CHECK(check::outcome_json(std::optional<check::CheckRow>{}).is_null());
  check::CheckRow row;
  row.verdict = core::Verdict{true, core::FailureReason::none, ""};
  row.result.http_status = 200;
  row.result.total = 1500ms;
  CHECK(engine::to_json_text(check::outcome_json(row)) ==
        R"({"success":true,"reason":"","error":"","status_code":200,"duration_seconds":1.5})");
}
