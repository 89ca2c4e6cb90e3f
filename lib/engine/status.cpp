// The /api/v1/status document.
#include <boost/json.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "engine/json_text.hpp"
#include "engine/engine.hpp"
#include "engine/outcome_json.hpp"

namespace flywatch::engine {

namespace {

// The config refuses user:pass@ in URLs, but a query string may still carry a token expanded
// from ${VAR}; secrets never leave through the API, so the query is not shown.
std::string redact_query(const std::string& url) {
  const auto q = url.find('?');
  return q == std::string::npos ? url : url.substr(0, q) + "?REDACTED";
}

// A firing alert: its labels as sent, and what became of its page (core::AlertListing).
boost::json::object alert_json(const core::AlertListing& a) {
  const auto labels = [](const core::AlertLabels& l) {
    boost::json::object o;
    for (const auto& [k, v] : l) o[k] = v;
    return o;
  };
  boost::json::object o;
  o["name"] = a.alert.name();
  o["severity"] = a.alert.severity();
  o["labels"] = labels(a.alert.labels);
  const auto summary = a.alert.annotations.find("summary");
  o["summary"] = summary == a.alert.annotations.end() ? std::string() : summary->second;
  o["since"] = core::format_rfc3339_ms(a.alert.starts_at);
  o["state"] = a.state;
  o["notified"] = a.notified;
  o["inhibited_by"] = a.inhibited_by ? boost::json::value(labels(*a.inhibited_by)) : nullptr;
  return o;
}

}  // namespace

std::string Engine::status_json() const {
  boost::json::array list;
  list.reserve(targets_.size());
  for (const auto& [name, t] : targets_) {
    boost::json::object o;
    o["name"] = name;
    o["url"] = redact_query(t->cfg.url);
    o["state"] = std::string(core::to_string(t->health().state()));
    o["probed_through_app"] = t->bound;
    if (t->health().state() != core::TargetState::unknown) {
      o["since"] = core::format_rfc3339_ms(t->health().since());
    } else {
      o["since"] = nullptr;
    }
    o["consecutive_failures"] = t->health().consecutive_failures();
    o["interval_seconds"] = core::to_seconds(t->cfg.interval);
    o["last"] = outcome_json(t->last());
    list.push_back(std::move(o));
  }
  boost::json::array apps;
  for (const auto& [name, watch] : apps_) apps.push_back(watch->status());
  boost::json::array journeys;
  for (const auto& [name, watch] : journeys_) journeys.push_back(watch->status());
  boost::json::object doc;
  doc["targets"] = std::move(list);
  doc["apps"] = std::move(apps);
  doc["journeys"] = std::move(journeys);
  boost::json::array alerts;
  for (const auto& a : alerts_.listing()) alerts.push_back(alert_json(a));
  doc["alerts"] = std::move(alerts);
  return to_json_text(doc);
}

}  // namespace flywatch::engine
