#include "alert/sink_format.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "core/log_line.hpp"

namespace flywatch::alert {

namespace json = boost::json;
using core::AlertEvent;
using core::AlertEventKind;

namespace {

constexpr std::string_view json_type = "application/json";

json::object to_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::string_view annotation(const core::Alert& a, const char* name) {
  auto it = a.annotations.find(name);
  return it == a.annotations.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view label(const core::Alert& a, const char* name) {
  auto it = a.labels.find(name);
  return it == a.labels.end() ? std::string_view() : std::string_view(it->second);
}

bool resolved(const AlertEvent& e) { return e.kind == AlertEventKind::resolved; }

// When the alert stopped: its own end time, but never after the event, so a receiver that
// compares it with "now" sees an alert that has ended. An unset end falls back to the event.
std::chrono::system_clock::time_point resolved_end(const AlertEvent& e) {
  return e.alert.ends_at ? std::min(*e.alert.ends_at, e.at) : e.at;
}

// The annotation `summary` when there is one; else the alert name with its identifying labels.
std::string short_summary(const core::Alert& a) {
  if (auto s = annotation(a, "summary"); !s.empty()) return std::string(s);
  std::string out(a.name().empty() ? std::string_view("alert") : a.name());
  for (const auto& [k, v] : a.labels) {
    if (k == "alertname" || k == "severity") continue;
    out += ' ';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

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

// Slack's mrkdwn reserves exactly these three characters; a line break would split the line.
void append_slack_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
}

SinkPayload json_payload(const json::value& v) {
  return SinkPayload{std::string(json_type), json::serialize(v)};
}

}  // namespace

std::string_view to_string(SinkKind k) {
  switch (k) {
    case SinkKind::webhook: return "webhook";
    case SinkKind::alertmanager: return "alertmanager";
    case SinkKind::pagerduty: return "pagerduty";
    case SinkKind::slack: return "slack";
  }
  return "webhook";
}

std::optional<SinkKind> parse_sink_kind(std::string_view name) {
  for (SinkKind k : {SinkKind::webhook, SinkKind::alertmanager, SinkKind::pagerduty,
                     SinkKind::slack}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

SinkPayload format_webhook(const AlertEvent& event) {
  const core::Alert& a = event.alert;
  json::object data;
  data["status"] = resolved(event) ? "resolved" : "firing";
  data["labels"] = to_json(a.labels);
  data["annotations"] = to_json(a.annotations);
  data["startsAt"] = core::format_rfc3339_ms(a.starts_at);
  if (resolved(event)) {
    data["endsAt"] = core::format_rfc3339_ms(resolved_end(event));
  } else {
    data["endsAt"] = nullptr;
  }
  data["fingerprint"] = a.fingerprint;
  json::object root;
  root["type"] = resolved(event) ? "alert.resolved" : "alert.firing";
  root["timestamp"] = core::format_rfc3339_ms(event.at);
  root["data"] = std::move(data);
  return json_payload(root);
}

namespace {

json::object alertmanager_alert(const AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  json::object alert;
  alert["labels"] = to_json(a.labels);
  alert["annotations"] = to_json(a.annotations);
  alert["startsAt"] = core::format_rfc3339_ms(a.starts_at);
  if (resolved(event)) {
    alert["endsAt"] = core::format_rfc3339_ms(resolved_end(event));
  } else if (settings.alertmanager_valid_for.count() > 0) {
    alert["endsAt"] = core::format_rfc3339_ms(event.at + settings.alertmanager_valid_for);
  }
  if (!settings.generator_url.empty()) alert["generatorURL"] = settings.generator_url;
  return alert;
}

}  // namespace

SinkPayload format_alertmanager(const AlertEvent& event, const SinkSettings& settings) {
  json::array body;
  body.push_back(alertmanager_alert(event, settings));
  return json_payload(body);
}

SinkPayload format_alertmanager_batch(const std::vector<AlertEvent>& events,
                                      const SinkSettings& settings) {
  json::array body;
  body.reserve(events.size());
  for (const auto& e : events) body.push_back(alertmanager_alert(e, settings));
  return json_payload(body);
}

SinkPayload format_pagerduty(const AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  json::object root;
  root["routing_key"] = settings.routing_key;
  root["event_action"] = resolved(event) ? "resolve" : "trigger";
  root["dedup_key"] = a.fingerprint;
  root["client"] = "flywatch";
  // A resolve needs only the dedup_key; PagerDuty ignores a payload on it.
  if (!resolved(event)) {
    std::string source = settings.source;
    if (source.empty()) source = label(a, "target");
    if (source.empty()) source = label(a, "app");
    if (source.empty()) source = "flywatch";
    json::object details;
    details["labels"] = to_json(a.labels);
    details["annotations"] = to_json(a.annotations);
    details["startsAt"] = core::format_rfc3339_ms(a.starts_at);
    details["fingerprint"] = a.fingerprint;
    json::object payload;
    payload["summary"] = cut_utf8(short_summary(a), 1024);
    payload["source"] = source;
    payload["severity"] = pagerduty_severity(a.severity());
    payload["timestamp"] = core::format_rfc3339_ms(a.starts_at);
    payload["custom_details"] = std::move(details);
    root["payload"] = std::move(payload);
  }
  return json_payload(root);
}

SinkPayload format_slack(const AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  std::string text = resolved(event) ? "[RESOLVED] " : "[FIRING] ";
  append_slack_escaped(text, a.name().empty() ? std::string_view("alert") : a.name());
  if (!a.severity().empty()) {
    text += " (";
    append_slack_escaped(text, a.severity());
    text += ')';
  }
  text += ": ";
  append_slack_escaped(text, short_summary(a));
  if (event.kind == AlertEventKind::repeat) text += " (still firing)";
  text += "\nlabels: ";
  bool first = true;
  for (const auto& [k, v] : a.labels) {
    if (!first) text += ", ";
    first = false;
    append_slack_escaped(text, k);
    text += '=';
    append_slack_escaped(text, v);
  }
  if (!settings.source.empty()) {
    text += "\nsource: ";
    append_slack_escaped(text, settings.source);
  }
  json::object root;
  root["text"] = text;
  return json_payload(root);
}

SinkPayload format_for_sink(SinkKind kind, const AlertEvent& event, const SinkSettings& settings) {
  switch (kind) {
    case SinkKind::webhook: return format_webhook(event);
    case SinkKind::alertmanager: return format_alertmanager(event, settings);
    case SinkKind::pagerduty: return format_pagerduty(event, settings);
    case SinkKind::slack: return format_slack(event, settings);
  }
  return format_webhook(event);
}

bool SinkFilter::matches(const core::Alert& alert) const {
  if (!severities.empty()) {
    const auto s = core::parse_severity(alert.severity());
    if (!s || !severities.contains(*s)) return false;
  }
  return alertnames.empty() || alertnames.contains(alert.name());
}

}  // namespace flywatch::alert
