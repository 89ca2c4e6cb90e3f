// Table tests over tests/testdata/config/web (server.web_config_file, the exporter-toolkit
// format): every good/*.yaml loads with the values checked here, every bad/*.yaml is refused with
// the error on its first line and without the hash or password it holds.
#include <doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "config/config.hpp"
#include "config/web_config.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
namespace fc = flywatch::core;
using flywatch::config::ConfigError;
using flywatch::config::load_web_config;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;

namespace {

constexpr const char* hash_2b = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
constexpr const char* hash_2y = "$2y$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";

std::string web_dir() { return testdata_dir() + "/web"; }

}  // namespace

TEST_CASE("every good web config loads with the expected values") {
  using Check = std::function<void(const fc::WebConfig&)>;
  const std::string certs = web_dir() + "/good/../../certs";
  const std::map<std::string, Check> checks = {
      {"full.yaml",
       [&](const fc::WebConfig& w) {
         REQUIRE(w.tls);
         CHECK(w.tls->cert_file == certs + "/ca.pem");
         CHECK(w.tls->key_file == certs + "/admin.key");
         CHECK(w.tls->client_ca_file == certs + "/ca.pem");
         CHECK(w.tls->client_auth == fc::ClientAuth::require_and_verify_client_cert);
         CHECK(w.tls->min_version == fc::TlsVersion::tls13);
         const std::map<std::string, std::string> users{{"alice", hash_2b}, {"bob", hash_2y}};
         CHECK(w.basic_auth_users == users);
       }},
      {"users_only.yaml",
       [](const fc::WebConfig& w) {
         CHECK_FALSE(w.tls);
         const std::map<std::string, std::string> users{{"prometheus", hash_2b}};
         CHECK(w.basic_auth_users == users);
       }},
      {"tls_only.yaml",
       [&](const fc::WebConfig& w) {
         REQUIRE(w.tls);
         CHECK(w.tls->cert_file == certs + "/ca.pem");
         CHECK(w.tls->client_ca_file.empty());
         CHECK(w.tls->client_auth == fc::ClientAuth::no_client_cert);
         CHECK(w.tls->min_version == fc::TlsVersion::tls12);
         CHECK(w.basic_auth_users.empty());
       }},
  };
  flywatch::config::test::check_good_files<fc::WebConfig>(
      "web/good", checks, [](const fs::path& p) { return load_web_config(p.string()); });
}

TEST_CASE("every bad web config is refused with its exact error, without its secrets") {
  flywatch::config::test::check_bad_files("web/bad", 16, [](const fs::path& p) {
    try {
      load_web_config(p.string());
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      CHECK_MESSAGE(what.find("SECRET") == std::string::npos, "leaks a password: " << what);
      CHECK_MESSAGE(what.find("abcdefghijklmnopqrstuu") == std::string::npos,
                    "leaks a hash: " << what);
      throw;
    }
  });
}

TEST_CASE("server.web_config_file: resolved against the config file, its errors point into it") {
  const std::string dir = testdata_dir();
  const std::string config_path = dir + "/main.yaml";  // never read: parse_config takes the text
  const auto cfg = flywatch::config::parse_config(
      "server:\n  listen: 127.0.0.1:9464\n  web_config_file: web/good/users_only.yaml\n",
      config_path, fake_env());
  CHECK(cfg.server.web_config_file == dir + "/web/good/users_only.yaml");
  CHECK_FALSE(cfg.server.web.tls);
  CHECK(cfg.server.web.basic_auth_users.size() == 1);

  const auto none = flywatch::config::parse_config("server:\n  listen: 127.0.0.1:9464\n",
                                                   config_path, fake_env());
  CHECK(none.server.web_config_file.empty());
  CHECK(none.server.web == fc::WebConfig{});

  const std::string bad = dir + "/web/bad/min_version_bad.yaml";
  try {
    flywatch::config::parse_config("server:\n  web_config_file: web/bad/min_version_bad.yaml\n",
                                   config_path, fake_env());
    FAIL("loaded a config whose web config is bad");
  } catch (const ConfigError& e) {
    CHECK(e.file() == bad);
    CHECK(std::string(e.what()) ==
          bad + ":5:16: tls_server_config.min_version: \"TLS11\" is not one of TLS12, TLS13");
  }
  try {
    flywatch::config::parse_config("server:\n  web_config_file: web/missing.yaml\n", config_path,
                                   fake_env());
    FAIL("loaded a config whose web config is missing");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == config_path + ":2:20: server.web_config_file: cannot read \"" +
                                       dir + "/web/missing.yaml\": No such file or directory");
  }
}

TEST_CASE("a web config is taken literally: no ${VAR} expansion, an empty document is empty") {
  const std::string path = web_dir() + "/inline.yaml";
  const auto w = flywatch::config::parse_web_config(std::string("basic_auth_users:\n  u: ") +
                                                        hash_2b + "\n",
                                                    path);
  CHECK(w.basic_auth_users.at("u") == hash_2b);
  CHECK(flywatch::config::parse_web_config("~\n", path) == fc::WebConfig{});
  try {
    flywatch::config::parse_web_config("", path);
    FAIL("an empty file loaded");
  } catch (const ConfigError& e) {
    CHECK(e.file() == path);
  }
}
