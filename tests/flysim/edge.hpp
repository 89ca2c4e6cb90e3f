#pragma once
/// A simulated Fly Proxy edge for one app (reference §3): plain HTTP on its own loopback port.
/// A request goes to a healthy machine of the app's "app" process group; when none is healthy,
/// the edge autostarts a stopped or suspended one and holds the request until it is healthy (or
/// `edge_hold_ms` passes: 503). Every request is counted for GET /_sim/stats. With
/// `autostop_idle_ms` > 0, each period without edge traffic stops or suspends exactly one
/// started machine whose autostop is on, as the proxy's excess-capacity loop does.

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "fleet.hpp"

namespace flywatch::flysim {

class Edge {
 public:
  /// Binds host:0 for `app` and records the port in the fleet. Throws on failure.
  Edge(boost::asio::io_context& io, Fleet& fleet, std::string app, const std::string& host);
  std::uint16_t port() const;
  /// Starts accepting and, when configured, the autostop loop.
  void start();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<void> autostop_loop();
  /// One routing attempt: a healthy machine's id, or "" after starting one if none is starting.
  /// `give_up` is set when the app has no machine that could ever serve.
  std::string route(std::int64_t now_ms, bool& give_up);

  boost::asio::ip::tcp::acceptor acceptor_;
  Fleet& fleet_;
  std::string app_;
};

}  // namespace flywatch::flysim
