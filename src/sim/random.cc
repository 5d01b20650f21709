#include "switchboard/sim/random.h"

#include <cmath>
#include <numbers>

namespace switchboard::sim {
namespace {

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 53 random bits mapped to (0, 1): the +0.5 keeps both ends open, so log(u) is finite.
double ToOpenUnit(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

std::uint64_t DeriveSeed(std::uint64_t seed, StreamId stream, std::uint64_t index,
                         std::uint64_t sub) {
  std::uint64_t state = seed;
  std::uint64_t h = SplitMix64(state);
  state = h ^ static_cast<std::uint64_t>(stream);
  h = SplitMix64(state);
  state = h ^ index;
  h = SplitMix64(state);
  state = h ^ sub;
  return SplitMix64(state);
}

double RandomStream::Next() { return ToOpenUnit(engine_()); }

double KeyedStream::Next() { return ToOpenUnit(SplitMix64(state_)); }

double Exponential(UniformSource& u, double mean) { return -mean * std::log(u.Next()); }

double StandardNormal(UniformSource& u) {
  const double u1 = u.Next();
  const double u2 = u.Next();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace switchboard::sim
