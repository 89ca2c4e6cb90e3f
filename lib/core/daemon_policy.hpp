#pragma once
/// The decisions of `flywatch run` that need no I/O: how long restored alerts wait to be seen
/// again, how often systemd's watchdog is pinged, which listen failures are configuration
/// errors, which config changes only a restart applies, and the tests' crash-point setting.
/// Pure: everything comes in as arguments.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/web_config.hpp"

namespace flywatch::core {

/// How one probed target is paced: what restore_grace reads of it.
struct ProbeCadence {
  Millis interval{0};
  Millis timeout{0};
  int failure_threshold = 1;
};

/// How the Fly API is paced: its poll interval and the longest cold-start SLO of its apps.
struct PollCadence {
  Millis poll_interval{0};
  Millis longest_cold_start_slo{0};
};

/// How long alerts restored after a restart wait to be seen again before they are resolved:
/// the longest of 30 s; two rounds of the slowest probe (interval + timeout) or poll (two poll
/// intervals), plus 10 s; and as long as a machine can stay unjudged — the longest
/// (interval + timeout) × failure_threshold of any target, plus with `fly` the longest cold-start
/// SLO and two poll intervals — plus 10 s.
Millis restore_grace(std::span<const ProbeCadence> targets, const std::optional<PollCadence>& fly);

/// How often to send WATCHDOG=1 when systemd expects one within `timeout` (WATCHDOG_USEC): half
/// of it, so that a tick delayed by a busy loop still arrives in time; nullopt when `timeout` is
/// zero (no watchdog).
std::optional<std::chrono::microseconds> watchdog_ping_interval(std::chrono::microseconds timeout);

/// Whether failing to serve the admin endpoint is a configuration error (exit 78, which systemd
/// does not restart) rather than a transient one: true when the address did not resolve (`step`
/// is "resolve") or is not one of this host's (`address_not_available`); false for anything else,
/// e.g. a port a previous instance still holds, which may free up.
bool listen_failure_is_config_error(std::string_view step, bool address_not_available);

/// The settings a reload cannot apply: they are read once at startup.
struct RestartOnlySettings {
  std::string listen_host;
  std::uint16_t listen_port = 0;
  std::string state_dir;
  /// `server.web_config_file`'s path and what it says (not the content of the files it names).
  std::string web_config_file;
  WebConfig web;
};

/// The warnings to log when a reloaded config changes restart-only settings, in this order:
/// "server.listen changed; the new address takes effect on restart",
/// "state_dir changed; the new directory takes effect on restart" and
/// "server.web_config_file changed; its TLS and users take effect on restart". Empty when none
/// changed.
std::vector<std::string_view> restart_only_warnings(const RestartOnlySettings& running,
                                                    const RestartOnlySettings& next);

/// A crash point for tests (FLYWATCH_TEST_CRASH_AT=POINT[:N]): the N-th time the outbox thread
/// reaches POINT.
struct CrashPoint {
  std::string point;
  long count = 1;
};

/// Reads `POINT[:N]`: N as strtol reads it (leading digits; none, zero or negative count as 1);
/// without ":N", once. nullopt for an empty spec.
std::optional<CrashPoint> parse_crash_point(std::string_view spec);

}  // namespace flywatch::core
