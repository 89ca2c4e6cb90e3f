#include "fleet.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>

#include <boost/json/parse.hpp>

namespace flywatch::flysim {

namespace json = boost::json;

namespace {
std::string str_field(const json::object& o, const char* key, std::string def) {
  const auto* v = o.if_contains(key);
  if (!v) return def;
  if (!v->is_string()) throw std::runtime_error(std::string("fleet: '") + key + "' must be a string");
  return std::string(v->as_string());
}

std::int64_t int_field(const json::object& o, const char* key, std::int64_t def) {
  const auto* v = o.if_contains(key);
  if (!v) return def;
  if (!v->is_int64() || v->as_int64() < 0)
    throw std::runtime_error(std::string("fleet: '") + key + "' must be a non-negative integer");
  return v->as_int64();
}

MachineSpec read_machine(const json::value& v) {
  if (!v.is_object()) throw std::runtime_error("fleet: a machine must be an object");
  const auto& o = v.as_object();
  MachineSpec s;
  s.id = str_field(o, "id", "");
  if (s.id.empty()) throw std::runtime_error("fleet: a machine needs a non-empty 'id'");
  s.name = str_field(o, "name", "machine-" + s.id);
  s.region = str_field(o, "region", "ams");
  s.state = str_field(o, "state", s.state);
  s.process_group = str_field(o, "process_group", s.process_group);
  s.autostop = str_field(o, "autostop", s.autostop);
  if (s.autostop != "off" && s.autostop != "stop" && s.autostop != "suspend")
    throw std::runtime_error("fleet: machine " + s.id + ": autostop must be off|stop|suspend");
  s.boot_delay_ms = int_field(o, "boot_delay_ms", s.boot_delay_ms);
  s.ready_delay_ms = int_field(o, "ready_delay_ms", s.ready_delay_ms);
  s.resume_delay_ms = int_field(o, "resume_delay_ms", s.resume_delay_ms);
  s.stop_delay_ms = int_field(o, "stop_delay_ms", s.stop_delay_ms);
  if (o.contains("started_ago_ms")) s.started_ago_ms = int_field(o, "started_ago_ms", 0);
  s.host_status = str_field(o, "host_status", s.host_status);
  if (s.host_status != "ok" && s.host_status != "unknown" && s.host_status != "unreachable")
    throw std::runtime_error("fleet: machine " + s.id + ": host_status must be ok|unknown|unreachable");
  if (const auto* c = o.if_contains("cordoned")) {
    if (!c->is_bool()) throw std::runtime_error("fleet: machine " + s.id + ": cordoned must be a boolean");
    s.cordoned = c->as_bool();
  }
  if (const auto* c = o.if_contains("checks")) {
    if (!c->is_array()) throw std::runtime_error("fleet: machine " + s.id + ": checks must be a list");
    for (const auto& n : c->as_array()) {
      if (!n.is_string()) throw std::runtime_error("fleet: machine " + s.id + ": check names are strings");
      s.checks.emplace_back(n.as_string());
    }
  }
  if (const auto* sb = o.if_contains("standbys")) {
    if (!sb->is_array()) throw std::runtime_error("fleet: machine " + s.id + ": standbys must be a list");
    for (const auto& n : sb->as_array()) {
      if (!n.is_string()) throw std::runtime_error("fleet: machine " + s.id + ": standbys are machine ids");
      s.standbys.emplace_back(n.as_string());
    }
  }
  return s;
}

// The app's "auth" and "site" settings, and its session store's seed.
void read_app_features(const json::object& o, const std::string& name, AppSettings& st,
                      AppState& state) {
  if (const auto* auth = o.if_contains("auth")) {
    if (!auth->is_object())
      throw std::runtime_error("fleet: app " + name + ": auth must be an object");
    st.auth = true;
    st.cors_origin = str_field(auth->as_object(), "cors_origin", "");
  }
  if (const auto* site = o.if_contains("site")) {
    if (!site->is_bool())
      throw std::runtime_error("fleet: app " + name + ": site must be a boolean");
    st.site = site->as_bool();
  }
  std::random_device seed;
  state.auth = AuthStore((std::uint64_t{seed()} << 32) | seed());
}
}  // namespace

Fleet Fleet::load(const std::string& text, std::int64_t now_ms) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) throw std::runtime_error("fleet: not JSON: " + ec.message());
  if (!doc.is_object() || !doc.as_object().contains("apps") ||
      !doc.as_object().at("apps").is_array())
    throw std::runtime_error("fleet: expected an object with an 'apps' list");
  Fleet fleet;
  for (const auto& a : doc.as_object().at("apps").as_array()) {
    if (!a.is_object()) throw std::runtime_error("fleet: an app must be an object");
    const std::string name = str_field(a.as_object(), "name", "");
    if (name.empty()) throw std::runtime_error("fleet: an app needs a non-empty 'name'");
    if (fleet.apps_.count(name)) throw std::runtime_error("fleet: duplicate app " + name);
    auto& machines = fleet.apps_[name];
    AppSettings& st = fleet.settings_[name];
    st.autostop_idle_ms = int_field(a.as_object(), "autostop_idle_ms", st.autostop_idle_ms);
    st.edge_hold_ms = int_field(a.as_object(), "edge_hold_ms", st.edge_hold_ms);
    st.traffic_every_ms = int_field(a.as_object(), "traffic_every_ms", st.traffic_every_ms);
    const std::string image =
        str_field(a.as_object(), "image", "registry.fly.io/" + name + ":deployment-initial");
    const std::int64_t version = int_field(a.as_object(), "release_version", 1);
    if (image.empty() || version < 1)
      throw std::runtime_error("fleet: app " + name +
                               ": image must be non-empty, release_version >= 1");
    const auto port = int_field(a.as_object(), "edge_port", 0);
    if (port > 65535) throw std::runtime_error("fleet: app " + name + ": edge_port must be 0..65535");
    st.edge_port = static_cast<std::uint16_t>(port);
    read_app_features(a.as_object(), name, st, fleet.states_[name]);
    for (const auto& [other, other_st] : fleet.settings_)
      if (other != name && st.edge_port != 0 && other_st.edge_port == st.edge_port)
        throw std::runtime_error("fleet: apps " + other + " and " + name + " share edge_port " +
                                 std::to_string(port));
    if (const auto* ms = a.as_object().if_contains("machines")) {
      if (!ms->is_array()) throw std::runtime_error("fleet: app " + name + ": machines must be a list");
      for (const auto& m : ms->as_array()) {
        MachineSpec spec = read_machine(m);
        if (fleet.machine_anywhere(spec.id)) throw std::runtime_error("fleet: duplicate id " + spec.id);
        spec.image = image;
        spec.release_version = version;
        machines.emplace_back(std::move(spec), now_ms);
      }
    }
  }
  return fleet;
}

std::vector<SimMachine>* Fleet::app(const std::string& name) {
  auto it = apps_.find(name);
  return it == apps_.end() ? nullptr : &it->second;
}

SimMachine* Fleet::machine(const std::string& app_name, const std::string& id) {
  auto* ms = app(app_name);
  if (!ms) return nullptr;
  for (auto& m : *ms)
    if (m.id() == id) return &m;
  return nullptr;
}

std::vector<std::string> Fleet::app_names() const {
  std::vector<std::string> names;
  for (const auto& [name, ms] : apps_) names.push_back(name);
  return names;
}

AppSettings Fleet::settings(const std::string& app) const {
  auto it = settings_.find(app);
  return it == settings_.end() ? AppSettings{} : it->second;
}

bool Fleet::set_traffic_every_ms(const std::string& app, std::int64_t every_ms) {
  auto it = settings_.find(app);
  if (it == settings_.end()) return false;
  it->second.traffic_every_ms = every_ms;
  return true;
}

AppState* Fleet::app_state(const std::string& app) {
  auto it = states_.find(app);
  return it == states_.end() ? nullptr : &it->second;
}

std::optional<std::string> Fleet::start_release(const std::string& app, const ReleaseSpec& spec,
                                                std::int64_t now_ms) {
  auto* machines = this->app(app);
  if (!machines) return std::nullopt;
  std::string id;
  do {  // Fly's ids are 14 hex digits; these count up from the time, skipping taken ones
    const auto n = static_cast<unsigned long long>(now_ms) * 16 + ++release_seq_;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%014llx", n & 0xffffffffffffffull);
    id = buf;
  } while (machine_anywhere(id));
  states_[app].releases.push_back(launch_release(*machines, spec, id, now_ms));
  return id;
}

void Fleet::settle_releases(const std::string& app, std::int64_t now_ms) {
  auto* machines = this->app(app);
  auto* state = app_state(app);
  if (machines && state) flysim::settle_releases(*machines, state->releases, now_ms);
}

void Fleet::count_edge_request(const std::string& app, std::int64_t now_ms, bool user,
                               const std::string& request_line) {
  ++edge_requests_[app];
  ++paths_[app][request_line];
  if (!user) return;
  ++user_requests_[app];
  last_user_ms_[app] = now_ms;
}

std::int64_t Fleet::last_user_request_ms(const std::string& app) const {
  auto it = last_user_ms_.find(app);
  return it == last_user_ms_.end() ? 0 : it->second;
}

int Fleet::in_flight(const std::string& app) const {
  auto it = in_flight_.find(app);
  return it == in_flight_.end() ? 0 : it->second;
}

SimMachine* Fleet::machine_anywhere(const std::string& id) {
  for (auto& [name, ms] : apps_)
    for (auto& m : ms)
      if (m.id() == id) return &m;
  return nullptr;
}

}  // namespace flywatch::flysim
