// Opening the outbox: the lock, then the replay of its file into per-sink queues and notes,
// dropping a torn tail and skipping (and preserving) damage in the middle.
#include "alert/outbox.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace flywatch::alert {

using namespace outbox_io;

WebhookOutbox::OpenResult WebhookOutbox::open(const std::filesystem::path& dir,
                                              OutboxOptions options) {
  OpenResult result;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    result.error = ec ? ec : std::make_error_code(std::errc::not_a_directory);
    result.detail = "outbox directory " + dir.string() + " is not a directory";
    return result;
  }
  std::unique_ptr<WebhookOutbox> outbox(new WebhookOutbox(dir, std::move(options)));

  // One process per directory: two writers appending at their own offsets would interleave.
  // A lock file that cannot be created (read-only directory) is no reason to refuse to run.
  const std::string lock_path = outbox->path_of(".lock");
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd >= 0) {
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      result.error = last_errno();
      result.detail = "outbox " + outbox->path_of("") + " is in use by another process (" +
                      lock_path + " is locked)";
      ::close(lock_fd);
      return result;
    }
    outbox->lock_fd_ = lock_fd;
  }

  if (auto e = outbox->replay(result.report)) {
    result.error = e;
    result.detail = e == std::errc::illegal_byte_sequence
                        ? outbox->path_of("") + " is not an outbox file (left untouched)"
                        : "cannot read outbox " + outbox->path_of("");
    return result;
  }
  result.outbox = std::move(outbox);
  return result;
}

std::error_code WebhookOutbox::replay(ReplayReport& report) {
  const std::string log = path_of("");
  // The old file is whole whenever a temp file is left: rename is the commit point.
  if (::unlink(path_of(".tmp").c_str()) == 0) report.removed_stale_temp = true;

  int fd = options_.ops.open(log.c_str(), O_RDWR | O_CLOEXEC, 0);
  bool writable = fd >= 0;
  if (fd < 0) {
    if (errno == ENOENT) return {};  // created by the first write
    report.write_error = last_errno();
    fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? std::error_code{} : last_errno();
  }
  std::string data;
  if (read_whole(fd, data) != 0) {
    const auto e = last_errno();
    ::close(fd);
    return e;
  }

  const std::string_view all(data);
  // Truncating a file that is not an outbox at all (a wrong file_name or state_dir) would
  // destroy someone else's data: refuse to start instead.
  const std::size_t head = std::min(all.size(), outbox_record_magic.size());
  if (!all.empty() && all.substr(0, head) != outbox_record_magic.substr(0, head) &&
      find_next_record(all, 0) == std::string_view::npos) {
    ::close(fd);
    fd_ = -1;
    return std::make_error_code(std::errc::illegal_byte_sequence);
  }
  std::size_t p = 0;
  // The latest note whose events have not all been read yet: if the file ends first, the batch
  // was cut short and goes whole.
  struct OpenBatch {
    std::size_t offset = 0;
    std::uint64_t note_seq = 0;
    std::uint32_t missing = 0;
    // What the batch added; a record whose seq was taken already (in a file the outbox did not
    // write) added nothing, and dropping the batch must not take the earlier one.
    bool note_added = false;
    std::vector<std::pair<std::string, std::uint64_t>> events;  ///< sink, seq
  };
  std::optional<OpenBatch> batch;
  // Takes back what the open batch added (its note and the events read so far) and closes it.
  const auto drop_batch = [this, &batch] {
    const auto note = batch->note_added ? notes_.find(batch->note_seq) : notes_.end();
    if (note != notes_.end()) {
      live_bytes_ -= note->second.bytes;
      notes_.erase(note);
    }
    for (const auto& [sink, seq] : batch->events) {
      auto& q = queues_[sink];
      const auto it = q.find(seq);
      if (it == q.end()) continue;
      live_bytes_ -= record_size(it->second);
      q.erase(it);
    }
    batch.reset();
  };
  // A batch is one write, so only the last one in the file can be cut short by a crash. One
  // that another record follows before all its events was not written so: it is damage, and
  // goes whole (kept, it would stand at the end once a cut batch after it is truncated, and the
  // next replay would drop it).
  const auto drop_interrupted_batch = [&] {
    if (!batch) return;
    report.corruptions.push_back(
        {batch->offset, p - batch->offset, "batch cut short by a later record"});
    drop_batch();
  };
  while (p < all.size()) {
    auto d = decode_record(all.substr(p));
    if (d.status == DecodeStatus::ok) {
      ++report.records;
      if (auto* e = std::get_if<EnqueueRecord>(&d.record)) {
        next_seq_ = std::max(next_seq_, e->seq + 1);
        OutboxEvent ev{e->seq, e->sink, e->webhook_id, from_ms(e->enqueued_at_ms),
                       std::move(e->payload), true};
        const bool added = queues_[e->sink].emplace(ev.seq, std::move(ev)).second;
        if (added) live_bytes_ += d.size;
        if (batch) {
          if (added) batch->events.emplace_back(e->sink, e->seq);
          if (--batch->missing == 0) batch.reset();
        }
      } else if (auto* n = std::get_if<NoteRecord>(&d.record)) {
        next_seq_ = std::max(next_seq_, n->seq + 1);
        drop_interrupted_batch();
        const bool added = notes_.emplace(n->seq, Note{std::move(n->payload), true, d.size}).second;
        if (added) live_bytes_ += d.size;
        if (n->followers > 0) batch = OpenBatch{p, n->seq, n->followers, added, {}};
      } else {
        drop_interrupted_batch();
        const auto& a = std::get<AckRecord>(d.record);
        // An ack whose enqueue was lost to damage still reserves its seq.
        next_seq_ = std::max(next_seq_, a.seq + 1);
        const auto q = queues_.find(a.sink);
        if (q != queues_.end()) {
          const auto it = q->second.find(a.seq);
          if (it != q->second.end()) {
            live_bytes_ -= record_size(it->second);
            q->second.erase(it);
          }
        }
      }
      p += d.size;
      continue;
    }
    // A valid header that runs past the end is a short write; other damage with no intact
    // record after it is a damaged last record. Either way the tail goes.
    const std::size_t next =
        d.status == DecodeStatus::truncated ? std::string_view::npos : find_next_record(all, p + 1);
    if (next == std::string_view::npos) {
      report.dropped_tail_bytes = all.size() - p;
      report.dropped_tail_reason = std::string(d.reason);
      break;
    }
    batch.reset();  // damage in the middle is reported as such; the batch is not judged
    report.corruptions.push_back({p, next - p, std::string(d.reason)});
    p = next;
  }
  if (batch) {
    // The batch's events were not all written: none of it counts (see append_batch()).
    if (report.dropped_tail_reason.empty()) report.dropped_tail_reason = "batch cut short";
    report.dropped_tail_bytes = all.size() - batch->offset;
    p = batch->offset;
    drop_batch();
  }
  file_end_ = p;

  if (report.dropped_tail_bytes > 0) {
    truncate_owed_ = true;
    if (writable && ::ftruncate(fd, static_cast<off_t>(file_end_)) == 0 &&
        options_.ops.fsync(fd) == 0)
      truncate_owed_ = false;
  }
  if (writable) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  for (const auto& [sink, q] : queues_) report.pending_events += q.size();

  if (!report.corruptions.empty() && fd_ >= 0) {
    // Keep the damaged file for inspection and go on with a clean one, so the damage is
    // reported once rather than at every start.
    for (int n = 1; n < 1000; ++n) {
      const std::string candidate = path_of(".corrupt-" + std::to_string(n));
      if (::access(candidate.c_str(), F_OK) != 0) {
        if (!rewrite(candidate)) report.preserved_copy = candidate;
        break;
      }
    }
  }
  return {};
}

}  // namespace flywatch::alert
