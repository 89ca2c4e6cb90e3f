#include "edge_route.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace flywatch::flysim {

namespace json = boost::json;

namespace {
bool startable(const SimMachine& m) {
  const auto& s = m.state();
  return s == "stopped" || s == "suspended" || s == "created";
}

RouteDecision serve(const SimMachine& m) { return {RouteDecision::Kind::serve, m.id()}; }
RouteDecision hold() { return {RouteDecision::Kind::hold, ""}; }
}  // namespace

RouteDecision route_any(std::vector<SimMachine>& machines, std::int64_t now_ms) {
  SimMachine* to_start = nullptr;
  const SimMachine* unhealthy = nullptr;
  bool booting = false;
  for (auto& m : machines) {
    if (m.process_group() != "app" || m.standby()) continue;  // standbys wait for a failure
    m.advance(now_ms);
    if (m.healthy()) return serve(m);
    if (m.app_up()) {
      if (!unhealthy) unhealthy = &m;
      continue;
    }
    if (m.state() == "starting" || m.state() == "started") booting = true;
    if (!to_start && startable(m)) to_start = &m;
  }
  if (booting) return hold();
  if (to_start) {
    to_start->start(now_ms);
    return hold();
  }
  if (unhealthy) return serve(*unhealthy);
  return {RouteDecision::Kind::unavailable, ""};
}

RouteDecision route_forced(std::vector<SimMachine>& machines, const std::string& id,
                           std::int64_t now_ms) {
  for (auto& m : machines) {
    if (m.id() != id) continue;
    m.advance(now_ms);
    if (m.app_up()) return serve(m);
    if (startable(m)) m.start(now_ms);
    return hold();
  }
  return {RouteDecision::Kind::unknown_machine, ""};
}

AppAnswer app_answer(const SimMachine& m, const std::string& app, std::int64_t now_ms) {
  const bool ok = m.healthy();
  // Key order as Medio's Express backend writes them; the extra keys name who answered.
  json::object body{{"status", ok ? "ok" : "error"},
                    {"database", ok ? "connected" : "disconnected"},
                    {"timestamp", rfc3339_ms(now_ms)},
                    {"machine", m.id()},
                    {"region", m.region()},
                    {"app", app}};
  return {ok ? 200 : 503, json_type, json::serialize(body), {}};
}

}  // namespace flywatch::flysim
