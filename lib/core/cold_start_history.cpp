// The recent cold starts ring (see the header).
#include "core/cold_start_history.hpp"

#include <algorithm>
#include <utility>

namespace flywatch::core {

ColdStartHistory::ColdStartHistory(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

void ColdStartHistory::record(const std::string& app, const FleetUpdate& update,
                              const std::map<std::string, std::string>& regions) {
  for (const auto& [id, u] : update.machines) {
    const auto r = regions.find(id);
    const std::string region = r == regions.end() ? std::string() : r->second;
    for (const auto& episode : u.cold_starts) record({app, id, region, episode, false});
    if (u.abandoned) record({app, id, region, *u.abandoned, true});
  }
}

void ColdStartHistory::record(ColdStartRecord r) {
  entries_.push_front(std::move(r));
  if (entries_.size() > capacity_) entries_.pop_back();
}

void ColdStartHistory::forget_app(std::string_view app) {
  std::erase_if(entries_, [app](const ColdStartRecord& r) { return r.app == app; });
}

}  // namespace flywatch::core
