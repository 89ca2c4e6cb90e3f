// The tls:// probe kind: a TLS endpoint that is not HTTP (SMTPS, IMAPS, a database behind TLS,
// a TLS terminator's port). It succeeds once the handshake and certificate verification are
// done; the certificate's notAfter feeds cert_min_validity and the expiry gauge.
//
// Reasons: dns, connect (probe_dial); tls — context setup, handshake or verification failed,
// a wrong host name included (probe_tls); timeout — the deadline passed in any step.
// Phases: resolve, connect, tls. No HTTP: http_status stays 0 (ProbeResult::http_exchange is
// false).
#include "net/tls_probe.hpp"

#include <boost/asio/this_coro.hpp>

#include "net/probe_tls.hpp"

namespace flywatch::net {

boost::asio::awaitable<void> probe_tls(ProbeDialer& dialer, const ProbeSpec& spec,
                                       ProbeClock::time_point start, core::ProbeResult& result) {
  result.http_exchange = false;
  auto conn_ptr = std::make_shared<Connection>(co_await boost::asio::this_coro::executor);
  ConnectionCloser closer{*conn_ptr};
  if (!co_await dialer.dial(spec, start, conn_ptr, result)) co_return;
  const auto ctx = co_await tls_context(dialer.tls_contexts(), spec, result);
  if (ctx == nullptr) co_return;
  // The stream only borrows the socket; the closer above closes it when the probe returns
  // (without close_notify: the probe is over, and the server sees an ordinary disconnect).
  TlsStream tls(conn_ptr->socket, *ctx);
  co_await tls_handshake(tls, *conn_ptr, spec, result);
}

}  // namespace flywatch::net
