// Fuzzer: the cookie and CORS code a journey runs on every answer (lib/core cookie,
// cookie_jar, cookie_expectation, cors_expectation). The input gives Set-Cookie headers and a
// date text, the URLs they come from and go to, and cookie and CORS expectations. Properties:
// no crash; a parsed cookie has a name and no control character but tab; the jar holds at
// most max_cookies; the Cookie header a request would carry has no CR, LF or NUL (it must not
// split the request); the checks return well-formed verdicts with their own reason.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/cookie.hpp"
#include "core/cookie_expectation.hpp"
#include "core/cookie_jar.hpp"
#include "core/cors_expectation.hpp"
#include "expect_input.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace flywatch;
using fuzz::require;

constexpr std::array<std::string_view, 6> hosts = {
    "medio-backend.fly.dev", "fly.dev", "api.example.test", "127.0.0.1", "::1", "localhost"};

core::CookieUrl consume_url(FuzzedDataProvider& in) {
  core::CookieUrl url;
  url.secure = in.ConsumeBool();
  url.host = in.ConsumeIntegralInRange(0, 7) == 0 ? in.ConsumeRandomLengthString(24)
                                                  : std::string(in.PickValueInArray(hosts));
  url.path = in.ConsumeBool() ? "/" : "/" + in.ConsumeRandomLengthString(24);
  return url;
}

bool has_control(std::string_view s, bool allow_tab) {
  for (unsigned char c : s) {
    if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  (void)core::parse_cookie_date(in.ConsumeRandomLengthString(64));

  auto now = fuzz::consume_now(in);
  core::CookieJar jar;
  core::ProbeResult answer;
  for (int n = in.ConsumeIntegralInRange(0, 80); n > 0 && in.remaining_bytes() > 0; --n) {
    const std::string header = in.ConsumeRandomLengthString(160);
    if (const auto cookie = core::parse_set_cookie(header)) {
      require(!cookie->name.empty(), "a parsed cookie has a name");
      require(!has_control(cookie->name, true) && !has_control(cookie->value, true),
              "a parsed cookie has no control character but tab");
    }
    answer.headers.emplace_back(in.ConsumeBool() ? "set-cookie" : "Set-Cookie", header);
    if (in.ConsumeIntegralInRange(0, 7) == 0) {
      jar.receive(answer.headers, consume_url(in), now);
      answer.headers.clear();
      now += std::chrono::seconds{in.ConsumeIntegralInRange(0, 86'400 * 30)};
    }
  }
  jar.receive(answer.headers, consume_url(in), now);
  require(jar.size() <= core::CookieJar::max_cookies, "the jar stays within max_cookies");
  const std::string cookie_header = jar.cookie_header(consume_url(in), now);
  for (char c : cookie_header) {
    require(c != '\r' && c != '\n' && c != '\0', "a Cookie header has no CR, LF or NUL");
  }

  // The same headers as one answer, against cookie and CORS expectations.
  for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
    std::string name = fuzz::consume_token(in, 32, true);
    answer.headers.emplace_back(std::move(name), in.ConsumeRandomLengthString(64));
  }
  const core::Expectation expect = fuzz::consume_expectation(in);
  if (const auto v = core::check_cookies(answer, expect.cookies, now)) {
    fuzz::check_verdict(*v, answer);
    require(v->reason == core::FailureReason::cookie, "a cookie check fails with reason cookie");
  }
  if (expect.cors) {
    if (const auto v = core::check_cors(answer, *expect.cors)) {
      fuzz::check_verdict(*v, answer);
      require(v->reason == core::FailureReason::cors, "a CORS check fails with reason cors");
    }
  }
  return 0;
}
