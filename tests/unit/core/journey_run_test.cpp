#include "core/journey_run.hpp"

#include <doctest.h>

#include <boost/json/parse.hpp>

namespace fc = flywatch::core;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 20000);

fc::TemplateText text(std::string_view s) {
  std::string error;
  std::size_t offset = 0;
  auto t = fc::TemplateText::parse(s, error, offset);
  REQUIRE_MESSAGE(t.has_value(), error);
  return *t;
}

fc::Extraction extraction(std::string variable, std::string_view spec) {
  std::string error;
  auto x = fc::parse_extraction(std::move(variable), spec, error);
  REQUIRE_MESSAGE(x.has_value(), error);
  return *x;
}

std::string header(const fc::HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

fc::ProbeResult answer(int status, std::string body = "", fc::HeaderList headers = {}) {
  fc::ProbeResult r;
  r.http_status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.total = 12ms;
  return r;
}

// Medio's auth flow: register, login (session cookie, user id extracted), me.
fc::JourneySpec medio_auth() {
  fc::JourneySpec spec;
  spec.name = "medio-auth";
  spec.base = fc::Endpoint{"https", "api.example.com", 443, "/v2", {}, {{"User-Agent", "flywatch"}}};
  spec.variables = {{"email", text("probe-{{uuid}}@example.com")}, {"password", text("s3cr\"t")}};
  spec.secret_variables = {"password"};
  fc::JourneyStep reg;
  reg.name = "register";
  reg.method = "POST";
  reg.path = text("/api/auth/register");
  reg.json = boost::json::parse(R"({"email":"{{email}}","password":"{{password}}","n":1})");
  reg.expect.status = {201, 409};
  fc::JourneyStep login = reg;
  login.name = "login";
  login.path = text("/api/auth/login");
  login.expect.status = {200};
  login.expect.cookies = {fc::CookieExpectation{"sid", true, true, fc::SameSite::strict, {}, {}, {}}};
  login.extract = {extraction("user_id", "body_json:user.id")};
  fc::JourneyStep me;
  me.name = "me";
  me.path = text("/api/users/{{user_id}}?full=1");
  me.headers = {{"X-Trace", text("t-{{unix_ms}}")}, {"user-agent", text("override")}};
  me.expect.status = {200};
  me.expect.body_json = {{"user.id", "{{user_id}}"}, {"user.email", "{{email}}"}};
  spec.steps = {reg, login, me};
  return spec;
}

const fc::VariableValues builtins{{"uuid", "u-1"}, {"unix_ms", "1700000000000"}};

}  // namespace

TEST_CASE("journey run: variables, json bodies, cookies and extraction carry from step to step") {
  const fc::JourneySpec spec = medio_auth();
  fc::JourneyRun run(spec, builtins, {{"fly-force-instance-id", "m1"}});

  auto req = run.next_request(t0);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->target == "/v2/api/auth/register");
  // Expanded values stay JSON strings, escaped: a quote in the password cannot break the body.
  CHECK(req->body == R"({"email":"probe-u-1@example.com","password":"s3cr\"t","n":1})");
  CHECK(header(req->headers, "Content-Type") == "application/json");
  CHECK(header(req->headers, "User-Agent") == "flywatch");
  CHECK(header(req->headers, "fly-force-instance-id") == "m1");
  CHECK(header(req->headers, "Cookie") == "<absent>");
  CHECK(run.record(answer(409), t0).verdict.success);

  req = run.next_request(t0);
  CHECK(req->target == "/v2/api/auth/login");
  const auto& login = run.record(
      answer(200, R"({"user":{"id":42,"email":"probe-u-1@example.com"}})",
             {{"set-cookie", "sid=abc123; Path=/; HttpOnly; Secure; SameSite=Strict"}}),
      t0 + 1s);
  CHECK(login.verdict.success);
  CHECK(login.status == 200);

  req = run.next_request(t0 + 2s);
  CHECK(req->method == "GET");
  CHECK(req->target == "/v2/api/users/42?full=1");
  CHECK(req->body.empty());
  CHECK(header(req->headers, "Cookie") == "sid=abc123");
  CHECK(header(req->headers, "X-Trace") == "t-1700000000000");
  CHECK(header(req->headers, "user-agent") == "<absent>");  // replaced in place, spelling kept
  CHECK(header(req->headers, "User-Agent") == "override");
  CHECK(header(req->headers, "Content-Type") == "<absent>");
  const auto& me =
      run.record(answer(200, R"({"user":{"id":42,"email":"probe-u-1@example.com"}})"), t0 + 2s);
  CHECK(me.verdict.success);
  CHECK(run.finished());
  CHECK(run.passed());
  CHECK(run.reports().size() == 3);
  CHECK_FALSE(run.next_request(t0 + 3s).has_value());
}

TEST_CASE("journey run: the first failed step ends the run, with its reason") {
  const fc::JourneySpec spec = medio_auth();
  SUBCASE("a status") {
    fc::JourneyRun run(spec, builtins);
    const auto& r = run.record(answer(500), t0);
    CHECK_FALSE(r.verdict.success);
    CHECK(r.verdict.reason == fc::FailureReason::status);
    CHECK(run.finished());
    CHECK_FALSE(run.passed());
    CHECK(run.reports().size() == 1);
  }
  SUBCASE("a cookie without its attributes fails the step, the cookie is kept") {
    fc::JourneyRun run(spec, builtins);
    run.record(answer(201), t0);
    const auto& r = run.record(
        answer(200, R"({"user":{"id":1}})", {{"set-cookie", "sid=abc123; Path=/; HttpOnly"}}), t0);
    CHECK(r.verdict.reason == fc::FailureReason::cookie);
    CHECK(r.verdict.detail.find("abc123") == std::string::npos);
    CHECK(r.name == "login");
  }
  SUBCASE("nothing to extract") {
    fc::JourneyRun run(spec, builtins);
    run.record(answer(201), t0);
    const auto& r = run.record(
        answer(200, R"({"error":"no"})",
               {{"set-cookie", "sid=abc123; Path=/; HttpOnly; Secure; SameSite=Strict"}}),
        t0);
    CHECK(r.verdict.reason == fc::FailureReason::extract);
    CHECK(r.verdict.detail.find("user_id") != std::string::npos);
  }
  SUBCASE("an expected body_json value with a variable is expanded before judging") {
    fc::JourneyRun run(spec, builtins);
    run.record(answer(201), t0);
    run.record(answer(200, R"({"user":{"id":42}})",
                      {{"set-cookie", "sid=a; Path=/; HttpOnly; Secure; SameSite=Strict"}}),
               t0);
    const auto& r = run.record(answer(200, R"({"user":{"id":43,"email":"x"}})"), t0);
    CHECK(r.verdict.reason == fc::FailureReason::body);
    CHECK(r.verdict.detail.find("42") != std::string::npos);
    CHECK(r.verdict.detail.find("{{") == std::string::npos);
  }
  SUBCASE("the run's deadline") {
    fc::JourneyRun run(spec, builtins);
    run.record(answer(201), t0);
    const auto& r = run.fail_current(fc::fail_verdict(fc::FailureReason::timeout, "late"));
    CHECK(r.name == "login");
    CHECK(r.verdict.reason == fc::FailureReason::timeout);
    CHECK(run.finished());
    CHECK_FALSE(run.passed());
  }
}

TEST_CASE("journey run: secret values never appear in a step's detail") {
  fc::JourneySpec spec = medio_auth();
  // The body echoes the password back; the body_regex detail quotes it no more.
  spec.steps[0].expect.body_regex = fc::Pattern::compile("nomatch");
  spec.steps[0].expect.status = {};
  fc::JourneyRun run(spec, builtins);
  const auto& r = run.record(answer(200, "s3cr\"t"), t0);
  CHECK_FALSE(r.verdict.success);
  CHECK(run.secrets() == std::vector<std::string>{"s3cr\"t"});
  const fc::Verdict forged = fc::fail_verdict(fc::FailureReason::body, "saw s3cr\"t here");
  fc::JourneyRun run2(spec, builtins);
  CHECK(run2.fail_current(forged).verdict.detail == "saw <secret> here");
}

TEST_CASE("journey run: a Secure cookie is not sent over plain http") {
  fc::JourneySpec spec = medio_auth();
  spec.base.scheme = "http";
  spec.steps[1].expect.cookies.clear();
  fc::JourneyRun run(spec, builtins);
  run.record(answer(201), t0);
  // From an http answer a Secure cookie is refused; a plain one is kept and sent.
  run.record(answer(200, R"({"user":{"id":7}})",
                    {{"set-cookie", "sid=abc; Path=/; Secure"}, {"set-cookie", "plain=1; Path=/"}}),
             t0);
  const auto req = run.next_request(t0);
  CHECK(header(req->headers, "Cookie") == "plain=1");
}

TEST_CASE("expand_json_body keeps non-string JSON and expands nested strings") {
  const auto json = boost::json::parse(R"({"a":[1,"{{x}}",{"b":"{{x}}-{{y}}"}],"c":true,"d":null})");
  CHECK(fc::expand_json_body(json, {{"x", "1\n2"}, {"y", "z"}}) ==
        R"({"a":[1,"1\n2",{"b":"1\n2-z"}],"c":true,"d":null})");
}
