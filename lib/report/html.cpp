// HTML escaping (see the header).
#include "report/html.hpp"

#include "core/utf8.hpp"

namespace flywatch::report {

namespace {

constexpr std::string_view replacement = "\xef\xbf\xbd";  // U+FFFD

bool is_banned_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

}  // namespace

void append_html_escaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = core::utf8_sequence_length(text, i);
      if (n == 0) {
        out += replacement;
        ++i;
      } else {
        out.append(text, i, n);
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (is_banned_control(c)) {
          out += replacement;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

}  // namespace flywatch::report
