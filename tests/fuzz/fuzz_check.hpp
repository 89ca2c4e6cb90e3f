#pragma once
/// The fuzzers' own assertions: a property that does not hold is a finding like a crash, so
/// it prints what failed and aborts, which libFuzzer reports with the input that caused it.

#include <cstdio>
#include <cstdlib>

namespace flywatch::fuzz {

/// Aborts with "fuzz check failed: <what>" on stderr unless `ok`.
inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

}  // namespace flywatch::fuzz
