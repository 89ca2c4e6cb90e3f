#include "net/basic_auth.hpp"

#include <memory>

#include <openssl/evp.h>

#include "core/password.hpp"

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

bool BasicAuth::allows(std::string_view authorization) {
  auto credentials = core::parse_basic_authorization(authorization);
  if (!credentials) return false;
  const auto user = users_.find(credentials->user);
  bool ok = false;
  if (user == users_.end()) {
    ++bcrypt_runs_;
    core::check_password(dummy_hash, credentials->password);
  } else {
    const Digest key = digest_of(credentials->user, credentials->password, user->second);
    if (cached_.contains(key)) {
      ok = true;
    } else {
      ++bcrypt_runs_;
      ok = core::check_password(user->second, credentials->password);
      if (ok && cache_size_ > 0) {
        if (order_.size() == cache_size_) {
          cached_.erase(order_.front());
          order_.pop_front();
        }
        cached_.insert(key);
        order_.push_back(key);
      }
    }
  }
  OPENSSL_cleanse(credentials->password.data(), credentials->password.size());
  return ok;
}

AdminResponse unauthorized_response() {
  AdminResponse r{401, "text/plain; charset=utf-8", "Unauthorized\n", {}};
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"flywatch\"");
  return r;
}

AdminHandler require_basic_auth(std::map<std::string, std::string> users, AdminHandler inner) {
  auto auth = std::make_shared<BasicAuth>(std::move(users));
  return [auth, inner = std::move(inner)](const AdminRequest& r) {
    return auth->allows(r.authorization) ? inner(r) : unauthorized_response();
  };
}

}  // namespace flywatch::net
