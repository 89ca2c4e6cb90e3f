// InhibitionBook and the inhibit rules: who inhibits whom under the default and written rules,
// the target→app and journey→app mapping (for comparison only), release when a source clears,
// never itself, order independence within and across batches, net changes, reconfiguration,
// and a mass outage of many targets of one app.
#include <doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/alert_rules.hpp"
#include "core/inhibition_book.hpp"

using namespace flywatch::core;

namespace {

Alert alert(AlertLabels labels) {
  Alert a;
  a.labels = std::move(labels);
  a.fingerprint = alert_fingerprint(a.labels);
  return a;
}

Alert no_healthy(const std::string& app) {
  return alert(app_alert_labels(alert_app_no_healthy_machines, Severity::critical, app));
}
Alert unhealthy(const std::string& app, const std::string& machine,
                const std::string& region = "iad") {
  return alert(machine_alert_labels(alert_machine_unhealthy, Severity::warning, app, machine, region));
}
Alert cold_slow(const std::string& app, const std::string& machine) {
  return alert(machine_alert_labels(alert_cold_start_slow, Severity::warning, app, machine, "iad"));
}
Alert machine_failed(const std::string& app, const std::string& machine) {
  return alert(machine_alert_labels(alert_machine_failed, Severity::critical, app, machine, "iad"));
}
Alert target_down(const std::string& target) {
  return alert(target_alert_labels(alert_target_down, Severity::critical, target));
}
Alert cert_expiring(const std::string& target) {
  return alert(target_alert_labels(alert_cert_expiring_soon, Severity::warning, target));
}
Alert journey_failing(const std::string& journey, const std::string& app) {
  return alert(journey_alert_labels(alert_journey_failing, Severity::critical, journey, app));
}
Alert release_failed(const std::string& app) {
  return alert(app_alert_labels(alert_release_failed, Severity::critical, app));
}

AlertEvent fired(const Alert& a) { return AlertEvent{AlertEventKind::firing, a, {}}; }
AlertEvent resolved(const Alert& a, std::chrono::system_clock::time_point at = {}) {
  return AlertEvent{AlertEventKind::resolved, a, at};
}
AlertEvent repeated(const Alert& a) { return AlertEvent{AlertEventKind::repeat, a, {}}; }

std::set<std::string> fps(const InhibitionChanges& c, bool released = false) {
  std::set<std::string> out;
  if (released) {
    for (const auto& r : c.released) out.insert(r.fingerprint);
  } else {
    for (const auto& i : c.inhibited) out.insert(i.fingerprint);
  }
  return out;
}

std::set<std::string> fps(std::initializer_list<Alert> alerts) {
  std::set<std::string> out;
  for (const auto& a : alerts) out.insert(a.fingerprint);
  return out;
}

/// The medio shape: target "be-t" probed through app "be", journey "auth" run through it.
InhibitAppMap medio_owners() {
  InhibitAppMap m;
  m.target_app = {{"be-t", "be"}};
  m.journey_app = {{"auth", "be"}};
  return m;
}

/// A book with `rules` as Alertmanager has them: a source releases its targets the moment it
/// resolves (release_after 0). release_after has its own tests below (book_as_written).
InhibitionBook book_with(std::vector<InhibitRule> rules, InhibitAppMap owners = medio_owners()) {
  for (auto& r : rules) r.release_after = std::chrono::milliseconds(0);
  InhibitionBook b;
  b.configure(std::move(rules), std::move(owners));
  (void)b.take_changes();
  return b;
}

/// A book with `rules` as written, release_after included.
InhibitionBook book_as_written(std::vector<InhibitRule> rules,
                               InhibitAppMap owners = medio_owners()) {
  InhibitionBook b;
  b.configure(std::move(rules), std::move(owners));
  (void)b.take_changes();
  return b;
}

}  // namespace

TEST_CASE("default rules: AppNoHealthyMachines inhibits its app's machine, target and journey alerts") {
  InhibitionBook b = book_with(default_inhibit_rules());
  const Alert source = no_healthy("be");
  const std::vector<Alert> held = {unhealthy("be", "m1"), cold_slow("be", "m2"),
                                   target_down("be-t"),   // no app label: via target→app
                                   journey_failing("auth", ""),  // no app label: via journey→app
                                   journey_failing("other-j", "be")};  // its own app label
  const std::vector<Alert> free = {unhealthy("web", "m3"), target_down("plain"),
                                   machine_failed("be", "m1"), release_failed("be"),
                                   journey_failing("other-j", "web"), no_healthy("api")};
  b.observe(fired(source));
  for (const auto& a : held) b.observe(fired(a));
  for (const auto& a : free) b.observe(fired(a));
  const InhibitionChanges c = b.take_changes();

  std::set<std::string> want;
  for (const auto& a : held) want.insert(a.fingerprint);
  CHECK(fps(c) == want);
  CHECK(c.released.empty());
  for (const auto& i : c.inhibited) {
    CHECK(i.by == source.labels);
    CHECK(b.inhibitor(i.fingerprint) == source.labels);
  }
  // The mapping is for comparison only: TargetDown is reported with its own labels.
  const auto td = std::ranges::find(c.inhibited, target_down("be-t").fingerprint,
                                    &InhibitedAlert::fingerprint);
  REQUIRE(td != c.inhibited.end());
  CHECK(td->labels == target_down("be-t").labels);
  CHECK_FALSE(td->labels.contains("app"));
  for (const auto& a : free) {
    CHECK_FALSE(b.inhibited(a.fingerprint));
    CHECK_FALSE(b.inhibitor(a.fingerprint));
  }
  CHECK_FALSE(b.inhibited(source.fingerprint));
  CHECK(b.size() == 1 + held.size() + free.size());
}

TEST_CASE("an inhibited alert is released when its source resolves; one resolved first is not") {
  InhibitionBook b = book_with(default_inhibit_rules());
  const Alert source = no_healthy("be");
  const Alert m1 = unhealthy("be", "m1");
  const Alert m2 = unhealthy("be", "m2");
  b.observe(fired(source));
  b.observe(fired(m1));
  b.observe(fired(m2));
  CHECK(fps(b.take_changes()) == fps({m1, m2}));

  b.observe(repeated(m1));  // repeats change nothing
  b.observe(fired(m1));     // nor does a second firing
  CHECK(b.take_changes().empty());

  b.observe(resolved(m2));  // resolved while inhibited: gone, neither list
  CHECK(b.take_changes().empty());
  CHECK_FALSE(b.inhibited(m2.fingerprint));

  b.observe(resolved(source));
  const InhibitionChanges c = b.take_changes();
  CHECK(c.inhibited.empty());
  REQUIRE(c.released.size() == 1);
  CHECK(c.released[0].fingerprint == m1.fingerprint);
  CHECK(c.released[0].labels == m1.labels);
  CHECK_FALSE(b.inhibited(m1.fingerprint));

  b.observe(resolved(source));  // not firing: nothing
  b.observe(resolved(m1));
  CHECK(b.take_changes().empty());
  CHECK(b.size() == 0);
}

TEST_CASE("an alert already firing becomes inhibited when its source fires") {
  InhibitionBook b = book_with(default_inhibit_rules());
  const Alert td = target_down("be-t");
  b.observe(fired(td));
  CHECK(b.take_changes().empty());
  CHECK_FALSE(b.inhibited(td.fingerprint));

  b.observe(fired(no_healthy("be")));
  const InhibitionChanges c = b.take_changes();
  REQUIRE(c.inhibited.size() == 1);
  CHECK(c.inhibited[0].fingerprint == td.fingerprint);
  CHECK(c.inhibited[0].by == no_healthy("be").labels);
  CHECK(b.inhibited(td.fingerprint));
}

TEST_CASE("order does not matter: any order of events, one batch or one event at a time") {
  const std::array<Alert, 5> alerts = {no_healthy("be"), unhealthy("be", "m1"),
                                       target_down("be-t"), unhealthy("web", "m2"),
                                       journey_failing("auth", "")};
  const auto want = fps({alerts[1], alerts[2], alerts[4]});
  std::array<int, 5> order = {0, 1, 2, 3, 4};
  int orders = 0;
  do {
    CAPTURE(order);
    InhibitionBook batch = book_with(default_inhibit_rules());
    InhibitionBook stepwise = book_with(default_inhibit_rules());
    std::set<std::string> inhibited_stepwise;
    for (int i : order) {
      batch.observe(fired(alerts[i]));
      stepwise.observe(fired(alerts[i]));
      const InhibitionChanges c = stepwise.take_changes();
      CHECK(c.released.empty());
      for (const auto& fp : fps(c)) CHECK(inhibited_stepwise.insert(fp).second);  // once each
    }
    const InhibitionChanges c = batch.take_changes();
    CHECK(fps(c) == want);
    CHECK(c.released.empty());
    CHECK(inhibited_stepwise == want);
    for (const auto& a : alerts) {
      CHECK(batch.inhibited(a.fingerprint) == want.contains(a.fingerprint));
      CHECK(stepwise.inhibited(a.fingerprint) == want.contains(a.fingerprint));
    }
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(orders == 120);
}

TEST_CASE("changes are net: inhibited and released again in one batch shows in neither list") {
  InhibitionBook b = book_with(default_inhibit_rules());
  const Alert m1 = unhealthy("be", "m1");
  b.observe(fired(m1));
  b.observe(fired(no_healthy("be")));
  b.observe(resolved(no_healthy("be")));
  CHECK(b.take_changes().empty());
  CHECK_FALSE(b.inhibited(m1.fingerprint));

  // Inhibited before, released and inhibited again in one batch: no change either.
  b.observe(fired(no_healthy("be")));
  CHECK(fps(b.take_changes()) == fps({m1}));
  b.observe(resolved(no_healthy("be")));
  b.observe(fired(no_healthy("be")));
  CHECK(b.take_changes().empty());
  CHECK(b.inhibited(m1.fingerprint));
}

TEST_CASE("an alert stays inhibited while another source still inhibits it") {
  std::vector<InhibitRule> rules = default_inhibit_rules();
  rules.push_back(InhibitRule{{{"alertname", "ReleaseFailed"}}, {"MachineUnhealthy"}, {"app"}});
  InhibitionBook b = book_with(rules);
  const Alert m1 = unhealthy("be", "m1");
  b.observe(fired(no_healthy("be")));
  b.observe(fired(release_failed("be")));
  b.observe(fired(m1));
  CHECK(fps(b.take_changes()) == fps({m1}));

  b.observe(resolved(no_healthy("be")));
  CHECK(b.take_changes().empty());
  CHECK(b.inhibitor(m1.fingerprint) == release_failed("be").labels);

  b.observe(resolved(release_failed("be")));
  CHECK(fps(b.take_changes(), true) == fps({m1}));
}

TEST_CASE("never itself: alerts matching both sides of a rule do not inhibit each other") {
  SUBCASE("same alertname on both sides") {
    InhibitionBook b = book_with({InhibitRule{{{"alertname", "MachineUnhealthy"}},
                                              {"MachineUnhealthy"}, {"app"}}});
    b.observe(fired(unhealthy("be", "m1")));
    b.observe(fired(unhealthy("be", "m2")));
    CHECK(b.take_changes().empty());
    CHECK_FALSE(b.inhibited(unhealthy("be", "m1").fingerprint));
    CHECK_FALSE(b.inhibited(unhealthy("be", "m2").fingerprint));
  }
  SUBCASE("a narrower source inhibits the others of its name, not itself") {
    InhibitionBook b = book_with({InhibitRule{{{"alertname", "MachineUnhealthy"}, {"region", "iad"}},
                                              {"MachineUnhealthy"}, {"app"}}});
    const Alert iad = unhealthy("be", "m1", "iad");
    const Alert ams = unhealthy("be", "m2", "ams");
    b.observe(fired(ams));
    b.observe(fired(iad));
    CHECK(fps(b.take_changes()) == fps({ams}));
    CHECK(b.inhibitor(ams.fingerprint) == iad.labels);
    CHECK_FALSE(b.inhibited(iad.fingerprint));
    b.observe(resolved(iad));
    CHECK(fps(b.take_changes(), true) == fps({ams}));
  }
  SUBCASE("two-sided sources still inhibit one-sided targets") {
    InhibitionBook b = book_with(
        {InhibitRule{{{"alertname", "TargetDown"}}, {"TargetDown", "CertExpiringSoon"}, {}}});
    b.observe(fired(target_down("a")));
    b.observe(fired(target_down("b")));
    b.observe(fired(cert_expiring("c")));
    CHECK(fps(b.take_changes()) == fps({cert_expiring("c")}));
    b.observe(resolved(target_down("a")));
    CHECK(b.take_changes().empty());  // b still fires
    b.observe(resolved(target_down("b")));
    CHECK(fps(b.take_changes(), true) == fps({cert_expiring("c")}));
  }
}

TEST_CASE("equal: absent on both sides is equal, absent against a value is not") {
  InhibitionBook b =
      book_with({InhibitRule{{{"alertname", "TargetDown"}}, {"CertExpiringSoon"}, {"app"}}});
  b.observe(fired(target_down("plain")));  // no app, none mapped
  b.observe(fired(cert_expiring("other")));  // no app either
  b.observe(fired(cert_expiring("be-t")));   // mapped to be
  CHECK(fps(b.take_changes()) == fps({cert_expiring("other")}));
}

TEST_CASE("configure re-judges the firing alerts; no rules release everything") {
  InhibitionBook b;  // no rules yet: tracked, nothing inhibited
  const Alert m1 = unhealthy("be", "m1");
  const Alert td = target_down("be-t");
  b.observe(fired(m1));
  b.observe(fired(td));
  b.observe(fired(no_healthy("be")));
  CHECK(b.take_changes().empty());

  b.configure(default_inhibit_rules(), {});  // without the mapping TargetDown has no app
  CHECK(fps(b.take_changes()) == fps({m1}));
  b.configure(default_inhibit_rules(), medio_owners());
  CHECK(fps(b.take_changes()) == fps({td}));
  b.configure(default_inhibit_rules(), medio_owners());  // the same again: nothing
  CHECK(b.take_changes().empty());
  b.configure({}, medio_owners());
  const InhibitionChanges c = b.take_changes();
  CHECK(c.inhibited.empty());
  CHECK(fps(c, true) == fps({m1, td}));
  CHECK(b.size() == 3);
}

TEST_CASE("mass outage: thousands of targets of one app, source before or after them") {
  constexpr int n = 20000;
  InhibitAppMap owners;
  std::vector<Alert> targets;
  for (int i = 0; i < n; ++i) {
    const std::string name = "t" + std::to_string(i);
    owners.target_app.emplace(name, "be");
    targets.push_back(target_down(name));
  }
  // A bystander app's alerts are never touched.
  std::vector<Alert> others;
  for (int i = 0; i < 100; ++i) others.push_back(unhealthy("web", "w" + std::to_string(i)));
  const Alert source = no_healthy("be");
  const auto started = std::chrono::steady_clock::now();

  SUBCASE("targets first, then their source") {
    InhibitionBook b = book_with(default_inhibit_rules(), owners);
    for (const auto& a : others) b.observe(fired(a));
    for (const auto& a : targets) b.observe(fired(a));
    CHECK(b.take_changes().empty());
    b.observe(fired(source));
    const InhibitionChanges c = b.take_changes();
    CHECK(c.inhibited.size() == n);
    CHECK(std::ranges::all_of(c.inhibited, [&](const auto& i) { return i.by == source.labels; }));
    // Half recover while inhibited, then the source clears: the other half is released.
    for (int i = 0; i < n; i += 2) b.observe(resolved(targets[i]));
    CHECK(b.take_changes().empty());
    b.observe(resolved(source));
    const InhibitionChanges r = b.take_changes();
    CHECK(r.inhibited.empty());
    CHECK(r.released.size() == n / 2);
    for (const auto& a : others) CHECK_FALSE(b.inhibited(a.fingerprint));
  }
  SUBCASE("source first: each target is inhibited as it fires, one at a time") {
    InhibitionBook b = book_with(default_inhibit_rules(), owners);
    b.observe(fired(source));
    std::size_t inhibited = 0;
    for (const auto& a : targets) {
      b.observe(fired(a));
      inhibited += b.take_changes().inhibited.size();
    }
    CHECK(inhibited == n);
    for (const auto& a : targets) b.observe(resolved(a));
    CHECK(b.take_changes().empty());
    CHECK(b.size() == 1);
  }
  // O(n log n) takes well under a second even unoptimised; a pass over every firing alert per
  // event (O(n²), 4·10⁸ visits) would not.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("release_after: a resolved source keeps inhibiting until its time, then releases") {
  using namespace std::chrono_literals;
  InhibitionBook b = book_as_written(default_inhibit_rules());
  REQUIRE(default_inhibit_rules()[0].release_after == 2min);
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  const Alert source = no_healthy("be");
  const Alert m1 = unhealthy("be", "m1");
  const Alert td = target_down("be-t");
  const Alert jf = journey_failing("auth", "");
  b.observe(fired(source));
  b.observe(fired(m1));
  b.observe(fired(td));
  CHECK(fps(b.take_changes()) == fps({m1, td}));
  CHECK_FALSE(b.next_release());

  b.observe(resolved(source, t0));
  CHECK(b.take_changes().empty());  // nothing released yet
  CHECK(b.next_release() == t0 + 2min);
  CHECK(b.size() == 2);  // the source no longer fires
  CHECK_FALSE(b.inhibited(source.fingerprint));
  CHECK(b.inhibitor(m1.fingerprint) == source.labels);
  b.observe(resolved(source, t0 + 1s));  // not firing: nothing, its time unchanged
  CHECK(b.next_release() == t0 + 2min);

  // A symptom that clears meanwhile is never released; one that fires meanwhile is inhibited.
  b.observe(resolved(td, t0 + 10s));
  b.observe(fired(jf));
  const InhibitionChanges meanwhile = b.take_changes();
  CHECK(fps(meanwhile) == fps({jf}));
  REQUIRE(meanwhile.inhibited.size() == 1);
  CHECK(meanwhile.inhibited[0].by == source.labels);
  CHECK(meanwhile.released.empty());

  b.advance(t0 + 2min - 1ms);
  CHECK(b.take_changes().empty());
  CHECK(b.inhibited(m1.fingerprint));
  b.advance(t0 + 2min);
  const InhibitionChanges c = b.take_changes();
  CHECK(c.inhibited.empty());
  CHECK(fps(c, true) == fps({m1, jf}));
  CHECK_FALSE(b.next_release());
  CHECK_FALSE(b.inhibited(m1.fingerprint));
  CHECK(b.size() == 2);
}

TEST_CASE("release_after: a source firing again meanwhile is simply firing again") {
  using namespace std::chrono_literals;
  InhibitionBook b = book_as_written(default_inhibit_rules());
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  const Alert source = no_healthy("be");
  const Alert m1 = unhealthy("be", "m1");
  b.observe(fired(source));
  b.observe(fired(m1));
  (void)b.take_changes();
  b.observe(resolved(source, t0));
  b.observe(fired(source));
  CHECK(b.take_changes().empty());
  CHECK_FALSE(b.next_release());
  b.advance(t0 + 1h);
  CHECK(b.take_changes().empty());
  CHECK(b.inhibited(m1.fingerprint));
  CHECK(b.size() == 2);
  // It resolves again later: its time starts then.
  b.observe(resolved(source, t0 + 5min));
  CHECK(b.next_release() == t0 + 7min);
  b.advance(t0 + 7min);
  CHECK(fps(b.take_changes(), true) == fps({m1}));
}

TEST_CASE("release_after: the longest of the source's rules; 0 releases at once") {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  std::vector<InhibitRule> rules = default_inhibit_rules();
  rules[0].release_after = 30s;
  rules.push_back(InhibitRule{{{"alertname", "AppNoHealthyMachines"}}, {"MachineFailed"}, {"app"}, 90s});
  InhibitionBook b = book_as_written(rules);
  b.observe(fired(no_healthy("be")));
  b.observe(fired(unhealthy("be", "m1")));
  b.observe(fired(machine_failed("be", "m1")));
  CHECK(b.take_changes().inhibited.size() == 2);
  b.observe(resolved(no_healthy("be"), t0));
  CHECK(b.next_release() == t0 + 90s);

  rules[0].release_after = 0s;
  rules[1].release_after = 0s;
  InhibitionBook now = book_as_written(rules);
  now.observe(fired(no_healthy("be")));
  now.observe(fired(unhealthy("be", "m1")));
  (void)now.take_changes();
  now.observe(resolved(no_healthy("be"), t0));
  CHECK(fps(now.take_changes(), true) == fps({unhealthy("be", "m1")}));
  CHECK_FALSE(now.next_release());
}

TEST_CASE("a past event (ColdStartSlow) inhibited once stays explained by its source until it resolves") {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  InhibitionBook b = book_as_written(default_inhibit_rules());
  const Alert source = no_healthy("be");
  const Alert slow = cold_slow("be", "m1");
  const Alert m1 = unhealthy("be", "m1");
  b.observe(fired(source));
  b.observe(fired(slow));
  b.observe(fired(m1));
  (void)b.take_changes();
  b.observe(resolved(source, t0));
  b.advance(t0 + 2min);
  CHECK(fps(b.take_changes(), true) == fps({m1}));  // the state is released, the event is not
  CHECK(b.inhibited(slow.fingerprint));
  CHECK(b.inhibitor(slow.fingerprint) == source.labels);

  // Reloading the same rules keeps it explained; the source firing and resolving again too.
  b.configure(default_inhibit_rules(), medio_owners());
  CHECK(b.take_changes().empty());
  CHECK(b.inhibited(slow.fingerprint));
  b.observe(fired(source));
  b.observe(resolved(source, t0 + 10min));
  b.advance(t0 + 20min);
  CHECK(b.take_changes().empty());
  CHECK(b.inhibited(slow.fingerprint));

  // Rules that no longer hold ColdStartSlow back release it.
  std::vector<InhibitRule> narrower = default_inhibit_rules();
  narrower[0].targets = {"MachineUnhealthy"};
  b.configure(narrower, medio_owners());
  CHECK(fps(b.take_changes(), true) == fps({slow}));

  // Resolved while explained: gone, neither list.
  b.configure(default_inhibit_rules(), medio_owners());
  b.observe(fired(source));
  (void)b.take_changes();
  b.observe(resolved(source, t0 + 30min));
  b.advance(t0 + 40min);
  CHECK(fps(b.take_changes(), true) == fps({m1}));
  b.observe(resolved(slow));
  CHECK(b.take_changes().empty());
  CHECK_FALSE(b.inhibited(slow.fingerprint));
  CHECK(b.size() == 1);  // m1
}

TEST_CASE("configure keeps a resolved source's time while it is a source, and ends it otherwise") {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  InhibitionBook b = book_as_written(default_inhibit_rules());
  const Alert m1 = unhealthy("be", "m1");
  b.observe(fired(no_healthy("be")));
  b.observe(fired(m1));
  (void)b.take_changes();
  b.observe(resolved(no_healthy("be"), t0));
  b.configure(default_inhibit_rules(), medio_owners());
  CHECK(b.take_changes().empty());
  CHECK(b.next_release() == t0 + 2min);
  CHECK(b.inhibited(m1.fingerprint));
  b.configure({}, medio_owners());
  CHECK(fps(b.take_changes(), true) == fps({m1}));
  CHECK_FALSE(b.next_release());
  CHECK(b.size() == 1);
}

TEST_CASE("explain_restored: a past event never paged is explained again after a restart") {
  InhibitionBook b = book_as_written(default_inhibit_rules());
  const Alert slow = cold_slow("be", "m1");
  const Alert m1 = unhealthy("be", "m1");
  const Alert failed = machine_failed("be", "m1");  // no rule names it
  for (const auto& a : {slow, m1, failed}) b.observe(fired(a));
  for (const auto& a : {slow, m1, failed}) b.explain_restored(a.fingerprint);
  b.explain_restored("unknown");
  const InhibitionChanges c = b.take_changes();
  CHECK(fps(c) == fps({slow}));  // a state (MachineUnhealthy) is judged as it comes
  REQUIRE(c.inhibited.size() == 1);
  CHECK(c.inhibited[0].by == AlertLabels{{"alertname", "AppNoHealthyMachines"}});
  CHECK(b.inhibitor(slow.fingerprint) == AlertLabels{{"alertname", "AppNoHealthyMachines"}});
  // A source firing and going again leaves it explained; it resolves quietly.
  b.observe(fired(no_healthy("be")));
  b.observe(resolved(no_healthy("be")));
  b.advance(std::chrono::system_clock::time_point::max());
  (void)b.take_changes();
  CHECK(b.inhibited(slow.fingerprint));
  b.observe(resolved(slow));
  CHECK(b.take_changes().empty());
}

TEST_CASE("configure: a new release_after counts from when the source resolved") {
  using namespace std::chrono_literals;
  const auto t0 = std::chrono::system_clock::time_point{} + 1000h;
  const Alert m1 = unhealthy("be", "m1");
  const auto with = [](std::chrono::milliseconds keep) {
    auto rules = default_inhibit_rules();
    rules[0].release_after = keep;
    return rules;
  };
  InhibitionBook b = book_as_written(with(2min));
  b.observe(fired(no_healthy("be")));
  b.observe(fired(m1));
  (void)b.take_changes();
  b.observe(resolved(no_healthy("be"), t0));
  b.configure(with(30s), medio_owners());  // shorter: t0 + 30s
  CHECK(b.next_release() == t0 + 30s);
  CHECK(b.take_changes().empty());
  b.configure(with(5min), medio_owners());  // longer: t0 + 5min
  CHECK(b.next_release() == t0 + 5min);
  b.advance(t0 + 1min);
  CHECK(b.take_changes().empty());
  b.configure(with(0s), medio_owners());  // none: released at once
  CHECK(fps(b.take_changes(), true) == fps({m1}));
  CHECK_FALSE(b.next_release());
}
