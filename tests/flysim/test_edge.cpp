// The per-app edge of the real flysim binary: autostart with a held request, routing to a
// healthy machine, the hold limit, idle autostop, and the edge request counters.
#include <doctest.h>

#include <cstdlib>
#include <string>

#include <boost/json/parse.hpp>

#include "fly/machine_json.hpp"
#include "sim_process.hpp"

using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::wall_ms;

namespace {
const std::string token = "edge-token";
const std::string auth = "Bearer " + token;
const std::string edge1 = "/v1/apps/edgy/machines/e784079b449483";  // boot 200, ready 100

SimProcess start_sim() {
  const char* bin = std::getenv("FLYSIM_BIN");
  const char* fleet = std::getenv("FLYSIM_FLEET");
  REQUIRE(bin != nullptr);
  REQUIRE(fleet != nullptr);
  return SimProcess(bin, fleet, token);
}

std::uint16_t edge_port(const SimProcess& sim, const std::string& app) {
  const auto r = sim.request("GET", "/_sim/edges");
  REQUIRE(r.status == 200);
  const auto port = boost::json::parse(r.body).as_object().at(app).as_int64();
  REQUIRE(port > 0);
  REQUIRE(port != sim.port());
  return static_cast<std::uint16_t>(port);
}

flywatch::core::MachineSnapshot get_machine(const SimProcess& sim, const std::string& path) {
  const auto r = sim.request("GET", path, auth);
  REQUIRE(r.status == 200);
  std::string error;
  auto m = flywatch::fly::parse_machine(r.body, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  return *m;
}
}  // namespace

TEST_CASE("edge: autostart holds the request until the machine is healthy, then idle autostop") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "edgy");
  CHECK(get_machine(sim, edge1).state == "stopped");

  auto before = wall_ms();
  auto r = sim.request_port(port, "GET", "/");
  const auto cold = wall_ms() - before;
  REQUIRE(r.status == 200);
  CHECK(boost::json::parse(r.body).as_object().at("machine").as_string() == "e784079b449483");
  CHECK(cold >= 300);  // boot 200 + ready 100
  CHECK(cold < 300 + 400);
  auto m = get_machine(sim, edge1);
  CHECK(m.state == "started");
  CHECK(m.checks[0].status == "passing");

  const auto last_request = wall_ms();
  CHECK(sim.request_port(port, "GET", "/").status == 200);
  CHECK(wall_ms() - last_request < 200);  // warm: no start

  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  CHECK(stats.at("edge_requests").as_object().at("edgy").as_int64() == 2);
  CHECK(!stats.at("api_requests").as_object().contains("medio"));

  // Idle for autostop_idle_ms (600): the proxy loop stops the machine.
  REQUIRE(sim.request("GET", edge1 + "/wait?state=stopped&timeout=5", auth).status == 200);
  m = get_machine(sim, edge1);
  CHECK(m.events[0].type == "exit");
  CHECK(m.events[0].requested_stop);
  CHECK(m.events[1].status == "stopping");
  CHECK(m.events[1].timestamp_ms - last_request >= 600);
}

TEST_CASE("edge: 503 after the hold limit when the machine never becomes healthy") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "edgy");
  REQUIRE(sim.request("POST", "/_sim/machines/e784079b449483/fault", "",
                      R"({"kind":"stuck_starting"})").status == 200);
  const auto before = wall_ms();
  const auto r = sim.request_port(port, "GET", "/");
  CHECK(r.status == 503);
  CHECK(r.body.find("PR04") != std::string::npos);
  CHECK(wall_ms() - before >= 1000);  // edge_hold_ms
  CHECK(get_machine(sim, edge1).state == "starting");
}

TEST_CASE("edge: 503 at once when no machine of the app can serve") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "workers-only");
  const auto before = wall_ms();
  CHECK(sim.request_port(port, "GET", "/").status == 503);
  CHECK(wall_ms() - before < 500);
  CHECK(get_machine(sim, "/v1/apps/workers-only/machines/5683d920b1de08").state == "stopped");
}
