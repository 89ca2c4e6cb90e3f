#include "engine/probe_record.hpp"

namespace flywatch::engine {

core::Verdict record_probe(TargetRuntime& t, const core::ProbeResult& result,
                           const EventBus& events, const core::LogFields& context) {
  const auto now = std::chrono::system_clock::now();
  const core::Verdict verdict = core::evaluate(result, t.cfg.expect, now);
  const Recording recording = t.record(verdict, result, now);
  std::optional<TargetStateChanged> change;
  if (recording.change) {
    change = TargetStateChanged{recording.change->from, recording.change->to,
                                verdict.success ? std::nullopt : std::optional(verdict.reason)};
  }
  events.publish(
      ProbeRecorded{t, result, verdict, context, recording.previous_failure, change, now});
  return verdict;
}

}  // namespace flywatch::engine
