#include <doctest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/admin_server.hpp"

using namespace flywatch;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Sends raw request bytes from a client thread and reads until the server closes (the requests
// say Connection: close), while this thread runs the server's loop.
std::string exchange(asio::io_context& io, std::uint16_t port, const std::string& request) {
  std::string response;
  std::atomic<bool> done{false};
  std::thread client([&] {
    asio::io_context cio;
    tcp::socket s(cio);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) asio::write(s, asio::buffer(request), ec);
    if (!ec) asio::read(s, asio::dynamic_buffer(response), ec);
    done = true;
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done && std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  client.join();
  return response;
}

// Runs the server's loop until the server closes `s` (EOF or reset) or `limit` passes; true when
// it closed. Bytes the server sends are skipped.
bool closed_by_server(asio::io_context& io, tcp::socket& s, std::chrono::milliseconds limit) {
  s.non_blocking(true);
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
    char c[256];
    boost::system::error_code ec;
    s.read_some(asio::buffer(c), ec);
    if (ec && ec != asio::error::would_block) return true;
  }
  return false;
}

// A client that connected and sent half a request line, then stalls.
tcp::socket stalled_client(asio::io_context& cio, std::uint16_t port) {
  tcp::socket s(cio);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(std::string("GET /metr")));
  return s;
}

net::AdminResponse metrics_handler(const net::AdminRequest& r) {
  if (r.path == "/metrics") return {200, "text/plain; version=0.0.4", "m 1\n", {}};
  return {404, "text/plain", "not found\n", {}};
}

/// The metrics server listening on a free loopback port, with `limits`.
struct MetricsServer {
  asio::io_context io{1};
  net::AdminServer server;
  explicit MetricsServer(core::ConnectionLimits limits = {}) : server(io, metrics_handler, limits) {
    std::string step;
    REQUIRE_FALSE(server.listen("127.0.0.1", 0, step));
  }
};

constexpr const char* get_metrics = "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

}  // namespace

TEST_CASE("admin server: at the cap, stalled clients are shed for a new request") {
  core::ConnectionLimits limits;
  limits.max_connections = 4;
  limits.head_timeout = std::chrono::seconds(60);  // shedding, not the head deadline, frees slots
  MetricsServer srv(limits);
  auto& io = srv.io;
  auto& server = srv.server;
  // Four clients hold every slot with half a request line (accepted in connect order).
  asio::io_context cio;
  std::vector<tcp::socket> stalled;
  for (int i = 0; i < 4; ++i) stalled.push_back(stalled_client(cio, server.port()));
  // A scrape still gets its answer: it takes the slot of the client stalled longest.
  const auto ok = exchange(io, server.port(), get_metrics);
  CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(closed_by_server(io, stalled[0], std::chrono::seconds(10)));
  // And so does the next one, again and again: stalled clients never lock scrapers out.
  for (int i = 0; i < 3; ++i) {
    CHECK(exchange(io, server.port(), get_metrics).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  }
  server.stop();
}

TEST_CASE("admin server: half a request head is dropped at the head deadline") {
  core::ConnectionLimits limits;
  limits.head_timeout = std::chrono::milliseconds(300);
  limits.response_timeout = std::chrono::seconds(60);
  MetricsServer srv(limits);
  auto& io = srv.io;
  auto& server = srv.server;
  asio::io_context cio;
  auto s = stalled_client(cio, server.port());
  const auto t0 = std::chrono::steady_clock::now();
  // Closed after ~300 ms, long before the 60 s a response may take (generous bound: busy CI).
  CHECK(closed_by_server(io, s, std::chrono::seconds(20)));
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
  server.stop();
}

TEST_CASE("admin server: a 1 MiB header is answered 431 and the connection closed") {
  MetricsServer srv;
  auto& io = srv.io;
  auto& server = srv.server;
  const std::string big = "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(1 << 20, 'a') +
                          "\r\nConnection: close\r\n\r\n";
  const auto refused = exchange(io, server.port(), big);
  CHECK(refused.rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(refused.find("Connection: close") != std::string::npos);
  // The server goes on answering.
  CHECK(exchange(io, server.port(), get_metrics).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  server.stop();
}

TEST_CASE("admin server: a body over 64 KiB is answered 413, with a Content-Length or chunked") {
  MetricsServer srv;
  auto& io = srv.io;
  auto& server = srv.server;
  const std::string body(100 * 1024, 'b');
  // Beast judges a Content-Length against the limit while it reads the head.
  const auto sized = exchange(io, server.port(),
                              "POST /-/reload HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  CHECK(sized.rfind("HTTP/1.1 413 ", 0) == 0);
  std::ostringstream chunk_len;
  chunk_len << std::hex << body.size();
  const auto chunked = exchange(io, server.port(),
                                "POST /-/reload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                "Connection: close\r\n\r\n" + chunk_len.str() + "\r\n" + body +
                                    "\r\n0\r\n\r\n");
  CHECK(chunked.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(exchange(io, server.port(), get_metrics).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  server.stop();
}

TEST_CASE("admin server: routes requests to the handler, answers 404s and keeps running") {
  asio::io_context io{1};
  net::AdminRequest seen;
  net::AdminServer server(io, [&](const net::AdminRequest& r) {
    seen = r;
    if (r.path == "/metrics") return net::AdminResponse{200, "text/plain; version=0.0.4", "m 1\n", {}};
    return net::AdminResponse{404, "text/plain", "not found\n", {}};
  });
  std::string step;
  REQUIRE_FALSE(server.listen("127.0.0.1", 0, step));
  const auto port = server.port();
  REQUIRE(port != 0);

  const auto ok = exchange(io, port, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(ok.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  CHECK(ok.find("\r\n\r\nm 1\n") != std::string::npos);
  CHECK(seen.method == "GET");
  CHECK(seen.path == "/metrics");
  CHECK(seen.query == "x=1");

  const auto missing = exchange(io, port, "POST /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(missing.rfind("HTTP/1.1 404", 0) == 0);

  // Garbage gets the connection closed, and the server still answers the next client.
  exchange(io, port, "this is not http\r\n\r\n");
  const auto again = exchange(io, port, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(again.rfind("HTTP/1.1 200", 0) == 0);
  server.stop();
}

TEST_CASE("admin server: a port in use is an error labelled with its step") {
  asio::io_context io{1};
  auto handler = [](const net::AdminRequest&) { return net::AdminResponse{}; };
  net::AdminServer first(io, handler);
  std::string step;
  REQUIRE_FALSE(first.listen("127.0.0.1", 0, step));
  net::AdminServer second(io, handler);
  const auto ec = second.listen("127.0.0.1", first.port(), step);
  CHECK(ec);
  CHECK(step == "bind");
}

TEST_CASE("admin server: listens on IPv6 loopback") {
  asio::io_context io{1};
  net::AdminServer server(io, [](const net::AdminRequest&) { return net::AdminResponse{}; });
  std::string step;
  const auto ec = server.listen("::1", 0, step);
  if (ec) {
    MESSAGE("no IPv6 loopback here: " << ec.message());
    return;
  }
  CHECK(server.port() != 0);
}
