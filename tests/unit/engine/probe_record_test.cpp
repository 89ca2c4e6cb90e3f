// A regular expression over a probe's answer runs on the worker pool (evaluate_off_loop): a
// hostile body for a backtracking body_regex fails the probe, and the loop keeps its pace.
#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "engine_rig.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using test::make_target;

namespace {

// A 1 ms timer on the loop that keeps the worst lateness it saw.
struct StallMeter {
  explicit StallMeter(boost::asio::io_context& io) : timer(io) {}
  void start() {
    expected = std::chrono::steady_clock::now() + 1ms;
    timer.expires_at(expected);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      worst = std::max(worst, std::chrono::steady_clock::now() - expected);
      start();
    });
  }
  boost::asio::steady_timer timer;
  std::chrono::steady_clock::time_point expected;
  std::chrono::steady_clock::duration worst{};
};

}  // namespace

TEST_CASE("a body_regex that backtracks on a hostile body fails the probe without stalling the loop") {
  test::EngineRig rig;
  config::Config cfg;
  auto t = make_target("hostile", 200ms);
  t.expect.body_regex = core::Pattern::compile("(.*a){12}x");
  const std::string hostile = std::string(256 * 1024, 'a') + "!";
  // What the evaluation costs the thread that runs it: on the loop, that is the loop's stall.
  core::ProbeResult sample = test::FakeProber::ok();
  sample.body = hostile;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(core::evaluate(sample, t.expect, std::chrono::system_clock::now()).success);
  const auto inline_cost = std::chrono::steady_clock::now() - t0;
  MESSAGE("evaluated on the test's thread in "
          << std::chrono::duration<double, std::milli>(inline_cost).count() << " ms");
  REQUIRE(inline_cost > 20ms);  // else this test could not tell the loop from the worker
  cfg.targets.push_back(t);
  // A hostile answer: a second or more of backtracking before Boost.Regex gives up, in an
  // optimized build. Only the first probe gets an answer; later ones never end, so the first
  // verdict stays the last one and nothing is left on the worker when the test ends.
  int answers = 0;
  rig.prober.respond = [&](const net::ProbeSpec&) {
    if (answers++ > 0) rig.prober.host_delay["hostile"] = 1h;
    core::ProbeResult answer = test::FakeProber::ok();
    answer.body = hostile;
    return std::optional(answer);
  };
  // The meter starts first: the first probe may be judged while apply() is still running.
  StallMeter stalls(rig.io);
  stalls.start();
  rig.engine.apply(cfg);
  REQUIRE(rig.run_until([&] { return rig.engine.completed() >= 1; }));
  const auto probed = std::chrono::steady_clock::now();
  REQUIRE(rig.run_until([&] {
    return !rig.status_entry("targets", "hostile").at("last").is_null();
  }));
  const auto judged = std::chrono::steady_clock::now();
  stalls.timer.cancel();
  const auto last = rig.status_entry("targets", "hostile").at("last").as_object();
  CHECK(last.at("success") == false);
  CHECK(last.at("reason") == "body");
  CHECK(std::string(last.at("error").as_string()).find("gave up on \"(.*a){12}x\" over 262145 bytes") !=
        std::string::npos);
  MESSAGE("evaluation took " << std::chrono::duration<double, std::milli>(judged - probed).count()
                             << " ms; the loop's longest stall "
                             << std::chrono::duration<double, std::milli>(stalls.worst).count() << " ms");
  // The search ran its full cost (evaluated inline on the loop it ended in well under a
  // millisecond: a different path, which this catches), and not on the loop: evaluated there,
  // the loop would have stalled for the whole of it. Compared within one run, as the machine's
  // load changes the cost from run to run.
  const auto evaluation = judged - probed;
  CHECK(evaluation > 20ms);
  CHECK(stalls.worst * 2 < evaluation);
}
