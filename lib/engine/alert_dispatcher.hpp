#pragma once
/// The delivery side of alerts (DESIGN §7). Formats each event for every sink whose filter takes
/// it, appends it to the durable outbox on the outbox's own thread (fsync never runs on the event
/// loop), persists the firing alerts next to it, wakes the sinks' delivery loops, re-sends firing
/// alerts to Alertmanager sinks, and keeps the flywatch_webhook_* metrics and the delivery log
/// lines. Runs on the io_context thread.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "alert/alert_state.hpp"
#include "alert/outbox_worker.hpp"
#include "alert/sink_delivery.hpp"
#include "alert/sink_format.hpp"
#include "alert/sink_registry.hpp"
#include "config/config.hpp"
#include "core/alert.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"
#include "net/http_client.hpp"

namespace flywatch::engine {

/// How a configured sink is reached and what it is sent (exposed for tests).
alert::SinkEndpoint sink_endpoint(const config::SinkConfig& sink);

class AlertDispatcher {
 public:
  using time_point = std::chrono::system_clock::time_point;

  /// `outbox` and `http` (which sends to the sinks) must outlive the dispatcher. `state_dir`
  /// receives alerts.json.
  /// `source` names this instance in PagerDuty and Slack messages.
  AlertDispatcher(boost::asio::io_context& io, alert::OutboxWorker& outbox,
                  std::filesystem::path state_dir, net::HttpClient& http,
                  metrics::Metrics& metrics, log::Logger& log, std::string source);
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  /// Starts a delivery loop per new sink (it first delivers what the outbox already holds for
  /// that name), restarts changed ones, stops removed ones (their undelivered events stay in the
  /// outbox until a sink of that name comes back). Call once the outbox holds its replay.
  void apply(const config::AlertsConfig& cfg);

  /// The queues found in the outbox at startup, for the metrics and a warning about events for
  /// sinks that are not configured. Call after apply().
  void seed_queues(const alert::OutboxStats& stats);

  /// AlertCenter's publisher: queues `events` for the sinks that take them, together with a note
  /// of what they change (lib/alert/alert_notes.hpp) in one durable write, and then writes
  /// `state` to alerts.json with the outbox seq it covers, in that order, on the outbox thread.
  /// Once alerts.json is durable the notes it covers are dropped from the outbox.
  void publish(const std::vector<core::AlertEvent>& events,
               std::optional<std::vector<alert::PersistedAlert>> state);

  /// Called on the outbox thread at each point between an event's write and the snapshot that
  /// covers it: "outbox_written" (a batch with a note is fsynced), "state_tmp_written",
  /// "state_renamed" (see write_alert_state), "state_written" (alerts.json durable, its notes
  /// still kept) and "notes_dropped". For crash tests (FLYWATCH_TEST_CRASH_AT); it applies to the
  /// writes queued after it is set.
  using CrashPoint = std::function<void(std::string_view point)>;
  void set_crash_point(CrashPoint at) { crash_point_ = std::move(at); }

  /// Where Alertmanager sinks get the alerts to re-send while they fire (AlertCenter's
  /// notified_firing()).
  void set_firing_source(std::function<std::vector<core::Alert>()> source) {
    firing_source_ = std::move(source);
  }

  /// Sets flywatch_webhook_queue_depth and _oldest_pending_seconds as of `now` (call before
  /// rendering /metrics: the age grows without any event).
  void refresh_metrics(time_point now);

  /// Stops the delivery loops and timers; queued events stay in the outbox.
  void stop();

 private:
  struct Sink {
    config::SinkConfig cfg;
    const alert::SinkKindOps* kind = nullptr;  ///< its entry in the sink registry
    alert::SinkFilter filter;
    alert::SinkSettings settings;
    std::shared_ptr<alert::SinkDelivery> delivery;
    std::unique_ptr<boost::asio::steady_timer> resend;  ///< alertmanager sinks only
    std::size_t depth = 0;
    std::optional<time_point> oldest;
  };
  struct Append {
    std::string sink;
    std::string body;
  };
  struct QueueState {
    std::string sink;
    std::size_t depth = 0;
    std::optional<time_point> oldest;
  };
  struct AppendOutcome {
    std::vector<alert::AppendResult> results;  ///< one per Append, in order
    std::vector<QueueState> queues;            ///< the sinks appended to
    std::error_code state_error;               ///< writing alerts.json
    std::string state_step;
    bool state_written = false;
  };

  void start_sink(Sink& s);
  void stop_sink(Sink& s);
  struct PendingState {
    std::vector<alert::PersistedAlert> alerts;
    /// The outbox seq the alerts cover, fixed by the first attempt to write them (on the outbox
    /// thread, the only one that touches it): a retry must not claim later events.
    mutable std::optional<std::uint64_t> covered;
  };
  using State = std::shared_ptr<const PendingState>;
  /// Appends `note` and `appends` in one write on the outbox thread, then (if `state`) formats
  /// and replaces alerts.json there; completes on the io_context.
  void enqueue(std::vector<Append> appends, State state, std::optional<std::string> note = {});
  void on_appended(const std::vector<Append>& appends, const AppendOutcome& outcome);
  void on_attempt(const alert::DeliveryReport& report);
  /// Records `sink`'s queue as the outbox thread last saw it, in the metrics too; null when
  /// the sink is not configured.
  Sink* note_queue(const std::string& sink, std::size_t depth, std::optional<time_point> oldest);
  void schedule_resend(Sink& s);
  void resend(const std::string& sink);
  void note_write_error(std::error_code error, const std::string& what);
  void schedule_flush();

  boost::asio::io_context& io_;
  alert::OutboxWorker& outbox_;
  std::filesystem::path state_dir_;
  net::HttpClient& http_;
  metrics::Metrics& metrics_;
  log::Logger& log_;
  std::string source_;
  std::function<std::vector<core::Alert>()> firing_source_;
  CrashPoint crash_point_;
  std::map<std::string, Sink, std::less<>> sinks_;
  boost::asio::steady_timer flush_timer_;
  bool flush_scheduled_ = false;
  std::error_code last_write_error_;  ///< to log a failing disk loudly once per kind
  State unsaved_state_;  ///< the latest state not known written to alerts.json
  std::uint64_t state_generation_ = 0;        ///< counts the states handed to the outbox thread
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< expires with the dispatcher
};

}  // namespace flywatch::engine
