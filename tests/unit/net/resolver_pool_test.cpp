#include <doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "net/resolver_pool.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Results = net::ResolverPool::Results;

namespace {

Results one_address(const std::string& host, const std::string& port) {
  return Results::create(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                 static_cast<unsigned short>(std::stoi(port))),
                         host, port);
}

// A lookup that takes `delay` and counts how many run at once and in all.
struct SlowLookup {
  std::chrono::milliseconds delay;
  std::shared_ptr<std::atomic<int>> concurrent = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> peak = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

  net::ResolverPool::Lookup fn() const {
    return [*this](const std::string& host, const std::string& port, boost::system::error_code& ec) {
      ++*calls;
      const int now = ++*concurrent;
      int seen = peak->load();
      while (now > seen && !peak->compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(delay);
      --*concurrent;
      ec = {};
      return one_address(host, port);
    };
  }
};

// Runs `io` until `done()` or a few seconds pass.
template <class Pred>
void run_until(asio::io_context& io, Pred done) {
  auto guard = asio::make_work_guard(io);
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < give_up) io.run_for(10ms);
}

}  // namespace

TEST_CASE("resolver pool: slow lookups run side by side, results come back on the caller's loop") {
  asio::io_context io{1};
  SlowLookup slow{300ms};
  net::ResolverPool pool(io.get_executor(), 4, slow.fn());
  const auto loop_thread = std::this_thread::get_id();
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    pool.async_resolve("host" + std::to_string(i), std::to_string(1000 + i), start + 5s,
                       [&, i](const boost::system::error_code& ec, Results r) {
                         CHECK(std::this_thread::get_id() == loop_thread);
                         CHECK_FALSE(ec);
                         REQUIRE(r.size() == 1);
                         CHECK(r.begin()->endpoint().port() == 1000 + i);
                         ++done;
                       });
  }
  run_until(io, [&] { return done == 4; });
  CHECK(done == 4);
  CHECK(slow.peak->load() == 4);
  // One background thread (Asio's own resolver) would take 4 × 300 ms.
  CHECK(std::chrono::steady_clock::now() - start < 900ms);
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("resolver pool: lookups of the same name in flight are merged") {
  asio::io_context io{1};
  SlowLookup slow{200ms};
  net::ResolverPool pool(io.get_executor(), 2, slow.fn());
  int done = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (int i = 0; i < 5; ++i) {
    pool.async_resolve("same.example", "443", deadline,
                       [&](const boost::system::error_code& ec, Results r) {
                         CHECK_FALSE(ec);
                         CHECK(r.size() == 1);
                         ++done;
                       });
  }
  CHECK(pool.in_flight() == 1);
  run_until(io, [&] { return done == 5; });
  CHECK(done == 5);
  CHECK(slow.calls->load() == 1);
}

TEST_CASE("resolver pool: a queued lookup whose callers all gave up is skipped, not run") {
  asio::io_context io{1};
  SlowLookup slow{300ms};
  net::ResolverPool pool(io.get_executor(), 1, slow.fn());
  const auto now = std::chrono::steady_clock::now();
  boost::system::error_code second_ec;
  int done = 0;
  // The first occupies the only thread; the second's deadline passes while it waits.
  pool.async_resolve("first.example", "443", now + 5s,
                     [&](const boost::system::error_code&, Results) { ++done; });
  pool.async_resolve("second.example", "443", now + 50ms,
                     [&](const boost::system::error_code& ec, Results) {
                       second_ec = ec;
                       ++done;
                     });
  run_until(io, [&] { return done == 2; });
  CHECK(done == 2);
  CHECK(second_ec == asio::error::operation_aborted);
  CHECK(slow.calls->load() == 1);
}

TEST_CASE("resolver pool: destruction does not wait for a lookup in progress") {
  asio::io_context io{1};
  SlowLookup slow{1500ms};
  bool called = false;
  const auto start = std::chrono::steady_clock::now();
  {
    net::ResolverPool pool(io.get_executor(), 1, slow.fn());
    pool.async_resolve("stuck.example", "443", start + 5s,
                       [&](const boost::system::error_code&, Results) { called = true; });
    std::this_thread::sleep_for(50ms);  // the worker is now inside the lookup
  }
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  std::this_thread::sleep_for(1700ms);  // the worker finishes and must post nothing
  io.run_for(50ms);
  CHECK_FALSE(called);
}

TEST_CASE("resolver pool: the real lookup resolves localhost and reports unknown names") {
  asio::io_context io{1};
  net::ResolverPool pool(io.get_executor(), 2);
  int done = 0;
  bool local_ok = false;
  bool bad_failed = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  pool.async_resolve("localhost", "80", deadline, [&](const boost::system::error_code& ec, Results r) {
    local_ok = !ec && !r.empty();
    ++done;
  });
  pool.async_resolve("nonexistent.invalid", "80", deadline,
                     [&](const boost::system::error_code& ec, Results) {
                       bad_failed = static_cast<bool>(ec);
                       ++done;
                     });
  run_until(io, [&] { return done == 2; });
  CHECK(local_ok);
  CHECK(bad_failed);
}
