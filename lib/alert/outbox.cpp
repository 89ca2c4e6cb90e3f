#include "alert/outbox.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert/outbox_record.hpp"

namespace flywatch::alert {
namespace {

using Clock = std::chrono::system_clock;

std::error_code last_errno() { return {errno, std::generic_category()}; }

std::int64_t to_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(ms)));
}

EnqueueRecord to_record(const OutboxEvent& e) {
  return EnqueueRecord{e.seq, to_ms(e.enqueued_at), e.sink, e.webhook_id, e.payload};
}

std::uint64_t record_size(const OutboxEvent& e) {
  return outbox_record_header_bytes + 20 + e.sink.size() + e.webhook_id.size() + e.payload.size();
}

// Writes all of `data` at `offset`; a short write is continued, as POSIX allows one.
int write_all(const OutboxFileOps& ops, int fd, std::string_view data, std::uint64_t offset) {
  while (!data.empty()) {
    const ssize_t n = ops.pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) {
      errno = EIO;
      return -1;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return 0;
}

int read_whole(int fd, std::string& out) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) return 0;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// A renamed or created file is durable only once its directory is fsynced.
int fsync_dir(const std::filesystem::path& dir, const OutboxFileOps& ops) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  const int rc = ops.fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return rc;
}

// Offset of the first intact record at or after `from`, or npos.
std::size_t find_next_record(std::string_view all, std::size_t from) {
  for (;;) {
    const std::size_t pos = all.find(outbox_record_magic, from);
    if (pos == std::string_view::npos) return pos;
    if (decode_record(all.substr(pos)).status == DecodeStatus::ok) return pos;
    from = pos + 1;
  }
}

}  // namespace

OutboxFileOps OutboxFileOps::posix() {
  OutboxFileOps ops;
  ops.open = [](const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); };
  ops.pwrite = [](int fd, const void* data, std::size_t size, off_t offset) {
    return ::pwrite(fd, data, size, offset);
  };
  ops.fsync = [](int fd) { return ::fsync(fd); };
  ops.rename = [](const char* from, const char* to) { return ::rename(from, to); };
  return ops;
}

WebhookOutbox::WebhookOutbox(std::filesystem::path dir, OutboxOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  rng_.seed(options_.random_seed != 0 ? options_.random_seed
                                      : (std::uint64_t{std::random_device{}()} << 32) ^
                                            std::random_device{}());
}

WebhookOutbox::~WebhookOutbox() {
  // Last chance for events that waited in memory.
  if (!backlog_.empty()) flush_pending();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string WebhookOutbox::path_of(std::string_view suffix) const {
  return (dir_ / (options_.file_name + std::string(suffix))).string();
}

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
    std::vector<std::pair<std::string, std::uint64_t>> events;  ///< sink, seq
  };
  std::optional<OpenBatch> batch;
  while (p < all.size()) {
    auto d = decode_record(all.substr(p));
    if (d.status == DecodeStatus::ok) {
      ++report.records;
      if (auto* e = std::get_if<EnqueueRecord>(&d.record)) {
        next_seq_ = std::max(next_seq_, e->seq + 1);
        if (batch) {
          batch->events.emplace_back(e->sink, e->seq);
          if (--batch->missing == 0) batch.reset();
        }
        OutboxEvent ev{e->seq, e->sink, e->webhook_id, from_ms(e->enqueued_at_ms),
                       std::move(e->payload), true};
        if (queues_[e->sink].emplace(ev.seq, std::move(ev)).second) live_bytes_ += d.size;
      } else if (auto* n = std::get_if<NoteRecord>(&d.record)) {
        next_seq_ = std::max(next_seq_, n->seq + 1);
        batch.reset();  // not at the end: whatever came before it is whole
        if (notes_.emplace(n->seq, Note{std::move(n->payload), true, d.size}).second)
          live_bytes_ += d.size;
        if (n->followers > 0) batch = OpenBatch{p, n->seq, n->followers, {}};
      } else {
        batch.reset();
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
    const auto note = notes_.find(batch->note_seq);
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
    if (report.dropped_tail_reason.empty()) report.dropped_tail_reason = "batch cut short";
    report.dropped_tail_bytes = all.size() - batch->offset;
    p = batch->offset;
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

std::error_code WebhookOutbox::fail(std::error_code e) {
  last_write_error_ = e;
  return e;
}

std::error_code WebhookOutbox::ensure_writable() {
  if (fd_ < 0) {
    const std::string log = path_of("");
    struct stat st {};
    const bool existed = ::stat(log.c_str(), &st) == 0;
    const int fd = options_.ops.open(log.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return last_errno();
    fd_ = fd;
    if (!existed) dir_sync_owed_ = true;
  }
  if (truncate_owed_) {
    if (::ftruncate(fd_, static_cast<off_t>(file_end_)) != 0) return last_errno();
    truncate_owed_ = false;
  }
  if (dir_sync_owed_) {
    if (fsync_dir(dir_, options_.ops) != 0) return last_errno();
    dir_sync_owed_ = false;
  }
  return {};
}

std::error_code WebhookOutbox::write_backlog() {
  if (backlog_.empty()) return {};
  if (auto e = ensure_writable()) return fail(e);
  std::string buf;
  for (const auto& u : backlog_) {
    buf += u.kind == Kind::note ? encode_record(NoteRecord{u.seq, u.followers, u.bytes}) : u.bytes;
  }
  if (write_all(options_.ops, fd_, buf, file_end_) != 0 || options_.ops.fsync(fd_) != 0) {
    const auto e = last_errno();
    // Whatever part reached the file must not stay in front of the next write.
    truncate_owed_ = ::ftruncate(fd_, static_cast<off_t>(file_end_)) != 0;
    return fail(e);
  }
  file_end_ += buf.size();
  for (const auto& u : backlog_) {
    if (u.kind == Kind::note) {
      const auto n = notes_.find(u.seq);
      if (n == notes_.end()) continue;  // dropped while it waited
      n->second.durable = true;
      n->second.bytes = encoded_record_size(NoteRecord{u.seq, u.followers, u.bytes});
      live_bytes_ += n->second.bytes;
      continue;
    }
    if (!u.is_enqueue()) continue;
    const auto q = queues_.find(u.sink);
    if (q == queues_.end()) continue;
    const auto it = q->second.find(u.seq);
    if (it == q->second.end()) continue;
    it->second.durable = true;
    live_bytes_ += u.bytes.size();
  }
  backlog_.clear();
  unwritten_events_ = 0;
  last_write_error_ = {};
  return {};
}

bool WebhookOutbox::queue_event(std::string_view sink, std::string_view payload,
                                Clock::time_point now, AppendResult& result) {
  if (sink.empty() || sink.size() > max_record_name_bytes ||
      payload.size() > options_.max_payload_bytes ||
      payload.size() + sink.size() + 64 > max_record_body_bytes) {
    result.error = std::make_error_code(std::errc::invalid_argument);
    return false;
  }
  std::array<std::uint8_t, 10> random{};
  for (auto& b : random) b = static_cast<std::uint8_t>(rng_() & 0xffu);

  OutboxEvent ev;
  ev.seq = next_seq_++;
  ev.sink = std::string(sink);
  ev.enqueued_at = from_ms(to_ms(now));
  ev.webhook_id = make_webhook_id(to_ms(now), random);
  ev.payload = std::string(payload);
  backlog_.push_back({encode_record(to_record(ev)), ev.sink, ev.seq, Kind::enqueue});
  ++unwritten_events_;
  result.queued = true;
  result.seq = ev.seq;
  result.webhook_id = ev.webhook_id;
  queues_[ev.sink].emplace(ev.seq, std::move(ev));
  return true;
}

AppendResult WebhookOutbox::append(std::string_view sink, std::string_view payload,
                                   Clock::time_point now) {
  AppendResult result;
  if (unwritten_events_ >= options_.max_pending_in_memory) {
    result.error = std::make_error_code(std::errc::no_buffer_space);
    return result;
  }
  if (queue_event(sink, payload, now, result)) result.error = write_backlog();
  return result;
}

std::vector<AppendResult> WebhookOutbox::append_batch(const std::optional<std::string>& note,
                                                      const std::vector<OutboxAppend>& events,
                                                      Clock::time_point now,
                                                      std::uint64_t* note_seq) {
  std::vector<AppendResult> results(events.size());
  if (note_seq) *note_seq = 0;
  if (unwritten_events_ >= options_.max_pending_in_memory) {
    for (auto& r : results) r.error = std::make_error_code(std::errc::no_buffer_space);
    return results;
  }
  // A note too big for a record is left out rather than the events with it: they must go out.
  const bool with_note = note && note->size() + 64 <= max_record_body_bytes;
  const std::size_t note_at = backlog_.size();
  if (with_note) {
    const std::uint64_t seq = next_seq_++;
    notes_.emplace(seq, Note{*note, false, 0});
    backlog_.push_back({*note, std::string(), seq, Kind::note, 0});
    if (note_seq) *note_seq = seq;
  }
  std::uint32_t followers = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (queue_event(events[i].sink, events[i].payload, now, results[i])) ++followers;
  }
  if (with_note) backlog_[note_at].followers = followers;
  const auto e = write_backlog();
  for (auto& r : results) {
    if (r.queued) r.error = e;
  }
  return results;
}

std::vector<OutboxNote> WebhookOutbox::notes() const {
  std::vector<OutboxNote> out;
  out.reserve(notes_.size());
  for (const auto& [seq, n] : notes_) out.push_back({seq, n.payload});
  return out;
}

void WebhookOutbox::drop_notes_through(std::uint64_t seq) {
  for (auto it = notes_.begin(); it != notes_.end() && it->first <= seq;) {
    // One still waiting in memory is written anyway (its batch's count includes it; the backlog
    // has its bytes), just not kept afterwards.
    if (it->second.durable) live_bytes_ -= it->second.bytes;
    it = notes_.erase(it);
  }
  maybe_compact();
}

const OutboxEvent* WebhookOutbox::next(std::string_view sink) const {
  const auto q = queues_.find(sink);
  if (q == queues_.end() || q->second.empty()) return nullptr;
  return &q->second.begin()->second;
}

std::error_code WebhookOutbox::ack(std::string_view sink, std::uint64_t seq) {
  const auto q = queues_.find(sink);
  if (q == queues_.end()) return std::make_error_code(std::errc::invalid_argument);
  const auto it = q->second.find(seq);
  if (it == q->second.end()) return std::make_error_code(std::errc::invalid_argument);
  if (!it->second.durable) {
    // Never written: forgetting it is enough, and the records behind it keep their order.
    const auto u = std::find_if(backlog_.begin(), backlog_.end(), [&](const Unwritten& w) {
      return w.is_enqueue() && w.seq == seq && w.sink == sink;
    });
    if (u != backlog_.end()) {
      // The note of its batch, if any, counts one event fewer after it.
      std::uint32_t before = 0;  // events of the same batch in front of it
      for (auto b = std::make_reverse_iterator(u); b != backlog_.rend(); ++b) {
        if (b->kind == Kind::enqueue) {
          ++before;
          continue;
        }
        if (b->kind == Kind::note && before < b->followers) --b->followers;
        break;
      }
      backlog_.erase(u);
      --unwritten_events_;
    }
    q->second.erase(it);
    return write_backlog();
  }
  live_bytes_ -= record_size(it->second);
  q->second.erase(it);
  backlog_.push_back(
      {encode_record(AckRecord{seq, std::string(sink)}), std::string(sink), seq, Kind::ack});
  auto e = write_backlog();
  if (!e) maybe_compact();
  return e;
}

std::error_code WebhookOutbox::flush_pending() { return write_backlog(); }

std::size_t WebhookOutbox::pending_in_memory() const { return unwritten_events_; }

std::size_t WebhookOutbox::depth(std::string_view sink) const {
  const auto q = queues_.find(sink);
  return q == queues_.end() ? 0 : q->second.size();
}

OutboxStats WebhookOutbox::stats() const {
  OutboxStats s;
  for (const auto& [sink, q] : queues_) {
    OutboxSinkStats st;
    st.sink = sink;
    st.depth = q.size();
    for (const auto& [seq, ev] : q) {
      if (!st.oldest_enqueued_at || ev.enqueued_at < *st.oldest_enqueued_at)
        st.oldest_enqueued_at = ev.enqueued_at;
    }
    s.sinks.push_back(std::move(st));
  }
  s.file_bytes = file_end_;
  s.live_bytes = live_bytes_;
  s.pending_in_memory = unwritten_events_;
  s.compactions = compactions_;
  s.compaction_failures = compaction_failures_;
  s.last_write_error = last_write_error_;
  return s;
}

void WebhookOutbox::maybe_compact() {
  if (!backlog_.empty() || file_end_ < options_.compact_min_bytes || file_end_ < compaction_floor_)
    return;
  const auto dead = static_cast<double>(file_end_ - live_bytes_);
  if (dead <= options_.compact_dead_ratio * static_cast<double>(file_end_)) return;
  // After a failure (a full disk, say) wait for the file to grow before trying again rather
  // than rewriting on every ack.
  if (compact()) compaction_floor_ = file_end_ + options_.compact_min_bytes / 4 + 1;
}

std::error_code WebhookOutbox::compact() {
  auto e = rewrite("");
  if (e) {
    ++compaction_failures_;
  } else {
    ++compactions_;
  }
  return e;
}

std::error_code WebhookOutbox::rewrite(const std::string& preserve_as) {
  if (!backlog_.empty()) return std::make_error_code(std::errc::operation_would_block);
  // Events and notes, in seq order (append order, so every sink keeps its order). A note is
  // written alone (no followers): its batch is known whole.
  std::vector<std::pair<std::uint64_t, std::string>> live;
  for (const auto& [sink, q] : queues_)
    for (const auto& [seq, ev] : q) live.emplace_back(seq, encode_record(to_record(ev)));
  for (const auto& [seq, n] : notes_) live.emplace_back(seq, encode_record(NoteRecord{seq, 0, n.payload}));
  std::stable_sort(live.begin(), live.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string buf;
  for (const auto& [seq, bytes] : live) buf += bytes;

  const std::string log = path_of("");
  const std::string tmp = path_of(".tmp");
  const auto& ops = options_.ops;
  const int t = ops.open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (t < 0) return last_errno();
  if (write_all(ops, t, buf, 0) != 0 || ops.fsync(t) != 0) {
    const auto e = last_errno();
    ::close(t);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(t);
  if (!preserve_as.empty() && ::link(log.c_str(), preserve_as.c_str()) != 0) {
    const auto e = last_errno();
    ::unlink(tmp.c_str());
    return e;
  }
  if (ops.rename(tmp.c_str(), log.c_str()) != 0) {
    const auto e = last_errno();
    ::unlink(tmp.c_str());
    return e;
  }
  // From here the new file is the outbox. Until the directory is fsynced a crash may bring
  // back the old one, so later appends to the new one count only after it is.
  dir_sync_owed_ = fsync_dir(dir_, ops) != 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = ops.open(log.c_str(), O_RDWR | O_CLOEXEC, 0);  // reopened lazily if this fails
  file_end_ = buf.size();
  live_bytes_ = buf.size();
  for (auto& [seq, n] : notes_) n.bytes = encoded_record_size(NoteRecord{seq, 0, n.payload});
  truncate_owed_ = false;
  return {};
}

}  // namespace flywatch::alert
