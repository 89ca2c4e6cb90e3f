// Resolve and connect, shared by every probe kind (see probe_dial.hpp for reasons and phases).
#include "net/probe_dial.hpp"

#include <algorithm>
#include <tuple>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/error.hpp>

#include "net/http_request.hpp"

namespace flywatch::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using core::FailureReason;
using core::ProbePhase;
using core::ProbeResult;

namespace {

// Concurrent getaddrinfo calls; a few suffice for a local caching resolver, and more keep one
// slow upstream answer from queueing every other lookup behind it.
constexpr std::size_t resolver_threads = 8;

std::string to_string(const tcp::endpoint& ep) {
  const auto addr = ep.address().to_string();
  const auto port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + addr + "]:" + port : addr + ":" + port;
}

}  // namespace

ConnectionCloser::~ConnectionCloser() {
  try {
    conn.timer.cancel();
    conn.attempt_timer.cancel();
  } catch (...) {  // cancel() only throws if the reactor is broken; nothing left to do then
  }
  if (keep_open) return;
  error_code ignored;
  conn.socket.close(ignored);
}

void arm_deadline(const std::shared_ptr<Connection>& conn, ProbeClock::time_point deadline) {
  conn->timed_out = false;
  conn->timer.expires_at(deadline);
  conn->timer.async_wait([keep = conn](const error_code& ec) {
    if (ec) return;
    keep->timed_out = true;
    error_code ignored;
    keep->socket.close(ignored);
  });
}

void set_phase(ProbeResult& r, ProbePhase p, ProbeClock::duration d) {
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

bool is_closed_early(const error_code& ec) {
  namespace http = boost::beast::http;
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

// Resolves spec.endpoint.host into conn.resolved, bounded by the deadline already set on conn.timer.
// getaddrinfo runs on a resolver pool thread and cannot be interrupted, so the coroutine waits
// on the deadline timer, which the lookup's handler cancels when it finishes first.
asio::awaitable<bool> ProbeDialer::resolve(const ProbeSpec& spec, Connection& conn,
                                           const std::shared_ptr<Connection>& keep,
                                           ProbeResult& result) {
  if (!resolvers_) resolvers_.emplace(conn.socket.get_executor(), resolver_threads, lookup_);
  resolvers_->async_resolve(spec.endpoint.host, std::to_string(spec.endpoint.port), conn.timer.expiry(),
                            [keep](const error_code& ec, tcp::resolver::results_type results) {
                              keep->resolve_error = ec;
                              keep->resolved = std::move(results);
                              keep->resolve_done = true;
                              keep->timer.cancel();
                            });
  co_await conn.timer.async_wait(as_values);
  if (!conn.resolve_done || ProbeClock::now() >= conn.timer.expiry()) {
    conn.timed_out = true;
    fail_timeout(result, spec, "resolving " + spec.endpoint.host);
    co_return false;
  }
  if (conn.resolve_error || conn.resolved.empty()) {
    fail(result, FailureReason::dns,
         "dns: " + spec.endpoint.host + ": " +
             (conn.resolve_error ? conn.resolve_error.message() : std::string("no addresses")));
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> ProbeDialer::dial(const ProbeSpec& spec, ProbeClock::time_point start,
                                        const std::shared_ptr<Connection>& conn_ptr,
                                        ProbeResult& result) {
  co_return co_await dial(spec, start, start + spec.timeout, conn_ptr, result);
}

asio::awaitable<bool> ProbeDialer::dial(const ProbeSpec& spec, ProbeClock::time_point start,
                                        ProbeClock::time_point deadline,
                                        const std::shared_ptr<Connection>& conn_ptr,
                                        ProbeResult& result) {
  Connection& conn = *conn_ptr;
  conn.timer.expires_at(deadline);

  // Resolve. An IP literal skips the resolver (and its thread hop) entirely.
  std::optional<tcp::endpoint> literal;
  if (is_ip_literal(spec.endpoint.host)) {
    literal.emplace(asio::ip::make_address(spec.endpoint.host), spec.endpoint.port);
  } else if (!co_await resolve(spec, conn, conn_ptr, result)) {
    co_return false;
  }
  set_phase(result, ProbePhase::resolve, ProbeClock::now() - start);

  // From here the deadline closes the socket, which ends whatever operation is pending on it.
  arm_deadline(conn_ptr, deadline);

  // Connect to each address in turn (IPv6 and IPv4, in resolver order). While other addresses
  // remain, an attempt gets only its share of the time left: a path that silently drops SYNs
  // (a broken IPv6 route to a dual-stack host) must not use up the whole deadline.
  const auto connect_start = ProbeClock::now();
  error_code connect_error;
  std::string tried;
  auto try_connect = [&](const tcp::endpoint& ep,
                         std::optional<ProbeClock::duration> budget) -> asio::awaitable<bool> {
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
    const auto count = static_cast<ProbeClock::rep>(conn.resolved.size());
    ProbeClock::rep index = 0;
    for (const auto& entry : conn.resolved) {
      if (conn.timed_out) break;
      const ProbeClock::rep left = count - index++;
      std::optional<ProbeClock::duration> budget;
      if (left > 1) {
        budget = std::max(ProbeClock::duration::zero(), (deadline - ProbeClock::now()) / left);
      }
      if ((connected = co_await try_connect(entry.endpoint(), budget))) break;
    }
  }
  if (conn.timed_out) {
    fail_timeout(result, spec, "connecting");
    co_return false;
  }
  if (!connected) {
    fail(result, FailureReason::connect, "connect: " + tried + ": " + connect_error.message());
    co_return false;
  }
  set_phase(result, ProbePhase::connect, ProbeClock::now() - connect_start);
  error_code ignored;
  // A request (or the TLS Finished) is a small write; Nagle would hold one back.
  conn.socket.set_option(tcp::no_delay(true), ignored);
  co_return true;
}

}  // namespace flywatch::net
