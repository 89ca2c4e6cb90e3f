#include "core/template_text.hpp"

#include <algorithm>
#include <utility>

namespace flywatch::core {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::size_t braces = 2;  // the length of "{{" and of "}}"

}  // namespace

bool is_variable_name(std::string_view name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || digit(c); });
}

std::optional<TemplateText> TemplateText::parse(std::string_view source, std::string& error,
                                                std::size_t& error_offset) {
  TemplateText t;
  t.source_ = std::string(source);
  std::size_t at = 0;
  while ((at = source.find("{{", at)) != std::string_view::npos) {
    const std::size_t close = source.find("}}", at + braces);
    auto failed = [&](std::string message) {
      error = std::move(message);
      error_offset = at;
      return std::nullopt;
    };
    if (close == std::string_view::npos) return failed("\"{{\" without \"}}\"");
    const std::string_view name = trim_blanks(source.substr(at + braces, close - at - braces));
    // The errors do not quote the text: after ${VAR} expansion it may hold a secret.
    if (name.empty()) return failed("empty variable name in \"{{}}\"");
    if (!is_variable_name(name)) {
      return failed("invalid variable name in \"{{}}\" (letters, digits and _, not starting with a digit)");
    }
    t.placeholders_.push_back(Placeholder{std::string(name), at});
    at = close + braces;
  }
  return t;
}

std::string TemplateText::expand(const VariableValues& values) const {
  std::string out;
  out.reserve(source_.size());
  std::size_t copied = 0;
  for (const Placeholder& p : placeholders_) {
    out.append(source_, copied, p.offset - copied);
    if (const auto it = values.find(p.name); it != values.end()) out += it->second;
    // parse() ended this placeholder at the first "}}" after its "{{".
    copied = source_.find("}}", p.offset + braces) + braces;
  }
  out.append(source_, copied);
  return out;
}

bool is_builtin_variable(std::string_view name) { return name == "uuid" || name == "unix_ms"; }

VariableValues builtin_values(const std::array<std::uint8_t, 16>& random,
                              std::chrono::system_clock::time_point now) {
  std::array<std::uint8_t, 16> b = random;
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4 (random)
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10xx (RFC 4122)
  constexpr char hex[] = "0123456789abcdef";
  std::string uuid;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
    uuid += hex[b[i] >> 4];
    uuid += hex[b[i] & 0x0f];
  }
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return VariableValues{{"uuid", std::move(uuid)}, {"unix_ms", std::to_string(ms)}};
}

std::string redact(std::string_view text, const std::vector<std::string>& secrets) {
  // Every occurrence as [begin, end), overlapping ones included, then merged where they
  // overlap: this hides a secret inside another whole, and secrets that straddle each other.
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1)) {
      spans.emplace_back(at, at + secret.size());
    }
  }
  if (spans.empty()) return std::string(text);
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < spans.size();) {
    const std::size_t begin = spans[i].first;
    std::size_t end = spans[i].second;
    for (++i; i < spans.size() && spans[i].first < end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(copied, begin - copied));
    out += "<secret>";
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace flywatch::core
