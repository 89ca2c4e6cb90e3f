#pragma once
/// `expect.cookies` (DESIGN §12): cookies a response must set, with the attributes they must
/// carry. Judged on the response's own Set-Cookie headers, not on a jar. Pure.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/cookie.hpp"
#include "core/probe_result.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// One entry of expect.cookies: the cookie `name` must be set by the response, with these
/// attributes. An unset member asserts nothing; a set one must match exactly (`secure: false`
/// fails on a Secure cookie).
struct CookieExpectation {
  std::string name;
  std::optional<bool> http_only, secure;
  /// SameSite::unset asserts that no known SameSite value was sent.
  std::optional<SameSite> same_site;
  /// The Path attribute as sent; an absent or invalid Path (the default path) does not match.
  std::optional<std::string> path;
  /// The lifetime, Max-Age or else Expires − now, must lie in [min, max]; a session cookie (no
  /// Max-Age, no Expires) fails either bound.
  std::optional<std::chrono::seconds> max_age_min, max_age_max;
  bool operator==(const CookieExpectation&) const = default;
};

/// Checks the response's Set-Cookie headers (ProbeResult::headers, name "set-cookie"; of the
/// ones that parse, the last one of a name wins) against each expectation in order. A cookie
/// set with an expiry at or before `now` (a deletion) counts as not set. The first failure is
/// a Verdict with reason `cookie` whose detail names the cookie and the attribute, e.g.
/// `cookie "medio_session" is not HttpOnly`, `cookie "medio_session" is not set`,
/// `cookie "sid" SameSite is lax, want strict`, and never its value. nullopt when all hold.
std::optional<Verdict> check_cookies(const ProbeResult& result,
                                     const std::vector<CookieExpectation>& expect,
                                     std::chrono::system_clock::time_point now);

}  // namespace flywatch::core
