// Portable draws from a seeded std::mt19937_64 for randomized tests: the engine's raw output is the
// same on every platform, std's distributions are not, so a seed printed on failure replays
// exactly anywhere.
#ifndef SWITCHBOARD_TESTS_SEEDED_RANDOM_H_
#define SWITCHBOARD_TESTS_SEEDED_RANDOM_H_

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace sbt {

// Uniform integer in [0, n).
inline std::uint64_t Below(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }

template <typename T>
void Shuffle(std::vector<T>* v, std::mt19937_64& rng) {
  for (std::size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[Below(rng, i)]);
}

}  // namespace sbt

#endif  // SWITCHBOARD_TESTS_SEEDED_RANDOM_H_
