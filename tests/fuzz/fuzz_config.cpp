// Fuzzer: the config loader (lib/config) on arbitrary text. parse_config — YAML parsing,
// ${VAR} expansion, every section's validation, the *_file reads — and parse_web_config must
// either return or throw ConfigError (DESIGN §11: bad config is refused with its position),
// never crash, hang or throw anything else; and an error message never holds the secret of
// tests/testdata/config/secrets/token.txt. Relative *_file paths resolve in
// tests/testdata/config, so the seeds' references to secrets/ and certs/ are found.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/web_config.hpp"
#include "fuzz_check.hpp"

namespace {

const std::string config_dir = std::string(FLYWATCH_TESTDATA) + "/config";

// A fixed environment: a few variables with awkward values, everything else unset.
std::optional<std::string> fake_env(const std::string& name) {
  if (name == "FW_HOST") return "api.example.test";
  if (name == "FW_PORT") return "8443";
  if (name == "FW_INTERVAL") return "30s";
  if (name == "FW_EMPTY") return "";
  if (name == "FW_NEWLINE") return "line1\r\nInjected: yes";
  if (name == "FW_TOKEN") return "env-token-value";
  return std::nullopt;
}

constexpr const char* file_secret = "file-SECRET-token-456";  // secrets/token.txt

void check_error(const flywatch::config::ConfigError& e, const std::string& text) {
  // Only the file's content counts: the text itself may hold the same words (and be quoted).
  const std::string what = e.what();
  flywatch::fuzz::require(what.find(file_secret) == std::string::npos ||
                              text.find(file_secret) != std::string::npos,
                          "a config error message holds the token file's secret");
  flywatch::fuzz::require(e.line() >= 0 && e.column() >= 0, "a config error position is >= 0");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flywatch::config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)parse_config(text, config_dir + "/fuzz.yaml", fake_env);
  } catch (const ConfigError& e) {
    check_error(e, text);
  }
  try {
    (void)parse_web_config(text, config_dir + "/web/fuzz.yaml");
  } catch (const ConfigError& e) {
    check_error(e, text);
  }
  return 0;
}
