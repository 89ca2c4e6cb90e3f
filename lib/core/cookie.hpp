#pragma once
/// One Set-Cookie header value as data (RFC 6265 §5.2) and the cookie-date algorithm
/// (§5.1.1). Pure: parsing decides nothing about storage, which is core/cookie_jar.hpp's job.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

/// The SameSite attribute (RFC 6265bis); `unset` when absent or not a known value.
enum class SameSite { unset, strict, lax, none };

/// "", "strict", "lax" or "none".
std::string_view to_string(SameSite s);

/// One Set-Cookie header value parsed per RFC 6265 §5.2: attribute names are case-insensitive,
/// unknown attributes are ignored, and among the attributes that are kept the last occurrence
/// wins. An attribute the RFC says to ignore (an empty Domain, a bad Max-Age, an unparsable
/// Expires) leaves an earlier occurrence in place; a Path that does not start with '/' counts
/// as an occurrence meaning "the default path", so it unsets an earlier Path.
struct SetCookie {
  std::string name;   ///< white space trimmed, never empty
  std::string value;  ///< white space trimmed; double quotes are kept as sent
  /// Leading '.' removed, lower-cased; unset if absent or empty.
  std::optional<std::string> domain;
  /// Unset if absent or not starting with '/'.
  std::optional<std::string> path;
  /// Seconds, may be <= 0 (a deletion); saturates at the int64 range; unset if absent or invalid.
  std::optional<std::int64_t> max_age;
  /// The §5.1.1 date; unset if absent or unparsable.
  std::optional<std::chrono::system_clock::time_point> expires;
  bool secure = false;
  bool http_only = false;
  /// `unset` when absent or when the value is not strict, lax or none (case-insensitive).
  SameSite same_site = SameSite::unset;
  /// The SameSite value as sent (trimmed), "" when absent: a check can show an unknown one.
  std::string same_site_text;
};

/// Parses one Set-Cookie header value. nullopt when the RFC says to ignore the header (no '='
/// in the name-value pair, an empty name), when it is over 4096 bytes, or when it holds a
/// control character other than tab (RFC 6265bis ignores those too: such a value could split
/// the Cookie header it would later be sent in).
std::optional<SetCookie> parse_set_cookie(std::string_view header_value);

/// The RFC 6265 §5.1.1 cookie-date algorithm: tokens in any order, e.g.
/// "Wed, 21 Oct 2015 07:28:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" or the asctime form
/// "Sun Nov  6 08:49:37 1994"; 2-digit years 70–99 mean 19xx and 0–69 mean 20xx. nullopt when a
/// part is missing, out of range (day 1–31, hour ≤ 23, minute and second ≤ 59, year ≥ 1601) or
/// the date does not exist (Feb 30). The time is UTC whatever zone is written. Dates beyond what
/// system_clock holds with room for arithmetic (about 146 years either side of 1970 with
/// nanosecond ticks) are clamped to that range.
std::optional<std::chrono::system_clock::time_point> parse_cookie_date(std::string_view text);

}  // namespace flywatch::core
