#include "alert/outbox_file.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "alert/outbox_types.hpp"

namespace flywatch::alert {

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

namespace outbox_io {

std::error_code last_errno() { return {errno, std::generic_category()}; }

std::int64_t to_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_ms(std::int64_t ms) {
  using std::chrono::milliseconds;
  // The file holds 64-bit milliseconds; the clock only ±292 years of nanoseconds.
  constexpr milliseconds latest = std::chrono::floor<milliseconds>(Clock::duration::max());
  constexpr milliseconds earliest = std::chrono::ceil<milliseconds>(Clock::duration::min());
  return Clock::time_point(std::clamp(milliseconds(ms), earliest, latest));
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

}  // namespace outbox_io

}  // namespace flywatch::alert
