#include "core/cookie_expectation.hpp"

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

using Clock = std::chrono::system_clock;

// Every detail starts with the quoted name; the cookie's value is never part of one.
Verdict fail(const CookieExpectation& e, std::string what) {
  return fail_verdict(FailureReason::cookie, "cookie " + quote_detail(e.name) + " " + what);
}

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string same_site_seen(const SetCookie& c) {
  if (c.same_site != SameSite::unset) return std::string(to_string(c.same_site));
  if (c.same_site_text.empty()) return "unset";
  return "unknown " + quote_detail(c.same_site_text);
}

std::string same_site_wanted(SameSite s) {
  return s == SameSite::unset ? "unset" : std::string(to_string(s));
}

// Max-Age takes precedence over Expires, as in a jar (RFC 6265 §5.3 step 3).
bool is_deletion(const SetCookie& c, Clock::time_point now) {
  if (c.max_age) return *c.max_age <= 0;
  return c.expires && *c.expires <= now;
}

std::optional<std::chrono::seconds> lifetime(const SetCookie& c, Clock::time_point now) {
  if (c.max_age) return std::chrono::seconds{*c.max_age};
  if (c.expires) return std::chrono::floor<std::chrono::seconds>(*c.expires - now);
  return std::nullopt;
}

std::optional<Verdict> check_flag(const CookieExpectation& e, std::optional<bool> want, bool have,
                                  std::string_view attribute) {
  if (!want || *want == have) return std::nullopt;
  const std::string a(attribute);
  return fail(e, have ? "is " + a + ", want not " + a : "is not " + a);
}

std::optional<Verdict> check_lifetime(const CookieExpectation& e, const SetCookie& c,
                                      Clock::time_point now) {
  if (!e.max_age_min && !e.max_age_max) return std::nullopt;
  const auto life = lifetime(c, now);
  if (!life) return fail(e, "is a session cookie (no Max-Age or Expires), want a lifetime");
  if (e.max_age_min && *life < *e.max_age_min) {
    return fail(e, "lifetime is " + seconds_text(*life) + ", want at least " +
                       seconds_text(*e.max_age_min));
  }
  if (e.max_age_max && *life > *e.max_age_max) {
    return fail(
        e, "lifetime is " + seconds_text(*life) + ", want at most " + seconds_text(*e.max_age_max));
  }
  return std::nullopt;
}

std::optional<Verdict> check_one(const CookieExpectation& e, const SetCookie* c,
                                 Clock::time_point now) {
  if (!c) return fail(e, "is not set");
  if (is_deletion(*c, now)) return fail(e, "is not set (the response expires it)");
  if (auto v = check_flag(e, e.http_only, c->http_only, "HttpOnly")) return v;
  if (auto v = check_flag(e, e.secure, c->secure, "Secure")) return v;
  if (e.same_site && *e.same_site != c->same_site) {
    return fail(e,
                "SameSite is " + same_site_seen(*c) + ", want " + same_site_wanted(*e.same_site));
  }
  if (e.path && c->path != e.path) {
    return fail(e, c->path ? "Path is " + quote_detail(*c->path) + ", want " + quote_detail(*e.path)
                           : "has no Path, want " + quote_detail(*e.path));
  }
  return check_lifetime(e, *c, now);
}

}  // namespace

std::optional<Verdict> check_cookies(const ProbeResult& result,
                                     const std::vector<CookieExpectation>& expect,
                                     Clock::time_point now) {
  if (expect.empty()) return std::nullopt;
  std::vector<SetCookie> set;
  for (const auto& [name, value] : result.headers) {
    if (!ascii_iequals(name, "set-cookie")) continue;
    if (auto c = parse_set_cookie(value)) set.push_back(std::move(*c));
  }
  for (const CookieExpectation& e : expect) {
    const SetCookie* last = nullptr;
    for (const SetCookie& c : set) {
      if (c.name == e.name) last = &c;  // cookie names are case-sensitive
    }
    if (auto v = check_one(e, last, now)) return v;
  }
  return std::nullopt;
}

}  // namespace flywatch::core
