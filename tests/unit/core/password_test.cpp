#include <doctest.h>

#include <string>

#include "core/password.hpp"
#include "core/web_config.hpp"

namespace fc = flywatch::core;

namespace {
// Made with libcrypt for "s3cret" (cost 4, fixed salt) and the same salt under each prefix.
constexpr const char* s3cret_2b = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
constexpr const char* s3cret_2y = "$2y$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
constexpr const char* s3cret_2a = "$2a$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
}  // namespace

TEST_CASE("check_password: published bcrypt vectors (jBCrypt / OpenBSD test suite)") {
  CHECK(fc::check_password("$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", ""));
  CHECK(fc::check_password("$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i", "abc"));
  CHECK_FALSE(fc::check_password("$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i", "abd"));
}

TEST_CASE("check_password: $2b$, $2y$ and $2a$; wrong, empty, longer and NUL passwords refused") {
  CHECK(fc::check_password(s3cret_2b, "s3cret"));
  CHECK(fc::check_password(s3cret_2y, "s3cret"));
  CHECK(fc::check_password(s3cret_2a, "s3cret"));
  CHECK_FALSE(fc::check_password(s3cret_2b, "s3creT"));
  CHECK_FALSE(fc::check_password(s3cret_2b, ""));
  CHECK_FALSE(fc::check_password(s3cret_2b, "s3cret "));
  CHECK_FALSE(fc::check_password(s3cret_2b, std::string("s3cret\0x", 8)));
  CHECK(fc::check_password("$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq", ""));
}

TEST_CASE("check_password: a malformed hash never matches") {
  CHECK_FALSE(fc::check_password("", ""));
  CHECK_FALSE(fc::check_password("s3cret", "s3cret"));
  // The hash part cut short: crypt would compute something, but it can never equal this.
  CHECK_FALSE(fc::check_password("$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5D", "s3cret"));
  // DES and MD5 crypt are not bcrypt, even when the password is right.
  CHECK_FALSE(fc::check_password("abJnggxhB/yWI", "s3cret"));
}

TEST_CASE("is_bcrypt_hash") {
  CHECK(fc::is_bcrypt_hash(s3cret_2b));
  CHECK(fc::is_bcrypt_hash(s3cret_2y));
  CHECK(fc::is_bcrypt_hash(s3cret_2a));
  std::string h = s3cret_2b;
  CHECK_FALSE(fc::is_bcrypt_hash(h.substr(0, 59)));
  CHECK_FALSE(fc::is_bcrypt_hash(h + "."));
  CHECK_FALSE(fc::is_bcrypt_hash("$2x" + h.substr(3)));
  CHECK_FALSE(fc::is_bcrypt_hash("$1b" + h.substr(3)));
  CHECK_FALSE(fc::is_bcrypt_hash("$2b$03" + h.substr(6)));  // cost below 4
  CHECK_FALSE(fc::is_bcrypt_hash("$2b$32" + h.substr(6)));  // cost above 31
  CHECK(fc::is_bcrypt_hash("$2b$31" + h.substr(6)));
  CHECK_FALSE(fc::is_bcrypt_hash("$2b$4a" + h.substr(6)));
  h[20] = '+';  // standard base64, not bcrypt's alphabet
  CHECK_FALSE(fc::is_bcrypt_hash(h));
}

TEST_CASE("constant_time_equal") {
  CHECK(fc::constant_time_equal("", ""));
  CHECK(fc::constant_time_equal("abc", "abc"));
  CHECK_FALSE(fc::constant_time_equal("abc", "abd"));
  CHECK_FALSE(fc::constant_time_equal("abc", "ab"));
  CHECK_FALSE(fc::constant_time_equal("xbc", "abc"));
}

TEST_CASE("parse_basic_authorization") {
  using C = fc::BasicCredentials;
  // base64("alice:s3cret") and base64("bob:a:b") (the password may hold ':')
  CHECK(fc::parse_basic_authorization("Basic YWxpY2U6czNjcmV0") == C{"alice", "s3cret"});
  CHECK(fc::parse_basic_authorization("basic  YWxpY2U6czNjcmV0 ") == C{"alice", "s3cret"});
  CHECK(fc::parse_basic_authorization("Basic Ym9iOmE6Yg==") == C{"bob", "a:b"});
  CHECK(fc::parse_basic_authorization("Basic Og==") == C{"", ""});  // ":"
  CHECK_FALSE(fc::parse_basic_authorization("Bearer YWxpY2U6czNjcmV0"));
  CHECK_FALSE(fc::parse_basic_authorization("Basic"));
  CHECK_FALSE(fc::parse_basic_authorization("BasicYWxpY2U6czNjcmV0"));
  CHECK_FALSE(fc::parse_basic_authorization("Basic YWxpY2U="));        // "alice": no ':'
  CHECK_FALSE(fc::parse_basic_authorization("Basic YWxpY2U6czNjcmV"));  // not a multiple of 4
  CHECK_FALSE(fc::parse_basic_authorization("Basic YW=pY2U6czNjcmV0"));  // '=' inside
  CHECK_FALSE(fc::parse_basic_authorization("Basic YWxp*2U6czNjcmV0"));
}

TEST_CASE("parse_client_auth: exporter-toolkit's names, exactly") {
  CHECK(fc::parse_client_auth("NoClientCert") == fc::ClientAuth::no_client_cert);
  CHECK(fc::parse_client_auth("RequestClientCert") == fc::ClientAuth::request_client_cert);
  CHECK(fc::parse_client_auth("RequireAnyClientCert") == fc::ClientAuth::require_any_client_cert);
  CHECK(fc::parse_client_auth("VerifyClientCertIfGiven") ==
        fc::ClientAuth::verify_client_cert_if_given);
  CHECK(fc::parse_client_auth("RequireAndVerifyClientCert") ==
        fc::ClientAuth::require_and_verify_client_cert);
  CHECK_FALSE(fc::parse_client_auth("requireandverifyclientcert"));
  CHECK_FALSE(fc::parse_client_auth(""));
  CHECK(fc::client_auth_verifies(fc::ClientAuth::verify_client_cert_if_given));
  CHECK(fc::client_auth_verifies(fc::ClientAuth::require_and_verify_client_cert));
  CHECK_FALSE(fc::client_auth_verifies(fc::ClientAuth::require_any_client_cert));
  CHECK_FALSE(fc::client_auth_verifies(fc::ClientAuth::request_client_cert));
}
