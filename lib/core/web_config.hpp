#pragma once
/// The admin server's web configuration (DESIGN §13, `server.web_config_file`) as plain data: the
/// subset of the Prometheus exporter-toolkit format flywatch reads. lib/config fills it in from
/// the file; lib/net serves with it. Nothing here reads files.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

/// exporter-toolkit's `client_auth_type` (Go's tls.ClientAuthType), same names.
enum class ClientAuth {
  no_client_cert,                  ///< NoClientCert: no certificate asked for
  request_client_cert,             ///< RequestClientCert: asked for, not required, not verified
  require_any_client_cert,         ///< RequireAnyClientCert: required, not verified
  verify_client_cert_if_given,     ///< VerifyClientCertIfGiven: verified when sent
  require_and_verify_client_cert,  ///< RequireAndVerifyClientCert: required and verified
};

/// Reads exporter-toolkit's spelling ("NoClientCert", …); nullopt for anything else.
std::optional<ClientAuth> parse_client_auth(std::string_view s);

/// Whether `a` verifies client certificates against a CA (and so needs client_ca_file).
bool client_auth_verifies(ClientAuth a);

enum class TlsVersion { tls12, tls13 };

/// `tls_server_config`: paths already resolved against the web config file's directory.
struct WebTlsConfig {
  std::string cert_file;       ///< PEM certificate chain, leaf first
  std::string key_file;        ///< PEM private key of the leaf
  std::string client_ca_file;  ///< PEM CAs client certificates are verified against; may be empty
  ClientAuth client_auth = ClientAuth::no_client_cert;
  TlsVersion min_version = TlsVersion::tls12;
  bool operator==(const WebTlsConfig&) const = default;
};

/// The whole web configuration. Empty (no TLS, no users) serves plain HTTP to everyone.
struct WebConfig {
  std::optional<WebTlsConfig> tls;
  /// `basic_auth_users`: user name → bcrypt hash. Non-empty: every request must authenticate.
  /// The hashes are secrets: never in a message.
  std::map<std::string, std::string> basic_auth_users;
  bool operator==(const WebConfig&) const = default;
};

}  // namespace flywatch::core
