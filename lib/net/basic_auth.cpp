#include "net/basic_auth.hpp"

#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/evp.h>

#include "core/password.hpp"
#include "net/worker_pool.hpp"

namespace flywatch::net {

namespace {

// A bcrypt hash of no user's password, at the usual cost, checked for unknown users.
constexpr std::string_view dummy_hash =
    "$2b$10$flywatchdummysaltdummuC1ouJs6s6L5Ks4SeVFf/3D1GFyelcEi";

BasicAuth::Digest digest_of(const std::string& user, const std::string& password,
                            const std::string& hash) {
  BasicAuth::Digest out{};
  std::string input;
  // Lengths first: ("a", "b:c") and ("a:b", "c") must not collide.
  for (const std::string* s : {&user, &password, &hash}) {
    input += std::to_string(s->size());
    input += ':';
    input += *s;
  }
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), out.data(), &len, EVP_sha256(), nullptr);
  OPENSSL_cleanse(input.data(), input.size());
  return out;
}

}  // namespace

BasicAuth::BasicAuth(std::map<std::string, std::string> users, std::size_t cache_size)
    : users_(std::move(users)), cache_size_(cache_size) {}

BasicAuth::Attempt::~Attempt() { OPENSSL_cleanse(password.data(), password.size()); }

BasicAuth::Attempt BasicAuth::begin(std::string_view authorization) const {
  Attempt a;
  auto credentials = core::parse_basic_authorization(authorization);
  if (!credentials) {
    a.decided = true;
    return a;
  }
  const auto user = users_.find(credentials->user);
  a.known_user = user != users_.end();
  // An unknown user is checked against a dummy hash: the time taken does not tell who exists.
  a.hash = a.known_user ? user->second : std::string(dummy_hash);
  if (a.known_user) {
    a.key = digest_of(credentials->user, credentials->password, a.hash);
    a.decided = a.ok = cached_.contains(a.key);
  }
  a.password = std::move(credentials->password);
  OPENSSL_cleanse(credentials->password.data(), credentials->password.size());
  return a;
}

bool BasicAuth::finish(const Attempt& a, bool bcrypt_ok) {
  const bool ok = a.known_user && bcrypt_ok;
  if (ok && cache_size_ > 0) {
    if (order_.size() == cache_size_) {
      cached_.erase(order_.front());
      order_.pop_front();
    }
    cached_.insert(a.key);
    order_.push_back(a.key);
  }
  return ok;
}

bool BasicAuth::allows(std::string_view authorization) {
  const Attempt a = begin(authorization);
  if (a.decided) return a.ok;
  ++bcrypt_runs_;
  return finish(a, core::check_password(a.hash, a.password));
}

// GCC 12 reports a false -Wmismatched-new-delete on coroutine frames under ASan (Asio's
// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

boost::asio::awaitable<bool> BasicAuth::check(std::string authorization) {
  const Attempt a = begin(authorization);
  OPENSSL_cleanse(authorization.data(), authorization.size());
  if (a.decided) co_return a.ok;
  ++bcrypt_runs_;
  // bcrypt costs tens of milliseconds by design: not on the loop that runs every probe.
  const bool bcrypt_ok = co_await boost::asio::co_spawn(
      worker_pool(),
      [&a]() -> boost::asio::awaitable<bool> { co_return core::check_password(a.hash, a.password); },
      boost::asio::use_awaitable);
  co_return finish(a, bcrypt_ok);
}

AdminHandler require_basic_auth(std::map<std::string, std::string> users, AdminHandler inner) {
  auto auth = std::make_shared<BasicAuth>(std::move(users));
  return [auth, inner = std::move(inner)](const AdminRequest& r) {
    return auth->allows(r.authorization) ? inner(r) : unauthorized_response();
  };
}

namespace {

boost::asio::awaitable<bool> check_with(std::shared_ptr<BasicAuth> auth, std::string authorization) {
  co_return co_await auth->check(std::move(authorization));
}

}  // namespace

#pragma GCC diagnostic pop

AdminAuthenticator basic_auth_authenticator(std::map<std::string, std::string> users) {
  auto auth = std::make_shared<BasicAuth>(std::move(users));
  // A free coroutine keeps the shared_ptr in its frame; a lambda coroutine's captures would
  // not outlive its first suspension.
  return [auth](std::string authorization) { return check_with(auth, std::move(authorization)); };
}

}  // namespace flywatch::net
