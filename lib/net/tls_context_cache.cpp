#include "net/tls_context_cache.hpp"

#include <ctime>
#include <exception>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace flywatch::net {
namespace {

namespace ssl = boost::asio::ssl;
using TimePoint = std::chrono::system_clock::time_point;

// One ex_data slot, process-wide, for the per-connection cert_not_after output.
int observer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Runs for each certificate OpenSSL checks. The chain the server sent is only reachable here
// when verification fails (OpenSSL 3.0 drops it from the session on failure), so it is read on
// the first call. Returning `preverified` leaves the verdict to OpenSSL.
int verify_callback(int preverified, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return preverified;
  auto* out = static_cast<std::optional<TimePoint>*>(SSL_get_ex_data(ssl, observer_index()));
  if (out == nullptr || out->has_value()) return preverified;
  *out = earliest_not_after(X509_STORE_CTX_get0_untrusted(store));
  if (X509* leaf = X509_STORE_CTX_get0_cert(store)) {
    auto leaf_time = to_time_point(X509_get0_notAfter(leaf));
    if (leaf_time && (!out->has_value() || *leaf_time < **out)) *out = leaf_time;
  }
  return preverified;
}

std::unique_ptr<ssl::context> make_context(const std::string& ca_file, bool insecure,
                                           std::string& error) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* handle = ctx->native_handle();
  // No resumption of any kind: every probe must pay for the full handshake.
  SSL_CTX_set_options(handle, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_session_cache_mode(handle, SSL_SESS_CACHE_OFF);
  // Ask for HTTP/1.1 explicitly: some front ends refuse a handshake without ALPN.
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(handle, alpn, sizeof alpn);
  SSL_CTX_set_verify(handle, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, verify_callback);
  if (insecure) return ctx;

  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) error = "tls: cannot load the system CA store: " + ec.message();
  } else {
    ctx->load_verify_file(ca_file, ec);
    if (ec) error = "tls: cannot load ca_file " + ca_file + ": " + ec.message();
  }
  if (ec) return nullptr;
  return ctx;
}

}  // namespace

std::shared_ptr<ssl::context> TlsContextCache::get(const std::string& ca_file,
                                                   bool insecure_skip_verify, std::string& error) {
  // Insecure contexts ignore ca_file, so they share one entry.
  auto key = std::make_pair(insecure_skip_verify ? std::string() : ca_file, insecure_skip_verify);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  try {
    auto ctx = make_context(key.first, insecure_skip_verify, error);
    if (!ctx) return nullptr;
    return contexts_.emplace(std::move(key), std::move(ctx)).first->second;
  } catch (const std::exception& e) {
    error = std::string("tls: cannot create a TLS context: ") + e.what();
    return nullptr;
  }
}

void attach_cert_observer(SSL* ssl, std::optional<TimePoint>* out) {
  SSL_set_ex_data(ssl, observer_index(), out);
}

std::optional<TimePoint> earliest_not_after(STACK_OF(X509)* chain) {
  std::optional<TimePoint> earliest;
  if (chain == nullptr) return earliest;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    auto t = to_time_point(X509_get0_notAfter(sk_X509_value(chain, i)));
    if (t && (!earliest || *t < *earliest)) earliest = t;
  }
  return earliest;
}

std::optional<TimePoint> to_time_point(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  // ASN1 times are UTC; timegm is the UTC inverse of gmtime.
  const std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::from_time_t(secs);
}

}  // namespace flywatch::net
