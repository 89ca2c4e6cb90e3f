// The HttpClient over a Prober: each request is an http(s) probe (probe_dial, probe_tls and the
// exchange of http_probe), its ProbeResult turned into an HttpResponse. The probe's reasons map
// onto the client's steps; the message is the probe's error text, unchanged.
#include "net/http_client.hpp"

#include <utility>

namespace flywatch::net {
namespace {

namespace asio = boost::asio;
using core::FailureReason;

class HttpErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "flywatch.http"; }
  std::string message(int e) const override {
    switch (static_cast<HttpError>(e)) {
      case HttpError::resolve_failed: return "name resolution failed";
      case HttpError::connect_failed: return "connection failed";
      case HttpError::tls_failed: return "TLS failed";
      case HttpError::timed_out: return "timed out";
      case HttpError::write_failed: return "sending the request failed";
      case HttpError::read_failed: return "reading the response failed";
      case HttpError::too_large: return "response too large";
    }
    return "unknown HTTP client error";
  }
};

struct Failure {
  HttpError error;
  const char* step;
};

Failure failure_of(const core::ProbeResult& r) {
  switch (r.transport_failure) {
    case FailureReason::dns: return {HttpError::resolve_failed, "resolve"};
    case FailureReason::connect: return {HttpError::connect_failed, "connect"};
    case FailureReason::tls: return {HttpError::tls_failed, "tls"};
    case FailureReason::timeout: return {HttpError::timed_out, "timeout"};
    case FailureReason::too_large: return {HttpError::too_large, "read"};
    default:
      // protocol: before the response (an invalid request, a failed write) or while reading it.
      if (r.error.find("(while sending the request)") != std::string::npos ||
          r.error.starts_with("protocol: invalid request")) {
        return {HttpError::write_failed, "write"};
      }
      return {HttpError::read_failed, "read"};
  }
}

// Sends each request as an http(s) probe: the probe's steps are the client's.
class ProberHttpClient final : public HttpClient {
 public:
  explicit ProberHttpClient(Prober& prober, std::unique_ptr<Prober> owned = nullptr)
      : owned_(std::move(owned)), prober_(prober) {}

  void reload() override {
    if (owned_) owned_->reload();
  }

  asio::awaitable<HttpResponse> send(const HttpRequest& request) override {
    HttpResponse out;
    if (request.endpoint.scheme != "http" && request.endpoint.scheme != "https") {
      out.error = HttpError::write_failed;
      out.step = "write";
      out.message = "protocol: invalid request: unsupported scheme " + request.endpoint.scheme;
      co_return out;
    }
    ProbeSpec spec;
    spec.endpoint = request.endpoint;
    spec.endpoint.target = request.target;
    spec.endpoint.headers = request.headers;
    spec.endpoint.headers.insert(spec.endpoint.headers.end(), request.endpoint.headers.begin(),
                                 request.endpoint.headers.end());
    spec.method = request.method;
    spec.body = request.body;
    spec.timeout = request.timeout;
    spec.max_body_bytes = request.max_body_bytes;
    core::ProbeResult result = co_await prober_.probe(spec);
    out.total = result.total;
    if (!result.transport_ok()) {
      const Failure f = failure_of(result);
      out.error = f.error;
      out.step = f.step;
      out.message = std::move(result.error);
      co_return out;
    }
    out.status = result.http_status;
    out.headers = std::move(result.headers);
    out.body = std::move(result.body);
    co_return out;
  }

 private:
  std::unique_ptr<Prober> owned_;
  Prober& prober_;
};

}  // namespace

const std::error_category& http_error_category() {
  static const HttpErrorCategory category;
  return category;
}

std::error_code make_error_code(HttpError e) {
  return {static_cast<int>(e), http_error_category()};
}

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

core::FailureReason failure_reason(const HttpResponse& r) {
  if (!r.error) return FailureReason::none;
  switch (static_cast<HttpError>(r.error.value())) {
    case HttpError::resolve_failed: return FailureReason::dns;
    case HttpError::connect_failed: return FailureReason::connect;
    case HttpError::tls_failed: return FailureReason::tls;
    case HttpError::timed_out: return FailureReason::timeout;
    case HttpError::too_large: return FailureReason::too_large;
    default: return FailureReason::protocol;
  }
}

std::unique_ptr<HttpClient> make_http_client(NameLookup lookup) {
  auto prober = make_prober(std::move(lookup));
  Prober& ref = *prober;
  return std::make_unique<ProberHttpClient>(ref, std::move(prober));
}

std::unique_ptr<HttpClient> http_client_over(Prober& prober) {
  return std::make_unique<ProberHttpClient>(prober);
}

}  // namespace flywatch::net
