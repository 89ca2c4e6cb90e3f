#pragma once
// The environment the config tests see: a fixed table, never the real environment.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace flywatch::config::test {

/// Looks names up in a fixed table (FW_HOST, FW_TOKEN, …; see fake_env.cpp).
EnvLookup fake_env();

/// Values that are secrets in the test data (from the fake environment and from
/// tests/testdata/config/secrets): none may appear in an error message.
const std::vector<std::string>& secret_values();

/// Absolute path of tests/testdata/config.
std::string testdata_dir();

/// The whole of a file (empty if unreadable).
std::string slurp(const std::filesystem::path& p);

/// The *.yaml files of tests/testdata/config/<subdir>, sorted.
std::vector<std::filesystem::path> yaml_files(const std::string& subdir);

/// `# expect: LINE:COL: message` on the first line of `p`, `{dir}` → the file's directory.
std::string expected_error(const std::filesystem::path& p);

/// Table test over tests/testdata/config/<subdir>/*.yaml (at least `min_count` files): `load`
/// must throw ConfigError for each, rendered `file:LINE:COL: message` with exactly
/// `expected(file)` after the file name, and no secret_values() in it.
void check_bad_files(const std::string& subdir, std::size_t min_count,
                     const std::function<void(const std::filesystem::path&)>& load,
                     const std::function<std::string(const std::filesystem::path&)>& expected =
                         expected_error);

}  // namespace flywatch::config::test
