#include "core/cookie.hpp"

#include <array>
#include <limits>

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

// RFC 6265bis ignores a name and value over 4096 bytes; bounding the whole header is stricter
// and keeps a hostile server from making every later request carry huge attributes or values.
constexpr std::size_t max_header_bytes = 4096;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

// §5.2.2: a leading '-' or digit, then digits only. Out-of-range values saturate: they still
// mean "already expired" or "a very long time".
std::optional<std::int64_t> parse_max_age(std::string_view v) {
  const bool negative = !v.empty() && v.front() == '-';
  if (negative) v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max();
  std::int64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return std::nullopt;
    const int digit = c - '0';
    n = (n > (limit - digit) / 10) ? limit : n * 10 + digit;
  }
  return negative ? -n : n;
}

SameSite parse_same_site(std::string_view v) {
  if (ascii_iequals(v, "strict")) return SameSite::strict;
  if (ascii_iequals(v, "lax")) return SameSite::lax;
  if (ascii_iequals(v, "none")) return SameSite::none;
  return SameSite::unset;
}

void apply_attribute(SetCookie& c, std::string_view name, std::string_view value) {
  if (ascii_iequals(name, "expires")) {
    if (auto date = parse_cookie_date(value)) c.expires = date;
  } else if (ascii_iequals(name, "max-age")) {
    if (auto age = parse_max_age(value)) c.max_age = age;
  } else if (ascii_iequals(name, "domain")) {
    if (value.empty()) return;  // §5.2.3: the behaviour is undefined; 6265bis ignores it
    if (value.front() == '.') value.remove_prefix(1);
    c.domain = value.empty() ? std::nullopt : std::optional<std::string>(to_lower(value));
  } else if (ascii_iequals(name, "path")) {
    // §5.2.4: any other value means the default path, decided when the cookie is stored.
    c.path = (!value.empty() && value.front() == '/') ? std::optional<std::string>(value)
                                                      : std::nullopt;
  } else if (ascii_iequals(name, "secure")) {
    c.secure = true;
  } else if (ascii_iequals(name, "httponly")) {
    c.http_only = true;
  } else if (ascii_iequals(name, "samesite")) {
    c.same_site = parse_same_site(value);
    c.same_site_text = std::string(value);
  }
}

// §5.1.1 delimiters: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
bool is_date_delimiter(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
         (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

// Reads min..max digits at `pos` that are not followed by another digit.
std::optional<int> read_digits(std::string_view t, std::size_t& pos, std::size_t min,
                               std::size_t max) {
  std::size_t n = 0;
  int value = 0;
  while (pos + n < t.size() && is_digit(t[pos + n])) {
    if (++n > max) return std::nullopt;
    value = value * 10 + (t[pos + n - 1] - '0');
  }
  if (n < min) return std::nullopt;
  pos += n;
  return value;
}

// Each production matches a whole token or a prefix followed by a non-digit.
std::optional<int> match_number(std::string_view token, std::size_t min, std::size_t max) {
  std::size_t pos = 0;
  return read_digits(token, pos, min, max);
}

struct Hms {
  int hour, minute, second;
};
std::optional<Hms> match_time(std::string_view t) {
  std::size_t pos = 0;
  int field[3];
  for (int i = 0; i < 3; ++i) {
    const auto v = read_digits(t, pos, 1, 2);
    if (!v) return std::nullopt;
    field[i] = *v;
    if (i < 2) {
      if (pos >= t.size() || t[pos] != ':') return std::nullopt;
      ++pos;
    }
  }
  return Hms{field[0], field[1], field[2]};
}

std::optional<int> match_month(std::string_view t) {
  static constexpr std::array<std::string_view, 12> months = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3) return std::nullopt;
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (ascii_iequals(t.substr(0, 3), months[i])) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (month == 2 && is_leap(year)) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::string_view to_string(SameSite s) {
  switch (s) {
    case SameSite::unset: return "";
    case SameSite::strict: return "strict";
    case SameSite::lax: return "lax";
    case SameSite::none: return "none";
  }
  return "";
}

std::optional<SetCookie> parse_set_cookie(std::string_view header) {
  if (header.size() > max_header_bytes || has_control(header)) return std::nullopt;
  const std::size_t semi = header.find(';');
  const std::string_view pair = header.substr(0, semi);
  std::string_view attributes = semi == std::string_view::npos ? "" : header.substr(semi);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  SetCookie c;
  c.name = std::string(trim_wsp(pair.substr(0, eq)));
  c.value = std::string(trim_wsp(pair.substr(eq + 1)));
  if (c.name.empty()) return std::nullopt;
  while (!attributes.empty()) {
    attributes.remove_prefix(1);  // the ';'
    const std::size_t next = attributes.find(';');
    const std::string_view av = attributes.substr(0, next);
    attributes = next == std::string_view::npos ? "" : attributes.substr(next);
    const std::size_t av_eq = av.find('=');
    const std::string_view value =
        av_eq == std::string_view::npos ? std::string_view{} : trim_wsp(av.substr(av_eq + 1));
    apply_attribute(c, trim_wsp(av.substr(0, av_eq)), value);
  }
  return c;
}

std::optional<std::chrono::system_clock::time_point> parse_cookie_date(std::string_view text) {
  std::optional<Hms> time;
  std::optional<int> day, month, year;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_date_delimiter(text[i])) ++i;
    std::size_t end = i;
    while (end < text.size() && !is_date_delimiter(text[end])) ++end;
    const std::string_view token = text.substr(i, end - i);
    i = end;
    if (token.empty()) continue;
    // §5.1.1 step 2: a token is tried against each part not yet found, in this order.
    if (!time && (time = match_time(token))) continue;
    if (!day && (day = match_number(token, 1, 2))) continue;
    if (!month && (month = match_month(token))) continue;
    if (!year && (year = match_number(token, 2, 4))) continue;
  }
  if (!time || !day || !month || !year) return std::nullopt;
  std::int64_t y = *year;
  if (y >= 70 && y <= 99) y += 1900;
  if (y >= 0 && y <= 69) y += 2000;
  if (*day < 1 || *day > 31 || y < 1601 || time->hour > 23 || time->minute > 59 ||
      time->second > 59) {
    return std::nullopt;
  }
  if (*day > days_in_month(y, *month)) return std::nullopt;
  const std::int64_t seconds = days_from_civil(y, *month, *day) * 86400 + time->hour * 3600 +
                               time->minute * 60 + time->second;
  // Half the clock's range either way leaves room for `expiry - now` and `now + max_age`.
  using Clock = std::chrono::system_clock;
  const auto limit = std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max() / 2);
  const std::chrono::seconds s{seconds};
  if (s > limit) return Clock::time_point(std::chrono::duration_cast<Clock::duration>(limit));
  if (s < -limit) return Clock::time_point(std::chrono::duration_cast<Clock::duration>(-limit));
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(s));
}

}  // namespace flywatch::core
