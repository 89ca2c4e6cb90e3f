#include "core/probe_result.hpp"

namespace flywatch::core {

std::string_view to_string(FailureReason r) {
  switch (r) {
    case FailureReason::none: return "";
    case FailureReason::dns: return "dns";
    case FailureReason::connect: return "connect";
    case FailureReason::tls: return "tls";
    case FailureReason::timeout: return "timeout";
    case FailureReason::status: return "status";
    case FailureReason::body: return "body";
    case FailureReason::header: return "header";
    case FailureReason::latency: return "latency";
    case FailureReason::cert: return "cert";
    case FailureReason::too_large: return "too_large";
    case FailureReason::protocol: return "protocol";
    case FailureReason::cookie: return "cookie";
    case FailureReason::cors: return "cors";
    case FailureReason::asset: return "asset";
    case FailureReason::extract: return "extract";
  }
  return "";
}

const std::array<FailureReason, failure_reason_count - 1>& all_failure_reasons() {
  static constexpr std::array<FailureReason, failure_reason_count - 1> reasons{
      FailureReason::dns,     FailureReason::connect, FailureReason::tls,
      FailureReason::timeout, FailureReason::status,  FailureReason::body,
      FailureReason::header,  FailureReason::latency, FailureReason::cert,
      FailureReason::too_large, FailureReason::protocol, FailureReason::cookie,
      FailureReason::cors,    FailureReason::asset,   FailureReason::extract,
  };
  return reasons;
}

std::string_view to_string(ProbePhase p) {
  switch (p) {
    case ProbePhase::resolve: return "resolve";
    case ProbePhase::connect: return "connect";
    case ProbePhase::tls: return "tls";
    case ProbePhase::first_byte: return "first_byte";
    case ProbePhase::transfer: return "transfer";
  }
  return "";
}

}  // namespace flywatch::core

static_assert(static_cast<std::size_t>(flywatch::core::FailureReason::extract) + 1 ==
                  flywatch::core::failure_reason_count,
              "failure_reason_count must follow the enum");
