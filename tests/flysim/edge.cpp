#include "edge.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "medio_app.hpp"
#include "server.hpp"

namespace flywatch::flysim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto hold_poll = std::chrono::milliseconds(10);
constexpr auto idle_limit = std::chrono::seconds(120);
constexpr auto write_limit = std::chrono::seconds(30);
constexpr auto handshake_limit = std::chrono::seconds(10);
// A client that never answers close_notify must not keep the coroutine for long.
constexpr auto tls_shutdown_limit = std::chrono::seconds(2);
// How soon the simulated user notices a changed traffic period (POST /_sim/apps/{app}/traffic).
constexpr std::int64_t traffic_recheck_ms = 100;

// Counts a request of `app` as in flight (load, for autostop) for the guard's lifetime.
class InFlight {
 public:
  InFlight(Fleet& fleet, std::string app) : fleet_(fleet), app_(std::move(app)) {
    fleet_.begin_request(app_);
  }
  ~InFlight() { fleet_.end_request(app_); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Fleet& fleet_;
  std::string app_;
};
}  // namespace

std::unique_ptr<ssl::context> make_edge_tls(const std::string& cert_file,
                                            const std::string& key_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("--tls-cert " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("--tls-key " + key_file + ": " + ec.message());
  return ctx;
}

Edge::Edge(asio::io_context& io, Fleet& fleet, std::string app, const std::string& host,
           ssl::context* tls)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address(host), fleet.settings(app).edge_port)),
      fleet_(fleet),
      app_(std::move(app)),
      tls_(tls) {
  fleet_.set_edge_port(app_, port());
}

std::uint16_t Edge::port() const { return acceptor_.local_endpoint().port(); }

void Edge::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  // Always running: the control interface may turn the traffic on at any time.
  asio::co_spawn(acceptor_.get_executor(), traffic_loop(), asio::detached);
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

asio::awaitable<void> Edge::serve(tcp::socket socket) {
  beast::error_code ignored;
  if (!tls_) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_http(stream);
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
  beast::get_lowest_layer(stream).expires_after(handshake_limit);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (!hec) {
    co_await serve_http(stream);
    beast::get_lowest_layer(stream).expires_after(tls_shutdown_limit);
    auto [sec] = co_await stream.async_shutdown(use_tuple);
    (void)sec;  // the peer may well have gone already
  }
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

template <class Stream>
asio::awaitable<void> Edge::serve_http(Stream& stream) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    beast::get_lowest_layer(stream).expires_after(idle_limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) co_return;
    InFlight busy(fleet_, app_);  // from the whole request read to the answer written
    Response res = co_await respond(parser.get());
    beast::get_lowest_layer(stream).expires_after(write_limit);
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) co_return;
  }
}

asio::awaitable<Edge::Routed> Edge::route_held(std::string forced, std::int64_t start_ms,
                                               std::string request_line) {
  fleet_.count_edge_request(app_, start_ms, forced.empty(), request_line);
  const auto deadline = start_ms + fleet_.settings(app_).edge_hold_ms;
  asio::steady_timer timer(acceptor_.get_executor());
  Routed r;
  for (;;) {
    r.now_ms = now_epoch_ms();
    auto& machines = *fleet_.app(app_);
    r.route = forced.empty() ? route_any(machines, r.now_ms)
                             : route_forced(machines, forced, r.now_ms);
    if (r.route.kind != RouteDecision::Kind::hold || r.now_ms >= deadline) co_return r;
    timer.expires_after(hold_poll);
    co_await timer.async_wait(use_tuple);
  }
}

asio::awaitable<Edge::Response> Edge::respond(const Request& req) {
  const auto start_ms = now_epoch_ms();
  const std::string forced(req["fly-force-instance-id"]);
  AppRequest app_req;
  app_req.method = std::string(req.method_string());
  app_req.path = std::string(req.target().substr(0, req.target().find('?')));
  app_req.body = req.body();
  app_req.origin = std::string(req[http::field::origin]);
  app_req.cookie = std::string(req[http::field::cookie]);
  app_req.request_headers = std::string(req[http::field::access_control_request_headers]);
  const Routed routed = co_await route_held(forced, start_ms, app_req.method + " " + app_req.path);
  const RouteDecision& route = routed.route;
  const std::int64_t now = routed.now_ms;

  Response res{http::status::ok, req.version()};
  switch (route.kind) {
    case RouteDecision::Kind::serve: {
      fleet_.settle_releases(app_, now);  // a finished deploy changes what the app serves
      const AppAnswer a = medio_answer(app_req, *fleet_.machine(app_, route.machine), app_,
                                       fleet_.settings(app_), *fleet_.app_state(app_), now);
      res.result(static_cast<http::status>(a.status));
      if (!a.content_type.empty()) res.set(http::field::content_type, a.content_type);
      for (const auto& [name, value] : a.headers) res.insert(name, value);
      res.body() = a.body;
      break;
    }
    case RouteDecision::Kind::unknown_machine:
      res.result(http::status::not_found);
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "machine '" + forced + "' not found in app '" + app_ +
                   "' (requested with fly-force-instance-id)\n";
      break;
    case RouteDecision::Kind::hold:
    case RouteDecision::Kind::unavailable:
      res.result(http::status::service_unavailable);
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "[PR04] could not find a good candidate within 40 attempts at load balancing\n";
      break;
  }
  res.set(http::field::server, "Fly/flysim");
  res.set(http::field::via, "1.1 fly.io");
  res.set("fly-request-id", "flysim-edge-" + std::to_string(start_ms));
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  // Beast 1.81 writes Content-Length: 0 here, which RFC 9110 §8.6 forbids on a 204.
  if (res.result() == http::status::no_content) res.erase(http::field::content_length);
  co_return res;
}

asio::awaitable<void> Edge::user_request() {
  InFlight busy(fleet_, app_);
  co_await route_held("", now_epoch_ms(), "GET /");  // the answer itself interests no one
}

asio::awaitable<void> Edge::traffic_loop() {
  asio::steady_timer timer(acceptor_.get_executor());
  std::int64_t last_ms = now_epoch_ms();
  for (;;) {
    // Re-read every round: the period may change at run time. A user request is spawned, not
    // awaited, so one held through a cold start does not delay the next, as with real users.
    const auto every_ms = fleet_.settings(app_).traffic_every_ms;
    const auto now = now_epoch_ms();
    if (every_ms > 0 && now - last_ms >= every_ms) {
      last_ms = now;
      asio::co_spawn(acceptor_.get_executor(), user_request(), asio::detached);
    }
    std::int64_t wait_ms = traffic_recheck_ms;
    if (every_ms > 0) wait_ms = std::clamp<std::int64_t>(last_ms + every_ms - now, 1, wait_ms);
    timer.expires_after(std::chrono::milliseconds(wait_ms));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
  }
}

// The Fly Proxy's excess-capacity loop (reference §3.1), as a scale-to-zero app sees it: a pass
// runs every `autostop_idle_ms` (Fly: "every few minutes") and stops or suspends exactly one
// started machine with autostop on, unless the app has load. Load is what goes through the
// proxy for users: a user request (no fly-force-instance-id) since the previous pass, or any
// request, forced or not, being served at the moment of the pass. A monitor's short forced
// per-machine probes therefore keep nothing awake unless one happens to be in flight during a
// pass, and a machine stops at most two periods after its last user request. Simplified from
// Fly: with several machines and user traffic below the soft limit, Fly would still stop all
// but one; here any user traffic keeps them all.
asio::awaitable<void> Edge::autostop_loop() {
  const auto idle_ms = fleet_.settings(app_).autostop_idle_ms;
  asio::steady_timer timer(acceptor_.get_executor());
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(idle_ms));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    const auto now = now_epoch_ms();
    if (now - fleet_.last_user_request_ms(app_) < idle_ms || fleet_.in_flight(app_) > 0) continue;
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
