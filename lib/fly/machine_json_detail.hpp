#pragma once
/// Internal to lib/fly's JSON readers: the notes kept about skipped data and the lenient member
/// readers shared by machine_json.cpp and machine_config_json.cpp.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "core/machine.hpp"

namespace flywatch::fly::detail {

namespace json = boost::json;

// Collects "where: what" notes for skipped data; a null sink discards them.
class Notes {
 public:
  Notes(std::vector<std::string>* sink, std::string where) : sink_(sink), where_(std::move(where)) {}
  void add(std::string_view what) const {
    if (sink_ != nullptr) sink_->push_back(where_ + ": " + std::string(what));
  }
  // Building the location string costs an allocation per entry, so skip it when nobody listens.
  Notes nested(std::string_view sub) const {
    return sink_ == nullptr ? Notes(nullptr, {}) : Notes(sink_, where_ + " " + std::string(sub));
  }

 private:
  std::vector<std::string>* sink_;
  std::string where_;
};

inline const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "unknown";
}

// A string member: absent or null leaves `out` untouched silently; another type is noted.
inline void read_string(const json::object& o, std::string_view key, std::string& out, const Notes& notes) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return;
  if (const json::string* s = v->if_string()) {
    out.assign(s->data(), s->size());
  } else {
    notes.add("field '" + std::string(key) + "' is " + kind_name(*v) + ", not a string; ignored");
  }
}

inline void read_bool(const json::object& o, std::string_view key, bool& out, const Notes& notes) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return;
  if (const bool* b = v->if_bool()) {
    out = *b;
  } else {
    notes.add("field '" + std::string(key) + "' is " + kind_name(*v) + ", not a boolean; ignored");
  }
}

/// Reads a Machine's `config` object into `m` (standbys, process group, image and release
/// version from the metadata, configured checks, autostop), noting what it skips.
void read_config(const json::object& config, core::MachineSnapshot& m, const Notes& notes);

}  // namespace flywatch::fly::detail
