#pragma once
/// Runs one journey (DESIGN §12): each step is an http(s) probe through the Prober seam, in
/// order, under the run's one deadline; core::JourneyRun decides what each step sends and
/// whether it passed. The shell only sends, times and draws the run's random uuid.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/endpoint.hpp"
#include "core/journey.hpp"
#include "core/journey_run.hpp"
#include "net/prober.hpp"

namespace flywatch::journey {

/// How one run ended.
struct JourneyOutcome {
  bool passed = false;
  /// One report per step that ran, in order; the last one failed when !passed. Details are
  /// redacted of the journey's secrets.
  std::vector<core::StepReport> steps;
  std::chrono::nanoseconds total{0};  ///< the whole run
  /// The failed step's verdict (success when passed).
  core::Verdict verdict{true, core::FailureReason::none, {}};
  /// The failed step's name ("" when passed).
  std::string failed_step;
};

/// Runs `spec` once; with a `machine` id, every step goes to that machine of the app
/// (core::fly_force_instance_header). `spec` and `prober` must outlive the awaitable. Completes
/// within spec.timeout (plus scheduling slack); never throws for a failed step.
boost::asio::awaitable<JourneyOutcome> run_journey(net::Prober& prober,
                                                   const core::JourneySpec& spec,
                                                   std::string machine = {});

}  // namespace flywatch::journey
