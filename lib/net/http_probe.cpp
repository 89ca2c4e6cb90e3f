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

// Writes the request and reads one response. `Stream` is the TCP socket or the TLS stream on it.
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, const Connection& conn, const std::string& request,
                               const ProbeSpec& spec, ProbeResult& result) {
  const auto sent = ProbeClock::now();
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
    if (ec) co_return fail_exchange(result, spec, conn, ec, "reading the response");
    if (!is_interim_response(parser->get().result_int())) break;
  }
  set_phase(result, ProbePhase::transfer, ProbeClock::now() - first_byte);
  store_response(parser->release(), result);
}

}  // namespace

asio::awaitable<void> probe_http(ProbeDialer& dialer, const ProbeSpec& spec,
                                 ProbeClock::time_point start, ProbeResult& result) {
  std::string request;
  if (std::string error; !build_request(spec, request, error)) {
    co_return fail(result, FailureReason::protocol, "protocol: " + error);
  }
  auto conn_ptr = std::make_shared<Connection>(co_await asio::this_coro::executor);
  ConnectionCloser closer{*conn_ptr};
  if (!co_await dialer.dial(spec, start, conn_ptr, result)) co_return;
  Connection& conn = *conn_ptr;
  if (spec.endpoint.scheme == "http") co_return co_await exchange(conn.socket, conn, request, spec, result);

  const auto ctx = co_await tls_context(dialer.tls_contexts(), spec, result);
  if (ctx == nullptr) co_return;
  TlsStream tls(conn.socket, *ctx);
  if (!co_await tls_handshake(tls, conn, spec, result)) co_return;
  co_await exchange(tls, conn, request, spec, result);
}

}  // namespace flywatch::net
