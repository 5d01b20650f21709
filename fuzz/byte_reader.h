// Choices read from a fuzzer's bytes: each call takes what it needs, and an exhausted input
// reads as zeros, so every byte string is a valid program. Small values are the common case and
// the edges of each range come up often, because that is where the bounds checks live.
#ifndef SWITCHBOARD_FUZZ_BYTE_READER_H_
#define SWITCHBOARD_FUZZ_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace switchboard_fuzz {

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return size_ == 0; }
  std::uint8_t Byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  bool Chance(int in_256) { return Byte() < in_256; }
  // About one time in thirty: where a call gets a value it must reject. Zeros (and an exhausted
  // input) never are, so that a short input is a program of valid calls.
  bool Hostile() { return Byte() >= 248; }
  // lo..hi (inclusive), uniform over one or two bytes.
  std::int64_t Range(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    std::uint64_t v = Byte();
    if (span > 256) v = (v << 8) | Byte();
    return lo + static_cast<std::int64_t>(v % span);
  }
  // Usually within lo..hi; one time in sixteen an edge just inside or just outside the range, or
  // a far value.
  std::int64_t Around(std::int64_t lo, std::int64_t hi) {
    if (Byte() < 240) return Range(lo, hi);
    const std::int64_t edges[] = {lo, hi, lo - 1, hi + 1, 0, -1, INT32_MAX, INT32_MIN};
    return edges[Byte() % 8];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[Byte() % from.size()];
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

// `count` random byte strings of `size` bytes: seeds for a target whose every input is a program.
// A fixed LCG, so that they are the same on every platform.
inline std::vector<std::string> RandomPrograms(int count, int size) {
  std::vector<std::string> programs;
  std::uint64_t x = 0x5eed;
  for (int n = 0; n < count; ++n) {
    std::string s;
    for (int i = 0; i < size; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      s.push_back(static_cast<char>(x >> 56));
    }
    programs.push_back(std::move(s));
  }
  return programs;
}

}  // namespace switchboard_fuzz

#endif  // SWITCHBOARD_FUZZ_BYTE_READER_H_
