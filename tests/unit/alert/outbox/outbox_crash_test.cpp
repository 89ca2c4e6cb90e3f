// The outbox after crashes: a torn file cut at every byte, a bit flip in the last record, damage
// in the middle, a compaction killed before and after its rename, and a writer killed by SIGKILL.

#include <doctest.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "alert/outbox.hpp"
#include "outbox_test_util.hpp"

using namespace flywatch;
using namespace flywatch::alert;
using flywatch::test::drain;
using flywatch::test::EventView;
using flywatch::test::no_sync_options;
using flywatch::test::open_outbox;
using flywatch::test::pending_of;
using flywatch::test::read_file;
using flywatch::test::ScratchDir;
using flywatch::test::test_time;
using flywatch::test::write_file;

namespace {

// What was done to an outbox, with the file size after each step: the oracle for what any
// prefix of the file must replay to.
struct Step {
  bool is_ack = false;
  std::string sink;
  EventView event;
  std::uint64_t end = 0;  // file size once this step's record was written
};

std::vector<Step> record_history(const std::filesystem::path& dir) {
  std::vector<Step> steps;
  auto ob = open_outbox(dir);
  const auto size = [&] { return std::filesystem::file_size(dir / "outbox.log"); };
  const auto add = [&](const std::string& sink, const std::string& payload, int t) {
    const auto a = ob->append(sink, payload, test_time(t));
    REQUIRE(a.durable());
    steps.push_back({false, sink, {a.seq, a.webhook_id, payload}, size()});
    return a;
  };
  const auto a1 = add("slack", "first", 1);
  add("pagerduty", std::string(40, 'p'), 2);
  add("slack", "", 3);
  REQUIRE_FALSE(ob->ack("slack", a1.seq));
  steps.push_back({true, "slack", {a1.seq, {}, {}}, size()});
  add("pagerduty", "fourth", 4);
  add("slack", R"({"type":"alert.resolved"})", 5);
  return steps;
}

// The events of `sink` still pending after the steps whose records end at or before `cut`.
std::vector<EventView> expected_after(const std::vector<Step>& steps, std::uint64_t cut,
                                      const std::string& sink) {
  std::vector<EventView> out;
  for (const auto& s : steps) {
    if (s.end > cut || s.sink != sink) continue;
    if (s.is_ack) {
      std::erase_if(out, [&](const EventView& e) { return e.seq == s.event.seq; });
    } else {
      out.push_back(s.event);
    }
  }
  return out;
}

std::uint64_t last_end_at_or_before(const std::vector<Step>& steps, std::uint64_t cut) {
  std::uint64_t end = 0;
  for (const auto& s : steps)
    if (s.end <= cut) end = s.end;
  return end;
}

}  // namespace

TEST_CASE("a file cut at any byte loses at most the record that was cut") {
  ScratchDir origin;
  const auto steps = record_history(origin.path());
  const std::string bytes = read_file(origin.file("outbox.log"));
  REQUIRE(bytes.size() == steps.back().end);
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    ScratchDir dir;
    write_file(dir.file("outbox.log"), bytes.substr(0, cut));
    ReplayReport report;
    auto ob = open_outbox(dir.path(), no_sync_options(), &report);
    const auto good = last_end_at_or_before(steps, cut);
    INFO("cut at ", cut, " of ", bytes.size());
    CHECK(report.corruptions.empty());
    CHECK(report.dropped_tail_bytes == cut - good);
    CHECK(std::filesystem::file_size(dir.file("outbox.log")) == good);
    CHECK(drain(*ob, "slack") == expected_after(steps, cut, "slack"));
    CHECK(drain(*ob, "pagerduty") == expected_after(steps, cut, "pagerduty"));
  }
}

TEST_CASE("a bit flip anywhere in the last record drops only that record") {
  ScratchDir origin;
  const auto steps = record_history(origin.path());
  const std::string bytes = read_file(origin.file("outbox.log"));
  const auto last_start = steps[steps.size() - 2].end;
  for (std::size_t i = last_start; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ (1 << (i % 8)));
    ScratchDir dir;
    write_file(dir.file("outbox.log"), damaged);
    ReplayReport report;
    auto ob = open_outbox(dir.path(), no_sync_options(), &report);
    INFO("flipped byte ", i);
    CHECK(report.corruptions.empty());
    CHECK(report.dropped_tail_bytes == bytes.size() - last_start);
    CHECK_FALSE(report.dropped_tail_reason.empty());
    CHECK(drain(*ob, "slack") == expected_after(steps, last_start, "slack"));
    CHECK(drain(*ob, "pagerduty") == expected_after(steps, last_start, "pagerduty"));
  }
}

TEST_CASE("a damaged ack as the last record brings its event back (at least once)") {
  ScratchDir origin;
  const auto steps = record_history(origin.path());
  const std::string bytes = read_file(origin.file("outbox.log"));
  const auto ack_end = steps[3].end;
  REQUIRE(steps[3].is_ack);
  ScratchDir dir;
  std::string damaged = bytes.substr(0, ack_end);
  damaged[ack_end - 1] = static_cast<char>(damaged[ack_end - 1] ^ 0x40);
  write_file(dir.file("outbox.log"), damaged);
  auto ob = open_outbox(dir.path(), no_sync_options());
  const auto slack = drain(*ob, "slack");
  REQUIRE(slack.size() == 2);
  CHECK(slack[0] == steps[0].event);
}

TEST_CASE("damage in the middle is reported, skipped, and the intact records after it kept") {
  ScratchDir origin;
  const auto steps = record_history(origin.path());
  const std::string bytes = read_file(origin.file("outbox.log"));
  // Damage the pagerduty event of step 1 (its payload).
  const auto start = steps[0].end, end = steps[1].end;
  std::string damaged = bytes;
  damaged[end - 3] = 'X';
  ScratchDir dir;
  write_file(dir.file("outbox.log"), damaged);
  ReplayReport report;
  auto ob = open_outbox(dir.path(), {}, &report);
  REQUIRE(report.corruptions.size() == 1);
  CHECK(report.corruptions[0].offset == start);
  CHECK(report.corruptions[0].bytes == end - start);
  CHECK(report.corruptions[0].reason == "bad body checksum");
  CHECK(report.dropped_tail_bytes == 0);
  // The damaged file is kept as it was; the outbox goes on with a clean one.
  REQUIRE_FALSE(report.preserved_copy.empty());
  CHECK(read_file(report.preserved_copy) == damaged);
  const auto pd = expected_after(steps, bytes.size(), "pagerduty");
  REQUIRE(pd.size() == 2);
  const std::vector<EventView> want_pd = {pd[1]};
  const auto want_slack = expected_after(steps, bytes.size(), "slack");
  ob.reset();
  ReplayReport again;
  auto reopened = open_outbox(dir.path(), no_sync_options(), &again);
  CHECK(again.corruptions.empty());
  CHECK(again.preserved_copy.empty());
  CHECK(drain(*reopened, "pagerduty") == want_pd);
  CHECK(drain(*reopened, "slack") == want_slack);
}

namespace {

// Builds an outbox with 5 pending events out of 20 and no automatic compaction.
std::vector<EventView> prepare_for_compaction(const std::filesystem::path& dir) {
  OutboxOptions opts;
  opts.compact_min_bytes = 1u << 30;
  auto ob = open_outbox(dir, opts);
  std::vector<EventView> pending;
  for (int i = 0; i < 20; ++i) {
    const std::string payload = "event " + std::to_string(i) + std::string(100, '.');
    const auto a = ob->append("hook", payload, test_time(i));
    REQUIRE(a.durable());
    if (i % 4 == 1) {
      pending.push_back({a.seq, a.webhook_id, payload});
    } else {
      REQUIRE_FALSE(ob->ack("hook", a.seq));
    }
  }
  return pending;
}

// Forks a child that compacts `dir` and is killed by SIGKILL just before or just after the
// rename that commits the new file.
void compact_and_die(const std::filesystem::path& dir, bool after_rename) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    OutboxOptions opts;
    opts.compact_min_bytes = 1u << 30;
    opts.ops.rename = [after_rename](const char* from, const char* to) {
      if (!after_rename) ::raise(SIGKILL);
      const int rc = ::rename(from, to);
      ::raise(SIGKILL);
      return rc;
    };
    auto r = WebhookOutbox::open(dir, opts);
    if (r.outbox) r.outbox->compact();
    ::_exit(3);  // not reached unless compaction never got to its rename
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
}

}  // namespace

TEST_CASE("compaction killed before its rename: the old file is used, the temp file removed") {
  ScratchDir dir;
  const auto want = prepare_for_compaction(dir.path());
  const std::string before = read_file(dir.file("outbox.log"));
  compact_and_die(dir.path(), false);
  CHECK(std::filesystem::exists(dir.file("outbox.log.tmp")));
  CHECK(read_file(dir.file("outbox.log")) == before);
  ReplayReport report;
  auto ob = open_outbox(dir.path(), {}, &report);
  CHECK(report.removed_stale_temp);
  CHECK_FALSE(std::filesystem::exists(dir.file("outbox.log.tmp")));
  CHECK(drain(*ob, "hook") == want);
}

TEST_CASE("compaction killed after its rename: the new file holds every pending event") {
  ScratchDir dir;
  const auto want = prepare_for_compaction(dir.path());
  const auto before = std::filesystem::file_size(dir.file("outbox.log"));
  compact_and_die(dir.path(), true);
  CHECK_FALSE(std::filesystem::exists(dir.file("outbox.log.tmp")));
  CHECK(std::filesystem::file_size(dir.file("outbox.log")) < before / 2);
  ReplayReport report;
  auto ob = open_outbox(dir.path(), {}, &report);
  CHECK_FALSE(report.removed_stale_temp);
  CHECK(report.records == want.size());
  CHECK(drain(*ob, "hook") == want);
}

TEST_CASE("a writer killed by SIGKILL loses no event it reported accepted") {
  ScratchDir dir;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto r = WebhookOutbox::open(dir.path());
    if (!r.outbox) ::_exit(2);
    for (int i = 0; i < 1'000'000; ++i) {
      const std::string sink = i % 3 == 0 ? "a" : "b";
      const std::string payload = "event-" + std::to_string(i);
      const auto a = r.outbox->append(sink, payload, test_time(i));
      if (!a.durable()) ::_exit(4);
      // One short write per line: atomic on a pipe.
      const std::string line = std::to_string(a.seq) + " " + a.webhook_id + " " + sink + " " + payload + "\n";
      if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(5);
      if (i % 7 == 6) r.outbox->ack(sink, a.seq);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::FILE* in = ::fdopen(fds[0], "r");
  REQUIRE(in != nullptr);
  std::map<std::uint64_t, std::pair<std::string, EventView>> reported;
  char buf[256];
  bool killed = false;
  while (std::fgets(buf, sizeof buf, in) != nullptr) {
    std::istringstream line(buf);
    std::uint64_t seq = 0;
    std::string id, sink, payload;
    line >> seq >> id >> sink >> payload;
    reported[seq] = {sink, EventView{seq, id, payload}};
    if (!killed && reported.size() >= 300) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  std::fclose(in);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  REQUIRE(reported.size() >= 300);

  ReplayReport report;
  auto ob = open_outbox(dir.path(), no_sync_options(), &report);
  CHECK(report.corruptions.empty());
  std::map<std::uint64_t, EventView> replayed;
  for (const std::string sink : {"a", "b"}) {
    std::uint64_t prev = 0;
    for (const auto& e : drain(*ob, sink)) {
      CHECK(e.seq > prev);  // in order per sink
      prev = e.seq;
      replayed[e.seq] = e;
    }
  }
  std::size_t checked = 0;
  for (const auto& [seq, entry] : reported) {
    // Every seventh event was acked by the child (after it was reported).
    const bool maybe_acked = std::stoi(entry.second.payload.substr(6)) % 7 == 6;
    const auto it = replayed.find(seq);
    if (it == replayed.end()) {
      INFO("lost event ", seq, " ", entry.second.payload);
      CHECK(maybe_acked);
      continue;
    }
    CHECK(it->second == entry.second);
    ++checked;
  }
  CHECK(checked >= reported.size() * 6 / 7 - 1);
}
