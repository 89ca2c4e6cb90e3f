// `journeys:` → Journey structs (DESIGN §12): a base URL, variables, steps with requests,
// expectations and extractions. Every {{variable}} is checked here, in order, so a run never
// meets one it cannot expand: built in, in `variables:` before its use, or extracted by an
// earlier step.
#include <set>
#include <string>

#include <boost/json/value.hpp>

#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "core/duration.hpp"

namespace flywatch::config::detail {

namespace {

// Where a placeholder at `offset` of a scalar's value stands in the file: exact on a one-line
// scalar whose text before it was not changed by ${VAR} expansion; the value's start otherwise.
Pos placeholder_pos(const YAML::Node& node, Pos value_pos, std::size_t offset) {
  if (!node.IsScalar()) return value_pos;
  const std::string& raw = node.Scalar();
  if (raw.find('\n') != std::string::npos || raw.substr(0, offset).find('$') != std::string::npos) {
    return value_pos;
  }
  const bool quoted = node.Tag() == "!";
  return Pos{value_pos.line, value_pos.column + static_cast<int>(offset) + (quoted ? 1 : 0)};
}

// The variables a journey's texts may use at one point of the file.
class Scope {
 public:
  void define(const std::string& name) { names_.insert(name); }
  bool defined(const std::string& name) const {
    return core::is_builtin_variable(name) || names_.count(name) > 0;
  }

 private:
  std::set<std::string> names_;
};

// `text` (the expanded value of `node`) as a template whose every placeholder is in `scope`.
core::TemplateText parse_template(const Reader& r, const YAML::Node& node, Pos pos,
                                  const std::string& text, std::string_view label,
                                  const Scope& scope) {
  std::string error;
  std::size_t offset = 0;
  auto t = core::TemplateText::parse(text, error, offset);
  if (!t) r.fail(placeholder_pos(node, pos, offset), std::string(label) + ": " + error);
  for (const auto& p : t->placeholders()) {
    if (!scope.defined(p.name)) {
      r.fail(placeholder_pos(node, pos, p.offset),
             std::string(label) + ": undefined variable {{" + p.name +
                 "}} (not built in, not in variables before it, not extracted by an earlier step)");
    }
  }
  return std::move(*t);
}

core::TemplateText field_template(const Reader& r, const Field& f, const std::string& label,
                                  const Scope& scope) {
  return parse_template(r, f.value, f.value_pos(), r.string(f, label), label, scope);
}

// A YAML value as JSON: mappings and lists as such; a quoted scalar is a string; a plain one is
// null, true, false, an integer or a number when it reads as one, else a string. Strings may
// hold {{variables}}, checked against `scope`.
boost::json::value to_json(const Reader& r, const YAML::Node& node, Pos pos,
                           const std::string& label, const Scope& scope) {
  if (node.IsMap()) {
    boost::json::object obj;
    const Fields members(r, node, pos, label, "in " + label);
    for (const Field& m : members.all()) {
      obj[m.key] = to_json(r, m.value, m.value_pos(), label + "." + m.key, scope);
    }
    return obj;
  }
  if (node.IsSequence()) {
    boost::json::array arr;
    for (const YAML::Node& item : node) {
      arr.push_back(to_json(r, item, pos_of(item, node), label + "[]", scope));
    }
    return arr;
  }
  if (node.IsNull()) return nullptr;
  const std::string text = r.string(node, pos, label);
  if (node.Tag() != "!") {
    if (text == "true") return true;
    if (text == "false") return false;
    if (text == "null" || text == "~") return nullptr;
    if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos) {
      try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
      } catch (const std::exception&) {
        // Not an integer in range: it stays a string.
      }
    }
  }
  parse_template(r, node, pos, text, label, scope);
  return boost::json::string(text);
}

std::vector<core::HeaderTemplate> header_templates(const Reader& r, const Field& f,
                                                   const std::string& section,
                                                   const Scope& scope) {
  std::vector<core::HeaderTemplate> out;
  const Fields headers(r, f.value, f.value_pos(), section, "in " + section);
  for (const Field& h : headers.all()) {
    const std::string label = section + "." + h.key;
    header_name(r, h, section);
    const std::string value = r.string(h, label);
    if (has_control_char(value)) r.fail(h.value_pos(), label + ": value contains a control character");
    out.emplace_back(h.key, parse_template(r, h.value, h.value_pos(), value, label, scope));
  }
  return out;
}

// `extract: {VAR: "body_json:user.id"}`; the variables join `scope` for the steps after.
std::vector<core::Extraction> parse_extract(const Reader& r, const Field& f,
                                            const std::string& section, Scope& scope) {
  std::vector<core::Extraction> out;
  const Fields vars(r, f.value, f.value_pos(), section, "in " + section);
  for (const Field& v : vars.all()) {
    const std::string label = section + "." + v.key;
    if (!core::is_variable_name(v.key) || core::is_builtin_variable(v.key)) {
      r.fail(v.key_pos(), section + ": " + in_quotes(v.key) +
                              " is not a variable name ([A-Za-z_][A-Za-z0-9_]*, not uuid or unix_ms)");
    }
    std::string error;
    auto x = core::parse_extraction(v.key, r.string(v, label), error);
    if (!x) {
      // The label already names the variable.
      const std::string prefix = "extract " + v.key + ": ";
      if (error.starts_with(prefix)) error.erase(0, prefix.size());
      r.fail(v.value_pos(), label + ": " + error);
    }
    out.push_back(std::move(*x));
  }
  for (const core::Extraction& x : out) scope.define(x.variable);
  return out;
}

core::JourneyStep parse_step(const Reader& r, const YAML::Node& node, Pos where,
                             const std::string& journey, Scope& scope) {
  core::JourneyStep s;
  s.line = where.line;
  const Fields fields(r, node, where, "steps entry", "in step",
                      {"name", "method", "path", "headers", "json", "body", "expect", "extract"});
  const Field* name = fields.get("name");
  if (!name) r.fail(where, "step is missing required key \"name\"");
  s.name = r.string(*name, "name");
  if (!is_valid_name(s.name)) {
    r.fail(name->value_pos(),
           "name: " + in_quotes(s.name) + " may only contain letters, digits, '_', '.' and '-'");
  }
  const std::string section = "journeys." + journey + ".steps." + s.name;
  if (const Field* f = fields.get("method")) {
    s.method = r.string(*f, "method");
    if (!is_method(s.method)) {
      r.fail(f->value_pos(), "method: " + in_quotes(s.method) +
                                 " is not an upper-case HTTP method (e.g. GET, POST, OPTIONS)");
    }
  }
  std::string error;
  std::size_t offset = 0;
  s.path = *core::TemplateText::parse("/", error, offset);
  if (const Field* f = fields.get("path")) {
    s.path = field_template(r, *f, section + ".path", scope);
    if (!s.path.source().starts_with('/')) r.fail(f->value_pos(), section + ".path: must start with '/'");
    if (has_control_char(s.path.source()) || s.path.source().find(' ') != std::string::npos) {
      r.fail(f->value_pos(), section + ".path: contains white space or a control character");
    }
  }
  if (const Field* f = fields.get("headers")) s.headers = header_templates(r, *f, section + ".headers", scope);
  const Field* json = fields.get("json");
  const Field* body = fields.get("body");
  if (json && body) r.fail(body->key_pos(), section + ": give json or body, not both");
  if (json) s.json = to_json(r, json->value, json->value_pos(), section + ".json", scope);
  if (body) s.body = field_template(r, *body, section + ".body", scope);
  if (const Field* f = fields.get("expect")) {
    s.expect = parse_expect(r, *f, "https");
    for (const auto& [path, want] : s.expect.body_json) {
      const YAML::Node value = f->value["body_json"][path];
      parse_template(r, value, pos_of(value, f->value), want,
                     section + ".expect.body_json." + path, scope);
    }
  }
  // After expect: a step's own extractions serve the steps after it, not its own checks.
  if (const Field* f = fields.get("extract")) s.extract = parse_extract(r, *f, section + ".extract", scope);
  return s;
}

core::Endpoint parse_base(const Reader& r, const Field& f, const std::string& url) {
  core::Endpoint base =
      parse_url(r, f, url, "base_url", core::UrlSchemes::http, "headers in the steps");
  if (base.target.find('?') != std::string::npos) {
    r.fail(f.value_pos(), "base_url: no query allowed (put it in the steps' paths)");
  }
  while (!base.target.empty() && base.target.back() == '/') base.target.pop_back();
  return base;
}

Journey parse_journey(const Reader& r, const YAML::Node& node, Pos where, const Defaults& defaults) {
  Journey j;
  j.line = where.line;
  j.failure_threshold = defaults.failure_threshold;
  j.success_threshold = defaults.success_threshold;
  j.spec.max_body_bytes = defaults.max_body_bytes;
  const Fields fields(r, node, where, "journeys entry", "in journey",
                      {"name", "base_url", "interval", "timeout", "failure_threshold",
                       "success_threshold", "app", "tls", "headers", "variables", "steps",
                       "max_body"});
  const Field* name = fields.get("name");
  if (!name) r.fail(where, "journey is missing required key \"name\"");
  j.spec.name = r.string(*name, "name");
  if (!is_valid_name(j.spec.name)) {
    r.fail(name->value_pos(), "name: " + in_quotes(j.spec.name) +
                                  " may only contain letters, digits, '_', '.' and '-'");
  }
  const std::string section = "journeys." + j.spec.name;
  const Field* base = fields.get("base_url");
  if (!base) r.fail(where, "journey is missing required key \"base_url\"");
  j.base_url = r.string(*base, "base_url");
  j.spec.base = parse_base(r, *base, j.base_url);

  const Field* interval = fields.get("interval");
  const Field* timeout = fields.get("timeout");
  if (interval) j.interval = r.duration(*interval, "interval");
  if (timeout) j.spec.timeout = r.duration(*timeout, "timeout");
  if (j.spec.timeout >= j.interval) {
    const Pos at = timeout ? timeout->value_pos() : interval ? interval->value_pos() : where;
    r.fail(at, "timeout (" + core::format_duration(j.spec.timeout) +
                   ") must be shorter than interval (" + core::format_duration(j.interval) + ")");
  }
  if (const Field* f = fields.get("failure_threshold")) {
    j.failure_threshold = r.positive_int(*f, "failure_threshold");
  }
  if (const Field* f = fields.get("success_threshold")) {
    j.success_threshold = r.positive_int(*f, "success_threshold");
  }
  if (const Field* f = fields.get("max_body")) j.spec.max_body_bytes = r.size(*f, "max_body");
  if (const Field* f = fields.get("app")) j.app = r.string(*f, "app");  // checked against fly.apps later
  if (const Field* f = fields.get("tls")) {
    if (j.spec.base.scheme != "https") r.fail(f->key_pos(), "tls: only for an https base_url");
    j.spec.base.tls = parse_tls(r, *f);
  }
  if (const Field* f = fields.get("headers")) j.spec.base.headers = parse_header_map(r, *f, section + ".headers");

  Scope scope;
  if (const Field* f = fields.get("variables")) {
    const Fields vars(r, f->value, f->value_pos(), section + ".variables", "in variables");
    for (const Field& v : vars.all()) {
      if (!core::is_variable_name(v.key) || core::is_builtin_variable(v.key)) {
        r.fail(v.key_pos(), "variables: " + in_quotes(v.key) +
                                " is not a variable name ([A-Za-z_][A-Za-z0-9_]*, not uuid or unix_ms)");
      }
      const std::string label = section + ".variables." + v.key;
      if (v.value.IsMap()) {
        // `{file: PATH}`: a secret kept in a file (a systemd credential), read now, taken as
        // written (no {{variables}} inside).
        const Fields from(r, v.value, v.value_pos(), label, "in " + label, {"file"});
        const Field* file = from.get("file");
        if (!file) r.fail(v.value_pos(), label + ": give a value or {file: PATH}");
        const std::string secret = r.read_secret_file(*file, label + ".file");
        if (secret.find("{{") != std::string::npos) {
          r.fail(file->value_pos(), label + ".file: the secret contains \"{{\", which would read as a variable");
        }
        std::string error;
        std::size_t offset = 0;
        j.spec.variables.emplace_back(v.key, *core::TemplateText::parse(secret, error, offset));
        j.spec.secret_variables.push_back(v.key);
        scope.define(v.key);
        continue;
      }
      j.spec.variables.emplace_back(v.key, field_template(r, v, label, scope));
      // A value taken from the environment is a secret (a password, a token).
      if (v.value.IsScalar() && v.value.Scalar().find("${") != std::string::npos) {
        j.spec.secret_variables.push_back(v.key);
      }
      scope.define(v.key);
    }
  }
  const Field* steps = fields.get("steps");
  if (!steps) r.fail(where, "journey is missing required key \"steps\"");
  j.spec.steps = parse_unique_entries(
      r, steps->value, steps->value_pos(), section + ".steps", "steps", "duplicate step name",
      [&](const YAML::Node& item, Pos at) { return parse_step(r, item, at, j.spec.name, scope); },
      [](const core::JourneyStep& s) { return s.name; });
  if (j.spec.steps.empty()) r.fail(steps->value_pos(), section + ".steps: empty list");
  return j;
}

}  // namespace

std::vector<Journey> parse_journeys(const Reader& r, const Field& field, const Defaults& defaults) {
  if (field.value.IsNull()) return {};
  return parse_unique_entries(
      r, field.value, field.value_pos(), "journeys", "journeys", "duplicate journey name",
      [&](const YAML::Node& node, Pos where) { return parse_journey(r, node, where, defaults); },
      [](const Journey& j) { return j.name(); });
}

}  // namespace flywatch::config::detail
