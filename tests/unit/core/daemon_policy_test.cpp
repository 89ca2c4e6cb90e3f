#include "core/daemon_policy.hpp"

#include <doctest.h>

#include <vector>

namespace fc = flywatch::core;
using namespace std::chrono_literals;
using fc::Millis;

TEST_CASE("restore_grace: at least 30 s") {
  CHECK(fc::restore_grace({}, std::nullopt) == 30s);
  const std::vector<fc::ProbeCadence> quick{{1s, 500ms, 1}};
  CHECK(fc::restore_grace(quick, std::nullopt) == 30s);
}

TEST_CASE("restore_grace: two rounds of the slowest probe, plus 10 s") {
  // round = 60s + 10s; judged = 70s × 1: 2 × 70s + 10s wins over 70s + 10s.
  const std::vector<fc::ProbeCadence> targets{{15s, 5s, 3}, {60s, 10s, 1}};
  CHECK(fc::restore_grace(targets, std::nullopt) == 150s);
}

TEST_CASE("restore_grace: as long as a target can stay unjudged, plus 10 s") {
  // judged = (15s + 5s) × 10 = 200s beats two rounds (2 × 20s + 10s).
  const std::vector<fc::ProbeCadence> targets{{15s, 5s, 10}};
  CHECK(fc::restore_grace(targets, std::nullopt) == 210s);
}

TEST_CASE("restore_grace: Fly polls and cold starts") {
  // Polls alone: round = 2 × 20s, twice plus 10s = 90s; judged = 0 + 2m + 2 × 20s + 10s = 170s.
  CHECK(fc::restore_grace({}, fc::PollCadence{20s, 2min}) == 170s);
  // The slowest probe's judgement and the cold start add up.
  const std::vector<fc::ProbeCadence> targets{{15s, 5s, 3}};
  CHECK(fc::restore_grace(targets, fc::PollCadence{5s, 10s}) == Millis(60s + 10s + 10s + 10s));
  // A slow poll is a round of its own.
  CHECK(fc::restore_grace(targets, fc::PollCadence{60s, 0s}) == Millis(2 * 120s + 10s));
}

TEST_CASE("watchdog_ping_interval: half the timeout, none without a watchdog") {
  CHECK(fc::watchdog_ping_interval(std::chrono::microseconds{30'000'000}) ==
        std::chrono::microseconds{15'000'000});
  CHECK(fc::watchdog_ping_interval(std::chrono::microseconds{3}) == std::chrono::microseconds{1});
  CHECK_FALSE(fc::watchdog_ping_interval(std::chrono::microseconds{0}));
}

TEST_CASE("listen_failure_is_config_error: a bad address is, a busy port is not") {
  CHECK(fc::listen_failure_is_config_error("resolve", false));
  CHECK(fc::listen_failure_is_config_error("bind", true));
  CHECK_FALSE(fc::listen_failure_is_config_error("bind", false));
  CHECK_FALSE(fc::listen_failure_is_config_error("listen", false));
}

TEST_CASE("restart_only_warnings: listen address and state_dir") {
  const fc::RestartOnlySettings running{"127.0.0.1", 9464, "/var/lib/flywatch", "", {}};
  CHECK(fc::restart_only_warnings(running, running).empty());
  auto next = running;
  next.listen_port = 9465;
  CHECK(fc::restart_only_warnings(running, next) ==
        std::vector<std::string_view>{"server.listen changed; the new address takes effect on restart"});
  next = running;
  next.listen_host = "::1";
  next.state_dir = "/tmp/fw";
  CHECK(fc::restart_only_warnings(running, next) ==
        std::vector<std::string_view>{"server.listen changed; the new address takes effect on restart",
                                      "state_dir changed; the new directory takes effect on restart"});
}

TEST_CASE("restart_only_warnings: the web config's path or content") {
  const std::string web_warning =
      "server.web_config_file changed; its TLS and users take effect on restart";
  fc::RestartOnlySettings running{"127.0.0.1", 9464, "/var/lib/flywatch", "/etc/fw/web.yml", {}};
  running.web.basic_auth_users["alice"] = "$2b$04$x";
  CHECK(fc::restart_only_warnings(running, running).empty());
  auto next = running;
  next.web.basic_auth_users["alice"] = "$2b$04$y";
  CHECK(fc::restart_only_warnings(running, next) == std::vector<std::string_view>{web_warning});
  next = running;
  next.web.tls = fc::WebTlsConfig{"c.pem", "k.pem", "", fc::ClientAuth::no_client_cert,
                                  fc::TlsVersion::tls12};
  CHECK(fc::restart_only_warnings(running, next) == std::vector<std::string_view>{web_warning});
  next = running;
  next.web_config_file.clear();
  next.listen_port = 1;
  CHECK(fc::restart_only_warnings(running, next) ==
        std::vector<std::string_view>{"server.listen changed; the new address takes effect on restart",
                                      web_warning});
}

TEST_CASE("parse_crash_point: POINT[:N], once by default") {
  CHECK_FALSE(fc::parse_crash_point(""));
  auto at = fc::parse_crash_point("after_enqueue");
  REQUIRE(at);
  CHECK(at->point == "after_enqueue");
  CHECK(at->count == 1);
  at = fc::parse_crash_point("before_ack:3");
  REQUIRE(at);
  CHECK(at->point == "before_ack");
  CHECK(at->count == 3);
  // strtol's reading: trailing garbage ignored; nothing, zero or a negative count is once.
  CHECK(fc::parse_crash_point("p:4x")->count == 4);
  CHECK(fc::parse_crash_point("p:")->count == 1);
  CHECK(fc::parse_crash_point("p:0")->count == 1);
  CHECK(fc::parse_crash_point("p:-2")->count == 1);
  CHECK(fc::parse_crash_point(":2")->point.empty());
}
