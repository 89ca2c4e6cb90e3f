// `expect:` of a target or a journey step → core::Expectation: the HTTP checks (status,
// headers, body_json, body_regex, cookies, cors, assets), tcp's banner_regex, and the common
// max_latency and cert_min_validity. Keys of another probe kind are refused where they stand.
#include <string>

#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "core/ascii.hpp"
#include "core/endpoint.hpp"
#include "core/json_path.hpp"

namespace flywatch::config::detail {

namespace {

bool is_http(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

int status_code(const Reader& r, const YAML::Node& node, Pos pos) {
  const long long v = r.integer(node, pos, "expect.status", -1'000'000'000, 1'000'000'000);
  if (v < 100 || v > 599) {
    r.fail(pos, "expect.status: " + std::to_string(v) + " is not an HTTP status code (100-599)");
  }
  return static_cast<int>(v);
}

core::SameSite same_site(const Reader& r, const Field& f, std::string_view label) {
  const std::string v = r.string(f, label);
  if (v == "strict") return core::SameSite::strict;
  if (v == "lax") return core::SameSite::lax;
  if (v == "none") return core::SameSite::none;
  r.fail(f.value_pos(), std::string(label) + ": " + in_quotes(v) + " is not one of strict, lax, none");
}

// `cookies: {NAME: {http_only, secure, same_site, path, max_age: {min, max}}}`; an empty or
// null entry asks only that the cookie is set.
std::vector<core::CookieExpectation> parse_cookies(const Reader& r, const Field& field) {
  std::vector<core::CookieExpectation> out;
  const Fields names(r, field.value, field.value_pos(), "expect.cookies", "in expect.cookies");
  if (names.all().empty()) r.fail(field.value_pos(), "expect.cookies: empty (name the cookies)");
  for (const Field& c : names.all()) {
    const std::string label = "expect.cookies." + c.key;
    if (!is_http_token(c.key)) {
      r.fail(c.key_pos(), "expect.cookies: " + in_quotes(c.key) + " is not a valid cookie name");
    }
    core::CookieExpectation e;
    e.name = c.key;
    if (!c.value.IsNull()) {
      const Fields attrs(r, c.value, c.value_pos(), label, "in " + label,
                         {"http_only", "secure", "same_site", "path", "max_age"});
      if (const Field* f = attrs.get("http_only")) e.http_only = r.boolean(*f, label + ".http_only");
      if (const Field* f = attrs.get("secure")) e.secure = r.boolean(*f, label + ".secure");
      if (const Field* f = attrs.get("same_site")) e.same_site = same_site(r, *f, label + ".same_site");
      if (const Field* f = attrs.get("path")) {
        e.path = r.string(*f, label + ".path");
        if (!e.path->starts_with('/')) r.fail(f->value_pos(), label + ".path: must start with '/'");
      }
      if (const Field* f = attrs.get("max_age")) {
        const std::string ml = label + ".max_age";
        const Fields range(r, f->value, f->value_pos(), ml, "in " + ml, {"min", "max"});
        const Field* min = range.get("min");
        const Field* max = range.get("max");
        if (!min && !max) r.fail(f->value_pos(), ml + ": give min, max or both");
        using std::chrono::duration_cast;
        using std::chrono::seconds;
        if (min) e.max_age_min = duration_cast<seconds>(r.duration(*min, ml + ".min", Millis{0}, Millis::max()));
        if (max) e.max_age_max = duration_cast<seconds>(r.duration(*max, ml + ".max"));
        if (min && max && *e.max_age_min > *e.max_age_max) {
          r.fail(max->value_pos(), ml + ": max is below min");
        }
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

// `cors: {origin, credentials, vary_origin}`. The origin is one exact serialized origin: a
// wildcard would accept the very answer this check exists to catch.
core::CorsExpectation parse_cors(const Reader& r, const Field& field) {
  core::CorsExpectation out;
  const Fields fields(r, field.value, field.value_pos(), "expect.cors", "in expect.cors",
                      {"origin", "credentials", "vary_origin"});
  const Field* origin = fields.get("origin");
  if (!origin) r.fail(field.value_pos(), "expect.cors is missing required key \"origin\"");
  out.origin = r.string(*origin, "expect.cors.origin");
  if (out.origin == "*") {
    r.fail(origin->value_pos(), "expect.cors.origin: must be one exact origin, not *");
  }
  std::string error;
  const auto parsed = core::parse_endpoint_url(out.origin, core::UrlSchemes::http, error);
  if (!parsed || parsed->target != "/" || out.origin.ends_with('/')) {
    r.fail(origin->value_pos(), "expect.cors.origin: " + in_quotes(out.origin) +
                                    " is not an origin (scheme://host[:port], no path)");
  }
  if (const Field* f = fields.get("credentials")) out.credentials = r.boolean(*f, "expect.cors.credentials");
  if (const Field* f = fields.get("vary_origin")) out.vary_origin = r.boolean(*f, "expect.cors.vary_origin");
  return out;
}

}  // namespace

core::Pattern compile_pattern(const Reader& r, const std::string& source, Pos pos,
                              std::string_view name) {
  std::string error;
  auto pattern = core::Pattern::compile(source, &error);
  if (!pattern) r.fail(pos, std::string(name) + ": invalid regular expression: " + error);
  return std::move(*pattern);
}

// Refuses each of `keys` present in `fields`: they make no sense for a `scheme` target.
void refuse(const Reader& r, const Fields& fields, std::string_view prefix,
            std::initializer_list<std::string_view> keys, std::string_view scheme) {
  for (const std::string_view key : keys) {
    if (const Field* f = fields.get(key)) {
      r.fail(f->key_pos(), std::string(prefix) + f->key + ": not allowed in a " +
                               std::string(scheme) + ":// target");
    }
  }
}

core::Expectation parse_expect(const Reader& r, const Field& field, std::string_view scheme) {
  core::Expectation out;
  const Fields fields(r, field.value, field.value_pos(), "expect", "in expect",
                      {"status", "body_json", "body_regex", "headers", "cookies", "cors",
                       "assets", "banner_regex", "max_latency", "cert_min_validity"});
  if (!is_http(scheme)) {
    refuse(r, fields, "expect.",
           {"status", "body_json", "body_regex", "headers", "cookies", "cors", "assets"}, scheme);
  }
  if (scheme != "tcp") refuse(r, fields, "expect.", {"banner_regex"}, scheme);
  if (scheme == "tcp") refuse(r, fields, "expect.", {"cert_min_validity"}, scheme);
  if (const Field* f = fields.get("status")) {
    if (f->value.IsSequence()) {
      if (f->value.size() == 0) r.fail(f->value_pos(), "expect.status: empty list");
      for (const YAML::Node& item : f->value) {
        out.status.push_back(status_code(r, item, pos_of(item, f->value)));
      }
    } else {
      out.status.push_back(status_code(r, f->value, f->value_pos()));
    }
  }
  if (const Field* f = fields.get("body_json")) {
    const Fields paths(r, f->value, f->value_pos(), "expect.body_json", "in expect.body_json");
    for (const Field& p : paths.all()) {
      const std::string name = "expect.body_json." + p.key;
      if (!core::is_json_path(p.key)) {
        r.fail(p.key_pos(), "expect.body_json: " + in_quotes(p.key) + " is not a dotted path");
      }
      // `null` and `~` load as a null node; anything else must be a scalar, kept as written.
      if (p.value.IsNull()) {
        out.body_json.emplace_back(p.key, "null");
      } else if (p.value.IsScalar()) {
        out.body_json.emplace_back(p.key, r.string(p, name));
      } else {
        r.fail(p.value_pos(),
               name + ": expected a scalar (string, number, true, false or null), got " +
                   std::string(describe(p.value)));
      }
    }
  }
  if (const Field* f = fields.get("body_regex")) {
    out.body_regex =
        compile_pattern(r, r.string(*f, "expect.body_regex"), f->value_pos(), "expect.body_regex");
  }
  if (const Field* f = fields.get("headers")) {
    const Fields headers(r, f->value, f->value_pos(), "expect.headers", "in expect.headers");
    for (const Field& h : headers.all()) {
      const std::string name = core::ascii_lower(header_name(r, h, "expect.headers"));
      for (const auto& [seen, pattern] : out.headers) {
        if (seen == name) {
          r.fail(h.key_pos(), "expect.headers: header " + in_quotes(name) + " given twice");
        }
      }
      const std::string label = "expect.headers." + h.key;
      out.headers.emplace_back(name, compile_pattern(r, r.string(h, label), h.value_pos(), label));
    }
  }
  if (const Field* f = fields.get("cookies")) out.cookies = parse_cookies(r, *f);
  if (const Field* f = fields.get("cors")) out.cors = parse_cors(r, *f);
  if (const Field* f = fields.get("assets")) out.assets = r.boolean(*f, "expect.assets");
  if (const Field* f = fields.get("banner_regex")) {
    out.banner_regex =
        compile_pattern(r, r.string(*f, "expect.banner_regex"), f->value_pos(), "expect.banner_regex");
  }
  if (const Field* f = fields.get("max_latency")) {
    out.max_latency = r.duration(*f, "expect.max_latency");
  }
  if (const Field* f = fields.get("cert_min_validity")) {
    out.cert_min_validity = r.duration(*f, "expect.cert_min_validity");
  }
  return out;
}


}  // namespace flywatch::config::detail
