#pragma once
/// Writes one line per event to stderr (DESIGN §8), in logfmt, JSON or the journald form.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/log_line.hpp"
#include "log/line_queue.hpp"

namespace flywatch::log {

/// A line sink with a minimum level. Cheap to call below the level (nothing is formatted).
class Logger {
 public:
  /// `journald` drops `ts` and prefixes `<priority>`; detect_journald() tells when to use it.
  /// Lines are written at once, by the caller, until start_writer_thread().
  Logger(core::LogFormat format, core::LogLevel min_level, bool journald, std::FILE* out = stderr);
  /// Writes what is queued, for at most two seconds (LineQueue::close).
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  /// From now on write() only queues its line (at most `capacity_bytes` of them) for a thread
  /// of its own that writes them to `out`, so a slow reader of stderr never blocks the caller.
  /// When the queue is full, lines are dropped and counted (dropped_lines()); the next line
  /// that fits is preceded by a warning "log lines dropped" with their number (`count`).
  void start_writer_thread(std::size_t capacity_bytes = default_queue_bytes);
  static constexpr std::size_t default_queue_bytes = 1 << 20;
  /// Lines dropped because the writer thread was behind (0 without one).
  std::uint64_t dropped_lines() const { return queue_ ? queue_->dropped() : 0; }
  /// Waits, at most `timeout`, until every line so far is written; true when they are.
  bool flush(std::chrono::milliseconds timeout);

  void set_format(core::LogFormat f) { style_.format = f; }
  void set_level(core::LogLevel l) { min_level_ = l; }
  core::LogLevel level() const { return min_level_; }
  bool enabled(core::LogLevel l) const { return l >= min_level_; }

  /// Formats and writes one line, stamped with the current wall-clock time.
  void write(core::LogLevel level, std::string_view msg, const core::LogFields& fields = {});

  void debug(std::string_view msg, const core::LogFields& f = {}) { write(core::LogLevel::debug, msg, f); }
  void info(std::string_view msg, const core::LogFields& f = {}) { write(core::LogLevel::info, msg, f); }
  void warn(std::string_view msg, const core::LogFields& f = {}) { write(core::LogLevel::warn, msg, f); }
  void error(std::string_view msg, const core::LogFields& f = {}) { write(core::LogLevel::error, msg, f); }

 private:
  std::string format(core::LogLevel level, std::string_view msg, const core::LogFields& fields) const;
  std::string drop_notice(std::uint64_t n) const;

  core::LogStyle style_;
  core::LogLevel min_level_;
  std::FILE* out_;
  std::unique_ptr<LineQueue> queue_;
};

/// True when stderr is connected to the journal: systemd sets JOURNAL_STREAM to the
/// "device:inode" of the stream it gave us, and we check it is still our stderr.
bool detect_journald();

}  // namespace flywatch::log
