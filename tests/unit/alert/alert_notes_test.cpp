// Issue 9: the alerts restored after a restart are alerts.json plus the outbox's alert notes
// past the seq it covers. The merge itself, and a restart at each point between an alert's
// outbox write and the alerts.json that covers it, on real files.
#include <doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "alert/alert_notes.hpp"
#include "testdata_files.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using std::chrono::system_clock;
using Kind = core::AlertEventKind;

namespace {

const auto t0 = system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000));

core::AlertEvent event(Kind kind, const std::string& target, system_clock::time_point at) {
  core::AlertEvent e;
  e.kind = kind;
  e.at = at;
  e.alert.labels = core::target_alert_labels(core::alert_target_down, core::Severity::critical,
                                             target);
  e.alert.annotations = {{"summary", target + " is down"}};
  e.alert.fingerprint = core::alert_fingerprint(e.alert.labels);
  e.alert.starts_at = t0;
  if (kind == Kind::resolved) e.alert.ends_at = at;
  return e;
}

alert::PersistedAlert persisted(const core::AlertEvent& e, bool notified = true) {
  alert::PersistedAlert p;
  p.entry.alert = e.alert;
  p.entry.alert.ends_at.reset();
  p.entry.last_notified = e.at;
  p.notified = notified;
  return p;
}

alert::OutboxNote note(std::uint64_t seq, const std::vector<core::AlertEvent>& events) {
  auto text = alert::format_alert_note(events);
  REQUIRE(text);
  return {seq, *text};
}

std::vector<std::string> targets(const std::vector<alert::PersistedAlert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.entry.alert.labels.at("target"));
  return out;
}

std::vector<alert::PersistedAlert> merge(std::vector<alert::PersistedAlert> base,
                                         std::uint64_t seq,
                                         const std::vector<alert::OutboxNote>& notes) {
  std::size_t applied = 0, bad = 0;
  auto out = alert::apply_alert_notes(std::move(base), seq, notes, applied, bad);
  CHECK(bad == 0);
  return out;
}

}  // namespace

TEST_CASE("alert notes: a firing after the snapshot is restored, a resolved after it is not") {
  const auto x = event(Kind::firing, "x", t0 + 1s);
  const auto z = event(Kind::firing, "z", t0 + 5s);
  // alerts.json covers up to seq 3 and has x; the outbox then took z's firing (seq 4 and 5).
  auto out = merge({persisted(x)}, 3, {note(4, {z})});
  REQUIRE(targets(out) == std::vector<std::string>{"x", "z"});
  CHECK(out[1].notified);
  CHECK(out[1].entry.last_notified == z.at);
  CHECK(out[1].entry.alert.starts_at == t0);
  CHECK(out[1].entry.alert.annotations.at("summary") == "z is down");
  CHECK(out[1].entry.alert.fingerprint == z.alert.fingerprint);

  // x resolved after the snapshot: not restored (its resolved is in the outbox already).
  CHECK(targets(merge({persisted(x)}, 3, {note(4, {z, event(Kind::resolved, "x", t0 + 6s)})})) ==
        std::vector<std::string>{"z"});
  // Notes the snapshot covers change nothing, whatever they say.
  CHECK(targets(merge({persisted(x)}, 9, {note(4, {event(Kind::resolved, "x", t0 + 6s)}),
                                          note(9, {z})})) == std::vector<std::string>{"x"});
  // In seq order, whatever order they come in: fired, resolved, fired again.
  CHECK(targets(merge({}, 0, {note(7, {event(Kind::firing, "z", t0 + 9s)}),
                              note(2, {z}), note(5, {event(Kind::resolved, "z", t0 + 7s)})})) ==
        std::vector<std::string>{"z"});
  CHECK(targets(merge({}, 0, {note(2, {z}), note(5, {event(Kind::resolved, "z", t0 + 7s)})}))
            .empty());
}

TEST_CASE("alert notes: a repeat moves last_notified; a held alert released is notified") {
  const auto x = event(Kind::firing, "x", t0 + 1s);
  auto out = merge({persisted(x)}, 1, {note(2, {event(Kind::repeat, "x", t0 + 4h)})});
  REQUIRE(out.size() == 1);
  CHECK(out[0].entry.last_notified == t0 + 4h);
  // Held by a window in alerts.json (notified=false), then its firing went to the outbox.
  out = merge({persisted(x, false)}, 1, {note(2, {event(Kind::firing, "x", t0 + 2s)})});
  REQUIRE(out.size() == 1);
  CHECK(out[0].notified);
  // Held ones the notes do not mention stay as they are.
  out = merge({persisted(x, false)}, 1, {note(2, {event(Kind::firing, "z", t0 + 2s)})});
  REQUIRE(out.size() == 2);
  CHECK_FALSE(out[0].notified);
}

TEST_CASE("alert notes: an unreadable note is skipped and counted, the others applied") {
  const auto z = event(Kind::firing, "z", t0 + 5s);
  std::size_t applied = 0, bad = 0;
  const auto out = alert::apply_alert_notes(
      {}, 0, {{2, "not json"}, {3, R"({"changes":[{"kind":"firing"}]})"}, note(4, {z})}, applied,
      bad);
  CHECK(bad == 2);
  CHECK(applied == 1);
  CHECK(targets(out) == std::vector<std::string>{"z"});
  CHECK_FALSE(alert::format_alert_note({}));
}

TEST_CASE("restore_alert_state: alerts.json with its outbox_seq, then the notes past it") {
  test::ScratchDir dir;
  const auto x = event(Kind::firing, "x", t0 + 1s);
  const auto z = event(Kind::firing, "z", t0 + 5s);
  const std::vector<alert::OutboxNote> notes = {note(1, {x}), note(3, {z})};

  // No file: the notes alone.
  auto r = alert::restore_alert_state(dir.path(), notes);
  CHECK_FALSE(r.file_found);
  CHECK(targets(r.alerts) == std::vector<std::string>{"x", "z"});
  CHECK(r.from_outbox == 2);

  std::string step;
  REQUIRE_FALSE(alert::write_alert_state(dir.path(), alert::format_alert_state({persisted(x)}, 2),
                                         step));
  r = alert::restore_alert_state(dir.path(), notes);
  CHECK(r.file_found);
  CHECK(r.outbox_seq == 2);
  CHECK(targets(r.alerts) == std::vector<std::string>{"x", "z"});
  CHECK(r.from_outbox == 1);

  // A file from before outbox_seq existed covers nothing of the outbox.
  REQUIRE_FALSE(alert::write_alert_state(
      dir.path(), R"({"version":1,"alerts":[]})", step));
  r = alert::restore_alert_state(dir.path(), {note(3, {z})});
  CHECK(r.outbox_seq == 0);
  CHECK(targets(r.alerts) == std::vector<std::string>{"z"});

  // An unreadable file: said so, and the notes still count.
  REQUIRE_FALSE(alert::write_alert_state(dir.path(), "{", step));
  r = alert::restore_alert_state(dir.path(), {note(3, {z})});
  CHECK_FALSE(r.parse_error.empty());
  CHECK(targets(r.alerts) == std::vector<std::string>{"z"});
}

TEST_CASE("alert state: outbox_seq round-trips, and a bad one makes the file invalid") {
  std::string error;
  const auto f = alert::parse_alert_state_file(alert::format_alert_state({}, 12345), error);
  REQUIRE(f);
  CHECK(f->outbox_seq == 12345);
  CHECK_FALSE(alert::parse_alert_state_file(R"({"version":1,"outbox_seq":-1,"alerts":[]})", error));
  CHECK_FALSE(
      alert::parse_alert_state_file(R"({"version":1,"outbox_seq":"7","alerts":[]})", error));
}
