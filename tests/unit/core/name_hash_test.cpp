#include "core/name_hash.hpp"

#include <doctest.h>

#include <cstdint>
#include <set>
#include <string>

namespace fc = flywatch::core;

TEST_CASE("stable_hash is 64-bit FNV-1a") {
  // Published FNV-1a 64 test vectors.
  CHECK(fc::stable_hash("") == 0xcbf29ce484222325ULL);
  CHECK(fc::stable_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fc::stable_hash("foobar") == 0x85944171f73967e8ULL);
  CHECK(fc::stable_hash("medio-backend") != fc::stable_hash("medio-react-app"));
  // Bytes above 0x7f hash as unsigned.
  CHECK(fc::stable_hash("\xff") == ((0xcbf29ce484222325ULL ^ 0xffULL) * 1099511628211ULL));
}

TEST_CASE("spread_hash: pinned values (computed independently, see docs/sharding.md)") {
  // Every shard and every first-run phase depends on these: they must never change.
  CHECK(fc::spread_hash("") == 0xefd01f60ba992926ULL);
  CHECK(fc::spread_hash("a") == 0x82a2a958a9bece5bULL);
  CHECK(fc::spread_hash("medio-backend") == 0x04a0a7dcc4aa7a9bULL);
  CHECK(fc::spread_hash("medio-react-app") == 0x8af68fb88bb75d5fULL);
  CHECK(fc::spread_hash("web-1") == 0xc663f9d41a1b33b4ULL);
  // UTF-8 bytes as written.
  CHECK(fc::spread_hash("\xc3\xbcn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9") == 0xc4b3c4ebf61bc14dULL);
}

TEST_CASE("spread_hash: low bits depend on every bit of the name, unlike FNV-1a's") {
  // FNV-1a modulo 4 sees only the low two bits of each byte: a, e, i, m, q, u and y all end in
  // 01, so web-a … web-y would share a shard of 4. spread_hash separates them.
  std::set<std::uint64_t> fnv, spread;
  for (const char c : std::string("aeimquy")) {
    const std::string name = std::string("web-") + c;
    fnv.insert(fc::stable_hash(name) % 4);
    spread.insert(fc::spread_hash(name) % 4);
  }
  CHECK(fnv == std::set<std::uint64_t>{3});
  CHECK(spread == std::set<std::uint64_t>{0, 1, 3});
}
