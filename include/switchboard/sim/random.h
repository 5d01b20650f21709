// Seeded random numbers for the simulator, split into independent streams per purpose
// ("common random numbers"): arrivals, service times, patience, agent decisions and returns each
// draw from their own stream, and per-contact values come from a stream keyed by the contact's
// identity (its type and arrival number, or its trace record) and attempt. Two routing
// strategies run on the same scenario and seed therefore see the same arrivals, the same service
// time and patience for each contact and the same answer to the k-th offer of each contact,
// whatever order the events happen in.
//
// Thread-safety: not thread-safe; each simulation run owns its streams.
//
//   sim::RandomStream arrivals(sim::DeriveSeed(seed, sim::StreamId::kArrivals, type_index));
//   double gap = sim::Exponential(arrivals, /*mean=*/12.0);
//   sim::KeyedStream per_contact(seed, sim::StreamId::kService, contact_index);
//   double u = per_contact.Next();  // in (0, 1)
#ifndef SWITCHBOARD_SIM_RANDOM_H_
#define SWITCHBOARD_SIM_RANDOM_H_

#include <cstdint>
#include <random>

#include "switchboard/export.h"

namespace switchboard::sim {

// The purposes that get their own stream.
enum class StreamId : std::uint64_t {
  kReplication = 1,  // the seed of each independent replication
  kArrivals = 2,
  kService = 3,
  kPatience = 4,
  kDecisions = 5,
  kReturns = 6,
  kRouter = 7,  // the router's own seed (random strategies)
};

// A well-mixed 64-bit seed from (seed, stream, index, sub): SplitMix64 over the combination,
// so neighbouring indexes give unrelated streams.
SWITCHBOARD_EXPORT std::uint64_t DeriveSeed(std::uint64_t seed, StreamId stream,
                                            std::uint64_t index, std::uint64_t sub = 0);

// A source of uniform numbers in the open interval (0, 1).
class SWITCHBOARD_EXPORT UniformSource {
 public:
  virtual ~UniformSource() = default;
  virtual double Next() = 0;
};

// A long stream: std::mt19937_64 with an explicit seed; the conversion to double is our own
// (53 high bits), so the numbers are identical on every platform and standard library.
class SWITCHBOARD_EXPORT RandomStream final : public UniformSource {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}
  double Next() override;

 private:
  std::mt19937_64 engine_;
};

// A short, cheap stream for the few draws one contact needs: SplitMix64 seeded with
// DeriveSeed(seed, stream, index, sub). Creating one costs a few nanoseconds.
class SWITCHBOARD_EXPORT KeyedStream final : public UniformSource {
 public:
  KeyedStream(std::uint64_t seed, StreamId stream, std::uint64_t index, std::uint64_t sub = 0)
      : state_(DeriveSeed(seed, stream, index, sub)) {}
  double Next() override;

 private:
  std::uint64_t state_;
};

// An exponential variate with the given mean, by inversion (portable, unlike
// std::exponential_distribution).
SWITCHBOARD_EXPORT double Exponential(UniformSource& u, double mean);
// A standard normal variate by the Box-Muller transform (uses two uniforms).
SWITCHBOARD_EXPORT double StandardNormal(UniformSource& u);

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_RANDOM_H_
