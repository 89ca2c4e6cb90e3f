// connection: reuse against loopback servers that count connections (TLS handshakes) and
// requests: one kept-alive connection carries many probes; max_connection_age, an idle close,
// Connection: close, HTTP/1.0 and any error make the next probe dial anew.
#include <doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "loopback_server.hpp"
#include "net/http_request.hpp"
#include "probe_checks.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;
using core::ProbePhase;

const std::string body = R"({"status":"ok"})";

/// What the server does with the n-th request (from 0) of its c-th connection (from 0).
enum class Act {
  keep,         ///< answer with keep-alive, wait for the next request
  close_header, ///< answer with Connection: close, then close
  http10,       ///< answer as HTTP/1.0 (no keep-alive), then close
  answer_close, ///< answer with keep-alive, then close at once (an idle close)
  drop,         ///< close without answering (read the request first)
  partial,      ///< send half a response, then close
  slow,         ///< answer with keep-alive after 600 ms
};
using Script = std::function<Act(int connection, int request)>;

struct Counts {
  int connections = 0;  ///< handshakes done (TLS) or connections served (plain)
  int requests = 0;
  std::vector<std::string> seen;
};

std::string keep_alive_response() {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

Handler scripted(std::shared_ptr<Counts> counts, Script script) {
  return [counts, script](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.handshake()) co_return;
    const int id = counts->connections++;
    for (int n = 0;; ++n) {
      auto request = co_await conn.read_request();
      if (!request) co_return;
      ++counts->requests;
      counts->seen.push_back(*request);
      switch (script(id, n)) {
        case Act::keep:
          if (!co_await conn.write(keep_alive_response())) co_return;
          break;
        case Act::close_header:
          if (co_await conn.write(http_response(200, "OK", "application/json", body))) {
            co_await conn.close_gracefully();
          }
          co_return;
        case Act::http10:
          if (co_await conn.write("HTTP/1.0 200 OK\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body)) {
            co_await conn.close_gracefully();
          }
          co_return;
        case Act::answer_close:
          if (co_await conn.write(keep_alive_response())) co_await conn.close_gracefully();
          co_return;
        case Act::drop:
          conn.close();
          co_return;
        case Act::slow:
          co_await conn.sleep(600ms);
          if (!co_await conn.write(keep_alive_response())) co_return;
          break;
        case Act::partial:
          co_await conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
          conn.close();
          co_return;
      }
    }
  };
}

Script always(Act a) {
  return [a](int, int) { return a; };
}

net::ProbeSpec reuse_spec(const std::string& scheme, std::uint16_t port,
                          const std::string& key = "t#1",
                          std::chrono::milliseconds max_age = 10min) {
  auto spec = spec_for(scheme, "localhost", port, 3s);
  if (scheme == "https") spec.endpoint.tls.ca_file = test_pki().ca_file;
  spec.connection = core::ConnectionMode::reuse;
  spec.max_connection_age = max_age;
  spec.connection_owner = key.substr(0, key.find('@'));
  spec.connection_key = key;
  return spec;
}

// Lets the servers' coroutines run (e.g. an idle close) between probes.
void settle(asio::io_context& ioc, std::chrono::milliseconds d = 50ms) {
  if (ioc.stopped()) ioc.restart();
  ioc.run_for(d);
}

double seconds_of(const core::ProbeResult& r, ProbePhase p) {
  const auto& v = r.phases[static_cast<std::size_t>(p)];
  return v ? std::chrono::duration<double>(*v).count() : -1;
}

struct Rig {
  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> tls = server_context(test_pki().good);
  std::shared_ptr<Counts> counts = std::make_shared<Counts>();
  std::unique_ptr<net::Prober> prober = net::make_prober();
  std::unique_ptr<LoopbackServer> server;
  explicit Rig(Script script, bool use_tls = true)
      : server(std::make_unique<LoopbackServer>(ioc, "127.0.0.1", scripted(counts, script),
                                                use_tls ? tls.get() : nullptr)) {}
  core::ProbeResult probe(const net::ProbeSpec& spec) { return run_probe(ioc, *prober, spec); }
};

TEST_CASE("reuse: one TLS connection carries every probe; phases 0, reused, cert kept") {
  Rig rig(always(Act::keep));
  const auto spec = reuse_spec("https", rig.server->port());
  const auto first = rig.probe(spec);
  REQUIRE_MESSAGE(first.transport_ok(), first.error);
  CHECK_FALSE(first.reused);
  CHECK(seconds_of(first, ProbePhase::tls) > 0);
  for (int i = 0; i < 5; ++i) {
    settle(rig.ioc, 5ms);
    const auto r = rig.probe(spec);
    REQUIRE_MESSAGE(r.transport_ok(), r.error);
    CHECK(r.http_status == 200);
    CHECK(r.body == body);
    CHECK(r.reused);
    CHECK(r.used_tls);
    CHECK(seconds_of(r, ProbePhase::resolve) == 0);
    CHECK(seconds_of(r, ProbePhase::connect) == 0);
    CHECK(seconds_of(r, ProbePhase::tls) == 0);
    CHECK(seconds_of(r, ProbePhase::first_byte) >= 0);
    CHECK(seconds_of(r, ProbePhase::transfer) >= 0);
    REQUIRE(r.cert_not_after.has_value());
    CHECK(*r.cert_not_after == test_pki().good.not_after);
    CHECK(r.remote == first.remote);
  }
  CHECK(rig.server->accepted() == 1);
  CHECK(rig.counts->connections == 1);
  CHECK(rig.counts->requests == 6);
  // The request asks for nothing but HTTP/1.1's persistent default.
  CHECK(rig.counts->seen[0].find("Connection:") == std::string::npos);
}

TEST_CASE("reuse: plain http keeps its connection too") {
  Rig rig(always(Act::keep), false);
  const auto spec = reuse_spec("http", rig.server->port());
  for (int i = 0; i < 3; ++i) {
    const auto r = rig.probe(spec);
    REQUIRE_MESSAGE(r.transport_ok(), r.error);
    CHECK(r.reused == (i > 0));
    CHECK_FALSE(r.used_tls);
    CHECK_FALSE(has_phase(r, ProbePhase::tls));
  }
  CHECK(rig.server->accepted() == 1);
}

TEST_CASE("fresh: a new connection and handshake per probe, Connection: close sent") {
  Rig rig(always(Act::keep));
  auto spec = reuse_spec("https", rig.server->port());
  spec.connection = core::ConnectionMode::fresh;
  for (int i = 0; i < 3; ++i) {
    const auto r = rig.probe(spec);
    REQUIRE_MESSAGE(r.transport_ok(), r.error);
    CHECK_FALSE(r.reused);
  }
  CHECK(rig.counts->connections == 3);
  CHECK(rig.counts->seen[0].find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("reuse: past max_connection_age the next probe handshakes again") {
  Rig rig(always(Act::keep));
  const auto spec = reuse_spec("https", rig.server->port(), "t#1", 200ms);
  CHECK(rig.probe(spec).transport_ok());
  const auto second = rig.probe(spec);
  CHECK(second.reused);
  std::this_thread::sleep_for(250ms);
  const auto third = rig.probe(spec);
  REQUIRE_MESSAGE(third.transport_ok(), third.error);
  CHECK_FALSE(third.reused);
  CHECK(seconds_of(third, ProbePhase::tls) > 0);
  CHECK(rig.counts->connections == 2);
}

TEST_CASE("reuse: a connection the server closed while idle is replaced, the probe succeeds") {
  Rig rig([](int, int) { return Act::answer_close; });
  const auto spec = reuse_spec("https", rig.server->port());
  CHECK(rig.probe(spec).transport_ok());
  settle(rig.ioc);  // the server's close_notify and FIN arrive while the connection is idle
  const auto r = rig.probe(spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK_FALSE(r.reused);
  CHECK(rig.counts->connections == 2);
}

TEST_CASE("reuse: closed after the request was sent, before any response byte: one redial") {
  // Connection 0 answers its first request, then drops the second without a byte of answer
  // (what a server's idle timeout racing the probe looks like); the probe redials once.
  Rig rig([](int c, int n) { return c == 0 && n == 1 ? Act::drop : Act::keep; });
  const auto spec = reuse_spec("https", rig.server->port());
  CHECK(rig.probe(spec).transport_ok());
  const auto r = rig.probe(spec);
  REQUIRE_MESSAGE(r.transport_ok(), r.error);
  CHECK_FALSE(r.reused);
  CHECK(seconds_of(r, ProbePhase::tls) > 0);
  CHECK(rig.counts->connections == 2);
  CHECK(rig.counts->requests == 3);
  // The new connection is kept in turn.
  CHECK(rig.probe(spec).reused);
  CHECK(rig.counts->connections == 2);
}

TEST_CASE("reuse: the same close on a new connection is a failure, not retried") {
  Rig rig(always(Act::drop));
  const auto r = rig.probe(reuse_spec("https", rig.server->port()));
  CHECK(reason(r) == "protocol");
  CHECK(rig.counts->connections == 1);
}

TEST_CASE("reuse: a failure mid-response fails the probe and drops the connection") {
  Rig rig([](int c, int n) { return c == 0 && n == 1 ? Act::partial : Act::keep; });
  const auto spec = reuse_spec("https", rig.server->port());
  CHECK(rig.probe(spec).transport_ok());
  const auto failed = rig.probe(spec);
  CHECK(reason(failed) == "protocol");
  CHECK(failed.reused);
  CHECK(rig.counts->connections == 1);  // not retried
  const auto next = rig.probe(spec);
  REQUIRE_MESSAGE(next.transport_ok(), next.error);
  CHECK_FALSE(next.reused);
  CHECK(rig.counts->connections == 2);
}

TEST_CASE("reuse: Connection: close and HTTP/1.0 answers are not kept") {
  for (Act act : {Act::close_header, Act::http10}) {
    Rig rig(always(act));
    const auto spec = reuse_spec("https", rig.server->port());
    for (int i = 0; i < 3; ++i) {
      const auto r = rig.probe(spec);
      REQUIRE_MESSAGE(r.transport_ok(), r.error);
      CHECK_FALSE(r.reused);
    }
    CHECK(rig.counts->connections == 3);
  }
}

TEST_CASE("reuse: a timeout on a kept connection fails the probe and drops the connection") {
  Rig rig([](int c, int n) { return c == 0 && n == 1 ? Act::slow : Act::keep; });
  auto spec = reuse_spec("https", rig.server->port());
  CHECK(rig.probe(spec).transport_ok());
  spec.timeout = 200ms;
  const auto late = rig.probe(spec);
  CHECK(reason(late) == "timeout");
  CHECK(late.reused);
  spec.timeout = 3s;
  const auto next = rig.probe(spec);
  REQUIRE_MESSAGE(next.transport_ok(), next.error);
  CHECK_FALSE(next.reused);
  CHECK(rig.counts->connections == 2);
}

TEST_CASE("reuse: one connection per key (target and machine); retain drops the others") {
  Rig rig(always(Act::keep));
  const auto a = reuse_spec("https", rig.server->port(), "a#1");
  const auto a_m1 = reuse_spec("https", rig.server->port(), "a#1@m1");
  const auto b = reuse_spec("https", rig.server->port(), "b#2");
  for (int i = 0; i < 2; ++i) {
    for (const auto* s : {&a, &a_m1, &b}) {
      const auto r = rig.probe(*s);
      REQUIRE_MESSAGE(r.transport_ok(), r.error);
      CHECK(r.reused == (i > 0));
    }
  }
  CHECK(rig.counts->connections == 3);
  // A reload that keeps a#1 only (b removed or changed): b's connection is closed.
  rig.prober->retain_connections({"a#1"});
  CHECK(rig.probe(a).reused);
  CHECK(rig.probe(a_m1).reused);
  CHECK_FALSE(rig.probe(b).reused);
  CHECK(rig.counts->connections == 4);
}

TEST_CASE("reuse: a prepared request is sent as prepared") {
  Rig rig(always(Act::keep));
  auto spec = reuse_spec("https", rig.server->port());
  std::string error;
  REQUIRE(net::build_request(spec, spec.request, error));
  spec.request.insert(spec.request.find("\r\n") + 2, "X-Prepared: 1\r\n");
  CHECK(rig.probe(spec).transport_ok());
  REQUIRE(rig.counts->seen.size() == 1);
  CHECK(rig.counts->seen[0].find("X-Prepared: 1\r\n") != std::string::npos);
}

}  // namespace
}  // namespace flywatch::testing

namespace flywatch::testing {
namespace {

TEST_CASE("reuse: expect.assets sends each asset its own request, on its own connection") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  auto lines = std::make_shared<std::vector<std::string>>();
  LoopbackServer server(
      ioc, "127.0.0.1",
      [lines](ServerConn& conn) -> asio::awaitable<void> {
        if (!co_await conn.handshake()) co_return;
        for (;;) {
          auto request = co_await conn.read_request();
          if (!request) co_return;
          lines->push_back(request->substr(0, request->find("\r\n")));
          const bool page = request->starts_with("GET / ");
          const std::string text =
              page ? R"(<html><head><script src="/app.js"></script></head></html>)" : "x";
          if (!co_await conn.write(std::string("HTTP/1.1 200 OK\r\nContent-Type: ") +
                                   (page ? "text/html" : "application/javascript") +
                                   "\r\nContent-Length: " + std::to_string(text.size()) +
                                   "\r\n\r\n" + text)) {
            co_return;
          }
        }
      },
      tls.get());
  auto prober = net::make_prober();
  auto spec = reuse_spec("https", server.port());
  spec.fetch_assets = true;
  std::string error;
  REQUIRE(net::build_request(spec, spec.request, error));  // prepared, as the engine does
  for (int i = 0; i < 2; ++i) {
    const auto r = run_probe(ioc, *prober, spec);
    REQUIRE_MESSAGE(r.transport_ok(), r.error);
    CHECK(r.reused == (i > 0));
    REQUIRE(r.assets.size() == 1);
    CHECK(r.assets[0].status == 200);
  }
  REQUIRE(lines->size() == 4);
  CHECK((*lines)[0] == "GET / HTTP/1.1");
  CHECK((*lines)[1] == "GET /app.js HTTP/1.1");
  CHECK((*lines)[2] == "GET / HTTP/1.1");
  CHECK((*lines)[3] == "GET /app.js HTTP/1.1");
  // The page's connection, kept; one fresh connection per asset fetch.
  CHECK(server.accepted() == 3);
}

}  // namespace
}  // namespace flywatch::testing
