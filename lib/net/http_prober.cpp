// The production HTTP(S) prober: Asio coroutines, Beast's HTTP/1.1 parser, OpenSSL.
//
// One probe = resolve → connect (each address in turn) → TLS handshake → write the request →
// read one response, all under ONE deadline. Every step's error is a value (as_tuple), mapped
// to a FailureReason:
//   dns        resolution failed or returned nothing
//   connect    no address accepted the TCP connection
//   tls        context setup, handshake or verification failed; this includes a reset or EOF
//              during the handshake (the step that failed is the TLS step)
//   timeout    the deadline passed, whatever step was in flight
//   too_large  body over max_body_bytes, or header over the header limit
//   protocol   after the connection (and TLS) is up: write failure, reset, EOF before a complete
//              response, bytes that are not HTTP/1.x; also an invalid request in the spec
// Phases: resolve = start → addresses known; connect = first attempt → TCP established;
// tls = handshake; first_byte = start of sending the request → first response byte;
// transfer = first byte → end of the body. A phase is set only when it completed.
//
// Runs on one thread: the resolver and deadline handlers share state with the coroutine
// without locks, so the io_context (or a strand) must not run probes on several threads.
// `spec` is read until the probe completes, so it must outlive the awaitable.
#include "net/http_prober.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <openssl/x509_vfy.h>

#include "net/http_request.hpp"
#include "net/resolver_pool.hpp"
#include "net/tls_context_cache.hpp"

namespace flywatch::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using core::FailureReason;
using core::ProbePhase;
using core::ProbeResult;

constexpr auto as_values = asio::as_tuple(asio::use_awaitable);
// Real response headers are a few KiB; this bounds a server that streams header lines forever.
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr std::size_t first_read_size = 16 * 1024;
// Concurrent getaddrinfo calls; a few suffice for a local caching resolver, and more keep one
// slow upstream answer from queueing every other lookup behind it.
constexpr std::size_t resolver_threads = 8;

// State shared by the probe coroutine and the handlers it starts (resolver completion, deadline).
// Those handlers may run after the coroutine has returned, so each holds a shared_ptr to it.
struct Connection {
  explicit Connection(const asio::any_io_executor& ex) : socket(ex), timer(ex), attempt_timer(ex) {}
  tcp::socket socket;
  asio::steady_timer timer;
  asio::steady_timer attempt_timer;  // bounds one connect attempt when more addresses remain
  unsigned attempt = 0;              // so a late attempt timer cannot cancel the next attempt
  tcp::resolver::results_type resolved;
  error_code resolve_error;
  bool resolve_done = false;
  bool timed_out = false;
};

// Ends whatever the deadline handler still holds when the probe returns (or its frame is
// destroyed), so no handler keeps a socket open past the probe.
struct ConnectionCloser {
  Connection& conn;
  ~ConnectionCloser() {
    try {
      conn.timer.cancel();
      conn.attempt_timer.cancel();
    } catch (...) {  // cancel() only throws if the reactor is broken; nothing left to do then
    }
    error_code ignored;
    conn.socket.close(ignored);
  }
};

void set_phase(ProbeResult& r, ProbePhase p, Clock::duration d) {
  r.phases[static_cast<std::size_t>(p)] = std::chrono::duration_cast<std::chrono::nanoseconds>(d);
}

void fail(ProbeResult& r, FailureReason reason, std::string error) {
  r.transport_failure = reason;
  r.error = std::move(error);
}

void fail_timeout(ProbeResult& r, const ProbeSpec& spec, std::string_view step) {
  fail(r, FailureReason::timeout,
       "timeout: no complete response within " + std::to_string(spec.timeout.count()) +
           " ms (while " + std::string(step) + ")");
}

std::string to_string(const tcp::endpoint& ep) {
  const auto addr = ep.address().to_string();
  const auto port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + addr + "]:" + port : addr + ":" + port;
}

bool is_closed_early(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

// Maps an error after the connection (and TLS) is up.
void fail_exchange(ProbeResult& r, const ProbeSpec& spec, const Connection& conn,
                   const error_code& ec, std::string_view step) {
  if (conn.timed_out) return fail_timeout(r, spec, step);
  if (ec == http::error::body_limit) {
    return fail(r, FailureReason::too_large,
                "too_large: body exceeds " + std::to_string(spec.max_body_bytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return fail(r, FailureReason::too_large,
                "too_large: response header exceeds " + std::to_string(header_limit) + " bytes");
  }
  if (is_closed_early(ec)) {
    return fail(r, FailureReason::protocol,
                "protocol: connection closed before a complete response (while " +
                    std::string(step) + ")");
  }
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return fail(r, FailureReason::protocol,
                "protocol: connection reset by peer (while " + std::string(step) + ")");
  }
  fail(r, FailureReason::protocol, "protocol: " + ec.message() + " (while " + std::string(step) + ")");
}

void fail_handshake(ProbeResult& r, const ProbeSpec& spec, const Connection& conn, SSL* ssl,
                    const error_code& ec) {
  if (conn.timed_out) return fail_timeout(r, spec, "doing the TLS handshake");
  if (const long v = SSL_get_verify_result(ssl); v != X509_V_OK) {
    return fail(r, FailureReason::tls,
                std::string("tls: certificate verify failed: ") + X509_verify_cert_error_string(v));
  }
  if (is_closed_early(ec)) {
    return fail(r, FailureReason::tls, "tls: handshake failed: connection closed by peer");
  }
  if (ec == asio::error::connection_reset) {
    return fail(r, FailureReason::tls, "tls: handshake failed: connection reset by peer");
  }
  fail(r, FailureReason::tls, "tls: handshake failed: " + ec.message());
}

// Writes the request and reads one response. `Stream` is the TCP socket or the TLS stream on it.
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, const Connection& conn, const std::string& request,
                               const ProbeSpec& spec, ProbeResult& result) {
  const auto sent = Clock::now();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(request), as_values); ec) {
    co_return fail_exchange(result, spec, conn, ec, "sending the request");
  }

  // The first read is separate so that first_byte ends when the first byte arrives.
  boost::beast::flat_buffer buffer;
  {
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(first_read_size), as_values);
    if (ec) co_return fail_exchange(result, spec, conn, ec, "waiting for the response");
    buffer.commit(n);
  }
  const auto first_byte = Clock::now();
  set_phase(result, ProbePhase::first_byte, first_byte - sent);

  std::optional<http::response_parser<http::string_body>> parser;
  for (;;) {
    parser.emplace();
    parser->body_limit(static_cast<std::uint64_t>(spec.max_body_bytes));
    parser->header_limit(header_limit);
    if (spec.method == "HEAD") parser->skip(true);
    auto [ec, n] = co_await http::async_read(stream, buffer, *parser, as_values);
    // A TLS peer that closes without close_notify ends an EOF-delimited body the same way a
    // plain one does; only treat that as an error when the body had a declared end.
    if (ec == ssl::error::stream_truncated && parser->is_header_done() && parser->need_eof()) {
      parser->put_eof(ec);
    }
    if (ec) co_return fail_exchange(result, spec, conn, ec, "reading the response");
    const int status = parser->get().result_int();
    // Interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200 && status != 101) continue;
    break;
  }
  set_phase(result, ProbePhase::transfer, Clock::now() - first_byte);

  auto& message = parser->get();
  result.http_status = message.result_int();
  result.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    result.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  result.body = std::move(message.body());
}

class AsioHttpProber final : public HttpProber {
 public:
  explicit AsioHttpProber(NameLookup lookup) : lookup_(std::move(lookup)) {}

  void reload() override { tls_contexts_.clear(); }

  asio::awaitable<ProbeResult> probe(const ProbeSpec& spec) override {
    ProbeResult result;
    const auto start = Clock::now();
    try {
      co_await run(spec, start, result);
    } catch (const std::exception& e) {
      // Only allocation failure or a broken reactor get here; still a result, not a throw.
      fail(result, FailureReason::protocol, std::string("internal error: ") + e.what());
    }
    result.total = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    co_return result;
  }

 private:
  asio::awaitable<void> run(const ProbeSpec& spec, Clock::time_point start, ProbeResult& result);
  asio::awaitable<bool> resolve(const ProbeSpec& spec, Connection& conn,
                                const std::shared_ptr<Connection>& keep, ProbeResult& result);

  TlsContextCache tls_contexts_;
  // Created on the first lookup, bound to the executor probes run on (one per prober).
  std::optional<ResolverPool> resolvers_;
  NameLookup lookup_;
};

// Resolves spec.host into conn.resolved, bounded by the deadline already set on conn.timer.
// getaddrinfo runs on a resolver pool thread and cannot be interrupted, so the coroutine waits
// on the deadline timer, which the lookup's handler cancels when it finishes first.
asio::awaitable<bool> AsioHttpProber::resolve(const ProbeSpec& spec, Connection& conn,
                                              const std::shared_ptr<Connection>& keep,
                                              ProbeResult& result) {
  if (!resolvers_) resolvers_.emplace(conn.socket.get_executor(), resolver_threads, lookup_);
  resolvers_->async_resolve(spec.host, std::to_string(spec.port), conn.timer.expiry(),
                            [keep](const error_code& ec, tcp::resolver::results_type results) {
                              keep->resolve_error = ec;
                              keep->resolved = std::move(results);
                              keep->resolve_done = true;
                              keep->timer.cancel();
                            });
  co_await conn.timer.async_wait(as_values);
  if (!conn.resolve_done || Clock::now() >= conn.timer.expiry()) {
    conn.timed_out = true;
    fail_timeout(result, spec, "resolving " + spec.host);
    co_return false;
  }
  if (conn.resolve_error || conn.resolved.empty()) {
    fail(result, FailureReason::dns,
         "dns: " + spec.host + ": " +
             (conn.resolve_error ? conn.resolve_error.message() : std::string("no addresses")));
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> AsioHttpProber::run(const ProbeSpec& spec, Clock::time_point start,
                                          ProbeResult& result) {
  const auto deadline = start + spec.timeout;
  const bool use_tls = spec.scheme == "https";
  if (!use_tls && spec.scheme != "http") {
    co_return fail(result, FailureReason::protocol, "protocol: unsupported scheme " + spec.scheme);
  }
  std::string request;
  if (std::string error; !build_request(spec, request, error)) {
    co_return fail(result, FailureReason::protocol, "protocol: " + error);
  }

  auto conn_ptr = std::make_shared<Connection>(co_await asio::this_coro::executor);
  Connection& conn = *conn_ptr;
  ConnectionCloser closer{conn};
  conn.timer.expires_at(deadline);

  // Resolve. An IP literal skips the resolver (and its thread hop) entirely.
  std::optional<tcp::endpoint> literal;
  if (is_ip_literal(spec.host)) {
    literal.emplace(asio::ip::make_address(spec.host), spec.port);
  } else if (!co_await resolve(spec, conn, conn_ptr, result)) {
    co_return;
  }
  set_phase(result, ProbePhase::resolve, Clock::now() - start);

  // From here the deadline closes the socket, which ends whatever operation is pending on it.
  conn.timer.expires_at(deadline);
  conn.timer.async_wait([keep = conn_ptr](const error_code& ec) {
    if (ec) return;
    keep->timed_out = true;
    error_code ignored;
    keep->socket.close(ignored);
  });

  // Connect to each address in turn (IPv6 and IPv4, in resolver order). While other addresses
  // remain, an attempt gets only its share of the time left: a path that silently drops SYNs
  // (a broken IPv6 route to a dual-stack host) must not use up the whole deadline.
  const auto connect_start = Clock::now();
  error_code connect_error;
  std::string tried;
  auto try_connect = [&](const tcp::endpoint& ep,
                         std::optional<Clock::duration> budget) -> asio::awaitable<bool> {
    error_code ec;
    conn.socket.close(ec);
    conn.socket.open(ep.protocol(), ec);
    const unsigned id = ++conn.attempt;
    if (!ec && budget) {
      conn.attempt_timer.expires_after(*budget);
      conn.attempt_timer.async_wait([keep = conn_ptr, id](const error_code& timer_ec) {
        if (timer_ec || keep->attempt != id) return;
        error_code ignored;
        keep->socket.cancel(ignored);
      });
    }
    if (!ec) std::tie(ec) = co_await conn.socket.async_connect(ep, as_values);
    ++conn.attempt;
    conn.attempt_timer.cancel();
    if (!ec) {
      result.remote = to_string(ep);
      co_return true;
    }
    connect_error = ec == asio::error::operation_aborted ? asio::error::timed_out : ec;
    tried = to_string(ep);
    co_return false;
  };
  bool connected = false;
  if (literal) {
    connected = co_await try_connect(*literal, std::nullopt);
  } else {
    const auto count = static_cast<Clock::rep>(conn.resolved.size());
    Clock::rep index = 0;
    for (const auto& entry : conn.resolved) {
      if (conn.timed_out) break;
      const Clock::rep left = count - index++;
      std::optional<Clock::duration> budget;
      if (left > 1) budget = std::max(Clock::duration::zero(), (deadline - Clock::now()) / left);
      if ((connected = co_await try_connect(entry.endpoint(), budget))) break;
    }
  }
  if (conn.timed_out) co_return fail_timeout(result, spec, "connecting");
  if (!connected) {
    co_return fail(result, FailureReason::connect,
                   "connect: " + tried + ": " + connect_error.message());
  }
  set_phase(result, ProbePhase::connect, Clock::now() - connect_start);
  error_code ignored;
  // The request and the TLS Finished are small writes back to back; Nagle would hold one.
  conn.socket.set_option(tcp::no_delay(true), ignored);

  if (!use_tls) {
    co_await exchange(conn.socket, conn, request, spec, result);
    co_return;
  }

  result.used_tls = true;
  std::string error;
  const auto ctx = tls_contexts_.get(spec.ca_file, spec.insecure_skip_verify, error);
  if (ctx == nullptr) co_return fail(result, FailureReason::tls, std::move(error));
  ssl::stream<tcp::socket&> tls(conn.socket, *ctx);
  SSL* ssl = tls.native_handle();
  const std::string& name = spec.server_name.empty() ? spec.host : spec.server_name;
  const bool name_is_ip = is_ip_literal(name);
  // RFC 6066: SNI carries host names only, never IP literals.
  if (!name_is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!spec.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (name_is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
  }
  attach_cert_observer(ssl, &result.cert_not_after);
  const auto tls_start = Clock::now();
  auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, as_values);
  attach_cert_observer(ssl, nullptr);
  if (!result.cert_not_after) result.cert_not_after = earliest_not_after(SSL_get_peer_cert_chain(ssl));
  if (handshake_error) co_return fail_handshake(result, spec, conn, ssl, handshake_error);
  set_phase(result, ProbePhase::tls, Clock::now() - tls_start);

  co_await exchange(tls, conn, request, spec, result);
}

}  // namespace

std::unique_ptr<HttpProber> make_http_prober(NameLookup lookup) {
  return std::make_unique<AsioHttpProber>(std::move(lookup));
}

}  // namespace flywatch::net
