// The /api/v1/status document.
#include <algorithm>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "engine/json_text.hpp"
#include "engine/engine.hpp"
#include "engine/outcome_json.hpp"
#include "net/worker_pool.hpp"

namespace flywatch::engine {

namespace {

// The config refuses user:pass@ in URLs, but a query string may still carry a token expanded
// from ${VAR}; secrets never leave through the API, so the query is not shown.
std::string redact_query(const std::string& url) {
  const auto q = url.find('?');
  return q == std::string::npos ? url : url.substr(0, q) + "?REDACTED";
}

boost::json::value time_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? boost::json::value(core::format_rfc3339_ms(*t)) : boost::json::value(nullptr);
}

boost::json::value seconds_or_null(const std::optional<std::chrono::milliseconds>& d) {
  return d ? boost::json::value(core::to_seconds(*d)) : boost::json::value(nullptr);
}

// A cold start that ended. Its phases are those the metrics observe: an unknown boot (only the
// `started` event was seen) has no boot and no total.
boost::json::object cold_start_json(const core::ColdStartRecord& r) {
  const auto& e = r.episode;
  boost::json::object o;
  o["app"] = r.app;
  o["machine"] = r.machine;
  o["region"] = r.region;
  o["kind"] = std::string(core::to_string(e.kind));
  o["outcome"] = r.abandoned ? "abandoned" : "healthy";
  o["slow"] = e.slow;
  o["start"] = core::format_rfc3339_ms(e.start);
  o["end"] = time_or_null(r.abandoned ? e.ended : e.healthy);
  o["boot_seconds"] = seconds_or_null(e.boot());
  o["ready_seconds"] = seconds_or_null(e.ready());
  o["total_seconds"] = seconds_or_null(e.known_total());
  return o;
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

// One entry of "targets".
boost::json::object target_status(const std::string& name, const TargetRuntime& t) {
  boost::json::object o;
  o["name"] = name;
  o["url"] = redact_query(t.cfg.url);
  o["state"] = std::string(core::to_string(t.health().state()));
  o["probed_through_app"] = t.bound;
  if (t.health().state() != core::TargetState::unknown) {
    o["since"] = core::format_rfc3339_ms(t.health().since());
  } else {
    o["since"] = nullptr;
  }
  o["consecutive_failures"] = t.health().consecutive_failures();
  o["interval_seconds"] = core::to_seconds(t.cfg.interval);
  o["last"] = outcome_json(t.last());
  return o;
}

}  // namespace

boost::json::object Engine::status() const {
  boost::json::array list;
  list.reserve(targets_.size());
  for (const auto& [name, t] : targets_) list.push_back(target_status(name, *t));
  boost::json::object doc;
  doc["targets"] = std::move(list);
  add_status_rest(doc);
  return doc;
}

boost::asio::awaitable<boost::json::object> Engine::status_in_steps(std::size_t targets_per_step) const {
  const auto executor = co_await boost::asio::this_coro::executor;
  std::vector<std::pair<std::string, std::shared_ptr<const TargetRuntime>>> held(targets_.begin(),
                                                                                  targets_.end());
  boost::json::array list;
  list.reserve(held.size());
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (i > 0 && i % targets_per_step == 0) co_await boost::asio::post(executor, boost::asio::use_awaitable);
    list.push_back(target_status(held[i].first, *held[i].second));
  }
  boost::json::object doc;
  doc["targets"] = std::move(list);
  add_status_rest(doc);
  co_return doc;
}

// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

// A coroutine of its own, its argument copied into its frame (GCC 12 destroys the captures of a
// lambda coroutine given to co_spawn twice).
boost::asio::awaitable<std::string> serialize_on_worker(std::shared_ptr<const boost::json::value> doc) {
  co_return to_json_text(*doc);
}

}  // namespace

boost::asio::awaitable<std::string> Engine::status_json_in_steps() const {
  boost::json::object built = co_await status_in_steps();
  auto doc = std::make_shared<const boost::json::value>(std::move(built));
  // The document is the worker's own: serializing it reads nothing of the engine.
  std::string text =
      co_await boost::asio::co_spawn(net::worker_pool(), serialize_on_worker(std::move(doc)),
                                     boost::asio::use_awaitable);
  co_return text;
}

#pragma GCC diagnostic pop

void Engine::add_status_rest(boost::json::object& doc) const {
  boost::json::array apps;
  for (const auto& [name, watch] : apps_) apps.push_back(watch->status());
  boost::json::array journeys;
  for (const auto& [name, watch] : journeys_) journeys.push_back(watch->status());
  doc["apps"] = std::move(apps);
  doc["journeys"] = std::move(journeys);
  boost::json::array cold_starts;
  for (const auto& r : cold_starts_.history().entries()) cold_starts.push_back(cold_start_json(r));
  doc["cold_starts"] = std::move(cold_starts);
  boost::json::array alerts;
  for (const auto& a : alerts_.listing()) alerts.push_back(alert_json(a));
  doc["alerts"] = std::move(alerts);
}

std::string Engine::status_json() const { return to_json_text(status()); }

}  // namespace flywatch::engine
