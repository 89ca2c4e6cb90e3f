#include "testdata.hpp"

#include <doctest.h>

#include <fstream>
#include <sstream>

namespace flywatch::core::test {

std::string read_testdata(const std::string& name) {
  const std::string path = std::string(FLYWATCH_TESTDATA) + "/core/" + name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::vector<std::string>> read_table(const std::string& name) {
  std::istringstream in(read_testdata(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> row;
    for (std::string f; fields >> f;) row.push_back(f);
    if (row.empty() || row[0].starts_with('#')) continue;
    rows.push_back(std::move(row));
  }
  REQUIRE_MESSAGE(!rows.empty(), name << " has no rows");
  return rows;
}

}  // namespace flywatch::core::test
