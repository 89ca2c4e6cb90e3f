// Standard Webhooks signing, checked against the reference libraries' published test vector,
// RFC 4648's base64 vectors, and Python's hmac/base64 on random inputs.
#include <doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "alert/signing.hpp"

using namespace flywatch::alert;

namespace {

// The vector every Standard Webhooks / Svix library tests against (e.g. svix-webhooks
// go/webhook_test.go). The spec text itself shows a signature but not the secret behind it.
constexpr std::string_view golden_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view golden_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t golden_ts = 1614265330;
constexpr std::string_view golden_body = R"({"test": 2432232314})";
constexpr std::string_view golden_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

struct Case {
  std::string key, id, body;
  std::int64_t ts = 0;
};

// Runs hmac_reference.py over all cases; each output line is "<b64 key> <signature>".
std::vector<std::pair<std::string, std::string>> python_signatures(const std::vector<Case>& cases) {
  const auto input = std::filesystem::temp_directory_path() /
                     ("flywatch_hmac_" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream f(input);
    for (const auto& c : cases) {
      f << hex(c.key) << ' ' << hex(c.id) << ' ' << c.ts << ' ' << hex(c.body) << '\n';
    }
  }
  const std::string cmd =
      std::string("python3 '") + FLYWATCH_HMAC_REFERENCE + "' '" + input.string() + "'";
  std::vector<std::pair<std::string, std::string>> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = ::pclose(p);
  std::filesystem::remove(input);
  REQUIRE(status == 0);
  std::istringstream lines(text);
  // An empty key prints as an empty first field, so split each line at its one space.
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.find(' ');
    REQUIRE(space != std::string::npos);
    out.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return out;
}

}  // namespace

TEST_CASE("the reference test vector signs and verifies") {
  const auto key = decode_webhook_secret(golden_secret);
  REQUIRE(key.has_value());
  CHECK(key->size() == 24);
  CHECK(sign_webhook(*key, golden_id, golden_ts, golden_body) == golden_signature);
  CHECK(verify_webhook(*key, golden_id, golden_ts, golden_body, golden_signature));
}

TEST_CASE("verify rejects any change to id, timestamp, body, key or signature") {
  const std::string key = *decode_webhook_secret(golden_secret);
  const std::string sig(golden_signature);
  CHECK_FALSE(verify_webhook(key, "msg_p5jXN8AQM9LWM0D4loKWxJeK", golden_ts, golden_body, sig));
  CHECK_FALSE(verify_webhook(key, golden_id, golden_ts + 1, golden_body, sig));
  CHECK_FALSE(verify_webhook(key, golden_id, golden_ts, R"({"test": 2432232315})", sig));
  CHECK_FALSE(verify_webhook(key + "x", golden_id, golden_ts, golden_body, sig));
  CHECK_FALSE(verify_webhook(key, golden_id, golden_ts, golden_body, "v1a," + sig.substr(3)));
  CHECK_FALSE(verify_webhook(key, golden_id, golden_ts, golden_body, sig.substr(0, sig.size() - 1)));
  CHECK_FALSE(verify_webhook(key, golden_id, golden_ts, golden_body, ""));
  // Key rotation: several space-separated signatures, any one valid is enough.
  CHECK(verify_webhook(key, golden_id, golden_ts, golden_body,
                       "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw " + sig));
  CHECK(verify_webhook(key, golden_id, golden_ts, golden_body,
                       "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= " + sig + " v1,AAAA"));
}

TEST_CASE("base64 matches the RFC 4648 test vectors") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == std::optional<std::string>(plain));
  }
}

TEST_CASE("base64_decode accepts missing padding and rejects malformed text") {
  CHECK(base64_decode("Zg") == std::optional<std::string>("f"));
  CHECK(base64_decode("Zm8") == std::optional<std::string>("fo"));
  CHECK(base64_decode("+/+/") == std::optional<std::string>("\xfb\xff\xbf"));
  for (std::string_view bad : {"Z", "Zg=", "Zm9v=", "Zg===", "Z=g=", "Zm9v!", "Zm 9v", "Zm9v\n",
                               "-_-_", "====", "Zm9vY"}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
}

TEST_CASE("secrets: whsec_ is base64, anything else is raw bytes") {
  CHECK(decode_webhook_secret("whsec_Zm9vYmFy") == std::optional<std::string>("foobar"));
  CHECK(decode_webhook_secret("whsec_Zm9vYg") == std::optional<std::string>("foob"));
  CHECK(decode_webhook_secret("my-shared-secret") == std::optional<std::string>("my-shared-secret"));
  CHECK(decode_webhook_secret("WHSEC_Zm9v") == std::optional<std::string>("WHSEC_Zm9v"));
  CHECK_FALSE(decode_webhook_secret("").has_value());
  CHECK_FALSE(decode_webhook_secret("whsec_").has_value());
  CHECK_FALSE(decode_webhook_secret("whsec_not base64!").has_value());
  CHECK_FALSE(decode_webhook_secret("whsec_Zm9vY").has_value());
}

TEST_CASE("random inputs sign exactly as Python's hmac and base64 do") {
  std::mt19937_64 rng(20261127);
  std::vector<Case> cases;
  for (int i = 0; i < 300; ++i) {
    Case c;
    // Keys 0..80 bytes (the spec's 24..64 and beyond), arbitrary bytes in id and body,
    // including NUL, '.', and invalid UTF-8.
    c.key = random_bytes(rng, rng() % 81);
    c.id = random_bytes(rng, rng() % 40);
    c.body = random_bytes(rng, i % 50 == 0 ? 70000 : rng() % 2000);
    c.ts = static_cast<std::int64_t>(rng() % 5'000'000'000ULL) - (i % 10 == 0 ? 2'000'000'000 : 0);
    cases.push_back(std::move(c));
  }
  const auto expected = python_signatures(cases);
  REQUIRE(expected.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    CAPTURE(i);
    CHECK(sign_webhook(c.key, c.id, c.ts, c.body) == expected[i].second);
    CHECK(verify_webhook(c.key, c.id, c.ts, c.body, expected[i].second));
    CHECK(base64_encode(c.key) == expected[i].first);
    const auto decoded = decode_webhook_secret("whsec_" + expected[i].first);
    if (c.key.empty()) {
      CHECK_FALSE(decoded.has_value());
    } else {
      CHECK(decoded == std::optional<std::string>(c.key));
    }
  }
}
