// The durable side of AlertDispatcher: publish() appends events and notes to the outbox and
// writes alerts.json, on the outbox thread, in that order; failed writes are retried by a flush.
#include "engine/alert_dispatcher.hpp"

#include <algorithm>

#include <boost/asio/bind_executor.hpp>

#include "alert/alert_notes.hpp"

namespace flywatch::engine {

using std::chrono::system_clock;

void AlertDispatcher::publish(const std::vector<core::AlertEvent>& events,
                              std::optional<std::vector<alert::PersistedAlert>> state) {
  std::vector<Append> appends;
  for (const auto& e : events) {
    for (const auto& [name, s] : sinks_) {
      if (!s.filter.matches(e.alert)) continue;
      appends.push_back({name, s.kind->format(e, s.settings).body});
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
