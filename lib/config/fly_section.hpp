#pragma once
/// The `fly:` section of a config file (DESIGN §4, §5): the Machines API endpoint, its token and
/// the apps to watch. Parsed and validated here; load_config does not accept `fly:` yet.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace flywatch::config {

/// What to do when every machine of an app is stopped or suspended (DESIGN §5).
enum class WhenAsleep {
  skip,        ///< send no probe; the app is reported `asleep`, not down (the default)
  probe,       ///< probe regardless (wakes the app)
  wake_every,  ///< wake the app on purpose every `wake_every` and time the wake-up
};

/// One `fly.apps[]` entry, with defaults applied.
struct FlyApp {
  std::string name;    ///< Fly app name: 1-63 characters of [a-z0-9-]
  /// The config target probed through this app's machines; empty when none. When set it
  /// names an entry of Config::targets.
  std::string target;
  WhenAsleep when_asleep = WhenAsleep::skip;
  /// Set exactly when when_asleep is wake_every; then at least FlyConfig::poll_interval.
  std::optional<Millis> wake_every;
  Millis cold_start_slo{10'000};
  int line = 0;  ///< config line of the entry, for messages
};

/// The whole `fly:` section.
struct FlyConfig {
  std::string api_url = "https://api.machines.dev";  ///< as written (after ${VAR} expansion)
  std::string api_scheme = "https";                  ///< "http" or "https"
  std::string api_host = "api.machines.dev";         ///< IPv6 literals without brackets
  std::uint16_t api_port = 443;                      ///< explicit or the scheme default
  /// The URL's path without its trailing '/': "" for `https://api.machines.dev/`, so request
  /// paths are api_base_path + "/v1/apps/...".
  std::string api_base_path;
  /// The API token (`token:` or the content of `token_file:`). A secret: never in a message.
  std::string token;
  Millis poll_interval{5'000};
  std::vector<FlyApp> apps;  ///< at least one, names unique
};

/// Parses a YAML document holding an optional top-level `targets:` (as in a config file, with
/// the built-in defaults) and a required `fly:`, and nothing else, and returns the validated
/// fly section. `path` labels messages and anchors a relative `token_file`; `getenv` expands
/// `${VAR}`. Throws ConfigError (file:line:column) on the first problem; no message contains
/// the token. The entry point for tests until load_config accepts `fly:`.
FlyConfig parse_fly_config(const std::string& text, const std::string& path, EnvLookup getenv);

namespace detail {

class Reader;
struct Field;

/// Parses the `fly:` field of a config file. `targets` are the already parsed targets that
/// `apps[].target` may name. Throws ConfigError through `reader`.
FlyConfig parse_fly_section(const Reader& reader, const Field& field,
                            const std::vector<Target>& targets);

}  // namespace detail

}  // namespace flywatch::config
