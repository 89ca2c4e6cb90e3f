#include "testdata_files.hpp"

#include <doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace flywatch::test {

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "flywatch-test-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_testdata_file(const std::string& relative) {
  const std::string path = std::string(FLYWATCH_TESTDATA) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::vector<std::string>> read_testdata_table(const std::string& relative) {
  std::istringstream in(read_testdata_file(relative));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> row;
    for (std::string f; fields >> f;) row.push_back(f);
    if (row.empty() || row[0].starts_with('#')) continue;
    rows.push_back(std::move(row));
  }
  REQUIRE_MESSAGE(!rows.empty(), relative << " has no rows");
  return rows;
}

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  return out;
}

}  // namespace flywatch::test
