#include "core/expectation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>

#include <boost/json.hpp>
#include <boost/regex.hpp>

#include "core/ascii.hpp"
#include "core/duration.hpp"
#include "core/log_line.hpp"

namespace flywatch::core {

struct Pattern::Impl {
  boost::regex re;
};

namespace {

// ECMAScript, except that ^ and $ anchor only at the ends of the subject (as in ECMAScript
// without the m flag) rather than at every embedded newline, Boost's perl default.
constexpr auto syntax = boost::regex::ECMAScript | boost::regex::no_mod_m;

// Values quoted into a failure detail are cut here: details go to logs and the status API.
constexpr std::size_t max_quoted = 120;

std::string quote(std::string_view s) {
  std::string out = "\"";
  const bool cut = s.size() > max_quoted;
  for (char c : s.substr(0, cut ? max_quoted : s.size())) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

Verdict fail(FailureReason reason, std::string detail) {
  return Verdict{false, reason, std::move(detail)};
}

std::optional<Verdict> check_status(const ProbeResult& r, const Expectation& e) {
  if (e.status.empty()) {
    if (r.http_status >= 200 && r.http_status <= 299) return std::nullopt;
    return fail(FailureReason::status, "status " + std::to_string(r.http_status) + ", want 2xx");
  }
  if (std::find(e.status.begin(), e.status.end(), r.http_status) != e.status.end()) {
    return std::nullopt;
  }
  std::string want;
  for (int s : e.status) want += (want.empty() ? "" : ", ") + std::to_string(s);
  return fail(FailureReason::status,
              "status " + std::to_string(r.http_status) + ", want [" + want + "]");
}

std::optional<Verdict> check_headers(const ProbeResult& r, const Expectation& e) {
  for (const auto& [name, pattern] : e.headers) {
    const std::string* first_value = nullptr;
    bool matched = false;
    for (const auto& [have_name, value] : r.headers) {
      if (!ascii_iequals(have_name, name)) continue;
      if (!first_value) first_value = &value;
      if (pattern.full_match(value)) {
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (!first_value) return fail(FailureReason::header, "header " + quote(name) + " missing");
    return fail(FailureReason::header, "header " + quote(name) + " is " + quote(*first_value) +
                                           ", want match of " + quote(pattern.source()));
  }
  return std::nullopt;
}

// Walks a dotted path: object members by name, array elements by decimal index.
const boost::json::value* find_path(const boost::json::value& root, std::string_view path) {
  const boost::json::value* v = &root;
  while (true) {
    const std::size_t dot = path.find('.');
    const std::string_view segment = path.substr(0, dot);
    if (const auto* obj = v->if_object()) {
      v = obj->if_contains(segment);
    } else if (const auto* arr = v->if_array()) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
      if (segment.empty() || ec != std::errc{} || end != segment.data() + segment.size()) {
        return nullptr;
      }
      v = arr->if_contains(index);
    } else {
      return nullptr;
    }
    if (!v || dot == std::string_view::npos) return v;
    path.remove_prefix(dot + 1);
  }
}

// Parses all of `text` as a finite number; integers are kept exact.
struct Number {
  bool is_integer = false;
  std::int64_t integer = 0;
  double real = 0;
};
std::optional<Number> parse_number(std::string_view text) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (text.empty()) return std::nullopt;
  Number n;
  if (auto [end, ec] = std::from_chars(first, last, n.integer); ec == std::errc{} && end == last) {
    n.is_integer = true;
    n.real = static_cast<double>(n.integer);
    return n;
  }
  auto [end, ec] = std::from_chars(first, last, n.real);
  if (ec != std::errc{} || end != last || !std::isfinite(n.real)) return std::nullopt;
  return n;
}

bool scalar_equals(const boost::json::value& v, std::string_view want) {
  switch (v.kind()) {
    case boost::json::kind::string: return v.get_string() == want;
    case boost::json::kind::bool_: return want == (v.get_bool() ? "true" : "false");
    case boost::json::kind::null: return want == "null";
    case boost::json::kind::int64: {
      const auto n = parse_number(want);
      if (!n) return false;
      return n->is_integer ? n->integer == v.get_int64()
                           : n->real == static_cast<double>(v.get_int64());
    }
    case boost::json::kind::uint64: {
      const auto n = parse_number(want);
      if (!n) return false;
      if (n->is_integer) return n->integer >= 0 && static_cast<std::uint64_t>(n->integer) == v.get_uint64();
      return n->real == static_cast<double>(v.get_uint64());
    }
    case boost::json::kind::double_: {
      const auto n = parse_number(want);
      return n && n->real == v.get_double();
    }
    case boost::json::kind::array:
    case boost::json::kind::object: return false;
  }
  return false;
}

std::optional<Verdict> check_body_json(const ProbeResult& r, const Expectation& e) {
  if (e.body_json.empty()) return std::nullopt;
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(r.body, ec);
  if (ec) return fail(FailureReason::body, "body_json: body is not JSON (" + ec.message() + ")");
  for (const auto& [path, want] : e.body_json) {
    const boost::json::value* v = find_path(root, path);
    if (!v) return fail(FailureReason::body, "body_json: path " + quote(path) + " not found");
    if (scalar_equals(*v, want)) continue;
    std::string have;
    if (v->is_string()) {
      have = quote(v->get_string());
    } else if (v->is_object()) {
      have = "an object";
    } else if (v->is_array()) {
      have = "an array";
    } else {
      have = boost::json::serialize(*v);
    }
    return fail(FailureReason::body,
                "body_json: path " + quote(path) + " is " + have + ", want " + quote(want));
  }
  return std::nullopt;
}

}  // namespace

std::optional<Pattern> Pattern::compile(std::string_view source, std::string* error) {
  try {
    auto impl = std::make_shared<Impl>();
    impl->re.assign(source.begin(), source.end(), syntax);
    Pattern p;
    p.source_ = std::string(source);
    p.impl_ = std::move(impl);
    return p;
  } catch (const std::exception& e) {  // boost::regex_error, or memory exhausted
    if (error) *error = e.what();
    return std::nullopt;
  }
}

bool Pattern::search(std::string_view subject) const {
  if (!impl_) return true;  // a default-constructed Pattern is the empty pattern
  try {
    return boost::regex_search(subject.begin(), subject.end(), impl_->re);
  } catch (const std::exception&) {
    // Boost gives up on matches that would take too long (error_complexity) or too much
    // memory (error_stack): an untrusted body must not hang or crash the daemon.
    return false;
  }
}

bool Pattern::full_match(std::string_view subject) const {
  if (!impl_) return subject.empty();
  try {
    return boost::regex_match(subject.begin(), subject.end(), impl_->re);
  } catch (const std::exception&) {
    return false;
  }
}

Verdict evaluate(const ProbeResult& result, const Expectation& expect,
                 std::chrono::system_clock::time_point now) {
  if (!result.transport_ok()) {
    std::string detail = result.error.empty() ? std::string(to_string(result.transport_failure))
                                              : result.error;
    return fail(result.transport_failure, std::move(detail));
  }
  if (auto v = check_status(result, expect)) return *v;
  if (auto v = check_headers(result, expect)) return *v;
  if (auto v = check_body_json(result, expect)) return *v;
  if (expect.body_regex && !expect.body_regex->search(result.body)) {
    return fail(FailureReason::body, "body_regex: no match for " + quote(expect.body_regex->source()));
  }
  if (expect.max_latency && result.total > *expect.max_latency) {
    return fail(FailureReason::latency, "latency " + format_elapsed(result.total) +
                                            " exceeds max_latency " +
                                            format_duration(*expect.max_latency));
  }
  if (expect.cert_min_validity && result.used_tls && result.cert_not_after) {
    const auto left = *result.cert_not_after - now;
    if (left < *expect.cert_min_validity) {
      const std::string at = format_rfc3339_ms(*result.cert_not_after);
      if (left <= decltype(left)::zero()) {
        return fail(FailureReason::cert, "certificate expired at " + at);
      }
      return fail(FailureReason::cert,
                  "certificate expires in " +
                      format_duration(std::chrono::floor<std::chrono::seconds>(left)) + " (" + at +
                      "), want at least " + format_duration(*expect.cert_min_validity));
    }
  }
  return Verdict{true, FailureReason::none, {}};
}

}  // namespace flywatch::core
