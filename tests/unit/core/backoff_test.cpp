#include <doctest.h>

#include <cmath>
#include <limits>

#include "core/backoff.hpp"

using flywatch::core::Backoff;
using flywatch::core::BackoffPolicy;
using std::chrono::milliseconds;

namespace {

BackoffPolicy policy(long base_ms, long cap_ms, long floor_ms = 0) {
  BackoffPolicy p;
  p.base = milliseconds(base_ms);
  p.cap = milliseconds(cap_ms);
  p.floor = milliseconds(floor_ms);
  return p;
}

}  // namespace

TEST_CASE("backoff: the window doubles per failure until the cap") {
  Backoff b(policy(1000, 60000));
  // random = 1 takes the top of each window: base * 2^n, then the cap.
  const long expected[] = {2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (long e : expected) {
    CHECK(b.next_delay(1.0) == milliseconds(e));
  }
  CHECK(b.failures() == 8);
}

TEST_CASE("backoff: window_top saturates without overflow") {
  Backoff b(policy(1000, 3'600'000));
  CHECK(b.window_top(0) == milliseconds(1000));
  CHECK(b.window_top(1) == milliseconds(2000));
  CHECK(b.window_top(11) == milliseconds(2'048'000));
  CHECK(b.window_top(12) == milliseconds(3'600'000));
  CHECK(b.window_top(std::numeric_limits<int>::max()) == milliseconds(3'600'000));
  Backoff huge(policy(std::numeric_limits<long>::max() / 3, std::numeric_limits<long>::max()));
  CHECK(huge.window_top(200) == milliseconds(std::numeric_limits<long>::max()));
}

TEST_CASE("backoff: full jitter stays within [floor, window top]") {
  for (double r : {0.0, 0.1, 0.25, 0.5, 0.75, 0.999, 1.0}) {
    CAPTURE(r);
    Backoff b(policy(1000, 60000));
    for (int n = 1; n <= 10; ++n) {
      const milliseconds top = b.window_top(n);
      const milliseconds d = b.next_delay(r);
      CHECK(d >= milliseconds(0));
      CHECK(d <= top);
      CHECK(d.count() == std::llround(r * static_cast<double>(top.count())));
    }
  }
  Backoff floored(policy(1000, 60000, 1000));
  CHECK(floored.next_delay(0.0) == milliseconds(1000));   // window [1000, 2000]
  CHECK(floored.next_delay(0.5) == milliseconds(2500));   // window [1000, 4000]
  CHECK(floored.next_delay(1.0) == milliseconds(8000));
}

TEST_CASE("backoff: random values outside [0, 1] are clamped") {
  Backoff b(policy(1000, 60000));
  CHECK(b.next_delay(-3.0) == milliseconds(0));
  CHECK(b.next_delay(7.0) == milliseconds(4000));
  CHECK(b.next_delay(std::numeric_limits<double>::quiet_NaN()) == milliseconds(0));
}

TEST_CASE("backoff: reset starts again from the smallest window") {
  Backoff b(policy(500, 60000));
  b.next_delay(1.0);
  b.next_delay(1.0);
  CHECK(b.next_delay(1.0) == milliseconds(4000));
  b.reset();
  CHECK(b.failures() == 0);
  CHECK(b.next_delay(1.0) == milliseconds(1000));
  CHECK(b.failures() == 1);
}

TEST_CASE("backoff: Retry-After is a lower bound, above the cap but within retry_after_cap") {
  BackoffPolicy p = policy(1000, 10000);
  p.retry_after_cap = milliseconds(30000);
  Backoff b(p);
  CHECK(b.next_delay(0.0, milliseconds(7000)) == milliseconds(7000));
  CHECK(b.next_delay(1.0, milliseconds(1000)) == milliseconds(4000));  // own delay is longer
  CHECK(b.next_delay(0.0, milliseconds(20000)) == milliseconds(20000));  // above cap: honoured
  CHECK(b.next_delay(0.0, milliseconds(500000)) == milliseconds(30000)); // absurd: clamped
  CHECK(b.next_delay(0.0, milliseconds(-5)) == milliseconds(0));
}

TEST_CASE("backoff: negative policy values degrade to no delay instead of nonsense") {
  Backoff b(policy(-1000, -5, -7));
  CHECK(b.next_delay(1.0) == milliseconds(0));
  CHECK(b.window_top(3) == milliseconds(0));
}
