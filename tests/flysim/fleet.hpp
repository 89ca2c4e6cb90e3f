#pragma once
/// The simulated Fly organisation: apps and their machines, loaded from a fleet file, each app's
/// shared run-time state (users and sessions, fault switches, releases), plus the scripted API
/// faults and the per-app request counters the /_sim/ control interface exposes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app_auth.hpp"
#include "app_faults.hpp"
#include "release.hpp"
#include "sim_machine.hpp"

namespace flywatch::flysim {

/// What the next API requests answer instead of the real thing (POST /_sim/api_fault).
struct ApiFault {
  int status = 0;        ///< e.g. 429 or 500; 0 = none
  bool garbage = false;  ///< answer 200 with a body that is not JSON
  int count = 0;         ///< how many more requests get the fault
};

/// Per-app edge (Fly Proxy) settings from the fleet file.
struct AppSettings {
  std::int64_t autostop_idle_ms = 0;  ///< stop/suspend one idle machine per this period; 0 = never
  std::int64_t edge_hold_ms = 10000;  ///< how long the edge holds a request waiting for a machine
  std::uint16_t edge_port = 0;        ///< the edge's fixed loopback port; 0 = any free port
  std::int64_t traffic_every_ms = 0;  ///< flysim sends itself one user request per period; 0 = none
  bool auth = false;        ///< the app serves Medio's auth API (app_auth.hpp) under /api/auth/
  std::string cors_origin;  ///< the one origin its CORS policy allows ("" = none; app_cors.hpp)
  bool site = false;        ///< the app is Medio's front end (app_site.hpp), not its backend
};

/// What an app's machines share at run time: its database of users and sessions, its fault
/// switches (POST /_sim/apps/{app}/fault) and its releases under way.
struct AppState {
  AuthStore auth{0};
  AppFaults faults;
  std::vector<PendingRelease> releases;
};

class Fleet {
 public:
  /// Loads a fleet file: {"apps":[{"name":…, "machines":[{"id":…, "name":…, "region":…,
  /// "state":…, "process_group":…, "autostop":"off|stop|suspend", "boot_delay_ms":…,
  /// "ready_delay_ms":…, "resume_delay_ms":…, "stop_delay_ms":…, "checks":["name",…],
  /// "started_ago_ms":…, "host_status":"ok|unknown|unreachable", "cordoned":bool,
  /// "standbys":["primary id",…]}],
  /// "autostop_idle_ms":…, "edge_hold_ms":…, "edge_port":…, "traffic_every_ms":…,
  /// "auth":{"cors_origin":…}, "site":bool, "image":…, "release_version":…}]}.
  /// Per app: `autostop_idle_ms` (default 0 = never), `edge_hold_ms` (default 10000) and
  /// `traffic_every_ms` (default 0 = no simulated users) as in AppSettings; `edge_port`
  /// (default 0) is the TCP port the app's edge binds on flysim's
  /// listen host, so a demo can point at a fixed https://127.0.0.1:N/ — 0 or absent picks a
  /// free port (tests must leave it so). Two apps may not share a non-zero edge_port.
  /// `auth` (an object, `cors_origin` optional) and `site` as in AppSettings; `image` (default
  /// "registry.fly.io/<app>:deployment-initial") and `release_version` (>= 1, default 1) go
  /// into every machine's config. Session tokens are seeded from std::random_device.
  /// Throws std::runtime_error with a message naming the problem on a malformed file.
  static Fleet load(const std::string& text, std::int64_t now_ms);

  /// The app's machines, or nullptr for an unknown app.
  std::vector<SimMachine>* app(const std::string& name);
  /// The machine with `id` in `app`, or nullptr.
  SimMachine* machine(const std::string& app, const std::string& id);
  /// The machine with `id` in any app, or nullptr.
  SimMachine* machine_anywhere(const std::string& id);

  /// The app names, sorted.
  std::vector<std::string> app_names() const;
  /// The app's edge settings (defaults for an unknown app).
  AppSettings settings(const std::string& app) const;
  /// The app's shared run-time state, or nullptr for an unknown app.
  AppState* app_state(const std::string& app);
  /// Launches a release command machine for `spec` in `app` at `now_ms` (release.hpp) and
  /// returns its new, fleet-unique 14-hex-digit id; nullopt for an unknown app.
  std::optional<std::string> start_release(const std::string& app, const ReleaseSpec& spec,
                                           std::int64_t now_ms);
  /// Settles the app's finished releases at `now_ms` (release.hpp); call before looking at
  /// its machines. Nothing for an unknown app.
  void settle_releases(const std::string& app, std::int64_t now_ms);

  ApiFault& api_fault() { return api_fault_; }
  /// Counts one API request for `app` (GET /_sim/stats reports them).
  void count_api_request(const std::string& app) { ++api_requests_[app]; }
  const std::map<std::string, std::uint64_t>& api_requests() const { return api_requests_; }
  /// Counts one wait request for machine `id` (GET /_sim/stats reports them).
  void count_wait_request(const std::string& id) { ++wait_requests_[id]; }
  const std::map<std::string, std::uint64_t>& wait_requests() const { return wait_requests_; }
  /// Changes an app's simulated user traffic period (0 = none). False for an unknown app.
  bool set_traffic_every_ms(const std::string& app, std::int64_t every_ms);

  /// Counts one edge request for `app`, also under `request_line` ("METHOD /path", no query).
  /// A `user` request (no fly-force-instance-id) is also counted as user traffic and
  /// remembered as the app's latest load (for autostop).
  void count_edge_request(const std::string& app, std::int64_t now_ms, bool user,
                          const std::string& request_line);
  /// Every edge request per app, forced or not.
  const std::map<std::string, std::uint64_t>& edge_requests() const { return edge_requests_; }
  /// Every edge request per app and request line.
  const std::map<std::string, std::map<std::string, std::uint64_t>>& paths() const {
    return paths_;
  }
  /// The user (unforced) edge requests per app.
  const std::map<std::string, std::uint64_t>& user_requests() const { return user_requests_; }
  /// When the app's edge last saw a user request (0 = never).
  std::int64_t last_user_request_ms(const std::string& app) const;
  /// Marks one edge request of `app` as being served (begin) or done (end).
  void begin_request(const std::string& app) { ++in_flight_[app]; }
  void end_request(const std::string& app) { --in_flight_[app]; }
  /// How many edge requests of `app` are being served right now, forced or not.
  int in_flight(const std::string& app) const;
  /// Records the port of an app's edge listener (GET /_sim/edges reports them).
  void set_edge_port(const std::string& app, std::uint16_t port) { edge_ports_[app] = port; }
  const std::map<std::string, std::uint16_t>& edge_ports() const { return edge_ports_; }

 private:
  std::map<std::string, std::vector<SimMachine>> apps_;
  std::map<std::string, AppSettings> settings_;
  std::map<std::string, AppState> states_;
  std::map<std::string, std::map<std::string, std::uint64_t>> paths_;
  std::uint64_t release_seq_ = 0;
  ApiFault api_fault_;
  std::map<std::string, std::uint64_t> edge_requests_;
  std::map<std::string, std::uint64_t> user_requests_;
  std::map<std::string, std::int64_t> last_user_ms_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, std::uint16_t> edge_ports_;
  std::map<std::string, std::uint64_t> api_requests_;
  std::map<std::string, std::uint64_t> wait_requests_;
};

}  // namespace flywatch::flysim
