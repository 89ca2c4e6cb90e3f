#include "core/alert_listing.hpp"

#include <algorithm>

namespace flywatch::core {

std::vector<AlertListing> list_alerts(const AlertBook& book, const AlertGate& gate,
                                      const InhibitionBook& inhibition) {
  std::vector<AlertListing> out;
  for (auto& e : book.snapshot()) {
    AlertListing a;
    const std::string& fp = e.alert.fingerprint;
    a.notified = gate.notified(fp);
    a.inhibited_by = inhibition.inhibitor(fp);
    a.state = a.inhibited_by ? "inhibited" : gate.held(fp) ? "held" : "firing";
    a.alert = std::move(e.alert);
    out.push_back(std::move(a));
  }
  // The snapshot is in fingerprint order: a stable sort keeps it among equal times.
  std::ranges::stable_sort(out, {}, [](const AlertListing& a) { return a.alert.starts_at; });
  return out;
}

}  // namespace flywatch::core
