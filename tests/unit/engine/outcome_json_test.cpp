// One probe outcome, one JSON shape: /api/v1/status and `flywatch check --json` share it.
#include <doctest.h>

#include "engine/json_text.hpp"
#include "engine/outcome_json.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

TEST_CASE("outcome_json: a last outcome with its time, or null") {
  CHECK(engine::outcome_json(std::optional<engine::LastOutcome>{}).is_null());
  engine::LastOutcome last;
  last.verdict = core::Verdict{false, core::FailureReason::status, "got 503, want 200"};
  last.status_code = 503;
  last.duration = 250ms;
  last.at = std::chrono::system_clock::time_point(1'700'000'000'123ms);
  CHECK(engine::to_json_text(engine::outcome_json(last)) ==
        R"({"success":false,"reason":"status","error":"got 503, want 200","status_code":503,)"
        R"("duration_seconds":0.25,"connection":null,"at":"2023-11-14T22:13:20.123Z"})");
  last.reused = false;
  CHECK(engine::to_json_text(engine::outcome_json(last)).find(R"("connection":"new")") !=
        std::string::npos);
  last.reused = true;
  CHECK(engine::to_json_text(engine::outcome_json(last)).find(R"("connection":"reused")") !=
        std::string::npos);
}

TEST_CASE("put_outcome appends after what the object has") {
  boost::json::object o;
  o["name"] = "api";
  engine::put_outcome(o, core::Verdict{false, core::FailureReason::timeout, "no answer"}, 0, 5s);
  CHECK(engine::to_json_text(o) ==
        R"({"name":"api","success":false,"reason":"timeout","error":"no answer","status_code":0,)"
        R"("duration_seconds":5})");
}
