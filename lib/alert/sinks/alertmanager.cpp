#include "alert/sinks/alertmanager.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "core/log_line.hpp"

namespace flywatch::alert {

namespace json = boost::json;

namespace {

json::object alertmanager_alert(const core::AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  json::object alert;
  alert["labels"] = format::to_json(a.labels);
  alert["annotations"] = format::to_json(a.annotations);
  alert["startsAt"] = core::format_rfc3339_ms(a.starts_at);
  if (format::resolved(event)) {
    alert["endsAt"] = core::format_rfc3339_ms(format::resolved_end(event));
  } else if (settings.alertmanager_valid_for.count() > 0) {
    alert["endsAt"] = core::format_rfc3339_ms(event.at + settings.alertmanager_valid_for);
  }
  if (!settings.generator_url.empty()) alert["generatorURL"] = settings.generator_url;
  return alert;
}

}  // namespace

SinkPayload format_alertmanager(const core::AlertEvent& event, const SinkSettings& settings) {
  json::array body;
  body.push_back(alertmanager_alert(event, settings));
  return format::json_payload(body);
}

SinkPayload format_alertmanager_batch(const std::vector<core::AlertEvent>& events,
                                      const SinkSettings& settings) {
  json::array body;
  body.reserve(events.size());
  for (const auto& e : events) body.push_back(alertmanager_alert(e, settings));
  return format::json_payload(body);
}

std::chrono::seconds alertmanager_valid_for(std::chrono::milliseconds resend_interval) {
  // Alertmanager resolves a firing alert by itself once endsAt passes, as it does for
  // Prometheus: several missed re-sends in a row mean flywatch is gone.
  return std::max(std::chrono::seconds(1),
                  std::chrono::duration_cast<std::chrono::seconds>(resend_interval * 4));
}

std::string alertmanager_request_target(const std::string& url_target) {
  std::string base = url_target;
  if (auto q = base.find('?'); q != std::string::npos) base.resize(q);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v2/alerts";
}

namespace sinks {

const SinkKindOps alertmanager_sink{
    .kind = core::SinkKind::alertmanager,
    .format = &format_alertmanager,
    .format_resend = &format_alertmanager_batch,
    // One outbox record and one POST per 500 alerts (Alertmanager takes an array), not one per
    // alert.
    .resend_batch = 500,
    .settle =
        [](SinkSettings& settings, std::chrono::milliseconds resend_interval) {
          settings.alertmanager_valid_for = alertmanager_valid_for(resend_interval);
        },
    .request_target = &alertmanager_request_target,
};

}  // namespace sinks

}  // namespace flywatch::alert
