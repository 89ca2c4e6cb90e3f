// The prober over HTTPS against loopback servers using the in-test PKI (pki_fixture.hpp).
#include <doctest.h>

#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "loopback_server.hpp"
#include "probe_checks.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;
using core::ProbePhase;

const std::string health_json =
    R"({"status":"ok","database":"connected","timestamp":"2025-01-01T00:00:00Z"})";

Handler healthy() { return answer(http_response(200, "OK", "application/json", health_json)); }

net::ProbeSpec https_spec(const std::string& host, std::uint16_t port,
                          std::chrono::milliseconds timeout = 5s) {
  auto spec = spec_for("https", host, port, timeout);
  spec.endpoint.tls.ca_file = test_pki().ca_file;
  return spec;
}

void check_all_phases(const core::ProbeResult& r) {
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    CAPTURE(core::to_string(static_cast<ProbePhase>(i)));
    CHECK(r.phases[i].has_value());
    CHECK(r.phases[i].value_or(-1ns) >= 0ns);
    CHECK(r.phases[i].value_or(0ns) <= r.total);
  }
}

TEST_CASE("https: healthy JSON 200 by name, verified against ca_file") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.http_status == 200);
  CHECK(r.body == health_json);
  CHECK(header(r, "content-type") == "application/json");
  CHECK(r.used_tls);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after == test_pki().good.not_after);
  CHECK(r.remote == "127.0.0.1:" + std::to_string(server.port()));
  check_all_phases(r);
}

TEST_CASE("https: cert_not_after is the earliest in the chain the server sent") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().chained);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(test_pki().intermediate_not_after < test_pki().chained.not_after);
  CHECK(*r.cert_not_after == test_pki().intermediate_not_after);
}

TEST_CASE("https: healthy over IPv6 ::1, the IP literal verified as an IP") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "::1", healthy(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("::1", server.port()));
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.http_status == 200);
  CHECK(r.remote == "[::1]:" + std::to_string(server.port()));
  check_all_phases(r);
}

TEST_CASE("https: server_name sets SNI, the verified name and Host while connecting to an IP") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  auto seen = std::make_shared<std::string>();
  LoopbackServer server(ioc, "127.0.0.1",
                        answer(http_response(200, "OK", "text/plain", "hi"), {}, seen), tls.get());
  auto prober = net::make_prober();
  auto spec = https_spec("127.0.0.1", server.port());
  spec.endpoint.tls.server_name = "localhost";
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(r.transport_ok(), r.error);
  CHECK(seen->find("Host: localhost:" + std::to_string(server.port()) + "\r\n") !=
        std::string::npos);

  spec.endpoint.tls.server_name = "wrong.example";  // not in the good leaf's SAN
  const auto bad = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(bad) == "tls", bad.error);
}

TEST_CASE("https: 503 with a JSON body is a transport success with status 503") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  const std::string body = R"({"status":"error","database":"disconnected"})";
  LoopbackServer server(ioc, "127.0.0.1",
                        answer(http_response(503, "Service Unavailable", "application/json", body)),
                        tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.http_status == 503);
  CHECK(r.body == body);
}

TEST_CASE("https: a body ended by a close without close_notify is still read") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.handshake() || !co_await conn.read_request()) co_return;
    co_await conn.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil eof");
    conn.close();
  }, tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.body == "until eof");
}

TEST_CASE("https: every probe does a full handshake (no session resumption)") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  auto reused = std::make_shared<int>(0);
  auto handshakes = std::make_shared<int>(0);
  // Session caching is on by default on the server side, so a client offering a ticket or
  // session id would be resumed.
  LoopbackServer server(ioc, "127.0.0.1", [reused, handshakes](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.handshake()) co_return;
    ++*handshakes;
    if (SSL_session_reused(conn.ssl())) ++*reused;
    if (!co_await conn.read_request()) co_return;
    if (co_await conn.write(http_response(200, "OK", "text/plain", "x"))) {
      co_await conn.close_gracefully();
    }
  }, tls.get());
  auto prober = net::make_prober();
  for (int i = 0; i < 3; ++i) {
    const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
    CHECK_MESSAGE(r.transport_ok(), r.error);
  }
  CHECK(*handshakes == 3);
  CHECK(*reused == 0);
}

TEST_CASE("https: wrong host certificate fails with tls, and its expiry is still reported") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().wrong_host);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error == "tls: certificate verify failed: hostname mismatch");
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after == test_pki().wrong_host.not_after);
  CHECK(has_phase(r, ProbePhase::connect));
  CHECK_FALSE(has_phase(r, ProbePhase::tls));
  CHECK(r.http_status == 0);

  const auto by_ip = run_probe(ioc, *prober, https_spec("127.0.0.1", server.port()));
  CHECK_MESSAGE(reason(by_ip) == "tls", by_ip.error);
  CHECK(by_ip.error == "tls: certificate verify failed: IP address mismatch");
}

TEST_CASE("https: expired certificate fails with tls") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().expired);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error == "tls: certificate verify failed: certificate has expired");
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after == test_pki().expired.not_after);
}

TEST_CASE("https: a CA the system store does not know fails with tls") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  auto spec = https_spec("localhost", server.port());
  spec.endpoint.tls.ca_file.clear();
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error == "tls: certificate verify failed: unable to get local issuer certificate");
}

TEST_CASE("https: insecure_skip_verify accepts the wrong-host and the expired certificate") {
  for (const TestLeaf* leaf : {&test_pki().wrong_host, &test_pki().expired}) {
    CAPTURE(leaf->cert_file);
    asio::io_context ioc;
    auto tls = server_context(*leaf);
    LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
    auto prober = net::make_prober();
    auto spec = https_spec("localhost", server.port());
    spec.endpoint.tls.ca_file.clear();
    spec.endpoint.tls.insecure_skip_verify = true;
    const auto r = run_probe(ioc, *prober, spec);
    REQUIRE_MESSAGE(r.transport_ok(), r.error);
    CHECK(r.http_status == 200);
    REQUIRE(r.cert_not_after.has_value());
    CHECK(*r.cert_not_after == leaf->not_after);
    check_all_phases(r);
  }
}

TEST_CASE("https: an unreadable ca_file fails with tls, without connecting twice") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", healthy(), tls.get());
  auto prober = net::make_prober();
  auto spec = https_spec("localhost", server.port());
  spec.endpoint.tls.ca_file = test_pki().dir + "/missing.pem";
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error.rfind("tls: cannot load ca_file " + spec.endpoint.tls.ca_file, 0) == 0);
}

TEST_CASE("https: a server that never starts the handshake fails with timeout") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.sleep(60s);
  }, tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port(), 300ms));
  CHECK_MESSAGE(reason(r) == "timeout", r.error);
  CHECK(r.error.find("TLS handshake") != std::string::npos);
  CHECK(r.total >= 299ms);
  CHECK(r.total <= 800ms);
  CHECK(has_phase(r, ProbePhase::connect));
  CHECK_FALSE(has_phase(r, ProbePhase::tls));
}

TEST_CASE("https: a server slower than the timeout fails with timeout at the deadline") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1",
                        answer(http_response(200, "OK", "text/plain", "late"), 3s), tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port(), 400ms));
  CHECK_MESSAGE(reason(r) == "timeout", r.error);
  CHECK(r.total >= 399ms);
  CHECK(r.total <= 900ms);
  CHECK(has_phase(r, ProbePhase::tls));
  CHECK(r.cert_not_after.has_value());
}

TEST_CASE("https: a reset during the handshake is a tls failure") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    conn.reset();
    co_return;
  }, tls.get());
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error.rfind("tls: handshake failed: connection", 0) == 0);
}

TEST_CASE("https: plain bytes on a TLS port are a tls failure") {
  asio::io_context ioc;
  LoopbackServer server(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    conn.close();
  });
  auto prober = net::make_prober();
  const auto r = run_probe(ioc, *prober, https_spec("localhost", server.port()));
  CHECK_MESSAGE(reason(r) == "tls", r.error);
  CHECK(r.error.rfind("tls: handshake failed: ", 0) == 0);
}

TEST_CASE("https: a 5 MiB body over a 1 MiB cap is too_large") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1",
                        answer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" +
                               std::string(5 * 1024 * 1024, 'b')),
                        tls.get());
  auto prober = net::make_prober();
  auto spec = https_spec("localhost", server.port());
  spec.max_body_bytes = 1024 * 1024;
  const auto r = run_probe(ioc, *prober, spec);
  CHECK_MESSAGE(reason(r) == "too_large", r.error);
}

TEST_CASE("https: concurrent probes of every kind on one io_context") {
  asio::io_context ioc;
  auto good = server_context(test_pki().good);
  auto expired = server_context(test_pki().expired);
  LoopbackServer ok4(ioc, "127.0.0.1", healthy(), good.get());
  LoopbackServer ok6(ioc, "::1", healthy(), good.get());
  LoopbackServer bad(ioc, "127.0.0.1", healthy(), expired.get());
  LoopbackServer stalled(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.sleep(60s);
  }, good.get());
  auto prober = net::make_prober();
  std::vector<net::ProbeSpec> specs;
  std::vector<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    specs.push_back(https_spec("localhost", ok4.port()));
    expected.emplace_back("");
    specs.push_back(https_spec("::1", ok6.port()));
    expected.emplace_back("");
    specs.push_back(https_spec("localhost", bad.port()));
    expected.emplace_back("tls");
    specs.push_back(https_spec("localhost", stalled.port(), 500ms));
    expected.emplace_back("timeout");
  }
  const auto results = run_probes(ioc, *prober, specs);
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    CHECK_MESSAGE(reason(results[i]) == expected[i], results[i].error);
    if (expected[i].empty()) CHECK(results[i].body == health_json);
  }
}

std::size_t open_fds() {
  const std::filesystem::directory_iterator fds("/proc/self/fd");
  return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
}

TEST_CASE("probes leave nothing behind: no pending handler, no open socket") {
  asio::io_context ioc;
  auto prober = net::make_prober();
  auto good = server_context(test_pki().good);
  auto wrong = server_context(test_pki().wrong_host);
  const auto port_closed = closed_port();
  {
    // Warm up once so lazily created per-io_context descriptors (resolver thread) exist.
    LoopbackServer warm(ioc, "127.0.0.1", healthy(), good.get());
    CHECK(run_probe(ioc, *prober, https_spec("localhost", warm.port())).transport_ok());
  }
  ioc.restart();
  ioc.run();
  const std::size_t baseline = open_fds();
  {
    LoopbackServer ok(ioc, "127.0.0.1", healthy(), good.get());
    LoopbackServer mismatch(ioc, "127.0.0.1", healthy(), wrong.get());
    LoopbackServer plain(ioc, "::1", healthy());
    LoopbackServer garbage(ioc, "127.0.0.1", answer("not http at all\r\n\r\n"));
    LoopbackServer reset(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
      conn.reset();
      co_return;
    });
    std::vector<net::ProbeSpec> specs = {
        https_spec("localhost", ok.port()),       https_spec("localhost", mismatch.port()),
        spec_for("http", "::1", plain.port()),    spec_for("http", "127.0.0.1", garbage.port()),
        spec_for("http", "localhost", reset.port()), spec_for("http", "127.0.0.1", port_closed),
        spec_for("http", "nonexistent.invalid", 80),
    };
    const std::vector<std::string> expected = {"", "tls", "", "protocol", "protocol", "connect",
                                               "dns"};
    for (int round = 0; round < 3; ++round) {
      const auto results = run_probes(ioc, *prober, specs);
      for (std::size_t i = 0; i < results.size(); ++i) {
        CAPTURE(i);
        CHECK_MESSAGE(reason(results[i]) == expected[i], results[i].error);
      }
    }
  }
  // Servers are gone; every probe deadline is 5 s away. If a probe left its deadline timer,
  // a resolver wait or a socket operation pending, run() would not return until then.
  const auto start = std::chrono::steady_clock::now();
  ioc.restart();
  ioc.run();
  // Well under the 5 s deadlines, with room for a loaded machine.
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  CHECK(open_fds() == baseline);
}

}  // namespace
}  // namespace flywatch::testing
