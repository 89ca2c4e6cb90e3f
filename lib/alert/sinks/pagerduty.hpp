#pragma once
/// The `pagerduty` sink kind (DESIGN §7): PagerDuty Events API v2.

#include "alert/sink_registry.hpp"
#include "core/alert.hpp"

namespace flywatch::alert {

/// PagerDuty Events API v2 body: `{routing_key, event_action: "trigger"|"resolve", dedup_key:
/// fingerprint, client: "flywatch"}` plus, on trigger (firing and repeat), `payload{summary,
/// source, severity, timestamp: startsAt, custom_details{labels, annotations, startsAt,
/// fingerprint}}`. Severity maps critical/warning/info to the same name and anything else to
/// "warning". `summary` is the `summary` annotation, else the alert name and its identifying
/// labels, at most PagerDuty's 1024 bytes (cut on a UTF-8 boundary). `source` is
/// SinkSettings::source or its fallback.
SinkPayload format_pagerduty(const core::AlertEvent& event, const SinkSettings& settings);

namespace sinks {
/// The registry entry of `pagerduty`.
extern const SinkKindOps pagerduty_sink;
}  // namespace sinks

}  // namespace flywatch::alert
