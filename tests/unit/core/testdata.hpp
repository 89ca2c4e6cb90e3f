#pragma once
// Reads files under tests/testdata/core for table tests.

#include <string>
#include <vector>

namespace flywatch::core::test {

/// The whole of tests/testdata/core/<name>; fails the running test (and returns "") if unreadable.
std::string read_testdata(const std::string& name);

/// The non-empty lines of a table file that do not start with '#', split on white space.
std::vector<std::vector<std::string>> read_table(const std::string& name);

}  // namespace flywatch::core::test
