#include "core/log_line.hpp"

#include <doctest.h>

#include <boost/json.hpp>

namespace fc = flywatch::core;
using namespace std::chrono_literals;

namespace {
// 2026-11-27T15:04:05.123Z
const auto ts = std::chrono::system_clock::time_point{} +
                std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}.time_since_epoch() +
                15h + 4min + 5s + 123ms;
const fc::LogStyle logfmt{fc::LogFormat::logfmt, false};
const fc::LogStyle json_style{fc::LogFormat::json, false};
}  // namespace

TEST_CASE("format_rfc3339_ms") {
  CHECK(fc::format_rfc3339_ms(ts) == "2026-11-27T15:04:05.123Z");
  CHECK(fc::format_rfc3339_ms(std::chrono::system_clock::time_point{}) ==
        "1970-01-01T00:00:00.000Z");
  // Sub-millisecond parts are truncated, not rounded up into the next second.
  CHECK(fc::format_rfc3339_ms(ts + 876us + 999ns) == "2026-11-27T15:04:05.123Z");
  CHECK(fc::format_rfc3339_ms(ts - 123ms - 1us) == "2026-11-27T15:04:04.999Z");
  // Leap day and end of year.
  const auto leap = std::chrono::sys_days{std::chrono::year{2028} / 2 / 29};
  CHECK(fc::format_rfc3339_ms(std::chrono::system_clock::time_point{leap.time_since_epoch()} + 23h +
                              59min + 59s + 999ms) == "2028-02-29T23:59:59.999Z");
}

TEST_CASE("logfmt: the line of DESIGN §8") {
  const std::string line = fc::format_log_line(logfmt, ts, fc::LogLevel::info, "target down",
                                               {{"target", "medio"}, {"reason", "timeout"}});
  CHECK(line ==
        "ts=2026-11-27T15:04:05.123Z level=info msg=\"target down\" target=medio reason=timeout\n");
}

TEST_CASE("logfmt: quoting and escaping (table)") {
  struct Row {
    const char* value;
    const char* written;
  };
  const Row rows[] = {
      {"plain", "plain"},
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"a=b", "\"a=b\""},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"back\\slash", "back\\slash"},          // a lone backslash needs no quotes
      {"back\\slash \"q\"", R"("back\\slash \"q\"")"},
      {"line1\nline2", R"("line1\nline2")"},
      {"tab\there", R"("tab\there")"},
      {"cr\r", R"("cr\r")"},
      {"bell\x07", R"("bell\u0007")"},
      {"del\x7f", R"("del\u007f")"},
      {"ünïcode", "ünïcode"},
      {"https://x.example/a?b=c", "\"https://x.example/a?b=c\""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.value);
    const std::string line =
        fc::format_log_line(logfmt, ts, fc::LogLevel::warn, "m", {{"k", row.value}});
    CHECK(line == std::string("ts=2026-11-27T15:04:05.123Z level=warn msg=m k=") + row.written +
                      "\n");
  }
}

TEST_CASE("logfmt: a NUL byte in a value is escaped") {
  const std::string line = fc::format_log_line(logfmt, ts, fc::LogLevel::info, "m",
                                               {{"k", std::string("a\0b", 3)}});
  CHECK(line.find(R"(k="a\u0000b")") != std::string::npos);
}

TEST_CASE("logfmt: keys that would break the line are made safe") {
  const std::string line = fc::format_log_line(logfmt, ts, fc::LogLevel::debug, "m",
                                               {{"bad key=", "v"}, {"", "w"}});
  CHECK(line == "ts=2026-11-27T15:04:05.123Z level=debug msg=m bad_key_=v _=w\n");
}

TEST_CASE("journald: no ts, priority prefix per level") {
  const fc::LogStyle jd{fc::LogFormat::logfmt, true};
  CHECK(fc::format_log_line(jd, ts, fc::LogLevel::debug, "d", {}) == "<7>level=debug msg=d\n");
  CHECK(fc::format_log_line(jd, ts, fc::LogLevel::info, "i", {}) == "<6>level=info msg=i\n");
  CHECK(fc::format_log_line(jd, ts, fc::LogLevel::warn, "w", {{"target", "medio"}}) ==
        "<4>level=warn msg=w target=medio\n");
  CHECK(fc::format_log_line(jd, ts, fc::LogLevel::error, "e", {}) == "<3>level=error msg=e\n");
  // A value ending in '>' does not confuse the separator logic.
  CHECK(fc::format_log_line(jd, ts, fc::LogLevel::info, "a>", {{"b", "c>"}, {"d", "e"}}) ==
        "<6>level=info msg=a> b=c> d=e\n");
  const fc::LogStyle jd_json{fc::LogFormat::json, true};
  CHECK(fc::format_log_line(jd_json, ts, fc::LogLevel::error, "e", {{"app", "medio-backend"}}) ==
        "<3>{\"level\":\"error\",\"msg\":\"e\",\"app\":\"medio-backend\"}\n");
}

TEST_CASE("json: one object per line, keys in logfmt order") {
  const std::string line =
      fc::format_log_line(json_style, ts, fc::LogLevel::info, "target down",
                          {{"target", "medio"}, {"from", "up"}, {"to", "down"},
                           {"reason", "timeout"}, {"duration_ms", "5000"}});
  CHECK(line ==
        R"({"ts":"2026-11-27T15:04:05.123Z","level":"info","msg":"target down","target":"medio",)"
        R"("from":"up","to":"down","reason":"timeout","duration_ms":"5000"})"
        "\n");
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("json: escaping of quotes, backslashes and every control character") {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  all_controls += "\x7f\"\\/é";
  const std::string line =
      fc::format_log_line(json_style, ts, fc::LogLevel::error, "m", {{"err", all_controls}});
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(line.find(R"("err":"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r)")
        != std::string::npos);
  // Parses back to the exact bytes.
  boost::system::error_code ec;
  const auto v = boost::json::parse(line, ec);
  REQUIRE_FALSE(ec);
  CHECK(v.at("err").as_string() == all_controls);
  CHECK(v.at("ts").as_string() == "2026-11-27T15:04:05.123Z");
  CHECK(v.at("level").as_string() == "error");
}

TEST_CASE("json: invalid UTF-8 becomes U+FFFD so the line stays valid JSON") {
  const std::string bad = "ok \xff \xc3 \xed\xa0\x80 \xf0\x9f\x98\x80 end\xe2\x82";
  const std::string line =
      fc::format_log_line(json_style, ts, fc::LogLevel::warn, bad, {{"k", "\xc0\xaf"}});
  boost::system::error_code ec;
  const auto v = boost::json::parse(line, ec);
  REQUIRE_FALSE(ec);
  // The valid 4-byte emoji survives; each stray byte became one replacement character.
  CHECK(v.at("msg").as_string() ==
        "ok \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80 "
        "end\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(v.at("k").as_string() == "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("log level and format names") {
  fc::LogLevel l = fc::LogLevel::info;
  CHECK(fc::parse_log_level("debug", l));
  CHECK(l == fc::LogLevel::debug);
  CHECK(fc::parse_log_level("error", l));
  CHECK(l == fc::LogLevel::error);
  CHECK(fc::parse_log_level("warn", l));
  CHECK(l == fc::LogLevel::warn);
  CHECK_FALSE(fc::parse_log_level("warning", l));
  CHECK_FALSE(fc::parse_log_level("INFO", l));
  CHECK_FALSE(fc::parse_log_level("", l));
  CHECK(l == fc::LogLevel::warn);  // untouched on failure
  for (auto level : {fc::LogLevel::debug, fc::LogLevel::info, fc::LogLevel::warn,
                     fc::LogLevel::error}) {
    fc::LogLevel back{};
    CHECK(fc::parse_log_level(fc::to_string(level), back));
    CHECK(back == level);
  }
  fc::LogFormat f = fc::LogFormat::logfmt;
  CHECK(fc::parse_log_format("json", f));
  CHECK(f == fc::LogFormat::json);
  CHECK(fc::parse_log_format("logfmt", f));
  CHECK(f == fc::LogFormat::logfmt);
  CHECK_FALSE(fc::parse_log_format("text", f));
}
