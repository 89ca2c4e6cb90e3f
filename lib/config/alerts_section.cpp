// `alerts:` → AlertsConfig: repeat interval, rules (alert_rules_section.cpp), sinks (webhook,
// alertmanager, pagerduty, slack), maintenance windows and inhibit rules
// (alert_inhibit_section.cpp).
#include "config/alerts_section.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "config/sections.hpp"
#include "config/syntax.hpp"
#include "config/yaml_reader.hpp"
#include "core/alert.hpp"
#include "core/duration.hpp"
#include "core/sink_kind.hpp"

namespace flywatch::config::detail {

namespace {

constexpr Millis kMinRepeat = std::chrono::seconds(1);
constexpr Millis kMaxRepeat = std::chrono::hours(24 * 7);
constexpr Millis kMaxSinkTimeout = std::chrono::minutes(5);
constexpr Millis kMaxRetry = std::chrono::hours(1);
constexpr Millis kMinResend = std::chrono::seconds(1);
constexpr Millis kMaxResend = std::chrono::hours(1);

// Standard base64 of at least one byte, padded or not: what lib/alert's decoder accepts.
bool is_base64_key(std::string_view text) {
  std::size_t data_len = text.size();
  while (data_len > 0 && text[data_len - 1] == '=') --data_len;
  const std::size_t pad = text.size() - data_len;
  if (data_len < 2 || pad > 2 || data_len % 4 == 1) return false;
  if (pad != 0 && pad != (4 - data_len % 4) % 4) return false;
  for (char c : text.substr(0, data_len)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return true;
}

SinkType parse_type(const Reader& r, const Field& f) {
  const std::string v = r.string(f, "alerts.sinks.type");
  if (auto kind = core::parse_sink_kind(v)) return *kind;
  std::string all;
  for (auto k : core::sink_kinds) all += (all.empty() ? "" : ", ") + std::string(core::to_string(k));
  r.fail(f.value_pos(), "alerts.sinks.type: " + in_quotes(v) + " is not one of " + all);
}

std::vector<std::string> string_list(const Reader& r, const Field& f, std::string_view name) {
  std::vector<std::string> out;
  for (auto& [s, at] : located_list(r, f, name)) out.push_back(std::move(s));
  return out;
}

/// A maintenance scope list whose every entry must be one of `known` (a `kind` like "target"),
/// else an error at that entry listing the known names (plain names, never URLs).
std::vector<std::string> scope_list(const Reader& r, const Field& f, std::string_view name,
                                    const std::vector<std::string>& known, std::string_view kind) {
  std::vector<std::string> out;
  for (auto& [s, at] : located_list(r, f, name)) {
    bool found = false;
    for (const std::string& k : known) found = found || k == s;
    if (!found) {
      std::string listed = known.empty() ? "no " + std::string(kind) + "s are configured"
                                         : std::string(kind) + "s: ";
      for (std::size_t i = 0; i < known.size(); ++i) listed += (i > 0 ? ", " : "") + known[i];
      r.fail(at, std::string(name) + ": no " + std::string(kind) + " named " + in_quotes(s) +
                     " (" + listed + ")");
    }
    out.push_back(std::move(s));
  }
  return out;
}

/// `retry: {initial, max}`: the delivery backoff's base and cap.
void parse_retry(const Reader& r, const Field& field, SinkConfig& out) {
  const Fields fields(r, field.value, field.value_pos(), "alerts.sinks.retry",
                      "in alerts.sinks.retry", {"initial", "max"});
  const Field* initial = fields.get("initial");
  const Field* max = fields.get("max");
  if (initial) {
    out.retry_initial = r.duration(*initial, "alerts.sinks.retry.initial", Millis{1}, kMaxRetry);
  }
  if (max) out.retry_max = r.duration(*max, "alerts.sinks.retry.max", Millis{1}, kMaxRetry);
  if (out.retry_max < out.retry_initial) {
    const Field* at = max ? max : initial;
    r.fail(at->value_pos(), "alerts.sinks.retry.max (" + core::format_duration(out.retry_max) +
                                ") must be at least retry.initial (" +
                                core::format_duration(out.retry_initial) + ")");
  }
}

void parse_filter(const Reader& r, const Field& field, SinkConfig& out) {
  const Fields fields(r, field.value, field.value_pos(), "alerts.sinks.filter",
                      "in alerts.sinks.filter", {"severity", "alertname"});
  if (const Field* f = fields.get("severity")) {
    for (const auto& s : string_list(r, *f, "alerts.sinks.filter.severity")) {
      if (!core::parse_severity(s)) {
        r.fail(f->value_pos(), "alerts.sinks.filter.severity: " + in_quotes(s) +
                                   " is not one of info, warning, critical");
      }
      out.severities.insert(s);
    }
  }
  if (const Field* f = fields.get("alertname")) {
    // A misspelt name would silently keep the sink quiet.
    for (auto& s : alert_name_list(r, *f, "alerts.sinks.filter.alertname")) {
      out.alertnames.insert(std::move(s));
    }
  }
}

SinkConfig parse_sink(const Reader& r, const YAML::Node& node, Pos where) {
  SinkConfig s;
  s.line = where.line;
  const Fields fields(r, node, where, "alerts.sinks entry", "in sink",
                      {"name", "type", "url", "secret", "secret_file", "routing_key",
                       "routing_key_file", "headers", "filter", "tls", "timeout", "retry",
                       "resend_interval"});
  const Field* name = fields.get("name");
  if (!name) r.fail(where, "sink is missing required key \"name\"");
  s.name = r.string(*name, "alerts.sinks.name");
  if (!is_valid_name(s.name)) {
    r.fail(name->value_pos(), "alerts.sinks.name: " + in_quotes(s.name) +
                                  " may only contain letters, digits, '_', '.' and '-'");
  }
  const Field* type = fields.get("type");
  if (!type) r.fail(where, "sink is missing required key \"type\"");
  s.type = parse_type(r, *type);
  const Field* url = fields.get("url");
  if (!url) r.fail(where, "sink is missing required key \"url\"");
  // The URL of a Slack or PagerDuty hook is itself a credential: never echoed.
  s.url = r.string(*url, "alerts.sinks.url");
  s.endpoint = parse_url(r, *url, s.url, "alerts.sinks.url", core::UrlSchemes::http, "headers");
  if (auto secret = r.value_or_file(fields, "secret")) {
    const Field* f = fields.get("secret") ? fields.get("secret") : fields.get("secret_file");
    if (secret->empty() || has_control_char(*secret)) {
      r.fail(f->value_pos(), f->key + ": the secret is empty or contains a control character");
    }
    // A whsec_ secret that does not decode would leave the sink's requests unsigned.
    if (secret->starts_with("whsec_") && !is_base64_key(std::string_view(*secret).substr(6))) {
      r.fail(f->value_pos(), f->key + ": a whsec_ secret must be followed by base64 of the key "
                                      "(Standard Webhooks)");
    }
    s.secret = std::move(*secret);
  }
  if (auto key = r.value_or_file(fields, "routing_key")) {
    const Field* f = fields.get("routing_key") ? fields.get("routing_key")
                                               : fields.get("routing_key_file");
    if (s.type != SinkType::pagerduty) r.fail(f->key_pos(), f->key + " is only for type pagerduty");
    if (key->empty() || has_control_char(*key)) {
      r.fail(f->value_pos(), f->key + ": the routing key is empty or contains a control character");
    }
    s.routing_key = std::move(*key);
  }
  if (s.type == SinkType::pagerduty && s.routing_key.empty()) {
    r.fail(where, "a pagerduty sink needs \"routing_key\" (or \"routing_key_file\")");
  }
  if (const Field* f = fields.get("headers")) {
    s.endpoint.headers = parse_header_map(r, *f, "alerts.sinks.headers");
  }
  if (const Field* f = fields.get("filter")) parse_filter(r, *f, s);
  if (const Field* f = fields.get("tls")) s.endpoint.tls = parse_tls(r, *f);
  if (const Field* f = fields.get("timeout")) {
    s.timeout = r.duration(*f, "alerts.sinks.timeout", Millis{1}, kMaxSinkTimeout);
  }
  if (const Field* f = fields.get("retry")) parse_retry(r, *f, s);
  if (const Field* f = fields.get("resend_interval")) {
    // Only Alertmanager resolves an alert that is not re-sent; other sinks get `repeat`s.
    if (s.type != SinkType::alertmanager) {
      r.fail(f->key_pos(), "resend_interval is only for type alertmanager");
    }
    s.resend_interval = r.duration(*f, "alerts.sinks.resend_interval", kMinResend, kMaxResend);
  }
  return s;
}

unsigned parse_weekdays(const Reader& r, const Field& f) {
  static constexpr std::string_view names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  unsigned mask = 0;
  for (const auto& d : string_list(r, f, "alerts.maintenance.weekly.days")) {
    bool found = false;
    for (unsigned i = 0; i < 7; ++i) {
      if (d == names[i]) {
        mask |= 1u << i;
        found = true;
      }
    }
    if (!found) {
      r.fail(f.value_pos(), "alerts.maintenance.weekly.days: " + in_quotes(d) +
                                " is not one of sun, mon, tue, wed, thu, fri, sat");
    }
  }
  return mask;
}

// "YYYY-MM-DDTHH:MM:SS" then "Z" or "+HH:MM"/"-HH:MM" (what people write for a window), in
// whole seconds, which hold any year written with four digits.
std::optional<std::chrono::sys_seconds> parse_instant_text(std::string_view v) {
  auto num = [&v](std::size_t at, std::size_t n) -> int {
    if (at + n > v.size()) return -1;
    int x = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (v[i] < '0' || v[i] > '9') return -1;
      x = x * 10 + (v[i] - '0');
    }
    return x;
  };
  if (v.size() < 20 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != 't') ||
      v[13] != ':' || v[16] != ':') {
    return std::nullopt;
  }
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
            sec = num(17, 2);
  if (y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(mo < 0 ? 0 : mo)},
                                        std::chrono::day{static_cast<unsigned>(d < 0 ? 0 : d)}};
  if (!ymd.ok()) return std::nullopt;
  std::chrono::minutes offset{0};
  const std::string_view zone = v.substr(19);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int oh = num(20, 2), om = num(23, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset = std::chrono::minutes(oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec) - offset;
}

std::chrono::system_clock::time_point parse_instant(const Reader& r, const Field& f,
                                                    std::string_view name) {
  const std::string v = r.string(f, name);
  const auto t = parse_instant_text(v);
  if (!t) {
    r.fail(f.value_pos(), std::string(name) + ": " + in_quotes(v) +
                              " is not a time like 2026-12-01T02:00:00Z");
  }
  // system_clock counts nanoseconds, which end in 2262.
  using namespace std::chrono;
  if (*t > sys_days(year{2200} / January / 1)) {
    r.fail(f.value_pos(), std::string(name) + ": " + in_quotes(v) +
                              " is later than 2200-01-01T00:00:00Z");
  }
  return *t;
}

core::MaintenanceWindow parse_window(const Reader& r, const YAML::Node& node, Pos where,
                                     const std::vector<std::string>& targets,
                                     const std::vector<std::string>& apps) {
  core::MaintenanceWindow w;
  const Fields fields(r, node, where, "alerts.maintenance entry", "in maintenance window",
                      {"name", "start", "end", "weekly", "targets", "apps"});
  const Field* name = fields.get("name");
  if (!name) r.fail(where, "maintenance window is missing required key \"name\"");
  w.name = r.string(*name, "alerts.maintenance.name");
  const Field* start = fields.get("start");
  const Field* end = fields.get("end");
  const Field* weekly = fields.get("weekly");
  if (weekly && (start || end)) {
    r.fail(weekly->key_pos(), "alerts.maintenance: give either weekly or start/end, not both");
  }
  if (weekly) {
    const Fields wf(r, weekly->value, weekly->value_pos(), "alerts.maintenance.weekly",
                    "in alerts.maintenance.weekly", {"days", "at", "duration"});
    const Field* days = wf.get("days");
    const Field* at = wf.get("at");
    const Field* duration = wf.get("duration");
    if (!days || !at || !duration) {
      r.fail(weekly->value_pos(), "alerts.maintenance.weekly needs days, at and duration");
    }
    w.weekdays = parse_weekdays(r, *days);
    const std::string hhmm = r.string(*at, "alerts.maintenance.weekly.at");
    const auto digit = [&hhmm](std::size_t i) {
      return std::isdigit(static_cast<unsigned char>(hhmm[i])) != 0;
    };
    const bool shape = hhmm.size() == 5 && hhmm[2] == ':' && digit(0) && digit(1) && digit(3) &&
                       digit(4);
    const int hh = shape ? (hhmm[0] - '0') * 10 + (hhmm[1] - '0') : -1;
    const int mm = shape ? (hhmm[3] - '0') * 10 + (hhmm[4] - '0') : -1;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) {
      r.fail(at->value_pos(), "alerts.maintenance.weekly.at: " + in_quotes(hhmm) +
                                  " is not a UTC time of day HH:MM");
    }
    w.minute_of_day = hh * 60 + mm;
    const Millis d = r.duration(*duration, "alerts.maintenance.weekly.duration");
    if (d > std::chrono::hours(24 * 7)) {
      r.fail(duration->value_pos(), "alerts.maintenance.weekly.duration: at most 7d");
    }
    w.duration = std::chrono::duration_cast<std::chrono::minutes>(d);
  } else {
    if (!start || !end) r.fail(where, "maintenance window needs start and end, or weekly");
    w.start = parse_instant(r, *start, "alerts.maintenance.start");
    w.end = parse_instant(r, *end, "alerts.maintenance.end");
    if (*w.end <= *w.start) r.fail(end->value_pos(), "alerts.maintenance.end must be after start");
  }
  if (const Field* f = fields.get("targets")) {
    w.targets = scope_list(r, *f, "alerts.maintenance.targets", targets, "target");
  }
  if (const Field* f = fields.get("apps")) {
    w.apps = scope_list(r, *f, "alerts.maintenance.apps", apps, "fly app");
  }
  return w;
}

void parse_sinks(const Reader& r, const Field& sinks, AlertsConfig& out) {
  // No sinks: alerts are only logged and counted.
  if (sinks.value.IsNull()) return;
  r.require_sequence(sinks.value, sinks.value_pos(), "alerts.sinks");
  for (const YAML::Node& node : sinks.value) {
    const Pos where = pos_of(node, sinks.value);
    if (!node.IsMap()) r.fail(where, "alerts.sinks: each entry must be a mapping");
    SinkConfig s = parse_sink(r, node, where);
    for (const auto& other : out.sinks) {
      if (other.name == s.name) {
        r.fail(where, "alerts.sinks: sink name " + in_quotes(s.name) + " is used twice");
      }
    }
    out.sinks.push_back(std::move(s));
  }
}

}  // namespace

std::vector<std::pair<std::string, Pos>> located_list(const Reader& r, const Field& f,
                                                      std::string_view name) {
  std::vector<std::pair<std::string, Pos>> out;
  if (f.value.IsScalar()) {
    out.emplace_back(r.string(f, name), f.value_pos());
    return out;
  }
  r.require_sequence(f.value, f.value_pos(), name);
  for (const YAML::Node& n : f.value) {
    const Pos at = pos_of(n, f.value);
    out.emplace_back(r.string(n, at, name), at);
  }
  return out;
}

std::vector<std::string> alert_name_list(const Reader& r, const Field& f, std::string_view name) {
  std::vector<std::string> out;
  for (auto& [s, at] : located_list(r, f, name)) {
    require_alert_name(r, s, at, name);
    out.push_back(std::move(s));
  }
  return out;
}

void require_alert_name(const Reader& r, const std::string& s, Pos at, std::string_view name) {
  const auto& names = core::alert_names;
  if (std::find(names.begin(), names.end(), s) != names.end()) return;
  std::string all;
  for (auto n : names) all += (all.empty() ? "" : ", ") + std::string(n);
  r.fail(at, std::string(name) + ": " + in_quotes(s) + " is not an alert name (" + all + ")");
}

AlertsConfig parse_alerts_section(const Reader& r, const Field& field,
                                  const std::vector<Target>& targets,
                                  const std::optional<FlyConfig>& fly) {
  AlertsConfig out;
  const Fields fields(r, field.value, field.value_pos(), "alerts", "in alerts",
                      {"repeat_interval", "rules", "sinks", "maintenance", "inhibit"});
  if (const Field* f = fields.get("repeat_interval")) {
    out.repeat_interval = r.duration(*f, "alerts.repeat_interval", kMinRepeat, kMaxRepeat);
  }
  if (const Field* f = fields.get("rules")) out.rules = parse_alert_rules(r, *f);
  out.rules.repeat_interval = out.repeat_interval;
  if (const Field* f = fields.get("sinks")) parse_sinks(r, *f, out);
  if (const Field* f = fields.get("inhibit")) out.inhibit = parse_inhibit_rules(r, *f);
  if (const Field* f = fields.get("maintenance")) {
    std::vector<std::string> target_names, app_names;
    for (const Target& t : targets) target_names.push_back(t.name);
    if (fly) {
      for (const FlyApp& a : fly->apps) app_names.push_back(a.name);
    }
    r.require_sequence(f->value, f->value_pos(), "alerts.maintenance");
    for (const YAML::Node& node : f->value) {
      const Pos where = pos_of(node, f->value);
      if (!node.IsMap()) r.fail(where, "alerts.maintenance: each entry must be a mapping");
      out.maintenance.push_back(parse_window(r, node, where, target_names, app_names));
    }
  }
  return out;
}

}  // namespace flywatch::config::detail
