#pragma once
/// The plain values of the durable outbox (outbox.hpp): its options, the events and notes it
/// hands out, and what appends, replay and stats report.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "alert/outbox_file.hpp"

namespace flywatch::alert {

struct OutboxOptions {
  std::string file_name = "outbox.log";
  /// Compaction runs when the file is at least this big and more than `compact_dead_ratio` of
  /// it is acked events, ack records or skipped corruption.
  std::uint64_t compact_min_bytes = 1u << 20;
  double compact_dead_ratio = 0.5;
  /// Events kept in memory while the disk refuses writes; append() refuses new ones past this
  /// (std::errc::no_buffer_space) so a long outage cannot exhaust memory.
  std::size_t max_pending_in_memory = 100000;
  std::size_t max_payload_bytes = 16u << 20;
  OutboxFileOps ops = OutboxFileOps::posix();
  /// Seeds the webhook-id randomness; 0 = std::random_device.
  std::uint64_t random_seed = 0;
};

/// One event as the delivery loop sees it.
struct OutboxEvent {
  std::uint64_t seq = 0;  ///< increasing in append order across all sinks of this outbox
  std::string sink;
  std::string webhook_id;  ///< fixed at append; the same on every retry and after replay
  std::chrono::system_clock::time_point enqueued_at{};  ///< millisecond precision
  std::string payload;
  bool durable = false;  ///< written and fsynced; false while it waits in memory
};

/// One event of append_batch().
struct OutboxAppend {
  std::string sink;
  std::string payload;
};

/// A note as replay found it or append_batch() wrote it.
struct OutboxNote {
  std::uint64_t seq = 0;  ///< in the same sequence as the events'
  std::string payload;
  bool operator==(const OutboxNote&) const = default;
};

struct AppendResult {
  /// False only for a refused event (bad argument, or the in-memory limit reached).
  bool queued = false;
  std::uint64_t seq = 0;
  std::string webhook_id;
  /// Empty: durable (written and fsynced). Otherwise, when `queued`, the write error
  /// (e.g. no_space_on_device, read_only_file_system, io_error): the event waits in memory, in
  /// order, and is written by the next append(), ack() or flush_pending() that succeeds.
  std::error_code error;
  bool durable() const { return queued && !error; }
};

/// What open() found in the file.
struct ReplayReport {
  struct Corruption {
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;  ///< skipped up to the next intact record
    std::string reason;
  };
  std::size_t records = 0;  ///< intact records read
  std::size_t pending_events = 0;
  /// A torn (short) or damaged LAST record, removed by truncating the file to the end of the
  /// last intact record. Nothing before it is lost.
  /// A note whose events were not all written after it (a batch cut short by a crash) goes too,
  /// with the events that were: a batch is replayed whole or not at all.
  std::uint64_t dropped_tail_bytes = 0;
  std::string dropped_tail_reason;
  /// Damage followed by intact records. Each damaged range is skipped and the intact records
  /// after it are kept: records inside a range are lost (a lost ack means a redelivery, a lost
  /// enqueue an event never delivered — report it loudly). A batch that another record follows
  /// before all its events is damage too (only the last write can be cut short): its range is
  /// the note and the events read, all dropped. The damaged file is kept as `preserved_copy` and
  /// the outbox rewritten without the damage.
  std::vector<Corruption> corruptions;
  std::string preserved_copy;
  bool removed_stale_temp = false;  ///< a compaction was interrupted; the old file was used
  /// The file could not be opened for writing (e.g. read-only directory): events wait in memory.
  std::error_code write_error;
};

struct OutboxSinkStats {
  std::string sink;
  std::size_t depth = 0;  ///< undelivered events, durable or not
  std::optional<std::chrono::system_clock::time_point> oldest_enqueued_at;
};

struct OutboxStats {
  std::vector<OutboxSinkStats> sinks;  ///< every sink seen since open, by name
  std::uint64_t file_bytes = 0;
  std::uint64_t live_bytes = 0;  ///< bytes of undelivered events in the file
  std::size_t pending_in_memory = 0;
  std::size_t compactions = 0;
  std::size_t compaction_failures = 0;
  std::error_code last_write_error;  ///< empty once a write succeeded again
};

}  // namespace flywatch::alert
