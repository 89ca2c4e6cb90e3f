#include "engine/probe_record.hpp"

namespace flywatch::engine {

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
