// The status page's building blocks (see the header).
#include "report/page_parts.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/rfc3339.hpp"
#include "report/html.hpp"

namespace flywatch::report::detail {

Html& Html::text(std::string_view text) {
  append_html_escaped(out_, text);
  return *this;
}

Html& Html::badge(std::string_view word) {
  raw("<span class=\"badge ").raw(tone_of(word)).raw("\">").text(word).raw("</span>");
  return *this;
}

Html& Html::chip(std::string_view text) {
  return raw("<span class=\"chip\">").text(text).raw("</span>");
}

Html& Html::age(const boost::json::value* rfc3339, time_point now) {
  const boost::json::string* s = rfc3339 == nullptr ? nullptr : rfc3339->if_string();
  if (s == nullptr) return raw(dash);
  const std::string_view t(s->data(), s->size());
  const auto ms = core::parse_rfc3339_ms(t);
  if (!ms) return text(t);
  // In milliseconds as integers: a year-9999 time would overflow system_clock's nanoseconds.
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto age = std::chrono::milliseconds(now_ms - *ms);
  raw("<time datetime=\"").text(t).raw("\" title=\"").text(t).raw("\">");
  return text(format_age(age)).raw(" ago</time>");
}

Html& Html::outcome(const boost::json::object& outcome) {
  if (!flag_at(outcome, "success")) {
    badge("failing").raw(" <span class=\"reason\">").text(failure_text(outcome));
    return raw("</span>");
  }
  badge("passing");
  // 0: no response line was read; null: a kind without HTTP.
  if (const std::string code = text_at(outcome, "status_code"); !code.empty() && code != "0") {
    raw(" ").text(code);
  }
  return *this;
}

Html& Html::cell(std::string_view css_class, std::string_view content) {
  return raw("<td class=\"").raw(css_class).raw("\">").text(content).raw("</td>");
}

Html& Html::open_table(std::string_view headers) {
  raw("<div class=\"scroll\"><table><thead><tr>");
  while (true) {
    const auto bar = headers.find('|');
    raw("<th>").raw(headers.substr(0, bar)).raw("</th>");
    if (bar == std::string_view::npos) break;
    headers.remove_prefix(bar + 1);
  }
  return raw("</tr></thead><tbody>\n");
}

const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v == nullptr ? nullptr : v->if_object();
}

const boost::json::array* array_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v == nullptr ? nullptr : v->if_array();
}

const boost::json::array& list_at(const boost::json::object& o, std::string_view key) {
  static const boost::json::array none;
  const auto* a = array_at(o, key);
  return a == nullptr ? none : *a;
}

std::string text_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (const auto* s = v->if_string()) return std::string(s->data(), s->size());
  if (const auto* i = v->if_int64()) return std::to_string(*i);
  if (const auto* u = v->if_uint64()) return std::to_string(*u);
  if (const auto* b = v->if_bool()) return *b ? "true" : "false";
  if (const auto* d = v->if_double()) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *d);
    return std::string(buf.data(), r.ptr);
  }
  return {};
}

std::optional<double> number_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  boost::system::error_code ec;
  const double d = v->to_number<double>(ec);
  return ec ? std::nullopt : std::optional(d);
}

bool flag_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::string failure_text(const boost::json::object& outcome) {
  if (flag_at(outcome, "success")) return {};
  std::string reason = text_at(outcome, "reason");
  const std::string error = text_at(outcome, "error");
  if (!error.empty()) reason += (reason.empty() ? "" : ": ") + error;
  return reason;
}

std::string format_seconds(std::optional<double> seconds) {
  if (!seconds || !(*seconds >= 0) || !std::isfinite(*seconds)) return std::string(dash);
  const double s = *seconds;
  char buf[48];
  if (s < 0.9995) {
    std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
  } else if (s < 59.995) {
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  } else if (s < 1e9) {  // beyond, a whole number of minutes would not fit a long long anyway
    const auto whole = static_cast<long long>(s + 0.5);
    std::snprintf(buf, sizeof buf, "%lldm %02llds", whole / 60, whole % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  }
  return buf;
}

std::string format_age(std::chrono::milliseconds age) {
  const long long s = std::max<long long>(0, age.count() / 1000);
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd %02lldh", s / 86400, s % 86400 / 3600);
  }
  return buf;
}

std::string_view tone_of(std::string_view word) {
  constexpr std::array<std::string_view, 4> ok{"up", "healthy", "passing", "awake"};
  constexpr std::array<std::string_view, 7> bad{"down",     "unhealthy", "failed", "failing",
                                                "critical", "abandoned", "error"};
  constexpr std::array<std::string_view, 12> warn{
      "starting", "started",  "stopping", "suspending", "updating", "pending",
      "unknown",  "slow",     "warning",  "skipped",    "held back", "replacing"};
  const auto in = [word](const auto& list) {
    for (const auto w : list) {
      if (w == word) return true;
    }
    return false;
  };
  if (in(ok)) return "ok";
  if (in(bad)) return "bad";
  if (in(warn)) return "warn";
  return "idle";
}

}  // namespace flywatch::report::detail
