#include "core/own_probe_tracker.hpp"

namespace flywatch::core {

std::optional<OwnProbe> OwnProbeTracker::observe(bool ok) {
  const OwnProbe before = verdict_;
  if (ok) {
    failures_ = 0;
    verdict_ = OwnProbe::passing;
  } else if (++failures_ >= failure_threshold_) {
    verdict_ = OwnProbe::failing;
  }
  if (verdict_ == before) return std::nullopt;
  return verdict_;
}

void OwnProbeTracker::reset() {
  failures_ = 0;
  verdict_ = OwnProbe::pending;
}

}  // namespace flywatch::core
