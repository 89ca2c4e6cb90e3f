// The tcp:// probe kind: is the port open, and (optionally) does the service greet as it
// should (SSH, SMTP, Redis PING → +PONG...)?
//
// One probe = resolve → connect → write `send` (if any) → read the banner (if read_until is
// set), under ONE deadline. Reasons (from the bounded FailureReason set):
//   dns        resolution failed or returned nothing                           (probe_dial)
//   connect    no address accepted the TCP connection                          (probe_dial)
//   timeout    the deadline passed: while resolving or connecting, or while reading a banner
//              that could still match (nothing arrived yet, or only the start of a match)
//   protocol   writing `send` failed, or the connection was reset while reading the banner
//   body       (from core::evaluate, expect.banner_regex) the banner read does not match: the
//              server closed the connection, max_body bytes arrived, or what arrived can no
//              longer be the start of a match (anchored patterns), without a match
// The probe itself ends with transport ok once the banner matches or can no longer match,
// at EOF or at max_body bytes; core::evaluate then decides `body`.
// Phases: resolve, connect; first_byte = connected (and `send` written) → first banner byte,
// only when a banner is read. http_status stays 0 (ProbeResult::http_exchange is false).
#include "net/tcp_probe.hpp"

#include <algorithm>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

namespace flywatch::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using core::FailureReason;
using core::ProbeResult;

constexpr std::size_t read_chunk = 4096;

void fail_stream(ProbeResult& r, const ProbeSpec& spec, const Connection& conn,
                 const error_code& ec, std::string_view step) {
  if (conn.timed_out) return fail_timeout(r, spec, step);
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return fail(r, FailureReason::protocol,
                "protocol: connection reset by peer (while " + std::string(step) + ")");
  }
  fail(r, FailureReason::protocol, "protocol: " + ec.message() + " (while " + std::string(step) + ")");
}

// Reads into result.body until the banner is decided (see the header comment).
asio::awaitable<void> read_banner(Connection& conn, const core::Pattern& until,
                                  const ProbeSpec& spec, ProbeResult& result) {
  const auto waiting = ProbeClock::now();
  std::string& banner = result.body;
  while (banner.size() < spec.max_body_bytes) {
    const std::size_t old_size = banner.size();
    banner.resize(old_size + std::min(read_chunk, spec.max_body_bytes - old_size));
    auto [ec, n] = co_await conn.socket.async_read_some(
        asio::buffer(banner.data() + old_size, banner.size() - old_size), as_values);
    banner.resize(old_size + n);
    if (n > 0 && old_size == 0) {
      set_phase(result, core::ProbePhase::first_byte, ProbeClock::now() - waiting);
    }
    if (ec == asio::error::eof) co_return;  // what arrived is the whole banner
    if (ec) co_return fail_stream(result, spec, conn, ec, "reading the banner");
    if (until.search(banner) || !until.could_match_with_more(banner)) co_return;
  }
}

}  // namespace

asio::awaitable<void> probe_tcp(ProbeDialer& dialer, const ProbeSpec& spec,
                                ProbeClock::time_point start, ProbeResult& result) {
  result.http_exchange = false;
  auto conn_ptr = std::make_shared<Connection>(co_await asio::this_coro::executor);
  ConnectionCloser closer{*conn_ptr};
  if (!co_await dialer.dial(spec, start, conn_ptr, result)) co_return;
  Connection& conn = *conn_ptr;
  if (!spec.tcp.send.empty()) {
    auto [ec, n] = co_await asio::async_write(conn.socket, asio::buffer(spec.tcp.send), as_values);
    if (ec) co_return fail_stream(result, spec, conn, ec, "sending");
  }
  if (spec.tcp.read_until) co_await read_banner(conn, *spec.tcp.read_until, spec, result);
}

}  // namespace flywatch::net
