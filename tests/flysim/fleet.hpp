#pragma once
/// The simulated Fly organisation: apps and their machines, loaded from a fleet file, plus the
/// scripted API faults and the per-app request counters the /_sim/ control interface exposes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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
};

class Fleet {
 public:
  /// Loads a fleet file: {"apps":[{"name":…, "machines":[{"id":…, "name":…, "region":…,
  /// "state":…, "process_group":…, "autostop":"off|stop|suspend", "boot_delay_ms":…,
  /// "ready_delay_ms":…, "resume_delay_ms":…, "stop_delay_ms":…, "checks":["name",…],
  /// "started_ago_ms":…, "host_status":"ok|unknown|unreachable", "cordoned":bool,
  /// "standbys":["primary id",…]}],
  /// "autostop_idle_ms":…, "edge_hold_ms":…, "edge_port":…, "traffic_every_ms":…}]}.
  /// Per app: `autostop_idle_ms` (default 0 = never), `edge_hold_ms` (default 10000) and
  /// `traffic_every_ms` (default 0 = no simulated users) as in AppSettings; `edge_port`
  /// (default 0) is the TCP port the app's edge binds on flysim's
  /// listen host, so a demo can point at a fixed https://127.0.0.1:N/ — 0 or absent picks a
  /// free port (tests must leave it so). Two apps may not share a non-zero edge_port.
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

  ApiFault& api_fault() { return api_fault_; }
  /// Counts one API request for `app` (GET /_sim/stats reports them).
  void count_api_request(const std::string& app) { ++api_requests_[app]; }
  const std::map<std::string, std::uint64_t>& api_requests() const { return api_requests_; }
  /// Counts one wait request for machine `id` (GET /_sim/stats reports them).
  void count_wait_request(const std::string& id) { ++wait_requests_[id]; }
  const std::map<std::string, std::uint64_t>& wait_requests() const { return wait_requests_; }
  /// Changes an app's simulated user traffic period (0 = none). False for an unknown app.
  bool set_traffic_every_ms(const std::string& app, std::int64_t every_ms);

  /// Counts one edge request for `app`. A `user` request (no fly-force-instance-id) is also
  /// counted as user traffic and remembered as the app's latest load (for autostop).
  void count_edge_request(const std::string& app, std::int64_t now_ms, bool user);
  /// Every edge request per app, forced or not.
  const std::map<std::string, std::uint64_t>& edge_requests() const { return edge_requests_; }
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
