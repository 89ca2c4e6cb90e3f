// PollSchedule: when an app watch lists its machines next; on a fake clock.
#include "core/poll_schedule.hpp"

#include <doctest.h>

using namespace std::chrono_literals;
using flywatch::core::PollSchedule;
using St = std::chrono::steady_clock::time_point;

namespace {
const St s0 = St{} + 1000s;
}

TEST_CASE("PollSchedule: the next list is a delay after the last one began") {
  PollSchedule s(100ms);
  s.started(s0);
  CHECK(s.polling());
  s.list_ended();
  CHECK_FALSE(s.polling());
  CHECK(s.plan_next(true, 100ms) == s0 + 100ms);
  s.started(s0 + 100ms);
  s.list_ended();
  CHECK(s.plan_next(false, 400ms) == s0 + 500ms);  // a backoff from AppPollState
}

TEST_CASE("PollSchedule: an answered wait brings the next list forward, never closer than earliest") {
  PollSchedule s(5s);
  s.started(s0);
  s.list_ended();
  s.plan_next(true, 5s);
  CHECK(s.earliest() == s0 + 250ms);  // a quarter second at most
  CHECK(s.poll_now());                // no list in flight: re-arm the timer
  CHECK(s.next() == s0 + 250ms);
  // Asked while a list is in flight: applied when it ends, only if it gave a list.
  s.started(s0 + 250ms);
  CHECK_FALSE(s.poll_now());
  s.list_ended();
  CHECK(s.plan_next(true, 5s) == s0 + 500ms);
  s.started(s0 + 500ms);
  CHECK_FALSE(s.poll_now());
  s.list_ended();
  CHECK(s.plan_next(false, 5s) == s0 + 5500ms);
  // The request does not outlive the list it was applied to.
  s.started(s0 + 5500ms);
  s.list_ended();
  CHECK(s.plan_next(true, 5s) == s0 + 10500ms);
}

TEST_CASE("PollSchedule: a wait that keeps answering started cannot make lists run wild") {
  // Poll interval 100 ms; every list is followed by an answered wait, in flight or not.
  PollSchedule s(100ms);
  int lists = 0;
  St now = s0;
  while (now < s0 + 1500ms) {
    s.started(now);
    ++lists;
    s.poll_now();  // answered while the list is in flight
    s.list_ended();
    s.plan_next(true, 100ms);
    s.poll_now();  // answered while waiting
    const St next = s.next();
    CHECK(next - now >= 100ms);
    now = next;
  }
  // Every 100 ms, plus at most one extra list a second for each answered wait.
  CHECK(lists <= 16 + 2);
}

TEST_CASE("PollSchedule: a reload with another interval moves the next list no later than it") {
  PollSchedule s(5s);
  s.started(s0);
  s.list_ended();
  s.plan_next(true, 5s);
  CHECK_FALSE(s.set_interval(5s));
  CHECK(s.set_interval(1s));
  CHECK(s.next() == s0 + 1s);
  CHECK(s.set_interval(10s));
  CHECK(s.next() == s0 + 1s);  // never later
  CHECK(s.earliest() == s0 + 250ms);
}
