#include "core/log_line.hpp"

#include "core/utf8.hpp"

#include <cstdint>
#include <cstdio>

namespace flywatch::core {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned code) {
  out += "\\u00";
  out += hex_digits[(code >> 4) & 0xf];
  out += hex_digits[code & 0xf];
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The backslash escapes logfmt and JSON share; false (nothing appended) for any other character.
bool append_short_escape(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return true;
    case '\\': out += "\\\\"; return true;
    case '\n': out += "\\n"; return true;
    case '\r': out += "\\r"; return true;
    case '\t': out += "\\t"; return true;
    default: return false;
  }
}

// ---- logfmt ----

bool logfmt_needs_quotes(std::string_view v) {
  if (v.empty()) return true;  // `key=""` reads better than a dangling `key=`
  for (char c : v) {
    if (c == ' ' || c == '=' || c == '"' || is_control(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

void append_logfmt_value(std::string& out, std::string_view v) {
  if (!logfmt_needs_quotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (append_short_escape(out, c)) continue;
    if (is_control(static_cast<unsigned char>(c))) {
      append_u_escape(out, static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
}

// Keys come from code, but a key with a space or '=' would corrupt the whole line.
void append_logfmt_key(std::string& out, std::string_view k) {
  if (k.empty()) {
    out += '_';
    return;
  }
  for (char c : k) {
    const auto u = static_cast<unsigned char>(c);
    out += (c == ' ' || c == '=' || c == '"' || is_control(u)) ? '_' : c;
  }
}

void append_logfmt_pair(std::string& out, bool& first, std::string_view k, std::string_view v) {
  if (!first) out += ' ';
  first = false;
  append_logfmt_key(out, k);
  out += '=';
  append_logfmt_value(out, v);
}

// ---- JSON ----

// RFC 8259 string; invalid UTF-8 becomes U+FFFD so that every line stays valid JSON.
void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t n = utf8_sequence_length(v, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(v, i, n);
        i += n;
      }
      continue;
    }
    ++i;
    if (append_short_escape(out, c)) continue;
    switch (c) {
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          append_u_escape(out, u);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_json_pair(std::string& out, std::string_view k, std::string_view v) {
  if (out.back() != '{') out += ',';
  append_json_string(out, k);
  out += ':';
  append_json_string(out, v);
}

// syslog priorities as sd-daemon(3) reads them from the start of a line.
std::string_view journald_prefix(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "<7>";
    case LogLevel::info: return "<6>";
    case LogLevel::warn: return "<4>";
    case LogLevel::error: return "<3>";
  }
  return "<6>";
}

}  // namespace

std::string_view to_string(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

bool parse_log_level(std::string_view text, LogLevel& out) {
  for (LogLevel l : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (text == to_string(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

bool parse_log_format(std::string_view text, LogFormat& out) {
  if (text == "logfmt") {
    out = LogFormat::logfmt;
    return true;
  }
  if (text == "json") {
    out = LogFormat::json;
    return true;
  }
  return false;
}

std::string format_rfc3339_ms(std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(ts);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string format_log_line(const LogStyle& style, std::chrono::system_clock::time_point ts,
                            LogLevel level, std::string_view msg, const LogFields& fields) {
  std::string out;
  out.reserve(64 + msg.size() + fields.size() * 24);
  if (style.journald) out += journald_prefix(level);
  if (style.format == LogFormat::json) {
    out += '{';
    if (!style.journald) append_json_pair(out, "ts", format_rfc3339_ms(ts));
    append_json_pair(out, "level", to_string(level));
    append_json_pair(out, "msg", msg);
    for (const auto& [k, v] : fields) append_json_pair(out, k, v);
    out += "}\n";
  } else {
    bool first = true;
    if (!style.journald) append_logfmt_pair(out, first, "ts", format_rfc3339_ms(ts));
    append_logfmt_pair(out, first, "level", to_string(level));
    append_logfmt_pair(out, first, "msg", msg);
    for (const auto& [k, v] : fields) append_logfmt_pair(out, first, k, v);
    out += '\n';
  }
  return out;
}

}  // namespace flywatch::core
