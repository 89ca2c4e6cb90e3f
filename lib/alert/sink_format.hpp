#pragma once
/// Request bodies for the four sink kinds of DESIGN §7, as pure functions of one alert event.
/// The sender adds the Standard Webhooks headers (signing.hpp) to whatever body comes out here;
/// nothing in this file does I/O or reads a clock (the event carries its own time).

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/alert.hpp"

namespace flywatch::alert {

enum class SinkKind { webhook, alertmanager, pagerduty, slack };

/// "webhook", "alertmanager", "pagerduty" or "slack".
std::string_view to_string(SinkKind k);
/// The inverse of to_string(SinkKind); nullopt for any other name.
std::optional<SinkKind> parse_sink_kind(std::string_view name);

/// Per-sink settings the formats need.
struct SinkSettings {
  /// Who is reporting: PagerDuty's required `payload.source` and the tail of the Slack text,
  /// typically the flywatch instance name. When empty, PagerDuty gets the alert's `target` or
  /// `app` label, else "flywatch"; Slack omits it.
  std::string source;
  /// PagerDuty Events API v2 `routing_key` (the integration key). Only the pagerduty format
  /// uses it.
  std::string routing_key;
  /// Alertmanager `generatorURL`, a back-link for the alert (e.g. this instance's /status page).
  /// Omitted when empty.
  std::string generator_url;
  /// Alertmanager: a firing alert gets `endsAt = event time + alertmanager_valid_for`, so that
  /// Alertmanager resolves it by itself if flywatch stops re-sending (as Prometheus does). The
  /// sender must re-send firing alerts more often than this. Zero omits `endsAt` on firing
  /// alerts, and Alertmanager then applies its own `resolve_timeout` (5 m by default).
  std::chrono::seconds alertmanager_valid_for{0};
};

/// One request body and its Content-Type.
struct SinkPayload {
  std::string content_type;
  std::string body;
};

/// Standard Webhooks payload, compact JSON:
/// `{"type":"alert.firing"|"alert.resolved","timestamp":<event time>,"data":{"status":
/// "firing"|"resolved","labels":{…},"annotations":{…},"startsAt":…,"endsAt":…|null,
/// "fingerprint":…}}`. A repeat is `alert.firing`; `endsAt` is null until resolved.
SinkPayload format_webhook(const core::AlertEvent& event);

/// Alertmanager `POST /api/v2/alerts` body: a JSON array of one postable alert `{labels,
/// annotations, startsAt, endsAt?, generatorURL?}`. Labels are the alert's own, unchanged, so
/// that the same alert sent by several flywatch instances deduplicates in Alertmanager. A
/// resolved alert has `endsAt` = the alert's end time, never later than the event time (at or
/// before "now" when the event is sent promptly), which is what makes Alertmanager resolve it.
SinkPayload format_alertmanager(const core::AlertEvent& event, const SinkSettings& settings);

/// Several events in one Alertmanager body (each as format_alertmanager() formats it), for
/// re-sending every firing alert in one request.
SinkPayload format_alertmanager_batch(const std::vector<core::AlertEvent>& events,
                                      const SinkSettings& settings);

/// PagerDuty Events API v2 body: `{routing_key, event_action: "trigger"|"resolve", dedup_key:
/// fingerprint, client: "flywatch"}` plus, on trigger (firing and repeat), `payload{summary,
/// source, severity, timestamp: startsAt, custom_details{labels, annotations, startsAt,
/// fingerprint}}`. Severity maps critical/warning/info to the same name and anything else to
/// "warning". `summary` is the `summary` annotation, else the alert name and its identifying
/// labels, at most PagerDuty's 1024 bytes (cut on a UTF-8 boundary). `source` is
/// SinkSettings::source or its fallback.
SinkPayload format_pagerduty(const core::AlertEvent& event, const SinkSettings& settings);

/// Slack incoming webhook body `{"text": …}`, no emoji, three short lines:
/// "[FIRING] <alertname> (<severity>): <summary>" ("[RESOLVED] …"; a repeat ends in
/// " (still firing)"), then "labels: name=value, …" with every label, then "source: <source>"
/// when set. The summary is the `summary` annotation, else the alert name and its identifying
/// labels. `&`, `<`, `>` are escaped as Slack's mrkdwn requires; line breaks in values become
/// spaces.
SinkPayload format_slack(const core::AlertEvent& event, const SinkSettings& settings);

/// Dispatches to the format of `kind`.
SinkPayload format_for_sink(SinkKind kind, const core::AlertEvent& event,
                            const SinkSettings& settings);

/// Which alerts a sink wants. An empty set matches everything on its axis; both axes must match.
struct SinkFilter {
  std::set<core::Severity> severities;
  std::set<std::string, std::less<>> alertnames;

  /// True when the alert's `severity` label is in `severities` and its `alertname` in
  /// `alertnames` (each check skipped when its set is empty). An alert whose severity label is
  /// missing or unknown matches only an empty `severities`.
  bool matches(const core::Alert& alert) const;
};

}  // namespace flywatch::alert
