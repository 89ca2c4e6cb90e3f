// The TLS client handshake of https:// and tls:// probes (see probe_tls.hpp).
#include "net/probe_tls.hpp"

#include <string>

#include <boost/asio/ssl/error.hpp>
#include <openssl/x509_vfy.h>

#include "net/http_request.hpp"

namespace flywatch::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;
using core::FailureReason;
using core::ProbePhase;
using core::ProbeResult;

namespace {

void fail_handshake(ProbeResult& r, const ProbeSpec& spec, const Connection& conn, SSL* ssl,
                    const error_code& ec) {
  if (conn.timed_out) return fail_timeout(r, spec, "doing the TLS handshake");
  if (const long v = SSL_get_verify_result(ssl); v != X509_V_OK) {
    return fail(r, FailureReason::tls,
                std::string("tls: certificate verify failed: ") + X509_verify_cert_error_string(v));
  }
  if (is_closed_early(ec)) {
    return fail(r, FailureReason::tls, "tls: handshake failed: connection closed by peer");
  }
  if (ec == asio::error::connection_reset) {
    return fail(r, FailureReason::tls, "tls: handshake failed: connection reset by peer");
  }
  fail(r, FailureReason::tls, "tls: handshake failed: " + ec.message());
}

}  // namespace

asio::awaitable<std::shared_ptr<ssl::context>> tls_context(TlsContextCache& cache,
                                                           const ProbeSpec& spec,
                                                           ProbeResult& result) {
  result.used_tls = true;
  std::string error;
  auto ctx =
      co_await cache.get(spec.endpoint.tls.ca_file, spec.endpoint.tls.insecure_skip_verify, error);
  if (ctx == nullptr) fail(result, FailureReason::tls, std::move(error));
  co_return ctx;
}

asio::awaitable<bool> tls_handshake(TlsStream& stream, const Connection& conn,
                                    const ProbeSpec& spec, ProbeResult& result) {
  SSL* ssl = stream.native_handle();
  const std::string& name = spec.endpoint.tls.server_name.empty() ? spec.endpoint.host : spec.endpoint.tls.server_name;
  const bool name_is_ip = is_ip_literal(name);
  // RFC 6066: SNI carries host names only, never IP literals.
  if (!name_is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!spec.endpoint.tls.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (name_is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
  }
  attach_cert_observer(ssl, &result.cert_not_after);
  const auto tls_start = ProbeClock::now();
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, as_values);
  attach_cert_observer(ssl, nullptr);
  if (!result.cert_not_after) result.cert_not_after = earliest_not_after(SSL_get_peer_cert_chain(ssl));
  if (handshake_error) {
    fail_handshake(result, spec, conn, ssl, handshake_error);
    co_return false;
  }
  set_phase(result, ProbePhase::tls, ProbeClock::now() - tls_start);
  co_return true;
}

}  // namespace flywatch::net
