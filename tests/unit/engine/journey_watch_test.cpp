// Journeys in the engine: scheduled on their own, run through the Prober seam step by step with
// the cookie jar, recorded into metrics, log lines, the status document and JourneyFailing.
#include <doctest.h>

#include "config/config.hpp"
#include "engine_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

config::Config journey_config(const std::string& interval = "150ms") {
  const std::string text =
      "alerts:\n  rules:\n    JourneyFailing: {for: 0s}\n"
      "journeys:\n"
      "  - name: auth\n"
      "    base_url: https://api.test/v1\n"
      "    interval: " + interval + "\n"
      "    timeout: 100ms\n"
      "    failure_threshold: 2\n"
      "    success_threshold: 1\n"
      "    variables: {email: \"u-{{uuid}}@x.test\"}\n"
      "    steps:\n"
      "      - name: login\n"
      "        method: POST\n"
      "        path: /login\n"
      "        json: {email: \"{{email}}\"}\n"
      "        expect: {status: [200]}\n"
      "        extract: {id: \"body_json:user.id\"}\n"
      "      - name: me\n"
      "        path: /users/{{id}}\n"
      "        expect: {status: [200]}\n";
  return config::parse_config(text, "inline.yaml", [](const std::string&) { return std::nullopt; });
}

std::string header(const net::ProbeSpec& spec, const std::string& name) {
  for (const auto& [n, v] : spec.endpoint.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

struct JourneyRig : test::EngineRig {
  int login_status = 200;
  JourneyRig() {
    prober.respond = [this](const net::ProbeSpec& spec) -> std::optional<core::ProbeResult> {
      core::ProbeResult r;
      r.total = 2ms;
      if (spec.endpoint.target == "/v1/login") {
        r.http_status = login_status;
        r.body = R"({"user":{"id":7}})";
        r.headers = {{"set-cookie", "sid=s1; Path=/; HttpOnly; Secure"}};
      } else {
        r.http_status = header(spec, "Cookie") == "sid=s1" ? 200 : 401;
      }
      return r;
    };
  }
  std::size_t runs_of(const std::string& target) const {
    std::size_t n = 0;
    for (const auto& s : prober.specs) n += s.endpoint.target == target ? 1 : 0;
    return n;
  }
  bool has(const std::string& text) { return metrics.render().find(text) != std::string::npos; }
};

}  // namespace

TEST_CASE("a journey runs on its schedule, step by step, and its runs reach metrics and status") {
  JourneyRig rig;
  rig.engine.apply(journey_config());
  CHECK(rig.engine.journey_count() == 1);
  REQUIRE(rig.run_until([&] { return rig.runs_of("/v1/users/7") >= 2; }));

  const net::ProbeSpec& login = rig.prober.specs.at(0);
  CHECK(login.method == "POST");
  CHECK(login.endpoint.host == "api.test");
  CHECK(login.body.starts_with("{\"email\":\"u-"));
  CHECK(header(login, "Content-Type") == "application/json");
  CHECK(login.timeout <= 100ms);
  CHECK(header(rig.prober.specs.at(1), "Cookie") == "sid=s1");  // the jar carried the session

  CHECK(rig.has("flywatch_journey_success{journey=\"auth\"} 1"));
  CHECK(rig.has("flywatch_journey_step_duration_seconds{journey=\"auth\",step=\"login\"}"));
  CHECK(rig.has("flywatch_journey_step_duration_seconds{journey=\"auth\",step=\"me\"}"));
  CHECK(rig.has("flywatch_journey_duration_seconds_count{journey=\"auth\"}"));
  const auto status = rig.status_entry("journeys", "auth");
  CHECK(status.at("state").as_string() == "up");
  CHECK(status.at("last").at("success").as_bool());
  CHECK(status.at("last").at("steps").as_array().size() == 2);
  CHECK(status.at("last").at("failed_step").is_null());
}

TEST_CASE("a failing journey: one log line names the step and reason, JourneyFailing fires and resolves") {
  JourneyRig rig;
  rig.login_status = 500;
  rig.engine.apply(journey_config());
  REQUIRE(rig.run_until([&] { return rig.has("flywatch_alerts_firing{alertname=\"JourneyFailing\"} 1"); }));
  CHECK(rig.runs_of("/v1/users/7") == 0);  // the run stops at the failed step
  CHECK(rig.has("flywatch_journey_success{journey=\"auth\"} 0"));
  CHECK(rig.has("flywatch_journey_failures_total{journey=\"auth\",reason=\"status\",step=\"login\"}"));
  const std::string logs = rig.logs();
  CHECK(logs.find("level=warn msg=\"journey failed\" journey=auth step=login reason=status") !=
        std::string::npos);
  CHECK(logs.find("msg=\"journey state changed\" journey=auth from=unknown to=down") != std::string::npos);
  const auto status = rig.status_entry("journeys", "auth");
  CHECK(status.at("state").as_string() == "down");
  CHECK(status.at("last").at("failed_step").as_string() == "login");
  CHECK(status.at("last").at("reason").as_string() == "status");

  rig.login_status = 200;
  REQUIRE(rig.run_until([&] { return rig.has("flywatch_alerts_firing{alertname=\"JourneyFailing\"} 0"); }));
  CHECK(rig.has("flywatch_journey_success{journey=\"auth\"} 1"));
  CHECK(rig.logs().find("msg=\"journey state changed\" journey=auth from=down to=up") != std::string::npos);
}

TEST_CASE("reload keeps an unchanged journey's state and drops a removed one's series") {
  JourneyRig rig;
  rig.login_status = 500;
  rig.engine.apply(journey_config());
  REQUIRE(rig.run_until([&] { return rig.status_entry("journeys", "auth").at("state") == "down"; }));
  rig.engine.apply(journey_config("200ms"));  // only the interval changed
  CHECK(rig.status_entry("journeys", "auth").at("state").as_string() == "down");
  CHECK(rig.status_entry("journeys", "auth").at("interval_seconds").as_double() == doctest::Approx(0.2));

  rig.engine.apply(config::Config{});
  CHECK(rig.engine.journey_count() == 0);
  CHECK_FALSE(rig.has("flywatch_journey_success{journey=\"auth\"}"));
  CHECK_FALSE(rig.has("flywatch_journey_failures_total{journey=\"auth\""));
  const std::size_t runs = rig.runs_of("/v1/login");
  rig.run_for(400ms);
  CHECK(rig.runs_of("/v1/login") == runs);  // stopped: no more runs
}
