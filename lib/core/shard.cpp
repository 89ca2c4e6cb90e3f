#include "core/shard.hpp"

#include "core/name_hash.hpp"

namespace flywatch::core {

std::uint32_t shard_of(std::string_view key, std::uint32_t count) {
  if (count <= 1) return 0;
  return static_cast<std::uint32_t>(spread_hash(key) % count);
}

std::string_view placement_key(std::string_view name, std::string_view bound_app) {
  return bound_app.empty() ? name : bound_app;
}

bool keeps(const Shard& shard, std::string_view key) {
  return shard_of(key, shard.count) == shard.index;
}

std::string to_string(const Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

}  // namespace flywatch::core
