// WaitBook: which machines get a wait request and what a finished wait means (fake clock).
#include <doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "fly/machine_json.hpp"
#include "fly/wait_book.hpp"

namespace flywatch::fly {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
const auto t0 = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));

core::MachineSnapshot machine(std::string id, std::string state, std::string instance = "01INSTANCE") {
  core::MachineSnapshot m;
  m.id = std::move(id);
  m.state = std::move(state);
  m.instance_id = std::move(instance);
  m.process_group = "app";
  return m;
}

PollOutcome answered(int status) {
  PollOutcome o;
  o.ok = status == 200;
  o.http_status = status;
  o.code = status == 200 ? "200" : status == 400 ? "4xx" : std::to_string(status);
  return o;
}

std::vector<std::string> ids(const std::vector<WaitBook::Ticket>& tickets) {
  std::vector<std::string> out;
  for (const auto& t : tickets) out.push_back(t.machine);
  return out;
}

TEST_CASE("wait book: waits for sleeping and starting machines, one at a time") {
  WaitBook book;
  const std::vector<core::MachineSnapshot> list = {
      machine("a", "stopped"), machine("b", "suspended"), machine("c", "starting"),
      machine("d", "started"), machine("e", "destroyed"), machine("f", "stopping")};
  const auto first = book.to_open(list, t0);
  CHECK(ids(first) == std::vector<std::string>{"a", "b", "c"});
  CHECK(book.in_flight() == 3);
  CHECK(book.to_open(list, t0 + seconds(5)).empty());  // still in flight
  CHECK(book.on_result(first[0], answered(200), t0 + seconds(6)) == WaitBook::After::poll_now);
  CHECK(book.on_result(first[1], answered(408), t0 + seconds(60)) == WaitBook::After::timed_out);
  CHECK(book.on_result(first[2], answered(503), t0 + seconds(60)) == WaitBook::After::failed);
  // Each can be waited on again after its answer.
  CHECK(ids(book.to_open(list, t0 + seconds(61))) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("wait book: no wait for a standby or an ignored process group") {
  WaitBook book;
  auto standby = machine("s", "stopped");
  standby.standbys = {"primary1"};
  auto release = machine("r", "stopped");
  release.process_group = "fly_app_release_command";
  CHECK(book.to_open({standby, release, machine("p", "stopped")}, t0).size() == 1);
  CHECK(book.in_flight() == 1);
  // Still none however often the list is read: a standby's wait would never end.
  for (int i = 1; i <= 5; ++i) CHECK(book.to_open({standby}, t0 + minutes(30 * i)).empty());
}

TEST_CASE("wait book: a refused wait is not sent again until the machine changes") {
  WaitBook book(minutes(10));
  const auto m = machine("a", "stopped", "01V1");
  auto t = book.to_open({m}, t0);
  REQUIRE(t.size() == 1);
  PollOutcome refusal = answered(400);
  refusal.message = "HTTP 400: failed_precondition: machine cannot reach state started";
  CHECK(book.on_result(t[0], refusal, t0 + seconds(1)) == WaitBook::After::refused);
  CHECK(book.refused("a"));
  // Poll after poll, the same machine state opens nothing.
  for (int i = 1; i <= 100; ++i) CHECK(book.to_open({m}, t0 + seconds(5 * i)).empty());

  SUBCASE("a new instance_id asks again") {
    auto t2 = book.to_open({machine("a", "stopped", "01V2")}, t0 + minutes(2));
    REQUIRE(t2.size() == 1);
    // A refusal of the changed machine is news again.
    CHECK(book.on_result(t2[0], refusal, t0 + minutes(3)) == WaitBook::After::refused);
  }
  SUBCASE("a new state asks again, and success forgets the refusal") {
    auto t2 = book.to_open({machine("a", "suspended", "01V1")}, t0 + minutes(2));
    REQUIRE(t2.size() == 1);
    CHECK(book.on_result(t2[0], answered(200), t0 + minutes(3)) == WaitBook::After::poll_now);
    CHECK_FALSE(book.refused("a"));
  }
  SUBCASE("after retry_refused_after it asks once more; the same refusal is not news") {
    CHECK(book.to_open({m}, t0 + minutes(10)).empty());  // 1 s short
    auto t2 = book.to_open({m}, t0 + minutes(10) + seconds(1));
    REQUIRE(t2.size() == 1);
    CHECK(book.on_result(t2[0], refusal, t0 + minutes(11)) == WaitBook::After::refused_again);
    CHECK(book.to_open({m}, t0 + minutes(12)).empty());
  }
  SUBCASE("a wall clock stepped back does not hold the refusal for as long as it went back") {
    auto t2 = book.to_open({m}, t0 - std::chrono::hours(1));
    CHECK(t2.size() == 1);
  }
  SUBCASE("a machine gone from the list is forgotten") {
    CHECK(book.to_open({}, t0 + minutes(1)).empty());
    CHECK_FALSE(book.refused("a"));
    CHECK(book.to_open({m}, t0 + minutes(1)).size() == 1);
  }
}

TEST_CASE("wait book: the refusal is keyed by the machine as it was when the wait was sent") {
  WaitBook book;
  auto t = book.to_open({machine("a", "stopped", "01V1")}, t0);
  REQUIRE(t.size() == 1);
  CHECK(book.on_result(t[0], answered(400), t0 + seconds(1)) == WaitBook::After::refused);
  // The machine was updated meanwhile: its new version gets a wait at once.
  CHECK(book.to_open({machine("a", "stopped", "01V2")}, t0 + seconds(2)).size() == 1);
}

TEST_CASE("wait book: results of dropped or replaced waits are ignored") {
  WaitBook book;
  const auto m = machine("a", "stopped");
  auto old = book.to_open({m}, t0);
  REQUIRE(old.size() == 1);
  book.drop_in_flight();  // stop or reload cancelled it
  CHECK(book.in_flight() == 0);
  auto fresh = book.to_open({m}, t0 + seconds(1));
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].seq != old[0].seq);
  // The cancelled wait ends with some failure; it must not close the fresh one.
  CHECK(book.on_result(old[0], answered(400), t0 + seconds(2)) == WaitBook::After::ignore);
  CHECK_FALSE(book.refused("a"));
  CHECK(book.in_flight() == 1);
  CHECK(book.on_result(fresh[0], answered(200), t0 + seconds(3)) == WaitBook::After::poll_now);
  CHECK(book.on_result(fresh[0], answered(200), t0 + seconds(3)) == WaitBook::After::ignore);
}

TEST_CASE("machine JSON: config.standbys is read (a standby stands by for others)") {
  std::string error;
  std::vector<std::string> warnings;
  auto list = parse_machine_list(R"([
    {"id":"p1","state":"started","config":{"metadata":{"fly_process_group":"app"}}},
    {"id":"s1","state":"stopped","config":{"standbys":["p1"],"metadata":{"fly_process_group":"app"}}},
    {"id":"s2","state":"stopped","config":{"standbys":"p1"}},
    {"id":"s3","state":"stopped","config":{"standbys":[7,"p1"]}},
    {"id":"s4","state":"stopped","config":{"standbys":null}}])",
                                 error, &warnings);
  REQUIRE_MESSAGE(list.has_value(), error);
  REQUIRE(list->size() == 5);
  CHECK_FALSE(is_standby((*list)[0]));
  CHECK((*list)[1].standbys == std::vector<std::string>{"p1"});
  CHECK(is_standby((*list)[1]));
  CHECK_FALSE(is_standby((*list)[2]));
  CHECK((*list)[3].standbys == std::vector<std::string>{"p1"});
  CHECK_FALSE(is_standby((*list)[4]));
  CHECK(warnings.size() == 2);
}

}  // namespace
}  // namespace flywatch::fly
