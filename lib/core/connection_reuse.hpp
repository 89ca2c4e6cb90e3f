#pragma once
/// `connection: reuse` (DESIGN §4, §13): whether a kept-alive probe connection may carry the
/// next probe or must be replaced by a new one (a new TCP connection and TLS handshake). Pure:
/// the caller passes the clock reading; the prober (lib/net) does the I/O.

#include <chrono>
#include <string_view>

namespace flywatch::core {

/// How a target's probes get their connection (`connection:` in the config).
enum class ConnectionMode {
  fresh,  ///< a new connection (and TLS handshake) per probe, closed after it (the default)
  reuse,  ///< one kept-alive connection per target (and machine), re-handshaked at least every max age
};

/// "fresh" or "reuse".
std::string_view to_string(ConnectionMode m);

/// `max_connection_age` default and bounds.
inline constexpr std::chrono::milliseconds default_max_connection_age{10 * 60 * 1000};
inline constexpr std::chrono::milliseconds min_max_connection_age{1000};
inline constexpr std::chrono::milliseconds max_max_connection_age{24 * 60 * 60 * 1000};

/// What the last exchange on a connection said about keeping it.
struct ExchangeEnd {
  bool completed = false;  ///< a whole response was read (no transport failure of any kind)
  /// The response allows another request on the connection: HTTP/1.1 without
  /// `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
  bool keep_alive = false;
  /// The body's end was known from the message (Content-Length, chunked, or none by status),
  /// not from the server closing the connection.
  bool body_delimited = false;
};

/// True when a connection may be kept after `end`: the exchange completed, the server allows
/// keep-alive, and the body ended by its framing (the stream is at a message boundary).
bool keepable_after(const ExchangeEnd& end);

/// A kept connection: when it was opened (handshake done) and its age limit.
struct KeptConnection {
  std::chrono::steady_clock::time_point opened_at;
  std::chrono::milliseconds max_age = default_max_connection_age;

  /// True when it may carry a probe starting at `now`: younger than max_age. At or past
  /// max_age it is closed and replaced, so certificates are observed again.
  bool usable_at(std::chrono::steady_clock::time_point now) const;
};

}  // namespace flywatch::core
