#pragma once
/// Durations as written in flywatch config files: `250ms`, `15s`, `5m`, `1h`, `14d`.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

using Millis = std::chrono::milliseconds;

/// Parses one non-negative integer followed by a unit (ms, s, m, h, d), optionally several
/// concatenated (`1h30m`). Returns nullopt on anything else: empty text, a missing or unknown
/// unit, a sign, a fraction, white space, or a value that overflows 64-bit milliseconds.
std::optional<Millis> parse_duration(std::string_view text);

/// Formats the shortest exact form: 250ms, 15s, 90s → 1m30s, 14d.
std::string format_duration(Millis d);

}  // namespace flywatch::core
