#pragma once
/// `${VAR}` / `${VAR:-default}` expansion of one config scalar (DESIGN §4). Pure: the
/// environment comes in as a lookup.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace flywatch::config::detail {

/// Expands `text`: `${VAR}` is replaced by VAR's value, `${VAR:-default}` by VAR's value or, when
/// VAR is unset or empty, by `default` (taken literally up to the first `}`), and `$$` by `$`.
/// Any other `$` is kept. VAR must match [A-Za-z_][A-Za-z0-9_]*. On failure returns nullopt and
/// sets `error` to a message that may name the variable but never contains any value.
std::optional<std::string> expand_env(std::string_view text, const EnvLookup& getenv,
                                      std::string& error);

}  // namespace flywatch::config::detail
