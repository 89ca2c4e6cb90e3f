#pragma once
/// Pure scheduling arithmetic: start-to-start intervals and stable first-run jitter.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace flywatch::core {

/// Offset of a target's first run within its interval, in [0, interval) (0 when interval <= 0):
/// spread uniformly by spread_hash(name) (core/name_hash.hpp), so a thousand targets do not fire
/// together and a restart keeps the same phase.
std::chrono::nanoseconds first_run_offset(std::string_view name, std::chrono::nanoseconds interval);

/// Where a run lands after the previous one was due at `previous_due`.
struct NextRun {
  std::chrono::steady_clock::time_point due;
  std::uint64_t skipped = 0;  ///< whole intervals missed because we were that late
};

/// Start-to-start scheduling without drift: the next run is due one interval after the previous
/// one was *due* (not after it ran). If `now` is already past that by a whole interval or more,
/// the missed slots are skipped (counted), never run in a burst: `due` is then the latest slot
/// on the grid that is <= now. Always `due > previous_due` (a non-positive interval counts as
/// 1 ns); saturates at the clock's maximum instead of overflowing.
NextRun next_run(std::chrono::steady_clock::time_point previous_due,
                 std::chrono::nanoseconds interval, std::chrono::steady_clock::time_point now);

}  // namespace flywatch::core
