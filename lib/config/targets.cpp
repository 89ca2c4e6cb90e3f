// `targets:` → Target structs: names, URLs, request, TLS and expectations.
//
// The URL's scheme is the probe kind: http/https (an HTTP request), tcp (a connection, an
// optional `send:` and `expect.banner_regex`), tls (a verified TLS handshake). Keys of
// another kind are refused at their position rather than ignored.
#include <cstring>
#include <initializer_list>
#include <string>

#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "core/ascii.hpp"
#include "core/duration.hpp"

namespace flywatch::config::detail {

namespace {

const Field& require(const Reader& r, const Fields& fields, std::string_view key, Pos where,
                     std::string_view what) {
  const Field* f = fields.get(key);
  if (!f) r.fail(where, std::string(what) + " is missing required key " + in_quotes(key));
  return *f;
}


bool is_http(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

/// `bearer_token` / `bearer_token_file` become an Authorization header. The token is a secret:
/// no message below repeats it.
void add_bearer_token(const Reader& r, const Fields& fields, Target& t) {
  const auto token = r.value_or_file(fields, "bearer_token");
  if (!token) return;
  const Field* f =
      fields.get("bearer_token") ? fields.get("bearer_token") : fields.get("bearer_token_file");
  if (token->empty()) r.fail(f->value_pos(), f->key + ": the token is empty");
  if (has_control_char(*token) || token->find(' ') != std::string::npos) {
    r.fail(f->value_pos(), f->key + ": the token contains white space or a control character");
  }
  for (const auto& [name, value] : t.endpoint.headers) {
    if (core::ascii_iequals(name, "Authorization")) {
      r.fail(f->key_pos(), f->key + " conflicts with headers." + name);
    }
  }
  t.endpoint.headers.emplace_back("Authorization", "Bearer " + *token);
}

/// `connection: fresh | reuse` and `max_connection_age` (only with reuse).
void parse_connection(const Reader& r, const Fields& fields, Target& t) {
  if (const Field* f = fields.get("connection")) {
    const std::string v = r.string(*f, "connection");
    if (v == "fresh") {
      t.connection = core::ConnectionMode::fresh;
    } else if (v == "reuse") {
      t.connection = core::ConnectionMode::reuse;
    } else {
      r.fail(f->value_pos(), "connection: " + in_quotes(v) + " is not one of fresh, reuse");
    }
  }
  if (const Field* f = fields.get("max_connection_age")) {
    if (t.connection != core::ConnectionMode::reuse) {
      r.fail(f->key_pos(), "max_connection_age is only allowed with connection: reuse");
    }
    t.max_connection_age = r.duration(*f, "max_connection_age", core::min_max_connection_age,
                                      core::max_max_connection_age);
  }
}

Target parse_target(const Reader& r, const YAML::Node& node, Pos where, const Defaults& defaults) {
  Target t;
  t.interval = defaults.interval;
  t.timeout = defaults.timeout;
  t.failure_threshold = defaults.failure_threshold;
  t.success_threshold = defaults.success_threshold;
  t.max_body_bytes = defaults.max_body_bytes;
  t.line = where.line;
  const Fields fields(r, node, where, "targets entry", "in target",
                      {"name", "url", "method", "headers", "body", "body_file", "bearer_token",
                       "bearer_token_file", "send", "interval", "timeout", "failure_threshold",
                       "success_threshold", "max_body", "connection", "max_connection_age", "tls",
                       "expect"});

  const Field& name = require(r, fields, "name", where, "target");
  t.name = r.string(name, "name");
  if (!is_valid_name(t.name)) {
    r.fail(name.value_pos(),
           "name: " + in_quotes(t.name) + " may only contain letters, digits, '_', '.' and '-'");
  }

  const Field& url = require(r, fields, "url", where, "target");
  t.url = r.string(url, "url");
  t.endpoint = parse_url(r, url, t.url, "url", core::UrlSchemes::http_and_raw,
                         "headers or bearer_token");
  const std::string& scheme = t.endpoint.scheme;
  if (!is_http(scheme)) {
    refuse(r, fields, "",
           {"method", "headers", "body", "body_file", "bearer_token", "bearer_token_file"},
           scheme);
  }
  if (scheme != "tcp") refuse(r, fields, "", {"send"}, scheme);
  if (scheme == "tcp") refuse(r, fields, "", {"tls"}, scheme);
  if (scheme == "tls") refuse(r, fields, "", {"max_body"}, scheme);
  // tcp:// and tls:// probes measure the connection (and handshake) itself: nothing to reuse.
  if (!is_http(scheme)) refuse(r, fields, "", {"connection", "max_connection_age"}, scheme);

  if (const Field* f = fields.get("method")) {
    t.method = r.string(*f, "method");
    if (!is_method(t.method)) {
      r.fail(f->value_pos(), "method: " + in_quotes(t.method) +
                                 " is not an upper-case HTTP method (e.g. GET, HEAD, POST)");
    }
  }
  if (const Field* f = fields.get("headers")) {
    t.endpoint.headers = parse_header_map(r, *f, "headers");
  }
  add_bearer_token(r, fields, t);
  if (auto body = r.value_or_file(fields, "body")) t.body = std::move(*body);
  if (const Field* f = fields.get("send")) {
    t.send = r.string(*f, "send");
    if (t.send.empty()) r.fail(f->value_pos(), "send: empty (leave it out to send nothing)");
  }

  const Field* interval = fields.get("interval");
  const Field* timeout = fields.get("timeout");
  if (interval) t.interval = r.duration(*interval, "interval");
  if (timeout) t.timeout = r.duration(*timeout, "timeout");
  if (t.timeout >= t.interval) {
    const Pos at = timeout ? timeout->value_pos() : interval ? interval->value_pos() : where;
    r.fail(at, "timeout (" + core::format_duration(t.timeout) +
                   ") must be shorter than interval (" + core::format_duration(t.interval) + ")");
  }
  if (const Field* f = fields.get("failure_threshold")) {
    t.failure_threshold = r.positive_int(*f, "failure_threshold");
  }
  if (const Field* f = fields.get("success_threshold")) {
    t.success_threshold = r.positive_int(*f, "success_threshold");
  }
  if (const Field* f = fields.get("max_body")) t.max_body_bytes = r.size(*f, "max_body");
  parse_connection(r, fields, t);
  if (const Field* f = fields.get("tls")) t.endpoint.tls = parse_tls(r, *f);
  if (const Field* f = fields.get("expect")) t.expect = parse_expect(r, *f, scheme);
  return t;
}

}  // namespace

std::string header_name(const Reader& r, const Field& f, std::string_view section) {
  if (!is_http_token(f.key)) {
    r.fail(f.key_pos(),
           std::string(section) + ": " + in_quotes(f.key) + " is not a valid header name");
  }
  return f.key;
}

std::vector<std::pair<std::string, std::string>> parse_header_map(const Reader& r, const Field& f,
                                                                  std::string_view section) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string name(section);
  const Fields headers(r, f.value, f.value_pos(), name, "in " + name);
  for (const Field& h : headers.all()) {
    const std::string label = name + "." + h.key;
    header_name(r, h, name);
    std::string value = r.string(h, label);
    // Values may hold credentials (often from ${VAR}), so they are never echoed.
    if (has_control_char(value)) r.fail(h.value_pos(), label + ": value contains a control character");
    out.emplace_back(h.key, std::move(value));
  }
  return out;
}

core::Endpoint parse_url(const Reader& r, const Field& f, const std::string& url,
                         std::string_view label, core::UrlSchemes schemes,
                         std::string_view credentials_in) {
  std::string error;
  auto parsed = core::parse_endpoint_url(url, schemes, error);
  if (!parsed) {
    if (error.starts_with("credentials")) {
      error = "credentials in the URL are not allowed (use " + std::string(credentials_in) + ")";
    }
    r.fail(f.value_pos(), std::string(label) + ": " + error);
  }
  return std::move(*parsed);
}

TlsConfig parse_tls(const Reader& r, const Field& field) {
  TlsConfig out;
  const Fields fields(r, field.value, field.value_pos(), "tls", "in tls",
                      {"ca_file", "insecure_skip_verify", "server_name"});
  if (const Field* f = fields.get("ca_file")) {
    out.ca_file = r.path(*f, "tls.ca_file");
    std::string content;
    if (const int err = read_file(out.ca_file, content); err != 0) {
      r.fail(f->value_pos(),
             "tls.ca_file: cannot read " + in_quotes(out.ca_file) + ": " + std::strerror(err));
    }
  }
  if (const Field* f = fields.get("insecure_skip_verify")) {
    out.insecure_skip_verify = r.boolean(*f, "tls.insecure_skip_verify");
  }
  if (const Field* f = fields.get("server_name")) {
    out.server_name = r.string(*f, "tls.server_name");
    if (has_control_char(out.server_name) || out.server_name.find(' ') != std::string::npos) {
      r.fail(f->value_pos(),
             "tls.server_name: " + in_quotes(out.server_name) + " is not a host name");
    }
  }
  return out;
}

std::vector<Target> parse_targets(const Reader& r, const Field& field, const Defaults& defaults) {
  if (field.value.IsNull()) return {};
  return parse_unique_entries(
      r, field.value, field.value_pos(), "targets", "targets", "duplicate target name",
      [&](const YAML::Node& node, Pos where) { return parse_target(r, node, where, defaults); },
      [](const Target& t) { return t.name; });
}

}  // namespace flywatch::config::detail
