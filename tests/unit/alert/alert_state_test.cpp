// alerts.json: the format round-trips, malformed files are refused whole, and the file is
// written and read back in a directory.
#include <doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "alert/alert_state.hpp"
#include "testdata_files.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

alert::PersistedAlert make(core::AlertLabels labels, core::AlertAnnotations annotations,
                           system_clock::time_point starts, system_clock::time_point notified_at,
                           bool notified) {
  alert::PersistedAlert p;
  p.entry.alert.labels = std::move(labels);
  p.entry.alert.annotations = std::move(annotations);
  p.entry.alert.starts_at = starts;
  p.entry.alert.fingerprint = "0000000000000000";  // not what the labels hash to
  p.entry.last_notified = notified_at;
  p.notified = notified;
  return p;
}

system_clock::time_point ms_floor(system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

// A valid one-alert file with `alert_fields` spliced into the alert object.
std::string one_alert(const std::string& alert_fields) {
  return R"({"version":1,"alerts":[{)" + alert_fields + "}]}";
}
const std::string labels = R"("labels":{"alertname":"TargetDown","severity":"critical","target":"a"})";
const std::string annotations = R"("annotations":{"summary":"a is down"})";
const std::string starts = R"("starts_at_ms":1700000000123)";
const std::string last = R"("last_notified_ms":1700000060456)";
const std::string notified = R"("notified":true)";

std::string join(std::initializer_list<std::string> fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ',';
    out += f;
  }
  return out;
}

}  // namespace

TEST_CASE("alert state: format then parse gives the same alerts, times to the millisecond") {
  // Times with sub-millisecond parts: the file keeps milliseconds.
  const auto t0 = system_clock::time_point(std::chrono::microseconds(1'700'000'000'123'456));
  const std::vector<alert::PersistedAlert> alerts = {
      make(core::target_alert_labels(core::alert_target_down, core::Severity::critical, "web"),
           {{"summary", "web is down"}, {"description", "timeout \"quoted\"\nnext line"}}, t0,
           t0 + 4h + 1ms, true),
      make(core::machine_alert_labels(core::alert_machine_unhealthy, core::Severity::warning,
                                      "medio", "m1", "ams"),
           {}, t0 + 5s, t0 + 5s, false),
  };
  const std::string text = alert::format_alert_state(alerts);
  std::string error;
  const auto parsed = alert::parse_alert_state(text, error);
  REQUIRE_MESSAGE(parsed, error);
  REQUIRE(parsed->size() == alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    CAPTURE(i);
    const auto& want = alerts[i];
    const auto& got = (*parsed)[i];
    CHECK(got.entry.alert.labels == want.entry.alert.labels);
    CHECK(got.entry.alert.annotations == want.entry.alert.annotations);
    CHECK(got.entry.alert.starts_at == ms_floor(want.entry.alert.starts_at));
    CHECK(got.entry.last_notified == ms_floor(want.entry.last_notified));
    CHECK(got.notified == want.notified);
    CHECK_FALSE(got.entry.alert.ends_at);
    // The fingerprint is the labels' hash, whatever the writer had in memory.
    CHECK(got.entry.alert.fingerprint == core::alert_fingerprint(want.entry.alert.labels));
    CHECK(got.entry.alert.fingerprint != want.entry.alert.fingerprint);
  }
  // Formatting what was parsed gives the same text: nothing is lost or added.
  CHECK(alert::format_alert_state(*parsed) == text);

  const auto empty = alert::parse_alert_state(alert::format_alert_state({}), error);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("alert state: the hand-written form is accepted") {
  std::string error;
  const auto parsed =
      alert::parse_alert_state(one_alert(join({labels, annotations, starts, last, notified})), error);
  REQUIRE_MESSAGE(parsed, error);
  REQUIRE(parsed->size() == 1);
  const auto& a = (*parsed)[0];
  CHECK(a.entry.alert.labels.at("target") == "a");
  CHECK(a.entry.alert.annotations.at("summary") == "a is down");
  CHECK(a.entry.alert.starts_at == system_clock::time_point(1700000000123ms));
  CHECK(a.entry.last_notified == system_clock::time_point(1700000060456ms));
  CHECK(a.notified);
}

TEST_CASE("alert state: malformed files are refused whole, with a reason") {
  struct Case {
    std::string name;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"not JSON", "{\"version\":1,\"alerts\":["},
      {"empty file", ""},
      {"not an object", "[1,2]"},
      {"no version", R"({"alerts":[]})"},
      {"wrong version", R"({"version":2,"alerts":[]})"},
      {"version as text", R"({"version":"1","alerts":[]})"},
      {"no alerts", R"({"version":1})"},
      {"alerts not a list", R"({"version":1,"alerts":{}})"},
      {"alert not an object", R"({"version":1,"alerts":["TargetDown"]})"},
      {"missing labels", one_alert(join({annotations, starts, last, notified}))},
      {"missing annotations", one_alert(join({labels, starts, last, notified}))},
      {"missing starts_at_ms", one_alert(join({labels, annotations, last, notified}))},
      {"missing last_notified_ms", one_alert(join({labels, annotations, starts, notified}))},
      {"missing notified", one_alert(join({labels, annotations, starts, last}))},
      {"empty labels", one_alert(join({R"("labels":{})", annotations, starts, last, notified}))},
      {"labels not an object",
       one_alert(join({R"("labels":["TargetDown"])", annotations, starts, last, notified}))},
      {"label value a number",
       one_alert(join({R"("labels":{"alertname":"TargetDown","port":443})", annotations, starts,
                       last, notified}))},
      {"annotation value null",
       one_alert(join({labels, R"("annotations":{"summary":null})", starts, last, notified}))},
      {"time as text",
       one_alert(join({labels, annotations, R"("starts_at_ms":"1700000000123")", last, notified}))},
      {"time as a fraction",
       one_alert(join({labels, annotations, R"("starts_at_ms":1700000000123.5)", last, notified}))},
      {"time before 1970",
       one_alert(join({labels, annotations, R"("starts_at_ms":-1)", last, notified}))},
      {"time after 2200",
       one_alert(join({labels, annotations, starts, R"("last_notified_ms":7258118400001)",
                       notified}))},
      {"time past int64",
       one_alert(join({labels, annotations, starts, R"("last_notified_ms":18446744073709551615)",
                       notified}))},
      {"notified as text", one_alert(join({labels, annotations, starts, last, R"("notified":"yes")"}))},
      {"notified as a number", one_alert(join({labels, annotations, starts, last, R"("notified":1)"}))},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    std::string error;
    const auto parsed = alert::parse_alert_state(c.text, error);
    CHECK_FALSE(parsed);
    CHECK_FALSE(error.empty());
  }
  // One good alert does not rescue a file with a bad one after it.
  const std::string good = "{" + join({labels, annotations, starts, last, notified}) + "}";
  const std::string bad = "{" + join({labels, annotations, starts, last}) + "}";
  std::string error;
  CHECK_FALSE(alert::parse_alert_state(R"({"version":1,"alerts":[)" + good + "," + bad + "]}", error));
  CHECK(error.find('2') != std::string::npos);  // names the second alert
  // The edges of the time range are accepted.
  CHECK(alert::parse_alert_state(
      one_alert(join({labels, annotations, R"("starts_at_ms":0)",
                      R"("last_notified_ms":7258118400000)", notified})),
      error));
}

TEST_CASE("alert state: written to a directory and read back; a missing file is no state") {
  test::ScratchDir dir;
  std::error_code ec;
  CHECK_FALSE(alert::read_alert_state(dir.path(), ec));
  CHECK_FALSE(ec);

  const auto t0 = system_clock::time_point(1700000000123ms);
  const std::string first = alert::format_alert_state(
      {make(core::target_alert_labels(core::alert_target_down, core::Severity::critical, "a"), {},
            t0, t0, true)});
  std::string step;
  REQUIRE_FALSE(alert::write_alert_state(dir.path(), first, step));
  auto text = alert::read_alert_state(dir.path(), ec);
  REQUIRE(text);
  CHECK_FALSE(ec);
  CHECK(*text == first);
  CHECK(std::filesystem::exists(dir.path() / alert::alert_state_file_name));

  // Replaced whole, no temp file left behind.
  const std::string second = alert::format_alert_state({});
  REQUIRE_FALSE(alert::write_alert_state(dir.path(), second, step));
  text = alert::read_alert_state(dir.path(), ec);
  REQUIRE(text);
  CHECK(*text == second);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);
  std::string error;
  const auto parsed = alert::parse_alert_state(*text, error);
  REQUIRE(parsed);
  CHECK(parsed->empty());

  // A directory that does not exist: the failing step is named.
  const auto gone = dir.path() / "missing";
  const auto e = alert::write_alert_state(gone, first, step);
  CHECK(e == std::errc::no_such_file_or_directory);
  CHECK(step == "open");
  CHECK_FALSE(alert::read_alert_state(gone, ec));
}
