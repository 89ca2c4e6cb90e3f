// `gate:` → GateConfig (DESIGN §12): the deploy gate's phases, each naming apps, targets and
// journeys of the same file.
#include <string>

#include "config/sections.hpp"
#include "config/syntax.hpp"

namespace flywatch::config::detail {

namespace {

// A list of names, each of which `known` must accept; `what` names the kind for messages.
template <class Known>
std::vector<std::string> name_list(const Reader& r, const Field& f, const std::string& label,
                                   std::string_view what, Known known) {
  std::vector<std::string> out;
  r.require_sequence(f.value, f.value_pos(), label);
  for (const YAML::Node& item : f.value) {
    const Pos at = pos_of(item, f.value);
    std::string name = r.string(item, at, label);
    if (!known(name)) r.fail(at, label + ": no " + std::string(what) + " named " + in_quotes(name));
    for (const std::string& seen : out) {
      if (seen == name) r.fail(at, label + ": " + in_quotes(name) + " given twice");
    }
    out.push_back(std::move(name));
  }
  return out;
}

GatePhase parse_phase(const Reader& r, const YAML::Node& node, Pos where, const GateNames& names) {
  GatePhase p;
  p.line = where.line;
  const Fields fields(r, node, where, "gate.phases entry", "in gate phase",
                      {"name", "apps", "wake", "wait_healthy", "targets", "journeys"});
  const Field* name = fields.get("name");
  if (!name) r.fail(where, "gate phase is missing required key \"name\"");
  p.name = r.string(*name, "name");
  if (!is_valid_name(p.name)) {
    r.fail(name->value_pos(),
           "name: " + in_quotes(p.name) + " may only contain letters, digits, '_', '.' and '-'");
  }
  const std::string section = "gate.phases." + p.name;
  if (const Field* f = fields.get("apps")) {
    p.apps = name_list(r, *f, section + ".apps", "fly app", [&](const std::string& n) {
      if (!names.fly) return false;
      for (const FlyApp& a : names.fly->apps) {
        if (a.name == n) return true;
      }
      return false;
    });
  }
  if (const Field* f = fields.get("targets")) {
    p.targets = name_list(r, *f, section + ".targets", "target", [&](const std::string& n) {
      for (const Target& t : names.targets) {
        if (t.name == n) return true;
      }
      return false;
    });
  }
  if (const Field* f = fields.get("journeys")) {
    p.journeys = name_list(r, *f, section + ".journeys", "journey", [&](const std::string& n) {
      for (const Journey& j : names.journeys) {
        if (j.name() == n) return true;
      }
      return false;
    });
  }
  if (const Field* f = fields.get("wake")) {
    p.wake = r.boolean(*f, section + ".wake");
    if (p.wake && p.apps.empty()) r.fail(f->value_pos(), section + ".wake: the phase names no apps");
  }
  if (const Field* f = fields.get("wait_healthy")) {
    p.wait_healthy = r.duration(*f, section + ".wait_healthy", Millis{1'000}, Millis{3'600'000});
    if (p.apps.empty()) r.fail(f->value_pos(), section + ".wait_healthy: the phase names no apps");
  }
  if (p.apps.empty() && p.targets.empty() && p.journeys.empty()) {
    r.fail(where, section + ": the phase checks nothing (give apps, targets or journeys)");
  }
  return p;
}

}  // namespace

GateConfig parse_gate_section(const Reader& r, const Field& field, const GateNames& names) {
  GateConfig gate;
  const Fields fields(r, field.value, field.value_pos(), "gate", "in gate", {"phases"});
  const Field* phases = fields.get("phases");
  if (!phases) r.fail(field.value_pos(), "gate is missing required key \"phases\"");
  // An empty list is refused before its entries are read: "gate.phases: empty list".
  if (phases->value.IsSequence() && phases->value.size() == 0) {
    r.fail(phases->value_pos(), "gate.phases: empty list");
  }
  gate.phases = parse_unique_entries(
      r, phases->value, phases->value_pos(), "gate.phases", "gate.phases", "duplicate gate phase",
      [&](const YAML::Node& node, Pos where) { return parse_phase(r, node, where, names); },
      [](const GatePhase& p) { return p.name; });
  return gate;
}

}  // namespace flywatch::config::detail
