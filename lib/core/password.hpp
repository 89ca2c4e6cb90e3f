#pragma once
/// HTTP Basic credentials and bcrypt password hashes (`basic_auth_users` of the web config).
/// Pure functions: bcrypt is computed by libcrypt (crypt_rn), deterministic given its inputs;
/// no clock, no I/O, no randomness (hashes are made elsewhere, e.g. `htpasswd -nbBC 10`).

#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

/// Whether `hash` is a well-formed bcrypt hash: `$2a$`, `$2b$` or `$2y$`, a two-digit cost 04–31,
/// `$`, then 53 characters of bcrypt's base64 alphabet (22 of salt, 31 of hash).
bool is_bcrypt_hash(std::string_view hash);

/// Whether `password` hashes to `hash` (a bcrypt hash; anything else, or a password with a NUL
/// byte, is false). Costs one bcrypt computation: about 2^cost rounds. The comparison of the
/// computed and stored hashes takes the same time wherever they differ.
bool check_password(std::string_view hash, std::string_view password);

/// Compares without an early exit, so the time taken does not tell where `a` and `b` differ
/// (their lengths may still show).
bool constant_time_equal(std::string_view a, std::string_view b);

struct BasicCredentials {
  std::string user;
  std::string password;  ///< a secret: never in a message
  bool operator==(const BasicCredentials&) const = default;
};

/// Reads an `Authorization` header value `Basic <base64(user:password)>` (scheme
/// case-insensitive, RFC 7617); the user ends at the first ':'. nullopt when the scheme is
/// another, the base64 is invalid or the decoded text has no ':'.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view header);

}  // namespace flywatch::core
