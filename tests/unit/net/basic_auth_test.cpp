// BasicAuth and require_basic_auth: credentials checked with bcrypt, the cache of verified
// credentials, the bare 401; make_admin_tls_context's refusals.
#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/admin_tls.hpp"
#include "net/basic_auth.hpp"
#include "pki_fixture.hpp"

namespace net = flywatch::net;
namespace fc = flywatch::core;

namespace {

// bcrypt of "s3cret" (cost 4, fixed salt) and of "" (same salt).
constexpr const char* s3cret = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG";
constexpr const char* empty = "$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq";
// "Basic " + base64 of "alice:s3cret", "alice:wrong", "mallory:s3cret", "bob:", "bob:x"
constexpr const char* alice_right = "Basic YWxpY2U6czNjcmV0";
constexpr const char* alice_wrong = "Basic YWxpY2U6d3Jvbmc=";
constexpr const char* mallory = "Basic bWFsbG9yeTpzM2NyZXQ=";
constexpr const char* bob_empty = "Basic Ym9iOg==";
constexpr const char* bob_x = "Basic Ym9iOng=";

std::map<std::string, std::string> users() { return {{"alice", s3cret}, {"bob", empty}}; }

}  // namespace

TEST_CASE("BasicAuth: right, wrong, unknown and malformed credentials") {
  net::BasicAuth auth(users());
  CHECK(auth.allows(alice_right));
  CHECK_FALSE(auth.allows(alice_wrong));
  CHECK_FALSE(auth.allows(mallory));
  CHECK(auth.allows(bob_empty));
  CHECK_FALSE(auth.allows(bob_x));
  CHECK_FALSE(auth.allows(""));
  CHECK_FALSE(auth.allows("Bearer YWxpY2U6czNjcmV0"));
  CHECK_FALSE(auth.allows("Basic !!!!"));
  // An unknown user costs a bcrypt run too: its timing does not tell that the user is unknown.
  CHECK(auth.bcrypt_runs() == 5);
}

TEST_CASE("BasicAuth: a verified pair is cached, a failure never is, the cache is bounded") {
  net::BasicAuth auth(users(), 1);
  CHECK(auth.allows(alice_right));
  CHECK(auth.allows(alice_right));
  CHECK(auth.allows(alice_right));
  CHECK(auth.bcrypt_runs() == 1);
  CHECK_FALSE(auth.allows(alice_wrong));
  CHECK_FALSE(auth.allows(alice_wrong));
  CHECK(auth.bcrypt_runs() == 3);
  CHECK(auth.allows(bob_empty));  // evicts alice (cache of one)
  CHECK(auth.bcrypt_runs() == 4);
  CHECK(auth.allows(alice_right));
  CHECK(auth.bcrypt_runs() == 5);

  net::BasicAuth uncached(users(), 0);
  CHECK(uncached.allows(alice_right));
  CHECK(uncached.allows(alice_right));
  CHECK(uncached.bcrypt_runs() == 2);
}

TEST_CASE("BasicAuth: a cached pair does not open the door to another hash for the same user") {
  net::BasicAuth auth(users());
  CHECK(auth.allows(alice_right));
  // Same user name in another instance with another hash: nothing is shared.
  net::BasicAuth other(std::map<std::string, std::string>{{"alice", empty}});
  CHECK_FALSE(other.allows(alice_right));
}

TEST_CASE("require_basic_auth: every path and method is 401 without credentials, bare") {
  int calls = 0;
  const auto handler = net::require_basic_auth(users(), [&calls](const net::AdminRequest&) {
    ++calls;
    return net::AdminResponse{200, "text/plain", "inner\n", {}};
  });
  for (const char* path : {"/metrics", "/healthz", "/-/reload", "/nope", "/"}) {
    CAPTURE(path);
    const auto r = handler(net::AdminRequest{"GET", path, "", alice_wrong});
    CHECK(r.status == 401);
    CHECK(r.body == "Unauthorized\n");
    CHECK(r.content_type == "text/plain; charset=utf-8");
    CHECK(r.headers == std::vector<std::pair<std::string, std::string>>{
                           {"WWW-Authenticate", "Basic realm=\"flywatch\""}});
  }
  CHECK(handler(net::AdminRequest{"POST", "/-/reload", "", ""}).status == 401);
  CHECK(calls == 0);
  const auto ok = handler(net::AdminRequest{"GET", "/metrics", "", alice_right});
  CHECK(ok.status == 200);
  CHECK(ok.body == "inner\n");
  CHECK(calls == 1);
}

TEST_CASE("make_admin_tls_context: a good pair loads; a mismatched key or a bad file is refused") {
  const auto& pki = flywatch::testing::test_pki();
  std::string error;
  fc::WebTlsConfig tls{pki.good.cert_file, pki.good.key_file, "", fc::ClientAuth::no_client_cert,
                       fc::TlsVersion::tls13};
  CHECK(net::make_admin_tls_context(tls, error) != nullptr);
  CHECK(error.empty());
  tls.client_ca_file = pki.ca_file;
  tls.client_auth = fc::ClientAuth::require_and_verify_client_cert;
  CHECK(net::make_admin_tls_context(tls, error) != nullptr);

  tls.key_file = pki.wrong_host.key_file;
  CHECK(net::make_admin_tls_context(tls, error) == nullptr);
  // OpenSSL notices while loading the key: "key values mismatch".
  CHECK(error.starts_with("key_file \"" + pki.wrong_host.key_file + "\": "));
  CHECK(error.find("mismatch") != std::string::npos);
  tls.key_file = pki.ca_file;  // a certificate, not a key
  error.clear();
  CHECK(net::make_admin_tls_context(tls, error) == nullptr);
  CHECK(error.starts_with("key_file \"" + pki.ca_file + "\": "));
  tls.key_file = pki.good.key_file;
  tls.client_ca_file = pki.good.key_file;  // a key, not a certificate
  error.clear();
  CHECK(net::make_admin_tls_context(tls, error) == nullptr);
  CHECK(error.starts_with("client_ca_file \"" + pki.good.key_file + "\": "));
}

TEST_CASE("BasicAuth::check: bcrypt runs off the caller's loop, the cache on it") {
  // Cost 12: a quarter of a second of bcrypt, during which the loop must keep running.
  const std::map<std::string, std::string> slow{
      {"alice", "$2b$12$abcdefghijklmnopqrstuuIkD3QUGeSzQARHziTZIsG4D8yrNpG.S"}};
  net::BasicAuth auth(slow);
  boost::asio::io_context io{1};
  std::optional<bool> verdict;
  int ticks_before_verdict = 0;
  boost::asio::co_spawn(io, auth.check(alice_right), [&](std::exception_ptr e, bool ok) {
    REQUIRE_FALSE(e);
    verdict = ok;
  });
  // A timer on the same loop ticks while the check is pending only if the check is not on it.
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::milliseconds(2));
    tick.async_wait([&](boost::system::error_code) {
      if (verdict) return;
      ++ticks_before_verdict;
      arm();
    });
  };
  arm();
  io.run();
  REQUIRE(verdict.has_value());
  CHECK(*verdict);
  CHECK(ticks_before_verdict > 0);
  CHECK(auth.bcrypt_runs() == 1);

  // Cached now: the second check is decided on the loop, without bcrypt.
  verdict.reset();
  io.restart();
  boost::asio::co_spawn(io, auth.check(alice_right), [&](std::exception_ptr, bool ok) { verdict = ok; });
  io.run();
  CHECK(verdict == true);
  CHECK(auth.bcrypt_runs() == 1);
  io.restart();
  boost::asio::co_spawn(io, auth.check(alice_wrong), [&](std::exception_ptr, bool ok) { verdict = ok; });
  io.run();
  CHECK(verdict == false);
  CHECK(auth.bcrypt_runs() == 2);
}

TEST_CASE("basic_auth_authenticator: an AdminServer authenticator over BasicAuth") {
  const auto authenticate = net::basic_auth_authenticator(users());
  boost::asio::io_context io{1};
  std::vector<bool> results;
  for (const char* header : {alice_right, alice_wrong, "", mallory}) {
    boost::asio::co_spawn(io, authenticate(header), [&](std::exception_ptr, bool ok) { results.push_back(ok); });
  }
  io.run();
  CHECK(results.size() == 4);
  CHECK(std::count(results.begin(), results.end(), true) == 1);
}
