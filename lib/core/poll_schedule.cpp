#include "core/poll_schedule.hpp"

#include <algorithm>

namespace flywatch::core {

void PollSchedule::started(time_point now) {
  polling_ = true;
  last_start_ = now;
}

PollSchedule::time_point PollSchedule::plan_next(bool ok, std::chrono::milliseconds delay) {
  next_ = last_start_ + delay;
  if (poll_now_ && ok) next_ = std::min(next_, earliest());
  poll_now_ = false;
  return next_;
}

bool PollSchedule::poll_now() {
  if (polling_) {
    poll_now_ = true;  // applied when the list in flight is done
    return false;
  }
  next_ = std::min(next_, earliest());
  return true;
}

bool PollSchedule::set_interval(std::chrono::milliseconds interval) {
  if (interval == interval_) return false;
  // The backoff restarts from the new interval (AppPollState); so does the wait here.
  interval_ = interval;
  next_ = std::min(next_, last_start_ + interval);
  return true;
}

PollSchedule::time_point PollSchedule::earliest() const {
  return last_start_ + std::min<std::chrono::milliseconds>(interval_, std::chrono::milliseconds(250));
}

}  // namespace flywatch::core
