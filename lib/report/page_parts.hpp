#pragma once
/// The pieces the status page's sections are made of: an HTML builder that escapes all text
/// (report/html.hpp), lenient reads of the status document's JSON (a missing or mistyped field
/// shows as a dash, never as an exception), and how durations, ages and states are shown. Pure.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace flywatch::report::detail {

using time_point = std::chrono::system_clock::time_point;

/// What a cell shows when there is nothing to show.
inline constexpr std::string_view dash = "\xe2\x80\x94";  // U+2014

/// Appends markup: raw() takes flywatch's own literal markup only; text() escapes.
class Html {
 public:
  Html& raw(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  Html& text(std::string_view text);
  /// <span class="badge TONE">word</span>, TONE from tone_of(word).
  Html& badge(std::string_view word);
  /// <span class="chip">text</span>.
  Html& chip(std::string_view text);
  /// A time as its age at `now`: <time datetime="T" title="T">3m 05s ago</time>; an unreadable
  /// time as its text; a missing one as a dash.
  Html& age(const boost::json::value* rfc3339, time_point now);
  /// A probe outcome (engine/outcome_json): a "passing" badge and its HTTP status, or a
  /// "failing" badge and <span class="reason">reason: error</span>.
  Html& outcome(const boost::json::object& outcome);
  /// <td class="CLASS">text</td> (CLASS: a literal).
  Html& cell(std::string_view css_class, std::string_view content);
  /// <section id="ID"><h2>TITLE</h2> (both literals).
  Html& open_section(std::string_view id, std::string_view title) {
    return raw("<section id=\"").raw(id).raw("\"><h2>").raw(title).raw("</h2>\n");
  }
  /// <table><thead><tr><th>…</th></tr></thead><tbody> inside a scrolling box; `headers` are
  /// literals separated by '|'.
  Html& open_table(std::string_view headers);
  Html& close_table() { return raw("</tbody></table></div>\n"); }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

/// The member `key` of `o` when it is of that type, else null.
const boost::json::object* object_at(const boost::json::object& o, std::string_view key);
const boost::json::array* array_at(const boost::json::object& o, std::string_view key);
/// A list member, or an empty list when it is missing or not a list.
const boost::json::array& list_at(const boost::json::object& o, std::string_view key);
/// A scalar member as text: strings as they are, numbers in their shortest form, booleans as
/// true/false; "" for null, a missing member, an array or an object.
std::string text_at(const boost::json::object& o, std::string_view key);
/// A numeric member, else nullopt.
std::optional<double> number_at(const boost::json::object& o, std::string_view key);
/// True only for a boolean member that is true.
bool flag_at(const boost::json::object& o, std::string_view key);

/// A probe outcome's failure as "reason: error" ("" when it passed); see engine/outcome_json.
std::string failure_text(const boost::json::object& outcome);

/// A duration in seconds for people: "12 ms" below a second, "3.51 s" below a minute, else
/// "2m 05s"; a dash when missing or negative.
std::string format_seconds(std::optional<double> seconds);
/// An age: "42s", "3m 05s", "2h 07m", "3d 04h" (negative ages count as 0).
std::string format_age(std::chrono::milliseconds age);
/// The colour of a state word: "ok" (up, healthy, passing), "bad" (down, unhealthy, failed,
/// failing, critical, abandoned, error), "warn" (starting, started, pending, unknown, slow,
/// warning, …), else "idle" (stopped, suspended, asleep, none, …). Only these four come out,
/// whatever the word.
std::string_view tone_of(std::string_view word);

}  // namespace flywatch::report::detail
