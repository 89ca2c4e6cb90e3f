#include "core/time_compare.hpp"

#include <limits>

namespace flywatch::core {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

nanoseconds saturating_difference(std::chrono::system_clock::time_point a,
                                  std::chrono::system_clock::time_point b) {
  using Rep = nanoseconds::rep;
  constexpr Rep max = std::numeric_limits<Rep>::max();
  constexpr Rep min = std::numeric_limits<Rep>::min();
  const Rep x = std::chrono::duration_cast<nanoseconds>(a.time_since_epoch()).count();
  const Rep y = std::chrono::duration_cast<nanoseconds>(b.time_since_epoch()).count();
  if (y > 0 && x < min + y) return nanoseconds{min};
  if (y < 0 && x > max + y) return nanoseconds{max};
  return nanoseconds{x - y};
}

std::strong_ordering compare_durations(nanoseconds a, milliseconds b) {
  // The milliseconds that convert to nanoseconds exactly; beyond them `b` outranges every `a`.
  constexpr milliseconds largest = std::chrono::floor<milliseconds>(nanoseconds::max());
  constexpr milliseconds smallest = std::chrono::ceil<milliseconds>(nanoseconds::min());
  if (b > largest) return std::strong_ordering::less;
  if (b < smallest) return std::strong_ordering::greater;
  return a <=> nanoseconds{b};
}

}  // namespace flywatch::core
