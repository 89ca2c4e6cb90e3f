// AlertBook: for, repeat, resolve, flapping suppression, restart, deadline hints.
#include <doctest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alert_trace.hpp"
#include "core/alert_book.hpp"

using namespace flywatch::core;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

const time_point t0 = flywatch::test::alert_t0;
using flywatch::test::append;
using flywatch::test::secs;
using flywatch::test::trace;

AlertCondition down_condition(const std::string& target, bool active,
                              std::chrono::milliseconds for_duration = 0ms) {
  AlertCondition c;
  c.labels = target_alert_labels(alert_target_down, Severity::critical, target);
  c.active = active;
  c.for_duration = for_duration;
  c.annotations = {{"summary", target + " down"}};
  return c;
}

// "AlertName:kind" for each event.
std::string names(const std::vector<AlertEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ' ';
    out += std::string(e.alert.name()) + ":" + std::string(to_string(e.kind));
  }
  return out;
}

}  // namespace

TEST_CASE("for: fire once held, nothing when cleared earlier") {
  struct Case {
    const char* name;
    std::chrono::milliseconds for_duration;
    std::vector<std::pair<int, bool>> observations;  // seconds after t0, active
    const char* expected;
  };
  const Case cases[] = {
      {"fires when held for `for`", 60s, {{0, true}, {30, true}, {59, true}, {60, true}, {90, true}},
       "firing@60"},
      {"clears before `for`", 60s, {{0, true}, {30, false}, {60, false}, {120, false}}, ""},
      {"a new activation restarts the wait", 60s, {{0, true}, {30, false}, {40, true}, {90, true}, {100, true}},
       "firing@100"},
      {"late observation fires then", 60s, {{0, true}, {300, true}}, "firing@300"},
      {"for 0 fires at once, resolves once", 0s, {{0, true}, {10, false}, {20, false}, {30, false}},
       "firing@0 resolved@10/ends@10"},
      {"fires again after a resolve", 0s, {{0, true}, {10, false}, {20, true}}, "firing@0 resolved@10/ends@10 firing@20"},
      {"resolve after `for` firing", 60s, {{0, true}, {60, true}, {61, false}}, "firing@60 resolved@61/ends@61"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    AlertBook book;
    std::vector<AlertEvent> events;
    for (const auto& [at, active] : c.observations) {
      append(events, book.observe(down_condition("medio", active, c.for_duration), t0 + std::chrono::seconds(at)));
    }
    CHECK(trace(events) == c.expected);
    for (const auto& e : events) {
      // starts_at is when the condition became active, not when `for` elapsed.
      if (e.kind == AlertEventKind::firing) CHECK(secs(e.alert.starts_at) + c.for_duration / 1s <= secs(e.at));
    }
  }
}

TEST_CASE("tick fires a pending alert at its deadline") {
  AlertBook book;
  CHECK(book.observe(down_condition("medio", true, 60s), t0).empty());
  REQUIRE(book.next_deadline().has_value());
  CHECK(*book.next_deadline() == t0 + 60s);
  CHECK(book.tick(t0 + 59s).empty());
  const auto events = book.tick(t0 + 60s);
  CHECK(trace(events) == "firing@60");
  CHECK(events.at(0).alert.starts_at == t0);
  CHECK(*book.next_deadline() == t0 + 60s + 4h);
  CHECK(book.tick(t0 + 61s).empty());
}

TEST_CASE("repeat cadence while firing, then one resolve") {
  for (const bool by_tick : {false, true}) {
    CAPTURE(by_tick);
    AlertBook book(4h);
    std::vector<AlertEvent> events;
    append(events, book.observe(down_condition("medio", true), t0));
    for (auto t = t0 + 10min; t <= t0 + 13h; t += 10min) {
      append(events, by_tick ? book.tick(t) : book.observe(down_condition("medio", true), t));
    }
    append(events, book.observe(down_condition("medio", false), t0 + 13h + 1s));
    append(events, book.observe(down_condition("medio", false), t0 + 13h + 2s));
    append(events, book.tick(t0 + 30h));
    CHECK(trace(events) == "firing@0 repeat@14400 repeat@28800 repeat@43200 resolved@46801/ends@46801");
    for (const auto& e : events) CHECK(e.alert.starts_at == t0);
    CHECK(book.size() == 0);
    CHECK_FALSE(book.next_deadline().has_value());
  }
}

TEST_CASE("fingerprint is stable across events; annotations follow the latest observation") {
  AlertBook book(1h);
  auto c = down_condition("medio", true);
  const std::string fp = alert_fingerprint(c.labels);
  std::vector<AlertEvent> events;
  append(events, book.observe(c, t0));
  c.annotations["description"] = "connect: connection refused";
  append(events, book.observe(c, t0 + 1h));
  c.active = false;
  append(events, book.observe(c, t0 + 2h));
  REQUIRE(events.size() == 3);
  for (const auto& e : events) {
    CHECK(e.alert.fingerprint == fp);
    CHECK(e.alert.labels == c.labels);
  }
  CHECK(events[0].alert.annotations.count("description") == 0);
  CHECK(events[1].alert.annotations.at("description") == "connect: connection refused");
}

namespace {

struct SimTarget {
  explicit SimTarget(std::string n) : name(std::move(n)) {}
  std::string name;
  TargetHealth health{1, 1};
  FlappingDetector flap;
  bool flap_changed = false;

  std::vector<AlertEvent> result(AlertBook& book, const AlertRules& rules, bool ok, time_point now) {
    health.observe(ok, now);
    flap_changed = flap.observe(ok);
    return book.observe_target(rules, name, health.state(), flap, now);
  }
};

// `results`: 'o' ok, 'x' failure, one every 30 s from t0.
std::vector<AlertEvent> run(AlertBook& book, const AlertRules& rules, SimTarget& target,
                            const std::string& results, time_point* flapping_ended = nullptr) {
  std::vector<AlertEvent> events;
  auto now = t0;
  for (const char r : results) {
    append(events, target.result(book, rules, r == 'o', now));
    if (flapping_ended && target.flap_changed && !target.flap.flapping()) *flapping_ended = now;
    now += 30s;
  }
  return events;
}

std::string repeat(char c, int n) { return std::string(static_cast<std::size_t>(n), c); }

}  // namespace

TEST_CASE("flapping suppresses TargetDown and reconciles when it ends") {
  const std::string alternating = "xoxoxoxoxoxoxoxoxoxo";  // flapping from its 6th result
  AlertRules rules;

  SUBCASE("never sent, up at the end: nothing for TargetDown") {
    rules.target_down.for_duration = 5min;
    AlertBook book;
    SimTarget t("medio");
    const auto events = run(book, rules, t, repeat('o', 10) + alternating + repeat('o', 20));
    CHECK(names(events) == "TargetFlapping:firing TargetFlapping:resolved");
    CHECK(book.size() == 0);
  }
  SUBCASE("never sent, down past `for` at the end: TargetDown fires when flapping ends") {
    rules.target_down.for_duration = 5min;
    AlertBook book;
    SimTarget t("medio");
    time_point ended{};
    const auto events = run(book, rules, t, repeat('o', 10) + alternating + repeat('x', 30), &ended);
    CHECK(names(events) == "TargetFlapping:firing TargetFlapping:resolved TargetDown:firing");
    REQUIRE(events.size() == 3);
    CHECK(events[2].at == ended);
    CHECK(events[1].at == ended);
    // Down since the first failure of the steady run (result 31, at 15 min), which is more
    // than `for` before flapping ended.
    CHECK(events[2].alert.starts_at == t0 + 15min);
    CHECK(ended - events[2].alert.starts_at >= 5min);
  }
  SUBCASE("sent before flapping, up during it: the held resolve goes out when it ends") {
    AlertBook book;
    SimTarget t("medio");
    const auto events = run(book, rules, t, repeat('o', 10) + alternating + repeat('o', 20));
    CHECK(names(events) ==
          "TargetDown:firing TargetDown:resolved TargetDown:firing TargetDown:resolved "
          "TargetDown:firing TargetFlapping:firing TargetFlapping:resolved TargetDown:resolved");
    // The resolve carries the time the target last came up (the final 'o' of the alternation,
    // result 30), not the time flapping ended.
    CHECK(events.back().alert.ends_at.value() == t0 + 29 * 30s);
    CHECK(events.back().at > *events.back().alert.ends_at);
    CHECK(book.size() == 0);
  }
  SUBCASE("sent before flapping, still down after: no new event, repeats continue") {
    AlertBook book;
    SimTarget t("medio");
    const auto events = run(book, rules, t, repeat('o', 10) + alternating + "x" + repeat('x', 30));
    CHECK(names(events) ==
          "TargetDown:firing TargetDown:resolved TargetDown:firing TargetDown:resolved "
          "TargetDown:firing TargetFlapping:firing TargetFlapping:resolved");
    CHECK(book.firing(target_alert_labels(alert_target_down, Severity::critical, "medio")));
    // Last notified at result 15 (the 5th alternating failure): repeat 4 h later.
    const auto last = t0 + 14 * 30s;
    CHECK(book.tick(last + 4h - 1s).empty());
    CHECK(names(book.tick(last + 4h)) == "TargetDown:repeat");
  }
  SUBCASE("TargetFlapping disabled: no suppression") {
    rules.target_flapping.enabled = false;
    AlertBook book;
    SimTarget t("medio");
    const auto events = run(book, rules, t, repeat('o', 2) + "xoxoxoxo");
    CHECK(names(events) ==
          "TargetDown:firing TargetDown:resolved TargetDown:firing TargetDown:resolved "
          "TargetDown:firing TargetDown:resolved TargetDown:firing TargetDown:resolved");
  }
}

TEST_CASE("flapping ends on the same evaluation that brings the target up: nothing for TargetDown") {
  // TargetDown held (down past `for`, never sent) while flapping; the target comes back up (its
  // success threshold reached) exactly when flapping ends. Reconciling the old state before
  // the new one would send a firing and a resolved at once.
  AlertRules rules;
  rules.target_down.for_duration = 5min;
  AlertBook book;
  FlappingDetector d;
  std::vector<AlertEvent> events;
  auto now = t0;
  for (int i = 0; i < 10; ++i, now += 30s) {
    d.observe(i % 2 == 0);
    append(events, book.observe_target(rules, "medio", TargetState::down, d, now));
  }
  REQUIRE(d.flapping());
  bool ended = false;
  for (int i = 0; i < 30 && !ended; ++i, now += 30s) {
    ended = d.observe(false);
    append(events, book.observe_target(rules, "medio", ended ? TargetState::up : TargetState::down, d, now));
  }
  REQUIRE(ended);
  CHECK(names(events) == "TargetFlapping:firing TargetFlapping:resolved");
  CHECK(book.size() == 0);
}

TEST_CASE("suppress() directly: held state and reconciliation") {
  AlertBook book;
  const auto c = down_condition("medio", true, 60s);
  CHECK(book.suppress(c.labels, true, t0).empty());
  CHECK(book.observe(c, t0).empty());
  CHECK(book.tick(t0 + 10min).empty());
  CHECK_FALSE(book.firing(c.labels));
  CHECK(book.tracked(c.labels));
  CHECK_FALSE(book.next_deadline().has_value());
  const auto events = book.suppress(c.labels, false, t0 + 11min);
  CHECK(trace(events) == "firing@660");
  CHECK(events.at(0).alert.starts_at == t0);
  CHECK(book.suppress(c.labels, false, t0 + 12min).empty());  // not suppressed: no-op
}

TEST_CASE("snapshot and restore: no re-send, repeats continue, cleared alerts resolve") {
  const AlertRules rules;
  AlertBook before(4h);
  std::vector<AlertEvent> sent;
  append(sent, before.observe(rules.target_down_condition("medio", TargetState::down, "timeout"), t0));
  append(sent, before.observe(rules.machine_failed_condition("medio-backend", "m1", "iad", true, true), t0));
  // Pending (for 1 min not reached): not part of the snapshot.
  append(sent, before.observe(rules.machine_unhealthy_condition("medio-backend", "m2", "iad", MachineState::unhealthy), t0 + 30s));
  REQUIRE(names(sent) == "TargetDown:firing MachineFailed:firing");
  const auto snap = before.snapshot();
  REQUIRE(snap.size() == 2);
  for (const auto& s : snap) {
    CHECK(s.last_notified == t0);
    CHECK(s.alert.starts_at == t0);
    CHECK(s.alert.fingerprint == alert_fingerprint(s.alert.labels));
    CHECK_FALSE(s.alert.ends_at.has_value());
  }

  const auto restart = t0 + 1h;
  const auto down = rules.target_down_condition("medio", TargetState::down);
  const auto up = rules.target_down_condition("medio", TargetState::up);

  SUBCASE("still down: silent, then repeat at last_notified + repeat_interval; the gone machine resolves") {
    AlertBook after(4h);
    after.restore(snap, restart, 2min);
    CHECK(after.firing(down.labels));
    CHECK(after.next_deadline() == restart + 2min);
    CHECK(after.observe(down, restart + 30s).empty());
    // The machine is never seen again: resolved at the end of the grace period.
    const auto gone = after.tick(restart + 2min);
    CHECK(names(gone) == "MachineFailed:resolved");
    CHECK(gone.at(0).alert.ends_at == restart + 2min);
    CHECK(gone.at(0).alert.starts_at == t0);
    CHECK(after.observe(down, restart + 2h).empty());
    CHECK(after.tick(t0 + 4h - 1s).empty());
    const auto rep = after.tick(t0 + 4h);
    CHECK(names(rep) == "TargetDown:repeat");
    CHECK(rep.at(0).alert.starts_at == t0);
    CHECK(rep.at(0).alert.fingerprint == snap[1].alert.fingerprint);  // fingerprint order
  }
  SUBCASE("cleared while down: resolved once at the first observation") {
    AlertBook after(4h);
    after.restore(snap, restart, 2min);
    const auto events = after.observe(up, restart + 10s);
    CHECK(trace(events) == "resolved@3610/ends@3610");
    CHECK(after.observe(up, restart + 20s).empty());
    CHECK(names(after.tick(restart + 5min)) == "MachineFailed:resolved");
    CHECK(after.size() == 0);
  }
  SUBCASE("repeat overdue at restart: a repeat, never a new firing") {
    AlertBook after(4h);
    after.restore(snap, t0 + 5h, 2min);
    CHECK(names(after.observe(down, t0 + 5h + 10s)) == "TargetDown:repeat");
  }
  SUBCASE("round trip and duplicates") {
    AlertBook after(4h);
    after.restore(snap, restart, 2min);
    after.restore(snap, restart, 2min);  // same labels again: skipped
    CHECK(after.size() == 2);
    const auto again = after.snapshot();
    REQUIRE(again.size() == snap.size());
    for (std::size_t i = 0; i < snap.size(); ++i) {
      CHECK(again[i].alert.labels == snap[i].alert.labels);
      CHECK(again[i].alert.annotations == snap[i].alert.annotations);
      CHECK(again[i].alert.starts_at == snap[i].alert.starts_at);
      CHECK(again[i].last_notified == snap[i].last_notified);
    }
  }
}

TEST_CASE("many targets are independent") {
  // Each target gets its own pattern; one shared book must produce, per target, exactly what
  // a book of its own produces.
  constexpr int n = 60;
  AlertBook shared(1h);
  std::vector<AlertBook> solo(n, AlertBook(1h));
  std::map<std::string, std::string> shared_trace;
  std::map<std::string, std::string> solo_trace;
  for (int step = 0; step < 400; ++step) {
    const auto now = t0 + step * 20s;
    for (int i = 0; i < n; ++i) {
      const std::string name = "t" + std::to_string(i);
      // Down for (i % 7 + 1) steps out of every (i % 11 + 5), shifted by i.
      const bool active = (step + i) % (i % 11 + 5) < i % 7 + 1;
      const auto c = down_condition(name, active, std::chrono::seconds(20 * (i % 3)));
      const std::string fp = alert_fingerprint(c.labels);
      const auto a = trace(shared.observe(c, now));
      const auto b = trace(solo[static_cast<std::size_t>(i)].observe(c, now));
      if (!a.empty()) shared_trace[fp] += a + " ";
      if (!b.empty()) solo_trace[fp] += b + " ";
    }
  }
  CHECK(shared_trace.size() > static_cast<std::size_t>(n / 2));  // most targets did fire
  CHECK(shared_trace == solo_trace);
}

TEST_CASE("retire resolves what a reload removed") {
  AlertBook book;
  book.observe(down_condition("a", true), t0);
  book.observe(down_condition("b", true), t0);
  book.observe(down_condition("c", true, 60s), t0);  // pending: forgotten silently
  const auto events = book.retire(
      [](const AlertLabels& l) { return l.at("target") != "b"; }, t0 + 1min);
  CHECK(trace(events) == "resolved@60/ends@60");
  CHECK(events.at(0).alert.labels.at("target") == "a");
  CHECK(book.size() == 1);
  CHECK(book.firing(down_condition("b", true).labels));
}

TEST_CASE("changes(), deadline hints and sent_alert() for callers that skip work") {
  AlertBook book(1h);
  const auto c0 = book.changes();
  // An inactive condition of an unknown alert changes nothing: the per-probe fast path.
  CHECK(book.observe(down_condition("a", false), t0).empty());
  CHECK(book.changes() == c0);
  CHECK_FALSE(book.take_deadline_hint().has_value());

  // Pending with a `for`: a change, and a hint at its deadline.
  CHECK(book.observe(down_condition("a", true, 30s), t0).empty());
  CHECK(book.changes() > c0);
  CHECK(book.take_deadline_hint() == t0 + 30s);
  CHECK_FALSE(book.take_deadline_hint().has_value());  // taken
  const std::string fp = alert_fingerprint(down_condition("a", true).labels);
  CHECK_FALSE(book.sent_alert(fp).has_value());        // pending is not sent

  // Still active, nothing new: no change, and the same deadline is hinted again (harmless).
  const auto c1 = book.changes();
  CHECK(book.observe(down_condition("a", true, 30s), t0 + 10s).empty());
  CHECK(book.changes() == c1);
  CHECK(book.take_deadline_hint() == t0 + 30s);

  // Fired by tick: a change; the next deadline is the repeat, which next_deadline() sees.
  CHECK(trace(book.tick(t0 + 30s)) == "firing@30");
  CHECK(book.changes() > c1);
  CHECK(book.next_deadline() == t0 + 30s + 1h);
  const auto sent = book.sent_alert(fp);
  REQUIRE(sent.has_value());
  CHECK(sent->alert.labels == down_condition("a", true).labels);
  CHECK(sent->alert.starts_at == t0);

  // Suppression is a change too; resolving drops the alert.
  const auto c2 = book.changes();
  CHECK(book.suppress(down_condition("a", true).labels, true, t0 + 31s).empty());
  CHECK(book.suppressed(fp));
  CHECK(book.changes() > c2);
  CHECK(book.suppress(down_condition("a", true).labels, false, t0 + 32s).empty());
  CHECK(trace(book.observe(down_condition("a", false), t0 + 40s)) == "resolved@40/ends@40");
  CHECK_FALSE(book.sent_alert(fp).has_value());
}
