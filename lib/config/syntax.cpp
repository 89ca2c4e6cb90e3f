#include "config/syntax.hpp"

#include <boost/url.hpp>

namespace flywatch::config::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool is_tchar(char c) {
  if (is_digit(c) || is_alpha(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

std::optional<std::uint64_t> parse_digits(std::string_view s, std::uint64_t limit) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > limit) return std::nullopt;
  }
  return v;
}

}  // namespace

bool is_valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c) && !is_alpha(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_http_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_method(std::string_view s) {
  if (!is_http_token(s)) return false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return false;
  }
  return true;
}

bool has_control_char(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

std::optional<std::size_t> parse_size(std::string_view s, std::size_t limit) {
  std::size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  const std::string_view unit = s.substr(digits);
  std::uint64_t multiplier = 0;
  if (unit == "B")
    multiplier = 1;
  else if (unit == "KiB")
    multiplier = 1024;
  else if (unit == "MiB")
    multiplier = 1024 * 1024;
  else
    return std::nullopt;
  // Any count beyond limit is already too big; checking it first keeps the product in range.
  const auto count = parse_digits(s.substr(0, digits), limit);
  if (!count || *count * multiplier > limit) return std::nullopt;
  return static_cast<std::size_t>(*count * multiplier);
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  const auto v = parse_digits(s, 65535);
  if (!v) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

std::optional<ListenAddress> parse_listen(std::string_view s, std::string& error) {
  ListenAddress out;
  std::string_view port_text;
  if (s.starts_with('[')) {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      error = "expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464";
      return std::nullopt;
    }
    const std::string_view host = s.substr(1, close - 1);
    if (!boost::urls::parse_ipv6_address(host)) {
      error = "\"" + std::string(host) + "\" is not an IPv6 address";
      return std::nullopt;
    }
    out.host = std::string(host);
    port_text = s.substr(close + 2);
  } else {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = "expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464";
      return std::nullopt;
    }
    const std::string_view host = s.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      error = "an IPv6 address must be in brackets, e.g. [::1]:9464";
      return std::nullopt;
    }
    if (host != "localhost" && !boost::urls::parse_ipv4_address(host)) {
      error = "host \"" + std::string(host) + "\" must be an IP address or localhost";
      return std::nullopt;
    }
    out.host = std::string(host);
    port_text = s.substr(colon + 1);
  }
  const auto port = parse_port(port_text);
  if (!port) {
    error = "port must be a number from 0 to 65535";
    return std::nullopt;
  }
  out.port = *port;
  return out;
}

}  // namespace flywatch::config::detail
