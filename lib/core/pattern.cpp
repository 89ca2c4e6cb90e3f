#include "core/pattern.hpp"

#include <exception>

#include <boost/regex.hpp>

namespace flywatch::core {

struct Pattern::Impl {
  boost::regex re;
};

namespace {

// ECMAScript, except that ^ and $ anchor only at the ends of the subject (as in ECMAScript
// without the m flag) rather than at every embedded newline, Boost's perl default.
constexpr auto syntax = boost::regex::ECMAScript | boost::regex::no_mod_m;

}  // namespace

std::optional<Pattern> Pattern::compile(std::string_view source, std::string* error) {
  try {
    auto impl = std::make_shared<Impl>();
    impl->re.assign(source.begin(), source.end(), syntax);
    Pattern p;
    p.source_ = std::string(source);
    p.impl_ = std::move(impl);
    return p;
  } catch (const std::exception& e) {  // boost::regex_error, or memory exhausted
    if (error) *error = e.what();
    return std::nullopt;
  }
}

bool Pattern::search(std::string_view subject) const {
  return search_outcome(subject) == MatchOutcome::matched;
}

MatchOutcome Pattern::search_outcome(std::string_view subject) const {
  if (!impl_) return MatchOutcome::matched;  // a default-constructed Pattern is the empty pattern
  try {
    return boost::regex_search(subject.begin(), subject.end(), impl_->re) ? MatchOutcome::matched
                                                                          : MatchOutcome::not_matched;
  } catch (const std::exception&) {
    // Boost gives up on matches that would take too long (error_complexity) or too much
    // memory (error_stack): an untrusted body must not hang or crash the daemon.
    return MatchOutcome::gave_up;
  }
}

bool Pattern::full_match(std::string_view subject) const {
  if (!impl_) return subject.empty();
  try {
    return boost::regex_match(subject.begin(), subject.end(), impl_->re);
  } catch (const std::exception&) {
    return false;
  }
}

bool Pattern::could_match_with_more(std::string_view subject) const {
  // Unanchored, a match may start after `subject`; a conservative test is enough here.
  const bool anchored = source_.starts_with('^') && source_.find('|') == std::string::npos;
  if (!impl_ || !anchored || subject.empty()) return true;
  try {
    // match_partial also reports a match attempt that ran into the end of the subject.
    // Anchored, the one attempt that counts starts at the beginning.
    boost::match_results<std::string_view::const_iterator> m;
    return boost::regex_search(subject.begin(), subject.end(), m, impl_->re,
                               boost::match_default | boost::match_partial);
  } catch (const std::exception&) {
    return true;  // undecided: the caller keeps reading until its own limits
  }
}

std::size_t Pattern::group_count() const { return impl_ ? impl_->re.mark_count() : 0; }

std::optional<std::string> Pattern::first_group(std::string_view subject) const {
  if (group_count() == 0) return std::nullopt;
  try {
    boost::match_results<std::string_view::const_iterator> m;
    if (!boost::regex_search(subject.begin(), subject.end(), m, impl_->re) || !m[1].matched) {
      return std::nullopt;
    }
    return std::string(m[1].first, m[1].second);
  } catch (const std::exception&) {
    return std::nullopt;  // as in search(): an untrusted body must not hang the daemon
  }
}

}  // namespace flywatch::core
