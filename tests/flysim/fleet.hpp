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
};

class Fleet {
 public:
  /// Loads a fleet file: {"apps":[{"name":…, "machines":[{"id":…, "name":…, "region":…,
  /// "state":…, "process_group":…, "autostop":"off|stop|suspend", "boot_delay_ms":…,
  /// "ready_delay_ms":…, "resume_delay_ms":…, "stop_delay_ms":…, "checks":["name",…]}], "autostop_idle_ms":…, "edge_hold_ms":…}]}.
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
  /// Counts one edge request for `app` and remembers when it came (for autostop).
  void count_edge_request(const std::string& app, std::int64_t now_ms);
  const std::map<std::string, std::uint64_t>& edge_requests() const { return edge_requests_; }
  /// When the app's edge last saw a request (0 = never).
  std::int64_t last_edge_request_ms(const std::string& app) const;
  /// Records the port of an app's edge listener (GET /_sim/edges reports them).
  void set_edge_port(const std::string& app, std::uint16_t port) { edge_ports_[app] = port; }
  const std::map<std::string, std::uint16_t>& edge_ports() const { return edge_ports_; }

 private:
  std::map<std::string, std::vector<SimMachine>> apps_;
  std::map<std::string, AppSettings> settings_;
  ApiFault api_fault_;
  std::map<std::string, std::uint64_t> edge_requests_;
  std::map<std::string, std::int64_t> last_edge_ms_;
  std::map<std::string, std::uint16_t> edge_ports_;
  std::map<std::string, std::uint64_t> api_requests_;
};

}  // namespace flywatch::flysim
