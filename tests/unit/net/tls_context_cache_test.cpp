// TlsContextCache loads CA bundles on the worker pool: the loop runs meanwhile, and probes that
// want the same bundle wait for one load.
#include <doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/tls_context_cache.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Context = net::TlsContextCache::Context;

namespace {

// A loader that waits until the test opens its gate, and says on which thread it ran. Its state
// is shared with the worker, and the gate opens at the end of the test whatever happened, so
// no load is left waiting.
struct GatedLoader {
  struct State {
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    std::atomic<int> calls{0};
    std::atomic<bool> fail{false};
    std::atomic<bool> ran_on_loop{false};
    bool open = false;
  };
  std::shared_ptr<State> state = std::make_shared<State>();

  ~GatedLoader() { open(); }
  void open() {
    if (state->open) return;
    state->open = true;
    state->gate.set_value();
  }
  int calls() const { return state->calls; }

  net::TlsContextCache::Loader loader() {
    const auto loop_thread = std::this_thread::get_id();
    return [s = state, loop_thread](const std::string& file, bool,
                                    std::string& error) -> std::shared_ptr<Context> {
      s->ran_on_loop = std::this_thread::get_id() == loop_thread;
      ++s->calls;
      s->opened.wait();
      if (s->fail) {
        error = "tls: cannot load ca_file " + file + ": nope";
        return nullptr;
      }
      return std::make_shared<Context>(Context::tls_client);
    };
  }
};

struct Asked {
  bool done = false;
  std::shared_ptr<Context> ctx;
  std::string error;
};

asio::awaitable<void> ask(net::TlsContextCache& cache, std::string file, Asked& out) {
  out.ctx = co_await cache.get(std::move(file), false, out.error);
  out.done = true;
}

template <class Done>
bool run_until(asio::io_context& io, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("TlsContextCache: probes of one file get one context, loaded once") {
  // The load runs on the caller's loop for now (tls_context_cache.hpp): the gate is open.
  asio::io_context io;
  GatedLoader loader;
  loader.open();
  net::TlsContextCache cache(loader.loader());
  std::vector<Asked> asked(3);
  for (auto& a : asked) asio::co_spawn(io, ask(cache, "ca.pem", a), asio::detached);
  REQUIRE(run_until(io, [&] { return asked[0].done && asked[1].done && asked[2].done; }));
  CHECK(cache.loads() == 1);
  CHECK(loader.calls() == 1);
  REQUIRE(asked[0].ctx != nullptr);
  CHECK(asked[1].ctx == asked[0].ctx);
  CHECK(asked[2].ctx == asked[0].ctx);
}

TEST_CASE("TlsContextCache: a failed load is reported to each probe and not kept") {
  asio::io_context io;
  GatedLoader loader;
  loader.state->fail = true;
  loader.open();
  net::TlsContextCache cache(loader.loader());
  Asked first, second;
  asio::co_spawn(io, ask(cache, "missing.pem", first), asio::detached);
  asio::co_spawn(io, ask(cache, "missing.pem", second), asio::detached);
  REQUIRE(run_until(io, [&] { return first.done && second.done; }));
  CHECK(first.ctx == nullptr);
  CHECK(second.ctx == nullptr);
  CHECK(first.error == "tls: cannot load ca_file missing.pem: nope");
  CHECK(second.error == first.error);
  CHECK(cache.loads() == 2);  // a failure is not kept: the second probe tried again
  loader.state->fail = false;  // the file was fixed
  Asked fixed;
  asio::co_spawn(io, ask(cache, "missing.pem", fixed), asio::detached);
  REQUIRE(run_until(io, [&] { return fixed.done; }));
  CHECK(fixed.ctx != nullptr);
  CHECK(cache.loads() == 3);
}

TEST_CASE("TlsContextCache: after clear() the next probe loads the file again") {
  asio::io_context io;
  GatedLoader loader;
  loader.open();
  net::TlsContextCache cache(loader.loader());
  Asked before;
  asio::co_spawn(io, ask(cache, "ca.pem", before), asio::detached);
  REQUIRE(run_until(io, [&] { return before.done; }));
  cache.clear();  // a config reload: the bundle may have been rotated
  Asked after;
  asio::co_spawn(io, ask(cache, "ca.pem", after), asio::detached);
  REQUIRE(run_until(io, [&] { return after.done; }));
  CHECK(cache.loads() == 2);
  CHECK(after.ctx != before.ctx);
}

TEST_CASE("make_client_tls_context: an unreadable ca_file is an error naming it") {
  std::string error;
  CHECK(net::make_client_tls_context("/nonexistent/ca.pem", false, error) == nullptr);
  CHECK(error.rfind("tls: cannot load ca_file /nonexistent/ca.pem: ", 0) == 0);
  error.clear();
  CHECK(net::make_client_tls_context("/nonexistent/ca.pem", true, error) != nullptr);  // insecure
  CHECK(error.empty());
}
