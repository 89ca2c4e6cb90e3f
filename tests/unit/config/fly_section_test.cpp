// Table tests over tests/testdata/config/fly: every good/*.yaml parses into the FlyConfig
// checked below, every bad/*.yaml is refused with exactly the error on its first line; and
// parse_config keeps the same fly section.
#include <doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "config/fly_section.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
using flywatch::config::ConfigError;
using flywatch::config::FlyApp;
using flywatch::config::FlyConfig;
using flywatch::config::Millis;
using flywatch::config::parse_fly_config;
using flywatch::config::WhenAsleep;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;
using flywatch::config::test::yaml_files;
using namespace std::chrono_literals;

namespace {

FlyConfig load(const fs::path& p) { return parse_fly_config(slurp(p), p.string(), fake_env()); }

using Check = std::function<void(const FlyConfig&)>;

const std::map<std::string, Check>& good_checks() {
  static const std::map<std::string, Check> checks = {
      {"minimal.yaml",
       [](const FlyConfig& c) {
         CHECK(c.api_url == "https://api.machines.dev");
         CHECK(c.api.scheme == "https");
         CHECK(c.api.host == "api.machines.dev");
         CHECK(c.api.port == 443);
         CHECK(c.api.target.empty());
         CHECK(c.token == "tok-SECRET-env-123");
         CHECK(c.poll_interval == 5s);
         REQUIRE(c.apps.size() == 1);
         const FlyApp& a = c.apps[0];
         CHECK(a.name == "medio-backend");
         CHECK(a.target.empty());
         CHECK(a.when_asleep == WhenAsleep::skip);
         CHECK_FALSE(a.wake_every.has_value());
         CHECK(a.cold_start_slo == 10s);
         CHECK(a.stuck_after == 5min);
         CHECK(a.line == 4);
       }},
      {"full.yaml",
       [](const FlyConfig& c) {
         CHECK(c.api_url == "http://127.0.0.1:4280/sim/");
         CHECK(c.api.scheme == "http");
         CHECK(c.api.host == "127.0.0.1");
         CHECK(c.api.port == 4280);
         CHECK(c.api.target == "/sim");
         // token_file: one trailing newline stripped.
         CHECK(c.token == "file-SECRET-token-456");
         CHECK(c.poll_interval == 2s);
         REQUIRE(c.apps.size() == 3);
         CHECK(c.apps[0].name == "medio-backend");
         CHECK(c.apps[0].target == "medio-backend");
         CHECK(c.apps[0].when_asleep == WhenAsleep::wake_every);
         CHECK(c.apps[0].wake_every == std::optional<Millis>(1h));
         CHECK(c.apps[0].cold_start_slo == 30s);
         CHECK(c.apps[0].stuck_after == 2min);
         CHECK(c.apps[0].line == 12);
         CHECK(c.apps[1].name == "medio-react-app");
         CHECK(c.apps[1].target == "medio-react-app");
         CHECK(c.apps[1].when_asleep == WhenAsleep::probe);
         CHECK_FALSE(c.apps[1].wake_every.has_value());
         CHECK(c.apps[1].cold_start_slo == 10s);
         CHECK(c.apps[2].name == "0-worker-9");
         CHECK(c.apps[2].target.empty());
         CHECK(c.apps[2].when_asleep == WhenAsleep::skip);
         CHECK(c.apps[2].line == 21);
       }},
      {"env.yaml",
       [](const FlyConfig& c) {
         CHECK(c.api_url == "https://api.example.test:8443");
         CHECK(c.api.host == "api.example.test");
         CHECK(c.api.port == 8443);
         CHECK(c.api.target.empty());
         CHECK(c.token == "literal-token");
         CHECK(c.poll_interval == 30s);
         REQUIRE(c.apps.size() == 1);
         CHECK(c.apps[0].name == "a");
         CHECK(c.apps[0].when_asleep == WhenAsleep::wake_every);
         // Equal to poll_interval is allowed.
         CHECK(c.apps[0].wake_every == std::optional<Millis>(30s));
         CHECK(c.apps[0].cold_start_slo == 250ms);
       }},
      {"token_schemes.yaml",
       [](const FlyConfig& c) {
         // Kept as written: lib/fly turns it into the header fly-go sends.
         CHECK(c.token == "flyv1 fm2_abc, fm2_def");
       }},
      {"token_crlf.yaml",
       [](const FlyConfig& c) {
         CHECK(c.api.scheme == "http");
         CHECK(c.api.host == "::1");
         CHECK(c.api.port == 80);
         CHECK(c.api.target.empty());
         // A CRLF line end counts as the one trailing newline.
         CHECK(c.token == "tok-crlf");
         REQUIRE(c.apps.size() == 1);
         CHECK(c.apps[0].name.size() == 63);
       }},
  };
  return checks;
}

}  // namespace

TEST_CASE("fly: every good file parses with the expected values") {
  flywatch::config::test::check_good_files("fly/good", good_checks(), load);
}

TEST_CASE("fly: every bad file is refused with its exact error, never showing a secret") {
  flywatch::config::test::check_bad_files("fly/bad", 20, [](const fs::path& p) { load(p); });
}

TEST_CASE("fly: a relative token_file is read relative to the config file") {
  const std::string text = "fly:\n  token_file: secrets/token.txt\n  apps: [{name: a}]\n";
  const FlyConfig c = parse_fly_config(text, testdata_dir() + "/inline.yaml", fake_env());
  CHECK(c.token == "file-SECRET-token-456");
  CHECK_THROWS_AS(parse_fly_config(text, "/nonexistent/inline.yaml", fake_env()), ConfigError);
}

TEST_CASE("fly: parse_config accepts every good fly file and keeps its section") {
  for (const auto& p : yaml_files("fly/good")) {
    CAPTURE(p.string());
    const std::string text = slurp(p);
    const auto config = flywatch::config::parse_config(text, p.string(), fake_env());
    REQUIRE(config.fly.has_value());
    const FlyConfig alone = parse_fly_config(text, p.string(), fake_env());
    CHECK(config.fly->api_url == alone.api_url);
    CHECK(config.fly->token == alone.token);
    CHECK(config.fly->poll_interval == alone.poll_interval);
    REQUIRE(config.fly->apps.size() == alone.apps.size());
    for (std::size_t i = 0; i < alone.apps.size(); ++i) {
      CHECK(config.fly->apps[i].name == alone.apps[i].name);
      CHECK(config.fly->apps[i].target == alone.apps[i].target);
    }
  }
}

TEST_CASE("fly: a config without fly: has no fly section") {
  const auto config = flywatch::config::parse_config("targets: []\n", "inline.yaml", fake_env());
  CHECK_FALSE(config.fly.has_value());
}
