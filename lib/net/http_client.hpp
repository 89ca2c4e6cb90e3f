#pragma once
/// An HTTP/1.1 client for requests whose answer is data, not a probe verdict: the Fly Machines
/// API and alert webhooks. One seam like the Prober: `HttpClient` is what callers hold,
/// `make_http_client` gives the production side (the prober's resolve, connect, TLS and HTTP
/// exchange steps), tests substitute a fake.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "core/endpoint.hpp"
#include "core/probe_result.hpp"
#include "net/prober.hpp"

namespace flywatch::net {

/// Why a request got no complete response (the category of HttpResponse::error).
enum class HttpError {
  resolve_failed = 1,  ///< step "resolve"
  connect_failed,      ///< step "connect"
  tls_failed,          ///< step "tls": context, handshake or verification
  timed_out,           ///< step "timeout": the request's one deadline passed
  write_failed,        ///< step "write": sending the request (or an invalid request)
  read_failed,         ///< step "read": reset, EOF or bytes that are not HTTP/1.x
  too_large,           ///< step "read": the body (or header) is over the request's cap
};
const std::error_category& http_error_category();
std::error_code make_error_code(HttpError e);

/// One request. Headers go out in order: `headers`, then `endpoint.headers`; Host, User-Agent
/// and Accept are added when absent, and `Connection: close` always.
struct HttpRequest {
  core::Endpoint endpoint;   ///< scheme http or https, host, port, TLS options, extra headers
  std::string method = "GET";
  std::string target = "/";  ///< path and query sent (endpoint.target is not used)
  core::HeaderList headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  ///< one deadline for the whole request
  std::size_t max_body_bytes = 1 << 20;       ///< a larger body fails with too_large
};

/// What came back: either a response (error empty) or the failed step.
struct HttpResponse {
  std::error_code error;  ///< HttpError; empty when a complete response was read
  std::string step;       ///< "resolve", "connect", "tls", "write", "read" or "timeout"
  std::string message;    ///< e.g. "connect: 127.0.0.1:9: Connection refused"; for logs only
  int status = 0;         ///< 0 when failed
  core::HeaderList headers;  ///< lower-cased names, in arrival order
  std::string body;
  std::chrono::nanoseconds total{0};  ///< start to end, whether it failed or not

  bool ok() const { return !error; }
  /// The first header named `name` (lower case), or null.
  const std::string* header(std::string_view name) const;
};

/// The probe failure reason that names `response`'s failure in messages and logs (dns,
/// connect, tls, timeout, too_large or protocol for a write or read); none when it succeeded.
core::FailureReason failure_reason(const HttpResponse& response);

/// Sends requests. Never throws for a failed request: every failure is an HttpResponse with
/// an error and its step.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Performs one request on the caller's executor; completes within request.timeout (plus
  /// scheduling slack). `request` must outlive the awaitable.
  virtual boost::asio::awaitable<HttpResponse> send(const HttpRequest& request) = 0;
  /// Drops cached CA bundles, so the next requests read them again.
  virtual void reload() {}
};

/// The production client: a fresh connection (and TLS handshake) per request, CA bundles
/// cached per (ca_file, insecure_skip_verify): the http(s) probe kind of a prober of its own.
/// `lookup` as for make_prober.
std::unique_ptr<HttpClient> make_http_client(NameLookup lookup = {});

/// A client that sends each request as an http(s) probe through `prober` (which must outlive
/// it), sharing its resolver and CA bundles. The daemon does not use it: it lets a test's fake
/// prober answer the Fly API and webhook requests as well as the probes.
std::unique_ptr<HttpClient> http_client_over(Prober& prober);

}  // namespace flywatch::net

template <>
struct std::is_error_code_enum<flywatch::net::HttpError> : std::true_type {};
