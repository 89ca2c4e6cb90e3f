#pragma once
/// Durations as text, in one place: as written in flywatch config files (`250ms`, `15s`, `5m`,
/// `1h`, `14d`), as whole milliseconds in `*_ms` log fields, and as `flywatch check` shows times.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

using Millis = std::chrono::milliseconds;

/// Parses one non-negative integer followed by a unit (ms, s, m, h, d), optionally several
/// concatenated (`1h30m`), largest unit first and each unit at most once. Returns nullopt on
/// anything else: empty text, a missing or unknown unit (units are lower-case), units out of
/// order or repeated, a sign, a fraction, white space, or a value that overflows 64-bit
/// milliseconds.
std::optional<Millis> parse_duration(std::string_view text);

/// Formats the shortest exact form, which parse_duration reads back: 250ms, 15s, 90s → 1m30s,
/// 14d, 1500ms → 1s500ms, zero → 0s (negative values get a leading '-').
std::string format_duration(Millis d);

/// A measured time (e.g. a probe's latency) in format_duration's form, truncated toward zero to
/// whole milliseconds: 1.2345 s → 1s234ms, 0.4 ms → 0s.
std::string format_elapsed(std::chrono::nanoseconds d);

/// The whole milliseconds in `d`, truncated toward zero, as bare decimal digits: the value of the
/// `*_ms` log fields ("1234", "-5", "0").
std::string format_ms_count(Millis d);
std::string format_ms_count(std::chrono::nanoseconds d);

/// `d` rounded to the nearest whole millisecond (halves to even, as printf's %.0f) followed by
/// "ms": "1235ms", "0ms". The TIME column of `flywatch check`.
std::string format_ms_rounded(std::chrono::nanoseconds d);

/// `d` in seconds, fractional: the value of `*_seconds` JSON fields and of metrics.
template <class Rep, class Period>
double to_seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace flywatch::core
