// AlertDispatcher with a real outbox in a temp dir on its own thread and a scripted receiver
// behind the prober seam: per-sink filters and order, alerts.json, endpoints, signatures,
// given-up deliveries, a disk that refuses writes, Alertmanager re-sends.
#include <doctest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "alert/signing.hpp"
#include "dispatch_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using std::chrono::system_clock;
using Kind = core::AlertEventKind;
using test::DispatchRig;
using test::event;
using test::persisted;
using test::webhook_sink;

namespace {

const char* const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string header(const net::ProbeSpec& spec, const std::string& name) {
  for (const auto& [k, v] : spec.endpoint.headers) {
    if (k == name) return v;
  }
  return "";
}

/// "alertname/target/status" of a Standard Webhooks body.
std::string summary(const net::ProbeSpec& spec) {
  const auto doc = boost::json::parse(spec.body);
  const auto& data = doc.at("data");
  const auto& labels = data.at("labels");
  return std::string(labels.at("alertname").as_string()) + "/" +
         std::string(labels.at("target").as_string()) + "/" +
         std::string(data.at("status").as_string());
}

}  // namespace

TEST_CASE("AlertDispatcher: each sink gets what its filter takes, in order; alerts.json follows") {
  DispatchRig rig;
  config::AlertsConfig cfg;
  cfg.sinks.push_back(webhook_sink("crit", "/crit"));
  cfg.sinks.back().severities = {"critical"};
  cfg.sinks.push_back(webhook_sink("flaps", "/flaps"));
  cfg.sinks.back().alertnames = {"TargetFlapping"};
  rig.dispatcher->apply(cfg);

  const auto down_a = event(Kind::firing, core::alert_target_down, core::Severity::critical, "a");
  const auto flap_b =
      event(Kind::firing, core::alert_target_flapping, core::Severity::warning, "b");
  const auto cert_c =
      event(Kind::firing, core::alert_cert_expiring_soon, core::Severity::warning, "c");
  const auto down_d = event(Kind::firing, core::alert_target_down, core::Severity::critical, "d");
  rig.dispatcher->publish({down_a, flap_b, cert_c, down_d},
                          std::vector<alert::PersistedAlert>{
                              persisted(down_a, true), persisted(flap_b, true),
                              persisted(cert_c, true), persisted(down_d, true)});
  rig.dispatcher->publish(
      {event(Kind::resolved, core::alert_target_down, core::Severity::critical, "a"),
       event(Kind::resolved, core::alert_target_flapping, core::Severity::warning, "b")},
      std::vector<alert::PersistedAlert>{persisted(cert_c, true), persisted(down_d, false)});

  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() >= 5; }));
  rig.run_for(50ms);  // nothing more may come
  std::vector<std::string> crit;
  for (const auto& s : rig.receiver.to("/crit")) crit.push_back(summary(s));
  std::vector<std::string> flaps;
  for (const auto& s : rig.receiver.to("/flaps")) flaps.push_back(summary(s));
  CHECK(crit == std::vector<std::string>{"TargetDown/a/firing", "TargetDown/d/firing",
                                         "TargetDown/a/resolved"});
  CHECK(flaps == std::vector<std::string>{"TargetFlapping/b/firing", "TargetFlapping/b/resolved"});
  CHECK(rig.receiver.seen.size() == 5);
  for (const auto& s : rig.receiver.seen) {
    CHECK(s.method == "POST");
    CHECK(s.endpoint.host == "127.0.0.1");
    CHECK(header(s, "webhook-signature").empty());  // no secret: unsigned
  }

  // alerts.json holds the state of the latest publish.
  std::error_code ec;
  const auto text = alert::read_alert_state(rig.dir.path(), ec);
  REQUIRE(text);
  CHECK_FALSE(ec);
  std::string error;
  const auto state = alert::parse_alert_state(*text, error);
  REQUIRE_MESSAGE(state, error);
  REQUIRE(state->size() == 2);
  CHECK((*state)[0].entry.alert.labels == cert_c.alert.labels);
  CHECK((*state)[0].notified);
  CHECK((*state)[1].entry.alert.labels == down_d.alert.labels);
  CHECK_FALSE((*state)[1].notified);

  CHECK(rig.metric("flywatch_webhook_queue_depth", {"sink=\"crit\""}) == 0);
  CHECK(rig.metric("flywatch_webhook_queue_depth", {"sink=\"flaps\""}) == 0);
  CHECK(rig.metric("flywatch_webhook_deliveries_total", {"sink=\"crit\"", "result=\"delivered\""}) ==
        3);
  CHECK(rig.metric("flywatch_webhook_deliveries_total",
                   {"sink=\"flaps\"", "result=\"delivered\""}) == 2);
  CHECK(rig.worker->outbox().depth("crit") == 0);
}

TEST_CASE("sink_endpoint: Alertmanager's API under the URL's path, a webhook's path as written") {
  config::SinkConfig am = webhook_sink("am", "/prefix/");
  am.type = config::SinkType::alertmanager;
  am.url = "http://h:9093/prefix/";
  am.endpoint.host = "h";
  am.endpoint.port = 9093;
  am.timeout = 3s;
  auto ep = engine::sink_endpoint(am);
  CHECK(ep.name == "am");
  CHECK(ep.endpoint.scheme == "http");
  CHECK(ep.endpoint.host == "h");
  CHECK(ep.endpoint.port == 9093);
  CHECK(ep.endpoint.target == "/prefix/api/v2/alerts");
  CHECK(ep.timeout == 3s);
  CHECK(ep.retry.base == 5ms);
  CHECK(ep.retry.cap == 20ms);
  CHECK(ep.signing_key.empty());

  am.endpoint.target = "/";
  CHECK(engine::sink_endpoint(am).endpoint.target == "/api/v2/alerts");

  config::SinkConfig hook = webhook_sink("hook", "/hooks/flywatch/");
  hook.secret = secret;
  hook.endpoint.headers = {{"X-Team", "sre"}};
  hook.endpoint.scheme = "https";
  hook.endpoint.port = 8443;
  hook.endpoint.tls.ca_file = "/etc/ssl/hooks.pem";
  hook.endpoint.tls.server_name = "hooks.internal";
  ep = engine::sink_endpoint(hook);
  CHECK(ep.endpoint.scheme == "https");
  CHECK(ep.endpoint.port == 8443);
  CHECK(ep.endpoint.target == "/hooks/flywatch/");
  CHECK(ep.endpoint.tls.ca_file == "/etc/ssl/hooks.pem");
  CHECK(ep.endpoint.tls.server_name == "hooks.internal");
  CHECK_FALSE(ep.endpoint.tls.insecure_skip_verify);
  CHECK(ep.signing_key == *alert::decode_webhook_secret(secret));
  CHECK(ep.endpoint.headers == hook.endpoint.headers);
}

TEST_CASE("AlertDispatcher: a webhook is signed with the configured secret") {
  DispatchRig rig;
  config::AlertsConfig cfg;
  cfg.sinks.push_back(webhook_sink("hook", "/hook"));
  cfg.sinks.back().secret = secret;
  cfg.sinks.back().endpoint.headers = {{"X-Team", "sre"}};
  rig.dispatcher->apply(cfg);
  rig.dispatcher->publish(
      {event(Kind::firing, core::alert_target_down, core::Severity::critical, "a")}, {});
  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() == 1; }));
  const auto& spec = rig.receiver.seen[0];
  CHECK(spec.endpoint.target == "/hook");
  CHECK(header(spec, "X-Team") == "sre");
  const std::string id = header(spec, "webhook-id");
  const std::string ts = header(spec, "webhook-timestamp");
  const std::string sig = header(spec, "webhook-signature");
  REQUIRE_FALSE(id.empty());
  REQUIRE_FALSE(ts.empty());
  CHECK(alert::verify_webhook(*alert::decode_webhook_secret(secret), id, std::stoll(ts), spec.body,
                              sig));
  CHECK_FALSE(alert::verify_webhook("another key", id, std::stoll(ts), spec.body, sig));
  CHECK(summary(spec) == "TargetDown/a/firing");
}

TEST_CASE("AlertDispatcher: a 400 is given up and counted; the next event still goes") {
  DispatchRig rig;
  int answered = 0;
  rig.receiver.status_for = [&](const net::ProbeSpec&) { return answered++ == 0 ? 400 : 200; };
  config::AlertsConfig cfg;
  cfg.sinks.push_back(webhook_sink("hook", "/hook"));
  rig.dispatcher->apply(cfg);

  rig.dispatcher->publish(
      {event(Kind::firing, core::alert_target_down, core::Severity::critical, "a")}, {});
  REQUIRE(rig.run_until([&] {
    return rig.metric("flywatch_webhook_deliveries_total", {"sink=\"hook\"", "result=\"failed\""}) ==
           1;
  }));
  rig.run_for(50ms);
  CHECK(rig.receiver.seen.size() == 1);  // a 4xx is not retried
  CHECK(rig.log_lines({"level=error", "msg=\"webhook given up\"", "sink=hook"}).size() == 1);

  rig.dispatcher->publish(
      {event(Kind::firing, core::alert_target_down, core::Severity::critical, "b")}, {});
  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() == 2; }));
  REQUIRE(rig.run_until([&] {
    return rig.metric("flywatch_webhook_deliveries_total",
                      {"sink=\"hook\"", "result=\"delivered\""}) == 1;
  }));
  CHECK(summary(rig.receiver.seen[1]) == "TargetDown/b/firing");
  CHECK(rig.metric("flywatch_webhook_deliveries_total", {"sink=\"hook\"", "result=\"failed\""}) == 1);
  CHECK(rig.metric("flywatch_webhook_queue_depth", {"sink=\"hook\""}) == 0);
}

TEST_CASE("AlertDispatcher: a disk that refuses writes is logged once; events go from memory") {
  alert::OutboxOptions options;
  options.ops.pwrite = [](int, const void*, std::size_t, off_t) -> ssize_t {
    errno = ENOSPC;
    return -1;
  };
  options.ops.fsync = [](int) {
    errno = ENOSPC;
    return -1;
  };
  DispatchRig rig(std::move(options));
  config::AlertsConfig cfg;
  cfg.sinks.push_back(webhook_sink("hook", "/hook"));
  rig.dispatcher->apply(cfg);

  rig.dispatcher->publish(
      {event(Kind::firing, core::alert_target_down, core::Severity::critical, "a")}, {});
  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() == 1; }));
  rig.dispatcher->publish(
      {event(Kind::firing, core::alert_target_down, core::Severity::critical, "b")}, {});
  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() == 2; }));
  REQUIRE(rig.run_until([&] {
    return rig.metric("flywatch_webhook_deliveries_total",
                      {"sink=\"hook\"", "result=\"delivered\""}) == 2;
  }));
  CHECK(summary(rig.receiver.seen[0]) == "TargetDown/a/firing");
  CHECK(summary(rig.receiver.seen[1]) == "TargetDown/b/firing");

  const auto failed = rig.log_lines({"msg=\"outbox write failed\""});
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].find("level=error") != std::string::npos);
  CHECK(rig.log_lines({"msg=\"alert event dropped\""}).empty());
  CHECK(rig.metric("flywatch_webhook_queue_depth", {"sink=\"hook\""}) == 0);
}

TEST_CASE("AlertDispatcher: an Alertmanager sink re-sends firing alerts while they fire") {
  DispatchRig rig;
  config::SinkConfig am = webhook_sink("am", "/");
  am.type = config::SinkType::alertmanager;
  am.resend_interval = 200ms;
  config::AlertsConfig cfg;
  cfg.sinks.push_back(am);
  bool firing = true;
  const auto down = event(Kind::firing, core::alert_target_down, core::Severity::critical, "a");
  rig.dispatcher->set_firing_source([&]() -> std::vector<core::Alert> {
    if (!firing) return {};
    return {down.alert};
  });
  rig.dispatcher->apply(cfg);

  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() >= 3; }, 2s));
  for (const auto& s : rig.receiver.seen) {
    CHECK(s.method == "POST");
    CHECK(s.endpoint.target == "/api/v2/alerts");
    const auto doc = boost::json::parse(s.body);
    REQUIRE(doc.is_array());
    REQUIRE(doc.as_array().size() == 1);
    const auto& a = doc.as_array()[0];
    CHECK(a.at("labels").at("alertname").as_string() == "TargetDown");
    CHECK(a.at("labels").at("target").as_string() == "a");
    CHECK(a.as_object().contains("endsAt"));  // firing: valid for a few re-send intervals
  }

  firing = false;
  rig.run_for(250ms);  // a re-send already queued may still arrive
  const auto after_stop = rig.receiver.seen.size();
  rig.run_for(650ms);
  CHECK(rig.receiver.seen.size() == after_stop);  // nothing firing: nothing re-sent
}

TEST_CASE("AlertDispatcher: Alertmanager re-sends go as one array per round, not one POST per alert") {
  DispatchRig rig;
  config::SinkConfig am = webhook_sink("am", "/");
  am.type = config::SinkType::alertmanager;
  am.resend_interval = 300ms;
  config::AlertsConfig cfg;
  cfg.sinks.push_back(am);
  std::vector<core::Alert> firing;
  for (const char* t : {"a", "b", "c"}) {
    firing.push_back(event(Kind::firing, core::alert_target_down, core::Severity::critical, t).alert);
  }
  rig.dispatcher->set_firing_source([&] { return firing; });
  rig.dispatcher->apply(cfg);

  REQUIRE(rig.run_until([&] { return rig.receiver.seen.size() >= 1; }, 2s));
  rig.run_for(100ms);  // well within the next round
  REQUIRE(rig.receiver.seen.size() == 1);
  const auto doc = boost::json::parse(rig.receiver.seen[0].body);
  REQUIRE(doc.is_array());
  REQUIRE(doc.as_array().size() == 3);
  std::vector<std::string> targets;
  for (const auto& a : doc.as_array()) {
    targets.emplace_back(a.at("labels").at("target").as_string());
  }
  CHECK(targets == std::vector<std::string>{"a", "b", "c"});
}
