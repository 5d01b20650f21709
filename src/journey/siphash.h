// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit hash, used for erasure tombstones so that
// a tombstone does not reveal the erased id and cannot be forged without the salt.
#ifndef SWITCHBOARD_SRC_JOURNEY_SIPHASH_H_
#define SWITCHBOARD_SRC_JOURNEY_SIPHASH_H_

#include <cstdint>
#include <string_view>

namespace switchboard::journey_internal {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// A 128-bit key derived from a salt of any length (FNV-1a over two seeds; not secret-preserving
// beyond the salt itself, which is the secret).
SipKey SipKeyFromSalt(std::string_view salt);

uint64_t SipHash24(const SipKey& key, std::string_view data);

// An erasure tombstone: SipHash24 of `scope`, then `separator`, then `id`. The separator, a byte
// no valid scope (a tenant name) holds, keeps the kinds of tombstone apart: '\0' for erased
// events, '\x01' for erased hashed customer ids.
uint64_t TombstoneHash(const SipKey& key, std::string_view scope, char separator,
                       std::string_view id);

// FNV-1a 64: deterministic across runs and builds (absl::Hash is seeded per process).
uint64_t Fnv1a64(std::string_view data, uint64_t seed = 14695981039346656037ull);

}  // namespace switchboard::journey_internal

#endif  // SWITCHBOARD_SRC_JOURNEY_SIPHASH_H_
