#pragma once
// Reads files under tests/testdata for table tests; shared by every unit-test executable.

#include <cstdio>
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

/// A fresh directory under the system temp dir, removed with everything in it; fails the
/// running test if it cannot be made.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace flywatch::test
