#include "core/name_hash.hpp"

namespace flywatch::core {

std::uint64_t stable_hash(std::string_view name) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV offset basis
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;  // FNV prime
  }
  return h;
}

std::uint64_t spread_hash(std::string_view name) {
  // FNV-1a modulo 2^k depends only on the low k bits of each byte (the prime is odd), so
  // "web-1", "web-3", "web-5" would share a shard of 2; the finaliser spreads every input bit
  // over the whole word before the value is reduced.
  std::uint64_t h = stable_hash(name);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace flywatch::core
