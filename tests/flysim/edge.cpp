#include "edge.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "server.hpp"

namespace flywatch::flysim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto hold_poll = std::chrono::milliseconds(10);
}  // namespace

Edge::Edge(asio::io_context& io, Fleet& fleet, std::string app, const std::string& host)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address(host), 0)),
      fleet_(fleet),
      app_(std::move(app)) {
  fleet_.set_edge_port(app_, port());
}

std::uint16_t Edge::port() const { return acceptor_.local_endpoint().port(); }

void Edge::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  if (fleet_.settings(app_).autostop_idle_ms > 0)
    asio::co_spawn(acceptor_.get_executor(), autostop_loop(), asio::detached);
}

asio::awaitable<void> Edge::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

std::string Edge::route(std::int64_t now_ms, bool& give_up) {
  give_up = false;
  auto* machines = fleet_.app(app_);
  SimMachine* startable = nullptr;
  bool pending = false;
  for (auto& m : *machines) {
    if (m.process_group() != "app") continue;
    m.advance(now_ms);
    if (m.healthy()) return m.id();
    const auto& s = m.state();
    if (s == "starting" || s == "started") pending = true;
    if (!startable && (s == "stopped" || s == "suspended" || s == "created")) startable = &m;
  }
  if (pending) return "";
  if (startable) {
    startable->start(now_ms);
    return "";
  }
  give_up = true;
  return "";
}

asio::awaitable<void> Edge::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(120));
    auto [ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
    if (ec) break;
    const auto start_ms = now_epoch_ms();
    fleet_.count_edge_request(app_, start_ms);
    const auto deadline = start_ms + fleet_.settings(app_).edge_hold_ms;
    asio::steady_timer timer(stream.get_executor());
    std::string machine;
    for (;;) {
      const auto now = now_epoch_ms();
      bool give_up = false;
      machine = route(now, give_up);
      if (!machine.empty() || give_up || now >= deadline) break;
      timer.expires_after(hold_poll);
      co_await timer.async_wait(use_tuple);
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    if (machine.empty()) {
      res.result(http::status::service_unavailable);
      res.body() = "[PR04] could not find a good candidate within 40 attempts at load balancing\n";
      res.set(http::field::content_type, "text/plain");
    } else {
      SimMachine* m = fleet_.machine(app_, machine);
      res.body() = json::serialize(json::object{{"app", app_}, {"machine", machine},
                                                {"state", m->state()}});
      res.set(http::field::content_type, "application/json");
    }
    res.set(http::field::server, "Fly/flysim");
    res.set(http::field::via, "1.1 fly.io");
    res.set("fly-request-id", "flysim-edge-" + std::to_string(start_ms));
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> Edge::autostop_loop() {
  const auto idle_ms = fleet_.settings(app_).autostop_idle_ms;
  asio::steady_timer timer(acceptor_.get_executor());
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(idle_ms));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    const auto now = now_epoch_ms();
    if (now - fleet_.last_edge_request_ms(app_) < idle_ms) continue;
    // The proxy stops or suspends exactly one machine per pass.
    for (auto& m : *fleet_.app(app_)) {
      m.advance(now);
      if (m.state() != "started" || m.autostop() == "off") continue;
      if (m.autostop() == "suspend")
        m.suspend(now);
      else
        m.stop(now);
      break;
    }
  }
}

}  // namespace flywatch::flysim
