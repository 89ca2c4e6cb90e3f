#include "alert/delivery_policy.hpp"

namespace flywatch::alert {

std::string_view to_string(DeliveryResult r) {
  switch (r) {
    case DeliveryResult::delivered: return "delivered";
    case DeliveryResult::retry: return "retry";
    case DeliveryResult::failed: return "failed";
  }
  return "retry";
}

core::BackoffPolicy default_delivery_backoff() {
  core::BackoffPolicy p;
  p.base = std::chrono::seconds(1);
  p.cap = std::chrono::minutes(5);
  p.floor = std::chrono::milliseconds(0);
  p.retry_after_cap = std::chrono::minutes(15);
  return p;
}

DeliveryDecision classify_delivery(const net::HttpResponse& result,
                                   std::optional<std::chrono::milliseconds> retry_after,
                                   core::Backoff& backoff, double random) {
  DeliveryDecision d;
  if (!result.ok()) {
    d.result = DeliveryResult::retry;
    // The client's message usually names its step already ("connect: …"): not twice.
    const std::string step(core::to_string(net::failure_reason(result)));
    d.reason = result.message.starts_with(step + ":") ? result.message : step + ": " + result.message;
    d.delay = backoff.next_delay(random, std::nullopt);
    return d;
  }
  const int s = result.status;
  d.reason = "HTTP " + std::to_string(s);
  if (s >= 200 && s <= 299) {
    d.result = DeliveryResult::delivered;
    return d;
  }
  if (s == 408 || s == 429 || (s >= 500 && s <= 599)) {
    d.result = DeliveryResult::retry;
    d.delay = backoff.next_delay(random, retry_after);
    return d;
  }
  d.result = DeliveryResult::failed;
  return d;
}

}  // namespace flywatch::alert
