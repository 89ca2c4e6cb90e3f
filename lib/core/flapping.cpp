#include "core/flapping.hpp"

namespace flywatch::core {

bool FlappingDetector::observe(bool success) {
  const bool change = last_.has_value() && *last_ != success;
  last_ = success;
  if (observed_ < window) ++observed_;

  const std::uint32_t bit = std::uint32_t{1} << next_;
  changes_ = change ? (changes_ | bit) : (changes_ & ~bit);
  next_ = (next_ + 1) % window;

  const double value = percent();
  // Hysteresis as in Icinga 2: the threshold to cross depends on the current state.
  const bool now_flapping =
      flapping_ ? value > thresholds_.low_percent : value > thresholds_.high_percent;
  const bool changed = now_flapping != flapping_;
  flapping_ = now_flapping;
  return changed;
}

double FlappingDetector::percent() const {
  double weighted = 0.0;
  for (int i = 0; i < window; ++i) {
    if ((changes_ >> ((next_ + i) % window)) & 1U) weighted += 0.8 + 0.02 * i;
  }
  return 100.0 * weighted / window;
}

}  // namespace flywatch::core
