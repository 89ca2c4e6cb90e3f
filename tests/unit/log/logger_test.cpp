#include <doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "log/logger.hpp"
#include "testdata_files.hpp"

using namespace flywatch;

using test::read_all;

TEST_CASE("lines below the level are dropped; one line per call") {
  std::FILE* f = std::tmpfile();
  log::Logger logger(core::LogFormat::logfmt, core::LogLevel::warn, false, f);
  logger.info("quiet");
  logger.warn("target state changed", {{"target", "a"}, {"from", "up"}, {"to", "down"}});
  logger.set_level(core::LogLevel::debug);
  logger.debug("now visible");
  const std::string out = read_all(f);
  CHECK(out.find("quiet") == std::string::npos);
  CHECK(out.find("level=warn msg=\"target state changed\" target=a from=up to=down\n") != std::string::npos);
  CHECK(out.find("level=debug msg=\"now visible\"") != std::string::npos);
  std::fclose(f);
}

TEST_CASE("the journald form has a priority prefix and no ts") {
  std::FILE* f = std::tmpfile();
  log::Logger logger(core::LogFormat::logfmt, core::LogLevel::info, true, f);
  logger.warn("w");
  const std::string out = read_all(f);
  CHECK(out.rfind("<4>", 0) == 0);
  CHECK(out.find("ts=") == std::string::npos);
  std::fclose(f);
}

TEST_CASE("journald is detected only when JOURNAL_STREAM names our stderr") {
  ::unsetenv("JOURNAL_STREAM");
  CHECK_FALSE(log::detect_journald());
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  CHECK_FALSE(log::detect_journald());  // some other stream, e.g. inherited from a parent
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  CHECK_FALSE(log::detect_journald());
  ::unsetenv("JOURNAL_STREAM");
}

namespace {

using Clock = std::chrono::steady_clock;

// A pipe whose read end the test holds; nobody reads it until the test does.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(::pipe(fds) == 0); }
  ~Pipe() {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  /// Reads what is there now (the writer may still be writing).
  std::string drain() {
    std::string out;
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
};

// The `seq=` values of the lines that have one, in order.
std::vector<int> sequence(const std::string& text) {
  std::vector<int> seq;
  std::size_t at = 0;
  while ((at = text.find(" seq=", at)) != std::string::npos) {
    at += 5;
    seq.push_back(std::atoi(text.c_str() + at));
  }
  return seq;
}

}  // namespace

TEST_CASE("with a writer thread, a stderr nobody reads never blocks: lines drop, are counted, "
          "and the rest keep their order") {
  Pipe pipe;
  std::FILE* out = ::fdopen(::dup(pipe.fds[1]), "w");
  REQUIRE(out != nullptr);
  {
    log::Logger logger(core::LogFormat::logfmt, core::LogLevel::info, false, out);
    logger.start_writer_thread(16 * 1024);
    // A pipe holds 64 KiB; 20,000 lines of about 80 bytes are over 1.5 MiB.
    const auto start = Clock::now();
    auto slowest = Clock::duration::zero();
    for (int i = 0; i < 20000; ++i) {
      const auto t = Clock::now();
      logger.info("probe", {{"target", "a"}, {"seq", std::to_string(i)}});
      slowest = std::max(slowest, Clock::now() - t);
    }
    const auto took = Clock::now() - start;
    INFO("20,000 lines took " << std::chrono::duration<double, std::milli>(took).count() << " ms");
    // Generous for a loaded machine: blocking on the pipe would be forever, not milliseconds.
    CHECK(slowest < std::chrono::milliseconds(100));
    const std::uint64_t dropped = logger.dropped_lines();
    CHECK(dropped > 10000);
    CHECK(dropped < 20000);

    // Someone reads now: the queue drains, and the next line is preceded by the drop notice.
    std::string text = pipe.drain();
    const auto give_up = Clock::now() + std::chrono::seconds(20);
    while (!logger.flush(std::chrono::milliseconds(10)) && Clock::now() < give_up) text += pipe.drain();
    text += pipe.drain();
    logger.info("probe", {{"target", "a"}, {"seq", "20000"}});
    REQUIRE(logger.flush(std::chrono::seconds(20)));
    text += pipe.drain();

    // Each line is whole and in order; every gap in the sequence is reported, by a notice just
    // before the line after it (or, when there was no room for both, by a later notice).
    std::istringstream in(text);
    int prev = -1;
    std::uint64_t written = 0, gaps = 0, noticed = 0, notices = 0;
    for (std::string line; std::getline(in, line);) {
      INFO(line);
      constexpr std::string_view notice = " msg=\"log lines dropped\" count=";
      const auto n = line.find(notice);
      if (n != std::string::npos) {
        CHECK(line.find("level=warn") != std::string::npos);
        CHECK(line.find(" reason=\"log writer behind\"") != std::string::npos);
        noticed += std::strtoull(line.c_str() + n + notice.size(), nullptr, 10);
        ++notices;
        continue;
      }
      const auto at = line.find(" seq=");
      REQUIRE(at != std::string::npos);
      const int seq = std::atoi(line.c_str() + at + 5);
      CHECK(seq > prev);
      gaps += static_cast<std::uint64_t>(seq - prev - 1);
      if (seq - prev - 1 > 0) CHECK(noticed <= gaps);
      prev = seq;
      ++written;
    }
    CHECK(prev == 20000);
    CHECK(written + dropped == 20001);
    CHECK(gaps == dropped);
    CHECK(noticed == dropped);
    CHECK(notices >= 1);
    // The last lines before the drain were dropped: their notice comes just before seq=20000.
    const auto last = text.rfind("seq=20000");
    const auto line_start = text.rfind('\n', last) + 1;
    const auto prev_start = text.rfind('\n', line_start - 2) + 1;
    CHECK(text.substr(prev_start, line_start - prev_start).find("log lines dropped") != std::string::npos);
  }
  std::fclose(out);
}

TEST_CASE("with a writer thread, shutdown writes what is queued, and gives up on a dead reader") {
  SUBCASE("a reader: every line is there after the logger is gone") {
    std::FILE* f = std::tmpfile();
    {
      log::Logger logger(core::LogFormat::logfmt, core::LogLevel::info, false, f);
      logger.start_writer_thread();
      for (int i = 0; i < 1000; ++i) logger.info("line", {{"seq", std::to_string(i)}});
    }
    const auto seq = sequence(read_all(f));
    CHECK(seq.size() == 1000);
    CHECK(std::is_sorted(seq.begin(), seq.end()));
    std::fclose(f);
  }
  SUBCASE("nobody reads: the logger's end is bounded") {
    Pipe pipe;
    std::FILE* out = ::fdopen(::dup(pipe.fds[1]), "w");
    const auto start = Clock::now();
    {
      log::Logger logger(core::LogFormat::logfmt, core::LogLevel::info, false, out);
      logger.start_writer_thread(256 * 1024);
      for (int i = 0; i < 5000; ++i) logger.info("line", {{"seq", std::to_string(i)}, {"pad", std::string(100, 'x')}});
    }
    // Two seconds to write, half a second for the writer to give up, and slack for a busy machine.
    CHECK(Clock::now() - start < std::chrono::seconds(6));
    std::fclose(out);
  }
}
