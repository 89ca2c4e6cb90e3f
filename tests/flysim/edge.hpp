#pragma once
/// A simulated Fly Proxy edge for one app (reference §3) on its own loopback port: plain HTTP,
/// or HTTPS when given a TLS context (handshake, then the same HTTP/1.1 serving; a failed
/// handshake just closes that connection). Requests are routed by route_any / route_forced
/// (edge_route.hpp; `fly-force-instance-id: <machine id>` forces one machine) and held while a
/// machine boots, up to `edge_hold_ms` (then 503 PR04 text). A routed request gets the app's
/// own answer (medio_answer: Medio's health JSON, auth API or front end, by the app's settings);
/// an unknown forced id gets 404 text. Every request is counted for GET /_sim/stats, per app
/// and per "METHOD /path" (the simulated user's as "GET /"). With `autostop_idle_ms` > 0 the
/// proxy's excess-capacity loop runs every that many ms and stops or suspends one started
/// machine when the app has no load (see autostop_loop in edge.cpp). With `traffic_every_ms` > 0 (fleet file
/// or POST /_sim/apps/{app}/traffic) the edge also plays a user sending one request per period.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "edge_route.hpp"
#include "fleet.hpp"

namespace flywatch::flysim {

/// A TLS server context serving the PEM certificate chain `cert_file` with the PEM private key
/// `key_file` (TLS 1.2 and later). Throws std::runtime_error naming the file on failure.
std::unique_ptr<boost::asio::ssl::context> make_edge_tls(const std::string& cert_file,
                                                         const std::string& key_file);

class Edge {
 public:
  /// Binds host:edge_port from the app's settings (0 = any free port) for `app` and records the
  /// bound port in the fleet. `tls` (may be null = plain HTTP) must outlive the edge. Throws on
  /// failure, e.g. when a fixed edge_port is taken.
  Edge(boost::asio::io_context& io, Fleet& fleet, std::string app, const std::string& host,
       boost::asio::ssl::context* tls);
  std::uint16_t port() const;
  /// Starts accepting, the simulated user traffic loop and, when configured, the autostop loop.
  void start();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  /// The HTTP/1.1 request loop over a plain or TLS stream (defined and instantiated in edge.cpp).
  template <class Stream>
  boost::asio::awaitable<void> serve_http(Stream& stream);
  /// Routes `req`, holding it while its machine comes up, and builds the answer.
  boost::asio::awaitable<Response> respond(const Request& req);
  /// What routing settled on for a request, and when.
  struct Routed {
    RouteDecision route;
    std::int64_t now_ms = 0;
  };
  /// Counts one request that arrived at `start_ms` (a user request when `forced` is empty) under
  /// `request_line` ("METHOD /path"), then routes it, polling while the decision is hold, up to
  /// the app's `edge_hold_ms`.
  boost::asio::awaitable<Routed> route_held(std::string forced, std::int64_t start_ms,
                                            std::string request_line);
  /// One request of the simulated user: routed and held like a real unforced request.
  boost::asio::awaitable<void> user_request();
  boost::asio::awaitable<void> traffic_loop();
  boost::asio::awaitable<void> autostop_loop();

  boost::asio::ip::tcp::acceptor acceptor_;
  Fleet& fleet_;
  std::string app_;
  boost::asio::ssl::context* tls_;
};

}  // namespace flywatch::flysim
