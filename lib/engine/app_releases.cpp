#include "engine/app_releases.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace flywatch::engine {

namespace asio = boost::asio;

void AppReleases::on_list(const std::vector<core::MachineSnapshot>& machines,
                          const std::shared_ptr<fly::MachinePoller>& poller,
                          std::chrono::system_clock::time_point now) {
  const core::ReleaseUpdate update = tracker_.observe(machines);
  publish(update, now);
  for (const std::string& id : update.to_fetch) {
    if (!poller || !fetching_.insert(id).second) continue;
    asio::co_spawn(io_, fetch(shared_from_this(), poller, id), asio::detached);
  }
}

asio::awaitable<void> AppReleases::fetch(std::shared_ptr<AppReleases> self,
                                         std::shared_ptr<fly::MachinePoller> poller,
                                         std::string id) {
  const fly::PollOutcome got = co_await poller->get_machine(app_, id);
  fetching_.erase(id);
  if (stopped_ || !got.ok || got.machines.empty()) co_return;  // a failed fetch: the next list asks again
  publish(tracker_.observe_command(got.machines.front()), std::chrono::system_clock::now());
  (void)self;
}

void AppReleases::publish(const core::ReleaseUpdate& update,
                          std::chrono::system_clock::time_point now) {
  events_.publish(ReleaseObserved{app_, update, tracker_.current(), tracker_.failure(), now});
}

boost::json::object AppReleases::status() const {
  boost::json::object o;
  const auto& current = tracker_.current();
  o["version"] = current ? boost::json::value(current->version) : boost::json::value(nullptr);
  o["image"] = current ? boost::json::value(current->image) : boost::json::value(nullptr);
  if (const auto& f = tracker_.failure()) {
    o["release_command_failed"] = {{"machine", f->machine},
                                   {"exit_code", f->exit_code},
                                   {"oom_killed", f->oom_killed}};
  } else {
    o["release_command_failed"] = nullptr;
  }
  return o;
}

}  // namespace flywatch::engine
