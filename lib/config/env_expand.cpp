#include "config/env_expand.hpp"

namespace flywatch::config::detail {

namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::optional<std::string> expand_env(std::string_view text, const EnvLookup& getenv,
                                      std::string& error) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    // "${": a reference runs to the first '}'.
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "unterminated ${ (write $$ for a literal $)";
      return std::nullopt;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    std::size_t name_end = 0;
    while (name_end < inner.size() && is_name_char(inner[name_end])) ++name_end;
    const std::string name(inner.substr(0, name_end));
    const std::string_view rest = inner.substr(name_end);
    if (name.empty() || !is_name_start(name[0]) || (!rest.empty() && !rest.starts_with(":-"))) {
      error = "bad variable reference ${" + std::string(inner.substr(0, name_end)) +
              "...}: expected ${NAME} or ${NAME:-default}";
      return std::nullopt;
    }
    const std::optional<std::string> value = getenv ? getenv(name) : std::nullopt;
    if (rest.empty()) {
      if (!value) {
        error = "environment variable " + name + " is not set";
        return std::nullopt;
      }
      out += *value;
    } else if (value && !value->empty()) {
      out += *value;
    } else {
      out += rest.substr(2);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace flywatch::config::detail
