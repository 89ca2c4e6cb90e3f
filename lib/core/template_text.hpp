#pragma once
/// `{{name}}` variables of journeys (DESIGN §12): texts with placeholders parsed once at config
/// load, the built-ins {{uuid}} and {{unix_ms}}, expansion per run, and redaction of secret
/// values before a text reaches logs, status or metrics. Pure: the caller supplies the random
/// bytes and the time.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

/// Variable values by name for one journey run.
using VariableValues = std::map<std::string, std::string, std::less<>>;

/// True for a valid variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_variable_name(std::string_view name);

/// A text with {{name}} placeholders, parsed once at config load. A default-constructed
/// TemplateText is the empty text.
class TemplateText {
 public:
  struct Placeholder {
    std::string name;
    std::size_t offset;  ///< offset of "{{" in the source
    bool operator==(const Placeholder&) const = default;
  };

  /// Parses `source`. A placeholder runs from "{{" to the first "}}" after it and holds a
  /// variable name (is_variable_name), with spaces or tabs allowed around it ("{{ email }}").
  /// Errors (nullopt, `error` set, `error_offset` = byte offset in `source` of the "{{" at
  /// fault): "{{" without "}}", an empty or invalid name (so "{{{x}}}" is an error, not a
  /// literal brace). Messages do not quote the text, which may hold an expanded secret. A lone
  /// "{" or "}}" is literal text; there is no escape for a literal "{{".
  static std::optional<TemplateText> parse(std::string_view source, std::string& error,
                                           std::size_t& error_offset);

  /// The placeholders in source order (a name appears once per use).
  const std::vector<Placeholder>& placeholders() const { return placeholders_; }
  bool has_placeholders() const { return !placeholders_.empty(); }
  const std::string& source() const { return source_; }

  /// The text with every placeholder replaced by its value. Precondition: every name is in
  /// `values` (the config loader guarantees it); a missing one expands to "". Values are
  /// inserted as they are, never expanded again: an extracted "{{password}}" stays literal.
  std::string expand(const VariableValues& values) const;

  bool operator==(const TemplateText& o) const { return source_ == o.source_; }

 private:
  std::string source_;
  std::vector<Placeholder> placeholders_;
};

/// True for the built-ins "uuid" and "unix_ms".
bool is_builtin_variable(std::string_view name);

/// The built-ins' values for one run: {{uuid}} an RFC 4122 version-4 UUID (lower-case hex,
/// 8-4-4-4-12) made from `random` (the caller draws the 16 bytes; the version and variant bits
/// are set here), {{unix_ms}} `now` in whole epoch milliseconds as decimal (floored).
VariableValues builtin_values(const std::array<std::uint8_t, 16>& random,
                              std::chrono::system_clock::time_point now);

/// `text` with every occurrence of each non-empty secret replaced by "<secret>", for values
/// that must never reach logs, status or metrics. Occurrences are found in `text` as given (a
/// replacement is never searched again); occurrences that overlap, whether of one secret or of
/// several (one containing another, or "abc" and "bcd" in "abcd"), become a single "<secret>",
/// so no byte of any of them survives. Adjacent ones stay separate: "<secret><secret>".
std::string redact(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace flywatch::core
