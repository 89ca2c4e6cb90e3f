#pragma once
/// Differences and comparisons of times and durations that cannot overflow. system_clock and
/// nanoseconds hold only about ±292 years, while a config may write a longer duration
/// (`max_latency: 400000d`, up to 64-bit milliseconds) and a certificate may carry a notAfter
/// centuries away: converting the one or subtracting the other would overflow. Pure.

#include <chrono>
#include <compare>

namespace flywatch::core {

/// `a - b`, saturated at the range of nanoseconds instead of overflowing.
std::chrono::nanoseconds saturating_difference(std::chrono::system_clock::time_point a,
                                               std::chrono::system_clock::time_point b);

/// `a <=> b`, exact for every value of both: a `b` beyond what nanoseconds hold is longer (or
/// shorter, when negative) than every `a`.
std::strong_ordering compare_durations(std::chrono::nanoseconds a, std::chrono::milliseconds b);

}  // namespace flywatch::core
