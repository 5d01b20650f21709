// A random duration in seconds: service (handle) times, patience, return delays.
//
// Thread-safety: plain value; Sample() is const and draws from the caller's stream.
//
//   sim::Distribution service = sim::Distribution::LogNormal(/*mean_s=*/240, /*stddev_s=*/180);
//   if (absl::Status s = service.Validate("service", /*allow_none=*/false); !s.ok()) { ... }
//   sim::RandomStream rng(42);
//   double seconds = service.Sample(rng);
#ifndef SWITCHBOARD_SIM_DISTRIBUTION_H_
#define SWITCHBOARD_SIM_DISTRIBUTION_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "switchboard/export.h"
#include "switchboard/sim/random.h"

namespace switchboard::sim {

struct SWITCHBOARD_EXPORT Distribution {
  enum class Kind : unsigned char {
    kNone = 0,     // never happens: Sample() is +infinity (a customer who never hangs up)
    kConstant,     // always mean_s
    kExponential,  // mean mean_s
    kLogNormal,    // mean mean_s, standard deviation stddev_s (of the value, not of its log)
    kEmpirical,    // one of samples_s, each equally likely
  };
  Kind kind = Kind::kNone;
  double mean_s = 0;
  double stddev_s = 0;
  std::vector<double> samples_s;

  static Distribution None() { return {}; }
  static Distribution Constant(double s) { return {Kind::kConstant, s, 0, {}}; }
  static Distribution Exponential(double mean_s) { return {Kind::kExponential, mean_s, 0, {}}; }
  static Distribution LogNormal(double mean_s, double stddev_s) {
    return {Kind::kLogNormal, mean_s, stddev_s, {}};
  }
  static Distribution Empirical(std::vector<double> samples_s) {
    return {Kind::kEmpirical, 0, 0, std::move(samples_s)};
  }

  // InvalidArgument naming `field`: a negative or non-finite parameter, a zero mean for
  // exponential or lognormal, no samples for empirical, or kNone when !allow_none.
  absl::Status Validate(std::string_view field, bool allow_none) const;
  // One draw, in seconds (>= 0); +infinity for kNone.
  double Sample(UniformSource& u) const;
  // The expected value; +infinity for kNone.
  double Mean() const;
  // "exponential(mean 180 s)", for reports.
  std::string Describe() const;
};

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_DISTRIBUTION_H_
