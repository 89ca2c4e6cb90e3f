// MachinePoller over the production HTTP client against a tiny loopback HTTP server: what goes
// on the wire, and that real transport failures get the right codes.

#include <doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <functional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "fixtures.hpp"
#include "fly/machine_poller.hpp"

namespace asio = boost::asio;
using namespace flywatch;
using std::chrono::milliseconds;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// Answers each accepted connection with the next scripted response ("" = stay silent until the
// server stops), recording each request head.
struct WireServer {
  asio::ip::tcp::acceptor acceptor;
  std::vector<std::string> responses;
  std::vector<std::string> requests;

  explicit WireServer(asio::io_context& ioc)
      : acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> serve() {
    for (const std::string& response : responses) {
      auto [ec, sock] = co_await acceptor.async_accept(tok);
      if (ec) co_return;
      std::string buf;
      auto [rec, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), "\r\n\r\n", tok);
      if (rec) co_return;
      requests.push_back(buf.substr(0, n));
      if (response.empty()) {
        // Silent: hold the connection until the client gives up and closes it.
        std::string rest;
        co_await asio::async_read_until(sock, asio::dynamic_buffer(rest), "never", tok);
        continue;
      }
      co_await asio::async_write(sock, asio::buffer(response), tok);
      boost::system::error_code ignored;
      sock.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }
  }
};

std::string http(int status, const std::string& reason, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Runs the polls one after the other, then stops the server; bounded so a bug cannot hang the test.
std::vector<fly::PollOutcome> run_polls(asio::io_context& ioc, WireServer* server, fly::MachinePoller& poller,
                                        int count) {
  std::vector<fly::PollOutcome> out;
  bool done = false;
  if (server) asio::co_spawn(ioc, server->serve(), asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < count; ++i) out.push_back(co_await poller.poll("medio"));
        done = true;
        if (server) server->acceptor.close();
      },
      asio::detached);
  ioc.run_for(std::chrono::seconds(20));
  CHECK(done);
  return out;
}

}  // namespace

TEST_CASE("poller on the wire: request head, parsed list, and a 429 Retry-After") {
  asio::io_context ioc;
  WireServer server(ioc);
  server.responses = {
      http(200, "OK", fly::test::read_fixture("medio_list.json")),
      http(429, "Too Many Requests", R"({"error":"rate limited"})", "Retry-After: 7\r\n"),
  };
  auto client = net::make_http_client();
  fly::FlyApiConfig cfg;
  cfg.api_url = "http://127.0.0.1:" + std::to_string(server.port());
  cfg.token = "fm2_secret";
  cfg.timeout = milliseconds(5000);
  fly::MachinePoller poller(cfg, *client);

  auto outcomes = run_polls(ioc, &server, poller, 2);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].ok);
  CHECK(outcomes[0].code == "200");
  CHECK(outcomes[0].machines.size() == 2);
  CHECK(outcomes[1].code == "429");
  CHECK(outcomes[1].retryable);
  REQUIRE(outcomes[1].retry_after.has_value());
  CHECK(*outcomes[1].retry_after == milliseconds(7000));

  REQUIRE(server.requests.size() == 2);
  const std::string& head = server.requests[0];
  CHECK(head.rfind("GET /v1/apps/medio/machines HTTP/1.1\r\n", 0) == 0);
  CHECK(head.find("\r\nAuthorization: FlyV1 fm2_secret\r\n") != std::string::npos);
  CHECK(head.find("\r\nAccept: application/json\r\n") != std::string::npos);
}

TEST_CASE("poller on the wire: a silent server is a timeout, a closed port a network error") {
  {
    asio::io_context ioc;
    WireServer server(ioc);
    server.responses = {""};
    auto client = net::make_http_client();
    fly::FlyApiConfig cfg;
    cfg.api_url = "http://127.0.0.1:" + std::to_string(server.port());
    cfg.token = "t";
    cfg.timeout = milliseconds(300);
    fly::MachinePoller poller(cfg, *client);
    auto outcomes = run_polls(ioc, &server, poller, 1);
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].code == "timeout");
    CHECK(outcomes[0].retryable);
  }
  {
    asio::io_context ioc;
    std::uint16_t port = 0;
    {
      // Bind then close: nothing listens on this port afterwards.
      asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      port = a.local_endpoint().port();
    }
    auto client = net::make_http_client();
    fly::FlyApiConfig cfg;
    cfg.api_url = "http://127.0.0.1:" + std::to_string(port);
    cfg.token = "t";
    cfg.timeout = milliseconds(2000);
    fly::MachinePoller poller(cfg, *client);
    auto outcomes = run_polls(ioc, nullptr, poller, 1);
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].code == "network");
    CHECK(outcomes[0].retryable);
    CHECK(outcomes[0].http_status == 0);
  }
}

TEST_CASE("poller on the wire: a wait held by the server ends at once when cancelled") {
  asio::io_context ioc;
  WireServer server(ioc);
  server.responses = {""};  // holds the wait like the API does for a machine that never starts
  auto client = net::make_http_client();
  fly::FlyApiConfig cfg;
  cfg.api_url = "http://127.0.0.1:" + std::to_string(server.port());
  cfg.token = "t";
  fly::MachinePoller poller(cfg, *client);
  asio::co_spawn(ioc, server.serve(), asio::detached);

  asio::cancellation_signal cancel;
  std::optional<fly::PollOutcome> out;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(ioc, poller.wait_started("medio", "m1", std::chrono::seconds(60)),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, fly::PollOutcome o) {
                   CHECK_FALSE(e);
                   out = std::move(o);
                   server.acceptor.close();
                 }));
  // Cancel once the server holds the request (shutdown or reload while a wait is open).
  asio::steady_timer until_held(ioc);
  std::function<void()> cancel_when_held = [&] {
    if (!server.requests.empty()) return cancel.emit(asio::cancellation_type::terminal);
    until_held.expires_after(milliseconds(10));
    until_held.async_wait([&](boost::system::error_code) { cancel_when_held(); });
  };
  cancel_when_held();
  ioc.run_for(std::chrono::seconds(30));
  REQUIRE(out.has_value());
  CHECK_FALSE(out->ok);
  CHECK(out->code == "cancelled");
  // Far sooner than the 60 s the server may hold it (and the 70 s request deadline).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}
