// Table tests over tests/testdata/config: every good/*.yaml loads with the values checked below,
// every bad/*.yaml is refused with exactly the error written on its first line.
#include <doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
using flywatch::config::Config;
using flywatch::config::parse_config;
using flywatch::config::Target;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;
using namespace std::chrono_literals;

namespace {

Config load(const fs::path& p) { return parse_config(slurp(p), p.string(), fake_env()); }

std::string header(const Target& t, const std::string& name) {
  for (const auto& [n, v] : t.endpoint.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

std::string json_expect(const Target& t, const std::string& path) {
  for (const auto& [p, v] : t.expect.body_json) {
    if (p == path) return v;
  }
  return "<absent>";
}

using Check = std::function<void(const Config&)>;

const std::map<std::string, Check>& good_checks() {
  static const std::map<std::string, Check> checks = {
      {"minimal.yaml",
       [](const Config& c) {
         CHECK(c.targets.empty());
         CHECK(c.server.listen_host == "127.0.0.1");
         CHECK(c.server.listen_port == 9464);
         CHECK(c.log.format == flywatch::core::LogFormat::logfmt);
         CHECK(c.log.level == flywatch::core::LogLevel::info);
         CHECK(c.state_dir == "/var/lib/flywatch");
         CHECK(c.defaults.interval == 15s);
         CHECK(c.defaults.timeout == 5s);
         CHECK(c.defaults.max_body_bytes == 1024 * 1024);
         CHECK(c.engine.max_in_flight == 1024);
       }},
      {"null_targets.yaml",
       [](const Config& c) {
         CHECK(c.targets.empty());
         CHECK(c.server.listen_host == "::1");
         CHECK(c.server.listen_port == 0);
         CHECK(c.log.format == flywatch::core::LogFormat::json);
         CHECK(c.log.level == flywatch::core::LogLevel::debug);
       }},
      {"full.yaml",
       [](const Config& c) {
         CHECK(c.state_dir == testdata_dir() + "/good/state");
         CHECK(c.engine.max_in_flight == 64);
         REQUIRE(c.targets.size() == 2);
         const Target& t = c.targets[0];
         CHECK(t.name == "medio-backend");
         CHECK(t.line == 9);
         CHECK(t.url == "https://medio-backend.fly.dev/");
         CHECK(t.endpoint.scheme == "https");
         CHECK(t.endpoint.host == "medio-backend.fly.dev");
         CHECK(t.endpoint.port == 443);
         CHECK(t.endpoint.target == "/");
         CHECK(t.method == "GET");
         CHECK(header(t, "User-Agent") == "flywatch");
         CHECK(t.endpoint.tls.ca_file == testdata_dir() + "/good/../certs/ca.pem");
         CHECK_FALSE(t.endpoint.tls.insecure_skip_verify);
         CHECK(t.endpoint.tls.server_name.empty());
         CHECK(t.expect.status == std::vector<int>{200});
         CHECK(json_expect(t, "status") == "ok");
         CHECK(json_expect(t, "database") == "connected");
         REQUIRE(t.expect.body_regex);
         CHECK(t.expect.body_regex->source() == R"("timestamp":"\d{4}-)");
         CHECK(t.expect.body_regex->search(R"({"timestamp":"2026-01-01"})"));
         REQUIRE(t.expect.headers.size() == 1);
         CHECK(t.expect.headers[0].first == "content-type");
         CHECK(t.expect.headers[0].second.full_match("application/json; charset=utf-8"));
         CHECK(t.expect.max_latency == std::optional<flywatch::config::Millis>(2s));
         CHECK(t.expect.cert_min_validity ==
               std::optional<flywatch::config::Millis>(std::chrono::hours(24 * 14)));
         CHECK(t.connection == flywatch::core::ConnectionMode::fresh);  // the default
         CHECK(t.max_connection_age == std::chrono::minutes(10));
         const Target& app = c.targets[1];
         CHECK(app.connection == flywatch::core::ConnectionMode::reuse);
         CHECK(app.max_connection_age == std::chrono::minutes(5));
         CHECK(app.name == "medio-react-app");
         CHECK(app.endpoint.target == "/");
         CHECK(app.interval == 15s);
         CHECK(app.expect.status.empty());
         CHECK_FALSE(app.expect.body_regex);
       }},
      {"defaults.yaml",
       [](const Config& c) {
         REQUIRE(c.targets.size() == 2);
         const Target& a = c.targets[0];
         CHECK(a.interval == 1min);
         CHECK(a.timeout == 10s);
         CHECK(a.failure_threshold == 5);
         CHECK(a.success_threshold == 1);
         CHECK(a.max_body_bytes == 512 * 1024);
         CHECK(a.endpoint.scheme == "http");
         CHECK(a.endpoint.host == "127.0.0.1");
         CHECK(a.endpoint.port == 8080);
         CHECK(a.endpoint.target == "/health?verbose=1");
         CHECK(a.method == "GET");
         CHECK(a.endpoint.headers.empty());
         CHECK(a.body.empty());
         const Target& b = c.targets[1];
         CHECK(b.endpoint.host == "::1");
         CHECK(b.endpoint.port == 8443);
         CHECK(b.endpoint.target == "/");
         CHECK(b.method == "POST");
         CHECK(b.interval == 30s);
         CHECK(b.timeout == 250ms);
         CHECK(b.failure_threshold == 2);
         CHECK(b.success_threshold == 4);
         CHECK(b.max_body_bytes == 2048);
         REQUIRE(b.endpoint.headers.size() == 2);
         CHECK(b.endpoint.headers[0] ==
               std::pair<std::string, std::string>{"Content-Type", "application/json"});
         CHECK(b.endpoint.headers[1] == std::pair<std::string, std::string>{"X-Request-Id", "flywatch-1"});
         CHECK(b.body == R"({"ping":true})");
         CHECK(b.endpoint.tls.insecure_skip_verify);
         CHECK(b.endpoint.tls.server_name == "backend.internal");
         CHECK(b.expect.status == std::vector<int>{204});
         const std::vector<std::pair<std::string, std::string>> json = {
             {"status", "ok"}, {"checks.0.ok", "true"}, {"count", "3"},
             {"ratio", "0.5"}, {"missing", "null"},     {"quoted", "200"}};
         CHECK(b.expect.body_json == json);
         REQUIRE(b.expect.headers.size() == 2);
         CHECK(b.expect.headers[0].first == "content-type");
         CHECK(b.expect.headers[1].first == "x-served-by");
         CHECK(b.expect.headers[1].second.full_match("fly-iad"));
         CHECK_FALSE(b.expect.headers[1].second.full_match("nginx"));
       }},
      {"env.yaml",
       [](const Config& c) {
         CHECK(c.server.listen_host == "127.0.0.1");
         CHECK(c.server.listen_port == 9100);
         CHECK(c.defaults.interval == 30s);
         REQUIRE(c.targets.size() == 1);
         const Target& t = c.targets[0];
         CHECK(t.name == "from-default");
         CHECK(t.url == "https://api.example.test:8443/v1/status");
         CHECK(t.endpoint.host == "api.example.test");
         CHECK(t.endpoint.port == 8443);
         CHECK(t.endpoint.target == "/v1/status");
         CHECK(t.interval == 30s);
         CHECK(header(t, "X-Api-Key") == "tok-SECRET-env-123");
         CHECK(header(t, "X-Price") == "$5 and $ alone and fallback and []");
         REQUIRE(t.expect.body_regex);
         CHECK(t.expect.body_regex->source() == "^ok$");
       }},
      {"secrets.yaml",
       [](const Config& c) {
         REQUIRE(c.targets.size() == 2);
         const Target& f = c.targets[0];
         REQUIRE(f.endpoint.headers.size() == 2);
         CHECK(f.endpoint.headers[0].first == "Content-Type");
         CHECK(f.endpoint.headers[1] == std::pair<std::string, std::string>{"Authorization",
                                                                   "Bearer file-SECRET-token-456"});
         // One trailing newline is stripped from a *_file, and only one.
         CHECK(f.body == R"({"query":"{ health }"})");
         const Target& e = c.targets[1];
         CHECK(header(e, "Authorization") == "Bearer tok-SECRET-env-123");
       }},
  };
  return checks;
}

/// The first line of a bad file: `# expect: LINE:COL: message`, with {dir} → the file's
/// directory and a final `{regex_error:SOURCE}` → core::Pattern's own message for SOURCE (the
/// config must report it, whatever its wording).
std::string expected_regex_error(const fs::path& p) {
  std::string expected = flywatch::config::test::expected_error(p);
  const std::string marker = "{regex_error:";
  if (const std::size_t at = expected.find(marker); at != std::string::npos) {
    REQUIRE(expected.ends_with("}"));
    const std::string source =
        expected.substr(at + marker.size(), expected.size() - 1 - at - marker.size());
    std::string error;
    REQUIRE_FALSE(flywatch::core::Pattern::compile(source, &error).has_value());
    REQUIRE_FALSE(error.empty());
    expected = expected.substr(0, at) + error;
  }
  return expected;
}

}  // namespace

TEST_CASE("every good config loads with the expected values") {
  flywatch::config::test::check_good_files("good", good_checks(), [](const fs::path& p) {
    Config c = load(p);
    CHECK(c.source_path == p.string());
    return c;
  });
}

TEST_CASE("every bad config is refused with its exact error") {
  flywatch::config::test::check_bad_files("bad", 30, [](const fs::path& p) { load(p); },
                                          expected_regex_error);
}
