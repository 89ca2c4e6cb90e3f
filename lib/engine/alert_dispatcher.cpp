// The sink side of AlertDispatcher: the configured sinks and their delivery loops, delivery
// reports and queue metrics, and re-sends (alert_dispatcher_writes.cpp writes the outbox).
#include "engine/alert_dispatcher.hpp"

#include <algorithm>

#include "alert/signing.hpp"
#include "core/duration.hpp"
#include "alert/sink_registry.hpp"

namespace flywatch::engine {

namespace {

using std::chrono::system_clock;

double seconds_since(std::optional<system_clock::time_point> t, system_clock::time_point now) {
  if (!t) return 0;
  return std::max(0.0, std::chrono::duration<double>(now - *t).count());
}


}  // namespace

alert::SinkEndpoint sink_endpoint(const config::SinkConfig& sink) {
  alert::SinkEndpoint ep;
  ep.name = sink.name;
  ep.endpoint = sink.endpoint;
  if (const auto* kind = &alert::sink_kind_ops(sink.type); kind->request_target) {
    ep.endpoint.target = kind->request_target(sink.endpoint.target);
  }
  if (!sink.secret.empty()) {
    // The config loader checked the secret; a bad one cannot get here.
    if (auto key = alert::decode_webhook_secret(sink.secret)) ep.signing_key = *key;
  }
  ep.timeout = sink.timeout;
  ep.retry.base = sink.retry_initial;
  ep.retry.cap = sink.retry_max;
  return ep;
}

AlertDispatcher::AlertDispatcher(boost::asio::io_context& io, alert::OutboxWorker& outbox,
                                 std::filesystem::path state_dir, net::HttpClient& http,
                                 metrics::Metrics& metrics, log::Logger& log, std::string source)
    : io_(io),
      outbox_(outbox),
      state_dir_(std::move(state_dir)),
      http_(http),
      metrics_(metrics),
      log_(log),
      source_(std::move(source)),
      flush_timer_(io) {}

void AlertDispatcher::apply(const config::AlertsConfig& cfg) {
  std::map<std::string, Sink, std::less<>> next;
  for (const auto& sc : cfg.sinks) {
    auto old = sinks_.find(sc.name);
    // SinkConfig's == leaves out the entry's line: a sink that only moved keeps delivering.
    if (old != sinks_.end() && old->second.cfg == sc) {
      next.emplace(sc.name, std::move(old->second));
      sinks_.erase(old);
      continue;
    }
    if (old != sinks_.end()) {
      stop_sink(old->second);
      next.emplace(sc.name, Sink{}).first->second.depth = old->second.depth;
      next[sc.name].oldest = old->second.oldest;
      sinks_.erase(old);
    }
    Sink& s = next[sc.name];
    s.cfg = sc;
    s.kind = &alert::sink_kind_ops(sc.type);
    for (const auto& name : sc.severities) {
      if (auto sev = core::parse_severity(name)) s.filter.severities.insert(*sev);
    }
    s.filter.alertnames.insert(sc.alertnames.begin(), sc.alertnames.end());
    s.settings.source = source_;
    s.settings.routing_key = sc.routing_key;
    if (s.kind->settle) s.kind->settle(s.settings, sc.resend_interval);
    if (!stopped_) start_sink(s);
  }
  for (auto& [name, s] : sinks_) {
    log_.info("sink removed", {{"sink", name},
                               {"reason", "undelivered events stay in the outbox until a sink of "
                                          "this name is configured again"}});
    stop_sink(s);
    metrics_.remove_sink(name);
  }
  sinks_ = std::move(next);
}

void AlertDispatcher::start_sink(Sink& s) {
  s.delivery = std::make_shared<alert::SinkDelivery>(
      io_, sink_endpoint(s.cfg), outbox_, http_,
      [this, alive = std::weak_ptr<int>(alive_)](const alert::DeliveryReport& r) {
        if (!alive.expired()) on_attempt(r);
      });
  s.delivery->start();
  metrics_.set_webhook_queue(s.cfg.name, static_cast<double>(s.depth), 0);
  if (s.kind->resends()) {
    s.resend = std::make_unique<boost::asio::steady_timer>(io_);
    schedule_resend(s);
  }
}

void AlertDispatcher::stop_sink(Sink& s) {
  if (s.delivery) s.delivery->stop();
  s.delivery.reset();
  if (s.resend) s.resend->cancel();
  s.resend.reset();
}

void AlertDispatcher::stop() {
  stopped_ = true;
  for (auto& [name, s] : sinks_) stop_sink(s);
  flush_timer_.cancel();
}

AlertDispatcher::Sink* AlertDispatcher::note_queue(const std::string& sink, std::size_t depth,
                                                   std::optional<time_point> oldest) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return nullptr;
  it->second.depth = depth;
  it->second.oldest = oldest;
  metrics_.set_webhook_queue(sink, static_cast<double>(depth),
                             seconds_since(oldest, system_clock::now()));
  return &it->second;
}

void AlertDispatcher::on_attempt(const alert::DeliveryReport& r) {
  metrics_.count_webhook_delivery(r.sink, alert::to_string(r.decision.result));
  switch (r.decision.result) {
    case alert::DeliveryResult::retry:
      log_.warn("webhook delivery failed", {{"sink", r.sink},
                                            {"webhook_id", r.webhook_id},
                                            {"reason", r.decision.reason},
                                            {"retry_in_ms", core::format_ms_count(r.decision.delay)}});
      return;
    case alert::DeliveryResult::failed:
      log_.error("webhook given up",
                 {{"sink", r.sink}, {"webhook_id", r.webhook_id}, {"reason", r.decision.reason}});
      break;
    case alert::DeliveryResult::delivered:
      log_.debug("webhook delivered", {{"sink", r.sink}, {"webhook_id", r.webhook_id}});
      break;
  }
  if (r.ack_error) note_write_error(r.ack_error, "a delivered event may be sent again");
  note_queue(r.sink, r.depth, r.oldest_enqueued_at);
}

void AlertDispatcher::seed_queues(const alert::OutboxStats& stats) {
  for (const auto& q : stats.sinks) {
    if (q.depth > 0 && !note_queue(q.sink, q.depth, q.oldest_enqueued_at)) {
      log_.warn("outbox holds events for a sink that is not configured",
                {{"sink", q.sink}, {"pending", std::to_string(q.depth)}});
    }
  }
}

void AlertDispatcher::refresh_metrics(time_point now) {
  for (const auto& [name, s] : sinks_) {
    metrics_.set_webhook_queue(name, static_cast<double>(s.depth), seconds_since(s.oldest, now));
  }
}

void AlertDispatcher::schedule_resend(Sink& s) {
  s.resend->expires_after(s.cfg.resend_interval);
  s.resend->async_wait([this, name = s.cfg.name, alive = std::weak_ptr<int>(alive_)](
                           const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopped_) return;
    resend(name);
  });
}

void AlertDispatcher::resend(const std::string& name) {
  auto it = sinks_.find(name);
  if (it == sinks_.end() || !it->second.resend) return;
  Sink& s = it->second;
  schedule_resend(s);
  // While older events wait, Alertmanager is not being reached: re-sends would only pile up
  // behind them. The queue drains in order and the next round re-sends.
  if (!firing_source_ || s.depth > 0) return;
  // All of them in as few requests as possible (the kind's batch size), not one per alert.
  const std::size_t per_request = std::max<std::size_t>(1, s.kind->resend_batch);
  const auto now = system_clock::now();
  std::vector<Append> appends;
  std::vector<core::AlertEvent> batch;
  const auto flush = [&] {
    if (batch.empty()) return;
    appends.push_back({name, s.kind->format_resend(batch, s.settings).body});
    batch.clear();
  };
  for (auto& a : firing_source_()) {
    if (!s.filter.matches(a)) continue;
    batch.push_back(core::AlertEvent{core::AlertEventKind::repeat, std::move(a), now});
    if (batch.size() == per_request) flush();
  }
  flush();
  if (!appends.empty()) enqueue(std::move(appends), nullptr);
}

}  // namespace flywatch::engine
