#pragma once
/// Medio's auth API (register, login, me) as a pure request→answer function over an app-level
/// user and session store — what the app's machines share through its database. The session is
/// an opaque random token in the `medio_session` cookie (HttpOnly, Secure, SameSite=Strict, one
/// day), as Medio's backend sets it (reference medio-flyio-research.md §5).

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "app_faults.hpp"
#include "app_http.hpp"

namespace flywatch::flysim {

/// The session cookie's name and lifetime.
inline constexpr const char* session_cookie = "medio_session";
inline constexpr std::int64_t session_max_age_s = 86400;

/// One app's users and sessions. Passwords are kept as given: a simulator's database holds
/// nothing but test accounts, and nothing here is ever logged.
class AuthStore {
 public:
  /// `seed` drives the session tokens (flysim passes std::random_device output).
  explicit AuthStore(std::uint64_t seed) : rng_(seed) {}

  /// Adds a user and returns its id (1, 2, … in order), or nullopt when `email` is taken.
  std::optional<std::int64_t> add_user(const std::string& email, const std::string& password);
  /// The id of the user with `email` when `password` is theirs, else nullopt.
  std::optional<std::int64_t> check_password(const std::string& email,
                                             const std::string& password) const;
  /// Opens a session for user `id` at `now_ms`, valid for session_max_age_s, and returns its
  /// token: 64 lowercase hex characters, fresh for every call. Drops sessions expired by then.
  std::string open_session(std::int64_t id, std::int64_t now_ms);
  /// The user of session `token` when it exists and `now_ms` is before its expiry.
  std::optional<std::int64_t> session_user(const std::string& token, std::int64_t now_ms) const;
  /// The email of user `id` (an id returned by add_user).
  const std::string& email_of(std::int64_t id) const;

 private:
  struct User {
    std::string email, password;
  };
  struct Session {
    std::int64_t user = 0, expires_ms = 0;
  };
  std::vector<User> users_;  // id = index + 1
  std::map<std::string, Session> sessions_;  // by token
  std::mt19937_64 rng_;
};

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt when absent.
std::optional<std::string> cookie_value(const std::string& header, const std::string& name);

/// True for paths of the auth API: "/api/auth" and below.
bool is_auth_path(const std::string& path);

/// Medio's answer at `now_ms` to a request on an auth path (the database is up; medio_app
/// answers 503 before calling this when it is not). JSON bodies throughout:
/// - POST /api/auth/register {"email","password"} (non-empty strings) → 201
///   {"user":{"id":N,"email":…}}; 409 when the email exists; 400 on bad JSON or fields.
/// - POST /api/auth/login, same body → 200 {"user":…} with `Set-Cookie: medio_session=<token>;
///   Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=86400` (no Secure under the
///   cookie_insecure fault); 401 on an unknown email or a wrong password; 400 as above; with
///   the login_500 fault a correct login answers 500 {"error":"JWT_SECRET is not set"}.
/// - GET /api/auth/me with a valid session cookie → 200 {"user":…}; else 401.
/// - anything else → 404 {"error":"not found"}.
AppAnswer auth_answer(const AppRequest& req, AuthStore& store, const AppFaults& faults,
                      std::int64_t now_ms);

}  // namespace flywatch::flysim
