#include "core/probe_result.hpp"

#include <doctest.h>

#include <set>
#include <string>

namespace fc = flywatch::core;

TEST_CASE("failure reasons: labels are the bounded set of DESIGN §6") {
  const std::set<std::string> design{"dns",    "connect", "tls",     "timeout", "status",   "body",
                                     "header", "latency", "cert",    "too_large", "protocol",
                                     "cookie", "cors",    "asset",   "extract"};
  std::set<std::string> seen;
  for (fc::FailureReason r : fc::all_failure_reasons()) {
    CHECK(r != fc::FailureReason::none);
    seen.insert(std::string(fc::to_string(r)));
  }
  CHECK(seen == design);
  CHECK(fc::to_string(fc::FailureReason::none).empty());
  CHECK(fc::to_string(fc::FailureReason::too_large) == "too_large");
}

TEST_CASE("failure reasons are listed in declaration order") {
  const auto& all = fc::all_failure_reasons();
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(static_cast<std::size_t>(all[i]) == i + 1);
  }
}

TEST_CASE("probe phases have their label names") {
  CHECK(fc::to_string(fc::ProbePhase::resolve) == "resolve");
  CHECK(fc::to_string(fc::ProbePhase::connect) == "connect");
  CHECK(fc::to_string(fc::ProbePhase::tls) == "tls");
  CHECK(fc::to_string(fc::ProbePhase::first_byte) == "first_byte");
  CHECK(fc::to_string(fc::ProbePhase::transfer) == "transfer");
  CHECK(static_cast<std::size_t>(fc::ProbePhase::transfer) + 1 == fc::probe_phase_count);
}

TEST_CASE("transport_ok follows transport_failure") {
  fc::ProbeResult r;
  CHECK(r.transport_ok());
  r.transport_failure = fc::FailureReason::dns;
  CHECK_FALSE(r.transport_ok());
}
