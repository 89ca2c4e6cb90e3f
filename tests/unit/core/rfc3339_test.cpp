#include <doctest.h>

#include <cstdint>
#include <optional>

#include "core/rfc3339.hpp"

namespace flywatch::core {
namespace {

TEST_CASE("parse_rfc3339_ms reads valid timestamps") {
  // Expected values computed independently with `date -u -d <text> +%s%3N`.
  struct Row {
    const char* text;
    std::int64_t ms;
  };
  const Row rows[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2023-10-31T02:30:10Z", 1698719410000},
      {"2026-08-31T23:08:10.528Z", 1788217690528},
      {"2025-11-27T16:41:07.299Z", 1764261667299},
      {"2025-11-27T17:41:07.299+01:00", 1764261667299},
      {"2025-11-27T11:11:07.299-05:30", 1764261667299},
      {"2025-11-27t16:41:07.2999999z", 1764261667299},  // extra digits truncate
      {"2025-11-27 16:41:07.3Z", 1764261667300},
      {"2024-02-29T00:00:00Z", 1709164800000},  // leap day
      {"2000-03-01T00:00:00Z", 951868800000},
      {"1969-12-31T23:59:59Z", -1000},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    const auto ms = parse_rfc3339_ms(row.text);
    REQUIRE(ms.has_value());
    CHECK(*ms == row.ms);
  }
}

TEST_CASE("parse_rfc3339_ms refuses anything else") {
  const char* bad[] = {
      "",
      "2025-11-27",
      "2025-11-27T16:41:07",          // no zone
      "2025-11-27T16:41:07.Z",        // empty fraction
      "2025-13-01T00:00:00Z",         // month 13
      "2025-02-29T00:00:00Z",         // not a leap year
      "2025-04-31T00:00:00Z",
      "2025-11-27T24:00:00Z",
      "2025-11-27T16:60:00Z",
      "2025-11-27T16:41:07+0100",     // offset without colon
      "2025-11-27T16:41:07Zjunk",
      "2025-11-27X16:41:07Z",
      "2025/11/27T16:41:07Z",
      "+025-11-27T16:41:07Z",
      "1764261667299",
      "yesterday",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339_ms(text).has_value());
  }
}

}  // namespace
}  // namespace flywatch::core
