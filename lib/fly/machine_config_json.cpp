// A Machine's `config` object → the MachineSnapshot fields it carries. Lenient like the rest of
// machine_json (see its header).
#include "fly/machine_json_detail.hpp"

namespace flywatch::fly::detail {

namespace {

// One service's autostop; nullopt when it says nothing we understand (noted).
core::Autostop service_autostop(const json::value& v, const Notes& notes) {
  if (const bool* b = v.if_bool()) return *b ? core::Autostop::stop : core::Autostop::off;
  if (const json::string* s = v.if_string()) {
    if (*s == "suspend") return core::Autostop::suspend;
    if (*s == "stop") return core::Autostop::stop;
    if (*s == "off") return core::Autostop::off;
    notes.add("autostop \"" + std::string(s->data(), s->size()) + "\" is unknown; taken as off");
    return core::Autostop::off;
  }
  if (!v.is_null()) notes.add(std::string("autostop is ") + kind_name(v) + "; taken as off");
  return core::Autostop::off;
}

// config.standbys: ids of the machines this one stands by for (fly-go MachineConfig.Standbys).
void read_standbys(const json::object& config, core::MachineSnapshot& m, const Notes& notes) {
  const json::value* v = config.if_contains("standbys");
  if (v == nullptr || v->is_null()) return;
  const json::array* a = v->if_array();
  if (a == nullptr) {
    notes.add(std::string("config.standbys is ") + kind_name(*v) + "; ignored");
    return;
  }
  for (const auto& id : *a) {
    if (const json::string* s = id.if_string(); s != nullptr && !s->empty()) {
      m.standbys.emplace_back(s->data(), s->size());
    } else {
      notes.add(std::string("config.standbys has a ") + kind_name(id) + " entry; skipped");
    }
  }
}

}  // namespace

void read_config(const json::object& config, core::MachineSnapshot& m, const Notes& notes) {
  read_standbys(config, m, notes);
  read_string(config, "image", m.image, notes);
  if (const json::value* md = config.if_contains("metadata"); md != nullptr && !md->is_null()) {
    if (const json::object* metadata = md->if_object()) {
      read_string(*metadata, "fly_process_group", m.process_group, notes);
      read_string(*metadata, "fly_release_version", m.release_version, notes);
      std::string legacy;
      read_string(*metadata, "process_group", legacy, notes);
      // fly-go takes a legacy `process_group: release_command` for a release machine whatever
      // fly_process_group says.
      if (m.process_group.empty() || legacy == "release_command") m.process_group = legacy;
    } else {
      notes.add(std::string("config.metadata is ") + kind_name(*md) + "; ignored");
    }
  }
  // Top-level checks: an object keyed by check name (fly-go's map[string]MachineCheck).
  if (const json::value* c = config.if_contains("checks"); c != nullptr && !c->is_null()) {
    if (const json::object* checks = c->if_object()) {
      m.configured_checks += static_cast<int>(checks->size());
    } else if (const json::array* list = c->if_array()) {
      m.configured_checks += static_cast<int>(list->size());  // not Fly's shape; counted anyway
    } else {
      notes.add(std::string("config.checks is ") + kind_name(*c) + "; ignored");
    }
  }
  const json::value* sv = config.if_contains("services");
  if (sv == nullptr || sv->is_null()) return;
  const json::array* services = sv->if_array();
  if (services == nullptr) {
    notes.add(std::string("config.services is ") + kind_name(*sv) + "; ignored");
    return;
  }
  bool any_stop = false;
  bool any_suspend = false;
  for (std::size_t i = 0; i < services->size(); ++i) {
    const json::object* service = (*services)[i].if_object();
    if (service == nullptr) {
      notes.add("config.services[" + std::to_string(i) + "] is " + kind_name((*services)[i]) +
                ", not an object; ignored");
      continue;
    }
    if (const json::value* c = service->if_contains("checks"); c != nullptr && !c->is_null()) {
      if (const json::array* checks = c->if_array()) {
        m.configured_checks += static_cast<int>(checks->size());
      } else {
        notes.add("config.services[" + std::to_string(i) + "].checks is " + kind_name(*c) +
                  "; ignored");
      }
    }
    const json::value* a = service->if_contains("autostop");
    if (a == nullptr) continue;
    switch (service_autostop(*a, notes.nested("service " + std::to_string(i)))) {
      case core::Autostop::suspend: any_suspend = true; break;
      case core::Autostop::stop: any_stop = true; break;
      case core::Autostop::off: break;
    }
  }
  m.autostop = any_suspend ? core::Autostop::suspend
               : any_stop  ? core::Autostop::stop
                           : core::Autostop::off;
}

}  // namespace flywatch::fly::detail
