// Direct cases for the Machines API parser; the fixture tables are in test_fixture_tables.cpp.
#include <doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "fly/machine_json.hpp"

namespace flywatch::fly {
namespace {

using test::machine_field;

core::MachineSnapshot one(const std::string& json, std::vector<std::string>* warnings = nullptr) {
  std::string error;
  auto m = parse_machine(json, error, warnings);
  REQUIRE_MESSAGE(m.has_value(), "error: " << error);
  return *m;
}

TEST_CASE("every proper prefix of a real list is refused with an error, never a crash") {
  const std::string body = test::read_fixture("medio_list.json");
  REQUIRE(body.size() > 100);
  // The trailing newline is white space, so the last complete document is body minus it.
  const std::size_t last = body.find_last_of(']');
  for (std::size_t n = 0; n <= last; ++n) {
    std::string error;
    const auto r = parse_machine_list(std::string_view(body).substr(0, n), error);
    CAPTURE(n);
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(error.empty());
  }
  std::string error;
  CHECK(parse_machine_list(std::string_view(body).substr(0, last + 1), error).has_value());
}

TEST_CASE("byte mutations of a real list never crash or throw") {
  const std::string body = test::read_fixture("medio_list.json");
  const char replacements[] = {'"', '{', ']', '\0', '9', 'x', '\xff'};
  std::size_t refused = 0;
  for (std::size_t i = 0; i < body.size(); i += 3) {
    for (const char c : replacements) {
      std::string mutated = body;
      mutated[i] = c;
      std::string error;
      std::vector<std::string> warnings;
      const auto r = parse_machine_list(mutated, error, &warnings);
      if (!r) {
        ++refused;
        CHECK_FALSE(error.empty());
      }
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("absurd nesting is refused, not a stack overflow") {
  std::string deep(100000, '[');
  std::string error;
  CHECK_FALSE(parse_machine_list(deep + std::string(100000, ']'), error).has_value());
  CHECK_FALSE(error.empty());
}

TEST_CASE("top-level errors name the problem") {
  std::string error;
  CHECK_FALSE(parse_machine_list("null", error).has_value());
  CHECK(error.find("null") != std::string::npos);
  CHECK_FALSE(parse_events("\"events\"", error).has_value());
  CHECK(error.find("a string") != std::string::npos);
  CHECK_FALSE(parse_machine("[]", error).has_value());
  CHECK(error.find("array") != std::string::npos);
  CHECK_FALSE(parse_machine(R"({"id": ""})", error).has_value());
  CHECK(error.find("'id'") != std::string::npos);
  CHECK_FALSE(parse_machine_list("[] []", error).has_value());
  CHECK(error.find("malformed") != std::string::npos);
}

TEST_CASE("unknown states and fields are kept or ignored, not refused") {
  std::vector<std::string> warnings;
  const auto m = one(R"({"id":"x1","state":"hibernating","novel":{"a":[1,2]},"region":"nrt"})",
                     &warnings);
  CHECK(m.state == "hibernating");
  CHECK(m.region == "nrt");
  CHECK(warnings.empty());
}

TEST_CASE("event timestamps outside 1970..2200 are skipped with a note, not trusted") {
  std::vector<std::string> warnings;
  const auto m = one(R"({"id":"x","events":[
      {"type":"start","status":"started","timestamp":1764261667412},
      {"type":"start","status":"started","timestamp":9223372036854775807},
      {"type":"start","status":"started","timestamp":1764261667412000000},
      {"type":"start","status":"started","timestamp":-5}]})",
                     &warnings);
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].timestamp_ms == 1764261667412);
  CHECK(warnings.size() == 3);
}

TEST_CASE("checks missing, null or empty give no checks silently") {
  for (const char* json : {R"({"id":"x"})", R"({"id":"x","checks":null})",
                           R"({"id":"x","checks":[]})"}) {
    CAPTURE(json);
    std::vector<std::string> warnings;
    CHECK(one(json, &warnings).checks.empty());
    CHECK(warnings.empty());
  }
}

TEST_CASE("event timestamps: integer, float, digit string and RFC 3339 string") {
  std::string error;
  std::vector<std::string> warnings;
  const auto events = parse_events(R"([
      {"type":"a","timestamp":1764258000123},
      {"type":"b","timestamp":1764258000123.9},
      {"type":"c","timestamp":"1764258000123"},
      {"type":"d","timestamp":"2025-11-27T15:40:00.123Z"},
      {"type":"e","timestamp":"soon"},
      {"type":"f","timestamp":18446744073709551615},
      {"type":"g","timestamp":true},
      {"type":"h"}])", error, &warnings);
  REQUIRE_MESSAGE(events.has_value(), error);
  REQUIRE(events->size() == 4);
  for (const auto& ev : *events) {
    CAPTURE(ev.type);
    CHECK(ev.timestamp_ms == 1764258000123);
  }
  CHECK((*events)[3].type == "d");
  CHECK(warnings.size() == 4);
}

TEST_CASE("exit codes out of int range are ignored and noted") {
  std::vector<std::string> warnings;
  const auto m = one(R"({"id":"x","events":[{"type":"exit","timestamp":1,
      "request":{"exit_event":{"exit_code":4294967296,"oom_killed":true}}}]})", &warnings);
  REQUIRE(m.events.size() == 1);
  CHECK_FALSE(m.events[0].exit_code.has_value());
  CHECK(m.events[0].oom_killed);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("exit_code") != std::string::npos);
  CHECK(warnings[0].find("(x)") != std::string::npos);
}

TEST_CASE("negative exit codes are kept") {
  const auto m = one(R"({"id":"x","events":[{"type":"exit","timestamp":1,
      "request":{"exit_event":{"exit_code":-1}}}]})");
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].exit_code == -1);
}

TEST_CASE("autostop: suspend wins over stop regardless of service order") {
  CHECK(one(R"({"id":"x","config":{"services":[{"autostop":"suspend"},{"autostop":true}]}})")
            .autostop == core::Autostop::suspend);
  CHECK(one(R"({"id":"x","config":{"services":[{"autostop":true},{"autostop":"suspend"}]}})")
            .autostop == core::Autostop::suspend);
  CHECK(one(R"({"id":"x","config":{"services":[{"autostop":"off"},{"autostop":"stop"}]}})")
            .autostop == core::Autostop::stop);
  CHECK(one(R"({"id":"x","config":{"services":[]}})").autostop == core::Autostop::off);
}

TEST_CASE("a full config wins over incomplete_config, but the flag is still set") {
  const auto m = one(R"({"id":"x","config":{"metadata":{"fly_process_group":"app"}},
      "incomplete_config":{"metadata":{"fly_process_group":"other"}}})");
  CHECK(m.process_group == "app");
  CHECK(m.incomplete_config);
}

TEST_CASE("fly_process_group is preferred to the legacy process_group") {
  CHECK(one(R"({"id":"x","config":{"metadata":{"process_group":"old",
      "fly_process_group":"fly_app_console"}}})").process_group == "fly_app_console");
  CHECK(one(R"({"id":"x","config":{"metadata":{"process_group":"old"}}})").process_group == "old");
}

TEST_CASE("the release a machine runs: config.image and metadata.fly_release_version") {
  const auto m = one(R"({"id":"x","config":{"image":"registry.fly.io/medio:deployment-01HX",
      "metadata":{"fly_process_group":"app","fly_release_version":"42"}}})");
  CHECK(m.image == "registry.fly.io/medio:deployment-01HX");
  CHECK(m.release_version == "42");
  const auto bare = one(R"({"id":"x","config":{"metadata":{}}})");
  CHECK(bare.image.empty());
  CHECK(bare.release_version.empty());
  std::string error;
  std::vector<std::string> warnings;
  const auto odd = parse_machine(R"({"id":"x","config":{"image":5,"metadata":{"fly_release_version":7}}})",
                                 error, &warnings);
  REQUIRE(odd.has_value());
  CHECK(odd->image.empty());
  CHECK(odd->release_version.empty());
  CHECK(warnings.size() == 2);  // a wrong type is noted, not trusted
}

TEST_CASE("results do not depend on whether warnings are collected") {
  const std::string body = test::read_fixture("wrong_types.json");
  std::string error;
  std::vector<std::string> warnings;
  const auto with = parse_machine_list(body, error, &warnings);
  const auto without = parse_machine_list(body, error);
  REQUIRE(with.has_value());
  REQUIRE(without.has_value());
  REQUIRE(with->size() == without->size());
  for (std::size_t i = 0; i < with->size(); ++i) {
    for (const char* field : {"id", "state", "checks", "events", "autostop", "cordoned"}) {
      CHECK(machine_field((*with)[i], field) == machine_field((*without)[i], field));
    }
  }
  CHECK_FALSE(warnings.empty());
}

}  // namespace
}  // namespace flywatch::fly
