// /metrics rendered in steps on the loop (engine/metrics_scrape.hpp): other handlers run between
// the steps, and a reload that removes targets mid-render leaves the render whole.
#include <doctest.h>

#include <chrono>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "engine/json_text.hpp"
#include "engine/metrics_scrape.hpp"
#include "engine_rig.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using test::make_target;

namespace {

config::Config targets(int from, int to) {
  config::Config cfg;
  for (int i = from; i < to; ++i) cfg.targets.push_back(make_target("t" + std::to_string(i), 50ms));
  return cfg;
}

// The lines of a render that carry a target label (process_* values move between renders).
std::string target_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.find("target=\"") != std::string::npos) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a scrape renders in steps: a reload removing targets mid-render runs between them") {
  test::EngineRig rig;
  rig.engine.apply(targets(0, 60));
  // Every target probed (a probe answers at once and creates its series), then no probe ends
  // any more, so the series hold still while the render runs.
  REQUIRE(rig.run_until([&] { return rig.prober.starts.size() == 60; }));
  rig.prober.delay = 1h;
  const std::string before = target_lines(rig.metrics.render());
  REQUIRE(before.find("target=\"t0\"") != std::string::npos);

  bool reloaded_mid_render = false;
  auto text = boost::asio::co_spawn(rig.io, engine::render_metrics_in_steps(rig.metrics, 10),
                                    boost::asio::use_future);
  // Queued behind the render's first step: it runs at the render's first yield.
  boost::asio::post(rig.io, [&] {
    reloaded_mid_render = text.wait_for(0s) != std::future_status::ready;
    rig.engine.apply(targets(30, 61));  // t0..t29 go, with their series; t60 comes
  });
  REQUIRE(rig.run_until([&] { return text.wait_for(0s) == std::future_status::ready; }));
  CHECK(reloaded_mid_render);
  // The scrape shows the targets it started with, from their last values.
  CHECK(target_lines(text.get()) == before);
  const std::string after = target_lines(rig.metrics.render());
  CHECK(after.find("target=\"t0\"") == std::string::npos);
  CHECK(after.find("target=\"t30\"") != std::string::npos);
}

TEST_CASE("the status document in steps: a reload mid-way leaves it whole, as in one go") {
  test::EngineRig rig;
  rig.engine.apply(targets(0, 60));
  REQUIRE(rig.run_until([&] { return rig.prober.starts.size() == 60; }));
  rig.prober.delay = 1h;
  const std::string before = engine::to_json_text(rig.engine.status().at("targets"));

  bool reloaded_mid_way = false;
  auto doc = boost::asio::co_spawn(rig.io, rig.engine.status_in_steps(7), boost::asio::use_future);
  boost::asio::post(rig.io, [&] {
    reloaded_mid_way = doc.wait_for(0s) != std::future_status::ready;
    rig.engine.apply(targets(30, 61));
  });
  REQUIRE(rig.run_until([&] { return doc.wait_for(0s) == std::future_status::ready; }));
  CHECK(reloaded_mid_way);
  CHECK(engine::to_json_text(doc.get().at("targets")) == before);
  CHECK(rig.engine.status().at("targets").as_array().size() == 31);

  auto text = boost::asio::co_spawn(rig.io, rig.engine.status_json_in_steps(), boost::asio::use_future);
  REQUIRE(rig.run_until([&] { return text.wait_for(0s) == std::future_status::ready; }));
  CHECK(text.get() == rig.engine.status_json());
}
