#pragma once
/// `shard: {index, count}` (DESIGN §10, §13): which part of a config one flywatch instance
/// watches. Names are placed by spread_hash (core/name_hash.hpp) modulo the count, so every
/// instance given the same file and count agrees on the split without talking to the others, and
/// a name stays in its shard across restarts, builds and platforms. Pure.

#include <cstdint>
#include <string>
#include <string_view>

namespace flywatch::core {

/// The largest `shard.count` accepted.
inline constexpr std::uint32_t max_shard_count = 1024;

/// One shard of `count`; the default, 0 of 1, is everything.
struct Shard {
  std::uint32_t index = 0;  ///< in [0, count)
  std::uint32_t count = 1;  ///< in [1, max_shard_count]
  bool operator==(const Shard&) const = default;
};

/// The shard of `count` (>= 1) that `key` belongs to: spread_hash(key) % count.
std::uint32_t shard_of(std::string_view key, std::uint32_t count);

/// The name a watched thing is placed by: `bound_app` when it is bound to a Fly app (a target
/// named by `fly.apps[].target`, a journey with `app:`), else its own `name`. So an app, its
/// target and its journeys always land in one shard, and the app's alerts and their inhibition
/// stay in one instance.
std::string_view placement_key(std::string_view name, std::string_view bound_app);

/// True when `shard` keeps `key` (a placement_key).
bool keeps(const Shard& shard, std::string_view key);

/// "I/N", as logs and messages show a shard.
std::string to_string(const Shard& shard);

}  // namespace flywatch::core
