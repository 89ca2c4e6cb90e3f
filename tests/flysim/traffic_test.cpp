// flysim's simulated user: "traffic_every_ms" in the fleet file and POST /_sim/apps/{app}/traffic
// send unforced requests through the edge's routing, which wake a sleeping app, count as user
// traffic and keep autostop away; turning the traffic off lets the app go back to sleep.
#include <doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include "fly/machine_json.hpp"
#include "sim_process.hpp"

using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::TempDir;
using flywatch::flysim::testing::wall_ms;

namespace {
const std::string token = "traffic-token";
const std::string auth = "Bearer " + token;
const std::string api = "/v1/apps/busy/machines/5e6f708192a3b4";

// "busy": one stopped machine, a user every 100 ms, autostop passes every 400 ms.
// "quiet": no traffic.
const char* fleet_text = R"({"apps":[
  {"name":"busy","traffic_every_ms":100,"autostop_idle_ms":400,"machines":[
    {"id":"5e6f708192a3b4","region":"iad","state":"stopped","autostop":"stop",
     "boot_delay_ms":100,"ready_delay_ms":100,"checks":["servicecheck-00-http-8080"]}]},
  {"name":"quiet","machines":[
    {"id":"6f708192a3b4c5","region":"iad","state":"stopped","autostop":"stop"}]}
]})";

SimProcess start_sim(const TempDir& dir, const std::string& text = fleet_text) {
  const char* bin = std::getenv("FLYSIM_BIN");
  REQUIRE(bin != nullptr);
  return SimProcess(bin, dir.write("fleet.json", text), token);
}

std::string state(const SimProcess& sim, const std::string& path) {
  const auto r = sim.request("GET", path, auth);
  REQUIRE(r.status == 200);
  std::string error;
  auto m = flywatch::fly::parse_machine(r.body, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  return m->state;
}

// {edge_requests, user_requests} of `app` (0 when never counted).
std::pair<std::int64_t, std::int64_t> counts(const SimProcess& sim, const std::string& app) {
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  auto get = [&](const char* key) {
    const auto& o = stats.at(key).as_object();
    return o.contains(app) ? o.at(app).as_int64() : 0;
  };
  return {get("edge_requests"), get("user_requests")};
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
}  // namespace

TEST_CASE("traffic: the simulated user wakes the app and keeps it awake") {
  TempDir dir;
  const auto t0 = wall_ms();
  SimProcess sim = start_sim(dir);
  REQUIRE(sim.request("GET", api + "/wait?state=started&timeout=5", auth).status == 200);
  CHECK(wall_ms() - t0 < 1000);  // first request after 100 ms, boot 100
  sleep_ms(1200);                 // three autostop passes
  CHECK(state(sim, api) == "started");
  const auto [edge, user] = counts(sim, "busy");
  CHECK(user >= 8);
  CHECK(user <= 16);
  CHECK(edge == user);  // nothing forced
  CHECK(counts(sim, "quiet") == std::pair<std::int64_t, std::int64_t>{0, 0});
  CHECK(state(sim, "/v1/apps/quiet/machines/6f708192a3b4c5") == "stopped");
}

TEST_CASE("traffic: the control endpoint stops and restarts the simulated user") {
  TempDir dir;
  SimProcess sim = start_sim(dir);
  REQUIRE(sim.request("GET", api + "/wait?state=started&timeout=5", auth).status == 200);

  auto r = sim.request("POST", "/_sim/apps/busy/traffic", "", R"({"every_ms":0})");
  REQUIRE(r.status == 200);
  CHECK(boost::json::parse(r.body).as_object().at("every_ms").as_int64() == 0);
  const auto off = counts(sim, "busy").second;
  // No user any more: the next passes stop the machine.
  REQUIRE(sim.request("GET", api + "/wait?state=stopped&timeout=5", auth).status == 200);
  sleep_ms(300);
  const auto later = counts(sim, "busy").second;
  CHECK(later - off <= 1);  // at most one that was already on its way
  sleep_ms(300);
  CHECK(counts(sim, "busy").second == later);
  CHECK(state(sim, api) == "stopped");

  // Back on, faster: the user's first request wakes the app again.
  REQUIRE(sim.request("POST", "/_sim/apps/busy/traffic", "", R"({"every_ms":50})").status == 200);
  REQUIRE(sim.request("GET", api + "/wait?state=started&timeout=5", auth).status == 200);
  sleep_ms(500);
  CHECK(counts(sim, "busy").second - later >= 5);

  // Turned on for an app that had none.
  REQUIRE(sim.request("POST", "/_sim/apps/quiet/traffic", "", R"({"every_ms":100})").status == 200);
  REQUIRE(sim.request("GET", "/v1/apps/quiet/machines/6f708192a3b4c5/wait?state=started&timeout=5",
                      auth).status == 200);
  CHECK(counts(sim, "quiet").second >= 1);
}

TEST_CASE("traffic: bad requests to the control endpoint and bad fleet values are refused") {
  TempDir dir;
  SimProcess sim = start_sim(dir);
  CHECK(sim.request("POST", "/_sim/apps/nope/traffic", "", R"({"every_ms":10})").status == 404);
  CHECK(sim.request("POST", "/_sim/apps/busy/traffic", "", R"({"every_ms":-1})").status == 400);
  CHECK(sim.request("POST", "/_sim/apps/busy/traffic", "", R"({"every_ms":"1s"})").status == 400);
  CHECK(sim.request("POST", "/_sim/apps/busy/traffic", "", R"({})").status == 400);
  CHECK(sim.request("POST", "/_sim/apps/busy/traffic", "", "not json").status == 400);
  CHECK(sim.request("GET", "/_sim/apps/busy/traffic").status == 404);

  TempDir bad;
  CHECK_THROWS(start_sim(bad, R"({"apps":[{"name":"a","traffic_every_ms":-5}]})"));
}
