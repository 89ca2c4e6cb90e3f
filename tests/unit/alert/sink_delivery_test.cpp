// SinkDelivery against a scripted receiver (the HttpClient seam) and a real outbox in a temp dir:
// order, retries under one webhook-id, signatures, give-up on 4xx.
#include <doctest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alert/signing.hpp"
#include "testdata_files.hpp"
#include "alert/sink_delivery.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

struct ScriptedReceiver : net::HttpClient {
  std::deque<net::HttpResponse> answers;  ///< popped per attempt; 200 when empty
  std::vector<net::HttpRequest> seen;
  boost::asio::awaitable<net::HttpResponse> send(const net::HttpRequest& request) override {
    seen.push_back(request);
    net::HttpResponse r;
    r.status = 200;
    if (!answers.empty()) {
      r = answers.front();
      answers.pop_front();
    }
    co_return r;
  }
};

net::HttpResponse status(int s) {
  net::HttpResponse r;
  r.status = s;
  return r;
}

// A header as sent: the request's own, then the sink's (endpoint) headers.
std::string header(const net::HttpRequest& spec, const std::string& name) {
  for (const auto* list : {&spec.headers, &spec.endpoint.headers}) {
    for (const auto& [k, v] : *list) {
      if (k == name) return v;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("SinkDelivery: in order, retried under one webhook-id, signed, 4xx given up") {
  test::ScratchDir dir;
  auto opened = alert::WebhookOutbox::open(dir.path());
  REQUIRE(opened.outbox);
  alert::OutboxWorker worker(std::move(opened.outbox), true);  // fsync on its own thread
  auto& outbox = worker.outbox();
  const auto now = std::chrono::system_clock::now();
  for (const char* body : {R"({"n":1})", R"({"n":2})", R"({"n":3})"}) {
    REQUIRE(outbox.append("oncall", body, now).durable());
  }
  REQUIRE(outbox.append("other", R"({"n":9})", now).durable());

  boost::asio::io_context io{1};
  ScriptedReceiver receiver;
  net::HttpResponse refused;
  refused.error = net::HttpError::connect_failed;
  refused.step = "connect";
  refused.message = "connection refused";
  receiver.answers = {status(503), refused, status(200), status(400), status(202)};
  alert::SinkEndpoint ep;
  ep.name = "oncall";
  ep.endpoint.scheme = "http";
  ep.endpoint.host = "127.0.0.1";
  ep.endpoint.port = 9;
  ep.endpoint.target = "/hook";
  ep.signing_key = *alert::decode_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ep.endpoint.headers = {{"X-Team", "sre"}};
  ep.retry.base = 5ms;
  ep.retry.cap = 20ms;
  std::vector<alert::DeliveryResult> results;
  std::vector<std::size_t> depths;  // after each acked event
  auto delivery = std::make_shared<alert::SinkDelivery>(
      io, ep, worker, receiver,
      [&](const alert::DeliveryReport& r) {
        results.push_back(r.decision.result);
        if (r.decision.result != alert::DeliveryResult::retry) depths.push_back(r.depth);
      });
  delivery->start();
  io.run_for(500ms);

  using R = alert::DeliveryResult;
  CHECK(results == std::vector<R>{R::retry, R::retry, R::delivered, R::failed, R::delivered});
  REQUIRE(receiver.seen.size() == 5);
  const std::string first_id = header(receiver.seen[0], "webhook-id");
  CHECK_FALSE(first_id.empty());
  for (int i = 0; i < 3; ++i) {
    CHECK(header(receiver.seen[i], "webhook-id") == first_id);  // the same event, retried
    CHECK(receiver.seen[i].body == R"({"n":1})");
  }
  CHECK(receiver.seen[3].body == R"({"n":2})");
  CHECK(receiver.seen[4].body == R"({"n":3})");
  CHECK(header(receiver.seen[3], "webhook-id") != first_id);
  for (const auto& spec : receiver.seen) {
    CHECK(spec.method == "POST");
    CHECK(spec.target == "/hook");
    CHECK(header(spec, "X-Team") == "sre");
    const std::string ts = header(spec, "webhook-timestamp");
    CHECK(alert::verify_webhook(ep.signing_key, header(spec, "webhook-id"), std::stoll(ts), spec.body,
                                header(spec, "webhook-signature")));
  }
  CHECK(depths == std::vector<std::size_t>{2, 1, 0});
  CHECK(outbox.depth("oncall") == 0);
  CHECK(outbox.depth("other") == 1);  // another sink's events are not this loop's
  delivery->stop();
  io.run_for(10ms);
}

TEST_CASE("SinkDelivery: an empty queue sleeps until woken") {
  test::ScratchDir dir;
  auto opened = alert::WebhookOutbox::open(dir.path());
  REQUIRE(opened.outbox);
  boost::asio::io_context io{1};
  ScriptedReceiver receiver;
  alert::SinkEndpoint ep;
  ep.name = "oncall";
  int attempts = 0;
  alert::OutboxWorker worker(std::move(opened.outbox), false);
  auto delivery = std::make_shared<alert::SinkDelivery>(
      io, ep, worker, receiver, [&](const alert::DeliveryReport&) { ++attempts; });
  delivery->start();
  io.run_for(50ms);
  CHECK(attempts == 0);
  REQUIRE(worker.outbox().append("oncall", "{}", std::chrono::system_clock::now()).durable());
  delivery->wake();
  io.restart();
  io.run_for(50ms);
  CHECK(attempts == 1);
  CHECK(receiver.seen.size() == 1);
  delivery->stop();
  io.restart();
  io.run_for(10ms);
}
