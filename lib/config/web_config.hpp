#pragma once
/// Reading `server.web_config_file` (DESIGN §13): the Prometheus exporter-toolkit web
/// configuration, the subset flywatch serves with (tls_server_config with files, and
/// basic_auth_users). Errors are ConfigErrors at a position in the web config file itself.

#include <string>

#include "config/config.hpp"
#include "core/web_config.hpp"

namespace flywatch::config {

/// Parses the web config `text` read from `path`. Relative file names in it are resolved against
/// `path`'s directory (as exporter-toolkit does); cert_file, key_file and client_ca_file must be
/// readable now. Refuses unknown keys (also exporter-toolkit keys flywatch does not implement),
/// a tls_server_config without cert_file or key_file, an unknown client_auth_type or
/// min_version, a verifying client_auth_type without client_ca_file, a client_ca_file with
/// NoClientCert, and a user whose hash is not bcrypt (the hash is never in the message).
/// Values are taken literally: no `${VAR}` expansion, as in exporter-toolkit.
core::WebConfig parse_web_config(const std::string& text, const std::string& path);

/// Reads the file at `path` and parses it with parse_web_config.
core::WebConfig load_web_config(const std::string& path);

}  // namespace flywatch::config
