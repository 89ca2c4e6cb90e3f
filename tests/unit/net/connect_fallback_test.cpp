#include <doctest.h>

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loopback_server.hpp"
#include "net/prober.hpp"
#include "probe_checks.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

// A listener whose accept queue is full, so the kernel drops further SYNs: a connect to it hangs
// like one to a host behind a broken route.
struct BlackHole {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  std::uint16_t port = 0;

  BlackHole() {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.bind(ep);
    acceptor.listen(0);  // never accepted from
    port = acceptor.local_endpoint().port();
    // Fill the queue: connects complete until it is full; the first one that does not marks it.
    for (int i = 0; i < 8; ++i) {
      auto s = std::make_unique<tcp::socket>(io);
      bool done = false;
      s->async_connect({ep.address(), port}, [&](const boost::system::error_code&) { done = true; });
      io.run_for(200ms);
      io.restart();
      fillers.push_back(std::move(s));
      if (!done) return;
    }
  }
};

TEST_CASE("connect: an address that drops SYNs gets only its share, and the next one answers") {
  BlackHole hole;
  asio::io_context ioc;
  LoopbackServer good(ioc, "127.0.0.1", answer(http_response(200, "OK", "text/plain", "ok")));
  const auto good_port = good.port();
  // "dual.example" resolves to the black hole first and to the healthy server second.
  auto prober = net::make_prober(
      [&](const std::string& host, const std::string&, boost::system::error_code& ec) {
        ec = {};
        std::vector<tcp::endpoint> eps{{asio::ip::make_address("127.0.0.1"), hole.port},
                                       {asio::ip::make_address("127.0.0.1"), good_port}};
        return tcp::resolver::results_type::create(eps.begin(), eps.end(), host, "80");
      });
  auto spec = spec_for("http", "dual.example", good_port);
  spec.timeout = 2000ms;
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_probe(ioc, *prober, spec);
  const auto spent = std::chrono::steady_clock::now() - start;
  CHECK_MESSAGE(r.transport_ok(), r.error);
  CHECK(r.http_status == 200);
  CHECK(r.remote == "127.0.0.1:" + std::to_string(good_port));
  // Half of the time left went to the black hole, then the second address connected at once.
  CHECK(spent >= 900ms);
  CHECK(spent < 1800ms);
}

TEST_CASE("connect: when every address fails, the reason is connect and names the last one") {
  asio::io_context ioc;
  const auto closed1 = closed_port();
  const auto closed2 = closed_port();
  auto prober = net::make_prober(
      [&](const std::string& host, const std::string&, boost::system::error_code& ec) {
        ec = {};
        std::vector<tcp::endpoint> eps{{asio::ip::make_address("127.0.0.1"), closed1},
                                       {asio::ip::make_address("127.0.0.1"), closed2}};
        return tcp::resolver::results_type::create(eps.begin(), eps.end(), host, "80");
      });
  const auto r = run_probe(ioc, *prober, spec_for("http", "two.example", closed1));
  CHECK_MESSAGE(reason(r) == "connect", r.error);
  CHECK(r.error.find(std::to_string(closed2)) != std::string::npos);
}

}  // namespace
}  // namespace flywatch::testing
