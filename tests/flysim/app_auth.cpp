#include "app_auth.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace flywatch::flysim {

namespace json = boost::json;

std::optional<std::int64_t> AuthStore::add_user(const std::string& email,
                                                const std::string& password) {
  for (const auto& u : users_)
    if (u.email == email) return std::nullopt;
  users_.push_back({email, password});
  return static_cast<std::int64_t>(users_.size());
}

std::optional<std::int64_t> AuthStore::check_password(const std::string& email,
                                                      const std::string& password) const {
  for (std::size_t i = 0; i < users_.size(); ++i)
    if (users_[i].email == email && users_[i].password == password)
      return static_cast<std::int64_t>(i + 1);
  return std::nullopt;
}

std::string AuthStore::open_session(std::int64_t id, std::int64_t now_ms) {
  std::erase_if(sessions_, [now_ms](const auto& kv) { return kv.second.expires_ms <= now_ms; });
  static constexpr char hex[] = "0123456789abcdef";
  std::string token;
  for (int word = 0; word < 4; ++word) {
    std::uint64_t bits = rng_();
    for (int i = 0; i < 16; ++i, bits >>= 4) token += hex[bits & 15];
  }
  sessions_[token] = {id, now_ms + session_max_age_s * 1000};
  return token;
}

std::optional<std::int64_t> AuthStore::session_user(const std::string& token,
                                                    std::int64_t now_ms) const {
  const auto it = sessions_.find(token);
  if (it == sessions_.end() || now_ms >= it->second.expires_ms) return std::nullopt;
  return it->second.user;
}

const std::string& AuthStore::email_of(std::int64_t id) const {
  return users_.at(static_cast<std::size_t>(id - 1)).email;
}

std::optional<std::string> cookie_value(const std::string& header, const std::string& name) {
  std::size_t i = 0;
  while (i < header.size()) {
    const auto semi = header.find(';', i);
    const auto end = semi == std::string::npos ? header.size() : semi;
    std::string pair = header.substr(i, end - i);
    const auto first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    const auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) {
      std::string value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    i = end + 1;
  }
  return std::nullopt;
}

bool is_auth_path(const std::string& path) {
  return path == "/api/auth" || path.rfind("/api/auth/", 0) == 0;
}

namespace {
AppAnswer json_answer(int status, const json::object& body) {
  return {status, json_type, json::serialize(body), {}};
}

AppAnswer error_answer(int status, const char* message) {
  return json_answer(status, json::object{{"error", message}});
}

AppAnswer user_answer(int status, const AuthStore& store, std::int64_t id) {
  return json_answer(status,
                     json::object{{"user", json::object{{"id", id}, {"email", store.email_of(id)}}}});
}

struct Credentials {
  std::string email, password;
};

// The register/login body, or nullopt (then `error` says why) for a 400.
std::optional<Credentials> read_credentials(const std::string& body, const char*& error) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    error = "invalid JSON body";
    return std::nullopt;
  }
  const auto* email = v.as_object().if_contains("email");
  const auto* password = v.as_object().if_contains("password");
  if (!email || !password || !email->is_string() || !password->is_string() ||
      email->as_string().empty() || password->as_string().empty()) {
    error = "email and password are required";
    return std::nullopt;
  }
  return Credentials{std::string(email->as_string()), std::string(password->as_string())};
}
}  // namespace

AppAnswer auth_answer(const AppRequest& req, AuthStore& store, const AppFaults& faults,
                      std::int64_t now_ms) {
  const bool post = req.method == "POST";
  if (post && (req.path == "/api/auth/register" || req.path == "/api/auth/login")) {
    const char* error = "";
    const auto creds = read_credentials(req.body, error);
    if (!creds) return error_answer(400, error);
    if (req.path == "/api/auth/register") {
      const auto id = store.add_user(creds->email, creds->password);
      if (!id) return error_answer(409, "email already registered");
      return user_answer(201, store, *id);
    }
    const auto id = store.check_password(creds->email, creds->password);
    if (!id) return error_answer(401, "invalid email or password");
    // The token would be signed here: a deploy without the secret fails only at this point.
    if (faults.login_500) return error_answer(500, "JWT_SECRET is not set");
    AppAnswer a = user_answer(200, store, *id);
    a.headers.emplace_back("Set-Cookie", std::string(session_cookie) + "=" +
                                             store.open_session(*id, now_ms) + "; Path=/; HttpOnly" +
                                             (faults.cookie_insecure ? "" : "; Secure") +
                                             "; SameSite=Strict; Max-Age=" +
                                             std::to_string(session_max_age_s));
    return a;
  }
  if (req.method == "GET" && req.path == "/api/auth/me") {
    const auto token = cookie_value(req.cookie, session_cookie);
    const auto id = token ? store.session_user(*token, now_ms) : std::nullopt;
    if (!id) return error_answer(401, "not authenticated");
    return user_answer(200, store, *id);
  }
  return error_answer(404, "not found");
}

}  // namespace flywatch::flysim
