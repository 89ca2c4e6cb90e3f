#include "core/template_text.hpp"

#include <doctest.h>

#include <boost/regex.hpp>

namespace fc = flywatch::core;
using namespace std::chrono_literals;

namespace {

fc::TemplateText parse_ok(std::string_view source) {
  std::string error;
  std::size_t offset = 0;
  auto t = fc::TemplateText::parse(source, error, offset);
  REQUIRE_MESSAGE(t.has_value(), error << " at " << offset);
  return *t;
}

struct ParseError {
  std::string error;
  std::size_t offset;
};
ParseError parse_error(std::string_view source) {
  std::string error;
  std::size_t offset = 12345;
  const auto t = fc::TemplateText::parse(source, error, offset);
  CHECK_FALSE(t.has_value());
  return {error, offset};
}

using P = fc::TemplateText::Placeholder;

}  // namespace

TEST_CASE("TemplateText: placeholders with names and offsets") {
  const auto t = parse_ok(R"({"email":"{{email}}","password":"{{ password }}"})");
  CHECK(t.has_placeholders());
  CHECK(t.placeholders() == std::vector<P>{{"email", 10}, {"password", 33}});
  CHECK(t.source() == R"({"email":"{{email}}","password":"{{ password }}"})");

  CHECK(parse_ok("probe-{{uuid}}@example.com").placeholders() == std::vector<P>{{"uuid", 6}});
  CHECK(parse_ok("{{\t_a1\t}}{{B_2}}").placeholders() == std::vector<P>{{"_a1", 0}, {"B_2", 9}});
  // A name used twice is listed twice.
  CHECK(parse_ok("{{x}}-{{x}}").placeholders() == std::vector<P>{{"x", 0}, {"x", 6}});
}

TEST_CASE("TemplateText: text without placeholders, lone braces") {
  for (const char* plain : {"", "/api/auth/me", "{", "}}", "{ {x} }", "a}}b{c", R"({"a":{"b":1}})"}) {
    CAPTURE(plain);
    const auto t = parse_ok(plain);
    CHECK_FALSE(t.has_placeholders());
    CHECK(t.expand({{"x", "X"}}) == plain);
  }
  CHECK_FALSE(fc::TemplateText{}.has_placeholders());
  CHECK(fc::TemplateText{}.source().empty());
  CHECK(fc::TemplateText{}.expand({}).empty());
}

TEST_CASE("TemplateText: parse errors name the offset of the \"{{\" at fault") {
  const std::string unclosed = "\"{{\" without \"}}\"";
  const std::string empty = "empty variable name in \"{{}}\"";
  const std::string invalid = "invalid variable name in \"{{}}\" (letters, digits and _, not starting with a digit)";
  struct Case {
    const char* source;
    std::string error;
    std::size_t offset;
  };
  for (const Case& c : {Case{"{{", unclosed, 0}, Case{"abc{{email", unclosed, 3}, Case{"{{a}} {{b}", unclosed, 6},
                        Case{"{{a}} {{b} }", unclosed, 6}, Case{"x{{}}", empty, 1}, Case{"{{a}}{{   }}", empty, 5},
                        Case{"{{1abc}}", invalid, 0}, Case{"..{{user-id}}", invalid, 2},
                        Case{"{{user.id}}", invalid, 0}, Case{"{{a b}}", invalid, 0}, Case{"{{{x}}}", invalid, 0},
                        Case{"{{a{{b}}", invalid, 0}, Case{"{{\nx}}", invalid, 0}, Case{"{{\xc3\xa9}}", invalid, 0},
                        Case{"ok {{ok}} {{$x}}", invalid, 10}}) {
    CAPTURE(c.source);
    const ParseError e = parse_error(c.source);
    CHECK(e.error == c.error);
    CHECK(e.offset == c.offset);
  }
  // The text is never quoted back: it may hold a secret expanded from ${VAR}.
  CHECK(parse_error("{{hunter2-secret}}").error.find("hunter2") == std::string::npos);
}

TEST_CASE("TemplateText: expand replaces every placeholder, once, never recursively") {
  const auto t = parse_ok(R"({"email":"{{email}}","password":"{{ password }}","id":{{id}}})");
  CHECK(t.expand({{"email", "probe-1@example.com"}, {"password", "pw"}, {"id", "42"}}) ==
        R"({"email":"probe-1@example.com","password":"pw","id":42})");
  // A missing name expands to "" (the loader makes this impossible).
  CHECK(parse_ok("a{{x}}b").expand({}) == "ab");
  // A value that looks like a placeholder stays as it is: an extracted value cannot pull a secret in.
  CHECK(parse_ok("me={{user_id}}").expand({{"user_id", "{{password}}"}, {"password", "hunter2"}}) ==
        "me={{password}}");
  CHECK(parse_ok("{{a}}{{b}}}").expand({{"a", "1"}, {"b", "2"}}) == "12}");
  CHECK(parse_ok("{{x}}-{{x}}").expand({{"x", "v"}}) == "v-v");
  CHECK(parse_ok("{{x}}").expand({{"x", std::string("a\0b", 3)}}) == std::string("a\0b", 3));
}

TEST_CASE("TemplateText: equality is by source") {
  CHECK(parse_ok("a{{x}}") == parse_ok("a{{x}}"));
  CHECK_FALSE(parse_ok("a{{x}}") == parse_ok("a{{ x }}"));
  CHECK(parse_ok("") == fc::TemplateText{});
}

TEST_CASE("is_variable_name and is_builtin_variable") {
  for (const char* good : {"a", "_", "email", "user_id", "A9", "_9"}) CHECK(fc::is_variable_name(good));
  for (const char* bad : {"", "9a", "user-id", "user.id", "a b", " a", "\xc3\xa9"}) CHECK_FALSE(fc::is_variable_name(bad));
  CHECK(fc::is_builtin_variable("uuid"));
  CHECK(fc::is_builtin_variable("unix_ms"));
  for (const char* other : {"UUID", "uuid4", "unix", "unix_s", "", "email"}) CHECK_FALSE(fc::is_builtin_variable(other));
}

TEST_CASE("builtin_values: a version-4 UUID from the given bytes, unix_ms from the given time") {
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  const auto t = std::chrono::system_clock::time_point{1795791845s + 123ms + 999us};  // 2026-11-27T15:04:05.123999Z
  const fc::VariableValues v = fc::builtin_values(bytes, t);
  CHECK(v.size() == 2);
  CHECK(v.at("uuid") == "00010203-0405-4607-8809-0a0b0c0d0e0f");
  CHECK(v.at("unix_ms") == "1795791845123");

  bytes.fill(0xff);
  CHECK(fc::builtin_values(bytes, t).at("uuid") == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  bytes.fill(0x00);
  CHECK(fc::builtin_values(bytes, t).at("uuid") == "00000000-0000-4000-8000-000000000000");
  bytes.fill(0xa5);  // 1010 0101: the high nibble of byte 6 and the top bits of byte 8 are overwritten
  const std::string u = fc::builtin_values(bytes, t).at("uuid");
  CHECK(u == "a5a5a5a5-a5a5-45a5-a5a5-a5a5a5a5a5a5");
  CHECK(boost::regex_match(u, boost::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));

  CHECK(fc::builtin_values(bytes, std::chrono::system_clock::time_point{}).at("unix_ms") == "0");
  // Floored, not rounded towards zero, before the epoch.
  CHECK(fc::builtin_values(bytes, std::chrono::system_clock::time_point{} - 1us).at("unix_ms") == "-1");
}

TEST_CASE("redact: every occurrence of every secret, overlapping ones hidden whole") {
  CHECK(fc::redact("password=hunter2&again=hunter2", {"hunter2"}) == "password=<secret>&again=<secret>");
  CHECK(fc::redact("nothing here", {"hunter2"}) == "nothing here");
  CHECK(fc::redact("", {"x"}).empty());
  CHECK(fc::redact("keep", {}) == "keep");
  CHECK(fc::redact("keep", {"", ""}) == "keep");  // empty secrets are ignored
  // One secret inside another: the longer is hidden whole, whatever the order given.
  CHECK(fc::redact("token=abc123xyz", {"abc", "abc123xyz"}) == "token=<secret>");
  CHECK(fc::redact("token=abc123xyz", {"abc123xyz", "abc"}) == "token=<secret>");
  CHECK(fc::redact("abc and abc123xyz", {"abc", "abc123xyz"}) == "<secret> and <secret>");
  // Secrets that straddle each other: no byte of either survives.
  CHECK(fc::redact("xabcdx", {"abc", "bcd"}) == "x<secret>x");
  // A secret overlapping itself.
  CHECK(fc::redact("aaaa", {"aaa"}) == "<secret>");
  // Adjacent occurrences stay two.
  CHECK(fc::redact("s3cr3ts3cr3t", {"s3cr3t"}) == "<secret><secret>");
  // A replacement is not searched again: a secret that matches the marker changes nothing more.
  CHECK(fc::redact("pw=secret", {"secret", "<secret>", "ret>"}) == "pw=<secret>");
  CHECK(fc::redact("a<secret>b", {"<secret>"}) == "a<secret>b");
  CHECK(fc::redact(std::string("x\0y", 3), {std::string("\0", 1)}) == "x<secret>y");
}
