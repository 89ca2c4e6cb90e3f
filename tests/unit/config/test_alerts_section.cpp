// The alerts: section: good files with their values, bad files with their exact errors.
#include <doctest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "config/alerts_section.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
using flywatch::config::AlertsConfig;
using flywatch::config::parse_alerts_config;
using flywatch::config::SinkType;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

AlertsConfig load(const fs::path& p) { return parse_alerts_config(slurp(p), p.string(), fake_env()); }

}  // namespace

TEST_CASE("alerts: a full section parses with every value") {
  const AlertsConfig c = load(testdata_dir() + "/alerts/good/full.yaml");
  CHECK(c.repeat_interval == 2h);
  REQUIRE(c.sinks.size() == 4);
  const auto& hook = c.sinks[0];
  CHECK(hook.name == "oncall");
  CHECK(hook.type == SinkType::webhook);
  CHECK(hook.host == "hooks.example.test");
  CHECK(hook.port == 443);
  CHECK(hook.target == "/flywatch");
  CHECK(hook.secret == "tok-SECRET-env-123");
  REQUIRE(hook.headers.size() == 1);
  CHECK(hook.headers[0].first == "X-Team");
  CHECK(hook.severities == std::set<std::string>{"critical", "warning"});
  CHECK(hook.alertnames == std::set<std::string>{"TargetDown"});
  CHECK(c.sinks[1].type == SinkType::alertmanager);
  CHECK(c.sinks[1].port == 9093);
  CHECK(c.sinks[2].type == SinkType::pagerduty);
  CHECK(c.sinks[2].routing_key == "file-SECRET-token-456");
  CHECK(c.sinks[3].type == SinkType::slack);
  CHECK(c.sinks[3].secret.empty());
  REQUIRE(c.maintenance.size() == 2);
  const auto& weekly = c.maintenance[0];
  CHECK(weekly.weekly());
  CHECK(weekly.weekdays == 1u);  // Sunday
  CHECK(weekly.minute_of_day == 120);
  CHECK(weekly.duration == 120min);
  CHECK(weekly.apps == std::vector<std::string>{"medio-backend"});
  const auto& once = c.maintenance[1];
  CHECK_FALSE(once.weekly());
  CHECK(*once.start == sys_days(year{2026} / December / 1) + 2h);
  CHECK(*once.end == sys_days(year{2026} / December / 1) + 3h + 30min);  // +01:00
}

TEST_CASE("alerts: the minimal section takes the defaults") {
  const AlertsConfig c = load(testdata_dir() + "/alerts/good/minimal.yaml");
  CHECK(c.repeat_interval == 4h);
  REQUIRE(c.sinks.size() == 1);
  CHECK(c.sinks[0].severities.empty());
  CHECK(c.maintenance.empty());
}

TEST_CASE("alerts: every bad file is refused with its exact error, never showing a secret") {
  flywatch::config::test::check_bad_files("alerts/bad", 15, [](const fs::path& p) { load(p); });
}
