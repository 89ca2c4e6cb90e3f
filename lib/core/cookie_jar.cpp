#include "core/cookie_jar.hpp"

#include <algorithm>

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

using Clock = std::chrono::system_clock;

// RFC 6265bis: a user agent must cap a cookie's lifetime at 400 days; it also keeps
// `now + max_age` far from overflowing.
constexpr std::chrono::seconds max_lifetime{400LL * 24 * 3600};

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// An IPv6 literal has a ':'; a dotted IPv4 literal is digits and dots only (no DNS name has an
// all-numeric top-level label).
bool is_ip_literal(std::string_view host) {
  host = strip_brackets(host);
  if (host.find(':') != std::string_view::npos) return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

// §5.1.3: identical, or `domain` is a suffix of a host name preceded by a '.'.
bool domain_match(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  if (is_ip_literal(host) || domain.empty() || host.size() <= domain.size()) return false;
  return host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

// The request path without a query; "/" when it is not an absolute path.
std::string_view request_path(std::string_view path) {
  path = path.substr(0, path.find('?'));
  return (path.empty() || path.front() != '/') ? std::string_view("/") : path;
}

// §5.1.4 default-path: the directory of the request path.
std::string default_path(std::string_view path) {
  path = request_path(path);
  const std::size_t last = path.rfind('/');
  return last == 0 ? std::string("/") : std::string(path.substr(0, last));
}

// §5.1.4 path-match: "/api" matches "/api" and "/api/x" but not "/apifoo".
bool path_match(std::string_view request, std::string_view cookie_path) {
  if (request == cookie_path) return true;
  if (request.substr(0, cookie_path.size()) != cookie_path) return false;
  return cookie_path.back() == '/' || request[cookie_path.size()] == '/';
}

}  // namespace

bool CookieJar::expired(const Stored& c, Clock::time_point now) const {
  return c.expiry && *c.expiry <= now;
}

void CookieJar::evict_oldest() {
  const auto oldest = std::min_element(cookies_.begin(), cookies_.end(),
                                       [](const Stored& a, const Stored& b) {
                                         return a.created != b.created ? a.created < b.created
                                                                       : a.sequence < b.sequence;
                                       });
  cookies_.erase(oldest);
}

bool CookieJar::store(const SetCookie& cookie, const CookieUrl& url, Clock::time_point now) {
  // §5.3: expired cookies are evicted, so a new cookie never takes over an expired one's place.
  std::erase_if(cookies_, [&](const Stored& c) { return expired(c, now); });
  if (cookie.secure && !url.secure) return false;
  const std::string host = to_lower(url.host);
  Stored s;
  s.name = cookie.name;
  s.value = cookie.value;
  s.secure = cookie.secure;
  s.http_only = cookie.http_only;
  s.same_site = cookie.same_site;
  s.created = now;
  s.domain = host;
  if (cookie.domain) {
    const std::string& d = *cookie.domain;
    if (is_ip_literal(host)) {
      if (strip_brackets(d) != strip_brackets(host)) return false;
    } else {
      if (!domain_match(host, d)) return false;
      // Without a public-suffix list, refuse at least "Domain=com" from example.com.
      if (d != host && d.find('.') == std::string::npos) return false;
      s.domain = d;
      s.host_only = false;
    }
  }
  s.path = cookie.path ? *cookie.path : default_path(url.path);
  if (cookie.max_age) {
    s.expiry = *cookie.max_age <= 0
                   ? now
                   : now + std::min(std::chrono::seconds{*cookie.max_age}, max_lifetime);
  } else if (cookie.expires) {
    s.expiry = std::min(*cookie.expires, now + max_lifetime);
  }
  const bool deletes = expired(s, now);

  const auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Stored& c) {
    return c.name == s.name && c.domain == s.domain && c.path == s.path;
  });
  if (same != cookies_.end()) {
    if (deletes) {
      cookies_.erase(same);
    } else {
      s.created = same->created;
      s.sequence = same->sequence;
      *same = std::move(s);
    }
    return true;
  }
  if (deletes) return true;
  if (cookies_.size() >= max_cookies) evict_oldest();
  s.sequence = next_sequence_++;
  cookies_.push_back(std::move(s));
  return true;
}

void CookieJar::receive(const HeaderList& response_headers, const CookieUrl& url,
                        Clock::time_point now) {
  for (const auto& [name, value] : response_headers) {
    if (!ascii_iequals(name, "set-cookie")) continue;
    if (auto cookie = parse_set_cookie(value)) store(*cookie, url, now);
  }
}

std::string CookieJar::cookie_header(const CookieUrl& url, Clock::time_point now) const {
  const std::string host = to_lower(url.host);
  const std::string_view path = request_path(url.path);
  std::vector<const Stored*> send;
  for (const Stored& c : cookies_) {
    if (expired(c, now) || (c.secure && !url.secure)) continue;
    if (c.host_only ? c.domain != host : !domain_match(host, c.domain)) continue;
    if (!path_match(path, c.path)) continue;
    send.push_back(&c);
  }
  std::sort(send.begin(), send.end(), [](const Stored* a, const Stored* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    if (a->created != b->created) return a->created < b->created;
    return a->sequence < b->sequence;
  });
  std::string header;
  for (const Stored* c : send) {
    if (!header.empty()) header += "; ";
    header += c->name;
    header += '=';
    header += c->value;
  }
  return header;
}

}  // namespace flywatch::core
