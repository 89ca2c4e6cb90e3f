// The durable outbox: appends, acks, the in-memory backlog of a failing disk, and stats. Open and
// replay: outbox_replay.cpp; compaction: outbox_compact.cpp; the file layer: outbox_file.cpp.
#include "alert/outbox.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace flywatch::alert {

using namespace outbox_io;

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

}  // namespace flywatch::alert
