#include "engine/probe_record.hpp"

#include <memory>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/worker_pool.hpp"

namespace flywatch::engine {

// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

// A coroutine of its own, its arguments copied into its frame (GCC 12 destroys the captures of a
// lambda coroutine given to co_spawn twice).
boost::asio::awaitable<core::Verdict> evaluate_on_worker(
    std::shared_ptr<const std::pair<core::ProbeResult, core::Expectation>> input,
    std::chrono::system_clock::time_point now) {
  co_return core::evaluate(input->first, input->second, now);
}

}  // namespace

boost::asio::awaitable<core::Verdict> evaluate_off_loop(const core::ProbeResult& result,
                                                        const core::Expectation& expect,
                                                        std::chrono::system_clock::time_point now) {
  if (!core::evaluation_runs_regex(result, expect)) co_return core::evaluate(result, expect, now);
  // Copies the worker owns: the caller's frame may be destroyed (shutdown) before it is done.
  auto input = std::make_shared<const std::pair<core::ProbeResult, core::Expectation>>(result, expect);
  core::Verdict verdict = co_await boost::asio::co_spawn(
      net::worker_pool(), evaluate_on_worker(std::move(input), now), boost::asio::use_awaitable);
  co_return verdict;
}

#pragma GCC diagnostic pop

core::Verdict record_probe(TargetRuntime& t, const core::ProbeResult& result,
                           const EventBus& events, const core::LogFields& context) {
  const auto now = std::chrono::system_clock::now();
  const core::Verdict verdict = core::evaluate(result, t.cfg.expect, now);
  record_verdict(t, result, verdict, now, events, context);
  return verdict;
}

void record_verdict(TargetRuntime& t, const core::ProbeResult& result, const core::Verdict& verdict,
                    std::chrono::system_clock::time_point now, const EventBus& events,
                    const core::LogFields& context) {
  const Recording recording = t.record(verdict, result, now);
  std::optional<TargetStateChanged> change;
  if (recording.change) {
    change = TargetStateChanged{recording.change->from, recording.change->to,
                                verdict.success ? std::nullopt : std::optional(verdict.reason)};
  }
  events.publish(
      ProbeRecorded{t, result, verdict, context, recording.previous_failure, change, now});
}

}  // namespace flywatch::engine
