// The tcp:// kind against loopback servers: open port, send + banner, closed port, silence,
// banner mismatch, and the byte cap. Reasons are mapped as tcp_probe.cpp documents.
#include <doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/expectation.hpp"
#include "loopback_server.hpp"
#include "probe_checks.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;
using core::ProbePhase;

core::Pattern pattern(const std::string& source) {
  auto p = core::Pattern::compile(source);
  REQUIRE(p.has_value());
  return *p;
}

net::ProbeSpec tcp_spec(std::uint16_t port, std::chrono::milliseconds timeout = 5s) {
  return spec_for("tcp", "127.0.0.1", port, timeout);
}

// Says `banner`, then keeps the connection open (or closes it when `then_close`).
Handler greet(std::string banner, bool then_close = false) {
  return [banner = std::move(banner), then_close](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.write(banner)) co_return;
    if (then_close) co_return conn.close();
    co_await conn.sleep(60s);
  };
}

core::Verdict judge(const core::ProbeResult& r, const std::string& banner_regex) {
  core::Expectation e;
  e.banner_regex = pattern(banner_regex);
  return core::evaluate(r, e, std::chrono::system_clock::now());
}

TEST_CASE("tcp: an open port succeeds once connected; no HTTP status, no banner phase") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet("ignored\r\n"));
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tcp_spec(server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK_FALSE(r.http_exchange);
  CHECK(r.http_status == 0);
  CHECK(r.body.empty());
  CHECK_FALSE(r.used_tls);
  CHECK(r.remote == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(has_phase(r, ProbePhase::resolve));
  CHECK(has_phase(r, ProbePhase::connect));
  CHECK_FALSE(has_phase(r, ProbePhase::tls));
  CHECK_FALSE(has_phase(r, ProbePhase::first_byte));
  CHECK_FALSE(has_phase(r, ProbePhase::transfer));
  // An empty expectation passes: http_status 0 must not fail "status".
  CHECK(core::evaluate(r, core::Expectation{}, std::chrono::system_clock::now()).success);
}

TEST_CASE("tcp: the banner is read until banner_regex matches, with first_byte") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet("SSH-2.0-OpenSSH_9.6\r\n"));
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.tcp.read_until = pattern("^SSH-2\\.0-");
  const auto r = run_probe(ioc, *prober, spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.body == "SSH-2.0-OpenSSH_9.6\r\n");
  CHECK(has_phase(r, ProbePhase::first_byte));
  CHECK(r.total < 2s);  // stopped at the match, not at the deadline
  CHECK(judge(r, "^SSH-2\\.0-").success);
}

TEST_CASE("tcp: send is written first and the reply read as the banner") {
  asio::io_context ioc;
  auto seen = std::make_shared<std::string>();
  LoopbackServer server(ioc, "127.0.0.1", [seen](ServerConn& conn) -> asio::awaitable<void> {
    auto line = co_await conn.read_line();
    if (!line) co_return;
    *seen = *line;
    if (co_await conn.write("+PONG\r\n")) co_await conn.sleep(60s);
  });
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.tcp.send = "PING\r\n";
  spec.tcp.read_until = pattern("\\+PONG");
  const auto r = run_probe(ioc, *prober, spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(*seen == "PING\r\n");
  CHECK(r.body == "+PONG\r\n");
  CHECK(judge(r, "\\+PONG").success);
}

TEST_CASE("tcp: a closed port fails with connect") {
  asio::io_context ioc;
  auto prober = net::make_prober();
  const auto port = closed_port();
  const auto r = run_probe(ioc, *prober, tcp_spec(port));
  CHECK_MESSAGE(reason(r) == "connect", r.error);
  CHECK(r.error.rfind("connect: 127.0.0.1:" + std::to_string(port) + ": ", 0) == 0);
  CHECK_FALSE(has_phase(r, ProbePhase::connect));
}

TEST_CASE("tcp: a server that accepts and says nothing times out at the deadline") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.sleep(60s);
  });
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port(), 300ms);
  spec.tcp.read_until = pattern("220 ");
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "timeout", r.error);
  CHECK(r.error == "timeout: no complete response within 300 ms (while reading the banner)");
  CHECK(r.total >= 299ms);
  CHECK(r.total <= 800ms);
  CHECK(has_phase(r, ProbePhase::connect));
  CHECK_FALSE(has_phase(r, ProbePhase::first_byte));
  CHECK(judge(r, "220 ").reason == core::FailureReason::timeout);
}

TEST_CASE("tcp: only the start of a match before the deadline is a timeout too") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet("SSH-2."));
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port(), 300ms);
  spec.tcp.read_until = pattern("^SSH-2\\.0-");
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "timeout", r.error);
  CHECK(has_phase(r, ProbePhase::first_byte));
}

TEST_CASE("tcp: a banner that cannot match fails with body, without waiting for the deadline") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet("HTTP/1.1 400 Bad Request\r\n"));
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.tcp.read_until = pattern("^SSH-2\\.0-");
  const auto r = run_probe(ioc, *prober, spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.total < 2s);
  const auto v = judge(r, "^SSH-2\\.0-");
  CHECK_FALSE(v.success);
  CHECK(v.reason == core::FailureReason::body);
  CHECK(v.detail == R"(banner_regex: no match for "^SSH-2\\.0-" in "HTTP/1.1 400 Bad Request?\n")");
}

TEST_CASE("tcp: a banner ended by the server without a match fails with body") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet("554 go away\r\n", true));
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.tcp.read_until = pattern("220 ");  // unanchored: only EOF can settle it
  const auto r = run_probe(ioc, *prober, spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.body == "554 go away\r\n");
  CHECK(judge(r, "220 ").reason == core::FailureReason::body);
}

TEST_CASE("tcp: the banner read stops at max_body bytes") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", greet(std::string(10000, 'x')));
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.max_body_bytes = 100;
  spec.tcp.read_until = pattern("220 ");
  const auto r = run_probe(ioc, *prober, spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.body == std::string(100, 'x'));
  CHECK(judge(r, "220 ").reason == core::FailureReason::body);
}

TEST_CASE("tcp: a reset while reading the banner fails with protocol") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.sleep(50ms);
    conn.reset();
  });
  auto prober = net::make_prober();
  auto spec = tcp_spec(server.port());
  spec.tcp.read_until = pattern("220 ");
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "protocol", r.error);
  CHECK(r.error == "protocol: connection reset by peer (while reading the banner)");
}

}  // namespace
}  // namespace flywatch::testing
