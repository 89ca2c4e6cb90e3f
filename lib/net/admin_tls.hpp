#pragma once
/// The admin server's TLS context, made from the web config's tls_server_config.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "core/web_config.hpp"

namespace flywatch::net {

/// A server context with `tls`'s certificate chain and key (checked to match), its minimum
/// version (TLS 1.2 or 1.3; never below 1.2), and client certificates asked for as
/// tls.client_auth says: verified against client_ca_file (whose names are sent as acceptable
/// CAs) for the verifying kinds, accepted unverified for RequestClientCert and
/// RequireAnyClientCert. Session tickets are off. nullptr with `error` set (the file and
/// OpenSSL's reason) on failure.
std::shared_ptr<boost::asio::ssl::context> make_admin_tls_context(const core::WebTlsConfig& tls,
                                                                  std::string& error);

}  // namespace flywatch::net
