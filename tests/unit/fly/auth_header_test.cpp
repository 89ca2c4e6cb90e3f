#include <doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "core/fly_token.hpp"

namespace flywatch::fly {
namespace {

// Rejoins table words with single spaces; "-" alone is the empty string.
std::string words(const std::vector<std::string>& row, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (!out.empty()) out += ' ';
    out += row[i];
  }
  return out == "-" ? std::string() : out;
}

TEST_CASE("fly_authorization_header: tokens.table, the header fly-go sends") {
  const auto rows = test::read_table("tokens.table");
  REQUIRE(rows.size() >= 20);
  for (const auto& row : rows) {
    std::size_t arrow = 0;
    while (arrow < row.size() && row[arrow] != "=>") ++arrow;
    const bool well_formed = arrow > 0 && arrow + 1 < row.size();
    REQUIRE_MESSAGE(well_formed, "bad row in tokens.table: " << words(row, 0, row.size()));
    const std::string token = words(row, 0, arrow);
    CAPTURE(token);
    CHECK(core::fly_authorization_header(token) == words(row, arrow + 1, row.size()));
  }
}

TEST_CASE("fly_authorization_header trims white space a token file leaves") {
  struct Row {
    const char* token;
    const char* header;
  };
  const Row rows[] = {
      // A token file's trailing newline (and CRLF, and stray blanks) must not reach the header.
      {"fm2_abc\n", "FlyV1 fm2_abc"},
      {"  abcdef\r\n", "Bearer abcdef"},
      {"\tFlyV1 fm2_abc \n", "FlyV1 fm2_abc"},
      {"flyv1   fm2_abc\n", "FlyV1 fm2_abc"},
      {"fm2_abc,\tfm2_def\r\n", "FlyV1 fm2_abc,fm2_def"},
      {"FlyV1 \n", ""},
      {"", ""},
      {" \n\t", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.token);
    CHECK(core::fly_authorization_header(row.token) == row.header);
  }
}

}  // namespace
}  // namespace flywatch::fly
