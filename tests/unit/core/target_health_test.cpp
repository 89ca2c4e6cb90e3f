#include "core/target_health.hpp"

#include <doctest.h>

#include <string>

namespace fc = flywatch::core;
using fc::TargetState;
using namespace std::chrono_literals;

namespace {
const auto t0 = std::chrono::system_clock::time_point{} + 1'800'000'000s;

// Feeds a string of outcomes ('+' success, '-' failure), one per second from t0, and returns
// the state after each as u/d.
std::string run(fc::TargetHealth& h, std::string_view outcomes) {
  std::string states;
  auto t = t0;
  for (char c : outcomes) {
    h.observe(c == '+', t);
    t += 1s;
    states += h.state() == TargetState::up ? 'u' : h.state() == TargetState::down ? 'd' : '?';
  }
  return states;
}
}  // namespace

TEST_CASE("TargetHealth: starts unknown; the first result sets the state directly") {
  SUBCASE("first success") {
    fc::TargetHealth h(3, 2);
    CHECK(h.state() == TargetState::unknown);
    CHECK(h.since() == std::chrono::system_clock::time_point{});
    const auto t = h.observe(true, t0);
    REQUIRE(t.has_value());
    CHECK(t->from == TargetState::unknown);
    CHECK(t->to == TargetState::up);
    CHECK(t->at == t0);
    CHECK(h.since() == t0);
  }
  SUBCASE("first failure") {
    fc::TargetHealth h(3, 2);
    const auto t = h.observe(false, t0);
    REQUIRE(t.has_value());
    CHECK(t->to == TargetState::down);
    CHECK(h.consecutive_failures() == 1);
  }
}

TEST_CASE("TargetHealth: thresholds of consecutive results (table)") {
  struct Row {
    int fail, succ;
    const char* outcomes;
    const char* states;
  };
  const Row rows[] = {
      {3, 2, "+--", "uuu"},
      {3, 2, "+---", "uuud"},
      {3, 2, "+--+---", "uuuuuud"},   // a success resets the failure count
      {3, 2, "-+-+-+", "dddddd"},     // flapping never reaches success_threshold
      {3, 2, "-++", "ddu"},
      {3, 2, "+---+-++", "uuuddddu"},  // down, one success, a failure resets, two successes
      {1, 1, "+-+-", "udud"},
      {0, -5, "+-+-", "udud"},          // thresholds clamp to 1
      {2, 3, "---+++-", "ddddduu"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.outcomes);
    fc::TargetHealth h(row.fail, row.succ);
    CHECK(run(h, row.outcomes) == row.states);
  }
}

TEST_CASE("TargetHealth: transitions carry from, to and time; since follows") {
  fc::TargetHealth h(2, 2);
  h.observe(true, t0);
  CHECK_FALSE(h.observe(false, t0 + 10s).has_value());
  const auto down = h.observe(false, t0 + 20s);
  REQUIRE(down.has_value());
  CHECK(down->from == TargetState::up);
  CHECK(down->to == TargetState::down);
  CHECK(down->at == t0 + 20s);
  CHECK(h.since() == t0 + 20s);
  CHECK_FALSE(h.observe(false, t0 + 30s).has_value());
  CHECK(h.since() == t0 + 20s);
  CHECK(h.consecutive_failures() == 3);
  CHECK(h.consecutive_successes() == 0);
  CHECK_FALSE(h.observe(true, t0 + 40s).has_value());
  const auto up = h.observe(true, t0 + 50s);
  REQUIRE(up.has_value());
  CHECK(up->from == TargetState::down);
  CHECK(up->to == TargetState::up);
  CHECK(h.consecutive_successes() == 2);
  CHECK(h.consecutive_failures() == 0);
}

TEST_CASE("TargetHealth: set_thresholds keeps state and counters") {
  fc::TargetHealth h(5, 5);
  run(h, "+--");
  CHECK(h.state() == TargetState::up);
  CHECK(h.consecutive_failures() == 2);
  h.set_thresholds(3, 1);
  CHECK(h.state() == TargetState::up);
  CHECK(h.consecutive_failures() == 2);
  const auto t = h.observe(false, t0 + 100s);
  REQUIRE(t.has_value());
  CHECK(t->to == TargetState::down);
  // Lowering below the current count takes effect on the next observation.
  h.set_thresholds(3, 0);
  const auto back = h.observe(true, t0 + 101s);
  REQUIRE(back.has_value());
  CHECK(back->to == TargetState::up);
}

TEST_CASE("TargetHealth: a long outage keeps counting; state names") {
  fc::TargetHealth h(1, 1);
  h.observe(false, t0);
  // The counter saturates at INT_MAX (not reachable in a test); a million shows it keeps counting.
  for (int i = 0; i < 1'000'000; ++i) h.observe(false, t0);
  CHECK(h.consecutive_failures() == 1'000'001);
  CHECK(fc::to_string(h.state()) == "down");
  CHECK(fc::to_string(TargetState::up) == "up");
  CHECK(fc::to_string(TargetState::unknown) == "unknown");
}
