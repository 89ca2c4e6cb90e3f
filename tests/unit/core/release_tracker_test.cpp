#include "core/release_tracker.hpp"

#include <doctest.h>

namespace fc = flywatch::core;

namespace {

fc::MachineSnapshot app_machine(std::string id, std::string version, std::string image = "img") {
  fc::MachineSnapshot m;
  m.id = std::move(id);
  m.state = "started";
  m.process_group = "app";
  m.release_version = std::move(version);
  m.image = std::move(image);
  return m;
}

fc::MachineSnapshot release_machine(std::string id, std::optional<int> exit_code,
                                    std::int64_t at = 1000, bool oom = false) {
  fc::MachineSnapshot m;
  m.id = std::move(id);
  m.state = exit_code ? "stopped" : "started";
  m.process_group = "fly_app_release_command";
  if (exit_code) {
    fc::MachineEvent e;
    e.type = "exit";
    e.timestamp_ms = at;
    e.exit_code = *exit_code;
    e.oom_killed = oom;
    m.events = {e};
  }
  return m;
}

}  // namespace

TEST_CASE("release tracker: the first release seen is where the watch starts, a change is a release") {
  fc::ReleaseTracker t;
  auto u = t.observe({app_machine("a", "9", "img:9"), app_machine("b", "9", "img:9")});
  CHECK_FALSE(u.released.has_value());
  REQUIRE(t.current().has_value());
  CHECK(t.current()->version == "9");
  // A rolling deploy: one machine on 10 already is the app's new release (10 > 9 numerically).
  u = t.observe({app_machine("a", "10", "img:10"), app_machine("b", "9", "img:9")});
  REQUIRE(u.released.has_value());
  CHECK(u.released->first == fc::AppRelease{"9", "img:9"});
  CHECK(u.released->second == fc::AppRelease{"10", "img:10"});
  CHECK(t.observe({app_machine("a", "10", "img:10"), app_machine("b", "10", "img:10")}).empty());
  // Machines without a version, consoles and release commands do not make a release.
  auto console = app_machine("c", "11");
  console.process_group = "fly_app_console";
  CHECK_FALSE(t.observe({app_machine("a", "10", "img:10"), console, app_machine("x", "")}).released);
}

TEST_CASE("release tracker: a release command's exit is reported once; non-zero is a failure") {
  fc::ReleaseTracker t;
  t.observe({app_machine("a", "3")});
  auto u = t.observe({app_machine("a", "3"), release_machine("r1", std::nullopt)});
  CHECK(u.command_exits.empty());
  u = t.observe({app_machine("a", "3"), release_machine("r1", 1, 2000)});
  REQUIRE(u.command_exits.size() == 1);
  CHECK(u.command_exits[0].machine == "r1");
  CHECK(u.command_exits[0].exit_code == 1);
  REQUIRE(t.failure().has_value());
  CHECK(t.failure()->exit_code == 1);
  CHECK(t.observe({app_machine("a", "3"), release_machine("r1", 1, 2000)}).command_exits.empty());
  // The next release command succeeds: the failure ends.
  u = t.observe({app_machine("a", "3"), release_machine("r2", 0, 3000)});
  CHECK(u.command_exits.size() == 1);
  CHECK_FALSE(t.failure().has_value());
}

TEST_CASE("release tracker: a release command gone before its exit was seen is fetched by id") {
  fc::ReleaseTracker t;
  t.observe({app_machine("a", "3"), release_machine("r1", std::nullopt)});
  auto u = t.observe({app_machine("a", "3")});
  CHECK(u.to_fetch == std::vector<std::string>{"r1"});
  u = t.observe_command(release_machine("r1", 0, 0, true));  // OOM-killed, exit code 0
  REQUIRE(u.command_exits.size() == 1);
  CHECK(u.command_exits[0].failed());
  REQUIRE(t.failure().has_value());
  CHECK(t.failure()->oom_killed);
  CHECK(t.observe({app_machine("a", "3")}).to_fetch.empty());
  // A newer release on the app's machines ends the failure.
  u = t.observe({app_machine("a", "4")});
  CHECK(u.released.has_value());
  CHECK_FALSE(t.failure().has_value());
}

TEST_CASE("release tracker: an older command's late exit does not override a newer one") {
  fc::ReleaseTracker t;
  t.observe({release_machine("new", 0, 5000)});
  t.observe({release_machine("old", 2, 1000)});
  CHECK_FALSE(t.failure().has_value());
  auto gone = release_machine("r3", std::nullopt);
  t.observe({gone});
  gone.state = "destroyed";
  CHECK(t.observe_command(gone).command_exits.empty());
  CHECK(t.observe({}).to_fetch.empty());  // destroyed without an exit: no longer pending
}
