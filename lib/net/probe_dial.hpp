#pragma once
/// The first steps every probe kind shares: resolve (resolver pool, IP-literal shortcut) and
/// connect (each address in turn), under the probe's one deadline; plus the result helpers
/// the kinds use to record phases and failures.
///
/// Reasons set here: dns (resolution failed or returned nothing), connect (no address accepted
/// the TCP connection), timeout (the deadline passed while resolving or connecting).
/// Phases set here: resolve = start → addresses known; connect = first attempt → TCP
/// established.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/probe_result.hpp"
#include "net/connection_pool.hpp"
#include "net/prober.hpp"
#include "net/resolver_pool.hpp"
#include "net/tls_context_cache.hpp"

namespace flywatch::net {

using ProbeClock = std::chrono::steady_clock;

/// Completion token of the probe coroutines: errors come back as values, never as throws.
inline constexpr auto as_values = boost::asio::as_tuple(boost::asio::use_awaitable);

/// State shared by a probe coroutine and the handlers it starts (resolver completion,
/// deadline). Those handlers may run after the coroutine has returned, so each holds a
/// shared_ptr to it.
struct Connection {
  explicit Connection(const boost::asio::any_io_executor& ex)
      : socket(ex), timer(ex), attempt_timer(ex) {}
  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer timer;
  boost::asio::steady_timer attempt_timer;  ///< bounds one connect attempt when more addresses remain
  unsigned attempt = 0;  ///< so a late attempt timer cannot cancel the next attempt
  boost::asio::ip::tcp::resolver::results_type resolved;
  boost::system::error_code resolve_error;
  bool resolve_done = false;
  /// Set by the deadline handler, which also closes the socket: whatever operation was
  /// pending then fails, and this tells the kind to report timeout.
  bool timed_out = false;
};

/// Ends whatever the deadline handler still holds when the probe returns (or its frame is
/// destroyed), so no handler keeps a socket open past the probe.
struct ConnectionCloser {
  Connection& conn;
  /// Set when the connection is kept (`connection: reuse`): the timers are still cancelled,
  /// the socket stays open.
  bool keep_open = false;
  ~ConnectionCloser();
};

/// Arms conn's deadline at `deadline`: when it passes, the handler closes the socket (ending
/// whatever operation is pending on it) and sets conn.timed_out. Re-armed for each probe on a
/// kept connection.
void arm_deadline(const std::shared_ptr<Connection>& conn, ProbeClock::time_point deadline);

/// Records the duration of phase `p`.
void set_phase(core::ProbeResult& r, core::ProbePhase p, ProbeClock::duration d);
/// Records a transport failure.
void fail(core::ProbeResult& r, core::FailureReason reason, std::string error);
/// Records reason timeout: "timeout: no complete response within N ms (while <step>)".
void fail_timeout(core::ProbeResult& r, const ProbeSpec& spec, std::string_view step);
/// True for the ways a peer can end a stream early (EOF, a TLS stream without close_notify,
/// Beast's end_of_stream / partial_message).
bool is_closed_early(const boost::system::error_code& ec);

/// Resolves and connects for every kind. Owns what outlives one probe: the resolver pool
/// (created on the first lookup, bound to the executor probes run on) and the TLS contexts.
/// Runs on one thread: the resolver and deadline handlers share state with the coroutine
/// without locks, so the io_context (or a strand) must not run probes on several threads.
class ProbeDialer {
 public:
  explicit ProbeDialer(NameLookup lookup) : lookup_(std::move(lookup)) {}

  /// Resolves spec.host (an IP literal skips the resolver) and connects to each address in
  /// turn, all before `start + spec.timeout`. On success `conn.socket` is connected (with
  /// TCP_NODELAY), result.remote and the resolve and connect phases are set, the deadline
  /// stays armed (it closes the socket and sets conn.timed_out) and true is returned.
  /// Otherwise `result` holds the failure (dns, connect or timeout) and false is returned.
  boost::asio::awaitable<bool> dial(const ProbeSpec& spec, ProbeClock::time_point start,
                                    const std::shared_ptr<Connection>& conn,
                                    core::ProbeResult& result);
  /// The same with the deadline given: a redial after a kept connection turned out closed
  /// measures its phases from `start` (now) but keeps the probe's own deadline.
  boost::asio::awaitable<bool> dial(const ProbeSpec& spec, ProbeClock::time_point start,
                                    ProbeClock::time_point deadline,
                                    const std::shared_ptr<Connection>& conn,
                                    core::ProbeResult& result);

  /// The kept-alive connections of `connection: reuse` probes.
  ConnectionPool& pool() { return pool_; }

  /// The TLS client contexts, shared by the kinds that handshake.
  TlsContextCache& tls_contexts() { return tls_contexts_; }

 private:
  boost::asio::awaitable<bool> resolve(const ProbeSpec& spec, Connection& conn,
                                       const std::shared_ptr<Connection>& keep,
                                       core::ProbeResult& result);

  TlsContextCache tls_contexts_;
  ConnectionPool pool_;
  std::optional<ResolverPool> resolvers_;
  NameLookup lookup_;
};

/// One probe kind (http_probe, tcp_probe, tls_probe): runs a whole probe of spec.scheme that
/// began at `start`, recording phases, the outcome and any failure in `result` (never by a
/// throw for a failed probe). The registry (prober.cpp) maps schemes to kinds.
using ProbeKind = boost::asio::awaitable<void> (*)(ProbeDialer& dialer, const ProbeSpec& spec,
                                                   ProbeClock::time_point start,
                                                   core::ProbeResult& result);

}  // namespace flywatch::net
