// AlertGate and the alert center's other pure decisions: send, hold or drop per event; release
// when a window ends; which alerts a reload retires; the timer's next deadline. The clock is
// plain time_point values.
#include <doctest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/alert_book.hpp"
#include "core/alert_gate.hpp"

using namespace flywatch::core;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

const time_point t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27};

AlertCondition down(const std::string& target, bool active) {
  return AlertRules{}.target_down_condition(target, active ? TargetState::down : TargetState::up);
}

// A one-off window over `target` (empty: everything) from `from` to `to`.
MaintenanceSchedule window(const std::string& target, time_point from, time_point to) {
  MaintenanceWindow w;
  w.name = "deploy";
  w.start = from;
  w.end = to;
  if (!target.empty()) w.targets = {target};
  return MaintenanceSchedule({w});
}

AlertEvent only(std::vector<AlertEvent> events) {
  REQUIRE(events.size() == 1);
  return events.front();
}

}  // namespace

TEST_CASE("outside any window: first page, repeats, one resolve") {
  AlertBook book(1h);
  AlertGate gate;
  const MaintenanceSchedule none;
  const auto fire = only(book.observe(down("api", true), t0));
  const std::string fp = fire.alert.fingerprint;

  auto d = gate.decide(fire, none, t0);
  CHECK(d.action == GateAction::page);
  CHECK(d.send());
  CHECK(d.event.kind == AlertEventKind::firing);
  CHECK(gate.notified(fp));
  CHECK_FALSE(gate.held(fp));

  d = gate.decide(only(book.tick(t0 + 1h)), none, t0 + 1h);
  CHECK(d.action == GateAction::repeat);
  CHECK(d.event.kind == AlertEventKind::repeat);
  CHECK(d.send());

  d = gate.decide(only(book.observe(down("api", false), t0 + 2h)), none, t0 + 2h);
  CHECK(d.action == GateAction::resolve);
  CHECK(d.send());
  CHECK_FALSE(gate.notified(fp));
}

TEST_CASE("a window holds the first page; its end releases it as firing") {
  AlertBook book(4h);
  AlertGate gate;
  const auto w = window("api", t0, t0 + 30min);
  const auto fire = only(book.observe(down("api", true), t0 + 1min));
  const std::string fp = fire.alert.fingerprint;

  auto d = gate.decide(fire, w, t0 + 1min);
  CHECK(d.action == GateAction::hold);
  CHECK_FALSE(d.send());
  CHECK(d.window == "deploy");
  CHECK(gate.held(fp));
  CHECK_FALSE(gate.notified(fp));

  CHECK(gate.next_release(book, w, t0 + 1min) == t0 + 30min);
  CHECK(gate.release(book, w, t0 + 29min).empty());
  CHECK(gate.held(fp));

  const auto out = gate.release(book, w, t0 + 30min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == AlertEventKind::firing);
  CHECK(out[0].at == t0 + 30min);
  CHECK(out[0].alert.fingerprint == fp);
  CHECK(gate.notified(fp));
  CHECK_FALSE(gate.held(fp));
  CHECK_FALSE(gate.next_release(book, w, t0 + 30min).has_value());
}

TEST_CASE("a window only covers its scope") {
  AlertBook book;
  AlertGate gate;
  const auto w = window("web", t0, t0 + 1h);
  const auto d = gate.decide(only(book.observe(down("api", true), t0)), w, t0);
  CHECK(d.action == GateAction::page);
}

TEST_CASE("repeats of a paged alert are dropped inside a window") {
  AlertBook book(10min);
  AlertGate gate;
  const auto w = window("", t0 + 5min, t0 + 1h);
  const auto fire = only(book.observe(down("api", true), t0));
  CHECK(gate.decide(fire, w, t0).action == GateAction::page);
  const auto d = gate.decide(only(book.tick(t0 + 10min)), w, t0 + 10min);
  CHECK(d.action == GateAction::drop);
  CHECK_FALSE(d.send());
  CHECK(gate.notified(fire.alert.fingerprint));
  CHECK_FALSE(gate.held(fire.alert.fingerprint));
}

TEST_CASE("a held alert's repeat after the window is its first page") {
  AlertBook book(10min);
  AlertGate gate;
  const auto w = window("", t0, t0 + 5min);
  const auto fire = only(book.observe(down("api", true), t0));
  CHECK(gate.decide(fire, w, t0).action == GateAction::hold);
  const auto d = gate.decide(only(book.tick(t0 + 10min)), w, t0 + 10min);
  CHECK(d.action == GateAction::page);
  CHECK(d.event.kind == AlertEventKind::firing);
  CHECK(gate.notified(fire.alert.fingerprint));
  CHECK_FALSE(gate.held(fire.alert.fingerprint));
}

TEST_CASE("a resolution is never held; one of a held alert sends nothing") {
  AlertBook book;
  AlertGate gate;
  const auto w = window("", t0, t0 + 1h);
  const auto fire = only(book.observe(down("api", true), t0));
  CHECK(gate.decide(fire, w, t0).action == GateAction::hold);
  auto d = gate.decide(only(book.observe(down("api", false), t0 + 1min)), w, t0 + 1min);
  CHECK(d.action == GateAction::forget);
  CHECK_FALSE(d.send());
  CHECK_FALSE(gate.held(fire.alert.fingerprint));

  // Paged before the window, resolved inside it: the resolve goes out.
  const auto fire2 = only(book.observe(down("web", true), t0 - 1min));
  CHECK(gate.decide(fire2, MaintenanceSchedule{}, t0 - 1min).action == GateAction::page);
  d = gate.decide(only(book.observe(down("web", false), t0 + 2min)), w, t0 + 2min);
  CHECK(d.action == GateAction::resolve);
  CHECK(d.send());
}

TEST_CASE("release: suppressed alerts wait, resolved ones are forgotten") {
  AlertBook book;
  AlertGate gate;
  const auto w = window("", t0, t0 + 5min);
  const auto api = only(book.observe(down("api", true), t0));
  const auto web = only(book.observe(down("web", true), t0));
  CHECK(gate.decide(api, w, t0).action == GateAction::hold);
  CHECK(gate.decide(web, w, t0).action == GateAction::hold);
  // api's TargetDown is held back by the book (its target flaps); web resolves unseen.
  CHECK(book.suppress(api.alert.labels, true, t0 + 1min).empty());
  (void)book.retire([&](const AlertLabels& l) { return l == web.alert.labels; }, t0 + 2min);

  CHECK_FALSE(gate.next_release(book, w, t0 + 6min).has_value());
  CHECK(gate.release(book, w, t0 + 6min).empty());
  CHECK(gate.held(api.alert.fingerprint));
  CHECK_FALSE(gate.held(web.alert.fingerprint));

  // Once the book lifts the suppression the alert is released (due at once).
  (void)book.suppress(api.alert.labels, false, t0 + 7min);
  CHECK(gate.next_release(book, w, t0 + 7min) == t0 + 7min);
  CHECK(gate.release(book, w, t0 + 7min).size() == 1);
}

TEST_CASE("restore puts alerts back as notified or held") {
  AlertGate gate;
  gate.restore("a", true);
  gate.restore("b", false);
  CHECK(gate.notified("a"));
  CHECK_FALSE(gate.held("a"));
  CHECK(gate.held("b"));
  CHECK_FALSE(gate.notified("b"));
}

TEST_CASE("restore with not_before: held, not paged before then, by a repeat or by release") {
  using namespace std::chrono_literals;
  AlertGate gate;
  AlertBook book;
  MaintenanceSchedule none;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  AlertSnapshotEntry e;
  e.alert.labels = target_alert_labels(alert_target_down, Severity::critical, "a");
  e.alert.fingerprint = alert_fingerprint(e.alert.labels);
  e.alert.starts_at = t0 - 1h;
  e.last_notified = t0 - 1h;
  book.restore({e}, t0, 1h);
  gate.restore(e.alert.fingerprint, false, t0 + 10s);
  CHECK(gate.held(e.alert.fingerprint));
  CHECK(gate.next_release(book, none, t0) == t0 + 10s);
  CHECK(gate.release(book, none, t0 + 5s).empty());
  const auto early = gate.decide(AlertEvent{AlertEventKind::repeat, e.alert, t0 + 5s}, none, t0 + 5s);
  CHECK(early.action == GateAction::hold);
  CHECK_FALSE(early.send());
  const auto paged = gate.release(book, none, t0 + 10s);
  REQUIRE(paged.size() == 1);
  CHECK(paged[0].kind == AlertEventKind::firing);
  CHECK(gate.notified(e.alert.fingerprint));
  CHECK_FALSE(gate.next_release(book, none, t0 + 10s));
}

TEST_CASE("gate action names") {
  CHECK(to_string(GateAction::page) == "page");
  CHECK(to_string(GateAction::repeat) == "repeat");
  CHECK(to_string(GateAction::resolve) == "resolve");
  CHECK(to_string(GateAction::forget) == "forget");
  CHECK(to_string(GateAction::hold) == "hold");
  CHECK(to_string(GateAction::drop) == "drop");
}

TEST_CASE("alert_outlived: what a reload retires") {
  AlertRules rules;
  const std::set<std::string, std::less<>> targets{"api"};
  const std::set<std::string, std::less<>> apps{"shop"};
  const std::set<std::string, std::less<>> journeys{"signup"};
  const auto target = [&](std::string_view t) {
    return target_alert_labels(alert_target_down, rules.target_down.severity, t);
  };
  CHECK_FALSE(alert_outlived(target("api"), rules, targets, apps, journeys));
  CHECK(alert_outlived(target("gone"), rules, targets, apps, journeys));
  CHECK_FALSE(alert_outlived(app_alert_labels(alert_app_no_healthy_machines,
                                              rules.app_no_healthy_machines.severity, "shop"),
                             rules, targets, apps, journeys));
  CHECK(alert_outlived(machine_alert_labels(alert_machine_failed, rules.machine_failed.severity,
                                            "old", "m1", "iad"),
                       rules, targets, apps, journeys));
  CHECK(alert_outlived({{"alertname", "NoSuchAlert"}, {"severity", "warning"}}, rules, targets,
                       apps, journeys));
  const auto journey = [&](std::string_view j, std::string_view app) {
    return journey_alert_labels(alert_journey_failing, rules.journey_failing.severity, j, app);
  };
  CHECK_FALSE(alert_outlived(journey("signup", ""), rules, targets, apps, journeys));
  CHECK_FALSE(alert_outlived(journey("signup", "shop"), rules, targets, apps, journeys));
  CHECK(alert_outlived(journey("login", ""), rules, targets, apps, journeys));
  CHECK(alert_outlived(journey("signup", "old"), rules, targets, apps, journeys));
  const auto labels = target("api");
  rules.target_down.severity = Severity::warning;  // a severity change spells new labels
  CHECK(alert_outlived(labels, rules, targets, apps, journeys));
  rules.target_down.severity = Severity::critical;
  rules.target_down.enabled = false;
  CHECK(alert_outlived(labels, rules, targets, apps, journeys));
}

TEST_CASE("next_alert_deadline: full look, hints and releases") {
  AlertBook book(1h);
  CHECK_FALSE(next_alert_deadline(book, std::nullopt, true, std::nullopt).has_value());

  // A pending alert with `for`: its deadline arrives as a hint.
  AlertCondition c = down("api", true);
  c.for_duration = 5min;
  CHECK(book.observe(c, t0).empty());
  CHECK(next_alert_deadline(book, std::nullopt, false, std::nullopt) == t0 + 5min);
  // The hint was taken: without news the armed deadline stands, and nothing lowers it.
  CHECK(next_alert_deadline(book, t0 + 5min, false, std::nullopt) == t0 + 5min);
  CHECK_FALSE(next_alert_deadline(book, std::nullopt, false, std::nullopt).has_value());
  // An earlier armed deadline or release wins.
  CHECK(next_alert_deadline(book, t0 + 1min, false, std::nullopt) == t0 + 1min);
  CHECK(next_alert_deadline(book, t0 + 5min, false, t0 + 2min) == t0 + 2min);
  // The full look ignores what was armed and finds the book's own deadline.
  CHECK(next_alert_deadline(book, t0 + 1min, true, std::nullopt) == t0 + 5min);
  CHECK(next_alert_deadline(book, t0 + 1min, true, t0 + 3min) == t0 + 3min);
  // Once the alert is gone, a full look finds nothing.
  CHECK(book.observe(down("api", false), t0 + 1min).empty());
  CHECK_FALSE(next_alert_deadline(book, t0 + 5min, true, std::nullopt).has_value());
}
