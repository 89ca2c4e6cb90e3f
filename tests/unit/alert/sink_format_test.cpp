// Sink payloads parsed back as JSON: every field each receiver needs, over the four sinks and
// the three event kinds, plus the edge cases of each format and the sink filter.
#include <doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <string>

#include "alert/sink_format.hpp"
#include "alert/sinks/alertmanager.hpp"
#include "alert/sinks/pagerduty.hpp"
#include "alert/sinks/slack.hpp"
#include "alert/sinks/webhook.hpp"
#include "core/log_line.hpp"

using namespace flywatch;
using namespace flywatch::alert;
using namespace std::chrono;
using core::AlertEvent;
using core::AlertEventKind;
namespace json = boost::json;

namespace {

// 2026-11-27T15:04:05.123Z
const system_clock::time_point t0 =
    sys_days{year{2026} / 11 / 27} + hours{15} + minutes{4} + seconds{5} + milliseconds{123};

core::Alert sample_alert() {
  core::Alert a;
  a.labels = {{"alertname", "TargetDown"}, {"severity", "critical"}, {"target", "api"}};
  a.annotations = {{"summary", "api is down"}, {"description", "3 consecutive failures"}};
  a.starts_at = t0;
  a.fingerprint = core::alert_fingerprint(a.labels);
  return a;
}

AlertEvent sample_event(AlertEventKind kind) {
  AlertEvent e;
  e.kind = kind;
  e.alert = sample_alert();
  switch (kind) {
    case AlertEventKind::firing: e.at = t0; break;
    case AlertEventKind::repeat: e.at = t0 + hours{4}; break;
    case AlertEventKind::resolved:
      e.alert.ends_at = t0 + minutes{10};
      e.at = t0 + minutes{10} + seconds{2};
      break;
  }
  return e;
}

SinkSettings sample_settings() {
  SinkSettings s;
  s.source = "flywatch-ams";
  s.routing_key = "R0UTINGKEY0123456789abcdef012345";
  s.generator_url = "https://flywatch.example/status";
  return s;
}

std::string ts(system_clock::time_point t) { return core::format_rfc3339_ms(t); }

std::map<std::string, std::string> as_map(const json::value& v) {
  std::map<std::string, std::string> m;
  for (const auto& kv : v.as_object()) m[std::string(kv.key())] = std::string(kv.value().as_string());
  return m;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

void check_webhook(const AlertEvent& e, const json::value& v) {
  const auto& o = v.as_object();
  const bool res = e.kind == AlertEventKind::resolved;
  CHECK(o.size() == 3);
  CHECK(str(o.at("type")) == (res ? "alert.resolved" : "alert.firing"));
  CHECK(str(o.at("timestamp")) == ts(e.at));
  const auto& d = o.at("data").as_object();
  CHECK(str(d.at("status")) == (res ? "resolved" : "firing"));
  CHECK(as_map(d.at("labels")) == e.alert.labels);
  CHECK(as_map(d.at("annotations")) == e.alert.annotations);
  CHECK(str(d.at("startsAt")) == ts(e.alert.starts_at));
  if (res) {
    CHECK(str(d.at("endsAt")) == ts(*e.alert.ends_at));
  } else {
    CHECK(d.at("endsAt").is_null());
  }
  CHECK(str(d.at("fingerprint")) == e.alert.fingerprint);
}

void check_alertmanager(const AlertEvent& e, const SinkSettings& s, const json::value& v) {
  const auto& arr = v.as_array();
  REQUIRE(arr.size() == 1);
  const auto& a = arr[0].as_object();
  CHECK(as_map(a.at("labels")) == e.alert.labels);
  CHECK(as_map(a.at("annotations")) == e.alert.annotations);
  CHECK(str(a.at("startsAt")) == ts(e.alert.starts_at));
  CHECK(str(a.at("generatorURL")) == s.generator_url);
  if (e.kind == AlertEventKind::resolved) {
    CHECK(str(a.at("endsAt")) == ts(*e.alert.ends_at));
    CHECK(*e.alert.ends_at <= e.at);
  } else {
    CHECK_FALSE(a.contains("endsAt"));  // alertmanager_valid_for is zero here
  }
  // Labels only: no instance label of ours, so several flywatch instances deduplicate.
  CHECK_FALSE(a.contains("fingerprint"));
}

void check_pagerduty(const AlertEvent& e, const SinkSettings& s, const json::value& v) {
  const auto& o = v.as_object();
  const bool res = e.kind == AlertEventKind::resolved;
  CHECK(str(o.at("routing_key")) == s.routing_key);
  CHECK(str(o.at("event_action")) == (res ? "resolve" : "trigger"));
  CHECK(str(o.at("dedup_key")) == e.alert.fingerprint);
  CHECK(str(o.at("dedup_key")).size() == 16);
  if (res) {
    CHECK_FALSE(o.contains("payload"));
    return;
  }
  const auto& p = o.at("payload").as_object();
  CHECK(str(p.at("summary")) == "api is down");
  CHECK(str(p.at("source")) == s.source);
  CHECK(str(p.at("severity")) == "critical");
  CHECK(str(p.at("timestamp")) == ts(e.alert.starts_at));
  const auto& d = p.at("custom_details").as_object();
  CHECK(as_map(d.at("labels")) == e.alert.labels);
  CHECK(as_map(d.at("annotations")) == e.alert.annotations);
  CHECK(str(d.at("fingerprint")) == e.alert.fingerprint);
}

void check_slack(const AlertEvent& e, const json::value& v) {
  const auto& o = v.as_object();
  CHECK(o.size() == 1);
  const std::string text = str(o.at("text"));
  const bool res = e.kind == AlertEventKind::resolved;
  const std::string first = text.substr(0, text.find('\n'));
  CHECK(first == std::string(res ? "[RESOLVED]" : "[FIRING]") +
                     " TargetDown (critical): api is down" +
                     (e.kind == AlertEventKind::repeat ? " (still firing)" : ""));
  CHECK(text.find("\nlabels: alertname=TargetDown, severity=critical, target=api\n") !=
        std::string::npos);
  CHECK(text.ends_with("\nsource: flywatch-ams"));
  for (unsigned char c : text) CHECK((c == '\n' || (c >= 0x20 && c < 0x7F)));  // no emoji
}

}  // namespace

TEST_CASE("every sink formats firing, repeat and resolved events") {
  const SinkSettings settings = sample_settings();
  for (SinkKind sink : {SinkKind::webhook, SinkKind::alertmanager, SinkKind::pagerduty,
                        SinkKind::slack}) {
    for (AlertEventKind kind :
         {AlertEventKind::firing, AlertEventKind::repeat, AlertEventKind::resolved}) {
      CAPTURE(to_string(sink));
      CAPTURE(core::to_string(kind));
      const AlertEvent e = sample_event(kind);
      const SinkPayload p = format_for_sink(sink, e, settings);
      CHECK(p.content_type == "application/json");
      CHECK(p.body.find('\n') == std::string::npos);  // compact JSON
      const json::value v = json::parse(p.body);
      switch (sink) {
        case SinkKind::webhook: check_webhook(e, v); break;
        case SinkKind::alertmanager: check_alertmanager(e, settings, v); break;
        case SinkKind::pagerduty: check_pagerduty(e, settings, v); break;
        case SinkKind::slack: check_slack(e, v); break;
      }
      // The same event always gives the same bytes.
      CHECK(format_for_sink(sink, e, settings).body == p.body);
    }
  }
}

TEST_CASE("the instance that sends an alert never reaches its labels or fingerprint") {
  // Two vantages (or shards) differ only in their source; a clustered Alertmanager and a
  // PagerDuty service deduplicate them by labels and dedup_key, so those must be the same.
  SinkSettings a = sample_settings(), b = sample_settings();
  a.source = "vantage-a";
  b.source = "vantage-b";
  for (AlertEventKind kind :
       {AlertEventKind::firing, AlertEventKind::repeat, AlertEventKind::resolved}) {
    CAPTURE(core::to_string(kind));
    const AlertEvent e = sample_event(kind);
    for (SinkKind sink : {SinkKind::webhook, SinkKind::alertmanager}) {
      CAPTURE(to_string(sink));
      const std::string body = format_for_sink(sink, e, a).body;
      CHECK(body == format_for_sink(sink, e, b).body);
      CHECK(body.find("vantage") == std::string::npos);
    }
    const auto pa = json::parse(format_pagerduty(e, a).body);
    const auto pb = json::parse(format_pagerduty(e, b).body);
    CHECK(pa.at("dedup_key") == pb.at("dedup_key"));
    if (kind != AlertEventKind::resolved) {
      CHECK(pa.at("payload").at("custom_details") == pb.at("payload").at("custom_details"));
    }
  }
}

TEST_CASE("timestamps are RFC 3339 UTC with milliseconds") {
  const auto v = json::parse(format_webhook(sample_event(AlertEventKind::firing)).body);
  CHECK(str(v.at("timestamp")) == "2026-11-27T15:04:05.123Z");
  CHECK(str(v.at("data").at("startsAt")) == "2026-11-27T15:04:05.123Z");
}

TEST_CASE("alertmanager: valid_for sets endsAt on firing alerts") {
  SinkSettings s = sample_settings();
  s.alertmanager_valid_for = minutes{4};
  s.generator_url.clear();
  for (auto kind : {AlertEventKind::firing, AlertEventKind::repeat}) {
    const AlertEvent e = sample_event(kind);
    const auto a = json::parse(format_alertmanager(e, s).body).as_array().at(0);
    CHECK(str(a.at("endsAt")) == ts(e.at + minutes{4}));
    CHECK_FALSE(a.as_object().contains("generatorURL"));
  }
}

TEST_CASE("alertmanager: a batch is the array of the single bodies, in order") {
  const SinkSettings s = sample_settings();
  AlertEvent firing = sample_event(AlertEventKind::repeat);
  AlertEvent resolved = sample_event(AlertEventKind::resolved);
  const auto batch = json::parse(format_alertmanager_batch({firing, resolved}, s).body).as_array();
  REQUIRE(batch.size() == 2);
  CHECK(batch.at(0) == json::parse(format_alertmanager(firing, s).body).as_array().at(0));
  CHECK(batch.at(1) == json::parse(format_alertmanager(resolved, s).body).as_array().at(0));
  CHECK(json::parse(format_alertmanager_batch({}, s).body).as_array().empty());
}

TEST_CASE("resolved endsAt is never after the event, and defaults to it") {
  AlertEvent e = sample_event(AlertEventKind::resolved);
  e.alert.ends_at = e.at + minutes{1};  // a clock step: the end lies after the event
  auto end_of = [](const AlertEvent& ev) {
    return str(json::parse(format_alertmanager(ev, {}).body).as_array().at(0).at("endsAt"));
  };
  CHECK(end_of(e) == ts(e.at));
  CHECK(str(json::parse(format_webhook(e).body).at("data").at("endsAt")) == ts(e.at));
  e.alert.ends_at.reset();
  CHECK(end_of(e) == ts(e.at));
}

TEST_CASE("pagerduty severity mapping") {
  const std::pair<const char*, const char*> table[] = {
      {"critical", "critical"}, {"warning", "warning"}, {"info", "info"},
      {"error", "warning"},     {"", "warning"},
  };
  for (const auto& [in, out] : table) {
    CAPTURE(in);
    AlertEvent e = sample_event(AlertEventKind::firing);
    e.alert.labels["severity"] = in;
    const auto v = json::parse(format_pagerduty(e, sample_settings()).body);
    CHECK(str(v.at("payload").at("severity")) == out);
  }
}

TEST_CASE("pagerduty source falls back to target, app, then flywatch") {
  SinkSettings s = sample_settings();
  s.source.clear();
  AlertEvent e = sample_event(AlertEventKind::firing);
  auto source = [&] { return str(json::parse(format_pagerduty(e, s).body).at("payload").at("source")); };
  CHECK(source() == "api");
  e.alert.labels = {{"alertname", "MachineFailed"}, {"app", "medio"}, {"machine", "m1"}};
  CHECK(source() == "medio");
  e.alert.labels = {{"alertname", "X"}};
  CHECK(source() == "flywatch");
}

TEST_CASE("pagerduty summary: fallback without annotation, cut to 1024 bytes on UTF-8") {
  AlertEvent e = sample_event(AlertEventKind::firing);
  e.alert.annotations.clear();
  auto summary = [&] {
    return str(json::parse(format_pagerduty(e, sample_settings()).body).at("payload").at("summary"));
  };
  CHECK(summary() == "TargetDown target=api");
  e.alert.annotations["summary"] = std::string(1023, 'a') + "\xc3\xa9" + "tail";
  CHECK(summary() == std::string(1023, 'a'));
  e.alert.annotations["summary"] = std::string(1024, 'b') + "c";
  CHECK(summary() == std::string(1024, 'b'));
}

TEST_CASE("slack escapes mrkdwn and keeps values on one line") {
  AlertEvent e = sample_event(AlertEventKind::firing);
  e.alert.annotations["summary"] = "a <b> & c\nd";
  e.alert.labels["target"] = "x>y";
  SinkSettings s = sample_settings();
  s.source.clear();
  const std::string text = str(json::parse(format_slack(e, s).body).at("text"));
  CHECK(text == "[FIRING] TargetDown (critical): a &lt;b&gt; &amp; c d\n"
                "labels: alertname=TargetDown, severity=critical, target=x&gt;y");
}

TEST_CASE("JSON escaping survives a round trip") {
  AlertEvent e = sample_event(AlertEventKind::firing);
  e.alert.annotations["description"] = "quote \" backslash \\ tab \t ctl \x01 utf8 \xc3\xa9";
  const auto v = json::parse(format_webhook(e).body);
  CHECK(as_map(v.at("data").at("annotations")) == e.alert.annotations);
}

TEST_CASE("sink kind names round-trip") {
  for (SinkKind k : {SinkKind::webhook, SinkKind::alertmanager, SinkKind::pagerduty,
                     SinkKind::slack}) {
    CHECK(parse_sink_kind(to_string(k)) == k);
  }
  CHECK_FALSE(parse_sink_kind("Slack").has_value());
  CHECK_FALSE(parse_sink_kind("").has_value());
}

TEST_CASE("sink filter") {
  struct Row {
    std::set<core::Severity> severities;
    std::set<std::string, std::less<>> names;
    const char* severity;
    const char* name;
    bool match;
  };
  using core::Severity;
  const Row rows[] = {
      {{}, {}, "critical", "TargetDown", true},
      {{}, {}, "bogus", "", true},
      {{Severity::critical}, {}, "critical", "TargetDown", true},
      {{Severity::critical}, {}, "warning", "TargetDown", false},
      {{Severity::critical, Severity::warning}, {}, "warning", "TargetDown", true},
      {{Severity::info}, {}, "bogus", "TargetDown", false},
      {{Severity::info}, {}, "", "TargetDown", false},
      {{}, {"TargetDown", "MachineFailed"}, "info", "MachineFailed", true},
      {{}, {"TargetDown"}, "info", "MachineFailed", false},
      {{Severity::critical}, {"TargetDown"}, "critical", "TargetDown", true},
      {{Severity::critical}, {"TargetDown"}, "warning", "TargetDown", false},
      {{Severity::critical}, {"TargetDown"}, "critical", "CertExpiringSoon", false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.severity);
    CAPTURE(r.name);
    core::Alert a;
    if (*r.severity) a.labels["severity"] = r.severity;
    if (*r.name) a.labels["alertname"] = r.name;
    const SinkFilter f{r.severities, r.names};
    CHECK(f.matches(a) == r.match);
  }
}
