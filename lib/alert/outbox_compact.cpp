// Compaction: the file rewritten with only what is still needed (undelivered events, kept notes),
// through a temp file renamed over it; also how open() rewrites a damaged file.
#include "alert/outbox.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace flywatch::alert {

using namespace outbox_io;

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
