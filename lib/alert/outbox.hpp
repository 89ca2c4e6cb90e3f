#pragma once
/// The durable webhook outbox (DESIGN §7, §11): every alert event for a sink is appended to one
/// file in `state_dir` and fsynced before it counts as accepted, handed out oldest first per
/// sink until it is acked (delivered or given up on), and replayed after a restart or kill -9.
///
/// Besides events it keeps notes (NoteRecord): opaque payloads written in the same write as a
/// batch of events, never delivered, for the alert state a restart must agree with
/// (lib/alert/alert_notes.hpp). A note stays, through compactions, until drop_notes_through()
/// says a durable snapshot covers it.
///
/// Files in the directory (names from OutboxOptions::file_name, default "outbox.log"):
///   outbox.log          append-only records (lib/alert/outbox_record.hpp)
///   outbox.log.lock     flock'ed while an outbox is open: one process per directory
///   outbox.log.tmp      compaction in progress; a leftover one is deleted at open
///   outbox.log.corrupt-N  a damaged file kept for inspection (see open())
///
/// Synchronous POSIX I/O: call it off the probe path. Not thread-safe: one caller at a time.
/// No clock reads: times come in as arguments. Never throws after open() returned an outbox
/// (except std::bad_alloc).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "alert/outbox_types.hpp"

namespace flywatch::alert {

class WebhookOutbox {
 public:
  struct OpenResult {
    std::unique_ptr<WebhookOutbox> outbox;  ///< null when `error`
    std::error_code error;
    std::string detail;  ///< what failed, for the startup error message
    ReplayReport report;
  };

  /// Opens (or prepares to create) the outbox in the existing directory `dir` and replays it:
  /// per-sink queues of the un-acked events, in order, with their seq, webhook-id and enqueue
  /// time. A torn or damaged last record is dropped and the file truncated; damage in the middle
  /// is skipped and reported (see ReplayReport). Errors: `dir` missing or not a directory,
  /// another process holding the lock, the file unreadable, or a file with no intact record
  /// that does not start like one (errc::illegal_byte_sequence: not an outbox, left
  /// untouched). A file that exists but cannot be written, or cannot be created, is not an
  /// error: report.write_error says why and appends wait in memory until writing works.
  /// Throws only if std::random_device fails.
  static OpenResult open(const std::filesystem::path& dir, OutboxOptions options = {});

  ~WebhookOutbox();
  WebhookOutbox(const WebhookOutbox&) = delete;
  WebhookOutbox& operator=(const WebhookOutbox&) = delete;

  /// Queues `payload` for `sink` with a new seq and webhook-id made from `now`, writes every
  /// record waiting in memory and this one, and fsyncs. `sink` must be 1..65535 bytes and the
  /// payload at most max_payload_bytes (else not queued, errc::invalid_argument).
  AppendResult append(std::string_view sink, std::string_view payload,
                      std::chrono::system_clock::time_point now);

  /// Queues `note` (when given), then every event of `events` in order, and writes them all with
  /// one write and one fsync: after a crash replay finds the note and all of the events, or none
  /// of them. Each event is checked as append() checks it (a refused one is left out of the batch
  /// and the note's count); when the in-memory limit is reached the whole batch is refused, and a
  /// note larger than a record can hold is left out (the events still go). The results are one
  /// per event; `note_seq` receives the note's seq (0: none written).
  std::vector<AppendResult> append_batch(const std::optional<std::string>& note,
                                         const std::vector<OutboxAppend>& events,
                                         std::chrono::system_clock::time_point now,
                                         std::uint64_t* note_seq = nullptr);

  /// The notes kept (see drop_notes_through()), in seq order, written or waiting in memory.
  std::vector<OutboxNote> notes() const;
  /// Forgets the notes with seq <= `seq` (a durable snapshot covers them): compaction leaves them
  /// out from now on. May compact.
  void drop_notes_through(std::uint64_t seq);
  /// The seq of the last event or note queued (0: none yet).
  std::uint64_t last_seq() const { return next_seq_ - 1; }
  /// Makes every later seq at least `next`: a compacted file may no longer hold the highest seq
  /// a snapshot outside the outbox refers to.
  void reserve_seq(std::uint64_t next) { next_seq_ = std::max(next_seq_, next); }

  /// The oldest undelivered event of `sink` (durable or still in memory: a full disk must not
  /// stop paging), or null. Valid until the next non-const call.
  const OutboxEvent* next(std::string_view sink) const;

  /// Ends event `seq` of `sink` (delivered or given up on); any pending event may be acked, not
  /// only the oldest. The ack is written and fsynced; an event not yet written is just dropped
  /// from memory. Returns: empty on success; errc::invalid_argument when no such pending event
  /// (nothing changes); a write error when the ack record waits in memory (the event is gone
  /// from the queue either way; if the process dies first it is delivered again). May compact.
  std::error_code ack(std::string_view sink, std::uint64_t seq);

  /// Writes what waits in memory. Empty when nothing waits any more.
  std::error_code flush_pending();

  /// Events whose enqueue record waits in memory, not yet written.
  std::size_t pending_in_memory() const;
  /// Records of either kind waiting in memory.
  std::size_t unwritten_records() const { return backlog_.size(); }
  /// Undelivered events of `sink`.
  std::size_t depth(std::string_view sink) const;
  OutboxStats stats() const;

  /// Rewrites the file with only the undelivered events: temp file, fsync, rename over,
  /// fsync the directory; a crash at any step leaves the old or the new file whole. Refused
  /// (errc::operation_would_block) while records wait in memory. Runs by itself from ack()
  /// when the thresholds in OutboxOptions are passed.
  std::error_code compact();

 private:
  enum class Kind { enqueue, ack, note };
  struct Unwritten {
    std::string bytes;  ///< encoded; a note's payload, encoded when written (its count may change)
    std::string sink;
    std::uint64_t seq = 0;
    Kind kind = Kind::enqueue;
    std::uint32_t followers = 0;  ///< a note's
    bool is_enqueue() const { return kind == Kind::enqueue; }
  };
  struct Note {
    std::string payload;
    bool durable = false;
    std::uint64_t bytes = 0;  ///< its record's size in the file, once written
  };
  using Queue = std::map<std::uint64_t, OutboxEvent>;

  /// Queues one event record in memory (not written); false when refused.
  bool queue_event(std::string_view sink, std::string_view payload,
                   std::chrono::system_clock::time_point now, AppendResult& result);

  WebhookOutbox(std::filesystem::path dir, OutboxOptions options);
  std::error_code replay(ReplayReport& report);
  std::error_code ensure_writable();
  std::error_code write_backlog();
  std::error_code rewrite(const std::string& preserve_as);
  void maybe_compact();
  std::error_code fail(std::error_code e);
  std::string path_of(std::string_view suffix) const;

  std::filesystem::path dir_;
  OutboxOptions options_;
  std::map<std::string, Queue, std::less<>> queues_;
  std::map<std::uint64_t, Note> notes_;  ///< by seq
  std::deque<Unwritten> backlog_;
  std::mt19937_64 rng_;
  int fd_ = -1;
  int lock_fd_ = -1;
  bool truncate_owed_ = false;  ///< bytes past file_end_ may be on disk and must go first
  bool dir_sync_owed_ = false;  ///< the file's directory entry is not known to be durable yet
  std::size_t unwritten_events_ = 0;  ///< enqueue records in backlog_
  std::uint64_t file_end_ = 0;  ///< end of the last intact record
  std::uint64_t live_bytes_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t compaction_floor_ = 0;  ///< no automatic retry below this size after a failure
  std::size_t compactions_ = 0;
  std::size_t compaction_failures_ = 0;
  std::error_code last_write_error_;
};

}  // namespace flywatch::alert
