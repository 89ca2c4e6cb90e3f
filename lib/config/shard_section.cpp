// `shard: {index, count}` (DESIGN §10, §13).
#include "config/sections.hpp"
#include "config/syntax.hpp"

namespace flywatch::config::detail {

core::Shard parse_shard_section(const Reader& r, const Field& field) {
  const Fields fields(r, field.value, field.value_pos(), "shard", "in shard", {"index", "count"});
  const Pos where = field.value_pos();
  const Field* index = fields.get("index");
  const Field* count = fields.get("count");
  // Both are required: an instance that forgot its index would silently watch shard 0 twice.
  if (!index) r.fail(where, "shard is missing required key \"index\"");
  if (!count) r.fail(where, "shard is missing required key \"count\"");
  core::Shard out;
  out.count = static_cast<std::uint32_t>(
      r.integer(count->value, count->value_pos(), "shard.count", 1, core::max_shard_count));
  out.index = static_cast<std::uint32_t>(
      r.integer(index->value, index->value_pos(), "shard.index", 0, core::max_shard_count - 1));
  if (out.index >= out.count) {
    r.fail(index->value_pos(), "shard.index: " + std::to_string(out.index) +
                                   " is not below shard.count (" + std::to_string(out.count) +
                                   "); shards are numbered 0 to " +
                                   std::to_string(out.count - 1));
  }
  return out;
}

}  // namespace flywatch::config::detail
