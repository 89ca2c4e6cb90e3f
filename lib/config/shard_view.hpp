#pragma once
/// The part of a loaded config one instance watches (`shard:`, DESIGN §10, §13): a pure filter
/// of the parsed, validated Config, applied after load_config and before the config is swapped in
/// at start and on every reload.

#include <cstddef>
#include <string>

#include "config/config.hpp"

namespace flywatch::config {

/// How many targets, journeys and Fly apps a config holds.
struct WatchedCounts {
  std::size_t targets = 0;
  std::size_t journeys = 0;
  std::size_t apps = 0;
  bool operator==(const WatchedCounts&) const = default;
};

/// Which shard a config was cut to, and how much of the whole file it keeps.
struct ShardSummary {
  core::Shard shard;
  WatchedCounts total;  ///< of the whole file
  WatchedCounts kept;   ///< of the shard's config
};

/// A config cut down to its shard.
struct ShardView {
  Config config;  ///< what this instance watches; config.shard == summary.shard
  ShardSummary summary;
};

/// Keeps the Fly apps, targets and journeys of `whole` that `whole.shard` keeps, each placed by
/// core::placement_key: an app by its name, a target named by an app's `target` and a journey
/// with `app:` by that app's name (so they go where their app goes), anything else by its own
/// name. `fly` becomes nullopt when it keeps no app; `gate` is dropped (`flywatch gate` runs the
/// whole file's phases, never a shard). Everything else (server, sinks, rules, maintenance
/// windows, which name targets and apps only to match alerts) is kept as is. One shard (the
/// default) keeps everything.
ShardView select_shard(Config whole);

/// "shard I/N keeps T of T' targets, J of J' journeys, A of A' apps", for the command line.
std::string describe(const ShardSummary& summary);

}  // namespace flywatch::config
