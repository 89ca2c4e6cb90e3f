// Delivery decisions: which answers are delivered, retried (with backoff and Retry-After) or
// given up.
#include <doctest.h>

#include <chrono>

#include "alert/delivery_policy.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using alert::DeliveryResult;

namespace {

net::HttpResponse answered(int status) {
  net::HttpResponse r;
  r.status = status;
  return r;
}

}  // namespace

TEST_CASE("delivery: statuses map to delivered, retry or failed") {
  struct Row {
    int status;
    DeliveryResult want;
  };
  const Row rows[] = {{200, DeliveryResult::delivered}, {202, DeliveryResult::delivered},
                      {204, DeliveryResult::delivered}, {408, DeliveryResult::retry},
                      {429, DeliveryResult::retry},     {500, DeliveryResult::retry},
                      {503, DeliveryResult::retry},     {599, DeliveryResult::retry},
                      {400, DeliveryResult::failed},    {401, DeliveryResult::failed},
                      {404, DeliveryResult::failed},    {410, DeliveryResult::failed},
                      {301, DeliveryResult::failed},    {100, DeliveryResult::failed}};
  for (const auto& r : rows) {
    CAPTURE(r.status);
    core::Backoff b(alert::default_delivery_backoff());
    const auto d = alert::classify_delivery(answered(r.status), std::nullopt, b, 0.5);
    CHECK(d.result == r.want);
    CHECK(d.reason == "HTTP " + std::to_string(r.status));
    CHECK((d.delay > 0ms) == (r.want == DeliveryResult::retry));
  }
  CHECK(alert::to_string(DeliveryResult::failed) == "failed");
}

TEST_CASE("delivery: network errors retry; delays grow with jitter and honour Retry-After") {
  core::Backoff b(alert::default_delivery_backoff());
  net::HttpResponse refused;
  refused.error = net::HttpError::connect_failed;
  refused.step = "connect";
  refused.message = "connection refused";
  auto d = alert::classify_delivery(refused, std::nullopt, b, 1.0);
  CHECK(d.result == DeliveryResult::retry);
  CHECK(d.reason == "connect: connection refused");
  CHECK(d.delay == 2s);
  core::Backoff other(alert::default_delivery_backoff());
  refused.message = "connect: 127.0.0.1:9: Connection refused";  // the client names its step
  CHECK(alert::classify_delivery(refused, std::nullopt, other, 1.0).reason == refused.message);  // first failure: window [0, 1 s * 2^1], random 1.0 takes its top
  d = alert::classify_delivery(answered(503), std::nullopt, b, 1.0);
  CHECK(d.delay == 4s);
  d = alert::classify_delivery(answered(429), 30s, b, 0.0);
  CHECK(d.delay == 30s);  // Retry-After wins over a smaller jittered delay
  d = alert::classify_delivery(answered(429), std::chrono::hours(24), b, 0.0);
  CHECK(d.delay == 15min);  // ... up to its cap
  for (int i = 0; i < 20; ++i) d = alert::classify_delivery(answered(500), std::nullopt, b, 1.0);
  CHECK(d.delay == 5min);
}
