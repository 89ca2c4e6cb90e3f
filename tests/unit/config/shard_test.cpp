// `shard:` (DESIGN §10, §13): the section's good and bad files under tests/testdata/config/shard,
// and select_shard, which keeps a shard's apps, targets and journeys (bound ones with their app).
#include <doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "config/config.hpp"
#include "config/shard_view.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
using flywatch::config::Config;
using flywatch::config::parse_config;
using flywatch::config::select_shard;
using flywatch::config::ShardView;
using flywatch::config::WatchedCounts;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::config::test::testdata_dir;
using flywatch::core::Shard;

namespace {

Config load(const fs::path& p) { return parse_config(slurp(p), p.string(), fake_env()); }

Config three_shards() { return load(testdata_dir() + "/shard/good/three_shards.yaml"); }

/// The names of what a view keeps, each list in config order, space-separated.
struct Kept {
  std::string apps, targets, journeys;
};

void add(std::string& to, const std::string& name) { to += (to.empty() ? "" : " ") + name; }

Kept kept(const ShardView& v) {
  Kept k;
  if (v.config.fly) {
    for (const auto& a : v.config.fly->apps) add(k.apps, a.name);
  }
  for (const auto& t : v.config.targets) add(k.targets, t.name);
  for (const auto& j : v.config.journeys) add(k.journeys, j.name());
  return k;
}

std::size_t words(const std::string& s) {
  return s.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(s.begin(), s.end(), ' '));
}

using Check = std::function<void(const Config&)>;

const std::map<std::string, Check>& good_checks() {
  static const std::map<std::string, Check> checks = {
      {"absent.yaml", [](const Config& c) { CHECK(c.shard == Shard{0, 1}); }},
      {"one.yaml",
       [](const Config& c) {
         CHECK(c.shard == Shard{0, 1});
         CHECK(select_shard(c).config.targets.size() == 2);
       }},
      {"env_index.yaml", [](const Config& c) { CHECK(c.shard == Shard{1, 1024}); }},
      {"three_shards.yaml",
       [](const Config& c) {
         CHECK(c.shard == Shard{0, 3});
         // load_config keeps the whole file: the shard is taken by select_shard.
         CHECK(c.targets.size() == 6);
         CHECK(c.journeys.size() == 2);
         REQUIRE(c.fly);
         CHECK(c.fly->apps.size() == 3);
         CHECK(c.gate);
       }},
  };
  return checks;
}

}  // namespace

TEST_CASE("shard: every good file parses with the expected values") {
  flywatch::config::test::check_good_files("shard/good", good_checks(), load);
}

TEST_CASE("shard: every bad file is refused with its exact error") {
  flywatch::config::test::check_bad_files("shard/bad", 16, [](const fs::path& p) { load(p); });
}

TEST_CASE("select_shard: each shard keeps its apps, and bound targets and journeys go with them") {
  Config whole = three_shards();
  const std::map<std::uint32_t, Kept> want = {
      {0, {"medio-backend", "be-edge web-3", "login-flow checkout"}},
      {1, {"worker", "web-1 blog", ""}},
      {2, {"medio-site", "site-edge web-2", ""}},
  };
  for (const auto& [index, names] : want) {
    INFO("shard " << index);
    whole.shard = Shard{index, 3};
    const ShardView v = select_shard(whole);
    const Kept k = kept(v);
    CHECK(k.apps == names.apps);
    CHECK(k.targets == names.targets);
    CHECK(k.journeys == names.journeys);
    CHECK(v.summary.total == WatchedCounts{6, 2, 3});
    CHECK(v.summary.kept ==
          WatchedCounts{words(names.targets), words(names.journeys), words(names.apps)});
    CHECK(v.config.shard == Shard{index, 3});
    CHECK(v.summary.shard == Shard{index, 3});
    // `flywatch gate` never runs a shard.
    CHECK_FALSE(v.config.gate);
    // The rest of the file is untouched.
    CHECK(v.config.fly->token == whole.fly->token);
    CHECK(v.config.alerts.rules.repeat_interval == whole.alerts.rules.repeat_interval);
  }
}

TEST_CASE("select_shard: the shards of a count together keep everything exactly once") {
  Config whole = three_shards();
  for (std::uint32_t count = 1; count <= 7; ++count) {
    std::map<std::string, int> seen;
    for (std::uint32_t index = 0; index < count; ++index) {
      whole.shard = Shard{index, count};
      const Kept k = kept(select_shard(whole));
      std::istringstream names(k.apps + " " + k.targets + " " + k.journeys);
      for (std::string n; names >> n;) ++seen[n];
    }
    INFO("count " << count);
    CHECK(seen.size() == 11);
    for (const auto& [name, n] : seen) {
      INFO(name);
      CHECK(n == 1);
    }
  }
}

TEST_CASE("select_shard: one shard keeps every app, target and journey") {
  Config whole = three_shards();
  whole.shard = Shard{};
  const ShardView v = select_shard(whole);
  CHECK(v.summary.kept == v.summary.total);
  CHECK(kept(v).targets == "be-edge site-edge web-1 web-2 web-3 blog");
}

TEST_CASE("select_shard: a shard without apps has no fly section") {
  const Config whole = parse_config(
      "shard: {index: 0, count: 2}\n"  // medio-backend is in shard 1
      "targets: [{name: web-1, url: \"https://web-1.example.test/\"}]\n"
      "fly: {token: x, apps: [{name: medio-backend}]}\n",
      "inline.yaml", fake_env());
  const ShardView v = select_shard(whole);
  CHECK_FALSE(v.config.fly);
  CHECK(kept(v).targets == "web-1");
  CHECK(v.summary.total == WatchedCounts{1, 0, 1});
  CHECK(v.summary.kept == WatchedCounts{1, 0, 0});
}

TEST_CASE("describe: what the command line prints") {
  Config whole = three_shards();
  whole.shard = Shard{1, 3};
  CHECK(describe(select_shard(whole).summary) ==
        "shard 1/3 keeps 2 of 6 targets, 0 of 2 journeys, 1 of 3 apps");
}
