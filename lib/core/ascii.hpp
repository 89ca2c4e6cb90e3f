#pragma once
/// ASCII helpers for protocol words (header names, schemes), where locale rules do not apply.

#include <string>
#include <string_view>

namespace flywatch::core {

/// True when `a` and `b` are equal with ASCII letters compared case-insensitively.
bool ascii_iequals(std::string_view a, std::string_view b);

/// `s` with ASCII letters lower-cased.
std::string ascii_lower(std::string_view s);

}  // namespace flywatch::core
