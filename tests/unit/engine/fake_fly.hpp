#pragma once
// A Fly Machines API and its apps behind the FakeProber: machine lists built in code, per-machine
// answers chosen by the fly-force-instance-id header.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "config/config.hpp"
#include "fake_prober.hpp"
#include "test_targets.hpp"

namespace flywatch::test {

struct FakeMachine {
  std::string id;
  std::string state = "started";
  std::string region = "iad";
  std::string process_group = "app";
  int answer = 200;  ///< what a probe forced to this machine gets
  std::chrono::milliseconds took{3};  ///< the answer's total time as the probe reports it
  bool cordoned = false;
  std::string host_status = "ok";
  std::vector<std::string> standbys{};  ///< config.standbys: non-empty makes it a standby
  int wait_status = 0;  ///< non-zero: every wait on this machine answers this (e.g. 400)
};

/// Serves `GET /v1/apps/{app}/machines` on host "flyapi" and the apps' targets on their hosts.
struct FakeFly {
  std::map<std::string, std::vector<FakeMachine>> apps;
  int api_status = 200;
  int public_answer = 200;  ///< a probe of a target without the force header
  /// Answer every wait with 200 "started" (a list lagging behind the wait endpoint).
  bool wait_always_started = false;
  mutable int waits = 0;
  mutable std::map<std::string, int> waits_on;  ///< waits per machine id

  static core::ProbeResult result(int status, std::string body) {
    core::ProbeResult r = FakeProber::ok(status);
    r.body = std::move(body);
    r.headers.emplace_back("content-type", "application/json");
    return r;
  }

  std::string list_json(const std::string& app) const {
    boost::json::array list;
    auto it = apps.find(app);
    if (it != apps.end()) {
      for (const auto& m : it->second) {
        boost::json::object config{
            {"metadata", boost::json::object{{"fly_process_group", m.process_group}}}};
        if (!m.standbys.empty()) {
          boost::json::array standbys;
          for (const auto& id : m.standbys) standbys.push_back(boost::json::value(id));
          config["standbys"] = std::move(standbys);
        }
        list.push_back(boost::json::object{{"id", m.id},
                                           {"name", m.id},
                                           {"state", m.state},
                                           {"region", m.region},
                                           {"config", std::move(config)},
                                           {"events", boost::json::array{}},
                                           {"cordoned", m.cordoned},
                                           {"host_status", m.host_status}});
      }
    }
    return boost::json::serialize(list);
  }

  std::optional<core::ProbeResult> answer(const net::ProbeSpec& spec) const {
    if (spec.endpoint.host == "flyapi") {
      if (api_status != 200) return result(api_status, R"({"error":"nope"})");
      // target is /v1/apps/{app}/machines or /v1/apps/{app}/machines/{id}/wait?state=started…
      const std::string prefix = "/v1/apps/";
      const auto rest = spec.endpoint.target.substr(prefix.size());
      const std::string app = rest.substr(0, rest.find('/'));
      const auto wait = spec.endpoint.target.find("/wait?");
      if (wait == std::string::npos) return result(200, list_json(app));
      ++waits;
      const auto id_end = wait;
      const auto id_start = spec.endpoint.target.rfind('/', id_end - 1) + 1;
      const std::string id = spec.endpoint.target.substr(id_start, id_end - id_start);
      ++waits_on[id];
      bool started = wait_always_started;
      for (const auto& m : apps.at(app)) {
        if (m.id == id && m.wait_status != 0) {
          return result(m.wait_status, R"({"error":"failed_precondition: machine cannot reach state started"})");
        }
        started = started || (m.id == id && m.state == "started");
      }
      // The real API holds the request; answering at once is enough for these tests.
      return started ? result(200, R"({"ok":true})") : result(408, R"({"error":"deadline_exceeded"})");
    }
    for (const auto& [name, value] : spec.endpoint.headers) {
      if (name != "fly-force-instance-id") continue;
      for (const auto& [app, machines] : apps) {
        for (const auto& m : machines) {
          if (m.id != value) continue;
          auto r = result(m.answer, R"({"status":"ok"})");
          r.total = m.took;
          return r;
        }
      }
      return result(404, "{}");
    }
    return result(public_answer, R"({"status":"ok"})");
  }

  /// Installs this fake as `prober`'s responder (the fake must outlive the prober's use).
  void serve(FakeProber& prober) const {
    prober.respond = [this](const net::ProbeSpec& spec) { return answer(spec); };
  }
};

/// A config watching `app` through the fake API, with target `target_name` bound to it.
inline config::Config fly_config(const std::string& app, const std::string& target_name,
                                 config::WhenAsleep when_asleep,
                                 std::chrono::milliseconds poll = std::chrono::milliseconds(40)) {
  config::Config cfg;
  cfg.targets.push_back(make_target(target_name, std::chrono::milliseconds(200)));
  config::FlyConfig fly;
  fly.api_url = "http://flyapi";
  fly.token = "tok";
  fly.poll_interval = poll;
  config::FlyApp a;
  a.name = app;
  a.target = target_name;
  a.when_asleep = when_asleep;
  if (when_asleep == config::WhenAsleep::wake_every) a.wake_every = std::chrono::milliseconds(150);
  fly.apps.push_back(a);
  cfg.fly = fly;
  return cfg;
}

/// The value of `name` among `spec`'s headers, or "" when absent.
inline std::string header_of(const net::ProbeSpec& spec, const std::string& name) {
  for (const auto& [n, v] : spec.endpoint.headers) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace flywatch::test
