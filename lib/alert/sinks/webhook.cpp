#include "alert/sinks/webhook.hpp"

#include <boost/json.hpp>

#include "core/log_line.hpp"

namespace flywatch::alert {

SinkPayload format_webhook(const core::AlertEvent& event) {
  namespace json = boost::json;
  const core::Alert& a = event.alert;
  const bool resolved = format::resolved(event);
  json::object data;
  data["status"] = resolved ? "resolved" : "firing";
  data["labels"] = format::to_json(a.labels);
  data["annotations"] = format::to_json(a.annotations);
  data["startsAt"] = core::format_rfc3339_ms(a.starts_at);
  if (resolved) {
    data["endsAt"] = core::format_rfc3339_ms(format::resolved_end(event));
  } else {
    data["endsAt"] = nullptr;
  }
  data["fingerprint"] = a.fingerprint;
  json::object root;
  root["type"] = resolved ? "alert.resolved" : "alert.firing";
  root["timestamp"] = core::format_rfc3339_ms(event.at);
  root["data"] = std::move(data);
  return format::json_payload(root);
}

namespace sinks {

const SinkKindOps webhook_sink{
    .kind = core::SinkKind::webhook,
    .format = [](const core::AlertEvent& e, const SinkSettings&) { return format_webhook(e); },
};

}  // namespace sinks

}  // namespace flywatch::alert
