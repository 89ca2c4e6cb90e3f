#include "gate/gate_report.hpp"

#include <doctest.h>

#include <boost/json/parse.hpp>

namespace fg = flywatch::gate;
using namespace std::chrono_literals;

namespace {

fg::GateCase ok(std::string name, std::string msg, std::chrono::nanoseconds d) {
  fg::GateCase c;
  c.name = std::move(name);
  c.passed = true;
  c.message = std::move(msg);
  c.duration = d;
  return c;
}

fg::GateCase fail(std::string name, std::string reason, std::string msg) {
  fg::GateCase c;
  c.name = std::move(name);
  c.reason = std::move(reason);
  c.message = std::move(msg);
  c.duration = 35ms;
  return c;
}

fg::GateCase skip(std::string name, std::string why) {
  fg::GateCase c;
  c.name = std::move(name);
  c.skipped = true;
  c.skip_why = std::move(why);
  return c;
}

// Medio's gate failing at auth: a cookie without Secure, features not run.
fg::GateResult medio_failing() {
  fg::GateResult r;
  fg::GatePhaseResult backend{"backend", true, true,
                              {ok("wake medio-backend", "started 2 machines", 40ms),
                               ok("wait_healthy medio-backend", "2/2 machines healthy", 3200ms),
                               ok("target medio-backend", "200", 120ms)},
                              3400ms};
  fg::GatePhaseResult auth{"auth", true, false,
                           {ok("journey medio-auth step register", "201", 20ms),
                            fail("journey medio-auth step login", "cookie",
                                 "cookie \"medio_session\" is not Secure <&'>"),
                            skip("journey medio-auth step me", "an earlier step failed")},
                           60ms};
  fg::GatePhaseResult features{"features", false, false,
                               {skip("target medio-react-app", "an earlier phase failed")}, 0ns};
  r.phases = {backend, auth, features};
  return r;
}

}  // namespace

TEST_CASE("gate report: the failing phase and case, in the lines a terminal shows") {
  const fg::GateResult r = medio_failing();
  CHECK_FALSE(r.passed());
  REQUIRE(r.failed_phase() != nullptr);
  CHECK(r.failed_phase()->name == "auth");
  CHECK(fg::phase_line(r.phases[0]) == "phase backend: passed (3400ms)");
  CHECK(fg::phase_line(r.phases[1]) == "phase auth: FAILED (60ms)");
  CHECK(fg::phase_line(r.phases[2]) == "phase features: not run");
  CHECK(fg::case_line(r.phases[0].cases[0]) == "  ok    wake medio-backend  (40ms)  started 2 machines");
  CHECK(fg::case_line(r.phases[1].cases[1]) ==
        "  FAIL  journey medio-auth step login  (35ms)  cookie: cookie \"medio_session\" is not Secure <&'>");
  CHECK(fg::case_line(r.phases[2].cases[0]) == "  skip  target medio-react-app  (an earlier phase failed)");
  CHECK(fg::summary_line(r) ==
        "gate: FAILED at phase auth: journey medio-auth step login: cookie: cookie \"medio_session\" is not Secure <&'>");
}

TEST_CASE("gate report: a passing gate") {
  fg::GateResult r = medio_failing();
  r.phases.resize(1);
  CHECK(r.passed());
  CHECK(r.failed_phase() == nullptr);
  CHECK(fg::summary_line(r) == "gate: passed (1 phase)");
}

TEST_CASE("gate report: JSON names the failed phase and every case") {
  const auto doc = boost::json::parse(fg::gate_json(medio_failing())).as_object();
  CHECK(doc.at("passed") == false);
  CHECK(doc.at("failed_phase") == "auth");
  const auto& phases = doc.at("phases").as_array();
  REQUIRE(phases.size() == 3);
  CHECK(phases[2].at("ran") == false);
  const auto& login = phases[1].at("cases").as_array()[1].as_object();
  CHECK(login.at("name") == "journey medio-auth step login");
  CHECK(login.at("passed") == false);
  CHECK(login.at("reason") == "cookie");
  CHECK(login.at("duration_seconds").as_double() == doctest::Approx(0.035));
}

TEST_CASE("gate report: JUnit XML has a testsuite per phase and the failure, escaped") {
  const std::string xml =
      fg::gate_junit(medio_failing(), std::chrono::system_clock::time_point{} + 1700000000s);
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flywatch gate\" "
                        "tests=\"7\" failures=\"1\" errors=\"0\" skipped=\"2\" time=\"3.460\">\n"));
  CHECK(xml.find("  <testsuite name=\"backend\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" "
                 "time=\"3.400\" timestamp=\"2023-11-14T22:13:20.000Z\">\n") != std::string::npos);
  CHECK(xml.find("    <testcase classname=\"backend\" name=\"target medio-backend\" time=\"0.120\"/>\n") !=
        std::string::npos);
  const std::string failure =
      "journey medio-auth step login: cookie: cookie &quot;medio_session&quot; is not Secure &lt;&amp;&apos;&gt;";
  CHECK(xml.find("      <failure message=\"" + failure + "\" type=\"cookie\">" + failure + "</failure>\n") !=
        std::string::npos);
  CHECK(xml.find("<skipped message=\"an earlier phase failed\"/>") != std::string::npos);
  CHECK(xml.ends_with("</testsuites>\n"));
}

TEST_CASE("xml_escape: markup and control characters") {
  CHECK(fg::xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(fg::xml_escape(std::string("x\x01y\tz\n", 6)) == "x?y\tz\n");
  CHECK(fg::xml_escape("caf\xc3\xa9 \xe2\x80\x94") == "caf\xc3\xa9 \xe2\x80\x94");  // valid UTF-8 kept
  CHECK(fg::xml_escape("a\xc3(b\xff\xc0\xbc") == "a?(b???");  // truncated, invalid, overlong
}
