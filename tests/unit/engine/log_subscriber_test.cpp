// LogSubscriber: the lines of events, with the messages and keys of DESIGN §8.
#include <doctest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/log_subscriber.hpp"
#include "engine/probe_record.hpp"
#include "test_targets.hpp"
#include "testdata_files.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

struct Rig {
  ~Rig() { std::fclose(sink); }
  std::string text() { return test::read_all(sink); }
  /// A failing (or passing) result of target "t", recorded and published with `context`.
  void record(bool ok, const core::LogFields& context) {
    core::Verdict v;
    v.success = ok;
    v.reason = ok ? core::FailureReason::none : core::FailureReason::timeout;
    v.detail = ok ? "" : "no answer";
    core::ProbeResult r;
    r.total = 1500ms;
    engine::EventBus bus;
    bus.subscribe(sub);
    engine::record_verdict(target, r, v, std::chrono::system_clock::now(), bus, context);
  }

  std::FILE* sink = std::tmpfile();
  log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, sink};
  engine::LogSubscriber sub{logger};
  engine::TargetRuntime target{test::make_target("t"), net::ProbeSpec{}};
};

}  // namespace

TEST_CASE("LogSubscriber: a new failure at warn, its state change after it; repeats at debug") {
  Rig rig;
  const core::LogFields context{{"app", "medio"}, {"machine", "m1"}, {"region", "ams"}};
  rig.record(false, context);  // the first result sets the state: unknown → down
  rig.record(false, context);
  rig.record(true, context);
  const std::string text = rig.text();
  const auto failed = text.find(
      R"(level=warn msg="probe failed" target=t reason=timeout error="no answer" duration_ms=1500 app=medio machine=m1 region=ams)");
  const auto changed = text.find(
      R"(level=warn msg="target state changed" target=t from=unknown to=down reason=timeout app=medio machine=m1 region=ams)");
  const auto repeat = text.find(R"(level=debug msg="probe failed" target=t reason=timeout)");
  const auto ok = text.find(R"(level=info msg="probe succeeded" target=t duration_ms=1500 app=medio)");
  const auto up = text.find(
      "level=info msg=\"target state changed\" target=t from=down to=up app=medio machine=m1 region=ams\n");
  REQUIRE(failed != std::string::npos);
  REQUIRE(changed != std::string::npos);
  REQUIRE(repeat != std::string::npos);
  REQUIRE(ok != std::string::npos);
  REQUIRE(up != std::string::npos);  // no reason: the result passed
  CHECK(failed < changed);
  CHECK(changed < repeat);
  CHECK(repeat < ok);
  CHECK(ok < up);
}

TEST_CASE("LogSubscriber: Fly API and scheduler events keep their lines") {
  Rig rig;
  const std::string app = "medio", code = "timeout", error = "slow", machine = "m1", target = "t";
  rig.sub.on(engine::FlyApiFailed{app, code, error, 2500ms, true});
  rig.sub.on(engine::FlyApiFailed{app, code, error, 5000ms, false});
  rig.sub.on(engine::FlyApiRecovered{app});
  rig.sub.on(engine::FlyWaitFailed{app, machine, code, error, true});
  rig.sub.on(engine::ProbeRunsSkipped{target, true, 3});
  rig.sub.on(engine::ProbeRunsSkipped{target, false, 1});
  const std::string text = rig.text();
  CHECK(text.find(R"(level=warn msg="fly api request failed" app=medio code=timeout error=slow retry_in_ms=2500)") != std::string::npos);
  CHECK(text.find(R"(level=debug msg="fly api request failed" app=medio code=timeout error=slow retry_in_ms=5000)") != std::string::npos);
  CHECK(text.find(R"(level=info msg="fly api recovered" app=medio)") != std::string::npos);
  CHECK(text.find(R"(level=warn msg="fly api refused a wait; not asked again until the machine changes" app=medio machine=m1 code=timeout error=slow)") != std::string::npos);
  CHECK(text.find(R"(level=warn msg="probe runs skipped" target=t reason=late count=3)") != std::string::npos);
  CHECK(text.find(R"(level=debug msg="probe run skipped" target=t reason="still running")") != std::string::npos);
}
