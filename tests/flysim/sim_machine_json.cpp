// SimMachine's rendering in the Machines API shape (reference §1.6), apart from its state machine.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "sim_machine.hpp"

namespace flywatch::flysim {

namespace json = boost::json;

json::value SimMachine::events_json() const {
  json::array a;
  for (const auto& e : events_) a.push_back(e);
  return a;
}

json::value SimMachine::to_json() const {
  json::value autostop = false;
  if (spec_.autostop == "stop") autostop = true;
  if (spec_.autostop == "suspend") autostop = "suspend";
  json::object service{{"protocol", "tcp"}, {"internal_port", 8080}, {"autostart", true},
                       {"autostop", autostop}, {"min_machines_running", 0}};
  // Fly's metadata is a string map: the release version is a string there.
  json::object metadata{{"fly_platform_version", "v2"},
                        {"fly_process_group", spec_.process_group},
                        {"fly_release_version", std::to_string(spec_.release_version)}};
  // What the config declares: service checks in the service, named ones at the top level.
  json::array service_checks;
  json::object top_checks;
  for (const auto& name : spec_.checks) {
    json::object check{{"type", "http"}, {"port", 8080}, {"path", "/"}, {"interval", "15s"},
                       {"timeout", "2s"}, {"grace_period", "1s"}};
    if (name.rfind("servicecheck-", 0) == 0)
      service_checks.push_back(std::move(check));
    else
      top_checks[name] = std::move(check);
  }
  const bool host_ok = spec_.host_status == "ok";
  // A host that is not ok gives only a partial config rebuilt from elsewhere.
  if (!service_checks.empty() && host_ok) service["checks"] = std::move(service_checks);
  json::object config{
      {"image", spec_.image},
      {"metadata", metadata},
      {"services", json::array{service}},
      {"guest", json::object{{"cpu_kind", "shared"}, {"cpus", 1}, {"memory_mb", 256}}}};
  if (!top_checks.empty() && host_ok) config["checks"] = std::move(top_checks);
  if (spec_.run_ms >= 0) config.erase("services");  // a release command serves nothing
  if (!spec_.standbys.empty()) {  // fly-go MachineConfig.Standbys, omitted when empty
    json::array standbys;
    for (const auto& id : spec_.standbys) standbys.emplace_back(id);
    config["standbys"] = std::move(standbys);
  }
  json::array checks;
  if (checks_reported_) {
    for (const auto& name : spec_.checks)
      checks.push_back(json::object{{"name", name}, {"status", check_status_},
                                    {"output", check_output_},
                                    {"updated_at", rfc3339_ms(checks_updated_ms_)}});
  }
  const std::int64_t updated = events_.empty()
                                   ? checks_updated_ms_
                                   : events_.front().as_object().at("timestamp").as_int64();
  return json::object{{"id", spec_.id},
                      {"name", spec_.name},
                      {"state", state_},
                      {"region", spec_.region},
                      {"instance_id", instance_id_},
                      {"private_ip", "fdaa:0:18:a7b:196:e274:9ce1:2"},
                      {"created_at", "2026-01-01T00:00:00Z"},
                      {"updated_at", rfc3339_ms(updated)},
                      {host_ok ? "config" : "incomplete_config", config},
                      {"checks", checks},
                      {"events", events_json()},
                      {"host_status", spec_.host_status},
                      {"cordoned", spec_.cordoned}};
}

}  // namespace flywatch::flysim
