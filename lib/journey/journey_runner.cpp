#include "journey/journey_runner.hpp"

#include <array>
#include <random>

#include "core/duration.hpp"
#include "core/machine.hpp"

namespace flywatch::journey {

namespace {

using Clock = std::chrono::steady_clock;

std::array<std::uint8_t, 16> random_bytes() {
  // A uuid in a test user's e-mail needs to be unique, not unguessable.
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < out.size(); i += 8) {
    const std::uint64_t v = engine();
    for (std::size_t b = 0; b < 8; ++b) out[i + b] = static_cast<std::uint8_t>(v >> (8 * b));
  }
  return out;
}

}  // namespace

boost::asio::awaitable<JourneyOutcome> run_journey(net::Prober& prober,
                                                   const core::JourneySpec& spec,
                                                   std::string machine) {
  core::HeaderList extra;
  if (!machine.empty()) extra.emplace_back(core::fly_force_instance_header, std::move(machine));
  const auto start = Clock::now();
  const auto deadline = start + spec.timeout;
  core::JourneyRun run(spec, core::builtin_values(random_bytes(), std::chrono::system_clock::now()),
                       std::move(extra));
  while (!run.finished()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= std::chrono::milliseconds{0}) {
      run.fail_current(core::fail_verdict(
          core::FailureReason::timeout,
          "timeout: the journey's " + core::format_duration(spec.timeout) +
              " ran out before this step"));
      break;
    }
    const auto request = run.next_request(std::chrono::system_clock::now());
    net::ProbeSpec probe;
    probe.endpoint = spec.base;
    probe.endpoint.target = request->target;
    probe.endpoint.headers = request->headers;
    probe.method = request->method;
    probe.body = request->body;
    probe.timeout = left;
    probe.max_body_bytes = spec.max_body_bytes;
    probe.fetch_assets = run.current_step().expect.assets;
    const core::ProbeResult result = co_await prober.probe(probe);
    run.record(result, std::chrono::system_clock::now());
  }
  JourneyOutcome out;
  out.passed = run.passed();
  out.steps = run.reports();
  out.total = Clock::now() - start;
  if (!out.passed && !out.steps.empty()) {
    out.verdict = out.steps.back().verdict;
    out.failed_step = out.steps.back().name;
  }
  co_return out;
}

}  // namespace flywatch::journey
