#include <doctest.h>

#include "fake_env.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace flywatch::config::test {

namespace {

const std::map<std::string, std::string>& table() {
  static const std::map<std::string, std::string> t = {
      {"FW_HOST", "api.example.test"},
      {"FW_PORT", "8443"},
      {"FW_INTERVAL", "30s"},
      {"FW_BAD_DURATION", "15x"},
      {"FW_EMPTY", ""},
      {"FW_TOKEN", "tok-SECRET-env-123"},
      {"FW_NEWLINE", "line1-SECRET\r\nInjected: yes"},
      {"FW_SHARD_INDEX", "1"},
  };
  return t;
}

}  // namespace

EnvLookup fake_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const auto it = table().find(name);
    if (it == table().end()) return std::nullopt;
    return it->second;
  };
}

const std::vector<std::string>& secret_values() {
  static const std::vector<std::string> v = {
      "SECRET", "tok-SECRET-env-123", "file-SECRET-token-456", "line1-SECRET",
      "whsec_Zmx5d2F0Y2gtU0VDUkVULXRlc3Qta2V5LTMyYnl0ZXM="};  // secrets/webhook_secret.txt
  return v;
}

std::string testdata_dir() { return std::string(FLYWATCH_TESTDATA) + "/config"; }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::filesystem::path> yaml_files(const std::string& subdir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(testdata_dir() + "/" + subdir)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string expected_error(const std::filesystem::path& p) {
  const std::string text = slurp(p);
  const std::string prefix = "# expect: ";
  const std::string first = text.substr(0, text.find('\n'));
  REQUIRE_MESSAGE(first.starts_with(prefix), p.string() << ": first line must be '# expect: ...'");
  std::string expected = first.substr(prefix.size());
  const std::string dir = p.parent_path().string();
  for (std::size_t at; (at = expected.find("{dir}")) != std::string::npos;) {
    expected.replace(at, 5, dir);
  }
  return expected;
}

void check_bad_files(const std::string& subdir, std::size_t min_count,
                     const std::function<void(const std::filesystem::path&)>& load,
                     const std::function<std::string(const std::filesystem::path&)>& expected_of) {
  const auto files = yaml_files(subdir);
  CHECK(files.size() >= min_count);
  for (const auto& p : files) {
    CAPTURE(p.string());
    const std::string expected = expected_of(p);
    try {
      load(p);
      FAIL_CHECK("loaded without error; expected: " << expected);
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      const std::string prefix = p.string() + ":";
      REQUIRE(what.starts_with(prefix));
      CHECK(what.substr(prefix.size()) == expected);
      CHECK(e.file() == p.string());
      CHECK(what == p.string() + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) +
                        ": " + e.message());
      for (const std::string& secret : secret_values()) {
        CHECK_MESSAGE(what.find(secret) == std::string::npos, "error leaks a secret: " << what);
      }
    }
  }
}

void check_good_files(const std::string& subdir, const std::set<std::string>& names,
                      const std::function<void(const std::filesystem::path&)>& load_and_check) {
  const auto files = yaml_files(subdir);
  CHECK_FALSE(files.empty());
  CHECK(files.size() == names.size());
  for (const auto& p : files) {
    CAPTURE(p.string());
    REQUIRE_MESSAGE(names.count(p.filename().string()) == 1,
                    "no checks written for " << p.filename());
    try {
      load_and_check(p);
    } catch (const ConfigError& e) {
      FAIL(std::string(e.what()));
    }
  }
}

}  // namespace flywatch::config::test
