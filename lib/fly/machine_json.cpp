// Machines API JSON → core::MachineSnapshot. The leniency policy is documented in the header.
#include "fly/machine_json.hpp"

#include "core/rfc3339.hpp"
#include "fly/machine_json_detail.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace flywatch::fly {
namespace json = boost::json;

namespace {

using detail::kind_name;
using detail::Notes;
using detail::read_bool;
using detail::read_string;

// Parses without throwing; Boost.JSON reports syntax errors through `ec`. Allocation failure
// is the one exception left, and it is caught here too so nothing escapes the parser.
std::optional<json::value> parse_text(std::string_view text, std::string& error) {
  try {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec) {
      error = "malformed JSON: " + ec.message();
      return std::nullopt;
    }
    return v;
  } catch (const std::exception& e) {
    error = std::string("JSON parse failed: ") + e.what();
    return std::nullopt;
  }
}

std::optional<std::int64_t> as_int64(const json::value& v) {
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* u = v.if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(*u);
    }
    return std::nullopt;
  }
  if (const auto* d = v.if_double()) {
    // 2^63 as a double; anything at or past it does not fit.
    if (std::isfinite(*d) && std::fabs(*d) < 9.2233720368547758e18) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

// Epoch milliseconds as the API sends them (integer), or leniently as a float, a digit string
// or an RFC 3339 string.
std::optional<std::int64_t> as_epoch_ms_unchecked(const json::value& v) {
  if (const json::string* s = v.if_string()) {
    const std::string_view text(s->data(), s->size());
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return ms;
    return core::parse_rfc3339_ms(text);
  }
  return as_int64(v);
}

// Times outside 1970..2200 are garbage (seconds or nanoseconds sent as milliseconds, or worse);
// they would also overflow system_clock's nanoseconds further down.
std::optional<std::int64_t> as_epoch_ms(const json::value& v) {
  constexpr std::int64_t max_ms = 7'258'118'400'000;  // 2200-01-01T00:00:00Z
  const auto ms = as_epoch_ms_unchecked(v);
  if (!ms || *ms < 0 || *ms > max_ms) return std::nullopt;
  return ms;
}

const json::object* member_object(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v == nullptr ? nullptr : v->if_object();
}

void read_exit_event(const json::object& request, core::MachineEvent& ev, const Notes& notes) {
  const json::object* exit = member_object(request, "exit_event");
  if (exit == nullptr) {
    if (const json::object* monitor = member_object(request, "MonitorEvent")) {
      exit = member_object(*monitor, "exit_event");
    }
  }
  if (exit == nullptr) return;
  if (const json::value* code = exit->if_contains("exit_code"); code != nullptr && !code->is_null()) {
    const auto c = as_int64(*code);
    if (c && *c >= std::numeric_limits<int>::min() && *c <= std::numeric_limits<int>::max()) {
      ev.exit_code = static_cast<int>(*c);
    } else {
      notes.add("exit_event.exit_code is not an integer; ignored");
    }
  }
  read_bool(*exit, "oom_killed", ev.oom_killed, notes);
  read_bool(*exit, "requested_stop", ev.requested_stop, notes);
  if (const json::value* at = exit->if_contains("exited_at"); at != nullptr && !at->is_null()) {
    // Go's zero time ("0001-01-01T00:00:00Z") or 0 means "not recorded", not an instant.
    const auto raw = as_epoch_ms_unchecked(*at);
    const bool not_recorded = raw && *raw <= 0;
    const auto ms = as_epoch_ms(*at);
    if (ms && *ms > 0) {
      ev.exited_at_ms = *ms;
    } else if (!not_recorded) {
      notes.add("exit_event.exited_at is not a timestamp; ignored");
    }
  }
}

std::optional<core::MachineEvent> read_event(const json::value& v, const Notes& notes) {
  const json::object* o = v.if_object();
  if (o == nullptr) {
    notes.add(std::string("is ") + kind_name(v) + ", not an object; skipped");
    return std::nullopt;
  }
  const json::value* ts = o->if_contains("timestamp");
  const std::optional<std::int64_t> ms = ts == nullptr ? std::nullopt : as_epoch_ms(*ts);
  if (!ms) {
    notes.add("has no usable timestamp; skipped");
    return std::nullopt;
  }
  core::MachineEvent ev;
  ev.timestamp_ms = *ms;
  read_string(*o, "id", ev.id, notes);
  read_string(*o, "type", ev.type, notes);
  read_string(*o, "status", ev.status, notes);
  read_string(*o, "source", ev.source, notes);
  if (const json::object* request = member_object(*o, "request")) read_exit_event(*request, ev, notes);
  return ev;
}

std::vector<core::MachineEvent> read_events(const json::array& a, const Notes& notes) {
  std::vector<core::MachineEvent> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (auto ev = read_event(a[i], notes.nested("event " + std::to_string(i)))) {
      out.push_back(std::move(*ev));
    }
  }
  return out;
}

std::vector<core::MachineCheck> read_checks(const json::array& a, const Notes& notes) {
  std::vector<core::MachineCheck> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Notes here = notes.nested("check " + std::to_string(i));
    const json::object* o = a[i].if_object();
    if (o == nullptr) {
      here.add(std::string("is ") + kind_name(a[i]) + ", not an object; skipped");
      continue;
    }
    core::MachineCheck check;
    read_string(*o, "name", check.name, here);
    // flaps inserts fake compatibility checks that are not the app's; fly-go drops them too.
    if (check.name.starts_with("bg_deployments_compat")) continue;
    read_string(*o, "status", check.status, here);
    read_string(*o, "output", check.output, here);
    if (const json::value* at = o->if_contains("updated_at"); at != nullptr && !at->is_null()) {
      // Go's zero time means "never updated", not an instant.
      const auto ms = as_epoch_ms(*at);
      if (ms && *ms > 0) {
        check.updated_at_ms = *ms;
      } else if (!(at->is_string() && at->get_string().starts_with("0001-"))) {
        here.add("updated_at is not a timestamp; ignored");
      }
    }
    out.push_back(std::move(check));
  }
  return out;
}

// Fills `m` from a Machine object whose `id` the caller has already checked.
void read_machine(const json::object& o, core::MachineSnapshot& m, const Notes& notes) {
  read_string(o, "id", m.id, notes);
  read_string(o, "name", m.name, notes);
  read_string(o, "state", m.state, notes);
  read_string(o, "region", m.region, notes);
  read_string(o, "instance_id", m.instance_id, notes);
  read_string(o, "host_status", m.host_status, notes);
  read_string(o, "private_ip", m.private_ip, notes);
  read_bool(o, "cordoned", m.cordoned, notes);

  if (const json::value* c = o.if_contains("checks"); c != nullptr && !c->is_null()) {
    if (const json::array* a = c->if_array()) {
      m.checks = read_checks(*a, notes);
    } else {
      notes.add(std::string("checks is ") + kind_name(*c) + ", not an array; ignored");
    }
  }
  if (const json::value* e = o.if_contains("events"); e != nullptr && !e->is_null()) {
    if (const json::array* a = e->if_array()) {
      m.events = read_events(*a, notes);
    } else {
      notes.add(std::string("events is ") + kind_name(*e) + ", not an array; ignored");
    }
  }

  const json::object* config = member_object(o, "config");
  if (const json::value* ic = o.if_contains("incomplete_config"); ic != nullptr) {
    if (const json::object* partial = ic->if_object()) {
      m.incomplete_config = true;
      if (config == nullptr) config = partial;
    } else if (const bool* b = ic->if_bool()) {
      m.incomplete_config = *b;
    }
  }
  if (config != nullptr) detail::read_config(*config, m, notes);
  // A partial config (host not ok) is not to be trusted for what it declares: the checks it
  // lists may be incomplete, and fewer configured checks would read as "all reported".
  if (m.incomplete_config) m.configured_checks = 0;
}

// nullptr (with `why`) when `v` cannot be a machine: not an object, or no string id.
const json::object* machine_object(const json::value& v, std::string& why) {
  const json::object* o = v.if_object();
  if (o == nullptr) {
    why = std::string("is ") + kind_name(v) + ", not an object";
    return nullptr;
  }
  const json::value* id = o->if_contains("id");
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    why = "has no string 'id'";
    return nullptr;
  }
  return o;
}

}  // namespace

std::optional<std::vector<core::MachineSnapshot>> parse_machine_list(
    std::string_view text, std::string& error, std::vector<std::string>* warnings) {
  auto doc = parse_text(text, error);
  if (!doc) return std::nullopt;
  const json::array* a = doc->if_array();
  if (a == nullptr) {
    error = std::string("machine list: top level is ") + kind_name(*doc) + ", not an array";
    return std::nullopt;
  }
  std::vector<core::MachineSnapshot> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    std::string why;
    const json::object* o = machine_object((*a)[i], why);
    if (o == nullptr) {
      Notes(warnings, "machine " + std::to_string(i)).add(why + "; skipped");
      continue;
    }
    core::MachineSnapshot m;
    const json::string& id = o->at("id").get_string();
    read_machine(*o, m, Notes(warnings, "machine " + std::to_string(i) + " (" +
                                            std::string(id.data(), id.size()) + ")"));
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<core::MachineSnapshot> parse_machine(std::string_view text, std::string& error,
                                                   std::vector<std::string>* warnings) {
  auto doc = parse_text(text, error);
  if (!doc) return std::nullopt;
  std::string why;
  const json::object* o = machine_object(*doc, why);
  if (o == nullptr) {
    error = "machine: top level " + why;
    return std::nullopt;
  }
  core::MachineSnapshot m;
  const json::string& id = o->at("id").get_string();
  read_machine(*o, m, Notes(warnings, "machine (" + std::string(id.data(), id.size()) + ")"));
  return m;
}

std::optional<std::vector<core::MachineEvent>> parse_events(std::string_view text,
                                                            std::string& error,
                                                            std::vector<std::string>* warnings) {
  auto doc = parse_text(text, error);
  if (!doc) return std::nullopt;
  const json::array* a = doc->if_array();
  if (a == nullptr) {
    error = std::string("events: top level is ") + kind_name(*doc) + ", not an array";
    return std::nullopt;
  }
  return read_events(*a, Notes(warnings, "events"));
}

}  // namespace flywatch::fly
