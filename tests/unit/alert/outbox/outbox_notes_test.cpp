// Alert notes in the outbox (issue 9): a batch of events and its note written with one fsync and
// replayed whole or not at all, notes kept through compactions until dropped, seqs that go on
// past a compacted-away snapshot.

#include <doctest.h>

#include <string>
#include <vector>

#include "alert/outbox_record.hpp"
#include "outbox_test_util.hpp"

using namespace flywatch;
using alert::OutboxAppend;
using alert::OutboxNote;
using test::ScratchDir;
using test::test_time;

namespace {

std::filesystem::path log_path(const ScratchDir& d) { return d.path() / "outbox.log"; }

/// Options that count fsyncs.
alert::OutboxOptions counting(int& fsyncs) {
  alert::OutboxOptions o;
  o.ops.fsync = [&fsyncs](int fd) {
    ++fsyncs;
    return ::fsync(fd);
  };
  return o;
}

}  // namespace

TEST_CASE("append_batch: the note and its events in one fsync, replayed in seq order") {
  ScratchDir dir;
  int fsyncs = 0;
  {
    auto o = test::open_outbox(dir.path(), counting(fsyncs));
    CHECK(o->last_seq() == 0);
    fsyncs = 0;
    std::uint64_t note_seq = 0;
    const auto r = o->append_batch(std::string("n1"), {{"a", "x-firing"}, {"b", "x-firing-b"}},
                                   test_time(), &note_seq);
    REQUIRE(r.size() == 2);
    CHECK(r[0].durable());
    CHECK(r[1].durable());
    CHECK(note_seq == 1);
    CHECK(r[0].seq == 2);
    CHECK(r[1].seq == 3);
    // One for the records; creating the file costs one more, for its directory entry.
    CHECK(fsyncs <= 2);
    CHECK(o->notes() == std::vector<OutboxNote>{{1, "n1"}});
    CHECK(o->last_seq() == 3);
    // Without a note it is plain appends; a note without events is written alone.
    o->append_batch(std::nullopt, {{"a", "resend"}}, test_time(1));
    o->append_batch(std::string("n2"), {}, test_time(2));
  }
  auto o = test::open_outbox(dir.path());
  CHECK(o->notes() == std::vector<OutboxNote>{{1, "n1"}, {5, "n2"}});
  CHECK(o->depth("a") == 2);
  CHECK(o->depth("b") == 1);
  CHECK(o->last_seq() == 5);
}

TEST_CASE("a batch cut at any byte is replayed whole or not at all") {
  ScratchDir dir;
  std::size_t before_batch = 0;
  {
    auto o = test::open_outbox(dir.path());
    o->append("a", "earlier", test_time());
    before_batch = test::read_file(log_path(dir)).size();
    o->append_batch(std::string("note"), {{"a", "e1"}, {"b", "e2"}, {"a", "e3"}}, test_time(1));
  }
  const std::string whole = test::read_file(log_path(dir));
  for (std::size_t cut = before_batch; cut <= whole.size(); ++cut) {
    INFO("cut at ", cut, " of ", whole.size());
    ScratchDir copy;
    test::write_file(log_path(copy), whole.substr(0, cut));
    alert::ReplayReport report;
    auto o = test::open_outbox(copy.path(), {}, &report);
    const bool all = cut == whole.size();
    CHECK(o->notes().size() == (all ? 1u : 0u));
    CHECK(o->depth("a") == (all ? 3u : 1u));
    CHECK(o->depth("b") == (all ? 1u : 0u));
    if (!all && cut > before_batch) {
      CHECK(report.dropped_tail_bytes == cut - before_batch);
    }
    // What was dropped is gone from the file too: the next batch is not mixed with it.
    o->append_batch(std::string("next"), {{"a", "e4"}}, test_time(2));
    o.reset();
    auto again = test::open_outbox(copy.path());
    CHECK(again->notes().size() == (all ? 2u : 1u));
    CHECK(again->notes().back().payload == "next");
    CHECK(again->depth("a") == (all ? 4u : 2u));
  }
}

TEST_CASE("notes survive compaction, even with their events delivered, until dropped") {
  ScratchDir dir;
  {
    auto o = test::open_outbox(dir.path());
    o->append_batch(std::string("fires z"), {{"hook", "z firing"}}, test_time());
    // Delivered and acked, and compacted away before any snapshot covered the note.
    REQUIRE_FALSE(o->ack("hook", 2));
    REQUIRE_FALSE(o->compact());
    CHECK(o->depth("hook") == 0);
    CHECK(o->notes() == std::vector<OutboxNote>{{1, "fires z"}});
  }
  {
    auto o = test::open_outbox(dir.path());
    CHECK(o->notes() == std::vector<OutboxNote>{{1, "fires z"}});
    CHECK(o->stats().live_bytes == o->stats().file_bytes);  // the note is live
    o->drop_notes_through(0);
    CHECK(o->notes().size() == 1);
    o->drop_notes_through(1);
    CHECK(o->notes().empty());
    CHECK(o->stats().live_bytes == 0);
    REQUIRE_FALSE(o->compact());
    CHECK(o->stats().file_bytes == 0);
    CHECK(o->last_seq() == 1);
  }
  // The compacted file holds no seq any more: a restart learns where to go on from the snapshot.
  auto o = test::open_outbox(dir.path());
  CHECK(o->last_seq() == 0);
  o->reserve_seq(3);
  o->reserve_seq(1);  // never backwards
  const auto r = o->append("hook", "later", test_time(1));
  CHECK(r.seq == 3);
}

TEST_CASE("dropping notes compacts by itself once they are most of the file") {
  ScratchDir dir;
  alert::OutboxOptions opts = test::no_sync_options();
  opts.compact_min_bytes = 4096;
  auto o = test::open_outbox(dir.path(), opts);
  for (int i = 0; i < 100; ++i) o->append_batch(std::string(100, 'n'), {}, test_time(i));
  CHECK(o->stats().compactions == 0);
  o->drop_notes_through(o->last_seq());
  CHECK(o->stats().compactions == 1);
  CHECK(o->stats().file_bytes == 0);
}

namespace {
// Outbox options whose disk is full (ENOSPC on every write) while `full` holds.
alert::OutboxOptions full_disk_while(const bool& full) {
  alert::OutboxOptions opts;
  opts.ops.pwrite = [&full](int fd, const void* data, std::size_t size, off_t offset) -> ssize_t {
    if (full) {
      errno = ENOSPC;
      return -1;
    }
    return ::pwrite(fd, data, size, offset);
  };
  return opts;
}
}  // namespace

TEST_CASE("an event of a batch delivered before the disk took it: the note counts it out") {
  ScratchDir dir;
  bool full = true;
  const alert::OutboxOptions opts = full_disk_while(full);
  {
    auto o = test::open_outbox(dir.path(), opts);
    const auto r = o->append_batch(std::string("note"), {{"a", "e1"}, {"b", "e2"}}, test_time());
    REQUIRE(r[0].queued);
    CHECK(r[0].error == std::errc::no_space_on_device);
    CHECK(o->notes().size() == 1);
    // Delivered from memory and acked while the disk is full.
    CHECK(o->ack("a", r[0].seq) == std::errc::no_space_on_device);
    full = false;
    REQUIRE_FALSE(o->flush_pending());
  }
  alert::ReplayReport report;
  auto o = test::open_outbox(dir.path(), {}, &report);
  CHECK(report.dropped_tail_bytes == 0);
  CHECK(o->notes().size() == 1);
  CHECK(o->depth("a") == 0);
  CHECK(o->depth("b") == 1);
}

TEST_CASE("a note dropped while it waits in memory is still written whole") {
  ScratchDir dir;
  bool full = true;
  const alert::OutboxOptions opts = full_disk_while(full);
  {
    auto o = test::open_outbox(dir.path(), opts);
    o->append_batch(std::string("fires z"), {{"a", "e1"}}, test_time());
    o->drop_notes_through(o->last_seq());  // a snapshot covers it before the disk takes it
    CHECK(o->notes().empty());
    full = false;
    REQUIRE_FALSE(o->flush_pending());
    CHECK(o->stats().live_bytes < o->stats().file_bytes);  // the note is dead weight
  }
  // The batch is whole on disk: its note with its payload (the snapshot covers it at restore).
  alert::ReplayReport report;
  auto o = test::open_outbox(dir.path(), {}, &report);
  CHECK(report.dropped_tail_bytes == 0);
  CHECK(o->notes() == std::vector<OutboxNote>{{1, "fires z"}});
  CHECK(o->depth("a") == 1);
}

// Found by tests/fuzz/fuzz_outbox. A batch is one write, so only the file's last batch can be
// cut short by a crash. A note followed by fewer events than it counts and then by another
// record was not written by an outbox; replay used to keep that batch as if whole, and once the
// cut last batch was truncated away it stood at the end, so the next replay dropped it: two
// restarts disagreed. It is damage: dropped whole, reported, and the file rewritten clean.
TEST_CASE("a batch missing events before another record is damage and dropped whole") {
  using alert::encode_record;
  const std::string earlier =
      encode_record(alert::EnqueueRecord{1, 1700000000000, "a", "id1", "e1"});
  const std::string short_batch =
      encode_record(alert::NoteRecord{2, 2, "n2"}) +
      encode_record(alert::EnqueueRecord{3, 1700000000000, "a", "id3", "e3"});
  struct Case {
    const char* name;
    std::string next;  ///< the record after the short batch
    std::size_t depth;  ///< events of "a" left: e1 unless acked; e3 goes with its batch
    std::vector<OutboxNote> notes;
  };
  const std::vector<Case> cases = {
      {"a batch cut at the end (the fuzzer's case)", encode_record(alert::NoteRecord{4, 1, "n4"}),
       1, {}},
      {"a whole note", encode_record(alert::NoteRecord{4, 0, "n4"}), 1, {{4, "n4"}}},
      {"an ack", encode_record(alert::AckRecord{1, "a"}), 0, {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    ScratchDir dir;
    test::write_file(log_path(dir), earlier + short_batch + c.next);
    alert::ReplayReport first;
    auto o = test::open_outbox(dir.path(), {}, &first);
    REQUIRE(first.corruptions.size() == 1);
    CHECK(first.corruptions[0].offset == earlier.size());
    CHECK(first.corruptions[0].bytes == short_batch.size());
    CHECK(first.corruptions[0].reason == "batch cut short by a later record");
    CHECK_FALSE(first.preserved_copy.empty());
    CHECK(o->depth("a") == c.depth);
    CHECK(o->notes() == c.notes);
    o.reset();

    alert::ReplayReport second;
    auto again = test::open_outbox(dir.path(), {}, &second);
    CHECK(second.corruptions.empty());
    CHECK(second.dropped_tail_bytes == 0);
    CHECK(again->depth("a") == c.depth);
    CHECK(again->notes() == c.notes);
  }
}

// Found by tests/fuzz/fuzz_outbox: a cut batch whose note or event reuses a seq read before it
// (a file the outbox did not write) added nothing, but dropping it took the earlier record with
// that seq; the truncated file still held that record, so the next replay disagreed.
TEST_CASE("dropping a cut batch keeps the earlier records whose seq it reuses") {
  using alert::encode_record;
  const std::string earlier =
      encode_record(alert::NoteRecord{5, 0, "first"}) +
      encode_record(alert::EnqueueRecord{6, 1700000000000, "a", "i6", "e6"});
  const std::string cut_batch =
      encode_record(alert::NoteRecord{5, 2, "second"}) +
      encode_record(alert::EnqueueRecord{6, 1700000000000, "a", "i7", "dup"});
  ScratchDir dir;
  test::write_file(log_path(dir), earlier + cut_batch);
  for (int open = 1; open <= 2; ++open) {
    CAPTURE(open);
    alert::ReplayReport report;
    auto o = test::open_outbox(dir.path(), {}, &report);
    CHECK(report.dropped_tail_bytes == (open == 1 ? cut_batch.size() : 0u));
    CHECK(o->notes() == std::vector<OutboxNote>{{5, "first"}});
    REQUIRE(o->depth("a") == 1);
    CHECK(o->next("a")->payload == "e6");
  }
}
