#include "core/schedule.hpp"

#include <algorithm>
#include <limits>

#include "core/name_hash.hpp"

namespace flywatch::core {

std::chrono::nanoseconds first_run_offset(std::string_view name, std::chrono::nanoseconds interval) {
  if (interval.count() <= 0) return std::chrono::nanoseconds{0};
  const auto span = static_cast<std::uint64_t>(interval.count());
  return std::chrono::nanoseconds{static_cast<std::int64_t>(spread_hash(name) % span)};
}

NextRun next_run(std::chrono::steady_clock::time_point previous_due,
                 std::chrono::nanoseconds interval, std::chrono::steady_clock::time_point now) {
  using Rep = std::chrono::steady_clock::duration::rep;
  constexpr Rep max = std::numeric_limits<Rep>::max();
  // A zero or negative interval would never advance; treat it as the smallest step.
  const Rep step = std::max<Rep>(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval).count(), 1);
  const Rep prev = previous_due.time_since_epoch().count();
  // Saturate rather than overflow: a due time at the end of time is never reached anyway.
  const Rep due = prev > max - step ? max : prev + step;
  const Rep current = now.time_since_epoch().count();
  NextRun out;
  out.due = std::chrono::steady_clock::time_point{std::chrono::steady_clock::duration{due}};
  // Late by a whole interval or more: the slot due now (or most recently) is the one to run,
  // and the slots before it are dropped rather than run back to back.
  if (current > due && current - due >= step) {
    const auto skipped = static_cast<std::uint64_t>((current - due) / step);
    out.skipped = skipped;
    out.due += std::chrono::steady_clock::duration{static_cast<Rep>(skipped) * step};
  }
  return out;
}

}  // namespace flywatch::core
