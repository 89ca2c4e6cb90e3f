#include "alert/sink_delivery.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alert/signing.hpp"

namespace flywatch::alert {

namespace asio = boost::asio;

namespace {

double jitter() {
  static thread_local std::minstd_rand gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace

SinkDelivery::SinkDelivery(asio::io_context& io, SinkEndpoint endpoint, OutboxWorker& outbox,
                           net::HttpClient& client,
                           std::function<void(const DeliveryReport&)> on_attempt, Clock clock)
    : io_(io),
      endpoint_(std::move(endpoint)),
      outbox_(outbox),
      client_(client),
      on_attempt_(std::move(on_attempt)),
      clock_(std::move(clock)),
      timer_(io),
      backoff_(endpoint_.retry) {}

void SinkDelivery::start() { asio::co_spawn(io_, run(shared_from_this()), asio::detached); }

void SinkDelivery::wake() {
  woken_ = true;
  if (!retry_wait_) timer_.cancel();
}

void SinkDelivery::stop() {
  stopped_ = true;
  timer_.cancel();
}

net::HttpRequest SinkDelivery::request(const OutboxEvent& event,
                                       std::chrono::system_clock::time_point now) const {
  net::HttpRequest spec;
  spec.endpoint = endpoint_.endpoint;
  spec.target = endpoint_.endpoint.target;
  spec.method = "POST";
  spec.body = event.payload;
  spec.timeout = endpoint_.timeout;
  spec.max_body_bytes = 64 * 1024;  // a receiver's answer is read and dropped
  // The timestamp is the attempt's; the id is the event's, the same on every retry.
  const auto ts = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  spec.headers = {{"Content-Type", endpoint_.content_type},
                  {"User-Agent", "flywatch"},
                  {"webhook-id", event.webhook_id},
                  {"webhook-timestamp", std::to_string(ts)}};
  if (!endpoint_.signing_key.empty()) {
    spec.headers.emplace_back("webhook-signature",
                              sign_webhook(endpoint_.signing_key, event.webhook_id, ts, event.payload));
  }
  // The sink's own headers (spec.endpoint.headers) follow these.
  return spec;
}

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine frame under ASan (Asio's
// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them here).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// The unnamed parameter keeps the delivery alive in the coroutine frame.
asio::awaitable<void> SinkDelivery::run(std::shared_ptr<SinkDelivery>) {
  struct Acked {
    std::error_code error;
    std::size_t depth = 0;
    std::optional<std::chrono::system_clock::time_point> oldest;
  };
  const std::string sink = endpoint_.name;
  // Named, not temporaries in the co_await expressions: GCC 12 frees closures with string
  // members at a wrong address when they are temporaries across a suspension.
  const auto read_next = [sink](WebhookOutbox& o) -> std::optional<OutboxEvent> {
    const OutboxEvent* e = o.next(sink);
    return e ? std::optional<OutboxEvent>(*e) : std::nullopt;
  };
  while (!stopped_) {
    woken_ = false;
    // A copy: the outbox may hand out or drop other events while this attempt is in flight.
    const std::optional<OutboxEvent> next = co_await outbox_.run(read_next);
    if (stopped_) break;
    if (!next) {
      if (woken_) continue;  // appended while the queue was read: look again
      retry_wait_ = false;
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    const OutboxEvent& event = *next;
    const net::HttpRequest attempt = request(event, clock_());
    const net::HttpResponse result = co_await client_.send(attempt);
    if (stopped_) break;
    std::optional<std::chrono::milliseconds> retry_after;
    if (const auto* ra = result.header("retry-after")) retry_after = core::parse_retry_after(*ra);
    DeliveryReport report;
    report.sink = endpoint_.name;
    report.seq = event.seq;
    report.webhook_id = event.webhook_id;
    report.decision = classify_delivery(result, retry_after, backoff_, jitter());
    if (report.decision.result == DeliveryResult::retry) {
      on_attempt_(report);
      retry_wait_ = true;
      timer_.expires_after(report.decision.delay);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      retry_wait_ = false;
      continue;
    }
    // Delivered, or refused for good: either way this event is done, the next one may go.
    backoff_.reset();
    const std::uint64_t seq = event.seq;
    const auto ack = [sink, seq](WebhookOutbox& o) {
      Acked a{o.ack(sink, seq), o.depth(sink), std::nullopt};
      // Events leave in enqueue order, so the head is the oldest.
      if (const OutboxEvent* head = o.next(sink)) a.oldest = head->enqueued_at;
      return a;
    };
    const Acked acked = co_await outbox_.run(ack);
    report.ack_error = acked.error;
    report.depth = acked.depth;
    report.oldest_enqueued_at = acked.oldest;
    on_attempt_(report);
  }
}

#pragma GCC diagnostic pop

}  // namespace flywatch::alert
