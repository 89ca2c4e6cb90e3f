// Issue 9: a restart at each point between an alert event's outbox write and the alerts.json
// that covers it restores exactly the alerts whose events the outbox holds. The dispatcher is
// "killed" at each crash point (AlertDispatcher::set_crash_point, on the outbox thread) by copying
// state_dir as it is at that instant — what kill -9 leaves — and each copy is restarted as the
// daemon restarts (outbox replay, then restore_alert_state).
#include <doctest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/json.hpp>

#include "alert/alert_notes.hpp"
#include "dispatch_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using Kind = core::AlertEventKind;
using test::DispatchRig;

namespace {

/// Copies of a state_dir taken at crash points.
struct Snapshots {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::unique_ptr<test::ScratchDir>>> taken;

  void take(std::string_view point, const std::filesystem::path& dir) {
    auto copy = std::make_unique<test::ScratchDir>();
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string().ends_with(".lock")) continue;
      std::filesystem::copy(entry.path(), copy->path() / entry.path().filename());
    }
    std::lock_guard lock(mutex);
    taken.emplace_back(std::string(point), std::move(copy));
  }
  std::vector<std::string> points() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& [p, d] : taken) out.push_back(p);
    return out;
  }
  bool has(const std::string& point) {
    for (const auto& p : points()) {
      if (p == point) return true;
    }
    return false;
  }
};

const std::vector<std::string> all_points = {"outbox_written", "state_tmp_written",
                                             "state_renamed", "state_written", "notes_dropped"};

/// What a restart from a copy of state_dir finds.
struct Restart {
  std::vector<std::string> firing;   ///< targets of the alerts restored as notified
  std::vector<std::string> pending;  ///< "target/status" the outbox will deliver to "hook"
  std::size_t compactions = 0;
};

Restart restart(const std::filesystem::path& dir) {
  auto opened = alert::WebhookOutbox::open(dir);
  REQUIRE(opened.outbox);
  auto& o = *opened.outbox;
  Restart r;
  const auto state = alert::restore_alert_state(dir, o.notes());
  CHECK(state.bad_notes == 0);
  CHECK(state.parse_error.empty());
  for (const auto& a : state.alerts) {
    if (a.notified) r.firing.push_back(a.entry.alert.labels.at("target"));
  }
  while (const auto* ev = o.next("hook")) {
    const auto doc = boost::json::parse(ev->payload);
    r.pending.push_back(std::string(doc.at("data").at("labels").at("target").as_string()) + "/" +
                        std::string(doc.at("data").at("status").as_string()));
    REQUIRE_FALSE(o.ack("hook", ev->seq));
  }
  return r;
}

core::AlertEvent down(Kind kind, const std::string& target) {
  return test::event(kind, core::alert_target_down, core::Severity::critical, target);
}

bool state_has(const std::filesystem::path& dir, std::size_t n) {
  std::error_code ec;
  const auto text = alert::read_alert_state(dir, ec);
  std::string error;
  const auto state = text ? alert::parse_alert_state(*text, error) : std::nullopt;
  return state && state->size() == n;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("restart at every point between an event's outbox write and alerts.json") {
  DispatchRig rig;
  rig.receiver.status_for = [](const net::ProbeSpec&) { return 503; };  // everything stays queued
  config::AlertsConfig cfg;
  cfg.sinks.push_back(test::webhook_sink("hook", "/hook"));
  rig.dispatcher->apply(cfg);

  const auto x = down(Kind::firing, "x");
  rig.dispatcher->publish({x}, std::nullopt);
  rig.dispatcher->publish({}, std::vector<alert::PersistedAlert>{test::persisted(x, true)});
  REQUIRE(rig.run_until([&] { return state_has(rig.dir.path(), 1); }));

  Snapshots snaps;
  rig.dispatcher->set_crash_point([&](std::string_view p) { snaps.take(p, rig.dir.path()); });

  SUBCASE("z fires") {
    // The outbox thread is idle: alerts.json is written and 503s do not write.
    snaps.take("before", rig.dir.path());
    const auto z = down(Kind::firing, "z");
    rig.dispatcher->publish({z}, std::nullopt);
    rig.dispatcher->publish({}, std::vector<alert::PersistedAlert>{test::persisted(x, true),
                                                                   test::persisted(z, true)});
    REQUIRE(rig.run_until([&] { return snaps.has("notes_dropped"); }));
    Strings want = all_points;
    want.insert(want.begin(), "before");
    REQUIRE(snaps.points() == want);
    for (const auto& [point, copy] : snaps.taken) {
      INFO("killed at ", point);
      const auto r = restart(copy->path());
      if (point == "before") {
        CHECK(r.firing == Strings{"x"});
        CHECK(r.pending == Strings{"x/firing"});
      } else {
        // z's firing will be delivered after the restart: z must be known to be firing, or
        // its resolved would never be sent.
        CHECK(r.pending == Strings{"x/firing", "z/firing"});
        CHECK(r.firing == Strings{"x", "z"});
      }
    }
  }

  SUBCASE("z fires, then resolves") {
    const auto z = down(Kind::firing, "z");
    rig.dispatcher->publish({z}, std::nullopt);
    rig.dispatcher->publish({}, std::vector<alert::PersistedAlert>{test::persisted(x, true),
                                                                   test::persisted(z, true)});
    REQUIRE(rig.run_until([&] { return snaps.has("notes_dropped"); }));
    {
      std::lock_guard lock(snaps.mutex);
      snaps.taken.clear();
    }
    rig.dispatcher->publish({down(Kind::resolved, "z")}, std::nullopt);
    rig.dispatcher->publish({}, std::vector<alert::PersistedAlert>{test::persisted(x, true)});
    REQUIRE(rig.run_until([&] { return snaps.has("notes_dropped"); }));
    REQUIRE(snaps.points() == all_points);
    for (const auto& [point, copy] : snaps.taken) {
      INFO("killed at ", point);
      const auto r = restart(copy->path());
      CHECK(r.pending == Strings{"x/firing", "z/firing", "z/resolved"});
      // Its resolved is queued already: restored as firing, it would be resolved twice.
      CHECK(r.firing == Strings{"x"});
    }
  }
}

TEST_CASE("restart after a firing was delivered and compacted away before alerts.json") {
  alert::OutboxOptions options;
  options.compact_min_bytes = 1;  // every ack compacts
  options.compact_dead_ratio = 0;
  DispatchRig rig(options);
  config::AlertsConfig cfg;
  cfg.sinks.push_back(test::webhook_sink("hook", "/hook"));
  rig.dispatcher->apply(cfg);

  rig.dispatcher->publish({down(Kind::firing, "z")}, std::nullopt);  // no alerts.json yet
  REQUIRE(rig.run_until([&] {
    return rig.receiver.seen.size() == 1 &&
           rig.metric("flywatch_webhook_queue_depth", {"sink=\"hook\""}) == 0;
  }));
  // The outbox lives on its thread: ask it there, the answer comes back on the rig's loop.
  std::uint64_t compactions = 0;
  REQUIRE(rig.run_until([&] {
    rig.worker->run([](alert::WebhookOutbox& o) { return std::uint64_t(o.stats().compactions); },
                    boost::asio::bind_executor(rig.io, [&](std::uint64_t n) { compactions = n; }));
    return compactions >= 1;
  }));
  Snapshots snaps;
  snaps.take("compacted", rig.dir.path());
  CHECK_FALSE(std::filesystem::exists(rig.dir.path() / alert::alert_state_file_name));
  const auto r = restart(snaps.taken[0].second->path());
  CHECK(r.pending.empty());          // delivered: its record is gone from the outbox
  CHECK(r.firing == Strings{"z"});   // but z is known to be firing
}

TEST_CASE("a state whose write failed, written later, covers only the events it had seen") {
  DispatchRig rig;
  rig.receiver.status_for = [](const net::ProbeSpec&) { return 503; };
  config::AlertsConfig cfg;
  cfg.sinks.push_back(test::webhook_sink("hook", "/hook"));
  rig.dispatcher->apply(cfg);

  // alerts.json cannot be replaced while its temp name is a directory.
  const auto blocker = rig.dir.path() / (std::string(alert::alert_state_file_name) + ".tmp");
  std::filesystem::create_directory(blocker);
  const auto x = down(Kind::firing, "x");
  rig.dispatcher->publish({x}, std::nullopt);
  rig.dispatcher->publish({}, std::vector<alert::PersistedAlert>{test::persisted(x, true)});
  REQUIRE(rig.run_until([&] { return !rig.log_lines({"alert state write failed"}).empty(); }));
  // z fires after that state was taken; no newer state comes (the retry is the latest).
  rig.dispatcher->publish({down(Kind::firing, "z")}, std::nullopt);
  std::filesystem::remove(blocker);
  // The retry comes 5 s later.
  REQUIRE(rig.run_until([&] { return state_has(rig.dir.path(), 1); }, 20s));
  Snapshots snaps;
  snaps.take("retried", rig.dir.path());
  const auto r = restart(snaps.taken[0].second->path());
  CHECK(r.pending == Strings{"x/firing", "z/firing"});
  CHECK(r.firing == Strings{"x", "z"});  // the retried state does not claim z's note
}
