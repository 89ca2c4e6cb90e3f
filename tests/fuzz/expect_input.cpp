#include "expect_input.hpp"

#include <array>
#include <string_view>

#include "fuzz_check.hpp"

namespace flywatch::fuzz {

namespace {

using std::chrono::milliseconds;

// Names the checks look for, so that the fuzzer meets them more often than by chance.
constexpr std::array<std::string_view, 12> known_names = {
    "content-type", "set-cookie", "vary", "access-control-allow-origin",
    "access-control-allow-credentials", "location", "x-request-id", "medio_session", "sid",
    "Set-Cookie", "Vary", "server"};

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string consume_token(FuzzedDataProvider& in, std::size_t max, bool lower) {
  std::string out;
  if (in.ConsumeBool()) {
    out = std::string(in.PickValueInArray(known_names));
  } else {
    for (char c : in.ConsumeRandomLengthString(max)) {
      if (is_tchar(static_cast<unsigned char>(c))) out += c;
    }
  }
  if (lower) {
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::optional<core::Pattern> consume_pattern(FuzzedDataProvider& in, std::size_t max) {
  return core::Pattern::compile(in.ConsumeRandomLengthString(max));
}

milliseconds consume_config_duration(FuzzedDataProvider& in) {
  // Mostly everyday values, sometimes anything up to the largest the loader takes.
  if (in.ConsumeBool()) return milliseconds{in.ConsumeIntegralInRange<std::int64_t>(1, 86'400'000)};
  return milliseconds{in.ConsumeIntegralInRange<std::int64_t>(1, milliseconds::max().count())};
}

core::Expectation consume_expectation(FuzzedDataProvider& in) {
  core::Expectation e;
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    e.status.push_back(in.ConsumeIntegralInRange(100, 599));
  }
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    std::string name = consume_token(in, 24, true);
    auto pattern = consume_pattern(in, 32);
    if (!name.empty() && pattern) e.headers.emplace_back(std::move(name), std::move(*pattern));
  }
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    std::string path = in.ConsumeRandomLengthString(24);
    std::string want = in.ConsumeRandomLengthString(24);
    if (!path.empty()) e.body_json.emplace_back(std::move(path), std::move(want));
  }
  if (in.ConsumeBool()) e.body_regex = consume_pattern(in, 48);
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    core::CookieExpectation c;
    c.name = consume_token(in, 16, false);
    if (c.name.empty()) continue;
    if (in.ConsumeBool()) c.http_only = in.ConsumeBool();
    if (in.ConsumeBool()) c.secure = in.ConsumeBool();
    if (in.ConsumeBool()) {
      c.same_site = static_cast<core::SameSite>(in.ConsumeIntegralInRange(0, 3));
    }
    if (in.ConsumeBool()) c.path = "/" + in.ConsumeRandomLengthString(16);
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    if (in.ConsumeBool()) {
      c.max_age_min = duration_cast<seconds>(in.ConsumeBool() ? milliseconds{0}
                                                              : consume_config_duration(in));
    }
    if (in.ConsumeBool()) {
      c.max_age_max = duration_cast<seconds>(consume_config_duration(in));
      if (c.max_age_min && *c.max_age_min > *c.max_age_max) c.max_age_max.reset();
    }
    e.cookies.push_back(std::move(c));
  }
  if (in.ConsumeBool()) {
    core::CorsExpectation cors;
    cors.origin = in.ConsumeBool() ? "https://medio-react-app.fly.dev"
                                   : "https://" + consume_token(in, 24, true);
    cors.credentials = in.ConsumeBool();
    cors.vary_origin = in.ConsumeBool();
    e.cors = std::move(cors);
  }
  e.assets = in.ConsumeBool();
  if (in.ConsumeBool()) e.banner_regex = consume_pattern(in, 48);
  if (in.ConsumeBool()) e.max_latency = consume_config_duration(in);
  if (in.ConsumeBool()) e.cert_min_validity = consume_config_duration(in);
  return e;
}

core::ProbeResult consume_result(FuzzedDataProvider& in) {
  core::ProbeResult r;
  if (in.ConsumeIntegralInRange(0, 7) == 0) {
    r.transport_failure = static_cast<core::FailureReason>(
        in.ConsumeIntegralInRange<std::size_t>(0, core::failure_reason_count - 1));
    r.error = in.ConsumeRandomLengthString(32);
  }
  r.http_exchange = in.ConsumeIntegralInRange(0, 7) != 0;
  r.http_status = r.http_exchange ? in.ConsumeIntegralInRange(0, 999) : 0;
  r.total = std::chrono::nanoseconds{in.ConsumeIntegralInRange<std::int64_t>(
      0, std::chrono::nanoseconds::max().count())};
  r.used_tls = in.ConsumeBool();
  if (in.ConsumeBool()) {
    // What the prober can report: a certificate's notAfter in whole seconds, as far as
    // system_clock holds it.
    const std::int64_t limit = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::duration::max())
                                   .count();
    r.cert_not_after = std::chrono::system_clock::time_point{
        std::chrono::seconds{in.ConsumeIntegralInRange<std::int64_t>(-limit, limit)}};
  }
  for (int n = in.ConsumeIntegralInRange(0, 8); n > 0; --n) {
    std::string name = consume_token(in, 24, true);
    if (name.empty()) continue;
    r.headers.emplace_back(std::move(name), in.ConsumeRandomLengthString(96));
  }
  r.page_was_html = in.ConsumeBool();
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    core::AssetFetch a;
    a.target = "/" + in.ConsumeRandomLengthString(16);
    a.status = in.ConsumeIntegralInRange(0, 999);
    if (in.ConsumeIntegralInRange(0, 3) == 0) {
      a.transport_failure = static_cast<core::FailureReason>(
          in.ConsumeIntegralInRange<std::size_t>(1, core::failure_reason_count - 1));
    }
    r.assets.push_back(std::move(a));
  }
  return r;
}

std::chrono::system_clock::time_point consume_now(FuzzedDataProvider& in) {
  const std::int64_t ms =
      in.ConsumeIntegralInRange<std::int64_t>(946'684'800'000, 4'102'444'800'000);
  return std::chrono::system_clock::time_point{milliseconds{ms}};
}

void check_verdict(const core::Verdict& v, const core::ProbeResult& result) {
  require(v.success == (v.reason == core::FailureReason::none), "success exactly without a reason");
  require(v.success || !v.detail.empty(), "a failure has a detail");
  require(!result.transport_ok() || v.detail.find_first_of("\r\n") == std::string::npos,
          "no raw CR or LF in the detail");
}

}  // namespace flywatch::fuzz
