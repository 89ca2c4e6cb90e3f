#include "core/sleep_policy.hpp"

namespace flywatch::core {

std::optional<AppProbeOrder> SleepPolicy::on_list(bool asleep, bool has_target,
                                                  const SleepSettings& settings, time_point now) {
  if (!asleep) last_wake_ = now;
  if (!asleep || !has_target || in_flight_) return std::nullopt;
  AppProbeOrder order;
  if (settings.action == AsleepAction::probe) {
    if (answered_ && now - last_start_ < settings.probe_interval) return std::nullopt;
  } else if (settings.action == AsleepAction::wake_every && settings.wake_every) {
    if (now - last_wake_ < *settings.wake_every) return std::nullopt;
    order.wake = true;
    order.extra_timeout = settings.cold_start_slo;
    last_wake_ = now;
  } else {
    return std::nullopt;  // skip: nothing is sent while every machine sleeps
  }
  in_flight_ = true;
  last_start_ = now;
  return order;
}

void SleepPolicy::on_result(bool wake, bool success) {
  in_flight_ = false;
  answered_ = true;
  if (wake) wake_failed_ = !success;
}

}  // namespace flywatch::core
