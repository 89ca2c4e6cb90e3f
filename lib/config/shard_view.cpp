#include "config/shard_view.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace flywatch::config {

namespace {

WatchedCounts count(const Config& c) {
  return {c.targets.size(), c.journeys.size(), c.fly ? c.fly->apps.size() : 0};
}

template <class T, class Keep>
void keep_only(std::vector<T>& items, Keep keep) {
  items.erase(std::remove_if(items.begin(), items.end(), [&](const T& x) { return !keep(x); }),
              items.end());
}

}  // namespace

ShardView select_shard(Config whole) {
  ShardView view;
  const core::Shard shard = whole.shard;
  view.summary.shard = shard;
  view.summary.total = count(whole);
  Config& c = view.config;
  c = std::move(whole);
  c.gate.reset();
  if (shard.count > 1) {
    // A target has at most one app (the fly section refuses two apps naming one target).
    std::map<std::string, std::string, std::less<>> app_of_target;
    if (c.fly) {
      for (const FlyApp& app : c.fly->apps) {
        if (!app.target.empty()) app_of_target[app.target] = app.name;
      }
      keep_only(c.fly->apps, [&](const FlyApp& a) { return core::keeps(shard, a.name); });
      if (c.fly->apps.empty()) c.fly.reset();
    }
    keep_only(c.targets, [&](const Target& t) {
      const auto app = app_of_target.find(t.name);
      // Not `cond ? "" : app->second`: that makes a temporary std::string the view would outlive.
      std::string_view bound;
      if (app != app_of_target.end()) bound = app->second;
      return core::keeps(shard, core::placement_key(t.name, bound));
    });
    keep_only(c.journeys, [&](const Journey& j) {
      return core::keeps(shard, core::placement_key(j.name(), j.app));
    });
  }
  view.summary.kept = count(c);
  return view;
}

std::string describe(const ShardSummary& s) {
  auto part = [](std::size_t kept, std::size_t total, const char* what) {
    return std::to_string(kept) + " of " + std::to_string(total) + " " + what;
  };
  return "shard " + core::to_string(s.shard) + " keeps " +
         part(s.kept.targets, s.total.targets, "targets") + ", " +
         part(s.kept.journeys, s.total.journeys, "journeys") + ", " +
         part(s.kept.apps, s.total.apps, "apps");
}

}  // namespace flywatch::config
