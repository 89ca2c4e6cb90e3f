#include "core/expectation.hpp"

#include <doctest.h>

#include <boost/json.hpp>

#include "core/duration.hpp"
#include "testdata.hpp"

namespace fc = flywatch::core;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

fc::FailureReason reason_named(std::string_view name) {
  if (name == "none") return fc::FailureReason::none;
  for (fc::FailureReason r : fc::all_failure_reasons()) {
    if (fc::to_string(r) == name) return r;
  }
  FAIL("unknown reason " << std::string(name));
  return fc::FailureReason::none;
}

fc::Pattern pattern(std::string_view source) {
  std::string error;
  auto p = fc::Pattern::compile(source, &error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return *p;
}

fc::ProbeResult result_from(const json::object& c) {
  fc::ProbeResult r;
  if (const auto* t = c.if_contains("transport")) r.transport_failure = reason_named(t->as_string());
  if (const auto* e = c.if_contains("error")) r.error = json::value_to<std::string>(*e);
  r.http_status = static_cast<int>(c.at("status").to_number<int>());
  const json::value& body = c.at("body");
  r.body = body.is_string() ? json::value_to<std::string>(body) : json::serialize(body);
  if (const auto* h = c.if_contains("headers")) {
    for (const auto& pair : h->as_array()) {
      r.headers.emplace_back(json::value_to<std::string>(pair.as_array().at(0)),
                             json::value_to<std::string>(pair.as_array().at(1)));
    }
  }
  if (const auto* t = c.if_contains("total_ms")) {
    r.total = std::chrono::milliseconds{t->to_number<long long>()};
  }
  return r;
}

fc::Expectation expectation_from(const json::object& e) {
  fc::Expectation x;
  if (const auto* s = e.if_contains("status")) {
    for (const auto& code : s->as_array()) x.status.push_back(code.to_number<int>());
  }
  if (const auto* b = e.if_contains("body_json")) {
    for (const auto& [path, want] : b->as_object()) {
      x.body_json.emplace_back(std::string(path), json::value_to<std::string>(want));
    }
  }
  if (const auto* re = e.if_contains("body_regex")) x.body_regex = pattern(re->as_string());
  if (const auto* h = e.if_contains("headers")) {
    for (const auto& [name, re] : h->as_object()) {
      x.headers.emplace_back(std::string(name), pattern(re.as_string()));
    }
  }
  if (const auto* l = e.if_contains("max_latency")) {
    x.max_latency = fc::parse_duration(l->as_string());
    REQUIRE(x.max_latency.has_value());
  }
  return x;
}

const auto now = std::chrono::system_clock::time_point{} + std::chrono::sys_days{
    std::chrono::year{2026} / 11 / 27}.time_since_epoch() + 15h + 4min + 5s;

fc::ProbeResult ok_tls_result() {
  fc::ProbeResult r;
  r.http_status = 200;
  r.used_tls = true;
  return r;
}

}  // namespace

TEST_CASE("evaluate: case table in expectation_cases.json") {
  const json::value cases = json::parse(fc::test::read_testdata("expectation_cases.json"));
  CHECK(cases.as_array().size() >= 40);
  for (const auto& item : cases.as_array()) {
    const json::object& c = item.as_object();
    CAPTURE(c.at("name").as_string());
    const fc::ProbeResult r = result_from(c);
    const fc::Expectation e = expectation_from(c.at("expect").as_object());
    const fc::Verdict v = fc::evaluate(r, e, now);
    const fc::FailureReason want = reason_named(c.at("want").as_string());
    CAPTURE(v.detail);
    CHECK(v.reason == want);
    CHECK(v.success == (want == fc::FailureReason::none));
    if (want == fc::FailureReason::none) CHECK(v.detail.empty());
    if (want != fc::FailureReason::none) CHECK_FALSE(v.detail.empty());
    if (const auto* d = c.if_contains("detail")) {
      const std::string want_detail = json::value_to<std::string>(*d);
      CHECK_MESSAGE(v.detail.find(want_detail) != std::string::npos,
                    "detail lacks: " << want_detail);
    }
  }
}

TEST_CASE("evaluate: certificate validity") {
  fc::Expectation e;
  e.cert_min_validity = 14 * 24h;
  fc::ProbeResult r = ok_tls_result();

  SUBCASE("plenty of validity left") {
    r.cert_not_after = now + 90 * 24h;
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("exactly the minimum passes") {
    r.cert_not_after = now + 14 * 24h;
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("expiring within the minimum") {
    r.cert_not_after = now + 3 * 24h + 2h + 500ms;
    const fc::Verdict v = fc::evaluate(r, e, now);
    CHECK_FALSE(v.success);
    CHECK(v.reason == fc::FailureReason::cert);
    CHECK(v.detail == "certificate expires in 3d2h (2026-11-30T17:04:05.500Z), want at least 14d");
  }
  SUBCASE("already expired (verification skipped)") {
    r.cert_not_after = now - 24h;
    const fc::Verdict v = fc::evaluate(r, e, now);
    CHECK(v.reason == fc::FailureReason::cert);
    CHECK(v.detail == "certificate expired at 2026-11-26T15:04:05.000Z");
  }
  SUBCASE("expiring this very moment") {
    r.cert_not_after = now;
    CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::cert);
  }
  SUBCASE("plain http: no certificate to check") {
    r.used_tls = false;
    r.cert_not_after = now - 24h;
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("tls without a known notAfter") {
    r.cert_not_after.reset();
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("no cert_min_validity asserts nothing") {
    e.cert_min_validity.reset();
    r.cert_not_after = now - 24h;
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("latency is checked before cert") {
    r.cert_not_after = now - 24h;
    r.total = 3s;
    e.max_latency = 1s;
    CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::latency);
  }
}

// Found by tests/fuzz/fuzz_expectation: the config takes max_latency and cert_min_validity up to
// 64-bit milliseconds, and a certificate may name any notAfter, but nanoseconds hold only about
// ±292 years; converting the one and subtracting the other overflowed (undefined behaviour).
TEST_CASE("evaluate: durations and certificate times beyond nanoseconds do not overflow") {
  fc::Expectation e;
  fc::ProbeResult r = ok_tls_result();
  r.total = 3s;
  SUBCASE("the fuzzer's max_latency, 2322206432804694884 ms, is longer than any probe") {
    e.max_latency = std::chrono::milliseconds{2322206432804694884};
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("the longest max_latency the config takes") {
    e.max_latency = std::chrono::milliseconds::max();
    r.total = std::chrono::nanoseconds::max();
    CHECK(fc::evaluate(r, e, now).success);
  }
  SUBCASE("max_latency just within nanoseconds still compares exactly") {
    e.max_latency = std::chrono::milliseconds{9'223'372'036'854};
    r.total = std::chrono::nanoseconds::max();
    CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::latency);
  }
  SUBCASE("a cert_min_validity longer than nanoseconds hold") {
    e.cert_min_validity = std::chrono::milliseconds::max();
    r.cert_not_after = now + 90 * 24h;
    const fc::Verdict v = fc::evaluate(r, e, now);
    CHECK(v.reason == fc::FailureReason::cert);
    CHECK(v.detail == "certificate expires in 90d (2027-02-25T15:04:05.000Z), want at least " +
                          fc::format_duration(std::chrono::milliseconds::max()));
  }
  SUBCASE("a notAfter in 1684, more than 292 years before now") {
    e.cert_min_validity = 14 * 24h;
    r.cert_not_after = std::chrono::system_clock::time_point{std::chrono::seconds{-9'000'000'000}};
    const fc::Verdict v = fc::evaluate(r, e, now);
    CHECK(v.reason == fc::FailureReason::cert);
    CHECK(v.detail == "certificate expired at 1684-10-19T08:00:00.000Z");
  }
}

TEST_CASE("evaluate: transport failure without error text still explains itself") {
  fc::ProbeResult r;
  r.transport_failure = fc::FailureReason::connect;
  const fc::Verdict v = fc::evaluate(r, fc::Expectation{}, now);
  CHECK_FALSE(v.success);
  CHECK(v.reason == fc::FailureReason::connect);
  CHECK(v.detail == "connect");
}

TEST_CASE("evaluate: every transport reason passes through unchanged") {
  for (fc::FailureReason reason : {fc::FailureReason::dns, fc::FailureReason::connect,
                                   fc::FailureReason::tls, fc::FailureReason::timeout,
                                   fc::FailureReason::too_large, fc::FailureReason::protocol}) {
    fc::ProbeResult r = ok_tls_result();
    r.transport_failure = reason;
    r.error = "boom";
    const fc::Verdict v = fc::evaluate(r, fc::Expectation{}, now);
    CHECK(v.reason == reason);
    CHECK(v.detail == "boom");
  }
}

TEST_CASE("evaluate: huge values are cut in the detail") {
  fc::ProbeResult r = ok_tls_result();
  r.body = R"({"database":")" + std::string(100'000, 'x') + R"("})";
  fc::Expectation e;
  e.body_json = {{"database", "connected"}};
  const fc::Verdict v = fc::evaluate(r, e, now);
  CHECK(v.reason == fc::FailureReason::body);
  CHECK(v.detail.size() < 400);
  CHECK(v.detail.find("...") != std::string::npos);
}

TEST_CASE("evaluate: deeply nested JSON is refused, not a crash") {
  fc::ProbeResult r = ok_tls_result();
  r.body = std::string(100'000, '[') + std::string(100'000, ']');
  fc::Expectation e;
  e.body_json = {{"0", "1"}};
  const fc::Verdict v = fc::evaluate(r, e, now);
  CHECK(v.reason == fc::FailureReason::body);
}

TEST_CASE("evaluate: tcp and tls results skip the HTTP checks, status 0 included") {
  fc::ProbeResult r;
  r.http_exchange = false;  // tcp:// or tls://: http_status stays 0
  fc::Expectation e;
  CHECK(fc::evaluate(r, e, now).success);  // an empty `status` would want 2xx of an HTTP result
  e.status = {200};
  e.headers.emplace_back("server", pattern("nginx"));
  e.body_json = {{"a", "b"}};
  e.body_regex = pattern("never");
  CHECK(fc::evaluate(r, e, now).success);  // config refuses these for tcp/tls; evaluate ignores them

  fc::ProbeResult http;
  http.http_status = 0;  // an HTTP result keeps failing on its status, as before
  CHECK(fc::evaluate(http, fc::Expectation{}, now).reason == fc::FailureReason::status);
}

TEST_CASE("evaluate: banner_regex on a tcp result, then latency and cert") {
  fc::ProbeResult r;
  r.http_exchange = false;
  r.body = "SSH-2.0-OpenSSH_9.6\r\n";
  fc::Expectation e;
  e.banner_regex = pattern(R"(^SSH-2\.0-)");
  CHECK(fc::evaluate(r, e, now).success);

  r.body = "220 smtp ready\r\n";
  fc::Verdict v = fc::evaluate(r, e, now);
  CHECK(v.reason == fc::FailureReason::body);
  CHECK(v.detail == R"(banner_regex: no match for "^SSH-2\\.0-" in "220 smtp ready?\n")");

  r.body.clear();
  v = fc::evaluate(r, e, now);
  CHECK(v.reason == fc::FailureReason::body);
  CHECK(v.detail == R"(banner_regex: no match for "^SSH-2\\.0-" in an empty banner)");

  // A failed banner is reported before latency; a good one lets latency and cert speak.
  r.total = 3s;
  e.max_latency = 1s;
  CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::body);
  r.body = "SSH-2.0-x";
  CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::latency);

  // banner_regex does not apply to an HTTP result.
  fc::ProbeResult http = ok_tls_result();
  http.body = "{}";
  fc::Expectation only_banner;
  only_banner.banner_regex = pattern("^SSH");
  CHECK(fc::evaluate(http, only_banner, now).success);
}

TEST_CASE("evaluate: a tls result is judged on latency and certificate only") {
  fc::ProbeResult r;
  r.http_exchange = false;
  r.used_tls = true;
  r.cert_not_after = now + 3 * 24h;
  fc::Expectation e;
  e.cert_min_validity = 14 * 24h;
  CHECK(fc::evaluate(r, e, now).reason == fc::FailureReason::cert);
  e.cert_min_validity = 24h;
  CHECK(fc::evaluate(r, e, now).success);
}

TEST_CASE("evaluate: a body_regex that gives up on a hostile body fails with a detail that says so") {
  fc::ProbeResult r;
  r.http_status = 200;
  r.body = std::string(2048, 'a') + "!";
  fc::Expectation e;
  e.body_regex = pattern("(a+)+b");
  CHECK(fc::evaluation_runs_regex(r, e));
  const fc::Verdict v = fc::evaluate(r, e, now);
  CHECK_FALSE(v.success);
  CHECK(v.reason == fc::FailureReason::body);
  CHECK(v.detail == "body_regex: gave up on \"(a+)+b\" over 2049 bytes: it backtracks past the "
                    "regex limit; simplify it");
  // A plain miss still reads as one.
  e.body_regex = pattern("b");
  CHECK(fc::evaluate(r, e, now).detail == "body_regex: no match for \"b\"");
  // No regex, or a failed transport: nothing to run.
  CHECK_FALSE(fc::evaluation_runs_regex(r, fc::Expectation{}));
  r.transport_failure = fc::FailureReason::timeout;
  CHECK_FALSE(fc::evaluation_runs_regex(r, e));
}
