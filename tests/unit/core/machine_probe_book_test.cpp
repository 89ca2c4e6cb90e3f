// MachineProbeBook: which machines get their own probe, when, and which results count; on a
// fake clock (plain steady_clock time points).
#include "core/machine_probe_book.hpp"

#include "machine_snapshots.hpp"

using fc::MachineProbeBook;
using St = std::chrono::steady_clock::time_point;

namespace {
const St s0 = St{} + 1000s;

std::vector<std::string> ids(const std::vector<fc::MachineProbeOrder>& orders) {
  std::vector<std::string> out;
  for (const auto& o : orders) out.push_back(o.machine);
  return out;
}
}  // namespace

TEST_CASE("MachineProbeBook: only started machines that serve are probed, in list order") {
  auto drained = snap("started", {}, {}, "m2");
  drained.cordoned = true;
  auto lost = snap("started", {}, {}, "m3");
  lost.host_status = "unreachable";
  auto release = snap("started", {}, {}, "rel");
  release.process_group = "fly_app_release_command";
  const std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "m1"), drained, lost,
                                              release, snap("stopped", {}, {}, "m4"),
                                              snap("started", {}, {}, "m5")};
  MachineProbeBook book;
  CHECK(ids(book.due(list, 2, 200ms, s0)) == std::vector<std::string>{"m1", "m5"});
  CHECK(book.tracks("m1"));
  CHECK_FALSE(book.tracks("m2"));
  CHECK_FALSE(book.verdict("m3"));
  // The lifecycle gets a verdict for exactly the machines probed: pending until one answers.
  const auto v = book.verdicts(list);
  CHECK(v.size() == 2);
  CHECK(v.at("m1") == OwnProbe::pending);
  CHECK(fc::own_probe_wanted(list[0]));
  CHECK_FALSE(fc::own_probe_wanted(drained));
  CHECK_FALSE(fc::own_probe_wanted(lost));
  CHECK_FALSE(fc::own_probe_wanted(release));
}

TEST_CASE("MachineProbeBook: after every list until the verdict is known, then every interval") {
  const std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "m1")};
  MachineProbeBook book;
  auto orders = book.due(list, 2, 200ms, s0);
  REQUIRE(orders.size() == 1);
  // Never twice at once: a list while the probe is in flight sends nothing.
  CHECK(book.due(list, 2, 200ms, s0 + 40ms).empty());
  // One failure below the threshold: still pending, so the next list probes again at once.
  CHECK_FALSE(book.on_result("m1", orders[0].token, false));
  orders = book.due(list, 2, 200ms, s0 + 80ms);
  REQUIRE(orders.size() == 1);
  CHECK(book.on_result("m1", orders[0].token, false) == OwnProbe::failing);  // threshold 2
  // Known now: the next probe waits for the target interval after the last one began.
  CHECK(book.due(list, 2, 200ms, s0 + 120ms).empty());
  CHECK(book.due(list, 2, 200ms, s0 + 279ms).empty());
  orders = book.due(list, 2, 200ms, s0 + 280ms);
  REQUIRE(orders.size() == 1);
  CHECK(book.on_result("m1", orders[0].token, true) == OwnProbe::passing);
  CHECK(book.verdicts(list).at("m1") == OwnProbe::passing);
  // An unchanged verdict is no news.
  const auto again = book.due(list, 2, 200ms, s0 + 480ms);
  REQUIRE(again.size() == 1);
  CHECK_FALSE(book.on_result("m1", again[0].token, true));
}

TEST_CASE("MachineProbeBook: a probe sent before a machine restarted does not count for the new start") {
  std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "m1")};
  MachineProbeBook book;
  const auto first = book.due(list, 2, 200ms, s0);
  REQUIRE(first.size() == 1);
  list[0].state = "stopped";
  CHECK(book.due(list, 2, 200ms, s0 + 40ms).empty());
  CHECK_FALSE(book.tracks("m1"));  // stopped: the verdict goes
  list[0].state = "started";
  const auto second = book.due(list, 2, 200ms, s0 + 80ms);
  REQUIRE(second.size() == 1);
  CHECK(second[0].token != first[0].token);
  // The first start's probe answers 200 now: it speaks for no current start and is dropped.
  CHECK_FALSE(book.current("m1", first[0].token));
  CHECK_FALSE(book.on_result("m1", first[0].token, true));
  CHECK(book.verdict("m1") == OwnProbe::pending);
  CHECK_FALSE(book.on_result("m1", second[0].token, false));
  CHECK(book.on_result("m1", book.due(list, 2, 200ms, s0 + 120ms)[0].token, false) ==
        OwnProbe::failing);
  // A cleared book (the target changed) drops the result of a probe still in flight.
  const auto third = book.due(list, 2, 200ms, s0 + 400ms);
  REQUIRE(third.size() == 1);
  book.clear();
  CHECK_FALSE(book.on_result("m1", third[0].token, true));
  CHECK(book.due(list, 2, 200ms, s0 + 410ms).size() == 1);
}

TEST_CASE("MachineProbeBook: threshold 1 makes one result the verdict, as `flywatch check` needs") {
  const std::vector<fc::MachineSnapshot> list{snap("started", {}, {}, "a"),
                                              snap("started", {}, {}, "b")};
  MachineProbeBook book;
  const auto orders = book.due(list, 1, 15s, s0);
  REQUIRE(orders.size() == 2);
  CHECK(book.on_result("a", orders[0].token, true) == OwnProbe::passing);
  CHECK(book.on_result("b", orders[1].token, false) == OwnProbe::failing);
}

TEST_CASE("own_probe_passed: a right but slow answer passes only during a cold start") {
  fc::Verdict slow{false, fc::FailureReason::latency, "took 120ms"};
  CHECK(fc::own_probe_passed(slow, true));
  CHECK_FALSE(fc::own_probe_passed(slow, false));  // after it, slowness counts
  fc::Verdict wrong{false, fc::FailureReason::status, "503"};
  CHECK_FALSE(fc::own_probe_passed(wrong, true));
  CHECK(fc::own_probe_passed(fc::Verdict{true, fc::FailureReason::none, ""}, false));
}
