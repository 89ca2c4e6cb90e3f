// judge_fleet: which machines are not judged yet, and whether the app's target is down through
// its machines; on a fake clock.
#include "core/fleet_judgement.hpp"

#include "machine_snapshots.hpp"

namespace {
// A fleet that has seen `machines` once at t0 with the given own-probe verdicts.
fc::AppFleet fleet_of(const std::vector<fc::MachineSnapshot>& machines,
                      const std::map<std::string, OwnProbe>& own) {
  fc::AppFleet fleet(limits(10s));
  fleet.observe(machines, own, t0);
  return fleet;
}
}  // namespace

TEST_CASE("judge_fleet: started machines awaiting their own probe are undecided; so is a young start") {
  const std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "p"), snap("started", {}, {}, "ok"),
                                              snap("starting", {}, {}, "s"), snap("stopped", {}, {}, "z")};
  const std::map<std::string, OwnProbe> own{{"p", OwnProbe::pending}, {"ok", OwnProbe::passing}};
  const auto fleet = fleet_of(list, own);
  auto j = fc::judge_fleet(fleet, own, true, 10s, t0 + 5s);
  CHECK(j.undecided == std::set<std::string>{"p", "s"});
  CHECK(j.target_down == false);  // one machine passes
  // Past the cold-start SLO a starting machine is judged (stuck, failed or not, it is not new).
  j = fc::judge_fleet(fleet, own, true, 10s, t0 + 10s);
  CHECK(j.undecided == std::set<std::string>{"p"});
  // Without a target nothing is said about one.
  CHECK_FALSE(fc::judge_fleet(fleet, own, false, 10s, t0).target_down.has_value());
}

TEST_CASE("judge_fleet: the target is down when every probed machine fails, unknown while undecided") {
  const std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "a"), snap("started", {}, {}, "b")};
  std::map<std::string, OwnProbe> own{{"a", OwnProbe::failing}, {"b", OwnProbe::pending}};
  auto fleet = fleet_of(list, own);
  CHECK_FALSE(fc::judge_fleet(fleet, own, true, 10s, t0).target_down.has_value());
  own["b"] = OwnProbe::failing;
  fleet.observe(list, own, t0 + 1s);
  auto j = fc::judge_fleet(fleet, own, true, 10s, t0 + 1s);
  CHECK(j.undecided.empty());
  CHECK(j.target_down == true);
  // No machine probed at all (every one asleep): not down.
  const std::vector<fc::MachineSnapshot> asleep{snap("stopped", {}, {}, "a")};
  fc::AppFleet sleeping = fleet_of(asleep, {});
  CHECK(fc::judge_fleet(sleeping, {}, true, 10s, t0).target_down == false);
}
