#include <doctest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "fixtures.hpp"
#include "fly/app_poll_state.hpp"
#include "fly/machine_poller.hpp"
#include "scripted_client.hpp"

using namespace flywatch;
using fly::test::ScriptedClient;
using fly::test::read_fixture;
using fly::test::run_poll;
using fly::test::run_request;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

fly::FlyApiConfig config(std::string url = "https://api.machines.dev", std::string token = "tok123") {
  fly::FlyApiConfig c;
  c.api_url = std::move(url);
  c.token = std::move(token);
  return c;
}

std::string header(const net::HttpRequest& request, const std::string& name) {
  for (const auto& [k, v] : request.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);

}  // namespace

TEST_CASE("poller: a 200 with a fixture body parses into machines") {
  ScriptedClient prober;
  prober.respond(200, read_fixture("medio_list.json"), {{"content-type", "application/json"}});
  fly::MachinePoller poller(config(), prober);
  auto o = run_poll(poller, "medio");
  CHECK(o.ok);
  CHECK(o.code == "200");
  CHECK(o.http_status == 200);
  CHECK_FALSE(o.retryable);
  REQUIRE(o.machines.size() == 2);
  CHECK(o.machines[0].id == "148ed193b95e89");
  CHECK(o.machines[1].id == "e784079b449483");
  CHECK(o.machines[0].state == "started");
  CHECK(prober.script.empty());
}

TEST_CASE("poller: request line, headers and limits") {
  struct Case {
    const char* url;
    const char* token;
    const char* scheme;
    const char* host;
    int port;
    const char* target;
    const char* authorization;
  };
  const Case cases[] = {
      {"https://api.machines.dev", "abc123", "https", "api.machines.dev", 443, "/v1/apps/medio/machines",
       "Bearer abc123"},
      {"https://api.machines.dev/", "fm2_lJPECAAAAAAAAbm\n", "https", "api.machines.dev", 443,
       "/v1/apps/medio/machines", "FlyV1 fm2_lJPECAAAAAAAAbm"},
      {"http://127.0.0.1:4280", "FlyV1 fm1r_x,fm2_y", "http", "127.0.0.1", 4280, "/v1/apps/medio/machines",
       "FlyV1 fm1r_x,fm2_y"},
      {"http://[::1]:8080/flaps/", "Bearer zz", "http", "::1", 8080, "/flaps/v1/apps/medio/machines", "Bearer zz"},
      {"http://_api.internal:4280", "t", "http", "_api.internal", 4280, "/v1/apps/medio/machines", "Bearer t"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    ScriptedClient prober;
    prober.respond(200, "[]");
    auto cfg = config(c.url, c.token);
    cfg.timeout = milliseconds(2500);
    cfg.ca_file = "/etc/ca.pem";
    fly::MachinePoller poller(cfg, prober);
    auto o = run_poll(poller, "medio");
    CHECK(o.ok);
    REQUIRE(prober.requests.size() == 1);
    const auto& spec = prober.requests[0];
    CHECK(spec.method == "GET");
    CHECK(spec.endpoint.scheme == c.scheme);
    CHECK(spec.endpoint.host == c.host);
    CHECK(spec.endpoint.port == c.port);
    CHECK(spec.target == c.target);
    CHECK(header(spec, "Authorization") == c.authorization);
    CHECK(header(spec, "Accept") == "application/json");
    CHECK(spec.timeout == milliseconds(2500));
    CHECK(spec.endpoint.tls.ca_file == "/etc/ca.pem");
    CHECK(spec.max_body_bytes == 8u << 20);
    CHECK(spec.body.empty());
  }
}

TEST_CASE("poller: app names are one encoded path segment") {
  ScriptedClient prober;
  fly::MachinePoller poller(config(), prober);
  CHECK(poller.list_request("my-app").target == "/v1/apps/my-app/machines");
  CHECK(poller.list_request("../x y").target == "/v1/apps/..%2Fx%20y/machines");
}

TEST_CASE("poller: bad configuration is refused at construction") {
  ScriptedClient prober;
  CHECK_THROWS_AS(fly::MachinePoller(config("ftp://x"), prober), std::invalid_argument);
  CHECK_THROWS_AS(fly::MachinePoller(config("api.machines.dev"), prober), std::invalid_argument);
  CHECK_THROWS_AS(fly::MachinePoller(config("https://u:p@api.machines.dev"), prober), std::invalid_argument);
  CHECK_THROWS_AS(fly::MachinePoller(config("https://api.machines.dev/?a=b"), prober), std::invalid_argument);
  CHECK_THROWS_AS(fly::MachinePoller(config("https://api.machines.dev:0"), prober), std::invalid_argument);
  CHECK_THROWS_AS(fly::MachinePoller(config("https://api.machines.dev", " \n"), prober), std::invalid_argument);
}

TEST_CASE("poller: HTTP statuses map to bounded codes and retryability") {
  struct Case {
    int status;
    const char* code;
    bool retryable;
  };
  const Case cases[] = {
      {401, "401", false}, {403, "403", false}, {404, "404", false}, {400, "4xx", false},
      {422, "4xx", false}, {408, "408", true},  {429, "429", true},  {500, "5xx", true},
      {502, "5xx", true},  {503, "5xx", true},  {599, "5xx", true},  {204, "other", false},
      {302, "other", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.status);
    ScriptedClient prober;
    prober.respond(c.status, read_fixture("error_body.json"), {{"fly-request-id", "req-9"}});
    fly::MachinePoller poller(config(), prober);
    auto o = run_poll(poller, "medio");
    CHECK_FALSE(o.ok);
    CHECK(o.code == c.code);
    CHECK(o.retryable == c.retryable);
    CHECK(o.http_status == c.status);
    CHECK(o.machines.empty());
  }
}

TEST_CASE("poller: 401 is not retryable and says why") {
  ScriptedClient prober;
  prober.respond(401, read_fixture("error_body.json"), {{"fly-request-id", "01ABC"}});
  fly::MachinePoller poller(config(), prober);
  auto o = run_poll(poller, "medio");
  CHECK(o.code == "401");
  CHECK_FALSE(o.retryable);
  CHECK(o.message.find("token validation error") != std::string::npos);
  CHECK(o.message.find("01ABC") != std::string::npos);
  CHECK(o.message.find("medio") != std::string::npos);

  fly::AppPollState state(seconds(15));
  auto d = state.on_outcome(o, t0, 1.0);
  CHECK(d.keep_last_known);
  CHECK(d.next_delay == seconds(15));  // normal pace, no backoff
  CHECK(state.consecutive_failures() == 0);
  CHECK(state.last_error_code() == "401");
}

TEST_CASE("poller: 429 with Retry-After: 7 waits at least 7 s") {
  ScriptedClient prober;
  prober.respond(429, R"({"error":"rate limited"})", {{"retry-after", "7"}});
  fly::MachinePoller poller(config(), prober);
  auto o = run_poll(poller, "medio");
  CHECK(o.code == "429");
  CHECK(o.retryable);
  REQUIRE(o.retry_after.has_value());
  CHECK(*o.retry_after == seconds(7));

  // Interval below 7 s so the Retry-After, not the interval floor, decides.
  for (double r : {0.0, 0.5, 1.0}) {
    CAPTURE(r);
    fly::AppPollState state(seconds(1));
    auto d = state.on_outcome(o, t0, r);
    CHECK(d.keep_last_known);
    CHECK(d.next_delay >= seconds(7));
  }
}

TEST_CASE("poller: Retry-After parsing") {
  CHECK(fly::parse_retry_after("7") == milliseconds(7000));
  CHECK(fly::parse_retry_after(" 0 ") == milliseconds(0));
  CHECK(fly::parse_retry_after("120") == milliseconds(120000));
  CHECK_FALSE(fly::parse_retry_after("").has_value());
  CHECK_FALSE(fly::parse_retry_after("-3").has_value());
  CHECK_FALSE(fly::parse_retry_after("1.5").has_value());
  CHECK_FALSE(fly::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  CHECK_FALSE(fly::parse_retry_after("99999999999999999999").has_value());
}

TEST_CASE("poller: 500s back off with growing delays, a 200 resets") {
  ScriptedClient prober;
  prober.respond(500, "oops").respond(502, read_fixture("garbage.txt")).respond(503, "").respond(
      200, read_fixture("medio_list.json"));
  prober.respond(500, "again");
  fly::MachinePoller poller(config(), prober);
  fly::AppPollState state(seconds(10), seconds(60));

  std::vector<milliseconds> delays;
  for (int i = 0; i < 3; ++i) {
    auto o = run_poll(poller, "medio");
    CHECK(o.code == "5xx");
    auto d = state.on_outcome(o, t0, 1.0);  // top of each jitter window
    CHECK(d.keep_last_known);
    delays.push_back(d.next_delay);
  }
  CHECK(delays[0] == seconds(20));
  CHECK(delays[1] == seconds(40));
  CHECK(delays[2] == seconds(60));  // capped
  CHECK(state.consecutive_failures() == 3);

  auto ok = run_poll(poller, "medio");
  REQUIRE(ok.ok);
  auto d = state.on_outcome(ok, t0 + seconds(200), 1.0);
  CHECK_FALSE(d.keep_last_known);
  CHECK(d.next_delay == seconds(10));
  CHECK(state.consecutive_failures() == 0);
  CHECK(state.machines().size() == 2);
  CHECK(state.last_success() == t0 + seconds(200));
  CHECK(state.last_error_code().empty());

  auto again = run_poll(poller, "medio");
  CHECK(state.on_outcome(again, t0, 1.0).next_delay == seconds(20));  // back to the first step
}

TEST_CASE("poller: jittered backoff never polls faster than the interval") {
  fly::PollOutcome o;
  o.code = "5xx";
  o.retryable = true;
  for (double r : {0.0, 0.3, 0.7, 1.0}) {
    CAPTURE(r);
    fly::AppPollState state(seconds(10), seconds(60));
    for (int n = 1; n <= 6; ++n) {
      auto d = state.on_outcome(o, t0, r);
      CHECK(d.next_delay >= seconds(10));
      CHECK(d.next_delay <= seconds(60));
    }
  }
}

TEST_CASE("poller: a garbage body is malformed and the last known machines are kept") {
  ScriptedClient prober;
  prober.respond(200, read_fixture("medio_list.json"))
      .respond(200, read_fixture("garbage.txt"))
      .respond(200, R"({"machines": []})")
      .respond(200, read_fixture("truncated.json"));
  fly::MachinePoller poller(config(), prober);
  fly::AppPollState state(seconds(10));

  REQUIRE(state.on_outcome(run_poll(poller, "medio"), t0, 0.5).keep_last_known == false);
  REQUIRE(state.machines().size() == 2);

  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    auto o = run_poll(poller, "medio");
    CHECK_FALSE(o.ok);
    CHECK(o.code == "malformed");
    CHECK(o.retryable);
    CHECK_FALSE(o.message.empty());
    auto d = state.on_outcome(o, t0 + seconds(i + 1), 0.5);
    CHECK(d.keep_last_known);
    CHECK(state.machines().size() == 2);
    CHECK(state.machines()[0].id == "148ed193b95e89");
    CHECK(state.last_success() == t0);
    CHECK(state.last_error_code() == "malformed");
  }
}

TEST_CASE("poller: transport failures map to timeout / network / malformed") {
  struct Case {
    net::HttpError error;
    const char* step;
    const char* code;
    const char* label;  // what the message names the failure by (the prober's reasons)
  };
  const Case cases[] = {
      {net::HttpError::timed_out, "timeout", "timeout", "timeout: "},
      {net::HttpError::resolve_failed, "resolve", "network", "dns: "},
      {net::HttpError::connect_failed, "connect", "network", "connect: "},
      {net::HttpError::tls_failed, "tls", "network", "tls: "},
      {net::HttpError::write_failed, "write", "network", "protocol: "},
      {net::HttpError::read_failed, "read", "network", "protocol: "},
      {net::HttpError::too_large, "read", "malformed", "response too large: "},
  };
  for (const auto& c : cases) {
    CAPTURE(c.step);
    ScriptedClient prober;
    prober.fail(c.error, c.step, "boom detail");
    fly::MachinePoller poller(config(), prober);
    auto o = run_poll(poller, "medio");
    CHECK_FALSE(o.ok);
    CHECK(o.code == c.code);
    CHECK(o.retryable);
    CHECK(o.http_status == 0);
    CHECK(o.message.find("boom detail") != std::string::npos);
    CHECK(o.message.find(std::string(c.label) + "boom detail") != std::string::npos);
  }
}

TEST_CASE("poller: an empty list is a success that clears the machines") {
  ScriptedClient prober;
  prober.respond(200, read_fixture("medio_list.json")).respond(200, read_fixture("empty_list.json"));
  fly::MachinePoller poller(config(), prober);
  fly::AppPollState state(seconds(5));
  state.on_outcome(run_poll(poller, "medio"), t0, 0.0);
  CHECK(state.machines().size() == 2);
  auto d = state.on_outcome(run_poll(poller, "medio"), t0, 0.0);
  CHECK_FALSE(d.keep_last_known);
  CHECK(state.machines().empty());
}

TEST_CASE("poller: wait_started asks for state started and reads 200, 408 and errors") {
  auto run_wait = [](fly::MachinePoller& poller) {
    boost::asio::io_context ctx;
    std::optional<fly::PollOutcome> out;
    boost::asio::co_spawn(ctx, poller.wait_started("medio", "m 1", seconds(90)),
                          [&](std::exception_ptr e, fly::PollOutcome o) {
                            REQUIRE_FALSE(e);
                            out = std::move(o);
                          });
    ctx.run();
    REQUIRE(out.has_value());
    return std::move(*out);
  };
  ScriptedClient prober;
  prober.respond(200, R"({"ok":true,"state":"started"})");
  prober.respond(408, R"({"error":"deadline_exceeded: machine did not reach state started"})");
  prober.respond(429, R"({"error":"rate limited"})");
  fly::MachinePoller poller(config("http://127.0.0.1:4280"), prober);
  auto ok = run_wait(poller);
  CHECK(ok.ok);
  CHECK(ok.code == "200");
  REQUIRE(prober.requests.size() == 1);
  // The timeout is capped at Fly's 60 s; the request deadline leaves room for the answer.
  CHECK(prober.requests[0].target == "/v1/apps/medio/machines/m%201/wait?state=started&timeout=60");
  CHECK(prober.requests[0].timeout == seconds(70));
  CHECK(header(prober.requests[0], "Authorization") == "Bearer tok123");
  auto timed_out = run_wait(poller);
  CHECK_FALSE(timed_out.ok);
  CHECK(timed_out.code == "408");
  CHECK(timed_out.message.find("wait for machine 'm 1' of app 'medio'") != std::string::npos);
  auto limited = run_wait(poller);
  CHECK_FALSE(limited.ok);
  CHECK(limited.code == "429");
}

TEST_CASE("poller: the gate's requests — start a machine, one machine by id, a list with destroyed ones") {
  ScriptedClient client;
  fly::MachinePoller poller(config("http://127.0.0.1:4280/flaps"), client);
  const auto start = poller.start_request("medio backend", "m1");
  CHECK(start.method == "POST");
  CHECK(start.target == "/flaps/v1/apps/medio%20backend/machines/m1/start");
  CHECK(header(start, "Authorization") == "Bearer tok123");
  CHECK(poller.machine_request("medio", "m1").target == "/flaps/v1/apps/medio/machines/m1");
  CHECK(poller.list_request("medio", true).target == "/flaps/v1/apps/medio/machines?include_deleted=true");
  CHECK(poller.list_request("medio").target == "/flaps/v1/apps/medio/machines");

  client.respond(200, R"({"ok":true})");
  auto o = run_request(poller.start_machine("medio", "m1"));
  CHECK(o.ok);
  CHECK(o.code == "200");
  client.respond(403, R"({"error":"unauthorized"})");
  o = run_request(poller.start_machine("medio", "m1"));
  CHECK_FALSE(o.ok);
  CHECK(o.code == "403");
  CHECK(o.message.find("start machine 'm1' of app 'medio'") == 0);

  client.respond(200, R"({"id":"r1","state":"destroyed","config":{"metadata":{"fly_process_group":"fly_app_release_command"}},
      "events":[{"type":"exit","status":"stopped","timestamp":1700000000000,"request":{"exit_event":{"exit_code":3}}}]})");
  o = run_request(poller.get_machine("medio", "r1"));
  REQUIRE(o.ok);
  REQUIRE(o.machines.size() == 1);
  CHECK(o.machines[0].process_group == "fly_app_release_command");
  CHECK(o.machines[0].events.at(0).exit_code == 3);
  client.respond(200, "not json");
  o = run_request(poller.get_machine("medio", "r1"));
  CHECK_FALSE(o.ok);
  CHECK(o.code == "malformed");
  client.respond(404, R"({"error":"not found"})");
  o = run_request(poller.get_machine("medio", "r1"));
  CHECK(o.code == "404");
  CHECK(client.script.empty());
}
