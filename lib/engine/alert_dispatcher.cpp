#include "engine/alert_dispatcher.hpp"

#include <algorithm>

#include <boost/asio/bind_executor.hpp>

#include "alert/alert_notes.hpp"
#include "alert/signing.hpp"
#include "core/duration.hpp"

namespace flywatch::engine {

namespace {

using std::chrono::system_clock;

alert::SinkKind kind_of(config::SinkType t) {
  switch (t) {
    case config::SinkType::webhook: return alert::SinkKind::webhook;
    case config::SinkType::alertmanager: return alert::SinkKind::alertmanager;
    case config::SinkType::pagerduty: return alert::SinkKind::pagerduty;
    case config::SinkType::slack: return alert::SinkKind::slack;
  }
  return alert::SinkKind::webhook;
}

bool same_sink(const config::SinkConfig& a, const config::SinkConfig& b) {
  return a.type == b.type && a.url == b.url && a.secret == b.secret &&
         a.routing_key == b.routing_key && a.headers == b.headers &&
         a.severities == b.severities && a.alertnames == b.alertnames && a.tls == b.tls &&
         a.timeout == b.timeout && a.retry_initial == b.retry_initial &&
         a.retry_max == b.retry_max && a.resend_interval == b.resend_interval;
}

double seconds_since(std::optional<system_clock::time_point> t, system_clock::time_point now) {
  if (!t) return 0;
  return std::max(0.0, std::chrono::duration<double>(now - *t).count());
}


}  // namespace

alert::SinkEndpoint sink_endpoint(const config::SinkConfig& sink) {
  alert::SinkEndpoint ep;
  ep.name = sink.name;
  ep.scheme = sink.scheme;
  ep.host = sink.host;
  ep.port = sink.port;
  ep.target = sink.target;
  if (sink.type == config::SinkType::alertmanager) {
    // The base URL may carry a path prefix (a reverse proxy); the API lives under it.
    std::string base = sink.target;
    if (auto q = base.find('?'); q != std::string::npos) base.resize(q);
    while (!base.empty() && base.back() == '/') base.pop_back();
    ep.target = base + "/api/v2/alerts";
  }
  if (!sink.secret.empty()) {
    // The config loader checked the secret; a bad one cannot get here.
    if (auto key = alert::decode_webhook_secret(sink.secret)) ep.signing_key = *key;
  }
  ep.headers = sink.headers;
  ep.ca_file = sink.tls.ca_file;
  ep.server_name = sink.tls.server_name;
  ep.insecure_skip_verify = sink.tls.insecure_skip_verify;
  ep.timeout = sink.timeout;
  ep.retry.base = sink.retry_initial;
  ep.retry.cap = sink.retry_max;
  return ep;
}

AlertDispatcher::AlertDispatcher(boost::asio::io_context& io, alert::OutboxWorker& outbox,
                                 std::filesystem::path state_dir, net::Prober& prober,
                                 metrics::Metrics& metrics, log::Logger& log, std::string source)
    : io_(io),
      outbox_(outbox),
      state_dir_(std::move(state_dir)),
      prober_(prober),
      metrics_(metrics),
      log_(log),
      source_(std::move(source)),
      flush_timer_(io) {}

void AlertDispatcher::apply(const config::AlertsConfig& cfg) {
  std::map<std::string, Sink, std::less<>> next;
  for (const auto& sc : cfg.sinks) {
    auto old = sinks_.find(sc.name);
    if (old != sinks_.end() && same_sink(old->second.cfg, sc)) {
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
    s.kind = kind_of(sc.type);
    for (const auto& name : sc.severities) {
      if (auto sev = core::parse_severity(name)) s.filter.severities.insert(*sev);
    }
    s.filter.alertnames.insert(sc.alertnames.begin(), sc.alertnames.end());
    s.settings.source = source_;
    s.settings.routing_key = sc.routing_key;
    if (sc.type == config::SinkType::alertmanager) {
      // Alertmanager resolves a firing alert by itself once endsAt passes, as it does for
      // Prometheus: several missed re-sends in a row mean flywatch is gone.
      s.settings.alertmanager_valid_for = std::max(
          std::chrono::seconds(1),
          std::chrono::duration_cast<std::chrono::seconds>(sc.resend_interval * 4));
    }
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
      io_, sink_endpoint(s.cfg), outbox_, prober_,
      [this, alive = std::weak_ptr<int>(alive_)](const alert::DeliveryReport& r) {
        if (!alive.expired()) on_attempt(r);
      });
  s.delivery->start();
  metrics_.set_webhook_queue(s.cfg.name, static_cast<double>(s.depth), 0);
  if (s.kind == alert::SinkKind::alertmanager) {
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

void AlertDispatcher::publish(const std::vector<core::AlertEvent>& events,
                              std::optional<std::vector<alert::PersistedAlert>> state) {
  std::vector<Append> appends;
  for (const auto& e : events) {
    for (const auto& [name, s] : sinks_) {
      if (!s.filter.matches(e.alert)) continue;
      appends.push_back({name, alert::format_for_sink(s.kind, e, s.settings).body});
    }
  }
  auto note = alert::format_alert_note(events);
  if (appends.empty() && !state && !note) return;
  enqueue(std::move(appends),
          state ? std::make_shared<const PendingState>(PendingState{std::move(*state), {}})
                : nullptr,
          std::move(note));
}

namespace {

/// Writes `alerts` to alerts.json with the seq they cover (`covered`, fixed at the first
/// attempt), then lets the outbox drop the notes they cover. Runs on the outbox thread.
std::error_code save_state(alert::WebhookOutbox& o, const std::filesystem::path& dir,
                           const std::vector<alert::PersistedAlert>& alerts,
                           std::optional<std::uint64_t>& covered,
                           const AlertDispatcher::CrashPoint& crash_point, std::string& step) {
  if (!covered) covered = o.last_seq();
  // Formatted here, off the event loop: it is as long as the list of firing alerts.
  const auto e =
      alert::write_alert_state(dir, alert::format_alert_state(alerts, *covered), step, crash_point);
  if (e) return e;
  if (crash_point) crash_point("state_written");
  o.drop_notes_through(*covered);
  if (crash_point) crash_point("notes_dropped");
  return {};
}

}  // namespace

void AlertDispatcher::enqueue(std::vector<Append> appends, State state,
                              std::optional<std::string> note) {
  const auto now = system_clock::now();
  if (state) {
    unsaved_state_ = state;  // until written: a flush retries it
    ++state_generation_;
  }
  auto job = [appends, state = std::move(state), dir = state_dir_, now, note = std::move(note),
              crash_point = crash_point_](alert::WebhookOutbox& o) {
    AppendOutcome out;
    if (!appends.empty() || note) {
      std::vector<alert::OutboxAppend> batch;
      batch.reserve(appends.size());
      for (const auto& a : appends) batch.push_back({a.sink, a.body});
      // The events and what they change, in one write: a crash keeps both or neither.
      out.results = o.append_batch(note, batch, now);
      if (note && crash_point) crash_point("outbox_written");
    }
    for (const auto& a : appends) {
      if (std::any_of(out.queues.begin(), out.queues.end(),
                      [&](const QueueState& q) { return q.sink == a.sink; })) {
        continue;
      }
      const alert::OutboxEvent* head = o.next(a.sink);
      out.queues.push_back({a.sink, o.depth(a.sink),
                            head ? std::optional(head->enqueued_at) : std::nullopt});
    }
    if (state) {
      out.state_error =
          save_state(o, dir, state->alerts, state->covered, crash_point, out.state_step);
      out.state_written = !out.state_error;
    }
    return out;
  };
  outbox_.run(std::move(job),
              boost::asio::bind_executor(
                  io_, [this, appends = std::move(appends), generation = state_generation_,
                        alive = std::weak_ptr<int>(alive_)](AppendOutcome outcome) {
                    if (alive.expired()) return;
                    on_appended(appends, outcome);
                    // Only the newest state counts as saved: an older write says nothing.
                    if (outcome.state_written && generation == state_generation_) {
                      unsaved_state_.reset();
                    }
                  }));
}

void AlertDispatcher::on_appended(const std::vector<Append>& appends, const AppendOutcome& outcome) {
  std::error_code write_error;
  for (std::size_t i = 0; i < appends.size() && i < outcome.results.size(); ++i) {
    const auto& r = outcome.results[i];
    if (!r.queued) {
      // Only the in-memory limit of a long disk outage refuses an event: say so loudly.
      log_.error("alert event dropped", {{"sink", appends[i].sink},
                                         {"reason", r.error ? r.error.message() : "refused"}});
      continue;
    }
    if (r.error) write_error = r.error;
  }
  if (write_error) {
    note_write_error(write_error, "alert events wait in memory");
  } else if (!appends.empty() && last_write_error_) {
    last_write_error_.clear();
    log_.info("outbox written again");
  }
  if (outcome.state_error) {
    log_.error("alert state write failed",
               {{"reason", outcome.state_step + ": " + outcome.state_error.message()},
                {"path", (state_dir_ / alert::alert_state_file_name).string()}});
    schedule_flush();
  }
  for (const auto& q : outcome.queues) {
    if (Sink* s = note_queue(q.sink, q.depth, q.oldest); s && s->delivery) s->delivery->wake();
  }
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
  // All of them in as few requests as possible: one outbox record and one POST per 500 alerts
  // (Alertmanager takes an array), not one per alert.
  constexpr std::size_t per_request = 500;
  const auto now = system_clock::now();
  std::vector<Append> appends;
  std::vector<core::AlertEvent> batch;
  const auto flush = [&] {
    if (batch.empty()) return;
    appends.push_back({name, alert::format_alertmanager_batch(batch, s.settings).body});
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

void AlertDispatcher::note_write_error(std::error_code error, const std::string& what) {
  if (error != last_write_error_) {
    log_.error("outbox write failed",
               {{"reason", error.message()}, {"path", state_dir_.string()}, {"effect", what}});
  }
  last_write_error_ = error;
  schedule_flush();
}

void AlertDispatcher::schedule_flush() {
  if (flush_scheduled_ || stopped_) return;
  flush_scheduled_ = true;
  flush_timer_.expires_after(std::chrono::seconds(5));
  flush_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the dispatcher may be gone
    flush_scheduled_ = false;
    if (stopped_) return;
    // The latest alert state too, if its write failed (a newer one may have succeeded since).
    struct Flushed {
      std::error_code outbox, state;
    };
    auto job = [state = unsaved_state_, dir = state_dir_,
                crash_point = crash_point_](alert::WebhookOutbox& o) {
      std::string step;
      Flushed f;
      f.outbox = o.flush_pending();
      if (state) f.state = save_state(o, dir, state->alerts, state->covered, crash_point, step);
      return f;
    };
    outbox_.run(std::move(job),
                boost::asio::bind_executor(io_, [this, generation = state_generation_,
                                                 alive = std::weak_ptr<int>(alive_)](Flushed f) {
                  if (alive.expired()) return;
                  if (f.state) {
                    schedule_flush();
                  } else if (generation == state_generation_) {
                    unsaved_state_.reset();
                  }
                  const std::error_code e = f.outbox;
                  if (e) {
                    note_write_error(e, "alert events wait in memory");
                    return;
                  }
                  if (last_write_error_) log_.info("outbox written again");
                  last_write_error_.clear();
                }));
  });
}

}  // namespace flywatch::engine
