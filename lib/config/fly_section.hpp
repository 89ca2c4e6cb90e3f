#pragma once
/// Parsing of the `fly:` section of a config file (DESIGN §4, §5): the Machines API endpoint, its
/// token and the apps to watch. The structs it fills (FlyConfig, FlyApp) live in config.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace flywatch::config {

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
