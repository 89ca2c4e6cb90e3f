#include <doctest.h>

#include <cstdlib>
#include <string>

#include "config/config.hpp"
#include "fake_env.hpp"

using flywatch::config::ConfigError;
using flywatch::config::load_config;
using flywatch::config::parse_config;
using flywatch::config::test::fake_env;
using flywatch::config::test::testdata_dir;

namespace {

/// The first line of a file, without its newline.
std::string slurp_line(const std::string& path) {
  const std::string text = flywatch::config::test::slurp(path);
  return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("load_config reads a file from disk") {
  const std::string path = testdata_dir() + "/good/full.yaml";
  const auto c = load_config(path);
  CHECK(c.source_path == path);
  REQUIRE(c.targets.size() == 2);
  CHECK(c.targets[0].name == "medio-backend");
}

TEST_CASE("load_config reports an unreadable file without a position") {
  const std::string path = testdata_dir() + "/no-such-file.yaml";
  try {
    load_config(path);
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == path + ": cannot read: No such file or directory");
    CHECK(e.line() == 0);
    CHECK(e.file() == path);
  }
  try {
    load_config(testdata_dir());
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == testdata_dir() + ": cannot read: Is a directory");
  }
}

TEST_CASE("ConfigError renders file:line:column: message") {
  const ConfigError e("f.yaml", 3, 7, "bad thing");
  CHECK(std::string(e.what()) == "f.yaml:3:7: bad thing");
  CHECK(e.message() == "bad thing");
  CHECK(e.line() == 3);
  CHECK(e.column() == 7);
}

TEST_CASE("relative *_file paths resolve against the config's directory") {
  const std::string text =
      "targets:\n  - name: a\n    url: https://a.example/\n    bearer_token_file: "
      "secrets/token.txt\n";
  const auto c = parse_config(text, testdata_dir() + "/inline.yaml", fake_env());
  REQUIRE(c.targets.size() == 1);
  REQUIRE(c.targets[0].endpoint.headers.size() == 1);
  CHECK(c.targets[0].endpoint.headers[0].second == "Bearer file-SECRET-token-456");
  // The same text somewhere else finds no such file.
  CHECK_THROWS_AS(parse_config(text, "/nonexistent-dir/inline.yaml", fake_env()), ConfigError);
}

TEST_CASE("exactly one trailing newline is stripped from a *_file") {
  const auto token_from = [](const std::string& file) {
    const std::string text =
        "targets:\n  - name: a\n    url: https://a.example/\n"
        "    bearer_token_file: secrets/" +
        file + "\n";
    const auto c = parse_config(text, testdata_dir() + "/inline.yaml", fake_env());
    return c.targets.at(0).endpoint.headers.at(0).second;
  };
  CHECK(token_from("crlf.txt") == "Bearer tok-crlf");
  // "tok-two\n\n" keeps one newline, which cannot go into a header.
  try {
    token_from("two_newlines.txt");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.message() ==
          "bearer_token_file: the token contains white space or a control character");
    CHECK(std::string(e.what()).find("tok-two") == std::string::npos);
  }
}

TEST_CASE("a config is the same whatever order its sections come in") {
  const std::string a =
      "targets:\n  - name: a\n    url: https://a.example/\ndefaults: {interval: 1m, timeout: "
      "20s}\n";
  const auto c = parse_config(a, "x.yaml", fake_env());
  REQUIRE(c.targets.size() == 1);
  CHECK(c.targets[0].interval == std::chrono::minutes(1));
  CHECK(c.targets[0].timeout == std::chrono::seconds(20));
}

TEST_CASE("load_config expands from the process environment") {
  const std::string path = testdata_dir() + "/real_env.yaml";
  REQUIRE(::setenv("FLYWATCH_CONFIG_TEST_LISTEN", "[::1]:19464", 1) == 0);
  const auto c = load_config(path);
  CHECK(c.server.listen_host == "::1");
  CHECK(c.server.listen_port == 19464);
  REQUIRE(::unsetenv("FLYWATCH_CONFIG_TEST_LISTEN") == 0);
  try {
    load_config(path);
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          path +
              ":3:11: server.listen: environment variable FLYWATCH_CONFIG_TEST_LISTEN is not set");
  }
}

TEST_CASE("config/medio.yaml, the shipped config for Medio, is valid with its credentials") {
  // The token and webhook secret files are systemd credentials at run time; here test secrets
  // stand in for them.
  const std::string repo_config = std::string(FLYWATCH_TESTDATA) + "/../../config/medio.yaml";
  std::string text = flywatch::config::test::slurp(repo_config);
  const auto substitute = [&text](const std::string& credential, const std::string& stand_in) {
    const auto at = text.find(credential);
    REQUIRE(at != std::string::npos);
    text.replace(at, credential.size(), testdata_dir() + "/secrets/" + stand_in);
    REQUIRE(text.find(credential) == std::string::npos);
  };
  substitute("/run/credentials/flywatch.service/fly-token", "token.txt");
  substitute("/run/credentials/flywatch.service/webhook-secret", "webhook_secret.txt");
  substitute("/run/credentials/flywatch.service/medio-probe-password", "token.txt");
  const auto c = parse_config(text, repo_config, fake_env());
  REQUIRE(c.fly.has_value());
  CHECK(c.fly->api_url == "https://api.machines.dev");
  CHECK(c.fly->token == "file-SECRET-token-456");
  REQUIRE(c.fly->apps.size() == 2);
  CHECK(c.fly->apps[0].target == "medio-backend");
  CHECK(c.fly->apps[0].when_asleep == flywatch::config::WhenAsleep::skip);
  CHECK(c.fly->apps[1].when_asleep == flywatch::config::WhenAsleep::wake_every);
  REQUIRE(c.alerts.sinks.size() == 1);
  const auto& sink = c.alerts.sinks[0];
  CHECK(sink.name == "oncall");
  CHECK(sink.type == flywatch::config::SinkType::webhook);
  CHECK(sink.url == "https://hooks.example.com/flywatch");
  CHECK(sink.secret == slurp_line(testdata_dir() + "/secrets/webhook_secret.txt"));
  CHECK(sink.secret.starts_with("whsec_"));
  CHECK(c.alerts.maintenance.empty());
  REQUIRE(c.journeys.size() == 1);
  CHECK(c.journeys[0].app == "medio-backend");
  CHECK(c.journeys[0].spec.steps.size() == 4);
  CHECK(c.journeys[0].spec.secret_variables == std::vector<std::string>{"password"});
  REQUIRE(c.gate.has_value());
  CHECK(c.gate->phases.size() == 3);
  CHECK(c.targets[1].expect.assets);
}

TEST_CASE("tcp:// and tls:// targets: host and port, their own keys, the common ones") {
  const auto c = load_config(testdata_dir() + "/kinds.yaml");
  REQUIRE(c.targets.size() == 5);
  const auto& ssh = c.targets[0];
  CHECK(ssh.endpoint.scheme == "tcp");
  CHECK(ssh.endpoint.host == "::1");
  CHECK(ssh.endpoint.port == 22);
  CHECK(ssh.endpoint.target.empty());
  CHECK(ssh.send.empty());
  REQUIRE(ssh.expect.banner_regex);
  CHECK(ssh.expect.banner_regex->source() == R"(^SSH-2\.0-)");
  CHECK(ssh.expect.max_latency == std::chrono::milliseconds(500));
  CHECK(ssh.max_body_bytes == 4096);

  const auto& redis = c.targets[1];
  CHECK(redis.endpoint.scheme == "tcp");  // the scheme is case-insensitive, as for http(s)
  CHECK(redis.endpoint.host == "cache.example");
  CHECK(redis.send == "PING\r\n");  // YAML double quotes turn \r\n into the bytes
  CHECK(redis.max_body_bytes == 64);

  const auto& open = c.targets[2];
  CHECK(open.endpoint.port == 5432);
  CHECK_FALSE(open.expect.banner_regex);

  const auto& smtps = c.targets[3];
  CHECK(smtps.endpoint.scheme == "tls");
  CHECK(smtps.endpoint.port == 465);
  CHECK(smtps.endpoint.tls.ca_file == testdata_dir() + "/certs/ca.pem");
  CHECK(smtps.endpoint.tls.server_name == "smtp.example");
  CHECK(smtps.expect.cert_min_validity == std::chrono::hours(14 * 24));
  CHECK(smtps.expect.status.empty());

  CHECK(c.targets[4].endpoint.scheme == "https");
  CHECK(c.targets[4].expect.status == std::vector<int>{200});
}
