// The tls:// kind against loopback TLS servers using the in-test PKI: a verified handshake and
// nothing else, the certificate expiry it reports, and every TLS failure as reason tls.
#include <doctest.h>

#include <chrono>
#include <string>

#include "core/expectation.hpp"
#include "loopback_server.hpp"
#include "probe_checks.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;
using core::ProbePhase;

net::ProbeSpec tls_spec(const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout = 5s) {
  auto spec = spec_for("tls", host, port, timeout);
  spec.endpoint.tls.ca_file = test_pki().ca_file;
  return spec;
}

// Completes the handshake and then waits: a tls:// probe sends no application bytes.
Handler handshake_then_wait() {
  return [](ServerConn& conn) -> asio::awaitable<void> {
    if (co_await conn.handshake()) co_await conn.sleep(60s);
  };
}

TEST_CASE("tls: a verified handshake succeeds with resolve, connect and tls phases only") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", handshake_then_wait(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("localhost", server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK_FALSE(r.http_exchange);
  CHECK(r.http_status == 0);
  CHECK(r.used_tls);
  CHECK(r.total < 2s);
  CHECK(has_phase(r, ProbePhase::resolve));
  CHECK(has_phase(r, ProbePhase::connect));
  CHECK(has_phase(r, ProbePhase::tls));
  CHECK_FALSE(has_phase(r, ProbePhase::first_byte));
  CHECK_FALSE(has_phase(r, ProbePhase::transfer));
  CHECK(core::evaluate(r, core::Expectation{}, std::chrono::system_clock::now()).success);
}

TEST_CASE("tls: cert_not_after feeds the expiry gauge and cert_min_validity") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);  // valid for 30 days
  LoopbackServer server(ioc, "127.0.0.1", handshake_then_wait(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("127.0.0.1", server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after == test_pki().good.not_after);

  core::Expectation e;
  e.cert_min_validity = std::chrono::hours(24 * 10);
  CHECK(core::evaluate(r, e, std::chrono::system_clock::now()).success);
  e.cert_min_validity = std::chrono::hours(24 * 60);
  const auto v = core::evaluate(r, e, std::chrono::system_clock::now());
  CHECK(v.reason == core::FailureReason::cert);
}

TEST_CASE("tls: an expired certificate fails with tls and still reports its notAfter") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().expired);
  LoopbackServer server(ioc, "127.0.0.1", handshake_then_wait(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error == "tls: certificate verify failed: certificate has expired");
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after == test_pki().expired.not_after);
  CHECK(r.used_tls);
  CHECK_FALSE(has_phase(r, ProbePhase::tls));
}

TEST_CASE("tls: a certificate for another host fails with tls, by name and by IP") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().wrong_host);
  LoopbackServer server(ioc, "127.0.0.1", handshake_then_wait(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error == "tls: certificate verify failed: hostname mismatch");
  const auto by_ip = run_probe(ioc, *prober, tls_spec("127.0.0.1", server.port()));
  CHECK(by_ip.error == "tls: certificate verify failed: IP address mismatch");

  // server_name picks the name verified (and sent as SNI); insecure_skip_verify skips it.
  auto named = tls_spec("127.0.0.1", server.port());
  named.endpoint.tls.server_name = "wrong.example";
  const auto ok = run_probe(ioc, *prober, named);
  CHECK_MESSAGE(ok.transport_ok(), ok.error);
  auto insecure = tls_spec("localhost", server.port());
  insecure.endpoint.tls.ca_file.clear();
  insecure.endpoint.tls.insecure_skip_verify = true;
  const auto skipped = run_probe(ioc, *prober, insecure);
  CHECK_MESSAGE(skipped.transport_ok(), skipped.error);
}

TEST_CASE("tls: a plain TCP server that never handshakes times out; one that closes fails tls") {
  asio::io_context ioc;
  LoopbackServer silent(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.sleep(60s);
  });
  LoopbackServer closing(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    conn.close();
    co_return;
  });
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("127.0.0.1", silent.port(), 300ms));
  CHECK_MESSAGE(reason(r) == "timeout", r.error);
  CHECK(r.error == "timeout: no complete response within 300 ms (while doing the TLS handshake)");
  const auto closed = run_probe(ioc, *prober, tls_spec("127.0.0.1", closing.port()));
  CHECK_MESSAGE(reason(closed) == "tls", closed.error);
}

TEST_CASE("tls: a closed port fails with connect, an unreadable ca_file with tls") {
  asio::io_context ioc;
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, tls_spec("127.0.0.1", closed_port()));
  CHECK_MESSAGE(reason(r) == "connect", r.error);
  CHECK_FALSE(r.used_tls);

  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", handshake_then_wait(), tls.get());
  auto spec = tls_spec("localhost", server.port());
  spec.endpoint.tls.ca_file = test_pki().dir + "/missing.pem";
  const auto bad_ca = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(bad_ca) == "tls", bad_ca.error);
}

}  // namespace
}  // namespace flywatch::testing
