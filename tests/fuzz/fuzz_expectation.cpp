// Fuzzer: expectation evaluation (lib/core expectation, http_expectation, and through them the
// cookie, CORS and asset checks) on hostile answers. The input is split by FuzzedDataProvider
// into an expectation as the config loader could build it, a probe result as a prober could
// report it and the time; whatever is left is the body. core::evaluate must return a
// well-formed verdict (fuzz::check_verdict) and never crash, overflow or hang.
#include <cstddef>
#include <cstdint>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/expectation.hpp"
#include "expect_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flywatch;
  FuzzedDataProvider in(data, size);
  const core::Expectation expect = fuzz::consume_expectation(in);
  core::ProbeResult result = fuzz::consume_result(in);
  const auto now = fuzz::consume_now(in);
  result.body = in.ConsumeRemainingBytesAsString();
  fuzz::check_verdict(core::evaluate(result, expect, now), result);
  return 0;
}
