// The alert model: fingerprints, names, enums.
#include <doctest.h>

#include <set>

#include "core/alert.hpp"

using namespace flywatch::core;

TEST_CASE("alert fingerprints are stable, label-only and collision-resistant on splits") {
  const AlertLabels a{{"alertname", "TargetDown"}, {"severity", "critical"}, {"target", "medio"}};
  CHECK(alert_fingerprint(a) == alert_fingerprint(AlertLabels(a)));
  CHECK(alert_fingerprint(a).size() == 16);
  // FNV-1a 64 of the empty input is its offset basis.
  CHECK(alert_fingerprint({}) == "cbf29ce484222325");
  AlertLabels b = a;
  b["target"] = "medio2";
  CHECK(alert_fingerprint(a) != alert_fingerprint(b));
  CHECK(alert_fingerprint({{"ab", "c"}}) != alert_fingerprint({{"a", "bc"}}));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(alert_fingerprint({{"target", std::to_string(i)}}));
  CHECK(seen.size() == 1000);
}

TEST_CASE("alert names, severities and event kinds") {
  Alert al;
  al.labels = {{"alertname", "MachineFailed"}, {"severity", "critical"}};
  CHECK(al.name() == "MachineFailed");
  CHECK(al.severity() == "critical");
  CHECK(parse_severity("warning") == Severity::warning);
  CHECK_FALSE(parse_severity("Warning").has_value());
  CHECK(to_string(Severity::info) == "info");
  CHECK(to_string(AlertEventKind::resolved) == "resolved");
}
