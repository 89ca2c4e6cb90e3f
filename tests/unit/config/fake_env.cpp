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
  static const std::vector<std::string> v = {"SECRET", "tok-SECRET-env-123",
                                             "file-SECRET-token-456", "line1-SECRET"};
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

}  // namespace flywatch::config::test
