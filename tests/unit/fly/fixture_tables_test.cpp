// Table tests: tests/testdata/fly/outcomes.table (whole-document results) and machines.table
// (field by field).
#include <doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "fly/machine_json.hpp"

namespace flywatch::fly::test {
namespace {

struct Parsed {
  bool ok = false;
  std::string error;
  std::vector<std::string> warnings;
  std::vector<core::MachineSnapshot> machines;  // for "events", one machine holding them
};

Parsed run_parser(const std::string& file, const std::string& parser) {
  const std::string body = read_fixture(file);
  Parsed p;
  if (parser == "list") {
    auto r = parse_machine_list(body, p.error, &p.warnings);
    if (r) p.machines = std::move(*r);
    p.ok = r.has_value();
  } else if (parser == "machine") {
    auto r = parse_machine(body, p.error, &p.warnings);
    if (r) p.machines.push_back(std::move(*r));
    p.ok = r.has_value();
  } else if (parser == "events") {
    auto r = parse_events(body, p.error, &p.warnings);
    if (r) {
      p.machines.emplace_back();
      p.machines.back().events = std::move(*r);
    }
    p.ok = r.has_value();
  } else {
    FAIL("unknown parser " << parser);
  }
  return p;
}

std::string rest_of(const std::vector<std::string>& row, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < row.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += row[i];
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

TEST_CASE("fixture outcomes table") {
  const auto rows = read_table("outcomes.table");
  for (const auto& row : rows) {
    REQUIRE_MESSAGE(row.size() >= 5, "short row in outcomes.table: " << rest_of(row, 0));
    const std::string& file = row[0];
    const std::string& parser = row[1];
    CAPTURE(file);
    CAPTURE(parser);
    const Parsed p = run_parser(file, parser);
    if (row[2] == "ok") {
      CHECK_MESSAGE(p.ok, "error: " << p.error);
      if (!p.ok) continue;
      const std::size_t count = parser == "events" ? p.machines.at(0).events.size()
                                                   : p.machines.size();
      CHECK(std::to_string(count) == row[3]);
      CHECK_MESSAGE(std::to_string(p.warnings.size()) == row[4], "warnings:" << joined(p.warnings));
    } else {
      REQUIRE(row[2] == "fail");
      CHECK_FALSE(p.ok);
      const std::string words = rest_of(row, 5);
      CHECK_MESSAGE(p.error.find(words) != std::string::npos,
                    "error \"" << p.error << "\" lacks \"" << words << "\"");
    }
  }
}

TEST_CASE("fixture machines table") {
  const auto rows = read_table("machines.table");
  for (const auto& row : rows) {
    REQUIRE_MESSAGE(row.size() >= 5, "short row in machines.table: " << rest_of(row, 0));
    const std::string& file = row[0];
    const std::string& parser = row[1];
    const std::string& field = row[3];
    CAPTURE(file);
    CAPTURE(field);
    const Parsed p = run_parser(file, parser);
    REQUIRE_MESSAGE(p.ok, "error: " << p.error);
    const std::size_t index = parser == "list" ? std::stoul(row[2]) : 0;
    REQUIRE_MESSAGE(index < p.machines.size(), "no machine " << index);
    CHECK(machine_field(p.machines[index], field) == rest_of(row, 4));
  }
}

}  // namespace
}  // namespace flywatch::fly::test
