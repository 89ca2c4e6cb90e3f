#include "core/web_config.hpp"

namespace flywatch::core {

std::optional<ClientAuth> parse_client_auth(std::string_view s) {
  if (s == "NoClientCert") return ClientAuth::no_client_cert;
  if (s == "RequestClientCert") return ClientAuth::request_client_cert;
  if (s == "RequireAnyClientCert") return ClientAuth::require_any_client_cert;
  if (s == "VerifyClientCertIfGiven") return ClientAuth::verify_client_cert_if_given;
  if (s == "RequireAndVerifyClientCert") return ClientAuth::require_and_verify_client_cert;
  return std::nullopt;
}

bool client_auth_verifies(ClientAuth a) {
  return a == ClientAuth::verify_client_cert_if_given ||
         a == ClientAuth::require_and_verify_client_cert;
}

}  // namespace flywatch::core
