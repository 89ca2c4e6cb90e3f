#include "core/daemon_policy.hpp"

#include <algorithm>
#include <cstdlib>

namespace flywatch::core {

Millis restore_grace(std::span<const ProbeCadence> targets, const std::optional<PollCadence>& fly) {
  Millis round{0}, judged{0};
  for (const auto& t : targets) {
    round = std::max(round, t.interval + t.timeout);
    judged = std::max(judged, (t.interval + t.timeout) * t.failure_threshold);
  }
  if (fly) {
    round = std::max(round, fly->poll_interval * 2);
    judged += fly->longest_cold_start_slo + fly->poll_interval * 2;
  }
  return std::max({Millis(std::chrono::seconds(30)), round * 2 + std::chrono::seconds(10),
                   judged + std::chrono::seconds(10)});
}

std::optional<std::chrono::microseconds> watchdog_ping_interval(std::chrono::microseconds timeout) {
  if (timeout.count() <= 0) return std::nullopt;
  return timeout / 2;
}

bool listen_failure_is_config_error(std::string_view step, bool address_not_available) {
  return step == "resolve" || address_not_available;
}

std::vector<std::string_view> restart_only_warnings(const RestartOnlySettings& running,
                                                    const RestartOnlySettings& next) {
  std::vector<std::string_view> out;
  if (next.listen_host != running.listen_host || next.listen_port != running.listen_port) {
    out.emplace_back("server.listen changed; the new address takes effect on restart");
  }
  if (next.state_dir != running.state_dir) {
    out.emplace_back("state_dir changed; the new directory takes effect on restart");
  }
  if (next.web_config_file != running.web_config_file || next.web != running.web) {
    out.emplace_back("server.web_config_file changed; its TLS and users take effect on restart");
  }
  return out;
}

std::optional<CrashPoint> parse_crash_point(std::string_view spec) {
  if (spec.empty()) return std::nullopt;
  CrashPoint out{std::string(spec), 1};
  if (const auto colon = out.point.find(':'); colon != std::string::npos) {
    // strtol, not from_chars: "3x" and " 3" were always read as 3.
    out.count = std::max(1L, std::strtol(out.point.c_str() + colon + 1, nullptr, 10));
    out.point.resize(colon);
  }
  return out;
}

}  // namespace flywatch::core
