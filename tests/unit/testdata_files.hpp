#pragma once
// Reads files under tests/testdata for table tests; shared by every unit-test executable.

#include <cstdio>
#include <string>
#include <vector>

namespace flywatch::test {

/// The whole of tests/testdata/<relative>; fails the running test (and returns "") if unreadable.
std::string read_testdata_file(const std::string& relative);

/// The non-empty lines of tests/testdata/<relative> that do not start with '#', split on white
/// space. Fails the running test if there are none.
std::vector<std::vector<std::string>> read_testdata_table(const std::string& relative);

/// Everything written to `f` so far (flushed and rewound first): a test's log sink read back.
std::string read_all(std::FILE* f);

}  // namespace flywatch::test
