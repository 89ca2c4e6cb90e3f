#pragma once
/// `flywatch gate` (DESIGN §12): runs the config's gate phases in order and stops at the first
/// that fails; a later phase sends no request at all. Per phase: `wake` starts the apps' stopped
/// and suspended machines through the Machines API, `wait_healthy` polls until every machine of
/// the apps is healthy (core::judge_gate_wait decides, failing at once on a failed machine, an
/// exit, an OOM kill or a failed release command), then each target is probed once and each
/// journey run once (through a started machine of its app when it names one). Timers and I/O
/// only; the verdicts come from lib/core.

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "gate/gate_report.hpp"
#include "net/http_client.hpp"
#include "net/prober.hpp"

namespace flywatch::gate {

/// Told each case as it ends (for a line on the terminal) and each phase as it starts and ends.
struct GateProgress {
  std::function<void(const GatePhaseResult& phase)> phase_started;
  std::function<void(const GatePhaseResult& phase, const GateCase& c)> case_ended;
  std::function<void(const GatePhaseResult& phase)> phase_ended;
};

/// Runs the gate of `cfg` (which must have one) through `prober` (targets, journeys) and
/// `http` (the Machines API); `only_phase` non-empty runs that phase alone (it must exist).
/// Runs `io` until done. Phases after a failed one are returned with ran = false and their
/// cases skipped.
GateResult run_gate(boost::asio::io_context& io, net::Prober& prober, net::HttpClient& http,
                    const config::Config& cfg, const std::string& only_phase,
                    const GateProgress& progress);

}  // namespace flywatch::gate
