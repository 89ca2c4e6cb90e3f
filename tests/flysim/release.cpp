#include "release.hpp"

#include <algorithm>
#include <limits>

namespace flywatch::flysim {

namespace json = boost::json;

namespace {
// Reads an optional integer field within [lo, hi] into `out`; false when present but wrong.
bool read_int(const json::object& o, const char* key, std::int64_t lo, std::int64_t hi,
              std::int64_t& out) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi) return false;
  out = v->as_int64();
  return true;
}
}  // namespace

std::optional<ReleaseSpec> read_release(const json::object& body, std::string& error) {
  ReleaseSpec r;
  constexpr std::int64_t day_ms = 24 * 3600 * 1000;
  std::int64_t code = r.exit_code;
  if (!body.contains("version") || !read_int(body, "version", 1, std::numeric_limits<std::int64_t>::max(), r.version)) {
    error = "need \"version\": an integer >= 1";
    return std::nullopt;
  }
  const auto* image = body.if_contains("image");
  if (!image || !image->is_string() || image->as_string().empty()) {
    error = "need \"image\": a non-empty string";
    return std::nullopt;
  }
  r.image = std::string(image->as_string());
  if (!read_int(body, "exit_code", 0, 255, code)) {
    error = "\"exit_code\" must be an integer 0..255";
    return std::nullopt;
  }
  r.exit_code = static_cast<int>(code);
  if (!read_int(body, "run_ms", 0, day_ms, r.run_ms) ||
      !read_int(body, "boot_delay_ms", 0, day_ms, r.boot_delay_ms) ||
      !read_int(body, "destroy_after_ms", 0, day_ms, r.destroy_after_ms)) {
    error = "\"run_ms\", \"boot_delay_ms\" and \"destroy_after_ms\" must be integers 0..86400000";
    return std::nullopt;
  }
  return r;
}

PendingRelease launch_release(std::vector<SimMachine>& machines, const ReleaseSpec& spec,
                              const std::string& id, std::int64_t now_ms) {
  MachineSpec m;
  m.id = id;
  m.name = "release-command-v" + std::to_string(spec.version);
  m.region = machines.empty() ? "iad" : machines.front().region();
  m.process_group = release_group;
  m.boot_delay_ms = spec.boot_delay_ms;
  m.image = spec.image;
  m.release_version = spec.version;
  m.run_ms = spec.run_ms;
  m.exit_code = spec.exit_code;
  m.destroy_after_ms = spec.destroy_after_ms;
  machines.push_back(SimMachine::launch(std::move(m), now_ms));
  return {id, spec.version, spec.image};
}

void settle_releases(std::vector<SimMachine>& machines, std::vector<PendingRelease>& pending,
                     std::int64_t now_ms) {
  // In launch order, so that of two releases finishing together the later one wins.
  std::erase_if(pending, [&](const PendingRelease& r) {
    const auto it = std::find_if(machines.begin(), machines.end(),
                                 [&](const SimMachine& m) { return m.id() == r.machine_id; });
    if (it == machines.end()) return true;
    it->advance(now_ms);
    const auto code = it->run_exit_code();
    if (!code) return it->state() == "stopped" || it->state() == "destroyed";
    if (*code == 0) {
      for (auto& m : machines)
        if (m.process_group() != release_group) m.set_release(r.image, r.version);
    }
    return true;
  });
}

}  // namespace flywatch::flysim
