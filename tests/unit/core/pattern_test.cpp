#include <doctest.h>

#include <chrono>

#include "core/pattern.hpp"

namespace fc = flywatch::core;

namespace {
fc::Pattern compile(std::string_view source) {
  std::string error;
  auto p = fc::Pattern::compile(source, &error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return *p;
}
}  // namespace

TEST_CASE("Pattern: search finds anywhere, full_match needs all") {
  const fc::Pattern p = compile(R"("timestamp":"\d{4}-)");
  CHECK(p.source() == R"("timestamp":"\d{4}-)");
  CHECK(p.search(R"({"status":"ok","timestamp":"2026-11-27T15:04:05Z"})"));
  CHECK_FALSE(p.search(R"({"timestamp":"soon"})"));
  CHECK_FALSE(p.full_match(R"({"timestamp":"2026-11-27"})"));

  const fc::Pattern ct = compile("application/json.*");
  CHECK(ct.full_match("application/json; charset=utf-8"));
  CHECK_FALSE(ct.full_match("text/plain; x=application/json"));
  CHECK(ct.search("text/plain; x=application/json"));
}

TEST_CASE("Pattern: ECMAScript anchors match at the ends of the subject only") {
  const fc::Pattern p = compile("^ok$");
  CHECK(p.search("ok"));
  CHECK_FALSE(p.search("status\nok\nmore"));
  const fc::Pattern alt = compile("(?:ready|ok)\\b");
  CHECK(alt.search("status: ok"));
}

TEST_CASE("Pattern: syntax errors are reported, not thrown") {
  for (const char* bad : {"(abc", "[z-a]", "*x", "a{2,1}", "(?<name", "\\"}) {
    CAPTURE(bad);
    std::string error;
    CHECK_FALSE(fc::Pattern::compile(bad, &error).has_value());
    CHECK_FALSE(error.empty());
  }
  CHECK_FALSE(fc::Pattern::compile("(abc").has_value());  // no error sink is fine too
}

TEST_CASE("Pattern: copies share the compiled program and stay usable") {
  std::optional<fc::Pattern> copy;
  {
    const fc::Pattern original = compile("b+");
    copy = original;
  }
  CHECK(copy->search("abbbc"));
}

TEST_CASE("Pattern: default-constructed is the empty pattern") {
  const fc::Pattern p;
  CHECK(p.source().empty());
  CHECK(p.search("anything"));
  CHECK(p.full_match(""));
  CHECK_FALSE(p.full_match("x"));
}

TEST_CASE("Pattern: catastrophic backtracking is no match, not a crash or a hang") {
  // Classic exponential patterns; Boost gives up (error_complexity) and we report no match.
  const std::string as = std::string(5'000, 'a') + "!";
  for (const char* source : {"(a+)+$", "(a|a)*(a|aa)*b", "(a*)*b", "(.*a){20}x"}) {
    CAPTURE(source);
    const fc::Pattern p = compile(source);
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(p.search(as));
    CHECK_FALSE(p.full_match(as));
    // Bounded by Boost's state budget; generous so that sanitizer builds pass too.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
  // The same patterns still work on ordinary input.
  CHECK(compile("(a+)+$").search("xaaa"));
  CHECK(compile("(a*)*b").full_match("aab"));
}

TEST_CASE("Pattern: binary and NUL bytes in the subject") {
  const fc::Pattern p = compile("x\\x00y");
  CHECK(p.search(std::string_view("ax\0yb", 5)));
  CHECK(compile("ok").search(std::string_view("\xff\xfe ok \x80", 7)));
}

TEST_CASE("Pattern: a 1 MiB body bounds a pathological match and still matches ordinary patterns") {
  std::string body(1 << 20, 'a');
  body += R"("timestamp":"2026-11-27T10:00:00Z")";
  const auto start = std::chrono::steady_clock::now();
  for (const char* source : {"(a+)+$x", "(a|aa)*(a|aa)*b", "(.*a){20}x"}) CHECK_FALSE(compile(source).search(body));
  const auto spent = std::chrono::steady_clock::now() - start;
  // The state budget (BOOST_REGEX_MAX_STATE_COUNT in lib/core/meson.build) keeps this well under
  // a second in an optimized build; sanitizers slow it several times.
  CHECK(spent < std::chrono::seconds(8));
  MESSAGE("pathological match on 1 MiB gave up after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(spent).count() << " ms");
  CHECK(compile(R"("timestamp":"\d{4}-)").search(body));
  CHECK_FALSE(compile(R"("timestamp":"\d{5}-)").search(body));
}

TEST_CASE("Pattern: could_match_with_more tells a stream reader when to stop") {
  const fc::Pattern anchored = compile(R"(^SSH-2\.0-)");
  CHECK(anchored.could_match_with_more(""));
  CHECK(anchored.could_match_with_more("SSH-2."));              // the start of a match
  CHECK(anchored.could_match_with_more("SSH-2.0-OpenSSH_9.6"));  // a match already
  CHECK_FALSE(anchored.could_match_with_more("HTTP/1.1 400"));   // can never match now
  CHECK_FALSE(anchored.could_match_with_more("xSSH-2.0-"));

  // Unanchored: a match may still start in bytes not yet read.
  const fc::Pattern anywhere = compile(R"(\+PONG)");
  CHECK(anywhere.could_match_with_more("-ERR unknown command"));
  CHECK(anywhere.could_match_with_more("+PO"));

  CHECK(fc::Pattern{}.could_match_with_more("anything"));
}

TEST_CASE("Pattern: could_match_with_more stays open for patterns that are not simply anchored") {
  CHECK(compile("^SSH|220").could_match_with_more("HTTP/1.1"));
  CHECK(compile("(^SSH)").could_match_with_more("HTTP/1.1"));
}

TEST_CASE("Pattern: group_count and first_group") {
  CHECK(compile("token").group_count() == 0);
  CHECK(compile("(?:a)b").group_count() == 0);
  CHECK(compile("(a)(b)").group_count() == 2);
  CHECK(compile("(?<id>x)").group_count() == 1);
  CHECK(fc::Pattern{}.group_count() == 0);

  const fc::Pattern token = compile(R"(token=(\w+))");
  CHECK(token.first_group("a token=abc123; token=zzz") == std::optional<std::string>("abc123"));
  CHECK(token.first_group("no token here") == std::nullopt);
  CHECK(token.first_group("token=") == std::nullopt);
  // The first group, not the whole match nor a later group.
  CHECK(compile(R"((\d+)-(\d+))").first_group("id 12-34") == std::optional<std::string>("12"));
  // An empty capture is a value; a group that took no part is not.
  CHECK(compile("x=(\\d*);").first_group("x=;") == std::optional<std::string>(""));
  CHECK(compile("a|(b)").first_group("a") == std::nullopt);
  CHECK(compile("a|(b)").first_group("b") == std::optional<std::string>("b"));
  // No group: nothing to give even when the pattern matches.
  CHECK(compile("token").first_group("token") == std::nullopt);
  CHECK(fc::Pattern{}.first_group("anything") == std::nullopt);
  // NUL bytes are kept.
  CHECK(compile("<(.*)>").first_group(std::string_view("<a\0b>", 5)) == std::optional<std::string>(std::string("a\0b", 3)));
}

TEST_CASE("Pattern: first_group on a catastrophic pattern is no match, not a hang") {
  const std::string as = std::string(5'000, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  CHECK(compile("((a+)+)$").first_group(as) == std::nullopt);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(compile("((a+)+)$").first_group("xaaa") == std::optional<std::string>("aaa"));
}

TEST_CASE("Pattern: search_outcome tells a search that gave up from one that found nothing") {
  const std::string as = std::string(2'000, 'a') + "!";
  CHECK(compile("(a+)+b").search_outcome(as) == fc::MatchOutcome::gave_up);
  CHECK(compile("b").search_outcome(as) == fc::MatchOutcome::not_matched);
  CHECK(compile("a!").search_outcome(as) == fc::MatchOutcome::matched);
  CHECK(fc::Pattern().search_outcome(as) == fc::MatchOutcome::matched);
}
