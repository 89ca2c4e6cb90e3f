#include "core/shard.hpp"

#include <doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fc = flywatch::core;

TEST_CASE("shard_of: pinned placements of a few names") {
  // spread_hash % count; these must not move between releases (docs/sharding.md shows how an
  // operator computes them).
  struct Row {
    const char* name;
    std::vector<std::uint32_t> shards;  // for count 2, 3, 4, 5, 7
  };
  const std::vector<Row> rows = {
      {"medio-backend", {1, 0, 3, 4, 0}},
      {"medio-react-app", {1, 0, 3, 1, 6}},
      {"web-1", {0, 1, 0, 2, 6}},
      {"a", {1, 2, 3, 0, 1}},
  };
  const std::vector<std::uint32_t> counts = {2, 3, 4, 5, 7};
  for (const Row& r : rows) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      INFO(r.name << " of " << counts[i]);
      CHECK(fc::shard_of(r.name, counts[i]) == r.shards[i]);
    }
    CHECK(fc::shard_of(r.name, 1) == 0);
  }
}

TEST_CASE("every name lands in exactly one shard, and 10,000 names split evenly") {
  for (std::uint32_t count = 1; count <= 7; ++count) {
    INFO("count " << count);
    std::vector<int> per_shard(count, 0);
    for (int i = 0; i < 10'000; ++i) {
      const std::string name = "target-" + std::to_string(i);
      int owners = 0;
      for (std::uint32_t index = 0; index < count; ++index) {
        if (fc::keeps(fc::Shard{index, count}, name)) {
          ++owners;
          ++per_shard[index];
        }
      }
      REQUIRE(owners == 1);
    }
    // Each shard within 5% of an even share (the largest deviation of this set is 4.2%).
    const double even = 10'000.0 / count;
    for (std::uint32_t index = 0; index < count; ++index) {
      INFO("shard " << index << ": " << per_shard[index]);
      CHECK(per_shard[index] > even * 0.95);
      CHECK(per_shard[index] < even * 1.05);
    }
  }
}

TEST_CASE("the default shard keeps everything") {
  const fc::Shard whole;
  CHECK(whole.index == 0);
  CHECK(whole.count == 1);
  for (const char* name : {"", "a", "medio-backend", "\xff"}) CHECK(fc::keeps(whole, name));
}

TEST_CASE("placement_key: a thing bound to an app goes where the app goes") {
  CHECK(fc::placement_key("medio-auth", "medio-backend") == "medio-backend");
  CHECK(fc::placement_key("status-page", "") == "status-page");
  // So a journey bound to an app shares the app's shard whatever its own name hashes to.
  CHECK(fc::shard_of("medio-auth", 2) == 1);
  CHECK(fc::shard_of("web-1", 2) == 0);
  CHECK(fc::keeps({0, 2}, fc::placement_key("medio-auth", "web-1")));
}

TEST_CASE("a shard reads as I/N") {
  CHECK(fc::to_string(fc::Shard{}) == "0/1");
  CHECK(fc::to_string(fc::Shard{2, 7}) == "2/7");
}
