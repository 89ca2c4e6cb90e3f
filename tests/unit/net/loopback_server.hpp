#pragma once
/// Loopback servers for prober tests: listen on 127.0.0.1 or ::1, port 0, on the test's own
/// io_context, and run a scripted handler per connection (answer, stall, reset, send garbage...).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/probe_result.hpp"
#include "net/prober.hpp"
#include "pki_fixture.hpp"

namespace flywatch::testing {

namespace asio = boost::asio;

/// One accepted connection as a handler sees it; TLS (if any) is set up but the handshake is
/// the handler's choice (`handshake()`), so a handler can also stall before it.
class ServerConn {
 public:
  ServerConn(asio::ip::tcp::socket socket, asio::ssl::context* tls);
  ServerConn(const ServerConn&) = delete;
  ServerConn& operator=(const ServerConn&) = delete;

  /// Server side of the TLS handshake; true on success (always true for plain TCP).
  asio::awaitable<bool> handshake();
  /// Reads one request (head plus a Content-Length body); nullopt if the peer went away.
  asio::awaitable<std::optional<std::string>> read_request();
  /// Reads up to and including the first "\n" (plain TCP only); nullopt if the peer went away.
  asio::awaitable<std::optional<std::string>> read_line();
  /// Writes all of `bytes` (over TLS once the handshake is done); false on error.
  asio::awaitable<bool> write(std::string_view bytes);
  /// Sends TLS close_notify (if TLS) and closes.
  asio::awaitable<void> close_gracefully();
  /// Closes with SO_LINGER 0, so the peer sees a TCP RST.
  void reset();
  /// Closes the TCP socket abruptly (no TLS close_notify).
  void close();
  /// The TLS connection (null for plain TCP).
  SSL* ssl() { return tls_ ? tls_->native_handle() : nullptr; }
  /// Waits without answering.
  asio::awaitable<void> sleep(std::chrono::milliseconds d);

 private:
  asio::ip::tcp::socket socket_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  bool tls_up_ = false;
};

using Handler = std::function<asio::awaitable<void>(ServerConn&)>;

/// Accepts connections until destroyed; each runs `handler` in its own coroutine.
class LoopbackServer {
 public:
  /// `address` is "127.0.0.1" or "::1"; `tls` null for plain TCP (must outlive the server).
  LoopbackServer(asio::io_context& ioc, const std::string& address, Handler handler,
                 asio::ssl::context* tls = nullptr);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// Connections accepted so far.
  int accepted() const;

  /// Shared with the accept loop and connection coroutines, which may outlive the server.
  struct State;

 private:
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

/// A server TLS context presenting `leaf` (and sending the CA-signed leaf only).
std::unique_ptr<asio::ssl::context> server_context(const TestLeaf& leaf);

/// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and Connection: close.
std::string http_response(int status, std::string_view reason, std::string_view content_type,
                          std::string_view body);

/// Handler: read the request (stored into *seen if given), answer `response` after `delay`,
/// close gracefully.
Handler answer(std::string response, std::chrono::milliseconds delay = {},
               std::shared_ptr<std::string> seen = nullptr);

/// Runs one probe to completion on `ioc` (servers keep running meanwhile). Fails the test if
/// the probe does not complete within its timeout plus 10 s.
core::ProbeResult run_probe(asio::io_context& ioc, net::Prober& prober,
                            const net::ProbeSpec& spec);

/// Runs several probes concurrently on `ioc`; results in the order of `specs`.
std::vector<core::ProbeResult> run_probes(asio::io_context& ioc, net::Prober& prober,
                                          const std::vector<net::ProbeSpec>& specs);

/// A port on 127.0.0.1 that nothing listens on (bound, then closed).
std::uint16_t closed_port();

}  // namespace flywatch::testing
