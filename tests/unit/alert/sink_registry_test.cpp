// The sink registry: one entry per sink kind, each formatting as its kind's own file does, and
// only Alertmanager re-sent to.
#include <doctest.h>

#include <chrono>
#include <set>

#include "alert/sink_registry.hpp"
#include "alert/sinks/alertmanager.hpp"
#include "alert/sinks/pagerduty.hpp"
#include "alert/sinks/slack.hpp"
#include "alert/sinks/webhook.hpp"

using namespace flywatch;
using namespace flywatch::alert;
using namespace std::chrono_literals;

namespace {

core::AlertEvent sample_event() {
  core::AlertEvent e;
  e.kind = core::AlertEventKind::firing;
  e.alert.labels = {{"alertname", "TargetDown"}, {"severity", "critical"}, {"target", "api"}};
  e.alert.annotations = {{"summary", "api is down"}};
  e.alert.starts_at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27};
  e.alert.fingerprint = core::alert_fingerprint(e.alert.labels);
  e.at = e.alert.starts_at + 1s;
  return e;
}

}  // namespace

TEST_CASE("every sink kind has exactly one registry entry, in core::sink_kinds order") {
  REQUIRE(sink_registry().size() == core::sink_kinds.size());
  std::set<core::SinkKind> seen;
  for (std::size_t i = 0; i < core::sink_kinds.size(); ++i) {
    const SinkKindOps* ops = sink_registry()[i];
    REQUIRE(ops != nullptr);
    CHECK(ops->kind == core::sink_kinds[i]);
    CHECK(static_cast<bool>(ops->format));
    CHECK(seen.insert(ops->kind).second);
    CHECK(&sink_kind_ops(ops->kind) == ops);
  }
}

TEST_CASE("registry formats are the kinds' own formats") {
  const auto e = sample_event();
  SinkSettings s;
  s.source = "flywatch-test";
  s.routing_key = "key";
  CHECK(sink_kind_ops(SinkKind::webhook).format(e, s).body == format_webhook(e).body);
  CHECK(sink_kind_ops(SinkKind::alertmanager).format(e, s).body ==
        format_alertmanager(e, s).body);
  CHECK(sink_kind_ops(SinkKind::pagerduty).format(e, s).body == format_pagerduty(e, s).body);
  CHECK(sink_kind_ops(SinkKind::slack).format(e, s).body == format_slack(e, s).body);
}

TEST_CASE("only alertmanager is re-sent to, in batches, with endsAt from the resend interval") {
  for (core::SinkKind k : core::sink_kinds) {
    CAPTURE(to_string(k));
    CHECK(sink_kind_ops(k).resends() == (k == SinkKind::alertmanager));
  }
  const SinkKindOps& am = sink_kind_ops(SinkKind::alertmanager);
  CHECK(am.resend_batch == 500);
  const auto e = sample_event();
  CHECK(am.format_resend({e, e}, {}).body == format_alertmanager_batch({e, e}, {}).body);
  REQUIRE(static_cast<bool>(am.settle));
  SinkSettings s;
  am.settle(s, 60s);
  CHECK(s.alertmanager_valid_for == 240s);
  am.settle(s, 100ms);  // never below one second
  CHECK(s.alertmanager_valid_for == 1s);
  CHECK(alertmanager_valid_for(90s) == 360s);
}
