#include "core/http_expectation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <boost/json.hpp>

#include "core/ascii.hpp"
#include "core/json_path.hpp"

namespace flywatch::core {

namespace {

// Short names, so the checks read as they did before the split.
Verdict fail(FailureReason reason, std::string detail) {
  return fail_verdict(reason, std::move(detail));
}
std::string quote(std::string_view s) { return quote_detail(s); }

std::optional<Verdict> check_status(const ProbeResult& r, const HttpExpectation& e) {
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

std::optional<Verdict> check_headers(const ProbeResult& r, const HttpExpectation& e) {
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

std::optional<Verdict> check_body_json(const ProbeResult& r, const HttpExpectation& e) {
  if (e.body_json.empty()) return std::nullopt;
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(r.body, ec);
  if (ec) return fail(FailureReason::body, "body_json: body is not JSON (" + ec.message() + ")");
  for (const auto& [path, want] : e.body_json) {
    const boost::json::value* v = find_json_path(root, path);
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

std::optional<Verdict> check_assets(const ProbeResult& r) {
  if (!r.page_was_html) {
    const auto it = std::find_if(r.headers.begin(), r.headers.end(),
                                 [](const auto& h) { return h.first == "content-type"; });
    return fail(FailureReason::asset,
                "assets: the answer is not HTML (content-type " +
                    (it == r.headers.end() ? std::string("absent") : quote(it->second)) + ")");
  }
  for (const AssetFetch& a : r.assets) {
    if (a.transport_failure != FailureReason::none) {
      return fail(FailureReason::asset, "asset " + quote(a.target) + " failed: " +
                                            std::string(to_string(a.transport_failure)));
    }
    if (a.status < 200 || a.status > 299) {
      return fail(FailureReason::asset,
                  "asset " + quote(a.target) + " answered " + std::to_string(a.status));
    }
  }
  return std::nullopt;
}

std::optional<Verdict> check_regex(std::string_view what, const Pattern& pattern,
                                   std::string_view subject) {
  switch (pattern.search_outcome(subject)) {
    case MatchOutcome::matched: return std::nullopt;
    case MatchOutcome::not_matched:
      return fail_verdict(FailureReason::body,
                          std::string(what) + ": no match for " + quote_detail(pattern.source()));
    case MatchOutcome::gave_up: break;
  }
  return fail_verdict(FailureReason::body,
                      std::string(what) + ": gave up on " + quote_detail(pattern.source()) +
                          " over " + std::to_string(subject.size()) +
                          " bytes: it backtracks past the regex limit; simplify it");
}

std::optional<Verdict> check_http(const ProbeResult& r, const HttpExpectation& e,
                                  std::chrono::system_clock::time_point now) {
  if (auto v = check_status(r, e)) return v;
  if (auto v = check_headers(r, e)) return v;
  if (auto v = check_body_json(r, e)) return v;
  if (e.body_regex) {
    if (auto v = check_regex("body_regex", *e.body_regex, r.body)) return v;
  }
  if (!e.cookies.empty()) {
    if (auto v = check_cookies(r, e.cookies, now)) return v;
  }
  if (e.cors) {
    if (auto v = check_cors(r, *e.cors)) return v;
  }
  if (e.assets) {
    if (auto v = check_assets(r)) return v;
  }
  return std::nullopt;
}

}  // namespace flywatch::core
