#pragma once
/// Regular expressions for expectations (`body_regex`, `headers`, `banner_regex`), compiled once.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

/// What a bounded search found.
enum class MatchOutcome {
  matched,
  not_matched,
  gave_up,  ///< too complex to run on this subject: Boost.Regex's state budget ran out
};

/// A compiled regular expression (ECMAScript syntax, searched anywhere in its subject
/// unless anchored; `^` and `$` anchor at the ends of the subject, not at embedded newlines).
/// Copyable and cheap to copy: copies share the compiled program. A default-constructed
/// Pattern is the empty pattern (matches everywhere). Matching is bounded by Boost.Regex's
/// state budget (roughly quadratic in the subject length), after which it reports no match.
class Pattern {
 public:
  /// Compiles `source`; on a syntax error returns nullopt and sets `error` to a message.
  static std::optional<Pattern> compile(std::string_view source, std::string* error = nullptr);

  /// True when the pattern matches somewhere in `subject`. A pattern too complex to run
  /// on `subject` counts as no match rather than throwing.
  bool search(std::string_view subject) const;
  /// search(), telling a search that gave up (gave_up) from one that found nothing.
  MatchOutcome search_outcome(std::string_view subject) const;
  /// True when the pattern matches the whole of `subject`.
  bool full_match(std::string_view subject) const;
  /// True when `subject` followed by more bytes could still be searched successfully. False
  /// means no continuation can ever match, which lets a reader of a stream stop early. Only a
  /// pattern anchored by a leading `^` (and without `|`, which could unanchor it) is ever
  /// settled before it matches; any other may match in bytes not read yet. Too complex to run
  /// counts as "could still match".
  bool could_match_with_more(std::string_view subject) const;

  /// Number of capture groups (`(...)`, named ones included; `(?:...)` is not one).
  std::size_t group_count() const;
  /// The text of the first capture group in the first match in `subject`; nullopt when there
  /// is no match, the pattern has no group, or the group took no part in the match (e.g. `a|(b)`
  /// on "a"). Bounded like search(): too complex to run counts as no match.
  std::optional<std::string> first_group(std::string_view subject) const;

  const std::string& source() const { return source_; }

 private:
  struct Impl;
  std::string source_;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace flywatch::core
