#pragma once
/// The admin HTTP server (/metrics, /healthz, /readyz, /api/v1/status, /-/reload) on Beast,
/// running on the daemon's one io_context. Routing is the caller's: this only speaks HTTP.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

namespace flywatch::net {

struct AdminRequest {
  std::string method;  ///< "GET", "POST", …
  std::string path;    ///< without the query string
  std::string query;   ///< after '?', possibly empty
};

struct AdminResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

/// Accepts connections and answers each request with `handler`, keep-alive included.
/// Requests with a body over 64 KiB or headers over 16 KiB are refused; an idle or slow client
/// is dropped after 30 s so it cannot pin a connection; at most 64 connections are open at once
/// (more are closed on accept).
class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, AdminHandler handler);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Binds and listens on host:port (IPv4 or IPv6 literal, or "localhost"). Returns the error
  /// labelled by the failing step in `step` ("resolve", "open", "bind", "listen").
  boost::system::error_code listen(const std::string& host, std::uint16_t port, std::string& step);
  /// The port actually bound (useful when listening on port 0).
  std::uint16_t port() const;
  /// Stops accepting and closes open connections.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace flywatch::net
