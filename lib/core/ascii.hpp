#pragma once
/// ASCII helpers for protocol words (header names, schemes), where locale rules do not apply.

#include <string_view>

namespace flywatch::core {

/// True when `a` and `b` are equal with ASCII letters compared case-insensitively.
bool ascii_iequals(std::string_view a, std::string_view b);

}  // namespace flywatch::core
