#pragma once
/// flysim's HTTP/1.1 server: plain HTTP on one io_context, one coroutine per connection,
/// answering through a Router. The wait endpoint blocks its connection (not the loop).

#include <cstdint>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "router.hpp"

namespace flywatch::flysim {

/// Current wall-clock time in epoch milliseconds (what the API's event timestamps use).
std::int64_t now_epoch_ms();

class Server {
 public:
  /// Binds and listens on host:port (port 0 = any free port). Throws on failure.
  Server(boost::asio::io_context& io, Router& router, const std::string& host,
         std::uint16_t port);
  /// The bound port.
  std::uint16_t port() const;
  /// Starts accepting; connections are served until the io_context stops.
  void start();

 private:
  boost::asio::ip::tcp::acceptor acceptor_;
  Router& router_;
};

}  // namespace flywatch::flysim
