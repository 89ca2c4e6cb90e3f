#pragma once
// Reads files under tests/testdata for table tests; shared by every unit-test executable.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

/// A fresh directory under /tmp named after `prefix`, removed with everything in it at the end
/// of its scope.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace flywatch::test
