#pragma once
/// RFC 3339 timestamps → epoch milliseconds: the Machines API's `exited_at`, `updated_at` and
/// lenient timestamps, and the status document's own times (which format_rfc3339_ms writes).
/// Pure.

#include <cstdint>
#include <optional>
#include <string_view>

namespace flywatch::core {

/// Parses an RFC 3339 timestamp ("2023-10-31T02:30:10Z", "2026-08-31T23:08:10.528+02:00") into
/// epoch milliseconds (fraction truncated to ms). Accepts 't'/' ' for 'T' and 'z' for 'Z'.
/// Returns nullopt on anything else, including out-of-range fields (month 13, Feb 30, hour 24).
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace flywatch::core
