#pragma once
/// Durations as written in flywatch config files: `250ms`, `15s`, `5m`, `1h`, `14d`.

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

}  // namespace flywatch::core
