#include <doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "engine/check.hpp"
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

  const auto rows = engine::run_checks(io, prober, cfg);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].target == "one");
  CHECK(rows[1].target == "bad");
  CHECK_FALSE(rows[1].verdict.success);
  CHECK(rows[1].verdict.reason == core::FailureReason::status);
  CHECK(rows[3].verdict.success);
  CHECK(prober.max_running == 2);
  for (const char* n : {"one", "bad", "two", "three"}) CHECK(prober.starts[n].size() == 1);
  CHECK_FALSE(engine::all_passed(rows));

  const std::string table = engine::format_check_table(rows);
  CHECK(table.find("TARGET") == 0);
  CHECK(table.find("bad ") != std::string::npos);
  CHECK(table.find("FAIL") != std::string::npos);
  CHECK(table.find("4 targets: 3 ok, 1 failing") != std::string::npos);

  const auto doc = boost::json::parse(engine::format_check_json(rows));
  CHECK_FALSE(doc.at("ok").as_bool());
  CHECK(doc.at("targets").as_array().size() == 4);
  CHECK(doc.at("targets").at(1).at("reason").as_string() == "status");
  CHECK(doc.at("targets").at(1).at("status_code").as_int64() == 503);
}

TEST_CASE("check of an empty config passes") {
  boost::asio::io_context io{1};
  test::FakeProber prober;
  config::Config cfg;
  const auto rows = engine::run_checks(io, prober, cfg);
  CHECK(rows.empty());
  CHECK(engine::all_passed(rows));
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
