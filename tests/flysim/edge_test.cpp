// The per-app edge of the real flysim binary: autostart with a held request, routing to a
// healthy machine, the hold limit, autostop by load (user traffic and requests in flight, not
// forced probes), the edge request counters, routing with fly-force-instance-id, Medio-like
// answers, database faults, HTTPS and fixed edge ports.
#include <doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "fly/machine_json.hpp"
#include "sim_process.hpp"

using flywatch::flysim::testing::CertFiles;
using flywatch::flysim::testing::Headers;
using flywatch::flysim::testing::HttpReply;
using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::TempDir;
using flywatch::flysim::testing::free_loopback_port;
using flywatch::flysim::testing::make_self_signed_cert;
using flywatch::flysim::testing::wall_ms;

namespace {
const std::string token = "edge-token";
const std::string auth = "Bearer " + token;
const std::string edge1 = "/v1/apps/edgy/machines/e784079b449483";  // boot 200, ready 100

// App "forced": two stopped machines (boot 100, ready 100) and one started; hold limit 2 s.
const std::string forced1 = "4d89e0a6b13578";  // ams
const std::string forced2 = "7811d40c952e38";  // fra
const std::string forced3 = "e2865d1f37a9b0";  // cdg, started
const std::string forced_api = "/v1/apps/forced/machines/";

std::string bin_path() {
  const char* bin = std::getenv("FLYSIM_BIN");
  REQUIRE(bin != nullptr);
  return bin;
}

SimProcess start_sim(const std::vector<std::string>& extra_args = {}) {
  const char* fleet = std::getenv("FLYSIM_FLEET");
  REQUIRE(fleet != nullptr);
  return SimProcess(bin_path(), fleet, token, extra_args);
}

Headers force(const std::string& id) { return {{"fly-force-instance-id", id}}; }

// The app's JSON answer, checked for Medio's shape and the machine that gave it.
boost::json::object app_json(const HttpReply& r, const std::string& machine, bool healthy) {
  CHECK(r.header("content-type").rfind("application/json", 0) == 0);
  CHECK(r.header("server") == "Fly/flysim");
  CHECK(r.header("via") == "1.1 fly.io");
  CHECK(!r.header("fly-request-id").empty());
  const auto doc = boost::json::parse(r.body).as_object();
  CHECK(doc.at("status").as_string() == (healthy ? "ok" : "error"));
  CHECK(doc.at("database").as_string() == (healthy ? "connected" : "disconnected"));
  const std::string ts(doc.at("timestamp").as_string());  // e.g. 2026-11-27T17:13:26.123Z
  CHECK(ts.size() == 24);
  CHECK(ts[10] == 'T');
  CHECK(ts.back() == 'Z');
  CHECK(doc.at("machine").as_string() == machine);
  CHECK(!doc.at("region").as_string().empty());
  return doc;
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

namespace {
// "probed" and "used": one started machine each; "held": a started and a stopped machine.
const char* autostop_fleet = R"({"apps":[
  {"name":"probed","autostop_idle_ms":500,"machines":[
    {"id":"1a2b3c4d5e6f70","region":"iad","state":"started","autostop":"stop",
     "boot_delay_ms":100,"ready_delay_ms":100,"checks":["servicecheck-00-http-8080"]}]},
  {"name":"used","autostop_idle_ms":500,"machines":[
    {"id":"2b3c4d5e6f7081","region":"iad","state":"started","autostop":"suspend"}]},
  {"name":"held","autostop_idle_ms":700,"edge_hold_ms":5000,"machines":[
    {"id":"3c4d5e6f708192","region":"iad","state":"started","autostop":"stop"},
    {"id":"4d5e6f708192a3","region":"iad","state":"stopped","autostop":"stop",
     "ready_delay_ms":100}]}
]})";

std::int64_t user_requests(const SimProcess& sim, const std::string& app) {
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  const auto& user = stats.at("user_requests").as_object();
  return user.contains(app) ? user.at(app).as_int64() : 0;
}
}  // namespace

TEST_CASE("edge: forced requests every 100 ms do not keep a machine from autostop") {
  TempDir dir;
  SimProcess sim(bin_path(), dir.write("fleet.json", autostop_fleet), token);
  const auto port = edge_port(sim, "probed");
  const std::string api = "/v1/apps/probed/machines/1a2b3c4d5e6f70";
  const auto t0 = wall_ms();
  int sent = 0;
  // Probe it like a monitor does until the proxy's pass stops it (one pass = 500 ms).
  while (get_machine(sim, api).state == "started" && wall_ms() - t0 < 3000) {
    REQUIRE(sim.request_port(port, "GET", "/", "", "", force("1a2b3c4d5e6f70")).status == 200);
    ++sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(wall_ms() - t0 < 1500);
  CHECK(sent >= 2);
  REQUIRE(sim.request("GET", api + "/wait?state=stopped&timeout=5", auth).status == 200);
  bool autostopped = false;
  for (const auto& e : get_machine(sim, api).events)
    if (e.type == "stop" && e.status == "stopping" && e.timestamp_ms >= t0) autostopped = true;
  CHECK(autostopped);
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  CHECK(stats.at("edge_requests").as_object().at("probed").as_int64() >= sent);
  CHECK(user_requests(sim, "probed") == 0);
}

TEST_CASE("edge: user requests keep the app awake; autostop within two passes of the last") {
  TempDir dir;
  SimProcess sim(bin_path(), dir.write("fleet.json", autostop_fleet), token);
  const auto port = edge_port(sim, "used");
  const std::string api = "/v1/apps/used/machines/2b3c4d5e6f7081";
  const auto t0 = wall_ms();
  int sent = 0;
  while (wall_ms() - t0 < 1600) {  // more than three passes
    REQUIRE(sim.request_port(port, "GET", "/").status == 200);
    ++sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto last = wall_ms();
  auto m = get_machine(sim, api);
  CHECK(m.state == "started");
  CHECK(m.events[0].timestamp_ms < t0);  // still the backdated start: never stopped
  CHECK(user_requests(sim, "used") == sent);

  REQUIRE(sim.request("GET", api + "/wait?state=suspended&timeout=5", auth).status == 200);
  m = get_machine(sim, api);
  REQUIRE(m.events.size() >= 2);
  CHECK(m.events[0].status == "suspended");
  CHECK(m.events[1].status == "suspending");
  const auto idle = m.events[1].timestamp_ms - last;
  CHECK(idle >= 500 - 100);  // the last request came up to 100 ms before `last`
  CHECK(idle <= 2 * 500 + 200);
}

TEST_CASE("edge: a request in flight during a pass keeps every machine of the app") {
  TempDir dir;
  SimProcess sim(bin_path(), dir.write("fleet.json", autostop_fleet), token);
  const auto port = edge_port(sim, "held");
  const std::string api = "/v1/apps/held/machines/";
  REQUIRE(sim.request("POST", "/_sim/machines/4d5e6f708192a3/fault", "",
                      R"({"kind":"slow_boot","boot_delay_ms":2000})").status == 200);
  const auto t0 = wall_ms();
  // Held through the slow boot, across at least two passes (700 ms).
  REQUIRE(sim.request_port(port, "GET", "/", "", "", force("4d5e6f708192a3")).status == 200);
  const auto t1 = wall_ms();
  CHECK(t1 - t0 >= 2000);
  auto a = get_machine(sim, api + "3c4d5e6f708192");
  CHECK(a.state == "started");
  CHECK(a.events[0].timestamp_ms < t0);  // untouched

  // Nothing in flight now and no user traffic: one machine per pass goes.
  REQUIRE(sim.request("GET", api + "3c4d5e6f708192/wait?state=stopped&timeout=5", auth).status == 200);
  a = get_machine(sim, api + "3c4d5e6f708192");
  CHECK(a.events[1].status == "stopping");
  CHECK(a.events[1].timestamp_ms >= t1);
  REQUIRE(sim.request("GET", api + "4d5e6f708192a3/wait?state=stopped&timeout=5", auth).status == 200);
  const auto b = get_machine(sim, api + "4d5e6f708192a3");
  CHECK(b.events[1].timestamp_ms - a.events[1].timestamp_ms >= 700 - 50);
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

TEST_CASE("edge: force-instance-id to a stopped machine starts exactly it, even with a healthy one") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "forced");
  const auto before = wall_ms();
  const auto r = sim.request_port(port, "GET", "/", "", "", force(forced2));
  const auto took = wall_ms() - before;
  REQUIRE(r.status == 200);
  CHECK(app_json(r, forced2, true).at("region").as_string() == "fra");
  CHECK(took >= 200);  // boot 100 + ready 100: held until the app is up
  CHECK(took < 200 + 500);
  const auto m2 = get_machine(sim, forced_api + forced2);
  CHECK(m2.state == "started");
  CHECK(m2.checks[0].status == "passing");
  CHECK(get_machine(sim, forced_api + forced1).state == "stopped");
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  CHECK(stats.at("edge_requests").as_object().at("forced").as_int64() == 1);
}

TEST_CASE("edge: force-instance-id to a healthy machine leaves the stopped ones stopped") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "forced");
  const auto before = wall_ms();
  const auto r = sim.request_port(port, "GET", "/", "", "", force(forced3));
  REQUIRE(r.status == 200);
  CHECK(wall_ms() - before < 150);
  CHECK(app_json(r, forced3, true).at("app").as_string() == "forced");
  CHECK(get_machine(sim, forced_api + forced1).state == "stopped");
  CHECK(get_machine(sim, forced_api + forced2).state == "stopped");
}

TEST_CASE("edge: force-instance-id holds a started machine until its app is ready") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "forced");
  REQUIRE(sim.request("POST", forced_api + forced1 + "/start", auth).status == 200);
  REQUIRE(sim.request("GET", forced_api + forced1 + "/wait?state=started&timeout=5", auth).status == 200);
  const auto started = get_machine(sim, forced_api + forced1).events[0];
  REQUIRE(started.status == "started");
  const auto r = sim.request_port(port, "GET", "/", "", "", force(forced1));
  REQUIRE(r.status == 200);
  app_json(r, forced1, true);
  CHECK(wall_ms() - started.timestamp_ms >= 100);  // ready delay
}

TEST_CASE("edge: force-instance-id naming no machine of the app answers 404 text") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "forced");
  auto r = sim.request_port(port, "GET", "/", "", "", force("ffffffffffffff"));
  CHECK(r.status == 404);
  CHECK(r.header("content-type").rfind("text/plain", 0) == 0);
  CHECK(r.body.find("ffffffffffffff") != std::string::npos);
  // A machine of another app is no machine of this one, and is not started.
  r = sim.request_port(port, "GET", "/", "", "", force("148e21ea7d2389"));
  CHECK(r.status == 404);
  CHECK(get_machine(sim, "/v1/apps/medio/machines/148e21ea7d2389").state == "stopped");
  CHECK(get_machine(sim, forced_api + forced1).state == "stopped");
}

TEST_CASE("edge: force-instance-id to a machine stuck starting gives 503 after the hold limit") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "edgy");
  REQUIRE(sim.request("POST", "/_sim/machines/e784079b449483/fault", "",
                      R"({"kind":"stuck_starting"})").status == 200);
  const auto before = wall_ms();
  const auto r = sim.request_port(port, "GET", "/", "", "", force("e784079b449483"));
  CHECK(r.status == 503);
  CHECK(r.body.find("PR04") != std::string::npos);
  CHECK(wall_ms() - before >= 1000);
  CHECK(get_machine(sim, edge1).state == "starting");
}

TEST_CASE("edge: db_down turns a running app unhealthy at once, db_up heals it") {
  SimProcess sim = start_sim();
  const auto port = edge_port(sim, "forced");
  const std::string fault = "/_sim/machines/" + forced3 + "/fault";
  REQUIRE(sim.request("POST", fault, "", R"({"kind":"db_down"})").status == 200);
  auto r = sim.request_port(port, "GET", "/", "", "", force(forced3));
  CHECK(r.status == 503);
  app_json(r, forced3, false);
  auto m = get_machine(sim, forced_api + forced3);
  CHECK(m.state == "started");
  REQUIRE(m.checks.size() == 1);
  CHECK(m.checks[0].status == "critical");
  CHECK(m.checks[0].output.find("503 Service Unavailable") != std::string::npos);
  CHECK(m.checks[0].output.find(R"("database":"disconnected")") != std::string::npos);

  // Without the header the proxy avoids the unhealthy machine and starts a stopped one.
  r = sim.request_port(port, "GET", "/");
  CHECK(r.status == 200);
  app_json(r, forced1, true);
  CHECK(get_machine(sim, forced_api + forced2).state == "stopped");

  REQUIRE(sim.request("POST", fault, "", R"({"kind":"db_up"})").status == 200);
  r = sim.request_port(port, "GET", "/", "", "", force(forced3));
  CHECK(r.status == 200);
  app_json(r, forced3, true);
  m = get_machine(sim, forced_api + forced3);
  CHECK(m.checks[0].status == "passing");
}

TEST_CASE("edge: the unhealthy fault answers 503 JSON once booted, forced or not") {
  SimProcess sim = start_sim();
  auto port = edge_port(sim, "forced");
  REQUIRE(sim.request("POST", "/_sim/machines/" + forced1 + "/fault", "",
                      R"({"kind":"unhealthy"})").status == 200);
  auto before = wall_ms();
  auto r = sim.request_port(port, "GET", "/", "", "", force(forced1));
  CHECK(wall_ms() - before >= 200);  // held through boot and ready
  CHECK(r.status == 503);
  app_json(r, forced1, false);
  auto m = get_machine(sim, forced_api + forced1);
  CHECK(m.state == "started");
  CHECK(m.checks[0].status == "critical");
  CHECK(m.checks[0].output.find("503") != std::string::npos);

  // db_up ends it for this run.
  REQUIRE(sim.request("POST", "/_sim/machines/" + forced1 + "/fault", "",
                      R"({"kind":"db_up"})").status == 200);
  r = sim.request_port(port, "GET", "/", "", "", force(forced1));
  CHECK(r.status == 200);
  app_json(r, forced1, true);

  // A single-machine app: the unforced request is held through the boot, then gets the 503.
  port = edge_port(sim, "edgy");
  REQUIRE(sim.request("POST", "/_sim/machines/e784079b449483/fault", "",
                      R"({"kind":"unhealthy"})").status == 200);
  before = wall_ms();
  r = sim.request_port(port, "GET", "/");
  const auto took = wall_ms() - before;
  CHECK(r.status == 503);
  app_json(r, "e784079b449483", false);
  CHECK(took >= 300);   // boot 200 + ready 100
  CHECK(took < 1000);   // well before the hold limit
}

TEST_CASE("edge: HTTPS with --tls-cert/--tls-key, verified against that certificate") {
  TempDir dir;
  const CertFiles cert = make_self_signed_cert(dir, "edge");
  const CertFiles stranger = make_self_signed_cert(dir, "stranger");
  SimProcess sim = start_sim({"--tls-cert", cert.cert, "--tls-key", cert.key});
  const auto port = edge_port(sim, "medio");  // the API stays plain HTTP

  auto r = sim.request_tls(port, "GET", "/", cert.cert);
  REQUIRE(r.status == 200);
  app_json(r, "3d8d9e1be52e08", true);
  r = sim.request_tls(port, "GET", "/", cert.cert, force("148e21ea7d2389"));
  REQUIRE(r.status == 200);
  app_json(r, "148e21ea7d2389", true);

  // A client trusting another certificate refuses; a plain-HTTP client gets no answer. Neither
  // failed handshake disturbs the edge.
  CHECK_THROWS(sim.request_tls(port, "GET", "/", stranger.cert));
  CHECK_THROWS(sim.request_port(port, "GET", "/"));
  CHECK(sim.request_tls(port, "GET", "/", cert.cert).status == 200);
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  CHECK(stats.at("edge_requests").as_object().at("medio").as_int64() == 3);
}

TEST_CASE("flysim refuses half or unreadable TLS options") {
  TempDir dir;
  const CertFiles cert = make_self_signed_cert(dir, "edge");
  CHECK_THROWS(start_sim({"--tls-cert", cert.cert}));
  CHECK_THROWS(start_sim({"--tls-cert", dir.path() + "/missing.pem", "--tls-key", cert.key}));
  CHECK_THROWS(start_sim({"--tls-cert", cert.cert, "--tls-key", cert.cert}));  // not a key
}

TEST_CASE("edge: a fixed edge_port from the fleet file is honoured") {
  TempDir dir;
  const auto fixed = free_loopback_port();
  const std::string machine =
      R"({"id":"5a1b2c3d4e5f60","region":"ams","state":"started","checks":["servicecheck-00-http-8080"]})";
  const auto fleet = dir.write(
      "fleet.json", R"({"apps":[{"name":"fixed","edge_port":)" + std::to_string(fixed) +
                        R"(,"machines":[)" + machine + R"(]},{"name":"floating","machines":[]}]})");
  SimProcess sim(bin_path(), fleet, token);
  CHECK(edge_port(sim, "fixed") == fixed);
  CHECK(edge_port(sim, "floating") != fixed);
  const auto r = sim.request_port(fixed, "GET", "/");
  REQUIRE(r.status == 200);
  app_json(r, "5a1b2c3d4e5f60", true);

  const auto bad = dir.write("bad.json", R"({"apps":[{"name":"a","edge_port":70000}]})");
  CHECK_THROWS(SimProcess(bin_path(), bad, token));
  const auto twice = dir.write(
      "twice.json", R"({"apps":[{"name":"a","edge_port":)" + std::to_string(fixed) +
                        R"(},{"name":"b","edge_port":)" + std::to_string(fixed) + "}]}");
  CHECK_THROWS(SimProcess(bin_path(), twice, token));
}
