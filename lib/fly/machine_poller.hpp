#pragma once
/// Polls the Fly Machines API list endpoint through the HttpClient seam and classifies every
/// answer into a PollOutcome. Never throws for a failed request.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/backoff.hpp"
#include "core/endpoint.hpp"
#include "core/probe_result.hpp"
#include "fly/app_poll_state.hpp"
#include "net/http_client.hpp"

namespace flywatch::fly {

/// Where and how to reach the Machines API.
struct FlyApiConfig {
  /// Base URL: scheme http or https, host, optional port and path prefix, e.g.
  /// "https://api.machines.dev" or "http://127.0.0.1:4280".
  std::string api_url = "https://api.machines.dev";
  std::string token;  ///< raw token; the scheme is chosen by core::fly_authorization_header()
  std::chrono::milliseconds timeout{10000};  ///< one deadline per request
  std::string ca_file;                       ///< empty: system trust store
  std::size_t max_body_bytes = 8u << 20;     ///< a bigger list is a failure ("malformed")
  std::string user_agent = "flywatch";
};

/// Parses a base URL as described for FlyApiConfig::api_url into `out` (its target is the path
/// prefix without trailing '/', e.g. "" or "/flaps"; no TLS options, no headers). Returns false
/// with `error` set for anything else (other schemes, no host, a query or fragment,
/// credentials, a bad port).
bool parse_api_url(const std::string& url, core::Endpoint& out, std::string& error);

/// Percent-encodes an app name for use as one path segment (Fly names are [a-z0-9-], but a
/// config typo must not change the request path).
std::string encode_path_segment(const std::string& segment);

/// Classifies one response of the list endpoint into a PollOutcome (pure; exposed for tests).
/// 200 with a JSON array → ok, code "200"; 200 with anything else → "malformed"; no response:
/// "timeout", "malformed" (over the body cap) or "network".
PollOutcome classify_list_response(const net::HttpResponse& response);

/// Retry-After parsing lives in lib/core (the alert sinks use it too).
using core::parse_retry_after;

/// Lists an app's machines via `GET {api_url}/v1/apps/{app}/machines`.
class MachinePoller {
 public:
  /// Throws std::invalid_argument for a bad api_url or an empty token: this is config time.
  /// `client` must outlive the poller.
  MachinePoller(FlyApiConfig config, net::HttpClient& client);

  /// The request poll() sends for `app` (exposed for tests and logging); with `include_deleted`
  /// the list keeps destroyed machines (`?include_deleted=true`), as the gate needs to read a
  /// release command Fly destroyed right after it exited.
  net::HttpRequest list_request(const std::string& app, bool include_deleted = false) const;

  /// The request get_machine() sends: `GET …/machines/{id}`.
  net::HttpRequest machine_request(const std::string& app, const std::string& machine) const;

  /// One machine by id (a destroyed one too): `ok` with the machine as the only entry of
  /// `machines`, or a failure classified like a list request's. Never throws.
  boost::asio::awaitable<PollOutcome> get_machine(std::string app, std::string machine);

  /// The request wait_started() sends: `GET …/machines/{id}/wait?state=started&timeout=N`.
  net::HttpRequest wait_request(const std::string& app, const std::string& machine,
                              std::chrono::seconds timeout) const;

  /// Asks the API to answer once `machine` is started (or `timeout`, at most 60 s, has passed:
  /// then 408). The outcome's `ok` is true when the machine reached started; `code` labels it
  /// like a list request; `machines` stays empty. Never throws for a failed request.
  /// Honours terminal cancellation (bind a cancellation slot when spawning it): the request is
  /// abandoned at once and the outcome has code "cancelled", which is no API answer and must not
  /// be counted as one.
  boost::asio::awaitable<PollOutcome> wait_started(std::string app, std::string machine,
                                                   std::chrono::seconds timeout);

  /// The request start_machine() sends: `POST …/machines/{id}/start` (empty body).
  net::HttpRequest start_request(const std::string& app, const std::string& machine) const;

  /// Asks the API to start a stopped or suspended machine (`flywatch gate`'s `wake`). `ok` when
  /// the API answered 200; `code` labels the answer like a list request; `machines` stays
  /// empty. Never throws for a failed request.
  boost::asio::awaitable<PollOutcome> start_machine(std::string app, std::string machine);

  /// Performs one list request on the caller's executor. Never throws for a failed request:
  /// transport failures, HTTP errors and unparseable bodies are outcomes with a code. `app` is
  /// taken by value so a detached poll cannot outlive its argument; the poller must outlive it.
  boost::asio::awaitable<PollOutcome> poll(std::string app, bool include_deleted = false);

 private:
  /// Sends `request`: ok on 200, else the answer classified like a list request's.
  boost::asio::awaitable<PollOutcome> send_expecting_ok(const net::HttpRequest& request);

  FlyApiConfig config_;
  core::Endpoint endpoint_;  ///< api_url's parts (target: the path prefix) and ca_file
  std::string authorization_;
  net::HttpClient* client_;
};

}  // namespace flywatch::fly
