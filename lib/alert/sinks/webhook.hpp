#pragma once
/// The `webhook` sink kind (DESIGN §7): a Standard Webhooks POST of one alert event.

#include "alert/sink_registry.hpp"
#include "core/alert.hpp"

namespace flywatch::alert {

/// Standard Webhooks payload, compact JSON:
/// `{"type":"alert.firing"|"alert.resolved","timestamp":<event time>,"data":{"status":
/// "firing"|"resolved","labels":{…},"annotations":{…},"startsAt":…,"endsAt":…|null,
/// "fingerprint":…}}`. A repeat is `alert.firing`; `endsAt` is null until resolved.
SinkPayload format_webhook(const core::AlertEvent& event);

namespace sinks {
/// The registry entry of `webhook`.
extern const SinkKindOps webhook_sink;
}  // namespace sinks

}  // namespace flywatch::alert
