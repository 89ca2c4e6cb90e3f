#pragma once
/// The file layer under the durable outbox (outbox.hpp): the system calls it writes through and
/// the small POSIX and record helpers its append, replay and compaction share. Internal to
/// lib/alert.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <sys/types.h>

#include "alert/outbox_record.hpp"

namespace flywatch::alert {

/// The system calls the outbox writes through, so tests can make them fail (ENOSPC, EROFS,
/// EIO) and recover. Each returns -1 and sets errno on failure, like the POSIX call it stands for.
/// Replay reads and lock files always use the real calls.
struct OutboxFileOps {
  std::function<int(const char* path, int flags, mode_t mode)> open;
  std::function<ssize_t(int fd, const void* data, std::size_t size, off_t offset)> pwrite;
  std::function<int(int fd)> fsync;
  std::function<int(const char* from, const char* to)> rename;
  /// ::open, ::pwrite, ::fsync, ::rename.
  static OutboxFileOps posix();
};

struct OutboxEvent;

/// Helpers of the outbox implementation files.
namespace outbox_io {

using Clock = std::chrono::system_clock;

/// errno as an error_code.
std::error_code last_errno();
/// Milliseconds since the epoch, and back: the enqueue time as records store it. Back from a
/// time beyond what the clock holds (a file the outbox did not write) saturates at its ends.
std::int64_t to_ms(Clock::time_point t);
Clock::time_point from_ms(std::int64_t ms);
/// The enqueue record of `e`, and its size in the file.
EnqueueRecord to_record(const OutboxEvent& e);
std::uint64_t record_size(const OutboxEvent& e);
/// Writes all of `data` at `offset` through `ops` (a short write is continued, as POSIX allows
/// one); 0, or -1 with errno.
int write_all(const OutboxFileOps& ops, int fd, std::string_view data, std::uint64_t offset);
/// Appends the rest of the file from offset out.size() to `out`; 0, or -1 with errno.
int read_whole(int fd, std::string& out);
/// Fsyncs the directory `dir`: a renamed or created file is durable only once it is.
int fsync_dir(const std::filesystem::path& dir, const OutboxFileOps& ops);
/// Offset of the first intact record at or after `from` in `all`, or npos.
std::size_t find_next_record(std::string_view all, std::size_t from);

}  // namespace outbox_io

}  // namespace flywatch::alert
