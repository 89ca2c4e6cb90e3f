#include "fly/machine_poller.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/fly_token.hpp"
#include "fly/machine_json.hpp"

namespace flywatch::fly {

using std::chrono::milliseconds;

namespace {

constexpr std::size_t max_message_excerpt = 200;

// The API's error text ({"error": "...", "message": "..."}, reference §1.5) if the body is
// such an object; otherwise a printable excerpt of the body, so logs show what came back.
std::string error_text(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.get_object();
    for (const char* key : {"message", "error"}) {
      if (auto it = o.find(key); it != o.end() && it->value().is_string() && !it->value().get_string().empty()) {
        return std::string(it->value().get_string());
      }
    }
  }
  std::string out;
  for (char c : body.substr(0, max_message_excerpt)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  if (body.size() > max_message_excerpt) out += "...";
  return out;
}

PollOutcome failure(std::string code, bool retryable, std::string message) {
  PollOutcome o;
  o.code = std::move(code);
  o.retryable = retryable;
  o.message = std::move(message);
  return o;
}

PollOutcome classify_status(const net::HttpResponse& r) {
  const int s = r.status;
  std::string detail = "HTTP " + std::to_string(s);
  if (std::string text = error_text(r.body); !text.empty()) detail += ": " + text;
  if (const auto* id = r.header("fly-request-id")) detail += " (fly-request-id " + *id + ")";

  if (s == 401 || s == 403 || s == 404) return failure(std::to_string(s), false, std::move(detail));
  if (s == 408 || s == 429) return failure(std::to_string(s), true, std::move(detail));
  if (s >= 500 && s <= 599) return failure("5xx", true, std::move(detail));
  if (s >= 400 && s <= 499) return failure("4xx", false, std::move(detail));
  return failure("other", false, std::move(detail));
}

}  // namespace

bool parse_api_url(const std::string& url, core::Endpoint& out, std::string& error) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    error = "api_url '" + url + "' is not an absolute URL";
    return false;
  }
  const boost::urls::url_view& u = *parsed;
  core::Endpoint ep;
  ep.scheme = std::string(u.scheme());
  if (ep.scheme != "http" && ep.scheme != "https") {
    error = "api_url '" + url + "': scheme must be http or https";
    return false;
  }
  if (u.has_userinfo() || u.has_query() || u.has_fragment()) {
    error = "api_url '" + url + "' must not contain credentials, a query or a fragment";
    return false;
  }
  // host_address() gives IPv6 literals without their brackets, which is what ProbeSpec wants.
  ep.host = std::string(u.host_address());
  if (ep.host.empty()) {
    error = "api_url '" + url + "' has no host";
    return false;
  }
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) {
      error = "api_url '" + url + "' has a bad port";
      return false;
    }
    ep.port = u.port_number();
  } else {
    ep.port = ep.scheme == "https" ? 443 : 80;
  }
  ep.target = std::string(u.encoded_path());
  while (!ep.target.empty() && ep.target.back() == '/') ep.target.pop_back();
  out = std::move(ep);
  return true;
}

std::string encode_path_segment(const std::string& segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}


PollOutcome classify_list_response(const net::HttpResponse& r) {
  PollOutcome o;
  if (r.error == net::HttpError::timed_out) {
    o = failure("timeout", true, "timeout: " + r.message);
  } else if (r.error == net::HttpError::too_large) {
    o = failure("malformed", true, "response too large: " + r.message);
  } else if (r.error) {
    o = failure("network", true, std::string(core::to_string(net::failure_reason(r))) + ": " + r.message);
  } else if (r.status == 200) {
    std::string error;
    auto machines = parse_machine_list(r.body, error, &o.warnings);
    if (machines) {
      o.ok = true;
      o.code = "200";
      o.machines = std::move(*machines);
    } else {
      o.code = "malformed";
      o.retryable = true;
      o.message = "HTTP 200 with an unusable body: " + error;
    }
  } else {
    o = classify_status(r);
  }
  o.http_status = r.status;
  o.duration = r.total;
  if (const auto* ra = r.header("retry-after")) o.retry_after = parse_retry_after(*ra);
  return o;
}

MachinePoller::MachinePoller(FlyApiConfig config, net::HttpClient& client)
    : config_(std::move(config)), client_(&client) {
  std::string error;
  if (!parse_api_url(config_.api_url, endpoint_, error)) throw std::invalid_argument(error);
  endpoint_.tls.ca_file = config_.ca_file;
  authorization_ = core::fly_authorization_header(config_.token);
  if (authorization_.empty()) throw std::invalid_argument("Fly API token is empty");
}

net::HttpRequest MachinePoller::list_request(const std::string& app, bool include_deleted) const {
  net::HttpRequest request;
  request.endpoint = endpoint_;
  request.target = endpoint_.target + "/v1/apps/" + encode_path_segment(app) + "/machines";
  if (include_deleted) request.target += "?include_deleted=true";
  request.method = "GET";
  request.headers = {
      {"Authorization", authorization_},
      {"Accept", "application/json"},
      {"User-Agent", config_.user_agent},
  };
  request.timeout = config_.timeout;
  request.max_body_bytes = config_.max_body_bytes;
  return request;
}

net::HttpRequest MachinePoller::wait_request(const std::string& app, const std::string& machine,
                                             std::chrono::seconds timeout) const {
  const auto seconds = std::clamp<std::int64_t>(timeout.count(), 1, 60);
  net::HttpRequest request = list_request(app);
  request.target += "/" + encode_path_segment(machine) + "/wait?state=started&timeout=" +
                    std::to_string(seconds);
  // The server holds the request up to `seconds`; the deadline leaves room for its answer.
  request.timeout = std::chrono::seconds(seconds) + config_.timeout;
  request.max_body_bytes = 64 * 1024;
  return request;
}

net::HttpRequest MachinePoller::start_request(const std::string& app,
                                              const std::string& machine) const {
  net::HttpRequest request = list_request(app);
  request.method = "POST";
  request.target += "/" + encode_path_segment(machine) + "/start";
  request.max_body_bytes = 64 * 1024;
  return request;
}

boost::asio::awaitable<PollOutcome> MachinePoller::send_expecting_ok(const net::HttpRequest& request) {
  PollOutcome outcome;
  std::string thrown;
  try {
    const net::HttpResponse r = co_await client_->send(request);
    if (!r.ok()) {
      outcome = classify_list_response(r);  // the transport failure classes are the same
    } else if (r.status == 200) {
      outcome.ok = true;
      outcome.code = "200";
      outcome.http_status = 200;
      outcome.duration = r.total;
    } else {
      outcome = classify_status(r);
      outcome.http_status = r.status;
      outcome.duration = r.total;
    }
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (!thrown.empty()) outcome = failure("network", true, "request failed: " + thrown);
  co_return outcome;
}

boost::asio::awaitable<PollOutcome> MachinePoller::start_machine(std::string app, std::string machine) {
  PollOutcome outcome = co_await send_expecting_ok(start_request(app, machine));
  if (!outcome.ok) {
    outcome.message = "start machine '" + machine + "' of app '" + app + "': " + outcome.message;
  }
  co_return outcome;
}

boost::asio::awaitable<PollOutcome> MachinePoller::wait_started(std::string app, std::string machine,
                                                              std::chrono::seconds timeout) {
  PollOutcome outcome = co_await send_expecting_ok(wait_request(app, machine, timeout));
  // A terminal cancellation (shutdown, reload) ends the probe with whatever error it caused.
  const auto cancelled = (co_await boost::asio::this_coro::cancellation_state).cancelled();
  if (cancelled != boost::asio::cancellation_type::none && !outcome.ok) {
    outcome = failure("cancelled", false, "cancelled");
  }
  if (!outcome.ok) {
    outcome.message = "wait for machine '" + machine + "' of app '" + app + "': " + outcome.message;
  }
  co_return outcome;
}

net::HttpRequest MachinePoller::machine_request(const std::string& app,
                                                const std::string& machine) const {
  net::HttpRequest request = list_request(app);
  request.target += "/" + encode_path_segment(machine);
  request.max_body_bytes = 1 << 20;
  return request;
}

// GCC 12 reports a false -Wmismatched-new-delete on coroutine frames under ASan (Asio's
// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

boost::asio::awaitable<PollOutcome> MachinePoller::get_machine(std::string app, std::string machine) {
  PollOutcome outcome;
  std::string thrown;
  try {
    const net::HttpResponse r = co_await client_->send(machine_request(app, machine));
    if (!r.ok() || r.status != 200) {
      outcome = r.ok() ? classify_status(r) : classify_list_response(r);
      outcome.http_status = r.status;
    } else {
      std::string error;
      if (auto m = parse_machine(r.body, error)) {
        outcome.ok = true;
        outcome.code = "200";
        outcome.http_status = 200;
        outcome.machines.push_back(std::move(*m));
      } else {
        outcome = failure("malformed", true, error);
      }
    }
    outcome.duration = r.total;
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (!thrown.empty()) outcome = failure("network", true, "request failed: " + thrown);
  if (!outcome.ok) {
    outcome.message = "get machine '" + machine + "' of app '" + app + "': " + outcome.message;
  }
  co_return outcome;
}

#pragma GCC diagnostic pop

boost::asio::awaitable<PollOutcome> MachinePoller::poll(std::string app, bool include_deleted) {
  const net::HttpRequest request = list_request(app, include_deleted);
  PollOutcome outcome;
  // The client contract is "no exceptions", but a poll loop must survive a broken one too.
  std::string thrown;
  try {
    const net::HttpResponse response = co_await client_->send(request);
    outcome = classify_list_response(response);
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (!thrown.empty()) outcome = failure("network", true, "request failed: " + thrown);
  if (!outcome.ok) outcome.message = "list machines of app '" + app + "': " + outcome.message;
  co_return outcome;
}

}  // namespace flywatch::fly
