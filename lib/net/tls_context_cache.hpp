#pragma once
/// Client TLS contexts for the prober, one per (ca_file, insecure_skip_verify), plus the
/// per-connection hooks that read the server's certificate chain during the handshake.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace flywatch::net {

/// Caches client `ssl::context`s. Loading a CA bundle costs milliseconds (the system store tens
/// of them), so it is done once per distinct (ca_file, insecure_skip_verify), never per probe.
/// It runs on the caller's loop for now (see get()). Every context disables
/// session tickets and the session cache, so each connection does the full handshake a new
/// user would. Not thread-safe: owned by one prober on one event loop.
class TlsContextCache {
 public:
  using Context = boost::asio::ssl::context;
  /// Makes a context for (ca_file, insecure): nullptr with `error` set on failure.
  using Loader = std::function<std::shared_ptr<Context>(const std::string& ca_file, bool insecure,
                                                        std::string& error)>;

  /// `load` is for tests; by default make_client_tls_context.
  explicit TlsContextCache(Loader load = {});
  ~TlsContextCache();
  TlsContextCache(const TlsContextCache&) = delete;
  TlsContextCache& operator=(const TlsContextCache&) = delete;

  /// The context for this key. The first call loads it, on the caller's thread (awaitable so
  /// that the load can move to the worker pool again once that no longer leaks under
  /// LeakSanitizer); calls for the same key meanwhile wait for that one load. On failure (e.g. ca_file unreadable) returns nullptr and sets `error`;
  /// failures are not cached so a fixed file is picked up. The returned pointer keeps the
  /// context alive for a probe in flight across a clear(). The cache must outlive the call.
  boost::asio::awaitable<std::shared_ptr<Context>> get(std::string ca_file,
                                                       bool insecure_skip_verify,
                                                       std::string& error);

  /// Forgets every context, so the next probe reloads its CA file (after a config reload, a
  /// rotated CA bundle at the same path is picked up). A load in flight still answers the
  /// probes waiting for it but is not kept.
  void clear();

  /// Loads started so far (for tests: concurrent probes of one key share one).
  std::size_t loads() const { return loads_; }

 private:
  struct Loading;
  using Key = std::pair<std::string, bool>;
  Loader load_;
  std::map<Key, std::shared_ptr<Context>> contexts_;
  std::map<Key, std::shared_ptr<Loading>> loading_;
  std::uint64_t generation_ = 0;  // bumped by clear()
  std::size_t loads_ = 0;
};

/// A client context as the prober uses it (no resumption, ALPN http/1.1, the cert observer's
/// verify callback), verifying against `ca_file` or, when empty, the system store; with
/// `insecure` not verifying at all. nullptr with `error` on failure. Blocking: loads files.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file,
                                                                   bool insecure,
                                                                   std::string& error);

/// Where the verify callback of a cached context writes the earliest notAfter of the chain the
/// server sent. Attach to an SSL before the handshake; it must outlive the handshake.
/// Works whether verification succeeds, fails or is off.
void attach_cert_observer(SSL* ssl, std::optional<std::chrono::system_clock::time_point>* out);

/// Earliest notAfter among `chain` (nullopt for an empty or null chain).
std::optional<std::chrono::system_clock::time_point> earliest_not_after(STACK_OF(X509)* chain);

/// Converts an ASN1_TIME (UTCTime or GeneralizedTime) to a time point; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* t);

}  // namespace flywatch::net
