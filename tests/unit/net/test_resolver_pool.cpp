#include <doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "net/resolver_pool.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("resolver pool: slow lookups run side by side, results come back on the caller's loop") {
  asio::io_context io{1};
  std::atomic<int> concurrent{0};
  std::atomic<int> peak{0};
  net::ResolverPool pool(4, [&](const std::string&, const std::string& port,
                                boost::system::error_code& ec) {
    const int now = ++concurrent;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(300ms);
    --concurrent;
    ec = {};
    return net::ResolverPool::Results::create(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                static_cast<unsigned short>(std::stoi(port))),
        "slow.example", port);
  });
  const auto loop_thread = std::this_thread::get_id();
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    pool.async_resolve("slow.example", std::to_string(1000 + i), io.get_executor(),
                       [&, i](const boost::system::error_code& ec, net::ResolverPool::Results r) {
                         CHECK(std::this_thread::get_id() == loop_thread);
                         CHECK_FALSE(ec);
                         REQUIRE(r.size() == 1);
                         CHECK(r.begin()->endpoint().port() == 1000 + i);
                         ++done;
                       });
  }
  io.run();
  const auto spent = std::chrono::steady_clock::now() - start;
  CHECK(done == 4);
  CHECK(peak.load() == 4);
  // One background thread (Asio's own resolver) would take 4 × 300 ms.
  CHECK(spent < 900ms);
}

TEST_CASE("resolver pool: the real lookup resolves localhost and reports unknown names") {
  asio::io_context io{1};
  net::ResolverPool pool(2);
  bool local_ok = false;
  bool bad_failed = false;
  pool.async_resolve("localhost", "80", io.get_executor(),
                     [&](const boost::system::error_code& ec, net::ResolverPool::Results r) {
                       local_ok = !ec && !r.empty();
                     });
  pool.async_resolve("nonexistent.invalid", "80", io.get_executor(),
                     [&](const boost::system::error_code& ec, net::ResolverPool::Results) {
                       bad_failed = static_cast<bool>(ec);
                     });
  io.run();
  CHECK(local_ok);
  CHECK(bad_failed);
}
