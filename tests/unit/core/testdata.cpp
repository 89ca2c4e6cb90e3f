#include "testdata.hpp"

#include "testdata_files.hpp"

namespace flywatch::core::test {

std::string read_testdata(const std::string& name) {
  return flywatch::test::read_testdata_file("core/" + name);
}

std::vector<std::vector<std::string>> read_table(const std::string& name) {
  return flywatch::test::read_testdata_table("core/" + name);
}

}  // namespace flywatch::core::test
