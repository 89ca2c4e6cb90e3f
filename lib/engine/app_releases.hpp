#pragma once
/// The releases of one watched app (research §3): core::ReleaseTracker fed with each good list
/// of the app's machines, release commands that Fly destroyed before their exit was listed
/// fetched by id, and every observation published as ReleaseObserved (one log line per release
/// and per release-command exit, the info metric, ReleaseFailed). Timers and I/O only.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include "core/release_tracker.hpp"
#include "engine/events.hpp"
#include "fly/machine_poller.hpp"

namespace flywatch::engine {

class AppReleases : public std::enable_shared_from_this<AppReleases> {
 public:
  AppReleases(boost::asio::io_context& io, std::string app, const EventBus& events)
      : io_(io), app_(std::move(app)), events_(events) {}

  /// One good list of the app's machines at `now`; `poller` fetches the release commands that
  /// left the list.
  void on_list(const std::vector<core::MachineSnapshot>& machines,
               const std::shared_ptr<fly::MachinePoller>& poller,
               std::chrono::system_clock::time_point now);
  /// Stops for good: fetches in flight are dropped.
  void stop() { stopped_ = true; }

  /// `{"version","image","release_command_failed":{"machine","exit_code","oom_killed"}|null}`, or
  /// null members before a release is seen.
  boost::json::object status() const;

 private:
  boost::asio::awaitable<void> fetch(std::shared_ptr<AppReleases> self,
                                     std::shared_ptr<fly::MachinePoller> poller, std::string id);
  void publish(const core::ReleaseUpdate& update, std::chrono::system_clock::time_point now);

  boost::asio::io_context& io_;
  std::string app_;
  const EventBus& events_;
  core::ReleaseTracker tracker_;
  std::set<std::string> fetching_;
  bool stopped_ = false;
};

}  // namespace flywatch::engine
