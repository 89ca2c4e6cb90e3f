#include "core/schedule.hpp"

#include <doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("first_run_offset: stable, in range, spread") {
  const auto interval = std::chrono::nanoseconds(10s);
  CHECK(fc::first_run_offset("medio-backend", interval) ==
        fc::first_run_offset("medio-backend", interval));
  CHECK(fc::first_run_offset("x", 0ns) == 0ns);
  CHECK(fc::first_run_offset("x", -5s) == 0ns);
  CHECK(fc::first_run_offset("x", 1ns) == 0ns);

  // 1000 similar names over 10 buckets of a 10 s interval: every bucket gets a fair share.
  std::vector<int> buckets(10, 0);
  std::set<long long> distinct;
  for (int i = 0; i < 1000; ++i) {
    const auto off = fc::first_run_offset("web-" + std::to_string(i), interval);
    REQUIRE(off >= 0ns);
    REQUIRE(off < interval);
    distinct.insert(off.count());
    ++buckets[static_cast<std::size_t>(off / 1s)];
  }
  CHECK(distinct.size() > 990);
  for (int b : buckets) {
    CAPTURE(b);
    CHECK(b > 60);
    CHECK(b < 140);
  }
}

TEST_CASE("next_run: start-to-start without drift, skipping whole missed intervals (table)") {
  const Clock::time_point base{1'000'000s};
  struct Row {
    std::chrono::nanoseconds interval;
    std::chrono::nanoseconds now_after_prev;  // now - previous_due
    std::chrono::nanoseconds want_due_after_prev;
    std::uint64_t want_skipped;
  };
  const Row rows[] = {
      {10s, 0s, 10s, 0},             // ran on time
      {10s, 3s, 10s, 0},             // ran late: next is still due on the grid
      {10s, 10s, 10s, 0},            // exactly at the next slot
      {10s, 19s + 999ms, 10s, 0},    // late, but by less than a whole interval
      {10s, 20s, 20s, 1},            // a whole interval late: that slot runs now, one skipped
      {10s, 25s, 20s, 1},
      {10s, 35s, 30s, 2},
      {10s, 1h + 5s, 3600s, 359},
      {250ms, 1s, 1s, 3},
      {0ns, 0ns, 1ns, 0},            // a non-positive interval still advances
      {-5s, 0ns, 1ns, 0},
      {10s, -30s, 10s, 0},           // clock behind the previous due time
  };
  for (const Row& row : rows) {
    CAPTURE(row.interval.count());
    CAPTURE(row.now_after_prev.count());
    const fc::NextRun n = fc::next_run(base, row.interval, base + row.now_after_prev);
    CHECK(n.due - base == row.want_due_after_prev);
    CHECK(n.skipped == row.want_skipped);
    CHECK(n.due > base);
  }
}

TEST_CASE("next_run: the due times of a simulated run stay on the grid") {
  const auto interval = std::chrono::nanoseconds(10s);
  const Clock::time_point start{500s};
  Clock::time_point due = start;
  std::uint64_t skipped = 0;
  // Each run finishes a random-looking 0–35 s after it was due.
  const std::chrono::seconds lateness[] = {0s, 1s, 9s, 12s, 35s, 2s, 0s, 21s};
  for (auto late : lateness) {
    const fc::NextRun n = fc::next_run(due, interval, due + late);
    REQUIRE(n.due > due);
    CHECK((n.due - start) % interval == 0ns);
    CHECK(n.due + interval > due + late);  // never a slot that is a whole interval stale
    skipped += n.skipped;
    due = n.due;
  }
  // 8 runs; a run finishing `late` after its due time skips (late - 10 s) / 10 s whole slots:
  // 35s → 2, 21s → 1, the others none.
  CHECK(skipped == 3);
  CHECK(due - start == (8 + 3) * interval);
}

TEST_CASE("next_run: saturates near the end of the clock") {
  const Clock::time_point end{Clock::duration::max() - Clock::duration{5}};
  const fc::NextRun n = fc::next_run(end, 10s, end);
  CHECK(n.due == Clock::time_point{Clock::duration::max()});
  CHECK(n.due > end);
}
