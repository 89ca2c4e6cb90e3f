// Releases (POST /_sim/apps/{app}/release) against the real flysim binary: the release command
// machine's life (launch, start, its own exit with the given code, destroy), as the Machines API
// and lib/fly's parser show it, and the deploy it gates: exit 0 gives the app's machines the new
// image and release version (and the front end new asset hashes), any other exit leaves them.
#include <doctest.h>

#include <cstdlib>
#include <string>

#include <boost/json/parse.hpp>

#include "fly/machine_json.hpp"
#include "sim_process.hpp"

using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::TempDir;
using flywatch::flysim::testing::wall_ms;

namespace {
const std::string token = "release-token";
const std::string auth = "Bearer " + token;
const std::string old_image = "registry.fly.io/web:deployment-01OLD";
const std::string new_image = "registry.fly.io/web:deployment-01NEW";

// "web": a front end at release 3, one machine started, one stopped. "bare": the defaults.
const char* fleet_text = R"({"apps":[
  {"name":"web","site":true,"image":"registry.fly.io/web:deployment-01OLD","release_version":3,
   "machines":[
    {"id":"a0000000000001","region":"fra","state":"started"},
    {"id":"a0000000000002","region":"fra","state":"stopped"}]},
  {"name":"bare","machines":[{"id":"a0000000000003","region":"iad","state":"stopped"}]}
]})";

struct Sim {
  TempDir dir;
  SimProcess sim;
  Sim() : sim(bin(), dir.write("fleet.json", fleet_text), token) {}
  static std::string bin() {
    const char* b = std::getenv("FLYSIM_BIN");
    REQUIRE(b != nullptr);
    return b;
  }
  boost::json::array list(const std::string& app, const std::string& query = "") const {
    const auto r = sim.request("GET", "/v1/apps/" + app + "/machines" + query, auth);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).as_array();
  }
  std::string machine_body(const std::string& app, const std::string& id) const {
    const auto r = sim.request("GET", "/v1/apps/" + app + "/machines/" + id, auth);
    REQUIRE(r.status == 200);
    return r.body;
  }
  // Starts a release and returns its machine's id.
  std::string release(const std::string& app, const std::string& body) const {
    const auto r = sim.request("POST", "/_sim/apps/" + app + "/release", "", body);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return std::string(boost::json::parse(r.body).as_object().at("machine").as_string());
  }
  int wait(const std::string& app, const std::string& id, const std::string& state) const {
    return sim.request("GET", "/v1/apps/" + app + "/machines/" + id + "/wait?state=" + state +
                                  "&timeout=5", auth).status;
  }
  std::string index() const {
    const auto edges = boost::json::parse(sim.request("GET", "/_sim/edges").body).as_object();
    const auto r = sim.request_port(static_cast<std::uint16_t>(edges.at("web").as_int64()), "GET", "/");
    REQUIRE(r.status == 200);
    return r.body;
  }
};

// {image, fly_release_version} of a listed machine.
std::pair<std::string, std::string> release_of(const boost::json::value& m) {
  const auto& config = m.as_object().at("config").as_object();
  return {std::string(config.at("image").as_string()),
          std::string(config.at("metadata").as_object().at("fly_release_version").as_string())};
}

flywatch::core::MachineSnapshot parsed(const std::string& body) {
  std::string error;
  auto m = flywatch::fly::parse_machine(body, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  return *m;
}
}  // namespace

TEST_CASE("release: machines carry config.image and fly_release_version from the fleet file") {
  Sim s;
  for (const auto& m : s.list("web"))
    CHECK(release_of(m) == std::pair<std::string, std::string>{old_image, "3"});
  CHECK(release_of(s.list("bare")[0]) ==
        std::pair<std::string, std::string>{"registry.fly.io/bare:deployment-initial", "1"});
  TempDir bad;
  CHECK_THROWS(SimProcess(Sim::bin(), bad.write("f.json", R"({"apps":[{"name":"a","release_version":0}]})"), token));
  CHECK_THROWS(SimProcess(Sim::bin(), bad.write("g.json", R"({"apps":[{"name":"a","image":""}]})"), token));
  CHECK_THROWS(SimProcess(Sim::bin(), bad.write("h.json", R"({"apps":[{"name":"a","auth":true}]})"), token));
  CHECK_THROWS(SimProcess(Sim::bin(), bad.write("i.json", R"({"apps":[{"name":"a","site":"yes"}]})"), token));
}

TEST_CASE("release exit 0: the command machine runs, exits 0, is destroyed; the app is deployed") {
  Sim s;
  const std::string before_index = s.index();
  const auto t0 = wall_ms();
  const std::string id = s.release(
      "web", R"({"version":4,"image":"registry.fly.io/web:deployment-01NEW","exit_code":0,"run_ms":300,"destroy_after_ms":800})");
  CHECK(id.size() == 14);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);

  auto list = s.list("web");
  REQUIRE(list.size() == 3);
  const auto& rel = list[2].as_object();
  CHECK(rel.at("id").as_string() == id);
  CHECK(rel.at("region").as_string() == "fra");
  CHECK(release_of(list[2]) == std::pair<std::string, std::string>{new_image, "4"});
  CHECK_FALSE(rel.at("config").as_object().contains("services"));
  auto m = parsed(s.machine_body("web", id));
  CHECK(m.process_group == "fly_app_release_command");
  CHECK(m.state == "starting");
  CHECK(release_of(list[0]) == std::pair<std::string, std::string>{old_image, "3"});  // not yet

  REQUIRE(s.wait("web", id, "stopped") == 200);
  m = parsed(s.machine_body("web", id));
  REQUIRE(m.events.size() == 4);  // newest first
  CHECK(m.events[3].type == "launch");
  CHECK(m.events[3].timestamp_ms >= t0);
  CHECK(m.events[2].status == "starting");
  CHECK(m.events[1].status == "started");
  CHECK(m.events[1].timestamp_ms - m.events[2].timestamp_ms == 200);  // boot
  CHECK(m.events[0].type == "exit");
  CHECK(m.events[0].status == "stopped");
  CHECK(m.events[0].exit_code == 0);
  CHECK_FALSE(m.events[0].requested_stop);
  CHECK_FALSE(m.events[0].oom_killed);
  CHECK(m.events[0].timestamp_ms - m.events[1].timestamp_ms == 300);  // run_ms

  for (const auto& a : s.list("web")) {
    if (a.as_object().at("id").as_string() == id) continue;
    CHECK(release_of(a) == std::pair<std::string, std::string>{new_image, "4"});
  }
  CHECK(release_of(s.list("bare")[0]).second == "1");  // other apps untouched
  const std::string after_index = s.index();
  CHECK(after_index != before_index);  // a new build: new asset hashes

  REQUIRE(s.wait("web", id, "destroyed") == 200);
  m = parsed(s.machine_body("web", id));
  CHECK(m.state == "destroyed");
  CHECK(m.events[0].type == "destroy");
  CHECK(m.events[0].timestamp_ms - m.events[1].timestamp_ms == 800);
  CHECK(s.list("web").size() == 2);  // gone from the list, as on Fly
  CHECK(s.list("web", "?include_deleted=true").size() == 3);
  CHECK(s.index() == after_index);
}

TEST_CASE("release exit 1: the exit event carries 1 and the app keeps its release") {
  Sim s;
  const std::string before_index = s.index();
  const std::string id = s.release(
      "web", R"({"version":4,"image":"registry.fly.io/web:deployment-01NEW","exit_code":1,"run_ms":100})");
  REQUIRE(s.wait("web", id, "stopped") == 200);
  const auto m = parsed(s.machine_body("web", id));
  CHECK(m.events[0].type == "exit");
  CHECK(m.events[0].exit_code == 1);
  CHECK_FALSE(m.events[0].requested_stop);
  CHECK(release_of(s.list("web")[2]) == std::pair<std::string, std::string>{new_image, "4"});
  for (const auto& id_old : {"a0000000000001", "a0000000000002"})
    CHECK(release_of(boost::json::parse(s.machine_body("web", id_old))) ==
          std::pair<std::string, std::string>{old_image, "3"});
  CHECK(s.index() == before_index);
  REQUIRE(s.wait("web", id, "destroyed") == 200);  // destroy_after_ms defaults to 1 s

  // A later good release still deploys; the failed one changed nothing on the way.
  const std::string next = s.release("web", R"({"version":5,"image":"registry.fly.io/web:deployment-01FIX","run_ms":0})");
  CHECK(next != id);
  REQUIRE(s.wait("web", next, "stopped") == 200);
  CHECK(release_of(s.list("web")[0]) ==
        std::pair<std::string, std::string>{"registry.fly.io/web:deployment-01FIX", "5"});
}

TEST_CASE("release: bad requests are refused and launch nothing") {
  Sim s;
  const std::string path = "/_sim/apps/web/release";
  for (const std::string& body :
       {std::string(R"({"image":"i"})"), std::string(R"({"version":0,"image":"i"})"),
        std::string(R"({"version":"4","image":"i"})"), std::string(R"({"version":4})"),
        std::string(R"({"version":4,"image":""})"), std::string(R"({"version":4,"image":"i","exit_code":256})"),
        std::string(R"({"version":4,"image":"i","exit_code":-1})"),
        std::string(R"({"version":4,"image":"i","exit_code":"1"})"),
        std::string(R"({"version":4,"image":"i","run_ms":-5})"), std::string("not json")}) {
    CAPTURE(body);
    CHECK(s.sim.request("POST", path, "", body).status == 400);
  }
  CHECK(s.sim.request("POST", "/_sim/apps/nope/release", "", R"({"version":4,"image":"i"})").status == 404);
  CHECK(s.list("web", "?include_deleted=true").size() == 2);
}
