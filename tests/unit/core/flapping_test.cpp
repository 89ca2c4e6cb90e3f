// FlappingDetector: Icinga 2's weighted state-change percentage with hysteresis.
#include <doctest.h>

#include <cstdint>
#include <vector>

#include "core/flapping.hpp"

using namespace flywatch::core;

namespace {

// Straightforward reference: recompute from the whole result list (a change is a result that
// differs from the one before; the last 20 change flags weigh 0.8 + 0.02 * age position).
double reference_percent(const std::vector<bool>& results) {
  std::vector<bool> changes;
  for (std::size_t i = 0; i < results.size(); ++i) changes.push_back(i > 0 && results[i] != results[i - 1]);
  while (changes.size() < 20) changes.insert(changes.begin(), false);
  const std::size_t first = changes.size() - 20;
  double sum = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (changes[first + i]) sum += 0.8 + 0.02 * static_cast<double>(i);
  }
  return sum / 20 * 100;
}

std::vector<bool> alternating(int n, bool first = true) {
  std::vector<bool> r;
  for (int i = 0; i < n; ++i) r.push_back(i % 2 == 0 ? first : !first);
  return r;
}

}  // namespace

TEST_CASE("steady results never flap") {
  for (const bool value : {true, false}) {
    FlappingDetector d;
    for (int i = 0; i < 50; ++i) CHECK_FALSE(d.observe(value));
    CHECK_FALSE(d.flapping());
    CHECK(d.percent() == doctest::Approx(0.0));
    CHECK(d.observed() == FlappingDetector::window);
  }
}

TEST_CASE("alternating results start flapping at the 7th result (33.9% > 30%)") {
  FlappingDetector d;
  const auto seq = alternating(40);
  int started_at = 0;
  for (int i = 0; i < static_cast<int>(seq.size()); ++i) {
    const bool changed = d.observe(seq[static_cast<std::size_t>(i)]);
    if (changed) {
      CHECK(started_at == 0);  // only one change of flapping state: it never stops
      started_at = i + 1;
    }
    if (i + 1 == 6) CHECK(d.percent() == doctest::Approx(28.5));  // 5 changes: not yet
    if (i + 1 == 7) CHECK(d.percent() == doctest::Approx(33.9));
  }
  CHECK(started_at == 7);
  CHECK(d.flapping());
  // Every one of the last 20 results is a change: Σ(0.8 … 1.18) / 20 = 99%.
  CHECK(d.percent() == doctest::Approx(99.0));
}

TEST_CASE("hysteresis: flapping ends only at or below the low threshold") {
  FlappingDetector d;
  for (bool r : alternating(30)) d.observe(r);  // ends with a failure
  REQUIRE(d.flapping());
  // After k steady results the set flags are the 20-k oldest: percent falls 34.8, 30.1, 25.5,
  // 21.0 for k = 12..15. At 25.5 (between the thresholds) it is still flapping.
  struct Step { int k; double percent; bool flapping; };
  const Step table[] = {{12, 34.8, true}, {13, 30.1, true}, {14, 25.5, true}, {15, 21.0, false}};
  int k = 0;
  for (const auto& step : table) {
    bool changed = false;
    while (k < step.k) {
      changed = d.observe(false);  // steady: the same as the last result
      ++k;
    }
    CAPTURE(step.k);
    CHECK(d.percent() == doctest::Approx(step.percent));
    CHECK(d.flapping() == step.flapping);
    CHECK(changed == (step.k == 15));
  }
  // The same 28.5% that keeps a flapping target flapping does not start a calm one.
  FlappingDetector calm;
  for (bool r : alternating(6)) calm.observe(r);
  CHECK(calm.percent() == doctest::Approx(28.5));
  CHECK_FALSE(calm.flapping());
}

TEST_CASE("pseudo-random sequences match the reference computation") {
  std::uint32_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 1103515245U + 12345U;
    return (seed >> 16) & 0x7fffU;
  };
  for (int run = 0; run < 20; ++run) {
    FlappingDetector d;
    std::vector<bool> results;
    bool expect_flapping = false;
    // Runs differ in how often the state changes, so both sides of the thresholds show up.
    const std::uint32_t change_per_mille = static_cast<std::uint32_t>(run) * 50;
    bool value = true;
    for (int i = 0; i < 200; ++i) {
      if (next() % 1000 < change_per_mille) value = !value;
      results.push_back(value);
      const bool changed = d.observe(value);
      const double p = reference_percent(results);
      const bool now = expect_flapping ? p > 25.0 : p > 30.0;
      CAPTURE(run);
      CAPTURE(i);
      REQUIRE(d.percent() == doctest::Approx(p));
      REQUIRE(d.flapping() == now);
      REQUIRE(changed == (now != expect_flapping));
      expect_flapping = now;
    }
  }
}

TEST_CASE("thresholds are configurable and keep the history") {
  FlappingDetector d({50.0, 40.0});
  for (bool r : alternating(7)) d.observe(r);
  CHECK_FALSE(d.flapping());  // 33.9% is not above 50%
  d.set_thresholds({30.0, 25.0});
  CHECK(d.observe(false));  // 8th alternating result: 39.2% > 30%
  CHECK(d.flapping());
}
