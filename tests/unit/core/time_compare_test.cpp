#include "core/time_compare.hpp"

#include <doctest.h>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using Time = std::chrono::system_clock::time_point;

TEST_CASE("saturating_difference: exact within range, saturated beyond") {
  CHECK(fc::saturating_difference(Time{5s}, Time{2s}) == 3s);
  CHECK(fc::saturating_difference(Time{2s}, Time{5s}) == -3s);
  CHECK(fc::saturating_difference(Time::max(), Time{}) == nanoseconds::max());
  CHECK(fc::saturating_difference(Time::max(), Time{-1ns}) == nanoseconds::max());
  CHECK(fc::saturating_difference(Time::min(), Time{1ns}) == nanoseconds::min());
  CHECK(fc::saturating_difference(Time::min(), Time::max()) == nanoseconds::min());
  CHECK(fc::saturating_difference(Time::max(), Time::min()) == nanoseconds::max());
  CHECK(fc::saturating_difference(Time::min(), Time{}) == nanoseconds::min());
}

TEST_CASE("compare_durations: nanoseconds against any milliseconds") {
  CHECK(fc::compare_durations(1500us, 1ms) > 0);
  CHECK(fc::compare_durations(1ms, 1ms) == 0);
  CHECK(fc::compare_durations(999us, 1ms) < 0);
  CHECK(fc::compare_durations(-1ns, 0ms) < 0);
  // The largest milliseconds that nanoseconds hold, and one more.
  CHECK(fc::compare_durations(nanoseconds::max(), milliseconds{9'223'372'036'854}) > 0);
  CHECK(fc::compare_durations(nanoseconds::max(), milliseconds{9'223'372'036'855}) < 0);
  CHECK(fc::compare_durations(nanoseconds::max(), milliseconds::max()) < 0);
  CHECK(fc::compare_durations(nanoseconds::min(), milliseconds{-9'223'372'036'854}) < 0);
  CHECK(fc::compare_durations(nanoseconds::min(), milliseconds{-9'223'372'036'855}) > 0);
  CHECK(fc::compare_durations(nanoseconds::min(), milliseconds::min()) > 0);
}
