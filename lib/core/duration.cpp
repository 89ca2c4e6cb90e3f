#include "core/duration.hpp"

#include <array>
#include <cstdio>
#include <cstdint>
#include <limits>

namespace flywatch::core {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Largest first: format_duration walks them in this order, and parse_duration requires a
// concatenation to follow it so that each duration has one spelling ("1h30m", never "30m1h").
constexpr std::array<Unit, 5> units{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into `units` a following component may use
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) return std::nullopt;
    std::int64_t value = 0;
    while (i < text.size() && is_digit(text[i])) {
      const int digit = text[i] - '0';
      if (value > (max - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
      ++i;
    }
    const std::size_t unit_begin = i;
    while (i < text.size() && is_alpha(text[i])) ++i;
    const std::string_view suffix = text.substr(unit_begin, i - unit_begin);
    std::size_t u = next_unit;
    while (u < units.size() && units[u].suffix != suffix) ++u;
    if (u == units.size()) return std::nullopt;  // missing, unknown, repeated or out of order
    if (value > max / units[u].millis) return std::nullopt;
    const std::int64_t part = value * units[u].millis;
    if (part > max - total) return std::nullopt;
    total += part;
    next_unit = u + 1;
  }
  return Millis{total};
}

std::string format_duration(Millis d) {
  std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::string out;
  // Work in unsigned so that the most negative value has a magnitude.
  std::uint64_t rest = static_cast<std::uint64_t>(count);
  if (count < 0) {
    out += '-';
    rest = 0 - rest;
  }
  for (const Unit& unit : units) {
    const auto per = static_cast<std::uint64_t>(unit.millis);
    const std::uint64_t n = rest / per;
    if (n == 0) continue;
    out += std::to_string(n);
    out += unit.suffix;
    rest -= n * per;
  }
  return out;
}

std::string format_elapsed(std::chrono::nanoseconds d) {
  return format_duration(std::chrono::duration_cast<Millis>(d));
}

std::string format_ms_count(Millis d) { return std::to_string(d.count()); }

std::string format_ms_count(std::chrono::nanoseconds d) {
  return format_ms_count(std::chrono::duration_cast<Millis>(d));
}

std::string format_ms_rounded(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0fms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

}  // namespace flywatch::core
