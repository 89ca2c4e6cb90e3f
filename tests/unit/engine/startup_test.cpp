// The steps of `flywatch run` in lib/engine: opening the outbox, starting to watch, reloads.
#include <doctest.h>

#include <fstream>
#include <string>

#include "core/daemon_policy.hpp"
#include "dispatch_rig.hpp"
#include "engine/reload.hpp"
#include "engine/startup.hpp"
#include "engine_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

config::Config parse(const std::string& text) {
  return config::parse_config(text, "test.yaml",
                              [](const std::string&) { return std::optional<std::string>(); });
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string state_config(const std::filesystem::path& state_dir, const std::string& target) {
  return "state_dir: " + state_dir.string() + "\ntargets:\n  - name: " + target +
         "\n    url: http://127.0.0.1:9/\n";
}

}  // namespace

TEST_CASE("restore_grace of a config: its targets, its poll interval, its longest cold start") {
  config::Config cfg;
  cfg.targets.resize(2);
  cfg.targets[0].interval = 15s;
  cfg.targets[0].timeout = 5s;
  cfg.targets[0].failure_threshold = 3;
  cfg.targets[1].interval = 10s;
  cfg.targets[1].timeout = 1s;
  cfg.targets[1].failure_threshold = 1;
  CHECK(engine::restore_grace(cfg) == 70s);  // (15s + 5s) × 3 + 10s
  cfg.fly.emplace();
  cfg.fly->poll_interval = 5s;
  cfg.fly->apps.resize(2);
  cfg.fly->apps[0].cold_start_slo = 10s;
  cfg.fly->apps[1].cold_start_slo = 30s;
  CHECK(engine::restore_grace(cfg) == 110s);  // 60s + 30s + 2 × 5s + 10s
  const std::vector<core::ProbeCadence> same{{15s, 5s, 3}, {10s, 1s, 1}};
  CHECK(engine::restore_grace(cfg) == core::restore_grace(same, core::PollCadence{5s, 30s}));
}

TEST_CASE("open_outbox creates state_dir; a state_dir that cannot be one is a config error") {
  test::ScratchDir dir;
  std::FILE* sink = std::tmpfile();
  {
    log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, sink};
    const auto nested = dir.path() / "a" / "b";
    auto opened = engine::open_outbox(nested.string(), logger);
    CHECK(opened.failure == engine::StartupFailure::none);
    CHECK(opened.worker != nullptr);
    CHECK(std::filesystem::is_directory(nested));
    opened.worker.reset();

    write_file(dir.file("plain"), "not a directory");
    const auto under_file = dir.path() / "plain" / "state";
    opened = engine::open_outbox(under_file.string(), logger);
    CHECK(opened.failure == engine::StartupFailure::config);
    CHECK(opened.worker == nullptr);
  }
  const std::string logs = test::read_all(sink);
  std::fclose(sink);
  CHECK(logs.find("cannot use state_dir") != std::string::npos);
}

TEST_CASE("start_watching applies the config and reads what was firing before") {
  test::DispatchRig alerts;
  test::EngineRig rig;
  write_file(alerts.dir.file("alerts.json"), "{not json");
  const auto cfg = parse(state_config(alerts.dir.path(), "api"));
  engine::connect_alerts(rig.engine, *alerts.dispatcher);
  engine::start_watching(cfg, rig.engine, *alerts.dispatcher, *alerts.worker, rig.logger);
  CHECK(rig.status_entry("targets", "api").at("url").as_string() == "http://127.0.0.1:9/");
  const std::string logs = rig.logs();
  CHECK(logs.find("alert state unreadable; ignored") != std::string::npos);
  CHECK(logs.find("alerts restored") == std::string::npos);  // nothing was firing
}

TEST_CASE("reload_config swaps in a valid config only") {
  test::DispatchRig alerts;
  test::EngineRig rig;
  test::ScratchDir dir;
  const auto path = dir.file("flywatch.yaml").string();
  config::Config running = parse(state_config(alerts.dir.path(), "api"));
  rig.engine.apply(running);
  const engine::ReloadParts parts{rig.engine, *alerts.dispatcher, rig.metrics, rig.logger,
                                  false, false};

  write_file(path, state_config(dir.path() / "elsewhere", "web"));
  CHECK_FALSE(engine::reload_config(path, "test", running, parts));
  CHECK(running.targets.at(0).name == "web");
  CHECK(rig.status_entry("targets", "web").at("name").as_string() == "web");
  std::string logs = rig.logs();
  CHECK(logs.find("state_dir changed; the new directory takes effect on restart") != std::string::npos);
  CHECK(logs.find("server.listen changed") == std::string::npos);
  CHECK(logs.find("msg=\"config reloaded\" trigger=test targets=1") != std::string::npos);
  CHECK(rig.metrics.render().find("flywatch_config_last_reload_successful 1") != std::string::npos);

  write_file(path, "targets: [\n");
  const auto error = engine::reload_config(path, "test", running, parts);
  REQUIRE(error);
  CHECK(error->find(path) == 0);
  CHECK(running.targets.at(0).name == "web");
  logs = rig.logs();
  CHECK(logs.find("msg=\"config reload failed\" trigger=test") != std::string::npos);
  CHECK(rig.metrics.render().find("flywatch_config_last_reload_successful 0") != std::string::npos);
}

TEST_CASE("reload_config cuts the new file to its shard, and says so when the shard matters") {
  test::DispatchRig alerts;
  test::EngineRig rig;
  test::ScratchDir dir;
  const auto path = dir.file("flywatch.yaml").string();
  config::Config running = parse(state_config(alerts.dir.path(), "api"));
  rig.engine.apply(running);
  const engine::ReloadParts parts{rig.engine, *alerts.dispatcher, rig.metrics, rig.logger,
                                  false, false};
  // web-1 and checkout hash to shard 0 of 2, web-2 and web-3 to shard 1.
  auto sharded = [&](const std::string& shard) {
    std::string text = "state_dir: " + alerts.dir.path().string() + "\n" + shard + "targets:\n";
    for (const char* t : {"web-1", "web-2", "web-3", "checkout"}) {
      text += std::string("  - {name: ") + t + ", url: \"http://127.0.0.1:9/\"}\n";
    }
    return text;
  };
  auto names = [&] {
    std::string out;
    for (const auto& t : running.targets) out += (out.empty() ? "" : " ") + t.name;
    return out;
  };
  auto shard_lines = [&] {
    const std::string logs = rig.logs();
    std::size_t n = 0;
    for (auto at = logs.find("msg=\"shard selected\""); at != std::string::npos;
         at = logs.find("msg=\"shard selected\"", at + 1)) {
      ++n;
    }
    return n;
  };

  write_file(path, sharded("shard: {index: 0, count: 2}\n"));
  REQUIRE_FALSE(engine::reload_config(path, "test", running, parts));
  CHECK(names() == "web-1 checkout");
  CHECK(rig.engine.target_count() == 2);
  CHECK(rig.logs().find("msg=\"shard selected\" shard=0/2 targets=2 targets_total=4 journeys=0 "
                        "journeys_total=0 apps=0 apps_total=0") != std::string::npos);
  CHECK(rig.logs().find("msg=\"config reloaded\" trigger=test targets=2") != std::string::npos);
  CHECK(rig.metrics.render().find("flywatch_shard_info{count=\"2\",index=\"0\"} 1") !=
        std::string::npos);

  write_file(path, sharded("shard: {index: 1, count: 2}\n"));
  REQUIRE_FALSE(engine::reload_config(path, "test", running, parts));
  CHECK(names() == "web-2 web-3");
  CHECK(rig.logs().find("msg=\"shard selected\" shard=1/2 targets=2") != std::string::npos);
  CHECK(shard_lines() == 2);

  // Back to one instance: said once, then silent as any unsharded reload.
  write_file(path, sharded(""));
  REQUIRE_FALSE(engine::reload_config(path, "test", running, parts));
  CHECK(names() == "web-1 web-2 web-3 checkout");
  CHECK(rig.logs().find("msg=\"shard selected\" shard=0/1 targets=4 targets_total=4") !=
        std::string::npos);
  REQUIRE_FALSE(engine::reload_config(path, "test", running, parts));
  CHECK(shard_lines() == 3);
  const std::string metrics = rig.metrics.render();
  CHECK(metrics.find("flywatch_shard_info{count=\"1\",index=\"0\"} 1") != std::string::npos);
  CHECK(metrics.find("flywatch_shard_info{count=\"2\"") == std::string::npos);

  // A bad shard is a bad file: refused whole, the running shard kept.
  write_file(path, sharded("shard: {index: 2, count: 2}\n"));
  const auto error = engine::reload_config(path, "test", running, parts);
  REQUIRE(error);
  CHECK(error->find(":2:16: shard.index: 2 is not below shard.count (2)") != std::string::npos);
  CHECK(names() == "web-1 web-2 web-3 checkout");
}
