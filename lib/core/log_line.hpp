#pragma once
/// Formats one log line (DESIGN §8). Pure: the caller supplies the time and writes the bytes.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flywatch::core {

enum class LogLevel { debug, info, warn, error };
std::string_view to_string(LogLevel l);
/// Parses "debug" | "info" | "warn" | "error"; false on anything else.
bool parse_log_level(std::string_view text, LogLevel& out);

enum class LogFormat { logfmt, json };
bool parse_log_format(std::string_view text, LogFormat& out);

/// Context keys in the order given (target, app, machine, region, from, to, reason, duration_ms, …).
using LogFields = std::vector<std::pair<std::string, std::string>>;

struct LogStyle {
  LogFormat format = LogFormat::logfmt;
  /// Under journald: no `ts` key, and the line starts with the syslog priority, e.g. "<4>".
  bool journald = false;
};

/// Returns one line, with its trailing '\n'. logfmt quotes values that contain spaces, '=',
/// '"' or control characters (and empty values) and escapes \" \\ \n \r \t, other controls as
/// \u00XX; characters in keys that would break the line become '_'. JSON escapes per RFC 8259,
/// all values are strings, and invalid UTF-8 becomes U+FFFD. `ts` is RFC 3339 UTC
/// with milliseconds, e.g. 2026-11-27T15:04:05.123Z.
std::string format_log_line(const LogStyle& style, std::chrono::system_clock::time_point ts,
                            LogLevel level, std::string_view msg, const LogFields& fields);

/// RFC 3339 UTC with milliseconds.
std::string format_rfc3339_ms(std::chrono::system_clock::time_point ts);

}  // namespace flywatch::core
