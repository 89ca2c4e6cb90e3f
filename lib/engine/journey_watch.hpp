#pragma once
/// Runs one journey on its schedule (DESIGN §12): every `interval`, start to start, the first
/// run spread over the interval by its name like a target's; through one started machine of its
/// app when it names one (core::route_journey under the app's sleep policy). Each run is
/// recorded in its JourneyRuntime and published as JourneyRecorded. Timers and I/O only.

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "engine/app_watch.hpp"
#include "engine/events.hpp"
#include "engine/journey_runtime.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

class JourneyWatch : public std::enable_shared_from_this<JourneyWatch> {
 public:
  /// `app` is the watch of cfg.app (null when the journey names none). `prober` and `events`
  /// must outlive the watch.
  JourneyWatch(boost::asio::io_context& io, config::Journey cfg, std::shared_ptr<AppWatch> app,
               net::Prober& prober, const EventBus& events);
  JourneyWatch(const JourneyWatch&) = delete;
  JourneyWatch& operator=(const JourneyWatch&) = delete;

  /// Starts the schedule.
  void start();
  /// Stops for good; a run in flight finishes but is not recorded.
  void stop();
  /// Reload of the same journey (same steps and base, see same_journey): new interval and
  /// thresholds, state kept; `app` is the app's current watch.
  void update(const config::Journey& cfg, std::shared_ptr<AppWatch> app);

  const config::Journey& cfg() const { return runtime_->cfg; }
  /// The journey's entry of /api/v1/status.
  boost::json::object status() const;

 private:
  boost::asio::awaitable<void> loop(std::shared_ptr<JourneyWatch> self);
  boost::asio::awaitable<void> run_once();

  boost::asio::io_context& io_;
  /// Shared with the run in flight: a reload never changes its spec (a changed journey gets a
  /// new watch), so the run reads it without a copy.
  std::shared_ptr<JourneyRuntime> runtime_;
  std::shared_ptr<AppWatch> app_;
  net::Prober& prober_;
  const EventBus& events_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

/// True when two versions of a journey run alike (base, headers, TLS, variables, steps and
/// their expectations, timeout, body cap, app), so a reload may keep its state. Interval and
/// thresholds may differ.
bool same_journey(const config::Journey& a, const config::Journey& b);

}  // namespace flywatch::engine
