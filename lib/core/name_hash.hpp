#pragma once
/// Stable hashes of names (target, journey and app names): fixed arithmetic on the name's UTF-8
/// bytes, the same on every run, build, platform and release, never std::hash. The schedule
/// spreads first runs with them and `shard:` places names in shards; changing either function
/// moves every target's phase and shard, so their values are pinned by tests. Pure.

#include <cstdint>
#include <string_view>

namespace flywatch::core {

/// 64-bit FNV-1a of the name's bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
std::uint64_t stable_hash(std::string_view name);

/// stable_hash(name) passed through MurmurHash3's 64-bit finaliser (fmix64), so that every bit
/// of the result depends on every bit of the name. Reduce this one, not stable_hash, modulo a
/// small number.
std::uint64_t spread_hash(std::string_view name);

}  // namespace flywatch::core
