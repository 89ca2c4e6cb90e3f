#include "core/extraction.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include <boost/json.hpp>

#include "core/ascii.hpp"
#include "core/json_path.hpp"
#include "core/template_text.hpp"

namespace flywatch::core {

namespace {

// RFC 9110 §5.6.2 tchar: what a header name may be made of.
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string shortest(double d) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, end) : boost::json::serialize(boost::json::value(d));
}

ExtractOutcome failed(const Extraction& e, const std::string& what) {
  return {std::nullopt, fail_verdict(FailureReason::extract, "extract " + e.variable + ": " + what)};
}

ExtractOutcome found(std::string value) { return {std::move(value), Verdict{true, FailureReason::none, {}}}; }

ExtractOutcome from_json(const ProbeResult& r, const Extraction& e) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(r.body, ec);
  if (ec) return failed(e, "body is not JSON");
  const std::string where = "body_json path " + quote_detail(e.path);
  const boost::json::value* v = find_json_path(root, e.path);
  if (!v) return failed(e, where + " not found");
  switch (v->kind()) {
    case boost::json::kind::string: return found(std::string(v->get_string()));
    case boost::json::kind::int64: return found(std::to_string(v->get_int64()));
    case boost::json::kind::uint64: return found(std::to_string(v->get_uint64()));
    case boost::json::kind::double_: return found(shortest(v->get_double()));
    case boost::json::kind::bool_: return found(v->get_bool() ? "true" : "false");
    case boost::json::kind::null: return found("null");
    case boost::json::kind::object: return failed(e, where + " is an object, want a scalar");
    case boost::json::kind::array: return failed(e, where + " is an array, want a scalar");
  }
  return failed(e, where + " is not a scalar");
}

ExtractOutcome from_header(const ProbeResult& r, const Extraction& e) {
  for (const auto& [name, value] : r.headers) {
    if (ascii_iequals(name, e.path)) return found(std::string(trim_ows(value)));
  }
  return failed(e, "header " + quote_detail(e.path) + " absent");
}

ExtractOutcome from_regex(const ProbeResult& r, const Extraction& e) {
  if (e.regex) {
    if (auto group = e.regex->first_group(r.body)) return found(std::move(*group));
  }
  return failed(e, "body_regex " + quote_detail(e.path) + " matched nothing");
}

}  // namespace

bool Extraction::operator==(const Extraction& o) const {
  return variable == o.variable && source == o.source && path == o.path;
}

std::optional<Extraction> parse_extraction(std::string variable, std::string_view spec,
                                           std::string& error) {
  if (!is_variable_name(variable)) {
    error = "extract: " + quote_detail(variable) + " is not a variable name";
    return std::nullopt;
  }
  if (is_builtin_variable(variable)) {
    error = "extract: " + quote_detail(variable) + " is a built-in variable";
    return std::nullopt;
  }
  Extraction e;
  e.variable = std::move(variable);
  const std::size_t colon = spec.find(':');
  const std::string_view word = spec.substr(0, colon);
  const std::string_view path = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  auto fail = [&](std::string message) {
    error = "extract " + e.variable + ": " + std::move(message);
    return std::nullopt;
  };
  if (colon == std::string_view::npos ||
      (word != "body_json" && word != "header" && word != "body_regex")) {
    return fail("unknown source " + quote_detail(word) +
                ", want body_json:PATH, header:NAME or body_regex:PATTERN");
  }
  if (path.empty()) return fail("nothing after \"" + std::string(word) + ":\"");
  if (word == "body_json") {
    if (!is_json_path(path)) return fail("body_json: " + quote_detail(path) + " is not a dotted path");
    e.source = Extraction::Source::body_json;
    e.path = std::string(path);
  } else if (word == "header") {
    if (!is_token(path)) return fail("header: " + quote_detail(path) + " is not a header name");
    e.source = Extraction::Source::header;
    e.path = lower(path);
  } else {
    std::string regex_error;
    auto p = Pattern::compile(path, &regex_error);
    if (!p) return fail("body_regex: " + regex_error);
    if (p->group_count() == 0) {
      return fail("body_regex " + quote_detail(path) + " has no capture group, want one: (...)");
    }
    e.source = Extraction::Source::body_regex;
    e.path = std::string(path);
    e.regex = std::move(p);
  }
  return e;
}

ExtractOutcome extract(const ProbeResult& result, const Extraction& e) {
  switch (e.source) {
    case Extraction::Source::body_json: return from_json(result, e);
    case Extraction::Source::header: return from_header(result, e);
    case Extraction::Source::body_regex: return from_regex(result, e);
  }
  return failed(e, "unknown source");
}

}  // namespace flywatch::core
