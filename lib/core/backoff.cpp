#include "core/backoff.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace flywatch::core {

using std::chrono::milliseconds;

Backoff::Backoff(BackoffPolicy policy) : policy_(policy) {
  // A negative knob would make the window arithmetic meaningless; clamp instead of throwing so a
  // bad value degrades to "no backoff" rather than a crash on the poll path.
  policy_.base = std::max(policy_.base, milliseconds(0));
  policy_.cap = std::max(policy_.cap, milliseconds(0));
  policy_.floor = std::clamp(policy_.floor, milliseconds(0), policy_.cap);
  policy_.retry_after_cap = std::max(policy_.retry_after_cap, milliseconds(0));
}

milliseconds Backoff::window_top(int failures) const {
  milliseconds top = std::min(policy_.base, policy_.cap);
  // Doubling step by step (rather than base << n) saturates at cap and cannot overflow.
  for (int i = 0; i < failures && top < policy_.cap; ++i) {
    top = (top.count() > policy_.cap.count() / 2) ? policy_.cap : top * 2;
  }
  return std::min(top, policy_.cap);
}

milliseconds Backoff::next_delay(double random, std::optional<milliseconds> retry_after) {
  if (failures_ < 1'000'000) ++failures_;  // saturate: the window is capped long before this
  if (!(random >= 0.0)) random = 0.0;      // also catches NaN
  random = std::min(random, 1.0);

  const milliseconds top = std::max(window_top(failures_), policy_.floor);
  const auto span = static_cast<double>((top - policy_.floor).count());
  milliseconds delay = policy_.floor + milliseconds(static_cast<milliseconds::rep>(std::llround(random * span)));

  if (retry_after && retry_after->count() > 0) {
    delay = std::max(delay, std::min(*retry_after, policy_.retry_after_cap));
  }
  return delay;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  std::string_view v = value;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty() || v.size() > 9) return std::nullopt;  // > 9 digits: over 30 years, nonsense
  long seconds = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || ptr != v.data() + v.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(seconds * 1000);
}

}  // namespace flywatch::core
