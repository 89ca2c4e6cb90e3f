// The http:// and https:// probe kind: Beast's HTTP/1.1 parser over the connection (and TLS
// stream) that probe_dial and probe_tls set up.
//
// One probe = resolve → connect (each address in turn) → TLS handshake (https) → write the
// request → read one response, all under ONE deadline. Every step's error is a value
// (as_tuple), mapped to a FailureReason:
//   dns        resolution failed or returned nothing                         (probe_dial)
//   connect    no address accepted the TCP connection                        (probe_dial)
//   tls        context setup, handshake or verification failed; this includes a reset or EOF
//              during the handshake (the step that failed is the TLS step)   (probe_tls)
//   timeout    the deadline passed, whatever step was in flight
//   too_large  body over max_body_bytes, or header over the header limit
//   protocol   after the connection (and TLS) is up: write failure, reset, EOF before a complete
//              response, bytes that are not HTTP/1.x; also an invalid request in the spec
// Phases: resolve = start → addresses known; connect = first attempt → TCP established;
// tls = handshake; first_byte = start of sending the request → first response byte;
// transfer = first byte → end of the body. A phase is set only when it completed.
//
// connection: reuse (spec.connection_key set): the probe first takes its key's kept connection
// from the dialer's ConnectionPool; on it, resolve, connect and tls are 0 and result.reused is
// set. If that connection turns out closed before any response byte (EOF, reset, close_notify:
// the server's idle close raced the request), the probe dials one new connection before the
// same deadline; any other failure on it is the probe's failure. After a clean keep-alive
// exchange (core::keepable_after) the connection goes back to the pool; otherwise it is closed.
//
// `spec` is read until the probe completes, so it must outlive the awaitable.
#include "net/http_probe.hpp"

#include <optional>
#include <string_view>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "net/http_request.hpp"
#include "net/http_response.hpp"
#include "net/probe_tls.hpp"
#include "core/connection_reuse.hpp"
#include "net/connection_pool.hpp"

namespace flywatch::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using boost::system::error_code;
using core::FailureReason;
using core::ProbePhase;
using core::ProbeResult;

constexpr std::size_t first_read_size = 16 * 1024;

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
                "too_large: response header exceeds " + std::to_string(response_header_limit) +
                    " bytes");
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

// How an exchange ended, for the decision to keep its connection (connection: reuse).
struct ExchangeOutcome {
  core::ExchangeEnd end;
  /// The connection turned out closed (EOF, reset, broken pipe, close_notify) before any
  /// response byte, and the caller asked to hear of it rather than fail: `result` is left
  /// untouched so that the probe may redial once.
  bool closed_before_response = false;
};

bool is_closed_or_reset(const error_code& ec) {
  return is_closed_early(ec) || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor;
}

// Writes the request and reads one response. `Stream` is the TCP socket or the TLS stream on it.
// With `closed_is_retryable` (a kept connection), a close before any response byte is reported
// in the outcome instead of failing `result`.
template <class Stream>
asio::awaitable<ExchangeOutcome> exchange(Stream& stream, const Connection& conn,
                                          const std::string& request, const ProbeSpec& spec,
                                          ProbeResult& result, bool closed_is_retryable) {
  ExchangeOutcome out;
  const auto sent = ProbeClock::now();
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(request), as_values); ec) {
    if (closed_is_retryable && !conn.timed_out && is_closed_or_reset(ec)) {
      out.closed_before_response = true;
    } else {
      fail_exchange(result, spec, conn, ec, "sending the request");
    }
    co_return out;
  }

  // The first read is separate so that first_byte ends when the first byte arrives.
  boost::beast::flat_buffer buffer;
  {
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(first_read_size), as_values);
    if (ec) {
      if (closed_is_retryable && !conn.timed_out && is_closed_or_reset(ec)) {
        out.closed_before_response = true;
      } else {
        fail_exchange(result, spec, conn, ec, "waiting for the response");
      }
      co_return out;
    }
    buffer.commit(n);
  }
  const auto first_byte = ProbeClock::now();
  set_phase(result, ProbePhase::first_byte, first_byte - sent);

  std::optional<ResponseParser> parser;
  for (;;) {
    start_response(parser, spec.max_body_bytes, spec.method);
    auto [ec, n] = co_await http::async_read(stream, buffer, *parser, as_values);
    // A TLS peer that closes without close_notify ends an EOF-delimited body the same way a
    // plain one does; only treat that as an error when the body had a declared end.
    if (ec == ssl::error::stream_truncated && parser->is_header_done() && parser->need_eof()) {
      parser->put_eof(ec);
    }
    if (ec) {
      fail_exchange(result, spec, conn, ec, "reading the response");
      co_return out;
    }
    if (!is_interim_response(parser->get().result_int())) break;
  }
  set_phase(result, ProbePhase::transfer, ProbeClock::now() - first_byte);
  out.end.completed = true;
  // 101 Switching Protocols hands the connection to another protocol: never reused.
  out.end.keep_alive = parser->get().keep_alive() && parser->get().result_int() != 101;
  // The body ended by its framing and nothing was sent after it: the next response starts at
  // the next byte.
  out.end.body_delimited = !parser->need_eof() && buffer.size() == 0;
  store_response(parser->release(), result);
  co_return out;
}

// Keeps a connection for the next probe of its key after a clean keep-alive exchange
// (core::keepable_after); otherwise it is closed by its owner.
bool keep_if_reusable(ProbeDialer& dialer, const ProbeSpec& spec, const ExchangeOutcome& out,
                      std::unique_ptr<PooledConnection>& c) {
  if (!core::keepable_after(out.end)) return false;
  dialer.pool().put(spec.connection_key, std::move(c), ProbeClock::now());
  return true;
}

// A probe on a kept connection: no resolve, connect or handshake (those phases are 0), the
// certificate expiry its handshake saw. Returns false when the connection turned out closed
// before any response byte (`result` untouched but for nothing): the caller redials once.
asio::awaitable<bool> probe_on_kept(ProbeDialer& dialer, std::unique_ptr<PooledConnection> c,
                                    const std::string& request, const ProbeSpec& spec,
                                    ProbeClock::time_point deadline, ProbeResult& result) {
  ProbeResult attempt;
  attempt.reused = true;
  attempt.remote = c->remote;
  attempt.used_tls = c->tls != nullptr;
  attempt.cert_not_after = c->cert_not_after;
  set_phase(attempt, ProbePhase::resolve, {});
  set_phase(attempt, ProbePhase::connect, {});
  if (c->tls) set_phase(attempt, ProbePhase::tls, {});
  arm_deadline(c->conn, deadline);
  ConnectionCloser closer{*c->conn};
  ExchangeOutcome out;
  if (c->tls) {
    out = co_await exchange(*c->tls, *c->conn, request, spec, attempt, true);
  } else {
    out = co_await exchange(c->conn->socket, *c->conn, request, spec, attempt, true);
  }
  if (out.closed_before_response) co_return false;  // c closes here; the caller redials
  closer.keep_open = keep_if_reusable(dialer, spec, out, c);
  result = std::move(attempt);
  co_return true;
}

}  // namespace

asio::awaitable<void> probe_http(ProbeDialer& dialer, const ProbeSpec& spec,
                                 ProbeClock::time_point start, ProbeResult& result) {
  std::string built;
  if (spec.request.empty()) {
    if (std::string error; !build_request(spec, built, error)) {
      co_return fail(result, FailureReason::protocol, "protocol: " + error);
    }
  }
  const std::string& request = spec.request.empty() ? built : spec.request;
  const auto deadline = start + spec.timeout;
  const bool reuse =
      spec.connection == core::ConnectionMode::reuse && !spec.connection_key.empty();

  auto dial_start = start;
  if (reuse) {
    if (auto kept = dialer.pool().take(spec.connection_key, ProbeClock::now())) {
      if (co_await probe_on_kept(dialer, std::move(kept), request, spec, deadline, result)) {
        co_return;
      }
      // The server closed the kept connection while it was idle, before reading the request:
      // one new connection, before the same deadline. A failure after a response byte is a
      // failure, never retried.
      dial_start = ProbeClock::now();
    }
  }

  auto c = std::make_unique<PooledConnection>();
  c->conn = std::make_shared<Connection>(co_await asio::this_coro::executor);
  Connection& conn = *c->conn;
  ConnectionCloser closer{conn};
  if (!co_await dialer.dial(spec, dial_start, deadline, c->conn, result)) co_return;
  c->kept = core::KeptConnection{ProbeClock::now(), spec.max_connection_age};
  ExchangeOutcome out;
  if (spec.endpoint.scheme == "http") {
    out = co_await exchange(conn.socket, conn, request, spec, result, false);
  } else {
    c->ctx = co_await tls_context(dialer.tls_contexts(), spec, result);
    if (c->ctx == nullptr) co_return;
    c->tls = std::make_unique<TlsStream>(conn.socket, *c->ctx);
    if (!co_await tls_handshake(*c->tls, conn, spec, result)) co_return;
    // Its age counts from the handshake: max_connection_age bounds how old the certificate
    // seen may be.
    c->kept.opened_at = ProbeClock::now();
    out = co_await exchange(*c->tls, conn, request, spec, result, false);
  }
  if (!reuse) co_return;
  c->owner = spec.connection_owner;
  c->remote = result.remote;
  c->cert_not_after = result.cert_not_after;
  closer.keep_open = keep_if_reusable(dialer, spec, out, c);
}

}  // namespace flywatch::net
