#include "config/web_config.hpp"

#include <cstring>

#include "config/syntax.hpp"
#include "config/yaml_reader.hpp"
#include "core/password.hpp"

namespace flywatch::config {

namespace {

using detail::Field;
using detail::Fields;
using detail::in_quotes;
using detail::Reader;

// exporter-toolkit does not expand the environment: a hash or path is what is written.
std::optional<std::string> no_env(const std::string&) { return std::nullopt; }

std::string scalar(const Reader& r, const Field& f, std::string_view name) {
  if (!f.value.IsScalar()) {
    r.fail(f.value_pos(), std::string(name) + ": expected a string, got " +
                              std::string(detail::describe(f.value)));
  }
  return f.value.Scalar();
}

std::string readable_file(const Reader& r, const Field& f, std::string_view name) {
  const std::string file = r.path(f, name);
  std::string content;
  if (const int err = detail::read_file(file, content); err != 0) {
    r.fail(f.value_pos(),
           std::string(name) + ": cannot read " + in_quotes(file) + ": " + std::strerror(err));
  }
  return file;
}

core::WebTlsConfig parse_tls(const Reader& r, const Field& field) {
  core::WebTlsConfig out;
  const Fields fields(r, field.value, field.value_pos(), "tls_server_config",
                      "in tls_server_config",
                      {"cert_file", "key_file", "client_ca_file", "client_auth_type",
                       "min_version"});
  const Field* cert = fields.get("cert_file");
  const Field* key = fields.get("key_file");
  if (!cert) r.fail(field.key_pos(), "tls_server_config: cert_file is required");
  if (!key) r.fail(field.key_pos(), "tls_server_config: key_file is required");
  out.cert_file = readable_file(r, *cert, "tls_server_config.cert_file");
  out.key_file = readable_file(r, *key, "tls_server_config.key_file");
  const Field* ca = fields.get("client_ca_file");
  if (ca) out.client_ca_file = readable_file(r, *ca, "tls_server_config.client_ca_file");
  const Field* auth = fields.get("client_auth_type");
  if (auth) {
    const std::string v = scalar(r, *auth, "tls_server_config.client_auth_type");
    const auto parsed = core::parse_client_auth(v);
    if (!parsed) {
      r.fail(auth->value_pos(),
             "tls_server_config.client_auth_type: " + in_quotes(v) +
                 " is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
                 "VerifyClientCertIfGiven, RequireAndVerifyClientCert");
    }
    out.client_auth = *parsed;
  }
  if (core::client_auth_verifies(out.client_auth) && !ca) {
    r.fail(auth->value_pos(), "tls_server_config.client_auth_type: verifying client "
                              "certificates needs client_ca_file");
  }
  if (ca && out.client_auth == core::ClientAuth::no_client_cert) {
    r.fail(ca->key_pos(), "tls_server_config.client_ca_file: set without a client_auth_type "
                          "that asks for client certificates");
  }
  if (const Field* f = fields.get("min_version")) {
    const std::string v = scalar(r, *f, "tls_server_config.min_version");
    if (v == "TLS12") {
      out.min_version = core::TlsVersion::tls12;
    } else if (v == "TLS13") {
      out.min_version = core::TlsVersion::tls13;
    } else {
      r.fail(f->value_pos(),
             "tls_server_config.min_version: " + in_quotes(v) + " is not one of TLS12, TLS13");
    }
  }
  return out;
}

std::map<std::string, std::string> parse_users(const Reader& r, const Field& field) {
  std::map<std::string, std::string> out;
  if (field.value.IsNull()) return out;
  const Fields users(r, field.value, field.value_pos(), "basic_auth_users",
                     "in basic_auth_users");
  for (const Field& u : users.all()) {
    const std::string name = "basic_auth_users." + u.key;
    if (u.key.empty() || u.key.find(':') != std::string::npos || detail::has_control_char(u.key)) {
      r.fail(u.key_pos(), "basic_auth_users: " + in_quotes(u.key) +
                              " is not a user name (non-empty, no ':' or control characters)");
    }
    const std::string hash = scalar(r, u, name);
    if (!core::is_bcrypt_hash(hash)) {
      r.fail(u.value_pos(), name + ": not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, "
                                   "53 characters)");
    }
    out.emplace(u.key, hash);
  }
  return out;
}

}  // namespace

core::WebConfig parse_web_config(const std::string& text, const std::string& path) {
  const Reader r(path, no_env);
  const YAML::Node root = detail::load_document(r, text);
  core::WebConfig out;
  if (root.IsNull()) return out;
  const Fields fields(r, root, detail::pos_of(root), "web config", "in web config",
                      {"tls_server_config", "basic_auth_users"});
  if (const Field* f = fields.get("tls_server_config")) out.tls = parse_tls(r, *f);
  if (const Field* f = fields.get("basic_auth_users")) out.basic_auth_users = parse_users(r, *f);
  return out;
}

core::WebConfig load_web_config(const std::string& path) {
  std::string text;
  if (const int err = detail::read_file(path, text); err != 0) {
    throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(err));
  }
  return parse_web_config(text, path);
}

}  // namespace flywatch::config
