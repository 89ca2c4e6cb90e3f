// core::SinkKind: the one enum of sink kinds, its names and their parsing.
#include <doctest.h>

#include <set>
#include <string>

#include "core/sink_kind.hpp"

using namespace flywatch::core;

TEST_CASE("sink kind names round-trip and are distinct") {
  std::set<std::string> seen;
  for (SinkKind k : sink_kinds) {
    CHECK(parse_sink_kind(to_string(k)) == k);
    CHECK(seen.insert(std::string(to_string(k))).second);
  }
  CHECK(to_string(SinkKind::webhook) == "webhook");
  CHECK(to_string(SinkKind::alertmanager) == "alertmanager");
  CHECK(to_string(SinkKind::pagerduty) == "pagerduty");
  CHECK(to_string(SinkKind::slack) == "slack");
}

TEST_CASE("parse_sink_kind refuses other spellings") {
  CHECK_FALSE(parse_sink_kind("Slack").has_value());
  CHECK_FALSE(parse_sink_kind("").has_value());
  CHECK_FALSE(parse_sink_kind("webhooks").has_value());
}
