#pragma once
/// Delivers one sink's alert events from the outbox (DESIGN §7): oldest first, one at a time, at
/// least once, through the HttpClient seam (async, so a slow or dead receiver costs one
/// suspended coroutine, never a probe's time). Every attempt carries the
/// Standard Webhooks headers with the event's fixed webhook-id.

#include <chrono>
#include <functional>
#include <optional>
#include <system_error>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "alert/delivery_policy.hpp"
#include "alert/outbox_worker.hpp"
#include "net/http_client.hpp"

namespace flywatch::alert {

/// Where and how one sink is reached.
struct SinkEndpoint {
  std::string name;
  /// URL parts, TLS options and the sink's custom headers (sent after the standard ones).
  core::Endpoint endpoint;
  std::string content_type = "application/json";
  /// Decoded signing key (decode_webhook_secret); empty: no webhook-signature header.
  std::string signing_key;
  std::chrono::milliseconds timeout{10'000};  ///< per attempt
  core::BackoffPolicy retry = default_delivery_backoff();
};

/// What an attempt ended in, for metrics and logs (called on the io_context thread).
struct DeliveryReport {
  std::string sink;
  std::uint64_t seq = 0;
  std::string webhook_id;
  DeliveryDecision decision;
  /// After a delivered or failed attempt (the event acked): the sink's queue now.
  std::size_t depth = 0;
  std::optional<std::chrono::system_clock::time_point> oldest_enqueued_at;
  /// The ack could not be written (the event is delivered again if flywatch dies before it is).
  std::error_code ack_error;
};

class SinkDelivery : public std::enable_shared_from_this<SinkDelivery> {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// `outbox` and `client` must outlive the delivery; `on_attempt` sees every attempt's result.
  SinkDelivery(boost::asio::io_context& io, SinkEndpoint endpoint, OutboxWorker& outbox,
               net::HttpClient& client, std::function<void(const DeliveryReport&)> on_attempt,
               Clock clock = std::chrono::system_clock::now);

  /// Starts the loop; it sleeps while the sink's queue is empty.
  void start();
  /// Something was appended for this sink: deliver now unless a retry delay is running.
  void wake();
  /// Ends the loop after the attempt in flight (if any).
  void stop();

  /// The request an attempt of `event` sends at `now` (exposed for tests).
  net::HttpRequest request(const OutboxEvent& event, std::chrono::system_clock::time_point now) const;

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<SinkDelivery> self);

  boost::asio::io_context& io_;
  SinkEndpoint endpoint_;
  OutboxWorker& outbox_;
  net::HttpClient& client_;
  std::function<void(const DeliveryReport&)> on_attempt_;
  Clock clock_;
  boost::asio::steady_timer timer_;
  core::Backoff backoff_;
  bool stopped_ = false;
  bool retry_wait_ = false;  ///< the timer is a retry delay, which wake() must not cut short
  bool woken_ = false;  ///< wake() came while the queue was being read: look again first
};

}  // namespace flywatch::alert
