// Router::control: the /_sim/ control interface (documented in router.hpp).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "router.hpp"
#include "router_util.hpp"

namespace flywatch::flysim {

namespace json = boost::json;

Reply Router::control(const Request& req, const std::string& path, std::int64_t now_ms) {
  const auto parts = split_path(path);  // _sim …
  if (req.method == "GET" && parts.size() == 2 && parts[1] == "stats") {
    json::object api;
    json::object edge;
    json::object user;
    json::object waits;
    for (const auto& [app, n] : fleet_.api_requests()) api[app] = n;
    for (const auto& [id, n] : fleet_.wait_requests()) waits[id] = n;
    for (const auto& [app, n] : fleet_.edge_requests()) edge[app] = n;
    for (const auto& [app, n] : fleet_.user_requests()) user[app] = n;
    json::object paths;
    for (const auto& [app, lines] : fleet_.paths()) {
      json::object per_line;
      for (const auto& [line, n] : lines) per_line[line] = n;
      paths[app] = std::move(per_line);
    }
    return make_reply(200, json::serialize(json::object{
                               {"api_requests", api}, {"edge_requests", edge}, {"user_requests", user},
                               {"wait_requests", waits}, {"paths", paths}}));
  }
  if (req.method == "GET" && parts.size() == 2 && parts[1] == "edges") {
    json::object ports;
    for (const auto& [app, port] : fleet_.edge_ports()) ports[app] = port;
    return make_reply(200, json::serialize(ports));
  }
  if (req.method != "POST") return error_reply(404, "not found: " + path);
  boost::system::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return error_reply(400, "body must be a JSON object");
  const auto& o = body.as_object();
  if (parts.size() == 2 && parts[1] == "api_fault") {
    ApiFault f;
    f.count = static_cast<int>(int_or(o, "count", 1));
    f.status = static_cast<int>(int_or(o, "status", 0));
    const auto* g = o.if_contains("garbage");
    f.garbage = g && g->is_bool() && g->as_bool();
    if (f.count < 0 || (!f.garbage && (f.status < 400 || f.status > 599)))
      return error_reply(400, "need \"status\" 400..599 or \"garbage\":true, and count >= 0");
    fleet_.api_fault() = f;
    return make_reply(200, "{\"ok\":true}");
  }
  if (parts.size() == 4 && parts[1] == "apps" && parts[3] == "traffic") {
    const auto* e = o.if_contains("every_ms");
    if (!e || !e->is_int64() || e->as_int64() < 0)
      return error_reply(400, "need \"every_ms\": a non-negative integer (0 stops the traffic)");
    if (!fleet_.set_traffic_every_ms(parts[2], e->as_int64())) return error_reply(404, "app not found");
    return make_reply(200, json::serialize(json::object{{"ok", true}, {"every_ms", e->as_int64()}}));
  }
  if (parts.size() == 4 && parts[1] == "apps" && parts[3] == "fault") {
    AppState* state = fleet_.app_state(parts[2]);
    if (!state) return error_reply(404, "app not found");
    const auto* k = o.if_contains("kind");
    if (!k || !k->is_string() || !switch_fault(state->faults, std::string(k->as_string())))
      return error_reply(400, "need \"kind\": cookie_insecure, cors_wildcard, "
                              "cors_no_credentials, missing_chunk, login_500 or none");
    json::array on;
    for (const auto& name : fault_names(state->faults)) on.emplace_back(name);
    return make_reply(200, json::serialize(json::object{{"ok", true}, {"faults", on}}));
  }
  if (parts.size() == 4 && parts[1] == "apps" && parts[3] == "release") {
    std::string error;
    const auto spec = read_release(o, error);
    if (!spec) return error_reply(400, error);
    const auto id = fleet_.start_release(parts[2], *spec, now_ms);
    if (!id) return error_reply(404, "app not found");
    return make_reply(200, json::serialize(json::object{{"ok", true}, {"machine", *id}}));
  }
  if (parts.size() == 4 && parts[1] == "machines" && parts[3] == "refuse_wait") {
    SimMachine* m = fleet_.machine_anywhere(parts[2]);
    if (!m) return error_reply(404, "machine not found");
    const auto* e = o.if_contains("error");
    if (!e || !e->is_string()) return error_reply(400, "need \"error\": a string (\"\" stops refusing)");
    m->set_wait_refusal(std::string(e->as_string()));
    return make_reply(200, "{\"ok\":true}");
  }
  if (parts.size() == 4 && parts[1] == "machines" && parts[3] == "fault") {
    SimMachine* m = fleet_.machine_anywhere(parts[2]);
    if (!m) return error_reply(404, "machine not found");
    m->advance(now_ms);
    const auto* k = o.if_contains("kind");
    const std::string kind = k && k->is_string() ? std::string(k->as_string()) : "";
    if (kind == "db_down" || kind == "db_up") {
      m->set_database(kind == "db_up", now_ms);
      return make_reply(200, "{\"ok\":true}");
    }
    MachineFaults f;
    std::int64_t boot = -1;
    if (kind == "stuck_starting") f.stuck_starting = true;
    else if (kind == "unhealthy") f.unhealthy = true;
    else if (kind == "oom_exit") f.oom_exit = true;
    else if (kind == "slow_boot") boot = int_or(o, "boot_delay_ms", -1);
    else if (kind != "none") return error_reply(400, "unknown fault kind: " + kind);
    if (kind == "slow_boot" && boot < 0) return error_reply(400, "slow_boot needs boot_delay_ms");
    m->set_faults(f, boot);
    return make_reply(200, "{\"ok\":true}");
  }
  return error_reply(404, "not found: " + path);
}

}  // namespace flywatch::flysim
