#include "core/extraction.hpp"

#include <doctest.h>

namespace fc = flywatch::core;
using Source = fc::Extraction::Source;

namespace {

fc::Extraction parse_ok(std::string variable, std::string_view spec) {
  std::string error;
  auto e = fc::parse_extraction(std::move(variable), spec, error);
  REQUIRE_MESSAGE(e.has_value(), error);
  return *e;
}

std::string parse_error(std::string variable, std::string_view spec) {
  std::string error;
  CHECK_FALSE(fc::parse_extraction(std::move(variable), spec, error).has_value());
  CHECK_FALSE(error.empty());
  return error;
}

fc::ProbeResult with_body(std::string body) {
  fc::ProbeResult r;
  r.http_status = 200;
  r.body = std::move(body);
  return r;
}

// The extracted value; fails the test when there is none.
std::string value_of(const fc::ProbeResult& r, std::string variable, std::string_view spec) {
  const fc::ExtractOutcome o = fc::extract(r, parse_ok(std::move(variable), spec));
  REQUIRE_MESSAGE(o.value.has_value(), o.failure.detail);
  CHECK(o.failure.success);
  CHECK(o.failure.reason == fc::FailureReason::none);
  return *o.value;
}

// The failure detail; fails the test when a value was extracted.
std::string failure_of(const fc::ProbeResult& r, std::string variable, std::string_view spec) {
  const fc::ExtractOutcome o = fc::extract(r, parse_ok(std::move(variable), spec));
  REQUIRE_MESSAGE(!o.value.has_value(), *o.value);
  CHECK_FALSE(o.failure.success);
  CHECK(o.failure.reason == fc::FailureReason::extract);
  return o.failure.detail;
}

const char* const login_body = R"({"user":{"id":42,"email":"probe@example.com","admin":false,"score":1.5,)"
                               R"("manager":null,"tags":["a","b"]},"items":[{"id":"x1"},{"id":7,"sub":[[1,2],[3]]}]})";

}  // namespace

TEST_CASE("parse_extraction: the three sources") {
  const fc::Extraction j = parse_ok("user_id", "body_json:user.id");
  CHECK(j.variable == "user_id");
  CHECK(j.source == Source::body_json);
  CHECK(j.path == "user.id");
  CHECK_FALSE(j.regex.has_value());

  const fc::Extraction h = parse_ok("request_id", "header:X-Request-Id");
  CHECK(h.source == Source::header);
  CHECK(h.path == "x-request-id");

  const fc::Extraction re = parse_ok("token", R"(body_regex:token=(\w+))");
  CHECK(re.source == Source::body_regex);
  CHECK(re.path == R"(token=(\w+))");
  REQUIRE(re.regex.has_value());
  CHECK(re.regex->source() == R"(token=(\w+))");
  // Everything after the first ':' is the pattern, colons included.
  CHECK(parse_ok("t", "body_regex:a:(b):c").path == "a:(b):c");

  CHECK(j == parse_ok("user_id", "body_json:user.id"));
  CHECK_FALSE(j == parse_ok("other", "body_json:user.id"));
  CHECK_FALSE(j == parse_ok("user_id", "body_json:user.ids"));
  CHECK_FALSE(parse_ok("x", "header:user.id") == parse_ok("x", "body_json:user.id"));
  CHECK(parse_ok("x", "header:X-Id") == parse_ok("x", "header:x-id"));
}

TEST_CASE("parse_extraction: errors") {
  const std::string sources = ", want body_json:PATH, header:NAME or body_regex:PATTERN";
  CHECK(parse_error("x", "cookie:sid") == "extract x: unknown source \"cookie\"" + sources);
  CHECK(parse_error("x", "user.id") == "extract x: unknown source \"user.id\"" + sources);
  CHECK(parse_error("x", "Body_JSON:user.id") == "extract x: unknown source \"Body_JSON\"" + sources);
  CHECK(parse_error("x", " body_json:user.id") == "extract x: unknown source \" body_json\"" + sources);
  CHECK(parse_error("x", "") == "extract x: unknown source \"\"" + sources);

  CHECK(parse_error("x", "body_json:") == "extract x: nothing after \"body_json:\"");
  CHECK(parse_error("x", "header:") == "extract x: nothing after \"header:\"");
  CHECK(parse_error("x", "body_regex:") == "extract x: nothing after \"body_regex:\"");

  for (const char* bad : {"user..id", ".user", "user.", "."}) {
    CAPTURE(bad);
    CHECK(parse_error("x", std::string("body_json:") + bad) ==
          "extract x: body_json: \"" + std::string(bad) + "\" is not a dotted path");
  }
  for (const char* bad : {"X Id", " X-Id", "X-Id ", "X:Id", "X(Id)", "é"}) {
    CAPTURE(bad);
    CHECK(parse_error("x", std::string("header:") + bad) ==
          "extract x: header: \"" + std::string(bad) + "\" is not a header name");
  }

  CHECK(parse_error("x", "body_regex:(abc").starts_with("extract x: body_regex: "));
  CHECK(parse_error("x", R"(body_regex:token=\w+)") ==
        R"x(extract x: body_regex "token=\\w+" has no capture group, want one: (...))x");
  CHECK(parse_error("x", "body_regex:(?:a)b") ==
        R"x(extract x: body_regex "(?:a)b" has no capture group, want one: (...))x");

  CHECK(parse_error("user-id", "body_json:user.id") == "extract: \"user-id\" is not a variable name");
  CHECK(parse_error("", "body_json:user.id") == "extract: \"\" is not a variable name");
  CHECK(parse_error("1st", "body_json:user.id") == "extract: \"1st\" is not a variable name");
  CHECK(parse_error("uuid", "body_json:user.id") == "extract: \"uuid\" is a built-in variable");
  CHECK(parse_error("unix_ms", "header:date") == "extract: \"unix_ms\" is a built-in variable");
}

TEST_CASE("extract body_json: scalars as text") {
  const fc::ProbeResult r = with_body(login_body);
  CHECK(value_of(r, "v", "body_json:user.id") == "42");
  CHECK(value_of(r, "v", "body_json:user.email") == "probe@example.com");
  CHECK(value_of(r, "v", "body_json:user.admin") == "false");
  CHECK(value_of(r, "v", "body_json:user.score") == "1.5");
  CHECK(value_of(r, "v", "body_json:user.manager") == "null");
  CHECK(value_of(r, "v", "body_json:user.tags.1") == "b");
  CHECK(value_of(r, "v", "body_json:items.0.id") == "x1");
  CHECK(value_of(r, "v", "body_json:items.1.id") == "7");
  CHECK(value_of(r, "v", "body_json:items.1.sub.0.1") == "2");
  CHECK(value_of(r, "v", "body_json:items.1.sub.1.0") == "3");

  struct Case {
    const char* json;
    const char* text;
  };
  for (const Case& c : {Case{"-7", "-7"}, Case{"0", "0"}, Case{"9223372036854775807", "9223372036854775807"},
                        Case{"-9223372036854775808", "-9223372036854775808"},
                        Case{"18446744073709551615", "18446744073709551615"}, Case{"2.0", "2"},
                        Case{"1.0E2", "100"}, Case{"0.1", "0.1"}, Case{"-2.5e-3", "-0.0025"},
                        Case{"1e21", "1e+21"}, Case{"1e300", "1e+300"}, Case{"true", "true"},
                        Case{R"("")", ""}, Case{R"("a\"b\\c")", "a\"b\\c"}, Case{R"("\u00e9\n")", "\xc3\xa9\n"},
                        Case{R"("42")", "42"}}) {
    CAPTURE(c.json);
    CHECK(value_of(with_body(std::string(R"({"v":)") + c.json + "}"), "v", "body_json:v") == std::string(c.text));
  }
}

TEST_CASE("extract body_json: missing paths, containers, not JSON") {
  const fc::ProbeResult r = with_body(login_body);
  CHECK(failure_of(r, "user_id", "body_json:user.uid") == R"(extract user_id: body_json path "user.uid" not found)");
  CHECK(failure_of(r, "user_id", "body_json:items.2.id") == R"(extract user_id: body_json path "items.2.id" not found)");
  CHECK(failure_of(r, "user_id", "body_json:user.id.x") == R"(extract user_id: body_json path "user.id.x" not found)");
  CHECK(failure_of(r, "user_id", "body_json:items.first") == R"(extract user_id: body_json path "items.first" not found)");
  CHECK(failure_of(r, "user_id", "body_json:user") == R"(extract user_id: body_json path "user" is an object, want a scalar)");
  CHECK(failure_of(r, "user_id", "body_json:user.tags") == R"(extract user_id: body_json path "user.tags" is an array, want a scalar)");
  CHECK(failure_of(with_body("42"), "n", "body_json:n") == R"(extract n: body_json path "n" not found)");

  // The body is never quoted: it may carry a session token or a password.
  for (const char* body : {"", "<html>secret-token-123</html>", R"({"user":{"id":1}} trailing)", R"({"user":)"}) {
    CAPTURE(body);
    const std::string d = failure_of(with_body(body), "user_id", "body_json:user.id");
    CHECK(d == "extract user_id: body is not JSON");
  }
}

TEST_CASE("extract header: the first of that name, any case") {
  fc::ProbeResult r = with_body("");
  r.headers = {{"content-type", "application/json"},
               {"x-request-id", "  req-1\t"},
               {"x-request-id", "req-2"},
               {"X-Empty", ""}};
  CHECK(value_of(r, "rid", "header:X-Request-Id") == "req-1");
  CHECK(value_of(r, "rid", "header:x-request-id") == "req-1");
  CHECK(value_of(r, "e", "header:x-empty") == "");
  CHECK(failure_of(r, "rid", "header:X-Id") == R"(extract rid: header "x-id" absent)");
  CHECK(failure_of(with_body("x-id: 1"), "rid", "header:X-Id") == R"(extract rid: header "x-id" absent)");
}

TEST_CASE("extract body_regex: the first group of the first match") {
  const fc::ProbeResult r = with_body("a=1; token=abc123; token=zzz");
  CHECK(value_of(r, "token", R"(body_regex:token=(\w+))") == "abc123");
  CHECK(value_of(r, "n", R"(body_regex:(\d+).*token=(\w+))") == "1");
  CHECK(value_of(with_body("csrf=;"), "c", "body_regex:csrf=([^;]*)") == "");
  CHECK(failure_of(r, "token", R"(body_regex:secret=(\w+))") ==
        R"x(extract token: body_regex "secret=(\\w+)" matched nothing)x");
  CHECK(failure_of(with_body("a"), "t", "body_regex:a|(b)") == R"x(extract t: body_regex "a|(b)" matched nothing)x");
  // A pattern too costly on this body counts as no match.
  CHECK(failure_of(with_body(std::string(5'000, 'a') + "!"), "t", "body_regex:((a+)+)$") ==
        R"x(extract t: body_regex "((a+)+)$" matched nothing)x");
}
