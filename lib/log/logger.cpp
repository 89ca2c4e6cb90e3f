#include "log/logger.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace flywatch::log {

Logger::Logger(core::LogFormat format, core::LogLevel min_level, bool journald, std::FILE* out)
    : style_{format, journald}, min_level_(min_level), out_(out) {}

Logger::~Logger() {
  if (!queue_) return;
  // Lines dropped at the very end still get their notice, if there is room for it now.
  queue_->report_drops([this](std::uint64_t n) { return drop_notice(n); });
  queue_->close(std::chrono::seconds(2));
}

std::string Logger::drop_notice(std::uint64_t n) const {
  return format(core::LogLevel::warn, "log lines dropped",
                {{"count", std::to_string(n)}, {"reason", "log writer behind"}});
}

std::string Logger::format(core::LogLevel level, std::string_view msg,
                           const core::LogFields& fields) const {
  return core::format_log_line(style_, std::chrono::system_clock::now(), level, msg, fields);
}

void Logger::start_writer_thread(std::size_t capacity_bytes) {
  if (queue_) return;
  std::fflush(out_);  // what was written before goes first
  queue_ = std::make_unique<LineQueue>(fileno(out_), capacity_bytes);
}

void Logger::write(core::LogLevel level, std::string_view msg, const core::LogFields& fields) {
  if (!enabled(level)) return;
  std::string line = format(level, msg, fields);
  if (queue_) {
    queue_->push(std::move(line), [this](std::uint64_t n) { return drop_notice(n); });
    return;
  }
  // One fwrite per line keeps lines whole when stderr is a pipe shared with other writers.
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

bool Logger::flush(std::chrono::milliseconds timeout) {
  if (!queue_) {
    std::fflush(out_);
    return true;
  }
  return queue_->flush(timeout);
}

bool detect_journald() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr || *stream == '\0') return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace flywatch::log
