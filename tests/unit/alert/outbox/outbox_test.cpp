// The outbox in normal use (order per sink, acks, replay, stats, the lock, compaction) and with
// a disk that refuses writes (through OutboxFileOps).

#include <doctest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fcntl.h>
#include <sys/stat.h>

#include "alert/outbox.hpp"
#include "alert/outbox_record.hpp"
#include "outbox_test_util.hpp"

using namespace flywatch;
using namespace flywatch::alert;
using flywatch::test::EventView;
using flywatch::test::open_outbox;
using flywatch::test::pending_of;
using flywatch::test::ScratchDir;
using flywatch::test::test_time;

TEST_CASE("events come out per sink in append order until acked") {
  ScratchDir dir;
  auto ob = open_outbox(dir.path());
  CHECK(ob->next("slack") == nullptr);
  std::vector<AppendResult> r;
  for (int i = 0; i < 6; ++i)
    r.push_back(ob->append(i % 2 == 0 ? "slack" : "pagerduty", "p" + std::to_string(i), test_time(i)));
  for (const auto& a : r) {
    CHECK(a.durable());
    CHECK(a.webhook_id.size() == 30);
  }
  CHECK(r[0].seq < r[1].seq);
  CHECK(r[1].seq < r[2].seq);
  CHECK(r[0].webhook_id != r[2].webhook_id);
  CHECK(ob->depth("slack") == 3);
  CHECK(ob->depth("pagerduty") == 3);

  const auto* head = ob->next("slack");
  REQUIRE(head != nullptr);
  CHECK(head->payload == "p0");
  CHECK(head->seq == r[0].seq);
  CHECK(head->webhook_id == r[0].webhook_id);
  CHECK(head->durable);
  CHECK(head->enqueued_at == test_time(0));
  // Looking does not consume.
  CHECK(ob->next("slack")->seq == r[0].seq);

  CHECK_FALSE(ob->ack("slack", r[0].seq));
  CHECK(ob->next("slack")->payload == "p2");
  // Giving up on a later event leaves the head alone.
  CHECK_FALSE(ob->ack("slack", r[4].seq));
  CHECK(ob->next("slack")->payload == "p2");
  CHECK(ob->depth("slack") == 1);
  CHECK(ob->ack("slack", r[4].seq) == std::errc::invalid_argument);  // already acked
  CHECK(ob->ack("slack", r[1].seq) == std::errc::invalid_argument);  // another sink's event
  CHECK(ob->ack("nosuch", 1) == std::errc::invalid_argument);
  CHECK(ob->next("pagerduty")->payload == "p1");
}

TEST_CASE("append refuses what it cannot frame") {
  ScratchDir dir;
  OutboxOptions opts;
  opts.max_payload_bytes = 10;
  auto ob = open_outbox(dir.path(), opts);
  CHECK(ob->append("", "x", test_time()).error == std::errc::invalid_argument);
  CHECK(ob->append(std::string(70000, 's'), "x", test_time()).error == std::errc::invalid_argument);
  const auto big = ob->append("s", std::string(11, 'x'), test_time());
  CHECK_FALSE(big.queued);
  CHECK(big.error == std::errc::invalid_argument);
  CHECK(ob->depth("s") == 0);
  CHECK(ob->append("s", std::string(10, 'x'), test_time()).durable());
}

TEST_CASE("reopening replays the undelivered events with their ids, in order") {
  ScratchDir dir;
  std::vector<AppendResult> r;
  {
    auto ob = open_outbox(dir.path());
    for (int i = 0; i < 5; ++i) r.push_back(ob->append("hook", "e" + std::to_string(i), test_time(i)));
    r.push_back(ob->append("other", "o", test_time(9)));
    REQUIRE_FALSE(ob->ack("hook", r[0].seq));
    REQUIRE_FALSE(ob->ack("hook", r[3].seq));
  }
  ReplayReport report;
  auto ob = open_outbox(dir.path(), {}, &report);
  CHECK(report.records == 8);
  CHECK(report.pending_events == 4);
  CHECK(report.dropped_tail_bytes == 0);
  CHECK(report.corruptions.empty());
  const std::vector<EventView> want = {{r[1].seq, r[1].webhook_id, "e1"},
                                       {r[2].seq, r[2].webhook_id, "e2"},
                                       {r[4].seq, r[4].webhook_id, "e4"}};
  CHECK(pending_of(dir.path(), "hook") == want);
  const auto* head = ob->next("hook");
  REQUIRE(head != nullptr);
  CHECK(head->enqueued_at == test_time(1));
  CHECK(head->durable);
  CHECK(ob->next("other")->webhook_id == r[5].webhook_id);
  // New events sort after the replayed ones.
  const auto fresh = ob->append("hook", "e5", test_time(10));
  CHECK(fresh.seq > r[5].seq);
  CHECK(fresh.webhook_id != r[5].webhook_id);
}

TEST_CASE("stats give depth and the oldest pending enqueue time per sink") {
  ScratchDir dir;
  auto ob = open_outbox(dir.path());
  const auto a = ob->append("b-sink", "x", test_time(30));
  ob->append("b-sink", "y", test_time(40));
  ob->append("a-sink", "z", test_time(50));
  auto s = ob->stats();
  REQUIRE(s.sinks.size() == 2);
  CHECK(s.sinks[0].sink == "a-sink");
  CHECK(s.sinks[1].depth == 2);
  CHECK(s.sinks[1].oldest_enqueued_at == test_time(30));
  CHECK(s.file_bytes == std::filesystem::file_size(dir.file("outbox.log")));
  CHECK(s.live_bytes == s.file_bytes);
  REQUIRE_FALSE(ob->ack("b-sink", a.seq));
  REQUIRE_FALSE(ob->ack("a-sink", a.seq + 2));
  s = ob->stats();
  CHECK(s.sinks[0].depth == 0);  // an empty sink stays listed (a 0 gauge, not a gap)
  CHECK_FALSE(s.sinks[0].oldest_enqueued_at.has_value());
  CHECK(s.sinks[1].oldest_enqueued_at == test_time(40));
  CHECK(s.live_bytes < s.file_bytes);
}

// Found by tests/fuzz/fuzz_outbox: an enqueue time is 64-bit milliseconds on disk, and one
// beyond system_clock's ±292 years (a file the outbox did not write) overflowed on replay.
TEST_CASE("an enqueue time beyond what system_clock holds replays saturated") {
  using Clock = std::chrono::system_clock;
  using std::chrono::milliseconds;
  ScratchDir dir;
  test::write_file(dir.file("outbox.log"),
                   encode_record(EnqueueRecord{1, INT64_MAX, "a", "id-1", "late"}) +
                       encode_record(EnqueueRecord{2, INT64_MIN, "b", "id-2", "early"}) +
                       encode_record(EnqueueRecord{3, -837260033770291934, "b", "id-3", "fuzzed"}));
  auto ob = open_outbox(dir.path());
  constexpr auto latest = std::chrono::floor<milliseconds>(Clock::duration::max());
  constexpr auto earliest = std::chrono::ceil<milliseconds>(Clock::duration::min());
  REQUIRE(ob->next("a") != nullptr);
  CHECK(ob->next("a")->enqueued_at == Clock::time_point{latest});
  REQUIRE(ob->next("b") != nullptr);
  CHECK(ob->next("b")->enqueued_at == Clock::time_point{earliest});
  REQUIRE_FALSE(ob->ack("b", 2));
  CHECK(ob->next("b")->enqueued_at == Clock::time_point{earliest});
}

TEST_CASE("one outbox per directory") {
  ScratchDir dir;
  auto first = open_outbox(dir.path());
  const auto second = WebhookOutbox::open(dir.path());
  CHECK(second.outbox == nullptr);
  CHECK(second.error == std::errc::resource_unavailable_try_again);
  CHECK(second.detail.find("in use") != std::string::npos);
  first.reset();
  CHECK(WebhookOutbox::open(dir.path()).outbox != nullptr);
  const auto missing = WebhookOutbox::open(dir.file("nope"));
  CHECK(missing.outbox == nullptr);
  CHECK(missing.error);
}

TEST_CASE("a file that is not an outbox is refused and left alone") {
  ScratchDir dir;
  const std::string foreign = "some: yaml\nthat: is not an outbox\n";
  flywatch::test::write_file(dir.file("outbox.log"), foreign);
  const auto r = WebhookOutbox::open(dir.path());
  CHECK(r.outbox == nullptr);
  CHECK(r.error == std::errc::illegal_byte_sequence);
  CHECK(r.detail.find("not an outbox") != std::string::npos);
  CHECK(flywatch::test::read_file(dir.file("outbox.log")) == foreign);
}

TEST_CASE("compaction keeps the pending events, their order and ids") {
  ScratchDir dir;
  OutboxOptions opts;
  opts.compact_min_bytes = 8 * 1024;
  std::vector<AppendResult> r;
  auto ob = open_outbox(dir.path(), opts);
  const std::string pad(200, '.');
  for (int i = 0; i < 60; ++i)
    r.push_back(ob->append(i % 3 == 0 ? "a" : "b", std::to_string(i) + pad, test_time(i)));
  const auto before = std::filesystem::file_size(dir.file("outbox.log"));
  // Deliver all but every tenth event.
  for (int i = 0; i < 60; ++i)
    if (i % 10 != 0) REQUIRE_FALSE(ob->ack(i % 3 == 0 ? "a" : "b", r[static_cast<std::size_t>(i)].seq));
  const auto s = ob->stats();
  CHECK(s.compactions >= 1);
  CHECK(s.compaction_failures == 0);
  const auto after = std::filesystem::file_size(dir.file("outbox.log"));
  CHECK(after < before / 2);
  CHECK(after == s.file_bytes);
  CHECK_FALSE(std::filesystem::exists(dir.file("outbox.log.tmp")));

  std::vector<EventView> want_a, want_b;
  for (int i : {0, 30}) want_a.push_back({r[static_cast<std::size_t>(i)].seq, r[static_cast<std::size_t>(i)].webhook_id, std::to_string(i) + pad});
  for (int i : {10, 20, 40, 50}) want_b.push_back({r[static_cast<std::size_t>(i)].seq, r[static_cast<std::size_t>(i)].webhook_id, std::to_string(i) + pad});
  CHECK(pending_of(dir.path(), "a") == want_a);
  CHECK(pending_of(dir.path(), "b") == want_b);
  // Appends after compaction land in the new file.
  const auto late = ob->append("a", "late", test_time(99));
  REQUIRE(late.durable());
  want_a.push_back({late.seq, late.webhook_id, "late"});
  ob.reset();
  CHECK(pending_of(dir.path(), "a") == want_a);
}

namespace {

// A disk that can be told to fail: every write-side call goes through here.
struct FlakyDisk {
  int fail_errno = 0;        // 0: calls go through
  bool fail_open = false;
  bool fail_fsync = false;
  bool fail_rename = false;
  bool partial_write = false;  // write half of the first chunk, then fail

  OutboxOptions options() {
    OutboxOptions o;
    const auto real = OutboxFileOps::posix();
    o.ops.open = [this, real](const char* p, int flags, mode_t mode) {
      if (fail_errno != 0 && fail_open) {
        errno = fail_errno;
        return -1;
      }
      return real.open(p, flags, mode);
    };
    o.ops.pwrite = [this, real](int fd, const void* d, std::size_t n, off_t off) -> ssize_t {
      if (fail_errno != 0 && !fail_open && !fail_fsync && !fail_rename) {
        if (partial_write && n > 1) {
          partial_write = false;
          return real.pwrite(fd, d, n / 2, off);
        }
        errno = fail_errno;
        return -1;
      }
      return real.pwrite(fd, d, n, off);
    };
    o.ops.fsync = [this, real](int fd) {
      if (fail_errno != 0 && fail_fsync) {
        errno = fail_errno;
        return -1;
      }
      return real.fsync(fd);
    };
    o.ops.rename = [this, real](const char* from, const char* to) {
      if (fail_errno != 0 && fail_rename) {
        errno = fail_errno;
        return -1;
      }
      return real.rename(from, to);
    };
    return o;
  }
};

}  // namespace

TEST_CASE("a full disk keeps events in memory, in order, until a write works") {
  ScratchDir dir;
  FlakyDisk disk;
  auto ob = open_outbox(dir.path(), disk.options());
  const auto first = ob->append("hook", "before", test_time(0));
  REQUIRE(first.durable());
  const auto size_before = std::filesystem::file_size(dir.file("outbox.log"));

  disk.fail_errno = ENOSPC;
  disk.partial_write = true;  // the first failure leaves half a record behind
  std::vector<AppendResult> r;
  for (int i = 0; i < 3; ++i) r.push_back(ob->append("hook", "full" + std::to_string(i), test_time(i + 1)));
  for (const auto& a : r) {
    CHECK(a.queued);
    CHECK_FALSE(a.durable());
    CHECK(a.error == std::errc::no_space_on_device);
  }
  CHECK(ob->pending_in_memory() == 3);
  CHECK(ob->stats().last_write_error == std::errc::no_space_on_device);
  // The half-written record was cut off again.
  CHECK(std::filesystem::file_size(dir.file("outbox.log")) == size_before);
  // Delivery goes on from memory: a full disk must not stop paging.
  CHECK(ob->next("hook")->payload == "before");
  REQUIRE_FALSE(ob->ack("hook", first.seq) == std::errc::invalid_argument);
  CHECK(ob->next("hook")->payload == "full0");
  CHECK_FALSE(ob->next("hook")->durable);
  // Acking an event that never reached the disk just forgets it.
  CHECK(ob->ack("hook", r[1].seq) == std::errc::no_space_on_device);
  CHECK(ob->pending_in_memory() == 2);
  CHECK(ob->flush_pending() == std::errc::no_space_on_device);

  disk.fail_errno = 0;
  CHECK_FALSE(ob->flush_pending());
  CHECK(ob->pending_in_memory() == 0);
  CHECK(ob->unwritten_records() == 0);
  CHECK_FALSE(ob->stats().last_write_error);
  CHECK(ob->next("hook")->durable);
  CHECK(pending_of(dir.path(), "hook") ==
        std::vector<EventView>{{r[0].seq, r[0].webhook_id, "full0"}, {r[2].seq, r[2].webhook_id, "full2"}});
}

TEST_CASE("a failing fsync (EIO) is not accepted, and the records are written again") {
  ScratchDir dir;
  FlakyDisk disk;
  auto ob = open_outbox(dir.path(), disk.options());
  disk.fail_errno = EIO;
  disk.fail_fsync = true;
  const auto a = ob->append("hook", "one", test_time());
  CHECK(a.error == std::errc::io_error);
  CHECK(ob->pending_in_memory() == 1);
  disk.fail_errno = 0;
  // The next append carries the waiting record with it.
  const auto b = ob->append("hook", "two", test_time());
  CHECK(b.durable());
  CHECK(ob->pending_in_memory() == 0);
  CHECK(pending_of(dir.path(), "hook") ==
        std::vector<EventView>{{a.seq, a.webhook_id, "one"}, {b.seq, b.webhook_id, "two"}});
}

TEST_CASE("a read-only file system: the file cannot be created, events wait in memory") {
  ScratchDir dir;
  FlakyDisk disk;
  disk.fail_errno = EROFS;
  disk.fail_open = true;
  auto ob = open_outbox(dir.path(), disk.options());
  std::vector<AppendResult> r;
  for (int i = 0; i < 4; ++i) r.push_back(ob->append("s", std::to_string(i), test_time(i)));
  CHECK(r[3].error == std::errc::read_only_file_system);
  CHECK_FALSE(std::filesystem::exists(dir.file("outbox.log")));
  CHECK(ob->pending_in_memory() == 4);
  CHECK(ob->depth("s") == 4);
  disk.fail_errno = 0;
  CHECK_FALSE(ob->flush_pending());
  std::vector<EventView> want;
  for (const auto& a : r) want.push_back({a.seq, a.webhook_id, std::to_string(want.size())});
  CHECK(pending_of(dir.path(), "s") == want);
}

TEST_CASE("an existing file that cannot be opened for writing is still replayed") {
  ScratchDir dir;
  AppendResult a;
  {
    auto ob = open_outbox(dir.path());
    a = ob->append("s", "kept", test_time());
  }
  FlakyDisk disk;
  disk.fail_errno = EROFS;
  disk.fail_open = true;
  ReplayReport report;
  auto ob = open_outbox(dir.path(), disk.options(), &report);
  CHECK(report.write_error == std::errc::read_only_file_system);
  REQUIRE(ob->next("s") != nullptr);
  CHECK(ob->next("s")->webhook_id == a.webhook_id);
  const auto b = ob->append("s", "later", test_time(1));
  CHECK(b.error == std::errc::read_only_file_system);
  disk.fail_errno = 0;
  CHECK_FALSE(ob->flush_pending());
  CHECK(pending_of(dir.path(), "s") ==
        std::vector<EventView>{{a.seq, a.webhook_id, "kept"}, {b.seq, b.webhook_id, "later"}});
}

TEST_CASE("the in-memory backlog is bounded") {
  ScratchDir dir;
  FlakyDisk disk;
  auto opts = disk.options();
  opts.max_pending_in_memory = 2;
  auto ob = open_outbox(dir.path(), opts);
  disk.fail_errno = ENOSPC;
  CHECK(ob->append("s", "1", test_time()).queued);
  CHECK(ob->append("s", "2", test_time()).queued);
  const auto third = ob->append("s", "3", test_time());
  CHECK_FALSE(third.queued);
  CHECK(third.error == std::errc::no_buffer_space);
  CHECK(ob->depth("s") == 2);
}

TEST_CASE("a failed compaction leaves the old file in use") {
  ScratchDir dir;
  FlakyDisk disk;
  auto opts = disk.options();
  opts.compact_min_bytes = 1;
  std::vector<AppendResult> r;
  auto ob = open_outbox(dir.path(), opts);
  for (int i = 0; i < 4; ++i)
    r.push_back(ob->append("s", std::string(100, static_cast<char>('a' + i)), test_time(i)));
  REQUIRE_FALSE(ob->ack("s", r[0].seq));  // under half of the file is dead: no compaction yet
  CHECK(ob->stats().compactions == 0);
  const std::string old_bytes = flywatch::test::read_file(dir.file("outbox.log"));

  disk.fail_errno = ENOSPC;
  disk.fail_open = true;  // the temp file cannot be created
  CHECK(ob->compact() == std::errc::no_space_on_device);
  disk.fail_open = false;
  disk.fail_rename = true;  // the temp file is written, the rename fails
  disk.fail_errno = EIO;
  CHECK(ob->compact() == std::errc::io_error);
  CHECK(ob->stats().compaction_failures == 2);
  CHECK_FALSE(std::filesystem::exists(dir.file("outbox.log.tmp")));
  CHECK(flywatch::test::read_file(dir.file("outbox.log")) == old_bytes);
  CHECK(ob->stats().file_bytes == old_bytes.size());

  disk.fail_errno = 0;
  CHECK_FALSE(ob->compact());
  CHECK(ob->stats().compactions == 1);
  CHECK(ob->stats().file_bytes < old_bytes.size());
  const auto e = ob->append("s", "after", test_time(9));
  CHECK(e.durable());
  ob.reset();
  const auto pending = pending_of(dir.path(), "s");
  REQUIRE(pending.size() == 4);
  CHECK(pending[0].webhook_id == r[1].webhook_id);
  CHECK(pending[3].payload == "after");
}
