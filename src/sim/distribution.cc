#include "switchboard/sim/distribution.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "src/internal/str_cat.h"

namespace switchboard::sim {
namespace {

bool FiniteNonNegative(double x) { return std::isfinite(x) && x >= 0; }

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(internal::StrCat(field, ": ", why));
}

}  // namespace

absl::Status Distribution::Validate(std::string_view field, bool allow_none) const {
  switch (kind) {
    case Kind::kNone:
      if (!allow_none) return Bad(field, "is 'none' but a finite duration is required");
      return absl::OkStatus();
    case Kind::kConstant:
      if (!FiniteNonNegative(mean_s)) return Bad(field, "constant mean_s must be >= 0");
      return absl::OkStatus();
    case Kind::kExponential:
      if (!FiniteNonNegative(mean_s) || mean_s == 0) {
        return Bad(field, internal::StrCat("exponential mean_s is ", mean_s, ", must be > 0"));
      }
      return absl::OkStatus();
    case Kind::kLogNormal:
      if (!FiniteNonNegative(mean_s) || mean_s == 0 || !FiniteNonNegative(stddev_s)) {
        return Bad(field, internal::StrCat("lognormal needs mean_s > 0 and stddev_s >= 0, got ",
                                           mean_s, " and ", stddev_s));
      }
      return absl::OkStatus();
    case Kind::kEmpirical:
      if (samples_s.empty()) return Bad(field, "empirical has no samples_s");
      for (size_t i = 0; i < samples_s.size(); ++i) {
        if (!FiniteNonNegative(samples_s[i])) {
          return Bad(field, internal::StrCat("samples_s[", i, "] is ", samples_s[i],
                                             ", must be finite and >= 0"));
        }
      }
      return absl::OkStatus();
  }
  return Bad(field, "unknown kind");
}

double Distribution::Sample(UniformSource& u) const {
  switch (kind) {
    case Kind::kNone:
      return std::numeric_limits<double>::infinity();
    case Kind::kConstant:
      return mean_s;
    case Kind::kExponential:
      return sim::Exponential(u, mean_s);
    case Kind::kLogNormal: {
      // Parameters of the underlying normal from the mean and deviation of the value itself.
      const double ratio = stddev_s / mean_s;
      const double sigma2 = std::log1p(ratio * ratio);
      const double mu = std::log(mean_s) - sigma2 / 2;
      return std::exp(mu + std::sqrt(sigma2) * StandardNormal(u));
    }
    case Kind::kEmpirical: {
      auto i = static_cast<size_t>(u.Next() * static_cast<double>(samples_s.size()));
      if (i >= samples_s.size()) i = samples_s.size() - 1;
      return samples_s[i];
    }
  }
  return 0;
}

double Distribution::Mean() const {
  switch (kind) {
    case Kind::kNone:
      return std::numeric_limits<double>::infinity();
    case Kind::kEmpirical: {
      double sum = 0;
      for (double s : samples_s) sum += s;
      return samples_s.empty() ? 0 : sum / static_cast<double>(samples_s.size());
    }
    default:
      return mean_s;
  }
}

std::string Distribution::Describe() const {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kConstant:
      return fmt::format("constant {:g} s", mean_s);
    case Kind::kExponential:
      return fmt::format("exponential(mean {:g} s)", mean_s);
    case Kind::kLogNormal:
      return fmt::format("lognormal(mean {:g} s, sd {:g} s)", mean_s, stddev_s);
    case Kind::kEmpirical:
      return fmt::format("empirical({} samples, mean {:.1f} s)", samples_s.size(), Mean());
  }
  return "?";
}

}  // namespace switchboard::sim
