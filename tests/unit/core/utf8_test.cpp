// utf8_sequence_length: RFC 3629's valid sequences, and what it refuses.
#include <doctest.h>

#include <string>
#include <string_view>

#include "core/utf8.hpp"

using flywatch::core::utf8_sequence_length;

TEST_CASE("utf8_sequence_length: the length of each valid sequence") {
  struct Row {
    std::string_view text;
    std::size_t length;
  };
  const Row rows[] = {
      {"a", 1},
      {std::string_view("\0", 1), 1},
      {"\x7f", 1},
      {"\xc3\xa9", 2},              // é
      {"\xdf\xbf", 2},              // U+07FF
      {"\xe0\xa0\x80", 3},          // U+0800, the smallest 3-byte
      {"\xe2\x82\xac", 3},          // €
      {"\xed\x9f\xbf", 3},          // U+D7FF, just below the surrogates
      {"\xef\xbf\xbd", 3},          // U+FFFD
      {"\xf0\x90\x80\x80", 4},      // U+10000
      {"\xf0\x9f\x98\x80", 4},      // 😀
      {"\xf4\x8f\xbf\xbf", 4},      // U+10FFFF
      {"\xc3\xa9tail", 2},          // only the sequence at i counts
  };
  for (const auto& row : rows) {
    CAPTURE(std::string(row.text));
    CHECK(utf8_sequence_length(row.text, 0) == row.length);
  }
  CHECK(utf8_sequence_length("a\xc3\xa9", 1) == 2);
}

TEST_CASE("utf8_sequence_length: 0 for what is not a valid sequence") {
  const std::string_view bad[] = {
      "\x80",              // a lone continuation byte
      "\xbf",
      "\xc0\xaf",          // overlong '/'
      "\xc1\xbf",          // overlong
      "\xc3",              // truncated
      "\xc3" "a",          // not followed by a continuation byte
      "\xe0\x80\xaf",      // overlong 3-byte
      "\xe2\x82",          // truncated 3-byte
      "\xed\xa0\x80",      // a surrogate (U+D800)
      "\xf0\x80\x80\xaf",  // overlong 4-byte
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf5\x80\x80\x80",
      "\xf0\x9f\x98",      // truncated 4-byte
      "\xfe",
      "\xff",
  };
  for (const auto text : bad) {
    CAPTURE(std::string(text));
    CHECK(utf8_sequence_length(text, 0) == 0);
  }
}
