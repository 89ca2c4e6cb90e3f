#pragma once
/// Client TLS contexts for the prober, one per (ca_file, insecure_skip_verify), plus the
/// per-connection hooks that read the server's certificate chain during the handshake.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace flywatch::net {

/// Caches client `ssl::context`s. Loading a CA bundle costs milliseconds, so it is done once per
/// distinct (ca_file, insecure_skip_verify), never per probe. Every context disables session
/// tickets and the session cache, so each connection does the full handshake a new user would.
/// Not thread-safe: owned by one prober on one event loop.
class TlsContextCache {
 public:
  /// The context for this key, created on first use. On failure (e.g. ca_file unreadable)
  /// returns nullptr and sets `error`; failures are not cached so a fixed file is picked up.
  /// The returned pointer keeps the context alive for a probe in flight across a clear().
  std::shared_ptr<boost::asio::ssl::context> get(const std::string& ca_file,
                                                 bool insecure_skip_verify, std::string& error);

  /// Forgets every context, so the next probe reloads its CA file (after a config reload, a
  /// rotated CA bundle at the same path is picked up).
  void clear() { contexts_.clear(); }

 private:
  std::map<std::pair<std::string, bool>, std::shared_ptr<boost::asio::ssl::context>> contexts_;
};

/// Where the verify callback of a cached context writes the earliest notAfter of the chain the
/// server sent. Attach to an SSL before the handshake; it must outlive the handshake.
/// Works whether verification succeeds, fails or is off.
void attach_cert_observer(SSL* ssl, std::optional<std::chrono::system_clock::time_point>* out);

/// Earliest notAfter among `chain` (nullopt for an empty or null chain).
std::optional<std::chrono::system_clock::time_point> earliest_not_after(STACK_OF(X509)* chain);

/// Converts an ASN1_TIME (UTCTime or GeneralizedTime) to a time point; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* t);

}  // namespace flywatch::net
