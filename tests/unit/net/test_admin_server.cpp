#include <doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

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

}  // namespace

TEST_CASE("admin server: routes requests to the handler, answers 404s and keeps running") {
  asio::io_context io{1};
  net::AdminRequest seen;
  net::AdminServer server(io, [&](const net::AdminRequest& r) {
    seen = r;
    if (r.path == "/metrics") return net::AdminResponse{200, "text/plain; version=0.0.4", "m 1\n"};
    return net::AdminResponse{404, "text/plain", "not found\n"};
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
