#pragma once
/// The admin HTTP server on Beast, running on the daemon's one io_context. It handles
/// connections only: every request goes to the handler it is given (flywatch's routes are in
/// admin_routes.hpp).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include "core/connection_slots.hpp"
#include "core/web_config.hpp"

namespace flywatch::net {

struct AdminRequest {
  std::string method;  ///< "GET", "POST", …
  std::string path;    ///< without the query string
  std::string query;   ///< after '?', possibly empty
  std::string authorization;  ///< the Authorization header, empty when absent; a secret
};

struct AdminResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  /// Further response headers (e.g. WWW-Authenticate), sent as given.
  std::vector<std::pair<std::string, std::string>> headers;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;
/// A handler that may suspend, so a long answer (a /metrics of 10,000 targets) can be made in
/// steps that let the event loop run between them. It runs on the server's io_context.
using AsyncAdminHandler =
    std::function<boost::asio::awaitable<AdminResponse>(AdminRequest request)>;

/// Decides, before the handler runs, whether a request's Authorization header value lets it
/// in. Asynchronous so that an expensive check (bcrypt) can run off the event loop.
using AdminAuthenticator = std::function<boost::asio::awaitable<bool>(std::string authorization)>;

/// The answer to a request the authenticator refused: 401 with
/// `WWW-Authenticate: Basic realm="flywatch"` and a body that says nothing more.
AdminResponse unauthorized_response();

/// Accepts connections and answers each request with `handler`, keep-alive included.
/// A request head over 16 KiB is answered 431 and a body over 64 KiB 413, both after reading no
/// more than the limit, then the connection is closed. Each phase of a connection has its own
/// deadline (`limits`): a client that sends half a request head is dropped after
/// `head_timeout`, whatever the response timeout. At most `limits.max_connections` are open;
/// at the cap a new connection sheds the open one idle longest (waiting for a request head,
/// keep-alive between requests, or mid-body), never one being answered; only when every slot
/// is being answered is the new connection closed unserved.
class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, AsyncAdminHandler handler,
              core::ConnectionLimits limits = {});
  /// A synchronous handler: it answers each request in one go on the loop.
  AdminServer(boost::asio::io_context& io, AdminHandler handler,
              core::ConnectionLimits limits = {});
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Serves HTTPS with `tls` from now on (call before listen()): the certificate, key and
  /// client CAs are loaded now; the TLS handshake of a connection must finish within the
  /// head_timeout of its first request, and a client certificate is asked for and verified as
  /// tls.client_auth says. Returns an error message (which file, what OpenSSL said) on failure.
  std::optional<std::string> use_tls(const core::WebTlsConfig& tls);

  /// Every request must pass `authenticate` before the handler sees it (call before listen());
  /// refused ones get unauthorized_response(), whatever their path or method.
  void set_authenticator(AdminAuthenticator authenticate);

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
