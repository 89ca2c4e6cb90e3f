#pragma once
/// UTF-8 validation for text that leaves flywatch in a format that must stay well formed (JSON
/// log lines, HTML pages). Pure.

#include <cstddef>
#include <string_view>

namespace flywatch::core {

/// Length (1–4) of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (RFC 3629:
/// no overlongs, no surrogates, nothing above U+10FFFF, no truncated sequence). `i` < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

}  // namespace flywatch::core
