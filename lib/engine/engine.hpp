#pragma once
/// The probe engine: schedules every target on one io_context, runs probes through the
/// Prober seam, evaluates them, and publishes what happened on its EventBus, to which it
/// subscribes the metrics, the logs and the alerts (the composition root of the event path).

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "config/config.hpp"
#include "engine/alert_center.hpp"
#include "engine/alert_subscriber.hpp"
#include "engine/app_watch.hpp"
#include "engine/cold_start_subscriber.hpp"
#include "engine/events.hpp"
#include "engine/journey_watch.hpp"
#include "engine/log_subscriber.hpp"
#include "engine/metrics_subscriber.hpp"
#include "engine/target_runtime.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"
#include "net/prober.hpp"
#include "net/http_client.hpp"

namespace flywatch::engine {

/// Runs the targets of the applied config. Every member runs on the io_context's one thread.
///
/// Scheduling: each target runs every `interval`, measured start to start from its due times (no
/// drift); first runs are spread over the interval by a stable hash of the name. At most
/// `probes.max_in_flight` probes run at once; a due target beyond that waits in FIFO order and
/// its lateness shows in flywatch_scheduler_lateness_seconds. A target still in flight when it is
/// due again skips that run.
class Engine {
 public:
  /// `prober` runs the targets' probes, `http` talks to the Fly Machines API; both, `metrics`
  /// and `logger` must outlive the engine.
  Engine(boost::asio::io_context& io, net::Prober& prober, net::HttpClient& http,
         metrics::Metrics& metrics, log::Logger& logger);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Applies a validated configuration (initially and on every reload). New targets are scheduled;
  /// removed ones stop and lose their series; a target whose probe is unchanged keeps its health
  /// state and its schedule phase (so a reload makes it miss no run); a changed one starts afresh.
  /// A target named by a Fly app is not scheduled: the app's AppWatch probes it per machine.
  /// Apps keep their machines' states across a reload; removed apps lose their series. Journeys
  /// run on their own schedules; an unchanged one (same_journey) keeps its state.
  void apply(const config::Config& cfg);

  /// Stops scheduling. Probes in flight finish or are abandoned with the io_context.
  void stop();

  /// The alert evaluation fed by every probe and fleet evaluation (its publisher is set by the
  /// daemon).
  AlertCenter& alerts() { return alerts_; }

  /// The status document of /api/v1/status: "targets", "apps", "journeys", "cold_starts"
  /// (the last ones that ended, newest first) and "alerts" (firing now, oldest first).
  boost::json::object status() const;
  /// status() as JSON text.
  std::string status_json() const;
  /// status(), built `targets_per_step` targets at a time, letting the loop run between two
  /// steps (10,000 targets take tens of milliseconds). The targets are those at the start,
  /// held, so a reload meanwhile is harmless. The engine must outlive it.
  boost::asio::awaitable<boost::json::object> status_in_steps(std::size_t targets_per_step = 100) const;
  /// status_json() from status_in_steps(), serialized on the worker pool (net::worker_pool):
  /// what GET /api/v1/status answers without holding the loop.
  boost::asio::awaitable<std::string> status_json_in_steps() const;

  std::size_t target_count() const { return targets_.size(); }
  std::size_t app_count() const { return apps_.size(); }
  std::size_t journey_count() const { return journeys_.size(); }
  std::size_t in_flight() const { return static_cast<std::size_t>(in_flight_); }
  /// Probes completed since start (for tests and benchmarks).
  std::uint64_t completed() const { return completed_; }

 private:
  /// The parts of status() other than "targets": apps, journeys, cold starts, alerts.
  void add_status_rest(boost::json::object& doc) const;
  struct HeapEntry {
    std::chrono::steady_clock::time_point due;
    std::shared_ptr<TargetRuntime> target;
    std::uint64_t generation;
    bool operator>(const HeapEntry& o) const { return due > o.due; }
  };

  void schedule(const std::shared_ptr<TargetRuntime>& t, std::chrono::steady_clock::time_point due);
  boost::asio::awaitable<void> timer_loop();
  void dispatch_due(std::chrono::steady_clock::time_point now);
  void start_or_wait(const std::shared_ptr<TargetRuntime>& t);
  void launch(const std::shared_ptr<TargetRuntime>& t);
  boost::asio::awaitable<void> run_probe(std::shared_ptr<TargetRuntime> t);
  void probe_finished();
  void retire(const std::shared_ptr<TargetRuntime>& t);
  void apply_fly(const config::Config& cfg);
  void apply_journeys(const config::Config& cfg);

  boost::asio::io_context& io_;
  net::Prober& prober_;
  net::HttpClient& http_;  // the Fly Machines API
  AlertCenter alerts_;
  // The event path: publishers get the bus; subscribers run in this order.
  MetricsSubscriber metrics_events_;
  LogSubscriber log_events_;
  AlertSubscriber alert_events_;
  ColdStartSubscriber cold_starts_;
  EventBus events_;
  boost::asio::steady_timer timer_;
  bool timer_loop_running_ = false;
  bool stopped_ = false;

  std::map<std::string, std::shared_ptr<TargetRuntime>, std::less<>> targets_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  std::deque<std::shared_ptr<TargetRuntime>> waiting_;
  int max_in_flight_ = 1024;
  int in_flight_ = 0;
  std::uint64_t completed_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< expires with the engine

  std::map<std::string, std::shared_ptr<AppWatch>, std::less<>> apps_;
  std::shared_ptr<fly::MachinePoller> poller_;
  std::string poller_key_;  ///< api_url and token the poller was made with

  std::map<std::string, std::shared_ptr<JourneyWatch>, std::less<>> journeys_;
};

}  // namespace flywatch::engine
