#pragma once
// A test HttpClient that answers each request with the next scripted HttpResponse, in order,
// and records every HttpRequest it was given. Running out of script fails the test.

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "fly/machine_poller.hpp"
#include "net/http_client.hpp"

namespace flywatch::fly::test {

class ScriptedClient : public net::HttpClient {
 public:
  std::deque<net::HttpResponse> script;
  std::vector<net::HttpRequest> requests;

  /// Appends an HTTP answer with the given status, body and (lower-cased) headers.
  ScriptedClient& respond(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script.push_back(std::move(r));
    return *this;
  }

  /// Appends a failed request (no HTTP response) at `step`.
  ScriptedClient& fail(net::HttpError error, std::string step, std::string message) {
    net::HttpResponse r;
    r.error = error;
    r.step = std::move(step);
    r.message = std::move(message);
    script.push_back(std::move(r));
    return *this;
  }

  boost::asio::awaitable<net::HttpResponse> send(const net::HttpRequest& request) override {
    requests.push_back(request);
    if (script.empty()) {
      FAIL_CHECK("ScriptedClient: unexpected request for " << request.target);
      net::HttpResponse r;
      r.error = net::HttpError::connect_failed;
      r.step = "connect";
      r.message = "script exhausted";
      co_return r;
    }
    net::HttpResponse r = std::move(script.front());
    script.pop_front();
    co_return r;
  }
};

/// Runs one request of the poller (poll() by default) to completion on a private io_context.
inline PollOutcome run_request(boost::asio::awaitable<PollOutcome> request) {
  boost::asio::io_context ctx;
  std::optional<PollOutcome> out;
  bool threw = false;
  boost::asio::co_spawn(ctx, std::move(request), [&](std::exception_ptr e, PollOutcome o) {
    if (e) threw = true;
    else out = std::move(o);
  });
  ctx.run();
  CHECK_FALSE(threw);
  REQUIRE(out.has_value());
  return std::move(*out);
}

inline PollOutcome run_poll(MachinePoller& poller, const std::string& app) {
  return run_request(poller.poll(app));
}

}  // namespace flywatch::fly::test
