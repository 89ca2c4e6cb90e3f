#include "alert/sinks/pagerduty.hpp"

#include <boost/json.hpp>

#include "core/log_line.hpp"

namespace flywatch::alert {

namespace json = boost::json;

namespace {

// Cuts to at most `max` bytes without splitting a UTF-8 sequence.
std::string cut_utf8(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string_view pagerduty_severity(std::string_view severity) {
  if (auto s = core::parse_severity(severity)) return core::to_string(*s);
  return "warning";
}

}  // namespace

SinkPayload format_pagerduty(const core::AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  const bool resolved = format::resolved(event);
  json::object root;
  root["routing_key"] = settings.routing_key;
  root["event_action"] = resolved ? "resolve" : "trigger";
  root["dedup_key"] = a.fingerprint;
  root["client"] = "flywatch";
  // A resolve needs only the dedup_key; PagerDuty ignores a payload on it.
  if (!resolved) {
    std::string source = settings.source;
    if (source.empty()) source = format::label(a, "target");
    if (source.empty()) source = format::label(a, "app");
    if (source.empty()) source = "flywatch";
    json::object details;
    details["labels"] = format::to_json(a.labels);
    details["annotations"] = format::to_json(a.annotations);
    details["startsAt"] = core::format_rfc3339_ms(a.starts_at);
    details["fingerprint"] = a.fingerprint;
    json::object payload;
    payload["summary"] = cut_utf8(format::short_summary(a), 1024);
    payload["source"] = source;
    payload["severity"] = pagerduty_severity(a.severity());
    payload["timestamp"] = core::format_rfc3339_ms(a.starts_at);
    payload["custom_details"] = std::move(details);
    root["payload"] = std::move(payload);
  }
  return format::json_payload(root);
}

namespace sinks {

const SinkKindOps pagerduty_sink{
    .kind = core::SinkKind::pagerduty,
    .format = &format_pagerduty,
};

}  // namespace sinks

}  // namespace flywatch::alert
