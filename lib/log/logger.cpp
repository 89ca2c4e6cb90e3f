#include "log/logger.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace flywatch::log {

Logger::Logger(core::LogFormat format, core::LogLevel min_level, bool journald, std::FILE* out)
    : style_{format, journald}, min_level_(min_level), out_(out) {}

void Logger::write(core::LogLevel level, std::string_view msg, const core::LogFields& fields) {
  if (!enabled(level)) return;
  const std::string line =
      core::format_log_line(style_, std::chrono::system_clock::now(), level, msg, fields);
  // One fwrite per line keeps lines whole when stderr is a pipe shared with other writers.
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
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
