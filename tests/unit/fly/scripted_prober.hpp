#pragma once
// A test Prober that answers each request with the next scripted ProbeResult, in order, and
// records every ProbeSpec it was given. Running out of script fails the test.

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "fly/machine_poller.hpp"
#include "net/prober.hpp"

namespace flywatch::fly::test {

class ScriptedProber : public net::Prober {
 public:
  std::deque<core::ProbeResult> script;
  std::vector<net::ProbeSpec> requests;

  /// Appends an HTTP answer with the given status, body and (lower-cased) headers.
  ScriptedProber& respond(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    core::ProbeResult r;
    r.http_status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script.push_back(std::move(r));
    return *this;
  }

  /// Appends a transport failure (no HTTP response).
  ScriptedProber& fail(core::FailureReason reason, std::string error) {
    core::ProbeResult r;
    r.transport_failure = reason;
    r.error = std::move(error);
    script.push_back(std::move(r));
    return *this;
  }

  boost::asio::awaitable<core::ProbeResult> probe(const net::ProbeSpec& spec) override {
    requests.push_back(spec);
    if (script.empty()) {
      FAIL_CHECK("ScriptedProber: unexpected request for " << spec.endpoint.target);
      core::ProbeResult r;
      r.transport_failure = core::FailureReason::connect;
      r.error = "script exhausted";
      co_return r;
    }
    core::ProbeResult r = std::move(script.front());
    script.pop_front();
    co_return r;
  }
};

/// Runs one poll to completion on a private io_context.
inline PollOutcome run_poll(MachinePoller& poller, const std::string& app) {
  boost::asio::io_context ctx;
  std::optional<PollOutcome> out;
  bool threw = false;
  boost::asio::co_spawn(ctx, poller.poll(app), [&](std::exception_ptr e, PollOutcome o) {
    if (e) threw = true;
    else out = std::move(o);
  });
  ctx.run();
  CHECK_FALSE(threw);
  REQUIRE(out.has_value());
  return std::move(*out);
}

}  // namespace flywatch::fly::test
