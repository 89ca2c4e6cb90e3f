#include <doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

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
