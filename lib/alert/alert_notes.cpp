#include "alert/alert_notes.hpp"

#include <algorithm>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace flywatch::alert {

namespace json = boost::json;

std::optional<std::string> format_alert_note(const std::vector<core::AlertEvent>& events) {
  json::array changes;
  for (const auto& e : events) {
    PersistedAlert p;
    p.entry.alert = e.alert;
    p.entry.alert.ends_at.reset();
    p.entry.last_notified = e.at;
    p.notified = true;
    json::object c;
    c["kind"] = core::to_string(e.kind);
    c["alert"] = alert_to_json(p);
    changes.push_back(std::move(c));
  }
  if (changes.empty()) return std::nullopt;
  json::object root;
  root["changes"] = std::move(changes);
  return json::serialize(root);
}

namespace {

struct Change {
  bool firing = false;
  PersistedAlert alert;
};

// The changes of one note; nullopt when it cannot be read.
std::optional<std::vector<Change>> read_note(const std::string& payload) {
  boost::system::error_code ec;
  const json::value root = json::parse(payload, ec);
  const json::object* o = ec ? nullptr : root.if_object();
  const json::value* list = o ? o->if_contains("changes") : nullptr;
  if (!list || !list->is_array()) return std::nullopt;
  std::vector<Change> out;
  for (const auto& item : list->get_array()) {
    const json::object* c = item.if_object();
    const json::value* kind = c ? c->if_contains("kind") : nullptr;
    const json::value* alert = c ? c->if_contains("alert") : nullptr;
    if (!kind || !kind->is_string() || !alert) return std::nullopt;
    auto p = alert_from_json(*alert);
    if (!p) return std::nullopt;
    const std::string_view k = kind->get_string();
    if (k != "firing" && k != "repeat" && k != "resolved") return std::nullopt;
    out.push_back({k != "resolved", std::move(*p)});
  }
  return out;
}

}  // namespace

std::vector<PersistedAlert> apply_alert_notes(std::vector<PersistedAlert> base,
                                              std::uint64_t base_seq,
                                              const std::vector<OutboxNote>& notes,
                                              std::size_t& applied, std::size_t& bad_notes) {
  applied = 0;
  bad_notes = 0;
  // Position in `out` by fingerprint; removals leave a gap (nullopt) so positions stay valid.
  std::vector<std::optional<PersistedAlert>> out;
  std::map<std::string, std::size_t> at;
  for (auto& a : base) {
    const std::string fp = core::alert_fingerprint(a.entry.alert.labels);
    if (at.contains(fp)) continue;  // restored once (AlertCenter::restore skips them too)
    at[fp] = out.size();
    out.emplace_back(std::move(a));
  }
  std::vector<const OutboxNote*> later;
  for (const auto& n : notes) {
    if (n.seq > base_seq) later.push_back(&n);
  }
  std::sort(later.begin(), later.end(),
            [](const OutboxNote* a, const OutboxNote* b) { return a->seq < b->seq; });
  for (const auto* n : later) {
    auto changes = read_note(n->payload);
    if (!changes) {
      ++bad_notes;
      continue;
    }
    for (auto& c : *changes) {
      ++applied;
      const std::string fp = c.alert.entry.alert.fingerprint;
      auto it = at.find(fp);
      if (!c.firing) {
        if (it != at.end()) {
          out[it->second].reset();
          at.erase(it);
        }
        continue;
      }
      if (it != at.end()) {
        out[it->second] = std::move(c.alert);
      } else {
        at[fp] = out.size();
        out.emplace_back(std::move(c.alert));
      }
    }
  }
  std::vector<PersistedAlert> result;
  for (auto& a : out) {
    if (a) result.push_back(std::move(*a));
  }
  return result;
}

RestoredAlertState restore_alert_state(const std::filesystem::path& dir,
                                       const std::vector<OutboxNote>& notes) {
  RestoredAlertState r;
  std::vector<PersistedAlert> base;
  std::error_code ec;
  const auto text = read_alert_state(dir, ec);
  if (text) {
    r.file_found = true;
    if (ec) {
      r.read_error = ec;
    } else if (auto file = parse_alert_state_file(*text, r.parse_error)) {
      base = std::move(file->alerts);
      r.outbox_seq = file->outbox_seq;
    }
  }
  r.alerts = apply_alert_notes(std::move(base), r.outbox_seq, notes, r.from_outbox, r.bad_notes);
  return r;
}

}  // namespace flywatch::alert
