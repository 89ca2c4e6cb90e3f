#pragma once
// The environment the config tests see: a fixed table, never the real environment.

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

}  // namespace flywatch::config::test
