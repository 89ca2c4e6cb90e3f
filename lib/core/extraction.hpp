#pragma once
/// `extract:` of a journey step (DESIGN §12): a value taken from a response into a variable
/// for the later steps, e.g. `{user_id: "body_json:user.id"}`, `header:NAME`,
/// `body_regex:PATTERN` (its first capture group).

#include <optional>
#include <string>
#include <string_view>

#include "core/pattern.hpp"
#include "core/probe_result.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// One `variable: "source:path"` entry of `extract:`.
struct Extraction {
  enum class Source { body_json, header, body_regex };
  std::string variable;
  Source source = Source::body_json;
  /// body_json: dotted path as in expect.body_json; header: lower-cased name; body_regex: the
  /// pattern source.
  std::string path;
  std::optional<Pattern> regex;  ///< body_regex only
  /// Compares variable, source and path (the regex follows from the path).
  bool operator==(const Extraction& o) const;
};

/// Parses "body_json:user.id" / "header:X-Request-Id" / "body_regex:token=(\w+)" (the source
/// word is exact, lower-case; everything after the first ':' is the path, kept as written).
/// nullopt and `error` on: a `variable` that is not a variable name or is a built-in; an
/// unknown source; an empty path or name; a body_json path with an empty segment; a header
/// name that is not an HTTP token; a regex that does not compile or has no capture group.
std::optional<Extraction> parse_extraction(std::string variable, std::string_view spec,
                                           std::string& error);

/// What extract() found: `value`, or else `failure`, a Verdict with reason `extract` (on
/// success `failure` is a successful Verdict: success true, reason none).
struct ExtractOutcome {
  std::optional<std::string> value;
  Verdict failure;
};

/// The value `e` takes from `result`. body_json: the body parsed as JSON, the scalar at the
/// path as text: strings as they are, integers without ".0", other numbers in the shortest
/// form that reads back the same (as JSON.stringify prints them), true/false, null → "null".
/// header: the first header of that name, trimmed of surrounding spaces and tabs. body_regex:
/// the first capture group of the first match. A failure's detail names the variable and what
/// was missing, e.g. `extract user_id: body_json path "user.id" not found`, and never quotes
/// the body or a header's value.
ExtractOutcome extract(const ProbeResult& result, const Extraction& e);

}  // namespace flywatch::core
