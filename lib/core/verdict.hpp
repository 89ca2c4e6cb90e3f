#pragma once
/// The outcome of one probe after its expectations, and how details quote what was seen.

#include <string>
#include <string_view>

#include "core/probe_result.hpp"

namespace flywatch::core {

/// The outcome of one probe after its expectations.
struct Verdict {
  bool success = false;
  FailureReason reason = FailureReason::none;  ///< none on success
  std::string detail;                          ///< why it failed, for logs and the status API
};

/// A failed verdict.
Verdict fail_verdict(FailureReason reason, std::string detail);

/// `s` in double quotes for a failure detail: `"` and `\` escaped, newlines as `\n`, other
/// control characters as `?`, cut after 120 characters (details go to logs and the status API).
std::string quote_detail(std::string_view s);

}  // namespace flywatch::core
