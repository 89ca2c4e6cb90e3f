#include "core/schedule.hpp"

#include <algorithm>
#include <limits>

namespace flywatch::core {
namespace {

// FNV-1a's low bits mix poorly for names that differ only in their last byte ("web-1",
// "web-2"); the MurmurHash3 finaliser spreads every input bit over the whole word before
// the value is reduced to an offset.
std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::uint64_t stable_hash(std::string_view name) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV offset basis
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;  // FNV prime
  }
  return h;
}

std::chrono::nanoseconds first_run_offset(std::string_view name, std::chrono::nanoseconds interval) {
  if (interval.count() <= 0) return std::chrono::nanoseconds{0};
  const auto span = static_cast<std::uint64_t>(interval.count());
  return std::chrono::nanoseconds{static_cast<std::int64_t>(mix(stable_hash(name)) % span)};
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
