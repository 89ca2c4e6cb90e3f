#include "core/cors_expectation.hpp"

#include <string_view>
#include <vector>

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

constexpr std::string_view allow_origin = "Access-Control-Allow-Origin";
constexpr std::string_view allow_credentials = "Access-Control-Allow-Credentials";

Verdict fail(std::string detail) { return fail_verdict(FailureReason::cors, std::move(detail)); }
std::string quote(std::string_view s) { return quote_detail(s); }

// RFC 9110 §5.5: the spaces and tabs around a field value are not part of it.
std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> values_of(const ProbeResult& r, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [have, value] : r.headers) {
    if (ascii_iequals(have, name)) out.push_back(trim_ows(value));
  }
  return out;
}

// The one value of header `name` into `value`, or why there is not exactly one. A browser
// combines a repeated header into "a, b", which is never a valid answer for these two.
std::optional<Verdict> one_value(const ProbeResult& r, std::string_view name, std::string_view want,
                                 std::string_view& value) {
  const auto values = values_of(r, name);
  if (values.empty()) return fail(std::string(name) + " missing, want " + quote(want));
  if (values.size() > 1) {
    return fail(std::string(name) + " sent " + std::to_string(values.size()) + " times, want one " +
                quote(want));
  }
  value = values.front();
  return std::nullopt;
}

std::optional<Verdict> check_allow_origin(const ProbeResult& r, const CorsExpectation& e) {
  std::string_view value;
  if (auto v = one_value(r, allow_origin, e.origin, value)) return v;
  const std::string head = std::string(allow_origin) + " is ";
  if (value == "*") {
    // Even a page without credentials must not pass: the contract is this origin, exactly.
    return fail(head + "the wildcard \"*\", want " + quote(e.origin) +
                (e.credentials ? " (a wildcard never allows credentials)" : ""));
  }
  if (value == "null") return fail(head + "\"null\", want " + quote(e.origin));
  if (value.find_first_of(", \t") != std::string_view::npos) {
    return fail(std::string(allow_origin) + " lists several values " + quote(value) +
                ", want only " + quote(e.origin));
  }
  if (value != e.origin) return fail(head + quote(value) + ", want " + quote(e.origin));
  return std::nullopt;
}

std::optional<Verdict> check_allow_credentials(const ProbeResult& r) {
  std::string_view value;
  if (auto v = one_value(r, allow_credentials, "true", value)) return v;
  if (value != "true") {
    return fail(std::string(allow_credentials) + " is " + quote(value) + ", want \"true\"");
  }
  return std::nullopt;
}

std::optional<Verdict> check_vary(const ProbeResult& r) {
  const auto values = values_of(r, "Vary");
  std::string seen;
  for (std::string_view value : values) {
    seen += (seen.empty() ? "" : ", ") + std::string(value);
    while (true) {
      const std::size_t comma = value.find(',');
      const std::string_view token = trim_ows(value.substr(0, comma));
      if (token == "*" || ascii_iequals(token, "origin")) return std::nullopt;
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (values.empty()) return fail("Vary missing, want it to list Origin");
  return fail("Vary is " + quote(seen) + ", want it to list Origin");
}

}  // namespace

std::optional<Verdict> check_cors(const ProbeResult& result, const CorsExpectation& expect) {
  if (auto v = check_allow_origin(result, expect)) return v;
  if (expect.credentials) {
    if (auto v = check_allow_credentials(result)) return v;
  }
  if (expect.vary_origin) {
    if (auto v = check_vary(result)) return v;
  }
  return std::nullopt;
}

}  // namespace flywatch::core
