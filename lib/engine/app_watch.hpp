#pragma once
/// Watches one Fly app (DESIGN §5): polls its machines through the Machines API, follows each
/// machine's lifecycle, probes the app's target once per started machine (fly-force-instance-id)
/// and applies the app's sleep policy. Everything runs on the engine's io_context thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "config/config.hpp"
#include "core/machine_lifecycle.hpp"
#include "core/journey_route.hpp"
#include "core/machine_probe_book.hpp"
#include "core/poll_schedule.hpp"
#include "core/sleep_policy.hpp"
#include "engine/app_releases.hpp"
#include "engine/events.hpp"
#include "engine/target_runtime.hpp"
#include "fly/app_poll_state.hpp"
#include "fly/machine_poller.hpp"
#include "fly/wait_book.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

/// What an AppWatch is told by the configuration; replaced whole on reload.
struct AppWatchSettings {
  config::FlyApp app;
  std::chrono::milliseconds poll_interval{5000};
  std::shared_ptr<fly::MachinePoller> poller;
  /// The runtime of `app.target`, or null when the app names no target. The engine never
  /// schedules it on its own: this watch probes it.
  std::shared_ptr<TargetRuntime> target;
};

/// One watched app.
///
/// Polls run every poll_interval (backing off on API failures, keeping the last known states).
/// A machine seen stopped, suspended or starting gets a wait request (`…/wait?state=started`,
/// held by the API up to 60 s) so that the poll after its start, and with it the first
/// per-machine probe, comes at once rather than up to a poll interval later; fly::WaitBook
/// decides which (no standbys; a wait the API refused is not sent again for the same machine
/// state). Waits in flight are cancelled by stop() and by a reload that replaces the poller.
/// Per-machine probes and the sleep policy are driven by successful polls, so a machine is only
/// probed right after the API said it is started: a probe never wakes a machine that autostop
/// just stopped. A machine's probe runs after every poll until its verdict is known, then every
/// target interval. Each probe result re-evaluates the fleet at once, so a cold start's `ready`
/// phase ends when the first good answer arrives, not at the next poll.
class AppWatch : public std::enable_shared_from_this<AppWatch> {
 public:
  /// Everything the watch observes goes to `events` (metrics, logs and alerts subscribe there).
  AppWatch(boost::asio::io_context& io, AppWatchSettings settings, net::Prober& prober,
           const EventBus& events);
  AppWatch(const AppWatch&) = delete;
  AppWatch& operator=(const AppWatch&) = delete;

  /// Starts polling (the first poll runs at once).
  void start();
  /// Stops for good: the loop ends, results still in flight are dropped. Series are left to the
  /// caller (FleetMetrics::remove_app).
  void stop();
  /// Applies a reloaded configuration of the same app; machine states and cold starts in
  /// progress are kept. A changed target starts its per-machine verdicts afresh.
  void update(AppWatchSettings settings);

  const std::string& name() const { return settings_.app.name; }
  /// The app's entry of /api/v1/status.
  boost::json::object status() const;
  /// Where a journey bound to this app runs now (core::route_journey over the machines' states,
  /// the app's sleep and its when_asleep).
  core::JourneyRoute journey_route() const;

 private:
  boost::asio::awaitable<void> poll_loop(std::shared_ptr<AppWatch> self);
  boost::asio::awaitable<void> wait_started(std::shared_ptr<AppWatch> self,
                                            fly::WaitBook::Ticket ticket);
  void watch_for_starts(std::chrono::system_clock::time_point now);
  void cancel_waits();
  void poll_now();
  std::chrono::milliseconds handle_poll(const fly::PollOutcome& outcome);
  void on_poll(const fly::PollOutcome& outcome, std::chrono::system_clock::time_point now);
  void observe(std::chrono::system_clock::time_point now);
  void send_machine_probes(std::chrono::steady_clock::time_point now);
  void send_app_probe(std::chrono::steady_clock::time_point now);
  boost::asio::awaitable<void> probe_machine(std::shared_ptr<AppWatch> self,
                                             core::MachineProbeOrder order, net::ProbeSpec spec);
  boost::asio::awaitable<void> probe_app(std::shared_ptr<AppWatch> self, net::ProbeSpec spec,
                                         bool wake, std::uint64_t generation);
  core::LogFields machine_context(const std::string& id) const;

  boost::asio::io_context& io_;
  AppWatchSettings settings_;
  net::Prober& prober_;
  const EventBus& events_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  core::PollSchedule schedule_;  ///< when the next list is due
  fly::WaitBook waits_;  ///< which machines have a wait in flight, which were refused
  /// Cancels each wait in flight (by ticket seq); an entry goes when its wait has ended.
  std::map<std::uint64_t, boost::asio::cancellation_signal> wait_signals_;

  fly::AppPollState poll_state_;
  core::AppFleet fleet_;
  bool asleep_ = false;
  std::string last_error_code_;  ///< to log a failing API once per kind, not every poll
  std::map<std::string, std::string> regions_;  ///< machine id → region, from the last list
  std::map<std::string, std::string> fly_states_;  ///< machine id → Fly's state string
  core::MachineProbeBook probes_;  ///< own probes of started machines of an app with a target
  std::map<std::string, LastOutcome> machine_last_;  ///< latest per-machine result, by id
  std::uint64_t probe_generation_ = 0;  ///< bumped when the target changes; older results dropped
  core::SleepPolicy sleep_;
  std::optional<LastOutcome> app_last_;  ///< latest probe of the public URL
  std::shared_ptr<AppReleases> releases_;
};

}  // namespace flywatch::engine
