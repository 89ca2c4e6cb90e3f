// `fly:` → FlyConfig: the Machines API URL and token, the poll interval and the apps.
#include "config/fly_section.hpp"

#include <string>
#include <utility>

#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "config/yaml_reader.hpp"
#include "core/duration.hpp"
#include "core/fly_token.hpp"

namespace flywatch::config {

namespace detail {

namespace {

/// Fly app names are DNS labels under fly.dev: lower-case letters, digits and '-'.
bool is_fly_app_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void parse_api_url(const Reader& r, const Field& f, FlyConfig& out) {
  out.api_url = r.string(f, "fly.api_url");
  out.api = parse_url(r, f, out.api_url, "fly.api_url", core::UrlSchemes::http,
                      "token or token_file");
  // The URL is a base that request paths are appended to, so a query cannot be kept.
  if (out.api.target.find('?') != std::string::npos) {
    r.fail(f.value_pos(), "fly.api_url: a query (?...) is not allowed");
  }
  while (out.api.target.ends_with('/')) out.api.target.pop_back();
}

/// `token` / `token_file`: exactly one. The token is a secret: no message repeats it.
std::string parse_token(const Reader& r, const Fields& fields, Pos where) {
  auto token = r.value_or_file(fields, "token");
  if (!token) r.fail(where, "fly is missing required key \"token\" (or \"token_file\")");
  const Field* f = fields.get("token") ? fields.get("token") : fields.get("token_file");
  if (token->empty()) r.fail(f->value_pos(), f->key + ": the token is empty");
  // Spaces are fine: `fly tokens create` prints "FlyV1 fm2_…", and several tokens may be joined
  // by ", " (lib/fly builds the header as fly-go does). Control characters never are.
  if (has_control_char(*token)) {
    r.fail(f->value_pos(), f->key + ": the token contains a control character");
  }
  if (core::fly_authorization_header(*token).empty()) {  // what lib/fly would send: nothing
    r.fail(f->value_pos(), f->key + ": the token holds nothing but schemes, commas and spaces");
  }
  return std::move(*token);
}

WhenAsleep parse_when_asleep(const Reader& r, const Field& f) {
  const std::string v = r.string(f, "fly.apps.when_asleep");
  if (v == "skip") return WhenAsleep::skip;
  if (v == "probe") return WhenAsleep::probe;
  if (v == "wake_every") return WhenAsleep::wake_every;
  r.fail(f.value_pos(),
         "fly.apps.when_asleep: " + in_quotes(v) + " is not one of skip, probe, wake_every");
}

std::string target_names(const std::vector<Target>& targets) {
  if (targets.empty()) return "no targets are configured";
  std::string out = "targets: ";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i > 0) out += ", ";
    out += targets[i].name;
  }
  return out;
}

FlyApp parse_app(const Reader& r, const YAML::Node& node, Pos where, const FlyConfig& fly,
                 const std::vector<Target>& targets) {
  FlyApp app;
  app.line = where.line;
  const Fields fields(r, node, where, "fly.apps entry", "in fly app",
                      {"name", "target", "when_asleep", "wake_every", "cold_start_slo", "stuck_after"});

  const Field* name = fields.get("name");
  if (!name) r.fail(where, "fly app is missing required key \"name\"");
  app.name = r.string(*name, "fly.apps.name");
  if (!is_fly_app_name(app.name)) {
    r.fail(name->value_pos(), "fly.apps.name: " + in_quotes(app.name) +
                                  " is not a Fly app name (1-63 characters of a-z, 0-9 and '-')");
  }

  if (const Field* f = fields.get("target")) {
    app.target = r.string(*f, "fly.apps.target");
    const Target* found = nullptr;
    for (const Target& t : targets) found = t.name == app.target ? &t : found;
    // Only names are listed: a target's URL may carry a credential.
    if (!found) {
      r.fail(f->value_pos(), "fly.apps.target: no target named " + in_quotes(app.target) + " (" +
                                 target_names(targets) + ")");
    }
    // An app's machines are told apart by the fly-force-instance-id request header: only an
    // HTTP probe can carry it.
    if (const std::string& scheme = found->endpoint.scheme; scheme != "http" && scheme != "https") {
      r.fail(f->value_pos(), "fly.apps.target: target " + in_quotes(app.target) + " is a " +
                                 scheme + ":// target; an app's machines are probed over http or "
                                 "https (with the fly-force-instance-id header)");
    }
  }

  const Field* mode = fields.get("when_asleep");
  if (mode) app.when_asleep = parse_when_asleep(r, *mode);
  const Field* wake = fields.get("wake_every");
  if (app.when_asleep == WhenAsleep::wake_every) {
    if (!wake) {
      r.fail(mode->value_pos(), "fly.apps.when_asleep: wake_every needs a wake_every interval");
    }
    app.wake_every = r.duration(*wake, "fly.apps.wake_every");
    if (*app.wake_every < fly.poll_interval) {
      r.fail(wake->value_pos(), "fly.apps.wake_every (" + core::format_duration(*app.wake_every) +
                                    ") must be at least fly.poll_interval (" +
                                    core::format_duration(fly.poll_interval) + ")");
    }
  } else if (wake) {
    r.fail(wake->key_pos(), "fly.apps.wake_every is only allowed with when_asleep: wake_every");
  }

  if (app.when_asleep != WhenAsleep::skip && app.target.empty()) {
    // Both probe a target's URL while the app sleeps; without one they would silently do nothing.
    r.fail(mode->value_pos(), "fly.apps.when_asleep: " +
                                  std::string(app.when_asleep == WhenAsleep::probe ? "probe" : "wake_every") +
                                  " needs the app's target");
  }
  if (const Field* f = fields.get("cold_start_slo")) {
    app.cold_start_slo = r.duration(*f, "fly.apps.cold_start_slo");
  }
  if (const Field* f = fields.get("stuck_after")) {
    app.stuck_after = r.duration(*f, "fly.apps.stuck_after");
  }
  return app;
}

void parse_apps(const Reader& r, const Field* field, Pos where, const std::vector<Target>& targets,
                FlyConfig& out) {
  if (!field) r.fail(where, "fly is missing required key \"apps\"");
  r.require_sequence(field->value, field->value_pos(), "fly.apps");
  if (field->value.size() == 0) r.fail(field->value_pos(), "fly.apps: empty list");
  for (const YAML::Node& node : field->value) {
    const Pos at = pos_of(node, field->value);
    if (!node.IsMap()) {
      r.fail(at, "fly.apps: each entry must be a mapping, got " + std::string(describe(node)));
    }
    FlyApp app = parse_app(r, node, at, out, targets);
    for (const FlyApp& other : out.apps) {
      if (other.name == app.name) {
        r.fail(pos_of(node["name"], node), "duplicate fly app name " + in_quotes(app.name) +
                                               " (first at line " + std::to_string(other.line) +
                                               ")");
      }
      // A target follows one app's machines and sleep policy (DESIGN §5), so it has one owner.
      if (!app.target.empty() && other.target == app.target) {
        r.fail(pos_of(node["target"], node), "fly.apps.target: target " + in_quotes(app.target) +
                                                 " is already used by app " +
                                                 in_quotes(other.name));
      }
    }
    out.apps.push_back(std::move(app));
  }
}

}  // namespace

FlyConfig parse_fly_section(const Reader& r, const Field& field,
                            const std::vector<Target>& targets) {
  FlyConfig out;
  const Pos where = field.value_pos();
  const Fields fields(r, field.value, where, "fly", "in fly",
                      {"api_url", "token", "token_file", "poll_interval", "apps"});
  if (const Field* f = fields.get("api_url")) parse_api_url(r, *f, out);
  out.token = parse_token(r, fields, field.key_pos());
  if (const Field* f = fields.get("poll_interval")) {
    out.poll_interval = r.duration(*f, "fly.poll_interval");
  }
  parse_apps(r, fields.get("apps"), field.key_pos(), targets, out);
  return out;
}

}  // namespace detail

FlyConfig parse_fly_config(const std::string& text, const std::string& path, EnvLookup getenv) {
  const detail::Reader reader(path, std::move(getenv));
  const YAML::Node root = detail::load_document(reader, text);
  if (!root.IsMap()) {
    reader.fail(detail::pos_of(root), std::string("the top level must be a mapping, got ") +
                                          std::string(detail::describe(root)));
  }
  const detail::Fields fields(reader, root, detail::pos_of(root), "top level", "at top level",
                              {"targets", "fly"});
  std::vector<Target> targets;
  if (const detail::Field* f = fields.get("targets")) {
    targets = detail::parse_targets(reader, *f, Defaults{});
  }
  const detail::Field* fly = fields.get("fly");
  if (!fly) reader.fail(detail::pos_of(root), "missing required key \"fly\"");
  return detail::parse_fly_section(reader, *fly, targets);
}

}  // namespace flywatch::config
