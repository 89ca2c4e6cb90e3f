#include "net/tls_context_cache.hpp"

#include <ctime>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>


namespace flywatch::net {

namespace ssl = boost::asio::ssl;

namespace {

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

}  // namespace

std::shared_ptr<ssl::context> make_client_tls_context(const std::string& ca_file, bool insecure,
                                                      std::string& error) try {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
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
} catch (const std::exception& e) {
  error = std::string("tls: cannot create a TLS context: ") + e.what();
  return nullptr;
}

// One load in flight: the probes that want its key wait on `done`, a timer that never expires
// by itself and is cancelled when the load ends.
struct TlsContextCache::Loading {
  explicit Loading(const boost::asio::any_io_executor& ex)
      : done(ex, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::steady_timer done;
  bool finished = false;
  std::shared_ptr<ssl::context> ctx;
  std::string error;
};

TlsContextCache::TlsContextCache(Loader load)
    : load_(load ? std::move(load) : Loader(make_client_tls_context)) {}

TlsContextCache::~TlsContextCache() = default;

void TlsContextCache::clear() {
  contexts_.clear();
  // Loads in flight answer their waiters, but their context is from before the clear.
  loading_.clear();
  ++generation_;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

boost::asio::awaitable<std::shared_ptr<ssl::context>> TlsContextCache::get(
    std::string ca_file, bool insecure_skip_verify, std::string& error) {
  // Insecure contexts ignore ca_file, so they share one entry. (No temporaries in conditional
  // expressions or braced initializers here: GCC 12 coroutines destroy some of them twice.)
  Key key;
  key.second = insecure_skip_verify;
  if (!insecure_skip_verify) key.first = std::move(ca_file);
  if (auto it = contexts_.find(key); it != contexts_.end()) co_return it->second;

  std::shared_ptr<Loading> loading;
  if (auto it = loading_.find(key); it != loading_.end()) {
    loading = it->second;
    if (!loading->finished) {
      (void)co_await loading->done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    if (!loading->ctx) error = loading->error;
    co_return loading->ctx;
  }

  loading = std::make_shared<Loading>(co_await boost::asio::this_coro::executor);
  loading_.emplace(key, loading);
  ++loads_;
  const std::uint64_t generation = generation_;
  // On the loop, for now: loading on the worker pool (co_spawn there, use_awaitable back) leaked
  // the context under LeakSanitizer in `flywatch check` and crashed test_net at exit, a load
  // finishing after its io_context was gone (issue 13 note, 2026-12-03).
  std::string load_error;
  std::shared_ptr<ssl::context> ctx = load_(key.first, key.second, load_error);
  loading->ctx = ctx;
  loading->error = load_error;
  loading->finished = true;
  loading->done.cancel();
  if (generation == generation_) {
    loading_.erase(key);
    if (ctx) contexts_.emplace(std::move(key), ctx);  // failures are not kept
  }
  if (!ctx) error = std::move(load_error);
  co_return ctx;
}

#pragma GCC diagnostic pop


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
