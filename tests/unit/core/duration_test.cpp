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

TEST_CASE("format_elapsed: a measured time truncated to whole milliseconds") {
  using std::chrono::nanoseconds;
  CHECK(fc::format_elapsed(nanoseconds{1'234'500'000}) == "1s234ms");
  CHECK(fc::format_elapsed(nanoseconds{999'999}) == "0s");
  CHECK(fc::format_elapsed(nanoseconds{250'000'000}) == "250ms");
  CHECK(fc::format_elapsed(nanoseconds{-1'500'900'000}) == "-1s500ms");
}

TEST_CASE("format_ms_count: whole milliseconds as bare digits, truncated toward zero") {
  using std::chrono::nanoseconds;
  CHECK(fc::format_ms_count(Millis{0}) == "0");
  CHECK(fc::format_ms_count(Millis{1'234}) == "1234");
  CHECK(fc::format_ms_count(Millis{-5}) == "-5");
  CHECK(fc::format_ms_count(Millis{std::numeric_limits<Millis::rep>::max()}) ==
        "9223372036854775807");
  CHECK(fc::format_ms_count(nanoseconds{1'999'999}) == "1");
  CHECK(fc::format_ms_count(nanoseconds{999'999}) == "0");
  CHECK(fc::format_ms_count(nanoseconds{-1'999'999}) == "-1");
}

TEST_CASE("format_ms_rounded: nearest whole millisecond with the unit") {
  using std::chrono::nanoseconds;
  CHECK(fc::format_ms_rounded(nanoseconds{0}) == "0ms");
  CHECK(fc::format_ms_rounded(nanoseconds{1'234'400'000}) == "1234ms");
  CHECK(fc::format_ms_rounded(nanoseconds{1'234'600'000}) == "1235ms");
  CHECK(fc::format_ms_rounded(nanoseconds{400'000}) == "0ms");
  CHECK(fc::format_ms_rounded(nanoseconds{2'500'000}) == "2ms");  // halves to even, as %.0f
  CHECK(fc::format_ms_rounded(nanoseconds{3'500'000}) == "4ms");
}

TEST_CASE("to_seconds: fractional seconds of any duration") {
  CHECK(fc::to_seconds(Millis{250}) == 0.25);
  CHECK(fc::to_seconds(std::chrono::nanoseconds{1'500'000'000}) == 1.5);
  CHECK(fc::to_seconds(std::chrono::seconds{15}) == 15.0);
  CHECK(fc::to_seconds(Millis{100}) == std::chrono::duration<double>(Millis{100}).count());
}
