#pragma once
/// The kept-alive connections of `connection: reuse` http(s) probes (DESIGN §4, §13): at most
/// one idle connection per key (a target, or a target and one of its app's machines). A probe
/// takes its key's connection, or dials when there is none usable; after a clean keep-alive
/// exchange it gives the connection back (core::keepable_after), otherwise closes it.
///
/// What bounds the open sockets: one per key configured (keys of removed or changed targets are
/// dropped by retain() when a configuration is applied), and every kept connection closes at
/// its max age at the latest (a sweep closes idle ones past it, e.g. of a machine that went
/// away). Runs on the prober's one thread, like ProbeDialer.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/connection_reuse.hpp"

namespace flywatch::net {

struct Connection;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

/// One kept-alive connection and what its opening probe saw.
struct PooledConnection {
  std::shared_ptr<Connection> conn;  ///< the socket and the per-probe deadline timer
  std::shared_ptr<boost::asio::ssl::context> ctx;  ///< https: the context `tls` was made from
  std::unique_ptr<TlsStream> tls;  ///< https: the TLS stream over conn->socket; null for http
  core::KeptConnection kept;       ///< when its handshake completed, and its max age
  std::string owner;               ///< ProbeSpec::connection_owner of the probe that opened it
  std::string remote;              ///< "ip:port" it is connected to
  /// The earliest notAfter the server's chain had at the handshake: reported by every probe
  /// on the connection, so the certificate gauge stays set.
  std::optional<std::chrono::system_clock::time_point> cert_not_after;

  PooledConnection();
  ~PooledConnection();
  PooledConnection(PooledConnection&&) noexcept;
  PooledConnection& operator=(PooledConnection&&) noexcept;
};

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  /// The idle connection of `key` when it may carry a probe starting at `now`: younger than
  /// its max age, still open and with nothing unread (a server that closed it while idle has
  /// sent EOF, a reset or a close_notify: those are closed here, not used). nullptr otherwise
  /// (an unusable one is closed).
  std::unique_ptr<PooledConnection> take(const std::string& key, Clock::time_point now);

  /// Keeps `c` as the idle connection of `key`, replacing (closing) any other one there.
  /// Now and then closes the idle connections past their max age.
  void put(const std::string& key, std::unique_ptr<PooledConnection> c, Clock::time_point now);

  /// Closes the idle connections whose owner is not in `owners`.
  void retain(const std::set<std::string, std::less<>>& owners);

  /// Closes every idle connection.
  void clear() { idle_.clear(); }

  std::size_t size() const { return idle_.size(); }

 private:
  void sweep(Clock::time_point now);

  std::unordered_map<std::string, std::unique_ptr<PooledConnection>> idle_;
  Clock::time_point next_sweep_{};
};

/// True when `socket` is open and has nothing to read and no EOF or error pending, without
/// blocking (MSG_PEEK | MSG_DONTWAIT): an idle kept connection must be silent.
bool idle_and_open(boost::asio::ip::tcp::socket& socket);

}  // namespace flywatch::net
