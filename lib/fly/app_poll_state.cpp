#include "fly/app_poll_state.hpp"

#include <algorithm>

namespace flywatch::fly {

using std::chrono::milliseconds;

namespace {

core::BackoffPolicy policy_for(milliseconds interval, milliseconds max_backoff, milliseconds max_retry_after) {
  core::BackoffPolicy p;
  p.base = interval;
  // The cap can never be below the interval: backing off must not mean polling faster.
  p.cap = std::max(max_backoff, interval);
  p.floor = interval;
  p.retry_after_cap = max_retry_after;
  return p;
}

}  // namespace

AppPollState::AppPollState(milliseconds interval, milliseconds max_backoff, milliseconds max_retry_after)
    : interval_(std::max(interval, milliseconds(0))),
      max_backoff_(max_backoff),
      max_retry_after_(max_retry_after),
      backoff_(policy_for(interval_, max_backoff, max_retry_after)) {}

void AppPollState::set_interval(milliseconds interval) {
  interval_ = std::max(interval, milliseconds(0));
  backoff_ = core::Backoff(policy_for(interval_, max_backoff_, max_retry_after_));
}

PollDecision AppPollState::on_outcome(const PollOutcome& outcome, std::chrono::system_clock::time_point now,
                                      double random) {
  if (outcome.ok) {
    machines_ = outcome.machines;
    last_success_ = now;
    last_error_code_.clear();
    last_error_.clear();
    backoff_.reset();
    return {false, interval_};
  }

  last_error_code_ = outcome.code;
  last_error_ = outcome.message;
  if (outcome.retryable) return {true, backoff_.next_delay(random, outcome.retry_after)};

  // Not retryable (bad token, unknown app): hammering will not help, but the fault may be fixed
  // outside (token rotated, app created), so keep polling at the normal pace.
  milliseconds delay = interval_;
  if (outcome.retry_after) {
    delay = std::max(delay, std::min(*outcome.retry_after, backoff_.policy().retry_after_cap));
  }
  return {true, delay};
}

}  // namespace flywatch::fly
