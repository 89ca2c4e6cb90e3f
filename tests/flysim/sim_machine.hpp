#pragma once
/// One simulated Fly Machine: its state machine (reference §1.7), its event log (newest first,
/// epoch-ms timestamps) and its JSON rendering in the Machines API shape (reference §1.6).
/// Time is passed in (epoch ms); transitions due by `now_ms` are applied by `advance`, so the
/// model has no timers and no I/O of its own.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace flywatch::flysim {

/// A fault applied to a machine's next start (POST /_sim/machines/{id}/fault).
struct MachineFaults {
  bool stuck_starting = false;  ///< start never leaves `starting`
  bool unhealthy = false;       ///< after boot the app comes up with its database disconnected
  bool oom_exit = false;        ///< the machine is OOM-killed `ready_delay_ms` after boot
};

/// A machine as described by the fleet file.
struct MachineSpec {
  std::string id, name, region, state = "stopped", process_group = "app";
  std::string autostop = "off";  ///< "off" | "stop" | "suspend"
  std::int64_t boot_delay_ms = 200, ready_delay_ms = 200, resume_delay_ms = 50, stop_delay_ms = 50;
  /// Check names. "servicecheck-…" ones (e.g. "servicecheck-00-http-8080") are declared in
  /// config.services[0].checks, any other in the top-level config.checks (keyed by name).
  std::vector<std::string> checks;
  /// For a `started` machine: how long before flysim's start its latest start happened (after
  /// an earlier run and stop), so that a monitor looking at once sees a recent start; the app
  /// is up (checks reported) `ready_delay_ms` after it. -1: started long ago, like the rest.
  std::int64_t started_ago_ms = -1;
  std::string host_status = "ok";  ///< "ok" | "unknown" | "unreachable" (then incomplete_config)
  bool cordoned = false;
  /// Machines this one stands by for (config.standbys): the proxy never starts it, and it
  /// stays stopped until its primary fails (which flysim does not simulate).
  std::vector<std::string> standbys;
  /// config.image and config.metadata.fly_release_version (a string in Fly's metadata).
  std::string image;
  std::int64_t release_version = 1;
  /// A one-shot run when >= 0 (a release command): `run_ms` after boot the process exits by
  /// itself with `exit_code`, and the machine is destroyed `destroy_after_ms` after that. The
  /// app inside never comes up. -1: a service, running until stopped.
  std::int64_t run_ms = -1;
  int exit_code = 0;
  std::int64_t destroy_after_ms = 1000;
};

/// Result of an API action: HTTP status and JSON body.
struct ActionResult {
  int status = 200;
  std::string body;
};

class SimMachine {
 public:
  /// Builds the machine in `spec.state` as if it had been launched 10 minutes before `now_ms`:
  /// events (newest first) launch → start (started, stopped, suspended) → exit (stopped) or
  /// suspend (suspended) 5 minutes ago, none of them recent (unless `started_ago_ms`). Checks
  /// are passing when started (unless faulted later), critical otherwise.
  ///
  /// As Fly does, a machine lists no check status from its start until its checks first run
  /// (here: until the app is up, `ready_delay_ms` after boot), although its config declares
  /// them; each status carries the `updated_at` of its last change. A host that is not ok
  /// sends `incomplete_config` (metadata and services without checks) instead of `config`.
  SimMachine(MachineSpec spec, std::int64_t now_ms);
  /// A machine created and started at `now_ms` (as flyctl launches a release command machine):
  /// a launch event then a start, nothing backdated; `spec.state` is ignored.
  static SimMachine launch(MachineSpec spec, std::int64_t now_ms);

  /// Applies every scheduled transition due at or before `now_ms`, in order.
  void advance(std::int64_t now_ms);
  /// POST start: from stopped/created (boot delay) or suspended (resume delay); else 412.
  ActionResult start(std::int64_t now_ms);
  /// POST stop: from started/starting/suspended → stopping → stopped; else 412.
  ActionResult stop(std::int64_t now_ms);
  /// POST suspend: from started → suspending → suspended; else 412.
  ActionResult suspend(std::int64_t now_ms);
  /// Sets faults for subsequent starts; `boot_delay_ms` >= 0 replaces the boot delay (slow_boot).
  void set_faults(const MachineFaults& faults, std::int64_t boot_delay_ms);
  /// Connects (`up`) or disconnects the app's database now (faults db_up / db_down). While the
  /// app is up its checks follow at once: passing when connected, critical with the app's 503
  /// as output when not. Connecting also ends the current run's `unhealthy` fault (the fault
  /// itself stays set for later starts). Call `advance(now_ms)` first.
  void set_database(bool up, std::int64_t now_ms);

  const std::string& id() const { return spec_.id; }
  const std::string& state() const { return state_; }
  const std::string& process_group() const { return spec_.process_group; }
  const std::string& autostop() const { return spec_.autostop; }
  const std::string& region() const { return spec_.region; }
  const std::string& instance_id() const { return instance_id_; }
  bool standby() const { return !spec_.standbys.empty(); }
  /// While non-empty, every wait on this machine is refused: 400 {"error": wait_refusal()}
  /// (POST /_sim/machines/{id}/refuse_wait).
  const std::string& wait_refusal() const { return wait_refusal_; }
  void set_wait_refusal(std::string error) { wait_refusal_ = std::move(error); }
  /// The app inside answers requests: started and past `ready_delay_ms` after boot (a machine
  /// that is `started` in the fleet file is up from the beginning). Call `advance` first.
  bool app_up() const { return state_ == "started" && app_up_; }
  /// The app is up and reports itself healthy (database connected, no `unhealthy` fault in this
  /// run); exactly when its checks, if it has any, are passing.
  bool healthy() const { return app_up() && !db_down_ && !run_unhealthy_; }
  const std::string& image() const { return spec_.image; }
  std::int64_t release_version() const { return spec_.release_version; }
  /// Gives the machine a new image and release version (a deploy's config update), in place.
  void set_release(std::string image, std::int64_t version);
  /// For a one-shot run: its exit code once the process has exited by itself, else nullopt.
  std::optional<int> run_exit_code() const { return run_exit_code_; }
  /// The Machine object as GET /v1/apps/{app}/machines/{id} returns it.
  boost::json::value to_json() const;
  /// The events array, newest first, as GET …/events returns it.
  boost::json::value events_json() const;

 private:
  enum class Step { booted, ready, stopped, suspended, oom_killed, exited, destroyed };
  struct Pending {
    std::int64_t due_ms;
    Step step;
  };
  void apply(const Pending& p);
  void add_event(std::string type, std::string status, std::string source, std::int64_t ts,
                 boost::json::value request = nullptr);
  // An exit event: a requested stop (exit 0), an OOM kill (137, SIGKILL) or, with neither, the
  // process exiting by itself with `exit_code`.
  void add_exit_event(std::int64_t ts, bool requested_stop, bool oom_killed, int exit_code);
  void set_checks(const char* status, const char* output, std::int64_t ts);
  // Sets the checks from the up app's health: passing or critical with the app's 503.
  void set_app_checks(std::int64_t ts);

  MachineSpec spec_;
  MachineFaults faults_;
  std::string state_;
  std::string instance_id_;
  std::deque<boost::json::value> events_;  // newest first
  std::vector<Pending> pending_;           // sorted by due time
  std::int64_t checks_updated_ms_ = 0;
  bool checks_reported_ = true;  // false from a start until the checks first run
  std::string check_status_ = "critical", check_output_ = "connect: connection refused";
  std::uint64_t seq_ = 0;
  bool app_up_ = false;         // the app finished booting (meaningful while `started`)
  bool db_down_ = false;        // db_down fault: survives restarts until db_up
  bool run_unhealthy_ = false;  // the `unhealthy` fault took effect in this run
  std::string wait_refusal_;
  std::optional<int> run_exit_code_;
};

/// A 26-character ULID-shaped id (Crockford base32) from a millisecond time and a sequence number.
std::string make_ulid(std::int64_t ms, std::uint64_t seq);
/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds ("2026-11-27T17:13:26.123Z").
std::string rfc3339_ms(std::int64_t ms);

}  // namespace flywatch::flysim
