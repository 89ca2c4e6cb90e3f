// connection: reuse in the engine: the specs it makes (owner, key, prepared request) and the
// kept connections it lets the prober keep across a reload.
#include <doctest.h>

#include <chrono>
#include <string>

#include "engine/engine.hpp"
#include "engine/fly_probe.hpp"
#include "engine/probe_plan.hpp"
#include "engine_rig.hpp"
#include "test_targets.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using test::make_target;

namespace {

config::Target reuse_target(const std::string& name) {
  config::Target t = make_target(name);
  t.connection = core::ConnectionMode::reuse;
  t.max_connection_age = 3min;
  return t;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("make_probe_spec: fresh prepares a Connection: close request and no key") {
  const net::ProbeSpec s = engine::make_probe_spec(make_target("a"));
  CHECK(s.connection == core::ConnectionMode::fresh);
  CHECK(s.connection_key.empty());
  CHECK(s.connection_owner.empty());
  CHECK(s.request.starts_with("GET / HTTP/1.1\r\nHost: a\r\n"));
  CHECK(has(s.request, "Connection: close\r\n"));
}

TEST_CASE("make_probe_spec: reuse gets a new owner per spec made, and a keep-alive request") {
  const net::ProbeSpec s1 = engine::make_probe_spec(reuse_target("a"));
  const net::ProbeSpec s2 = engine::make_probe_spec(reuse_target("a"));
  CHECK(s1.connection == core::ConnectionMode::reuse);
  CHECK(s1.max_connection_age == 3min);
  CHECK(s1.connection_owner.starts_with("a#"));
  CHECK(s1.connection_key == s1.connection_owner);
  CHECK(s1.connection_owner != s2.connection_owner);  // a changed target never gets the old one
  CHECK_FALSE(has(s1.request, "Connection:"));
}

TEST_CASE("machine_probe_spec: one key per machine, the header in the prepared request") {
  const net::ProbeSpec target = engine::make_probe_spec(reuse_target("a"));
  const net::ProbeSpec m = engine::machine_probe_spec(target, "148ed193b95e89");
  CHECK(m.connection_owner == target.connection_owner);
  CHECK(m.connection_key == target.connection_owner + "@148ed193b95e89");
  CHECK(has(m.request, "fly-force-instance-id: 148ed193b95e89\r\n"));
  CHECK_FALSE(has(target.request, "fly-force-instance-id"));
  // fresh: no key to extend, but the request still carries the header.
  const net::ProbeSpec f = engine::machine_probe_spec(engine::make_probe_spec(make_target("b")),
                                                      "m2");
  CHECK(f.connection_key.empty());
  CHECK(has(f.request, "fly-force-instance-id: m2\r\n"));
}

TEST_CASE("same_probe: connection and max_connection_age are part of the probe") {
  const config::Target a = make_target("a");
  config::Target b = reuse_target("a");
  CHECK_FALSE(engine::same_probe(a, b));
  config::Target c = reuse_target("a");
  c.max_connection_age = 4min;
  CHECK_FALSE(engine::same_probe(b, c));
  CHECK(engine::same_probe(b, reuse_target("a")));
}

TEST_CASE("apply: unchanged targets keep their connection owner; changed and removed lose it") {
  test::EngineRig rig;
  config::Config cfg;
  cfg.targets = {reuse_target("kept"), reuse_target("changed"), reuse_target("removed"),
                 make_target("fresh")};
  rig.engine.apply(cfg);
  REQUIRE(rig.prober.retained.size() == 1);
  const auto first = rig.prober.retained.back();
  CHECK(first.size() == 3);  // the fresh target has none

  config::Target changed = reuse_target("changed");
  changed.endpoint.headers.emplace_back("X-New", "1");
  cfg.targets = {reuse_target("kept"), changed, make_target("fresh")};
  rig.engine.apply(cfg);
  REQUIRE(rig.prober.retained.size() == 2);
  const auto second = rig.prober.retained.back();
  CHECK(second.size() == 2);
  std::string kept_owner;
  for (const auto& o : first) {
    if (o.starts_with("kept#")) kept_owner = o;
  }
  CHECK(second.contains(kept_owner));
  for (const auto& o : second) {
    if (o.starts_with("changed#")) CHECK_FALSE(first.contains(o));
    CHECK_FALSE(o.starts_with("removed#"));
  }
}
