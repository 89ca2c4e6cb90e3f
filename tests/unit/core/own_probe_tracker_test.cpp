// OwnProbeTracker: result sequences in, verdicts out.
#include <doctest.h>

#include <string>

#include "core/own_probe_tracker.hpp"

using flywatch::core::OwnProbe;
using flywatch::core::OwnProbeTracker;

namespace {

// Feeds "+" (ok) and "-" (failed) results and spells the verdict after each: p, P(assing), F.
std::string run(const std::string& results, int threshold) {
  OwnProbeTracker t(threshold);
  std::string out;
  for (char c : results) {
    t.observe(c == '+');
    out += t.verdict() == OwnProbe::passing ? 'P' : t.verdict() == OwnProbe::failing ? 'F' : 'p';
  }
  return out;
}

}  // namespace

TEST_CASE("OwnProbeTracker: verdicts from result sequences") {
  struct Row {
    std::string results;
    int threshold;
    std::string want;
  };
  const Row rows[] = {
      {"+", 3, "P"},            // the first good answer passes at once
      {"-", 3, "p"},            // one failure is not yet failing
      {"---", 3, "ppF"},        // failing at the threshold
      {"--+", 3, "ppP"},        // booting failures, then good
      {"+--+", 3, "PPPP"},      // blips below the threshold keep passing
      {"+---", 3, "PPPF"},      // ... three in a row do not
      {"---+", 3, "ppFP"},      // one good answer recovers
      {"-", 1, "F"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.results);
    CHECK(run(r.results, r.threshold) == r.want);
  }
}

TEST_CASE("OwnProbeTracker: observe reports changes only; reset starts over") {
  OwnProbeTracker t(2);
  CHECK(t.verdict() == OwnProbe::pending);
  CHECK(t.observe(true) == OwnProbe::passing);
  CHECK_FALSE(t.observe(true).has_value());
  CHECK_FALSE(t.observe(false).has_value());
  CHECK(t.observe(false) == OwnProbe::failing);
  CHECK(t.consecutive_failures() == 2);
  t.reset();
  CHECK(t.verdict() == OwnProbe::pending);
  CHECK(t.consecutive_failures() == 0);
}
