#include "src/journey/siphash.h"

#include <array>
#include <cstring>
#include <string>

namespace switchboard::journey_internal {
namespace {

constexpr uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct State {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1; v1 = Rotl(v1, 13); v1 ^= v0; v0 = Rotl(v0, 32);
    v2 += v3; v3 = Rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = Rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = Rotl(v1, 17); v1 ^= v2; v2 = Rotl(v2, 32);
  }
  void Compress(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

uint64_t LoadLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

uint64_t Fnv1a64(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

SipKey SipKeyFromSalt(std::string_view salt) {
  return SipKey{Fnv1a64(salt, 0x736f6d6570736575ull), Fnv1a64(salt, 0x646f72616e646f6dull)};
}

uint64_t SipHash24(const SipKey& key, std::string_view data) {
  State s{0x736f6d6570736575ull ^ key.k0, 0x646f72616e646f6dull ^ key.k1,
          0x6c7967656e657261ull ^ key.k0, 0x7465646279746573ull ^ key.k1};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t full = n / 8 * 8;
  for (size_t i = 0; i < full; i += 8) s.Compress(LoadLe64(p + i));
  uint64_t last = static_cast<uint64_t>(n & 0xff) << 56;
  for (size_t i = 0; i < n - full; ++i) last |= static_cast<uint64_t>(p[full + i]) << (8 * i);
  s.Compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t TombstoneHash(const SipKey& key, std::string_view scope, char separator,
                       std::string_view id) {
  // Built on the stack, not formatted: this runs once per ingested event (the tombstone check).
  std::array<char, 512> buffer;
  const size_t size = scope.size() + 1 + id.size();
  if (size > buffer.size()) {  // longer than any valid tenant and id
    std::string data(scope);
    data.push_back(separator);
    data.append(id.data(), id.size());
    return SipHash24(key, data);
  }
  std::memcpy(buffer.data(), scope.data(), scope.size());
  buffer[scope.size()] = separator;
  std::memcpy(buffer.data() + scope.size() + 1, id.data(), id.size());
  return SipHash24(key, std::string_view(buffer.data(), size));
}

}  // namespace switchboard::journey_internal
