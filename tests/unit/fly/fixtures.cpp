#include "fixtures.hpp"

#include <doctest.h>

#include <charconv>

#include "core/machine_lifecycle.hpp"
#include "fly/machine_json.hpp"
#include "testdata_files.hpp"

namespace flywatch::fly::test {

std::string read_fixture(const std::string& name) {
  return flywatch::test::read_testdata_file("fly/" + name);
}

std::vector<std::vector<std::string>> read_table(const std::string& name) {
  return flywatch::test::read_testdata_table("fly/" + name);
}

namespace {

std::string text(const std::string& s) { return s.empty() ? "-" : s; }
std::string flag(bool b) { return b ? "true" : "false"; }

template <class T>
std::string opt(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "-";
}

// "check12.status" → index 12 and member "status"; false when `name` has another shape.
bool split_entry(std::string_view name, std::string_view prefix, std::size_t& index,
                 std::string_view& member) {
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, index);
  if (ec != std::errc() || end != name.data() + dot) return false;
  member = name.substr(dot + 1);
  return true;
}

std::string event_field(const core::MachineEvent& e, std::string_view member) {
  if (member == "type") return text(e.type);
  if (member == "status") return text(e.status);
  if (member == "source") return text(e.source);
  if (member == "id") return text(e.id);
  if (member == "ts") return std::to_string(e.timestamp_ms);
  if (member == "exit_code") return opt(e.exit_code);
  if (member == "oom") return flag(e.oom_killed);
  if (member == "requested_stop") return flag(e.requested_stop);
  if (member == "exited_at") return opt(e.exited_at_ms);
  return "?" + std::string(member);
}

std::string check_field(const core::MachineCheck& c, std::string_view member) {
  if (member == "name") return text(c.name);
  if (member == "status") return text(c.status);
  if (member == "output") return text(c.output);
  if (member == "updated_at") return opt(c.updated_at_ms);
  return "?" + std::string(member);
}

}  // namespace

std::string machine_field(const core::MachineSnapshot& m, std::string_view name) {
  if (name == "id") return text(m.id);
  if (name == "name") return text(m.name);
  if (name == "state") return text(m.state);
  if (name == "region") return text(m.region);
  if (name == "instance_id") return text(m.instance_id);
  if (name == "process_group") return text(m.process_group);
  if (name == "host_status") return text(m.host_status);
  if (name == "private_ip") return text(m.private_ip);
  if (name == "incomplete_config") return flag(m.incomplete_config);
  if (name == "cordoned") return flag(m.cordoned);
  if (name == "ignored") return flag(core::is_ignored_process_group(m.process_group));
  if (name == "checks") return std::to_string(m.checks.size());
  if (name == "configured_checks") return std::to_string(m.configured_checks);
  if (name == "events") return std::to_string(m.events.size());
  if (name == "autostop") {
    switch (m.autostop) {
      case core::Autostop::off: return "off";
      case core::Autostop::stop: return "stop";
      case core::Autostop::suspend: return "suspend";
    }
  }
  std::size_t index = 0;
  std::string_view member;
  if (split_entry(name, "check", index, member) && index < m.checks.size()) {
    return check_field(m.checks[index], member);
  }
  if (split_entry(name, "event", index, member) && index < m.events.size()) {
    return event_field(m.events[index], member);
  }
  return "?" + std::string(name);
}

}  // namespace flywatch::fly::test
