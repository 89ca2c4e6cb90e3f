#pragma once
/// Alerts as plain values (DESIGN §7): what a rule decided is firing, and the events that carry it
/// to sinks. Shared by the rule evaluation (lib/core) and the sinks and outbox (lib/alert). No I/O.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

/// DESIGN §7's built-in alert names.
inline constexpr std::string_view alert_target_down = "TargetDown";
inline constexpr std::string_view alert_target_flapping = "TargetFlapping";
inline constexpr std::string_view alert_cert_expiring_soon = "CertExpiringSoon";
inline constexpr std::string_view alert_machine_unhealthy = "MachineUnhealthy";
inline constexpr std::string_view alert_machine_stuck = "MachineStuck";
inline constexpr std::string_view alert_machine_failed = "MachineFailed";
inline constexpr std::string_view alert_cold_start_slow = "ColdStartSlow";
inline constexpr std::string_view alert_app_no_healthy_machines = "AppNoHealthyMachines";
inline constexpr std::string_view alert_journey_failing = "JourneyFailing";
inline constexpr std::string_view alert_release_failed = "ReleaseFailed";
/// All of them, in DESIGN §7's order.
inline constexpr std::array<std::string_view, 10> alert_names = {
    alert_target_down,       alert_target_flapping, alert_cert_expiring_soon,
    alert_machine_unhealthy, alert_machine_stuck,   alert_machine_failed,
    alert_cold_start_slow,   alert_app_no_healthy_machines, alert_journey_failing,
    alert_release_failed};

enum class Severity { info, warning, critical };
std::string_view to_string(Severity s);
/// "info", "warning" or "critical"; nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view s);

/// Labels sorted by name (std::map): `alertname`, `severity`, then `target`,
/// `app`/`machine`/`region` or `journey` (and its `app`) as they apply. Bounded values only (no URLs, no error strings).
using AlertLabels = std::map<std::string, std::string>;

/// One alert instance, identified by its labels.
struct Alert {
  AlertLabels labels;
  std::map<std::string, std::string> annotations;  ///< `summary`, `description`
  std::chrono::system_clock::time_point starts_at{};
  /// Set when resolved: when the condition cleared.
  std::optional<std::chrono::system_clock::time_point> ends_at;
  /// 16 lower-case hex digits: a stable hash (FNV-1a 64) of the labels, independent of
  /// annotations and times. Set by alert_fingerprint().
  std::string fingerprint;

  std::string_view name() const;      ///< labels["alertname"] (empty when missing)
  std::string_view severity() const;  ///< labels["severity"]
};

/// The fingerprint of `labels`: FNV-1a 64 over "name\xffvalue\xff" for each label in name order,
/// as 16 lower-case hex digits. Equal labels give equal fingerprints across runs and hosts.
std::string alert_fingerprint(const AlertLabels& labels);

/// What a sink is asked to deliver.
enum class AlertEventKind {
  firing,    ///< first notification of a firing alert
  repeat,    ///< still firing, repeat_interval after the last notification
  resolved,  ///< the condition cleared
};
std::string_view to_string(AlertEventKind k);

/// One notification of one alert, before it is written to the outbox.
struct AlertEvent {
  AlertEventKind kind = AlertEventKind::firing;
  Alert alert;
  std::chrono::system_clock::time_point at{};  ///< when the event was decided
};

}  // namespace flywatch::core
