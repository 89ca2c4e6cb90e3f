#pragma once
/// A Fly Machine as one poll of the Machines API saw it, as plain data. lib/fly parses the API's
/// JSON into this; the lifecycle tracker (lib/core) consumes it. No I/O, no JSON here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flywatch::core {

/// The header with which Fly's proxy routes a request to one machine (by id), not by load.
inline constexpr const char* fly_force_instance_header = "fly-force-instance-id";

/// One entry of a machine's `events[]` (the API lists them newest first).
struct MachineEvent {
  std::string type;    ///< "launch", "start", "stop", "exit", "restart", "update", …
  std::string status;  ///< "created", "starting", "started", "stopping", "stopped", …
  std::string source;  ///< "user", "flyd", …
  std::int64_t timestamp_ms = 0;  ///< epoch milliseconds
  std::optional<int> exit_code;   ///< request.exit_event.exit_code, for exits
  bool oom_killed = false;        ///< request.exit_event.oom_killed
  std::string id;                 ///< event ULID (recent API versions; empty when absent)
  bool requested_stop = false;    ///< request.exit_event.requested_stop: a stop Fly or a user asked for
                                  ///< (autostop, `fly machine stop`), as opposed to the process exiting
  std::optional<std::int64_t> exited_at_ms;  ///< request.exit_event.exited_at, epoch milliseconds
};

/// One entry of `checks[]`.
struct MachineCheck {
  std::string name;
  std::string status;  ///< "passing" | "warning" | "critical" (anything else is kept as given)
  std::string output;  ///< last check output, e.g. "connect: connection refused" (may be empty)
  /// When the check last reported (`updated_at`), epoch milliseconds; absent when not sent.
  std::optional<std::int64_t> updated_at_ms;
};

/// How the Fly proxy stops this machine when idle (config.services[].autostop).
enum class Autostop { off, stop, suspend };

struct MachineSnapshot {
  std::string id;
  std::string name;
  std::string state;          ///< Fly's state string exactly as given ("started", "suspended", …)
  std::string region;
  std::string instance_id;
  std::string process_group;  ///< config.metadata.fly_process_group ("app", "fly_app_release_command", …)
  /// Check statuses as listed. Right after a start Fly lists none (or only some) of the checks
  /// the config declares, until each has run once: compare with `configured_checks`.
  std::vector<MachineCheck> checks;
  /// Checks the machine's config declares: entries of `config.checks` plus every
  /// `config.services[].checks[]` entry. 0 when there is no config or it is incomplete.
  int configured_checks = 0;
  std::vector<MachineEvent> events;  ///< newest first, as the API lists them
  Autostop autostop = Autostop::off;
  /// The API sent `incomplete_config` (host not ok): config-derived fields are partial.
  bool incomplete_config = false;
  std::string host_status;    ///< "ok", "unknown", "unreachable" (empty: not sent, taken as ok)
  std::string private_ip;     ///< 6PN IPv6 address (empty when absent)
  bool cordoned = false;      ///< traffic routed away from this machine by the proxy
  /// config.standbys: the machines this one stands by for (empty: not a standby). A standby
  /// stays stopped until Fly starts it for a failed primary.
  std::vector<std::string> standbys;
  /// config.image, e.g. "registry.fly.io/medio-backend:deployment-01HX…" (empty: not sent).
  std::string image;
  /// config.metadata.fly_release_version, the release this machine runs (empty: not sent).
  std::string release_version;
};

}  // namespace flywatch::core
