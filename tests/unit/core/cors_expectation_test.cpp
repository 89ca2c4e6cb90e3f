#include "core/cors_expectation.hpp"

#include <doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace fc = flywatch::core;

namespace {

constexpr const char* front = "https://medio-react-app.fly.dev";

using Headers = std::vector<std::pair<std::string, std::string>>;

fc::ProbeResult answer(Headers headers) {
  fc::ProbeResult r;
  r.http_status = 204;
  r.headers = std::move(headers);
  return r;
}

fc::CorsExpectation expect_front(bool credentials = true, bool vary_origin = true) {
  return fc::CorsExpectation{front, credentials, vary_origin};
}

// The detail of the cors failure, or "" when the check passes.
std::string detail(const Headers& headers, const fc::CorsExpectation& e = expect_front()) {
  const auto v = fc::check_cors(answer(headers), e);
  if (!v) return "";
  CHECK_FALSE(v->success);
  CHECK(v->reason == fc::FailureReason::cors);
  CHECK_FALSE(v->detail.empty());
  return v->detail;
}

Headers good() {
  return {{"access-control-allow-origin", front},
          {"access-control-allow-credentials", "true"},
          {"vary", "Origin"}};
}

Headers with(Headers h, const std::string& name, const std::string& value) {
  std::erase_if(h, [&](const auto& p) { return p.first == name; });
  h.emplace_back(name, value);
  return h;
}

Headers without(Headers h, const std::string& name) {
  std::erase_if(h, [&](const auto& p) { return p.first == name; });
  return h;
}

}  // namespace

TEST_CASE("check_cors: the exact origin, credentials and Vary: Origin pass") {
  CHECK_FALSE(fc::check_cors(answer(good()), expect_front()).has_value());
  // Spaces around a value are not part of it (RFC 9110), as for a browser.
  CHECK(detail(with(good(), "access-control-allow-origin", std::string(" ") + front + "\t")) == "");
  CHECK(detail(with(good(), "access-control-allow-credentials", " true ")) == "");
  // Header names in any case.
  CHECK(detail({{"Access-Control-Allow-Origin", front},
                {"ACCESS-CONTROL-ALLOW-CREDENTIALS", "true"},
                {"VARY", "origin"}}) == "");
  // Other headers around them do not matter.
  Headers noisy = good();
  noisy.insert(noisy.begin(), {"access-control-allow-methods", "GET, POST"});
  noisy.emplace_back("access-control-allow-headers", "content-type");
  CHECK(detail(noisy) == "");
}

TEST_CASE("check_cors: Access-Control-Allow-Origin missing, wildcard, null, several, not exact") {
  const std::string want = R"(, want "https://medio-react-app.fly.dev")";
  CHECK(detail(without(good(), "access-control-allow-origin")) ==
        "Access-Control-Allow-Origin missing" + want);
  CHECK(detail(with(good(), "access-control-allow-origin", "*"), expect_front(false)) ==
        "Access-Control-Allow-Origin is the wildcard \"*\"" + want);
  CHECK(detail(with(good(), "access-control-allow-origin", "*")) ==
        "Access-Control-Allow-Origin is the wildcard \"*\"" + want +
            " (a wildcard never allows credentials)");
  CHECK(detail(with(good(), "access-control-allow-origin", "null")) ==
        "Access-Control-Allow-Origin is \"null\"" + want);
  CHECK(detail(with(good(), "access-control-allow-origin", std::string(front) + ", https://evil.example")) ==
        R"(Access-Control-Allow-Origin lists several values "https://medio-react-app.fly.dev, https://evil.example", want only "https://medio-react-app.fly.dev")");
  CHECK(detail(with(good(), "access-control-allow-origin", std::string(front) + " https://evil.example")) ==
        R"(Access-Control-Allow-Origin lists several values "https://medio-react-app.fly.dev https://evil.example", want only "https://medio-react-app.fly.dev")");

  Headers twice = good();
  twice.emplace_back("access-control-allow-origin", front);
  CHECK(detail(twice) == "Access-Control-Allow-Origin sent 2 times, want one \"https://medio-react-app.fly.dev\"");

  // Byte for byte: no trailing slash, same scheme, host and port, no case folding, no suffix.
  for (const char* near : {"https://medio-react-app.fly.dev/", "http://medio-react-app.fly.dev",
                           "https://medio-react-app.fly.dev:443", "https://MEDIO-react-app.fly.dev",
                           "https://medio-react-app.fly.dev.evil.example", "https://evil.example",
                           "medio-react-app.fly.dev", ""}) {
    CAPTURE(near);
    CHECK(detail(with(good(), "access-control-allow-origin", near)) ==
          "Access-Control-Allow-Origin is \"" + std::string(near) + "\"" + want);
  }
  // A hostile value is quoted safely.
  CHECK(detail(with(good(), "access-control-allow-origin", "x\"\n")) ==
        "Access-Control-Allow-Origin is \"x\\\"\\n\"" + want);
}

TEST_CASE("check_cors: the origin is checked before credentials and Vary") {
  CHECK(detail({{"access-control-allow-origin", "*"}}) ==
        R"(Access-Control-Allow-Origin is the wildcard "*", want "https://medio-react-app.fly.dev" (a wildcard never allows credentials))");
  CHECK(detail({{"access-control-allow-origin", front}}) ==
        R"(Access-Control-Allow-Credentials missing, want "true")");
}

TEST_CASE("check_cors: Access-Control-Allow-Credentials must be exactly true, only when asked") {
  CHECK(detail(without(good(), "access-control-allow-credentials")) ==
        R"(Access-Control-Allow-Credentials missing, want "true")");
  for (const char* bad : {"True", "TRUE", "1", "yes", "false", "", "true, true", "\"true\""}) {
    CAPTURE(bad);
    CHECK(detail(with(good(), "access-control-allow-credentials", bad)) ==
          "Access-Control-Allow-Credentials is " + fc::quote_detail(bad) + ", want \"true\"");
  }
  Headers twice = good();
  twice.emplace_back("access-control-allow-credentials", "true");
  CHECK(detail(twice) == R"(Access-Control-Allow-Credentials sent 2 times, want one "true")");

  // Without credentials the header is not looked at.
  CHECK(detail(without(good(), "access-control-allow-credentials"), expect_front(false)) == "");
  CHECK(detail(with(good(), "access-control-allow-credentials", "false"), expect_front(false)) == "");
}

TEST_CASE("check_cors: Vary must list Origin") {
  CHECK(detail(without(good(), "vary")) == "Vary missing, want it to list Origin");
  CHECK(detail(with(good(), "vary", "Accept-Encoding")) ==
        R"(Vary is "Accept-Encoding", want it to list Origin)");
  // Whole tokens only.
  CHECK(detail(with(good(), "vary", "Origin-Agent-Cluster, X-Origin")) ==
        R"(Vary is "Origin-Agent-Cluster, X-Origin", want it to list Origin)");
  CHECK(detail(with(good(), "vary", "")) == R"(Vary is "", want it to list Origin)");

  for (const char* ok : {"Origin", "origin", "ORIGIN", "accept-encoding, origin", "Accept-Encoding,Origin",
                         "Origin, Accept-Encoding", " , origin ,", "Cookie,\torigin\t", "*"}) {
    CAPTURE(ok);
    CHECK(detail(with(good(), "vary", ok)) == "");
  }

  // Repeated Vary headers count together.
  Headers several = without(good(), "vary");
  several.emplace_back("vary", "Accept-Encoding");
  several.emplace_back("vary", "Cookie, Origin");
  CHECK(detail(several) == "");
  Headers none_lists = without(good(), "vary");
  none_lists.emplace_back("vary", "Accept-Encoding");
  none_lists.emplace_back("Vary", "Cookie");
  CHECK(detail(none_lists) == R"(Vary is "Accept-Encoding, Cookie", want it to list Origin)");

  // vary_origin: false does not look at Vary.
  CHECK(detail(without(good(), "vary"), expect_front(true, false)) == "");
}

TEST_CASE("CorsExpectation: defaults and equality") {
  const fc::CorsExpectation e{front};
  CHECK_FALSE(e.credentials);
  CHECK(e.vary_origin);
  CHECK(e == fc::CorsExpectation{front, false, true});
  CHECK_FALSE(e == fc::CorsExpectation{front, true, true});
  CHECK_FALSE(e == fc::CorsExpectation{"https://other.example", false, true});
}
