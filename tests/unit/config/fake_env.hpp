#pragma once
// The environment the config tests see: a fixed table, never the real environment.

#include <filesystem>
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

}  // namespace flywatch::config::test
