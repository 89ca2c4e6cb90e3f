#include "alert/sink_format.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "alert/sink_registry.hpp"

namespace flywatch::alert {

namespace json = boost::json;

namespace format {

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

bool resolved(const core::AlertEvent& e) { return e.kind == core::AlertEventKind::resolved; }

std::chrono::system_clock::time_point resolved_end(const core::AlertEvent& e) {
  return e.alert.ends_at ? std::min(*e.alert.ends_at, e.at) : e.at;
}

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

SinkPayload json_payload(const json::value& v) {
  return SinkPayload{"application/json", json::serialize(v)};
}

}  // namespace format

SinkPayload format_for_sink(SinkKind kind, const core::AlertEvent& event,
                            const SinkSettings& settings) {
  return sink_kind_ops(kind).format(event, settings);
}

bool SinkFilter::matches(const core::Alert& alert) const {
  if (!severities.empty()) {
    const auto s = core::parse_severity(alert.severity());
    if (!s || !severities.contains(*s)) return false;
  }
  return alertnames.empty() || alertnames.contains(alert.name());
}

}  // namespace flywatch::alert
