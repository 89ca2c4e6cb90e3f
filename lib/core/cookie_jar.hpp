#pragma once
/// The cookie jar of one journey run (RFC 6265 §5.3 storage, §5.4 the Cookie header): what the
/// steps' responses set is sent on the later steps' requests. Pure: the time is an argument.
///
/// Deliberate differences from a browser's jar:
/// - no public-suffix list: a Domain attribute is accepted whenever the host domain-matches it,
///   except a single-label domain ("com", "localhost") that is not the host itself;
/// - SameSite is stored but not enforced: a journey's requests are all first-party;
/// - a lifetime is capped at 400 days (as RFC 6265bis requires of Max-Age and Expires);
/// - at most `max_cookies` cookies are held (hostile servers): every store() first evicts the
///   expired cookies, then, if the jar is still full, the one created earliest.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cookie.hpp"
#include "core/endpoint.hpp"

namespace flywatch::core {

/// Where a request goes, for cookie matching.
struct CookieUrl {
  bool secure = false;      ///< the scheme is https (or another secure scheme)
  std::string host;         ///< lower-case host name or IP literal (IPv6 with or without [])
  std::string path = "/";   ///< request path without the query (a query is ignored if present)
};

/// The cookies of one run, in memory.
class CookieJar {
 public:
  /// The most cookies one jar holds.
  static constexpr std::size_t max_cookies = 64;

  /// Stores one cookie received from a response to `url` at `now` (§5.3). A Domain attribute
  /// makes a domain cookie (sent to the domain and its subdomains), which the host must
  /// domain-match (§5.1.3), else the cookie is refused; an IP host only gets host-only cookies
  /// (a Domain equal to it is treated as absent, any other is refused). Without a Path the
  /// default path of url.path is used (§5.1.4). Max-Age takes precedence over Expires; an
  /// expiry at or before `now` deletes the stored cookie of the same (name, domain, path) and
  /// stores nothing. A Secure cookie from a non-secure url is refused (RFC 6265bis storage
  /// model). Replacing a cookie keeps its creation time and its place in the eviction order.
  /// Returns false when the cookie was refused (a deletion counts as stored).
  bool store(const SetCookie& cookie, const CookieUrl& url,
             std::chrono::system_clock::time_point now);

  /// Stores every `set-cookie` header (names compared case-insensitively) of a response, in
  /// order; headers that do not parse are skipped.
  void receive(const HeaderList& response_headers, const CookieUrl& url,
               std::chrono::system_clock::time_point now);

  /// The Cookie header value for a request to `url` at `now`, "" when none: "name=value" pairs
  /// joined by "; " of the cookies whose domain and path match (§5.4), a Secure cookie only to
  /// a secure url, expired cookies skipped; longer paths first, then earlier creation.
  std::string cookie_header(const CookieUrl& url, std::chrono::system_clock::time_point now) const;

  /// Cookies held (expired ones included until the next store() evicts them).
  std::size_t size() const { return cookies_.size(); }

 private:
  struct Stored {
    std::string name, value, domain, path;
    std::optional<std::chrono::system_clock::time_point> expiry;  ///< nullopt: a session cookie
    std::chrono::system_clock::time_point created;
    std::uint64_t sequence = 0;  ///< creation order when creation times are equal
    bool host_only = true;
    bool secure = false;
    bool http_only = false;
    SameSite same_site = SameSite::unset;
  };
  bool expired(const Stored& c, std::chrono::system_clock::time_point now) const;
  void evict_oldest();

  std::vector<Stored> cookies_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace flywatch::core
