#include "net/admin_tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace flywatch::net {

namespace ssl = boost::asio::ssl;

namespace {

std::string failure(const std::string& what, const boost::system::error_code& ec) {
  return what + ": " + ec.message();
}

}  // namespace

std::shared_ptr<ssl::context> make_admin_tls_context(const core::WebTlsConfig& tls,
                                                     std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  const int min = tls.min_version == core::TlsVersion::tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(native, min) != 1) {
    error = "cannot set the minimum TLS version";
    return nullptr;
  }
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  if (ctx->use_certificate_chain_file(tls.cert_file, ec); ec) {
    error = failure("cert_file \"" + tls.cert_file + "\"", ec);
    return nullptr;
  }
  if (ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec); ec) {
    error = failure("key_file \"" + tls.key_file + "\"", ec);
    return nullptr;
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    error = "key_file \"" + tls.key_file + "\" does not match cert_file \"" + tls.cert_file + "\"";
    return nullptr;
  }
  if (!tls.client_ca_file.empty()) {
    if (ctx->load_verify_file(tls.client_ca_file, ec); ec) {
      error = failure("client_ca_file \"" + tls.client_ca_file + "\"", ec);
      return nullptr;
    }
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ERR_clear_error();
  }
  using core::ClientAuth;
  ssl::verify_mode mode = ssl::verify_none;
  bool verify_chain = false;
  switch (tls.client_auth) {
    case ClientAuth::no_client_cert: break;
    case ClientAuth::request_client_cert: mode = ssl::verify_peer; break;
    case ClientAuth::require_any_client_cert:
      mode = ssl::verify_peer | ssl::verify_fail_if_no_peer_cert;
      break;
    case ClientAuth::verify_client_cert_if_given:
      mode = ssl::verify_peer;
      verify_chain = true;
      break;
    case ClientAuth::require_and_verify_client_cert:
      mode = ssl::verify_peer | ssl::verify_fail_if_no_peer_cert;
      verify_chain = true;
      break;
  }
  ctx->set_verify_mode(mode, ec);
  // Go's RequestClientCert / RequireAnyClientCert take any certificate: OpenSSL is told every
  // chain is fine. The verifying kinds keep OpenSSL's own verdict.
  if (!verify_chain && mode != ssl::verify_none) {
    ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; }, ec);
  }
  return ctx;
}

}  // namespace flywatch::net
