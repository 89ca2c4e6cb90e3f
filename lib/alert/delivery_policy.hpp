#pragma once
/// What one webhook delivery attempt's answer means (DESIGN §7): delivered, retry later, or give
/// up. Pure: the attempt's outcome comes in, a decision goes out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/backoff.hpp"
#include "net/http_client.hpp"

namespace flywatch::alert {

enum class DeliveryResult {
  delivered,  ///< 2xx
  retry,      ///< 408, 429, 5xx, or no answer (network error, timeout)
  failed,     ///< any other status: the receiver refuses this event; retrying cannot help
};
std::string_view to_string(DeliveryResult r);  ///< the `result` label of flywatch_webhook_deliveries_total

struct DeliveryDecision {
  DeliveryResult result = DeliveryResult::retry;
  /// For retry: wait this long before the next attempt of the same event (same webhook-id).
  std::chrono::milliseconds delay{0};
  std::string reason;  ///< for the log line: "HTTP 503", "connect: refused", …
};

/// The default retry shape: 1 s doubling to 5 min with full jitter, Retry-After honoured up to
/// 15 min.
core::BackoffPolicy default_delivery_backoff();

/// Classifies one attempt. `result` is the answer to the POST (or its failed step);
/// `retry_after` is the parsed Retry-After header, if any; `backoff` counts this event's failed
/// attempts so far (advanced here on retry); `random` in [0, 1] draws the jitter.
DeliveryDecision classify_delivery(const net::HttpResponse& result,
                                   std::optional<std::chrono::milliseconds> retry_after,
                                   core::Backoff& backoff, double random);

}  // namespace flywatch::alert
