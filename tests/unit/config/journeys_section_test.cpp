// Table tests over tests/testdata/config/journeys: good/medio.yaml loads with the values checked
// below (journeys, their variables and steps, the gate, the new expect keys), every bad/*.yaml
// is refused with exactly the error on its first line.
#include <doctest.h>

#include <boost/json/serialize.hpp>

#include "config/config.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
namespace fc = flywatch::core;
using flywatch::config::Config;
using flywatch::config::parse_config;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;
using namespace std::chrono_literals;

namespace {

Config load(const fs::path& p) { return parse_config(slurp(p), p.string(), fake_env()); }

}  // namespace

TEST_CASE("journeys: Medio's journey, gate and expect keys load as written") {
  const Config c = load(testdata_dir() + "/journeys/good/medio.yaml");
  REQUIRE(c.journeys.size() == 1);
  const auto& j = c.journeys[0];
  CHECK(j.name() == "medio-auth");
  CHECK(j.base_url == "https://api.example.test/v1/");
  CHECK(j.spec.base.scheme == "https");
  CHECK(j.spec.base.host == "api.example.test");
  CHECK(j.spec.base.target == "/v1");  // no trailing '/': steps' paths are appended
  CHECK(j.spec.base.headers == fc::HeaderList{{"User-Agent", "flywatch"}});
  CHECK(j.interval == 5min);
  CHECK(j.spec.timeout == 30s);
  CHECK(j.failure_threshold == 2);
  CHECK(j.success_threshold == 2);
  CHECK(j.app == "medio-backend");
  REQUIRE(j.spec.variables.size() == 4);
  CHECK(j.spec.variables[3].second.source() == "file-SECRET-token-456");
  CHECK(j.spec.variables[0].first == "email");
  CHECK(j.spec.variables[0].second.source() == "probe-{{uuid}}@example.com");
  CHECK(j.spec.variables[1].second.source() == "tok-SECRET-env-123");
  CHECK(j.spec.secret_variables == std::vector<std::string>{"password", "token"});

  REQUIRE(j.spec.steps.size() == 5);
  const auto& reg = j.spec.steps[0];
  CHECK(reg.method == "POST");
  CHECK(reg.path.source() == "/api/auth/register");
  REQUIRE(reg.json.has_value());
  // Plain scalars are typed as YAML reads them; quoted ones stay strings.
  CHECK(boost::json::serialize(*reg.json) ==
        R"({"email":"{{email}}","password":"{{password}}","age":42,"admin":false,"note":"42","tags":["a","{{both}}"],"none":null})");
  CHECK(reg.expect.status == std::vector<int>{201, 409});
  const auto& login = j.spec.steps[1];
  REQUIRE(login.expect.cookies.size() == 1);
  CHECK(login.expect.cookies[0] ==
        fc::CookieExpectation{"medio_session", true, true, fc::SameSite::strict, {}, {}, {}});
  REQUIRE(login.extract.size() == 2);
  CHECK(login.extract[0].variable == "user_id");
  CHECK(login.extract[0].source == fc::Extraction::Source::body_json);
  CHECK(login.extract[0].path == "user.id");
  CHECK(login.extract[1].source == fc::Extraction::Source::header);
  CHECK(login.extract[1].path == "x-request-id");
  const auto& me = j.spec.steps[2];
  CHECK(me.method == "GET");
  CHECK(me.path.source() == "/api/auth/me?u={{user_id}}");
  REQUIRE(me.headers.size() == 1);
  CHECK(me.headers[0].second.placeholders().at(0).name == "request");
  CHECK(me.expect.body_json == std::vector<std::pair<std::string, std::string>>{{"user.id", "{{user_id}}"}});
  const auto& cors = j.spec.steps[3];
  REQUIRE(cors.expect.cors.has_value());
  CHECK(*cors.expect.cors == fc::CorsExpectation{"https://app.example.test", true, false});
  CHECK(j.spec.steps[4].body.source() == "id={{user_id}}");
  CHECK_FALSE(j.spec.steps[4].json.has_value());

  const auto& app = c.targets[1];
  CHECK(app.expect.assets);
  REQUIRE(app.expect.cors.has_value());
  CHECK(app.expect.cors->vary_origin);
  REQUIRE(app.expect.cookies.size() == 2);
  CHECK(app.expect.cookies[0] == fc::CookieExpectation{"seen", {}, {}, {}, {}, {}, {}});
  CHECK(app.expect.cookies[1] == fc::CookieExpectation{"sid", true, true, fc::SameSite::strict,
                                                       "/", std::chrono::seconds(3600),
                                                       std::chrono::seconds(30 * 86400)});

  REQUIRE(c.gate.has_value());
  REQUIRE(c.gate->phases.size() == 3);
  const auto& backend = c.gate->phases[0];
  CHECK(backend.name == "backend");
  CHECK(backend.apps == std::vector<std::string>{"medio-backend"});
  CHECK(backend.wake);
  CHECK(backend.wait_healthy == 2min);
  CHECK(backend.targets == std::vector<std::string>{"medio-backend"});
  CHECK(c.gate->phases[1].journeys == std::vector<std::string>{"medio-auth"});
  CHECK_FALSE(c.gate->phases[1].wake);
  CHECK_FALSE(c.gate->phases[1].wait_healthy.has_value());
  CHECK(c.gate->phases[2].targets == std::vector<std::string>{"medio-react-app"});
}

TEST_CASE("journeys: defaults when the file says little") {
  const Config c = parse_config(
      "defaults: {failure_threshold: 4, max_body: 64KiB}\n"
      "journeys:\n  - name: j\n    base_url: http://a.example\n    steps:\n      - name: s\n",
      "inline.yaml", fake_env());
  const auto& j = c.journeys.at(0);
  CHECK(j.interval == 5min);
  CHECK(j.spec.timeout == 30s);
  CHECK(j.failure_threshold == 4);
  CHECK(j.spec.max_body_bytes == 64 * 1024);
  CHECK(j.spec.base.target.empty());
  CHECK(j.spec.steps.at(0).path.source() == "/");
  CHECK(j.spec.steps.at(0).method == "GET");
  CHECK_FALSE(c.gate.has_value());
}

TEST_CASE("journeys: every bad file is refused with its exact error, never showing a secret") {
  flywatch::config::test::check_bad_files("journeys/bad", 20, [](const fs::path& p) { load(p); });
}
