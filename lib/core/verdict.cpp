#include "core/verdict.hpp"

namespace flywatch::core {

namespace {
constexpr std::size_t max_quoted = 120;
}  // namespace

Verdict fail_verdict(FailureReason reason, std::string detail) {
  return Verdict{false, reason, std::move(detail)};
}

std::string quote_detail(std::string_view s) {
  std::string out = "\"";
  const bool cut = s.size() > max_quoted;
  for (char c : s.substr(0, cut ? max_quoted : s.size())) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

}  // namespace flywatch::core
