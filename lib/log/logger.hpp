#pragma once
/// Writes one line per event to stderr (DESIGN §8), in logfmt, JSON or the journald form.

#include <chrono>
#include <cstdio>
#include <string_view>

#include "core/log_line.hpp"

namespace flywatch::log {

/// A line sink with a minimum level. Cheap to call below the level (nothing is formatted).
class Logger {
 public:
  /// `journald` drops `ts` and prefixes `<priority>`; detect_journald() tells when to use it.
  Logger(core::LogFormat format, core::LogLevel min_level, bool journald, std::FILE* out = stderr);

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
  core::LogStyle style_;
  core::LogLevel min_level_;
  std::FILE* out_;
};

/// True when stderr is connected to the journal: systemd sets JOURNAL_STREAM to the
/// "device:inode" of the stream it gave us, and we check it is still our stderr.
bool detect_journald();

}  // namespace flywatch::log
