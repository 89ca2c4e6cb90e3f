// ColdStartHistory: the bounded ring of recent cold starts, fed from fleet updates.
#include <doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/cold_start_history.hpp"

namespace fc = flywatch::core;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

fc::ColdStartEpisode finished(std::chrono::milliseconds boot, std::chrono::milliseconds ready) {
  fc::ColdStartEpisode e;
  e.start = t0;
  e.start_from_event = true;
  e.started = t0 + boot;
  e.healthy = t0 + boot + ready;
  return e;
}

std::vector<std::string> machines_of(const fc::ColdStartHistory& h) {
  std::vector<std::string> out;
  for (const auto& r : h.entries()) out.push_back(r.app + "/" + r.machine);
  return out;
}

}  // namespace

TEST_CASE("ColdStartHistory: finished and abandoned cold starts of an update, with regions") {
  fc::FleetUpdate update;
  update.machines["m1"].cold_starts.push_back(finished(1500ms, 2000ms));
  auto resume = finished(300ms, 200ms);
  resume.kind = fc::ColdStartKind::resume;
  update.machines["m2"].cold_starts.push_back(resume);
  fc::ColdStartEpisode gave_up;
  gave_up.start = t0;
  gave_up.ended = t0 + 4s;
  update.machines["m2"].abandoned = gave_up;
  update.machines["m3"].transitions.push_back({fc::MachineState::stopped,
                                               fc::MachineState::starting, t0});  // no episode end
  fc::ColdStartHistory h;
  h.record("be", update, {{"m1", "iad"}, {"m3", "iad"}});
  REQUIRE(h.entries().size() == 3);
  // Newest first: m2's abandoned one was recorded last.
  CHECK(machines_of(h) == std::vector<std::string>{"be/m2", "be/m2", "be/m1"});
  const auto& abandoned = h.entries()[0];
  CHECK(abandoned.abandoned);
  CHECK(abandoned.region == "");  // m2 has no region in the map
  CHECK(abandoned.episode.ended == t0 + 4s);
  CHECK_FALSE(h.entries()[1].abandoned);
  CHECK(h.entries()[1].episode.kind == fc::ColdStartKind::resume);
  const auto& cold = h.entries()[2];
  CHECK(cold.region == "iad");
  CHECK(cold.episode.boot() == 1500ms);
  CHECK(cold.episode.ready() == 2000ms);
  CHECK(cold.episode.total() == 3500ms);
}

TEST_CASE("ColdStartHistory: holds at most its capacity, dropping the oldest") {
  fc::ColdStartHistory h(3);
  CHECK(h.capacity() == 3);
  for (int i = 1; i <= 5; ++i) h.record({"be", "m" + std::to_string(i), "iad", finished(1s, 1s), false});
  CHECK(machines_of(h) == std::vector<std::string>{"be/m5", "be/m4", "be/m3"});
  CHECK(fc::ColdStartHistory().capacity() == fc::ColdStartHistory::default_capacity);
  fc::ColdStartHistory one(0);  // 0 is taken as 1
  one.record({"be", "a", "", finished(1s, 1s), false});
  one.record({"be", "b", "", finished(1s, 1s), false});
  CHECK(machines_of(one) == std::vector<std::string>{"be/b"});
}

TEST_CASE("ColdStartHistory: forget_app drops that app's cold starts only") {
  fc::ColdStartHistory h;
  h.record({"be", "m1", "iad", finished(1s, 1s), false});
  h.record({"fe", "m2", "iad", finished(1s, 1s), false});
  h.record({"be", "m3", "iad", finished(1s, 1s), false});
  h.forget_app("be");
  CHECK(machines_of(h) == std::vector<std::string>{"fe/m2"});
  h.forget_app("nope");
  CHECK(h.entries().size() == 1);
}
