#pragma once
/// HTTP Basic authentication of the admin server against `basic_auth_users` (bcrypt hashes),
/// with a bounded cache of verified credentials so that a scraper authenticating every second
/// does not pay a bcrypt computation each time (exporter-toolkit caches the same way).

#include <array>
#include <cstddef>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "net/admin_server.hpp"

namespace flywatch::net {

/// Checks `Authorization` header values. Not thread-safe: used on the admin server's loop.
class BasicAuth {
 public:
  using Digest = std::array<unsigned char, 32>;

  /// `users`: user name → bcrypt hash. `cache_size`: how many verified credentials are
  /// remembered (the oldest is forgotten first); 0 disables the cache.
  explicit BasicAuth(std::map<std::string, std::string> users, std::size_t cache_size = 64);

  /// Whether `authorization` holds Basic credentials of a configured user with the right
  /// password. An unknown user still costs one bcrypt computation, so the time taken does not
  /// tell which user names exist. Only successes are cached, keyed by the SHA-256 of user,
  /// password and hash (never the password itself).
  bool allows(std::string_view authorization);

  /// The same decision, with the bcrypt computation of a cache miss run on a worker thread so
  /// the caller's event loop keeps serving; the cache is read and written on the caller's
  /// executor only. `this` must outlive the awaitable.
  boost::asio::awaitable<bool> check(std::string authorization);

  /// How many bcrypt computations allows() has run (the cache's effect, for tests).
  std::size_t bcrypt_runs() const { return bcrypt_runs_; }

 private:
  /// One check in progress: decided from the header and the cache alone, or waiting for bcrypt
  /// of `password` against `hash`.
  struct Attempt {
    bool decided = false;
    bool ok = false;
    std::string hash;
    std::string password;
    bool known_user = false;
    Digest key{};
    ~Attempt();
  };
  Attempt begin(std::string_view authorization) const;
  bool finish(const Attempt& attempt, bool bcrypt_ok);

  std::map<std::string, std::string> users_;
  std::size_t cache_size_;
  std::set<Digest> cached_;
  std::deque<Digest> order_;  ///< cached_'s entries, oldest first
  std::size_t bcrypt_runs_ = 0;
};

/// `inner` behind Basic authentication, checked on the caller's thread: every request, whatever
/// its path or method, is answered unauthorized_response() unless its Authorization header
/// passes. (The daemon uses basic_auth_authenticator instead, which keeps bcrypt off the loop.)
AdminHandler require_basic_auth(std::map<std::string, std::string> users, AdminHandler inner);

/// An AdminServer authenticator checking Basic credentials against `users` (BasicAuth::check).
AdminAuthenticator basic_auth_authenticator(std::map<std::string, std::string> users);

}  // namespace flywatch::net
