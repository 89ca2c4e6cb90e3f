#include "router.hpp"
#include "router_util.hpp"

#include <cctype>
#include <charconv>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace flywatch::flysim {

namespace json = boost::json;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    const auto j = path.find('/', i);
    const auto end = j == std::string::npos ? path.size() : j;
    if (end > i) parts.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return parts;
}

std::int64_t int_or(const json::object& o, const char* key, std::int64_t def) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : def;
}

namespace {
std::string query_param(const std::string& query, const std::string& key) {
  std::size_t i = 0;
  while (i <= query.size()) {
    const auto amp = query.find('&', i);
    const auto end = amp == std::string::npos ? query.size() : amp;
    const std::string kv = query.substr(i, end - i);
    const auto eq = kv.find('=');
    if (kv.substr(0, eq) == key) return eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (amp == std::string::npos) break;
    i = amp + 1;
  }
  return "";
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_scheme(std::string word) {
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word == "bearer" || word == "flyv1";
}
}  // namespace

std::string accepted_authorization(const std::string& token) {
  // The token as flyctl prints it may carry a scheme in any case, and several comma-joined
  // tokens; the macaroons among them (fm1r_/fm1a_/fm2_) are what Fly's API checks.
  std::string bare = trim(token);
  for (auto space = bare.find(' '); space != std::string::npos && is_scheme(bare.substr(0, space));
       space = bare.find(' ')) {
    bare = trim(bare.substr(space + 1));
  }
  std::string macaroons, others;
  std::size_t i = 0;
  while (i <= bare.size()) {
    const auto comma = bare.find(',', i);
    const std::string piece = trim(bare.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
    const std::string prefix = piece.substr(0, piece.find('_'));
    std::string& into = prefix == "fm1r" || prefix == "fm1a" || prefix == "fm2" ? macaroons : others;
    if (!piece.empty()) into += (into.empty() ? "" : ",") + piece;
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  if (!macaroons.empty()) return "FlyV1 " + macaroons;
  return others.empty() ? std::string() : "Bearer " + others;
}

Reply make_reply(int status, std::string body, std::string content_type) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Reply error_reply(int status, const std::string& message) {
  return make_reply(status, json::serialize(json::object{{"error", message}}));
}

Reply Router::handle(const Request& req, std::int64_t now_ms) {
  const auto q = req.target.find('?');
  const std::string path = req.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);
  if (path.rfind("/_sim/", 0) == 0) return control(req, path, now_ms);
  if (path.rfind("/v1/", 0) == 0) return api(req, path, query, now_ms);
  return error_reply(404, "not found: " + path);
}

Reply Router::api(const Request& req, const std::string& path, const std::string& query,
                  std::int64_t now_ms) {
  const auto parts = split_path(path);  // v1 apps {app} machines [{id} [action]]
  if (parts.size() >= 3 && parts[1] == "apps") fleet_.count_api_request(parts[2]);
  if (expected_authorization_.empty() || req.authorization != expected_authorization_)
    return error_reply(401, "Authenticate: token validation error");
  auto& fault = fleet_.api_fault();
  if (fault.count > 0) {
    --fault.count;
    if (fault.garbage) return make_reply(200, "<html><body>502 Bad Gateway</body", "text/html");
    const char* text = fault.status == 429   ? "rate limit exceeded"
                       : fault.status == 401 ? "Authenticate: token validation error"
                       : fault.status == 403 ? "unauthorized"
                       : fault.status == 404 ? "app not found"
                       : fault.status < 500  ? "bad request"
                                             : "internal server error";
    return error_reply(fault.status, text);
  }
  if (parts.size() < 4 || parts[1] != "apps" || parts[3] != "machines")
    return error_reply(404, "not found: " + path);
  auto* machines = fleet_.app(parts[2]);
  if (!machines) return error_reply(404, "app not found");
  fleet_.settle_releases(parts[2], now_ms);
  if (parts.size() == 4) {
    if (req.method != "GET") return error_reply(405, "method not allowed");
    // As Fly's list, without destroyed machines unless asked for them.
    const bool deleted = query_param(query, "include_deleted") == "true";
    json::array list;
    for (auto& m : *machines) {
      m.advance(now_ms);
      if (m.state() != "destroyed" || deleted) list.push_back(m.to_json());
    }
    return make_reply(200, json::serialize(list));
  }
  SimMachine* m = fleet_.machine(parts[2], parts[4]);
  if (!m) return error_reply(404, "machine not found");
  m->advance(now_ms);
  const std::string action = parts.size() >= 6 ? parts[5] : "";
  if (parts.size() > 6) return error_reply(404, "not found: " + path);
  if (req.method == "GET" && action.empty()) return make_reply(200, json::serialize(m->to_json()));
  if (req.method == "GET" && action == "events") return make_reply(200, json::serialize(m->events_json()));
  if (req.method == "POST" && (action == "start" || action == "stop" || action == "suspend")) {
    const ActionResult r = action == "start"  ? m->start(now_ms)
                           : action == "stop" ? m->stop(now_ms)
                                              : m->suspend(now_ms);
    return make_reply(r.status, r.body);
  }
  if (req.method == "GET" && action == "wait") {
    fleet_.count_wait_request(m->id());
    // Fly answers 400 ErrorResponse when the machine cannot reach the state (or the version is
    // wrong); flysim refuses when told to (refuse_wait) or when instance_id/version is stale.
    if (!m->wait_refusal().empty()) return error_reply(400, m->wait_refusal());
    std::string version = query_param(query, "version");
    if (version.empty()) version = query_param(query, "instance_id");
    if (!version.empty() && version != m->instance_id())
      return error_reply(400, "invalid_argument: machine version " + version + " is not current");
    Reply w;
    w.wait = true;
    w.wait_app = parts[2];
    w.wait_id = parts[4];
    w.wait_state = query_param(query, "state");
    if (w.wait_state.empty()) w.wait_state = "started";
    if (w.wait_state != "started" && w.wait_state != "stopped" && w.wait_state != "suspended" &&
        w.wait_state != "destroyed")
      return error_reply(400, "invalid state: " + w.wait_state);
    std::int64_t timeout_s = 60;
    const std::string t = query_param(query, "timeout");
    if (!t.empty()) {
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), timeout_s);
      if (ec != std::errc() || p != t.data() + t.size() || timeout_s < 1 || timeout_s > 60)
        return error_reply(400, "invalid timeout: " + t);
    }
    w.wait_deadline_ms = now_ms + timeout_s * 1000;
    if (auto done = poll_wait(w, now_ms)) return *done;
    return w;
  }
  return error_reply(404, "not found: " + req.method + " " + path);
}

std::optional<Reply> Router::poll_wait(const Reply& wait, std::int64_t now_ms) {
  fleet_.settle_releases(wait.wait_app, now_ms);
  SimMachine* m = fleet_.machine(wait.wait_app, wait.wait_id);
  if (!m) return error_reply(404, "machine not found");
  m->advance(now_ms);
  if (m->state() != wait.wait_state) return std::nullopt;
  return make_reply(200, json::serialize(json::object{{"ok", true}, {"state", m->state()}}));
}

Reply Router::wait_timeout(const Reply& wait) {
  return error_reply(408, "deadline_exceeded: machine did not reach state " + wait.wait_state);
}

}  // namespace flywatch::flysim
