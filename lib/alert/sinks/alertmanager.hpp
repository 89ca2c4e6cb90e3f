#pragma once
/// The `alertmanager` sink kind (DESIGN §7): Alertmanager's `POST /api/v2/alerts`, with firing
/// alerts re-sent every `resend_interval` so that Alertmanager keeps them open.

#include <chrono>
#include <string>
#include <vector>

#include "alert/sink_registry.hpp"
#include "core/alert.hpp"

namespace flywatch::alert {

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

/// How long Alertmanager is to keep a firing alert open without hearing of it again, for a
/// sink re-sent every `resend_interval`: four intervals (several missed re-sends in a row mean
/// flywatch is gone), at least 1 s.
std::chrono::seconds alertmanager_valid_for(std::chrono::milliseconds resend_interval);

/// The request target under an Alertmanager base URL's path: `url_target` without its query
/// and trailing '/', then "/api/v2/alerts" (a reverse proxy may put Alertmanager under a prefix).
std::string alertmanager_request_target(const std::string& url_target);

namespace sinks {
/// The registry entry of `alertmanager`: re-sent to, 500 alerts per request.
extern const SinkKindOps alertmanager_sink;
}  // namespace sinks

}  // namespace flywatch::alert
