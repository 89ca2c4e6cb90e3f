#pragma once
// The environment the config tests see: a fixed table, never the real environment.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
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

/// Table test over tests/testdata/config/<subdir>/*.yaml (at least one): `names` must be exactly
/// the files' names, and `load_and_check(file)` is run for each; a ConfigError fails the case
/// with its message.
void check_good_files(const std::string& subdir, const std::set<std::string>& names,
                      const std::function<void(const std::filesystem::path&)>& load_and_check);

/// The same with one check per file name, each given what `load(file)` returned (a Config, a
/// FlyConfig, …).
template <class T, class Load>
void check_good_files(const std::string& subdir,
                      const std::map<std::string, std::function<void(const T&)>>& checks,
                      const Load& load) {
  std::set<std::string> names;
  for (const auto& entry : checks) names.insert(entry.first);
  check_good_files(subdir, names, [&](const std::filesystem::path& p) {
    const T loaded = load(p);
    checks.at(p.filename().string())(loaded);
  });
}

}  // namespace flywatch::config::test
