#pragma once
// The test side of the Prober seam: canned results per host, an optional delay, and a record
// of when each probe started and how many ran at once.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/prober.hpp"

namespace flywatch::test {

class FakeProber : public net::Prober {
 public:
  /// What a probe of `host` returns (default: a 200 with a JSON body).
  std::map<std::string, core::ProbeResult> results;
  std::chrono::milliseconds delay{0};
  /// Per-host delays, instead of `delay` for those hosts.
  std::map<std::string, std::chrono::milliseconds> host_delay;
  /// For Machines API waits (a target with "/wait?"), instead of the host's delay: how long the
  /// API holds them. A cancelled probe ends at once.
  std::chrono::milliseconds wait_delay{0};
  /// Consulted first: a result for this spec, or nullopt for the per-host ones.
  std::function<std::optional<core::ProbeResult>(const net::ProbeSpec&)> respond;
  /// Every spec probed, in start order.
  std::vector<net::ProbeSpec> specs;

  /// The owners passed to each retain_connections() call, in order.
  std::vector<std::set<std::string, std::less<>>> retained;

  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> starts;
  int running = 0;
  int max_running = 0;

  static core::ProbeResult ok(int status = 200) {
    core::ProbeResult r;
    r.http_status = status;
    r.total = std::chrono::milliseconds(3);
    r.body = R"({"status":"ok"})";
    return r;
  }

  void retain_connections(const std::set<std::string, std::less<>>& owners) override {
    retained.push_back(owners);
  }

  boost::asio::awaitable<core::ProbeResult> probe(const net::ProbeSpec& spec) override {
    starts[spec.endpoint.host].push_back(std::chrono::steady_clock::now());
    specs.push_back(spec);
    ++running;
    max_running = std::max(max_running, running);
    // The answer is what the server says when the request arrives; the delay is its transit.
    std::optional<core::ProbeResult> answer;
    if (respond) answer = respond(spec);
    if (!answer) {
      auto it = results.find(spec.endpoint.host);
      answer = it != results.end() ? it->second : ok();
    }
    const auto hd = host_delay.find(spec.endpoint.host);
    auto wait = hd == host_delay.end() ? delay : hd->second;
    if (wait_delay.count() > 0 && spec.endpoint.target.find("/wait?") != std::string::npos) wait = wait_delay;
    if (wait.count() > 0) {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, wait);
      co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    --running;
    co_return *answer;
  }
};

}  // namespace flywatch::test
