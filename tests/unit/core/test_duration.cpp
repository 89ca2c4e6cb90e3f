#include "core/duration.hpp"

#include <doctest.h>

#include <limits>

#include "testdata.hpp"

namespace fc = flywatch::core;
using fc::Millis;

TEST_CASE("parse_duration: table in durations.txt") {
  const auto rows = fc::test::read_table("durations.txt");
  CHECK(rows.size() >= 30);
  for (const auto& row : rows) {
    REQUIRE_MESSAGE(row.size() == 2, "bad row starting " << row[0]);
    const std::string input = row[0] == "EMPTY" ? "" : row[0];
    CAPTURE(input);
    const auto got = fc::parse_duration(input);
    if (row[1] == "error") {
      CHECK_MESSAGE(!got.has_value(), "parsed as " << (got ? got->count() : 0));
    } else {
      const long long want = std::stoll(row[1]);
      REQUIRE(got.has_value());
      CHECK(got->count() == want);
      // format_duration writes a form parse_duration reads back to the same value.
      const std::string formatted = fc::format_duration(*got);
      CAPTURE(formatted);
      const auto again = fc::parse_duration(formatted);
      REQUIRE(again.has_value());
      CHECK(*again == *got);
    }
  }
}

TEST_CASE("parse_duration rejects white space anywhere") {
  CHECK_FALSE(fc::parse_duration(" 15s"));
  CHECK_FALSE(fc::parse_duration("15s "));
  CHECK_FALSE(fc::parse_duration("15 s"));
  CHECK_FALSE(fc::parse_duration("1h 30m"));
  CHECK_FALSE(fc::parse_duration(std::string_view("15s\0", 4)));
}

TEST_CASE("format_duration: shortest exact form") {
  CHECK(fc::format_duration(Millis{250}) == "250ms");
  CHECK(fc::format_duration(Millis{15'000}) == "15s");
  CHECK(fc::format_duration(Millis{90'000}) == "1m30s");
  CHECK(fc::format_duration(Millis{300'000}) == "5m");
  CHECK(fc::format_duration(Millis{3'600'000}) == "1h");
  CHECK(fc::format_duration(Millis{14LL * 86'400'000}) == "14d");
  CHECK(fc::format_duration(Millis{1'500}) == "1s500ms");
  CHECK(fc::format_duration(Millis{86'400'001}) == "1d1ms");
  CHECK(fc::format_duration(Millis{0}) == "0s");
  CHECK(fc::format_duration(Millis{-1'500}) == "-1s500ms");
  CHECK(fc::format_duration(Millis{std::numeric_limits<Millis::rep>::max()}) ==
        "106751991167d7h12m55s807ms");
  // The most negative value has no positive counterpart in int64.
  CHECK(fc::format_duration(Millis{std::numeric_limits<Millis::rep>::min()}) ==
        "-106751991167d7h12m55s808ms");
}
