// Starts the real flysim binary on a loopback port and checks its Machines API against lib/fly's
// parser, its state-machine timing and its scripted faults.
#include <doctest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "core/fly_token.hpp"
#include "fly/machine_json.hpp"
#include "fly/machine_poller.hpp"
#include "fly/wait_book.hpp"
#include "net/http_client.hpp"
#include "sim_process.hpp"

namespace fly = flywatch::fly;
using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::wall_ms;

namespace {
const std::string token = "fm2_test-token";
const std::string auth = "FlyV1 " + token;
const std::string web1 = "/v1/apps/medio/machines/148e21ea7d2389";  // stopped, boot 300, ready 200
const std::string web2 = "/v1/apps/medio/machines/3d8d9e1be52e08";  // started
const std::string worker = "/v1/apps/medio/machines/9080e436a1d687";  // suspended, resume 80

SimProcess start_sim() {
  const char* bin = std::getenv("FLYSIM_BIN");
  const char* fleet = std::getenv("FLYSIM_FLEET");
  REQUIRE(bin != nullptr);
  REQUIRE(fleet != nullptr);
  return SimProcess(bin, fleet, token);
}

flywatch::core::MachineSnapshot get_machine(const SimProcess& sim, const std::string& path) {
  const auto r = sim.request("GET", path, auth);
  REQUIRE(r.status == 200);
  std::string error;
  auto m = fly::parse_machine(r.body, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  return *m;
}

std::string error_of(const std::string& body) {
  return std::string(boost::json::parse(body).as_object().at("error").as_string());
}
}  // namespace

TEST_CASE("auth: 401 without or with a wrong token; a macaroon only under FlyV1") {
  SimProcess sim = start_sim();
  auto r = sim.request("GET", "/v1/apps/medio/machines");
  CHECK(r.status == 401);
  CHECK(error_of(r.body) == "Authenticate: token validation error");
  CHECK(sim.request("GET", "/v1/apps/medio/machines", "Bearer nope").status == 401);
  CHECK(sim.request("GET", "/v1/apps/medio/machines", auth).status == 200);
  // Fly refuses a macaroon sent as Bearer; flysim also wants the scheme spelled as fly-go does.
  CHECK(sim.request("GET", "/v1/apps/medio/machines", "Bearer " + token).status == 401);
  CHECK(sim.request("GET", "/v1/apps/medio/machines", "flyv1 " + token).status == 401);
  for (const std::string& configured : {token, "FlyV1 " + token, "flyv1 " + token, "Bearer " + token,
                                       " bearer  " + token + "\n"}) {
    CAPTURE(configured);
    CHECK(sim.request("GET", "/v1/apps/medio/machines", flywatch::core::fly_authorization_header(configured)).status == 200);
  }
}

TEST_CASE("auth: several comma-joined tokens, as fly-go sends them") {
  const char* bin = std::getenv("FLYSIM_BIN");
  const char* fleet = std::getenv("FLYSIM_FLEET");
  REQUIRE(bin != nullptr);
  REQUIRE(fleet != nullptr);
  // An OAuth token beside two org macaroons, as `fly tokens` output can be combined.
  const std::string combined = "FlyV1 fo1_user-oauth,fm2_org-one, fm2_org-two";
  SimProcess sim(bin, fleet, combined);
  const std::string list = "/v1/apps/medio/machines";
  CHECK(sim.request("GET", list, "FlyV1 fm2_org-one,fm2_org-two").status == 200);
  CHECK(sim.request("GET", list, "Bearer fo1_user-oauth,fm2_org-one,fm2_org-two").status == 401);
  CHECK(sim.request("GET", list, "FlyV1 fo1_user-oauth,fm2_org-one,fm2_org-two").status == 401);
  for (const std::string& configured : {combined, std::string("fo1_user-oauth,fm2_org-one,fm2_org-two"),
                                       std::string("bearer fo1_user-oauth , fm2_org-one,fm2_org-two\n")}) {
    CAPTURE(configured);
    CHECK(sim.request("GET", list, flywatch::core::fly_authorization_header(configured)).status == 200);
  }
  // Without a macaroon the OAuth token goes as Bearer.
  SimProcess oauth(bin, fleet, "fo1_user-oauth");
  CHECK(oauth.request("GET", list, "Bearer fo1_user-oauth").status == 200);
  CHECK(oauth.request("GET", list, flywatch::core::fly_authorization_header("FlyV1 fo1_user-oauth")).status == 200);
}

TEST_CASE("unknown app or machine: 404 with an error body") {
  SimProcess sim = start_sim();
  auto r = sim.request("GET", "/v1/apps/nope/machines", auth);
  CHECK(r.status == 404);
  CHECK(!error_of(r.body).empty());
  r = sim.request("GET", "/v1/apps/medio/machines/ffffffffffffff", auth);
  CHECK(r.status == 404);
  CHECK(error_of(r.body) == "machine not found");
}

TEST_CASE("list parses with lib/fly and carries the fleet's data") {
  SimProcess sim = start_sim();
  const auto r = sim.request("GET", "/v1/apps/medio/machines", auth);
  REQUIRE(r.status == 200);
  std::string error;
  std::vector<std::string> warnings;
  auto list = fly::parse_machine_list(r.body, error, &warnings);
  REQUIRE_MESSAGE(list.has_value(), error);
  CHECK(warnings.empty());
  REQUIRE(list->size() == 3);
  const auto& a = (*list)[0];
  CHECK(a.id == "148e21ea7d2389");
  CHECK(a.name == "web-1");
  CHECK(a.state == "stopped");
  CHECK(a.region == "ams");
  CHECK(a.process_group == "app");
  CHECK(a.autostop == flywatch::core::Autostop::stop);
  CHECK(a.host_status == "ok");
  CHECK(a.instance_id.size() == 26);
  REQUIRE(a.checks.size() == 1);
  CHECK(a.checks[0].name == "servicecheck-00-http-8080");
  CHECK(a.checks[0].status == "critical");
  CHECK(a.checks[0].updated_at_ms.has_value());
  CHECK(a.configured_checks == 1);  // declared in config.services[0].checks
  CHECK(!a.events.empty());
  const auto& b = (*list)[1];
  CHECK(b.state == "started");
  CHECK(b.autostop == flywatch::core::Autostop::suspend);
  REQUIRE(b.checks.size() == 1);
  CHECK(b.checks[0].status == "passing");
  const auto& c = (*list)[2];
  CHECK(c.state == "suspended");
  CHECK(c.process_group == "worker");
  CHECK(c.autostop == flywatch::core::Autostop::off);
  CHECK(c.checks.empty());

  const auto empty = sim.request("GET", "/v1/apps/empty-app/machines", auth);
  REQUIRE(empty.status == 200);
  auto none = fly::parse_machine_list(empty.body, error);
  REQUIRE(none.has_value());
  CHECK(none->empty());
}

TEST_CASE("machines of the fleet file have a history backdated by minutes, newest first") {
  const auto before = wall_ms();
  SimProcess sim = start_sim();
  const auto old = before - 60 * 1000;  // what a monitor counts as a recent start
  auto sorted_and_old = [&](const flywatch::core::MachineSnapshot& m) {
    REQUIRE(!m.events.empty());
    for (std::size_t i = 1; i < m.events.size(); ++i)
      CHECK(m.events[i - 1].timestamp_ms >= m.events[i].timestamp_ms);
    for (const auto& e : m.events) CHECK(e.timestamp_ms < old);
    CHECK(m.events.back().type == "launch");
    CHECK(m.events.back().timestamp_ms > before - 11 * 60 * 1000);
  };
  const auto started = get_machine(sim, web2);
  sorted_and_old(started);
  REQUIRE(started.events.size() == 2);
  CHECK(started.events[0].type == "start");
  CHECK(started.events[0].status == "started");

  const auto stopped = get_machine(sim, web1);
  sorted_and_old(stopped);
  REQUIRE(stopped.events.size() == 3);
  CHECK(stopped.events[0].type == "exit");
  CHECK(stopped.events[0].status == "stopped");
  CHECK(stopped.events[0].requested_stop);
  CHECK(stopped.events[1].status == "started");

  const auto suspended = get_machine(sim, worker);
  sorted_and_old(suspended);
  REQUIRE(suspended.events.size() == 3);
  CHECK(suspended.events[0].status == "suspended");

  // A start now is the newest event, after the backdated ones.
  REQUIRE(sim.request("POST", web1 + "/start", auth).status == 200);
  const auto restarted = get_machine(sim, web1);
  CHECK(restarted.events[0].status == "starting");
  CHECK(restarted.events[0].timestamp_ms >= before);
  CHECK(restarted.events.size() == 4);
}

TEST_CASE("start: starting, then started after the boot delay, then checks passing") {
  SimProcess sim = start_sim();
  const auto before = wall_ms();
  auto r = sim.request("POST", web1 + "/start", auth);
  const auto after = wall_ms();
  REQUIRE(r.status == 200);
  CHECK(boost::json::parse(r.body).as_object().at("previous_state").as_string() == "stopped");
  CHECK(get_machine(sim, web1).state == "starting");
  CHECK(sim.request("POST", web1 + "/start", auth).status == 412);

  r = sim.request("GET", web1 + "/wait?state=started&timeout=5", auth);
  const auto waited = wall_ms();
  REQUIRE(r.status == 200);
  CHECK(waited - before >= 300);
  CHECK(waited - after < 300 + 250);
  auto m = get_machine(sim, web1);
  CHECK(m.state == "started");
  CHECK(m.configured_checks == 1);
  // As on Fly, no check status is listed until the checks have run once (at the end of the
  // 200 ms ready delay here): an empty list, not "passing".
  if (!m.checks.empty()) CHECK(m.checks[0].status == "passing");

  const auto ev = sim.request("GET", web1 + "/events", auth);
  REQUIRE(ev.status == 200);
  std::string error;
  auto events = fly::parse_events(ev.body, error);
  REQUIRE_MESSAGE(events.has_value(), error);
  REQUIRE(events->size() >= 2);
  const auto& started = (*events)[0];
  const auto& starting = (*events)[1];
  CHECK(started.type == "start");
  CHECK(started.status == "started");
  CHECK(started.source == "flyd");
  CHECK(starting.status == "starting");
  CHECK(starting.source == "user");
  CHECK(starting.timestamp_ms >= before);
  CHECK(starting.timestamp_ms <= after);
  CHECK(started.timestamp_ms - starting.timestamp_ms == 300);
  CHECK(started.id.size() == 26);
  CHECK(started.id != starting.id);

  const auto poll_until = wall_ms() + 2000;
  while ((m.checks.empty() || m.checks[0].status != "passing") && wall_ms() < poll_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m = get_machine(sim, web1);
  }
  REQUIRE(m.checks.size() == 1);
  REQUIRE(m.checks[0].status == "passing");
  CHECK(wall_ms() - started.timestamp_ms >= 200);
  // updated_at: when the checks first ran, the ready delay after `started`.
  REQUIRE(m.checks[0].updated_at_ms.has_value());
  CHECK(*m.checks[0].updated_at_ms == started.timestamp_ms + 200);
}

TEST_CASE("wait: 200 at once when already there, 408 on timeout") {
  SimProcess sim = start_sim();
  auto r = sim.request("GET", web2 + "/wait?state=started&timeout=1", auth);
  CHECK(r.status == 200);
  CHECK(boost::json::parse(r.body).as_object().at("ok").as_bool());
  const auto before = wall_ms();
  r = sim.request("GET", web1 + "/wait?state=started&timeout=1", auth);
  CHECK(r.status == 408);
  CHECK(!error_of(r.body).empty());
  CHECK(wall_ms() - before >= 1000);
  CHECK(sim.request("GET", web1 + "/wait?state=bogus", auth).status == 400);
}

TEST_CASE("api_fault: N requests answer 429/500, then normal service") {
  SimProcess sim = start_sim();
  REQUIRE(sim.request("POST", "/_sim/api_fault", "", R"({"status":429,"count":2})").status == 200);
  auto r = sim.request("GET", "/v1/apps/medio/machines", auth);
  CHECK(r.status == 429);
  CHECK(!error_of(r.body).empty());
  CHECK(sim.request("GET", web1, auth).status == 429);
  CHECK(sim.request("GET", "/v1/apps/medio/machines", auth).status == 200);

  REQUIRE(sim.request("POST", "/_sim/api_fault", "", R"({"status":500,"count":1})").status == 200);
  CHECK(sim.request("GET", web1, auth).status == 500);
  CHECK(sim.request("GET", web1, auth).status == 200);
  CHECK(sim.request("POST", "/_sim/api_fault", "", R"({"status":200})").status == 400);
}

TEST_CASE("api_fault garbage: a body the parser refuses, then normal service") {
  SimProcess sim = start_sim();
  REQUIRE(sim.request("POST", "/_sim/api_fault", "", R"({"garbage":true,"count":1})").status == 200);
  auto r = sim.request("GET", "/v1/apps/medio/machines", auth);
  CHECK(r.status == 200);
  std::string error;
  CHECK(!fly::parse_machine_list(r.body, error).has_value());
  CHECK(!error.empty());
  r = sim.request("GET", "/v1/apps/medio/machines", auth);
  REQUIRE(r.status == 200);
  CHECK(fly::parse_machine_list(r.body, error).has_value());
}

TEST_CASE("stop: stopping then stopped, with a requested-stop exit event") {
  SimProcess sim = start_sim();
  REQUIRE(sim.request("POST", web2 + "/stop", auth).status == 200);
  CHECK(get_machine(sim, web2).state == "stopping");
  REQUIRE(sim.request("GET", web2 + "/wait?state=stopped&timeout=5", auth).status == 200);
  const auto m = get_machine(sim, web2);
  CHECK(m.state == "stopped");
  REQUIRE(m.events.size() >= 2);
  CHECK(m.events[0].type == "exit");
  CHECK(m.events[0].requested_stop);
  CHECK(m.events[0].exit_code == 0);
  CHECK(m.events[1].status == "stopping");
  CHECK(m.events[0].timestamp_ms - m.events[1].timestamp_ms == 50);
  CHECK(sim.request("POST", web2 + "/stop", auth).status == 412);
}

TEST_CASE("suspend and resume use the suspend and resume delays") {
  SimProcess sim = start_sim();
  REQUIRE(sim.request("POST", worker + "/start", auth).status == 200);
  REQUIRE(sim.request("GET", worker + "/wait?state=started&timeout=5", auth).status == 200);
  auto m = get_machine(sim, worker);
  REQUIRE(m.events.size() >= 2);
  CHECK(m.events[0].timestamp_ms - m.events[1].timestamp_ms == 80);
  REQUIRE(sim.request("POST", worker + "/suspend", auth).status == 200);
  REQUIRE(sim.request("GET", worker + "/wait?state=suspended&timeout=5", auth).status == 200);
  m = get_machine(sim, worker);
  CHECK(m.state == "suspended");
  CHECK(m.events[0].status == "suspended");
}

TEST_CASE("machine faults: unhealthy, oom_exit, stuck_starting, slow_boot") {
  SimProcess sim = start_sim();
  const std::string fault = "/_sim/machines/148e21ea7d2389/fault";
  REQUIRE(sim.request("POST", fault, "", R"({"kind":"oom_exit"})").status == 200);
  REQUIRE(sim.request("POST", web1 + "/start", auth).status == 200);
  REQUIRE(sim.request("GET", web1 + "/wait?state=stopped&timeout=5", auth).status == 200);
  auto m = get_machine(sim, web1);
  CHECK(m.events[0].type == "exit");
  CHECK(m.events[0].oom_killed);
  CHECK(m.events[0].exit_code == 137);
  CHECK(!m.events[0].requested_stop);
  CHECK(m.events[1].status == "started");

  REQUIRE(sim.request("POST", fault, "", R"({"kind":"unhealthy"})").status == 200);
  REQUIRE(sim.request("POST", web1 + "/start", auth).status == 200);
  REQUIRE(sim.request("GET", web1 + "/wait?state=started&timeout=5", auth).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the 200 ms ready delay
  m = get_machine(sim, web1);
  CHECK(m.state == "started");
  CHECK(m.checks[0].status == "critical");

  REQUIRE(sim.request("POST", web1 + "/stop", auth).status == 200);
  REQUIRE(sim.request("GET", web1 + "/wait?state=stopped&timeout=5", auth).status == 200);
  REQUIRE(sim.request("POST", fault, "", R"({"kind":"slow_boot","boot_delay_ms":700})").status == 200);
  REQUIRE(sim.request("POST", web1 + "/start", auth).status == 200);
  REQUIRE(sim.request("GET", web1 + "/wait?state=started&timeout=5", auth).status == 200);
  m = get_machine(sim, web1);
  CHECK(m.events[0].timestamp_ms - m.events[1].timestamp_ms == 700);

  REQUIRE(sim.request("POST", web1 + "/stop", auth).status == 200);
  REQUIRE(sim.request("GET", web1 + "/wait?state=stopped&timeout=5", auth).status == 200);
  REQUIRE(sim.request("POST", fault, "", R"({"kind":"stuck_starting"})").status == 200);
  REQUIRE(sim.request("POST", web1 + "/start", auth).status == 200);
  CHECK(sim.request("GET", web1 + "/wait?state=started&timeout=1", auth).status == 408);
  CHECK(get_machine(sim, web1).state == "starting");
  CHECK(sim.request("POST", fault, "", R"({"kind":"melt"})").status == 400);
}

TEST_CASE("stats count API requests per app") {
  SimProcess sim = start_sim();
  sim.request("GET", "/v1/apps/medio/machines", auth);
  sim.request("GET", web1, auth);
  sim.request("GET", "/v1/apps/empty-app/machines");  // unauthorised still counts
  const auto r = sim.request("GET", "/_sim/stats");
  REQUIRE(r.status == 200);
  const auto api = boost::json::parse(r.body).as_object().at("api_requests").as_object();
  CHECK(api.at("medio").as_int64() == 2);
  CHECK(api.at("empty-app").as_int64() == 1);
}

TEST_CASE("fleet file: a recent start, a host not ok and a cordoned machine, as Fly sends them") {
  const auto before = wall_ms();
  SimProcess sim = start_sim();
  // Started 20 s before flysim, checks passing 5 s after that; top-level and service checks.
  const auto woken = get_machine(sim, "/v1/apps/realfly/machines/1781e3a2b4c5d6");
  CHECK(woken.state == "started");
  CHECK(woken.configured_checks == 2);
  REQUIRE(!woken.events.empty());
  CHECK(woken.events[0].status == "started");
  CHECK(woken.events[0].timestamp_ms >= before - 20000 - 1000);
  CHECK(woken.events[0].timestamp_ms <= wall_ms() - 20000);
  CHECK(woken.events[1].type == "exit");
  REQUIRE(woken.checks.size() == 2);
  for (const auto& c : woken.checks) {
    CHECK(c.status == "passing");
    CHECK(c.updated_at_ms == woken.events[0].timestamp_ms + 5000);
  }
  // Host unreachable: incomplete_config instead of config, the last state it heard.
  const auto lost = get_machine(sim, "/v1/apps/realfly/machines/1781e3a2b4c5d7");
  CHECK(lost.host_status == "unreachable");
  CHECK(lost.incomplete_config);
  CHECK(lost.configured_checks == 0);
  CHECK(lost.state == "started");
  CHECK(lost.process_group == "app");
  const auto drained = get_machine(sim, "/v1/apps/realfly/machines/1781e3a2b4c5d8");
  CHECK(drained.cordoned);
  CHECK_FALSE(woken.cordoned);
}

namespace {
// medio-db: a started primary, its standby (config.standbys) and a stopped replica.
const char* standby_fleet = R"({"apps": [{"name": "medio-db", "machines": [
  {"id": "d1a0000000prim", "state": "started", "process_group": "app"},
  {"id": "d1a00000standby", "state": "stopped", "process_group": "app", "standbys": ["d1a0000000prim"]},
  {"id": "d1a00000replica", "state": "stopped", "process_group": "app"}]}]})";

std::int64_t wait_requests(const SimProcess& sim, const std::string& id) {
  const auto stats = boost::json::parse(sim.request("GET", "/_sim/stats").body).as_object();
  const auto& waits = stats.at("wait_requests").as_object();
  const auto* n = waits.if_contains(id);
  return n ? n->to_number<std::int64_t>() : 0;
}

template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::optional<T> out;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
    REQUIRE_FALSE(e);
    out = std::move(v);
  });
  io.restart();
  io.run_for(std::chrono::seconds(30));
  REQUIRE(out.has_value());
  return std::move(*out);
}
}  // namespace

TEST_CASE("standbys: config.standbys as Fly sends it; a wait on a standby is only held") {
  flywatch::flysim::testing::TempDir dir;
  SimProcess sim(std::getenv("FLYSIM_BIN"), dir.write("fleet.json", standby_fleet), token);
  const auto r = sim.request("GET", "/v1/apps/medio-db/machines", auth);
  REQUIRE(r.status == 200);
  const auto raw = boost::json::parse(r.body).as_array();
  CHECK_FALSE(raw[0].as_object().at("config").as_object().contains("standbys"));  // omitempty
  CHECK(boost::json::serialize(raw[1].as_object().at("config").as_object().at("standbys")) ==
        R"(["d1a0000000prim"])");
  std::string error;
  auto list = fly::parse_machine_list(r.body, error);
  REQUIRE_MESSAGE(list.has_value(), error);
  CHECK(fly::is_standby((*list)[1]));
  CHECK_FALSE(fly::is_standby((*list)[2]));
  // Nothing starts a standby while its primary runs: the wait can only time out.
  const auto w = sim.request("GET", "/v1/apps/medio-db/machines/d1a00000standby/wait?state=started&timeout=1", auth);
  CHECK(w.status == 408);
  CHECK(wait_requests(sim, "d1a00000standby") == 1);
}

TEST_CASE("wait 400: flysim refuses as Fly does, and the wait book does not ask again each poll") {
  flywatch::flysim::testing::TempDir dir;
  SimProcess sim(std::getenv("FLYSIM_BIN"), dir.write("fleet.json", standby_fleet), token);
  const std::string replica = "/v1/apps/medio-db/machines/d1a00000replica";
  // A stale version is refused with an ErrorResponse.
  auto r = sim.request("GET", replica + "/wait?state=started&timeout=1&version=01STALE", auth);
  CHECK(r.status == 400);
  CHECK(error_of(r.body).find("version") != std::string::npos);
  const std::string refusal = "failed_precondition: machine cannot reach state started";
  REQUIRE(sim.request("POST", "/_sim/machines/d1a00000replica/refuse_wait", "",
                      R"({"error":")" + refusal + R"("})").status == 200);

  // The poll loop's decisions against the real API: list, open the waits the book asks for.
  boost::asio::io_context io;
  auto client = flywatch::net::make_http_client();
  fly::FlyApiConfig cfg;
  cfg.api_url = "http://127.0.0.1:" + std::to_string(sim.port());
  cfg.token = "flyv1 " + token;
  fly::MachinePoller poller(cfg, *client);
  fly::WaitBook book;
  int refused = 0;
  for (int poll = 0; poll < 5; ++poll) {
    const fly::PollOutcome list = run_on(io, poller.poll("medio-db"));
    REQUIRE_MESSAGE(list.ok, list.message);
    for (const auto& ticket : book.to_open(list.machines, std::chrono::system_clock::now())) {
      const fly::PollOutcome w = run_on(io, poller.wait_started("medio-db", ticket.machine, std::chrono::seconds(60)));
      CHECK(w.http_status == 400);
      CHECK(w.message.find(refusal) != std::string::npos);
      if (book.on_result(ticket, w, std::chrono::system_clock::now()) == fly::WaitBook::After::refused) ++refused;
    }
  }
  CHECK(refused == 1);
  CHECK(wait_requests(sim, "d1a00000replica") == 2);  // the stale-version one above, then one
  CHECK(wait_requests(sim, "d1a00000standby") == 0);
  CHECK(wait_requests(sim, "d1a0000000prim") == 0);
}
