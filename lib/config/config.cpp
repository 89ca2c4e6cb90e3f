#include "config/config.hpp"

#include <cstring>
#include <utility>

#include "config/alerts_section.hpp"
#include "config/fly_section.hpp"
#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "config/web_config.hpp"
#include "config/yaml_reader.hpp"
#include "core/duration.hpp"

namespace flywatch::config {

namespace {

using detail::Field;
using detail::Fields;
using detail::Pos;
using detail::Reader;

std::string render(const std::string& file, int line, int column, const std::string& message) {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

ServerConfig parse_server(const Reader& r, const Field& f) {
  ServerConfig out;
  const Fields fields(r, f.value, f.value_pos(), "server", "in server", {"listen", "web_config_file"});
  if (const Field* listen = fields.get("listen")) {
    std::string error;
    const auto addr = detail::parse_listen(r.string(*listen, "server.listen"), error);
    if (!addr) r.fail(listen->value_pos(), "server.listen: " + error);
    out.listen_host = addr->host;
    out.listen_port = addr->port;
  }
  if (const Field* web = fields.get("web_config_file")) {
    out.web_config_file = r.path(*web, "server.web_config_file");
    std::string text;
    if (const int err = detail::read_file(out.web_config_file, text); err != 0) {
      r.fail(web->value_pos(), "server.web_config_file: cannot read " +
                                   detail::in_quotes(out.web_config_file) + ": " +
                                   std::strerror(err));
    }
    // Its own errors point into it: file:line:column of the web config file.
    out.web = parse_web_config(text, out.web_config_file);
  }
  return out;
}

LogConfig parse_log(const Reader& r, const Field& f) {
  LogConfig out;
  const Fields fields(r, f.value, f.value_pos(), "log", "in log", {"format", "level"});
  if (const Field* format = fields.get("format")) {
    const std::string v = r.string(*format, "log.format");
    if (!core::parse_log_format(v, out.format)) {
      r.fail(format->value_pos(), "log.format: \"" + v + "\" is not one of logfmt, json");
    }
  }
  if (const Field* level = fields.get("level")) {
    const std::string v = r.string(*level, "log.level");
    if (!core::parse_log_level(v, out.level)) {
      r.fail(level->value_pos(), "log.level: \"" + v + "\" is not one of debug, info, warn, error");
    }
  }
  return out;
}

Defaults parse_defaults(const Reader& r, const Field& f) {
  Defaults out;
  const Fields fields(
      r, f.value, f.value_pos(), "defaults", "in defaults",
      {"interval", "timeout", "failure_threshold", "success_threshold", "max_body"});
  const Field* interval = fields.get("interval");
  const Field* timeout = fields.get("timeout");
  if (interval) out.interval = r.duration(*interval, "defaults.interval");
  if (timeout) out.timeout = r.duration(*timeout, "defaults.timeout");
  if (const Field* x = fields.get("failure_threshold")) {
    out.failure_threshold = r.positive_int(*x, "defaults.failure_threshold");
  }
  if (const Field* x = fields.get("success_threshold")) {
    out.success_threshold = r.positive_int(*x, "defaults.success_threshold");
  }
  if (const Field* x = fields.get("max_body")) out.max_body_bytes = r.size(*x, "defaults.max_body");
  if (out.timeout >= out.interval) {
    const Pos at = timeout ? timeout->value_pos() : interval->value_pos();
    r.fail(at, "defaults.timeout (" + core::format_duration(out.timeout) +
                   ") must be shorter than defaults.interval (" +
                   core::format_duration(out.interval) + ")");
  }
  return out;
}

EngineConfig parse_probes(const Reader& r, const Field& f) {
  EngineConfig out;
  const Fields fields(r, f.value, f.value_pos(), "probes", "in probes", {"max_in_flight"});
  if (const Field* x = fields.get("max_in_flight")) {
    out.max_in_flight = r.positive_int(*x, "probes.max_in_flight");
  }
  return out;
}

// A journey's `app` names a `fly.apps[]` entry.
void check_journey_apps(const Reader& r, const Fields& top, Config& config) {
  const Field* journeys = top.get("journeys");
  for (std::size_t i = 0; i < config.journeys.size(); ++i) {
    const Journey& j = config.journeys[i];
    if (j.app.empty()) continue;
    bool known = false;
    if (config.fly) {
      for (const FlyApp& a : config.fly->apps) known = known || a.name == j.app;
    }
    if (!known) {
      const YAML::Node entry = journeys->value[i];
      r.fail(detail::pos_of(entry["app"], entry),
             "journeys." + j.name() + ".app: no fly app named " + detail::in_quotes(j.app));
    }
  }
}

Config parse_document(const Reader& r, const YAML::Node& root, const std::string& path) {
  Config config;
  config.source_path = path;
  if (!root.IsMap()) {
    r.fail(detail::pos_of(root), std::string("the top level must be a mapping, got ") +
                                     std::string(detail::describe(root)));
  }
  const Fields fields(
      r, root, detail::pos_of(root), "top level", "at top level",
      {"server", "log", "state_dir", "defaults", "probes", "targets", "journeys", "fly", "gate",
       "alerts", "shard"});
  if (const Field* f = fields.get("server")) config.server = parse_server(r, *f);
  if (const Field* f = fields.get("log")) config.log = parse_log(r, *f);
  if (const Field* f = fields.get("state_dir")) config.state_dir = r.path(*f, "state_dir");
  if (const Field* f = fields.get("defaults")) config.defaults = parse_defaults(r, *f);
  if (const Field* f = fields.get("probes")) config.engine = parse_probes(r, *f);
  if (const Field* f = fields.get("shard")) config.shard = detail::parse_shard_section(r, *f);
  if (const Field* f = fields.get("targets")) {
    config.targets = detail::parse_targets(r, *f, config.defaults);
  }
  if (const Field* f = fields.get("journeys")) {
    config.journeys = detail::parse_journeys(r, *f, config.defaults);
  }
  // After the targets: apps name them.
  if (const Field* f = fields.get("fly")) {
    config.fly = detail::parse_fly_section(r, *f, config.targets);
  }
  check_journey_apps(r, fields, config);
  // After targets, journeys and fly: the gate's phases name them.
  if (const Field* f = fields.get("gate")) {
    config.gate = detail::parse_gate_section(r, *f, {config.targets, config.journeys, config.fly});
  }
  // After targets and fly: maintenance windows name them.
  if (const Field* f = fields.get("alerts")) {
    config.alerts = detail::parse_alerts_section(r, *f, config.targets, config.fly);
  }
  return config;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string message)
    : std::runtime_error(render(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

Config parse_config(const std::string& text, const std::string& path, EnvLookup getenv) {
  const Reader reader(path, std::move(getenv));
  return parse_document(reader, detail::load_document(reader, text), path);
}

Config load_config(const std::string& path) {
  std::string text;
  if (const int err = detail::read_file(path, text); err != 0) {
    throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(err));
  }
  return parse_config(text, path, [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

}  // namespace flywatch::config
