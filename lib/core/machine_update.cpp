#include "core/machine_update.hpp"

namespace flywatch::core {

using std::chrono::milliseconds;

std::string_view to_string(ColdStartKind k) {
  return k == ColdStartKind::resume ? "resume" : "cold";
}

std::optional<milliseconds> ColdStartEpisode::boot() const {
  if (!started || boot_unknown) return std::nullopt;
  return std::chrono::duration_cast<milliseconds>(*started - start);
}

std::optional<milliseconds> ColdStartEpisode::ready() const {
  if (!started || !healthy) return std::nullopt;
  return std::chrono::duration_cast<milliseconds>(*healthy - *started);
}

std::optional<milliseconds> ColdStartEpisode::total() const {
  if (!healthy) return std::nullopt;
  return std::chrono::duration_cast<milliseconds>(*healthy - start);
}

std::optional<milliseconds> ColdStartEpisode::known_total() const {
  if (boot_unknown) return std::nullopt;
  return total();
}

}  // namespace flywatch::core
