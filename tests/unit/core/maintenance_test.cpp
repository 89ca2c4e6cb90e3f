// Maintenance windows: one-off and weekly (UTC), scope.
#include <doctest.h>

#include <chrono>

#include "core/maintenance.hpp"

using namespace flywatch::core;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

// 2026-11-27 is a Friday.
system_clock::time_point at(int day, int hour, int minute) {
  return sys_days(year{2026} / November / day) + hours(hour) + minutes(minute);
}

MaintenanceWindow weekly(unsigned days_mask, int hh, int mm, minutes dur) {
  MaintenanceWindow w;
  w.name = "weekly";
  w.weekdays = days_mask;
  w.minute_of_day = hh * 60 + mm;
  w.duration = dur;
  return w;
}

}  // namespace

TEST_CASE("a one-off window covers [start, end)") {
  MaintenanceWindow w;
  w.name = "deploy";
  w.start = at(27, 10, 0);
  w.end = at(27, 11, 0);
  CHECK_FALSE(w.covers(at(27, 9, 59)));
  CHECK(w.covers(at(27, 10, 0)));
  CHECK(w.covers(at(27, 10, 59)));
  CHECK_FALSE(w.covers(at(27, 11, 0)));
}

TEST_CASE("a weekly window opens on its weekdays only, in UTC, and may cross midnight") {
  const unsigned friday = 1u << 5, sunday = 1u << 0;
  const auto w = weekly(friday | sunday, 23, 30, 60min);
  struct Row {
    system_clock::time_point t;
    bool want;
  };
  const Row rows[] = {
      {at(27, 23, 29), false},  // Friday, before
      {at(27, 23, 30), true},   // Friday, opening
      {at(28, 0, 15), true},    // Saturday 00:15: Friday's window still open
      {at(28, 0, 30), false},   // closed
      {at(28, 23, 45), false},  // Saturday is not listed
      {at(29, 23, 45), true},   // Sunday
      {at(26, 23, 45), false},  // Thursday
  };
  for (const auto& r : rows) {
    CAPTURE(r.t.time_since_epoch().count());
    CHECK(w.covers(r.t) == r.want);
  }
  CHECK_FALSE(weekly(friday, 1, 0, 0min).covers(at(27, 1, 0)));
}

TEST_CASE("scope: global windows silence everything, scoped ones only what they name") {
  auto w = weekly(0x7f, 0, 0, 24h);  // every day, all day
  CHECK(w.applies_to("medio-backend", ""));
  w.targets = {"medio-backend"};
  w.apps = {"medio-react-app"};
  CHECK(w.applies_to("medio-backend", ""));
  CHECK(w.applies_to("", "medio-react-app"));
  CHECK_FALSE(w.applies_to("other", "other-app"));
  CHECK_FALSE(w.applies_to("", ""));
  MaintenanceSchedule s({w});
  CHECK(s.silenced_by(at(27, 12, 0), "medio-backend", "") == std::optional<std::string>("weekly"));
  CHECK_FALSE(s.silenced_by(at(27, 12, 0), "other", "").has_value());
}

TEST_CASE("silenced_until: the end of the covering occurrence, the latest of overlapping windows") {
  const unsigned friday = 1u << 5;
  MaintenanceWindow nightly = weekly(friday, 23, 30, 60min);
  nightly.targets = {"web"};
  MaintenanceWindow deploy;
  deploy.name = "deploy";
  deploy.start = at(28, 0, 0);
  deploy.end = at(28, 2, 0);
  deploy.apps = {"medio"};
  const MaintenanceSchedule s({nightly, deploy});
  // Friday's occurrence that crossed midnight ends Saturday 00:30.
  CHECK(nightly.end_of_cover(at(28, 0, 10)) == at(28, 0, 30));
  CHECK_FALSE(nightly.end_of_cover(at(28, 0, 30)).has_value());
  CHECK(s.silenced_until(at(27, 23, 45), "web", "") == at(28, 0, 30));
  CHECK_FALSE(s.silenced_until(at(27, 23, 45), "api", "").has_value());  // out of scope
  CHECK(s.silenced_until(at(28, 0, 10), "", "medio") == at(28, 2, 0));
  // Covered by both: the later end.
  CHECK(s.silenced_until(at(28, 0, 10), "web", "medio") == at(28, 2, 0));
  CHECK_FALSE(s.silenced_until(at(28, 2, 0), "web", "medio").has_value());
}
