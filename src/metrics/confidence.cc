// Confidence intervals over independent replications, with Student t quantiles.
//
// The t CDF is computed from the regularized incomplete beta function,
//   P(T_nu > t) = I_{nu / (nu + t^2)}(nu / 2, 1 / 2) / 2        for t >= 0
// (Abramowitz & Stegun 26.7.1 with 26.5.27), I by its continued fraction evaluated with the
// modified Lentz method (Numerical Recipes, 3rd ed., section 6.4), and inverted by bisection.
// log Gamma is our own Lanczos approximation (g = 7, 9 terms; relative error ~1e-15) because
// std::lgamma writes the global `signgam` and so is not safe to call concurrently.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "src/internal/str_cat.h"
#include "switchboard/metrics.h"

namespace switchboard {
namespace {

double LogGamma(double x) {
  static constexpr double kCoef[9] = {
      0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
      771.32342877765313,   -176.61502916214059,   12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  if (x < 0.5) {  // reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x); x > 0 here
    return std::log(std::numbers::pi / std::sin(std::numbers::pi * x)) - LogGamma(1.0 - x);
  }
  x -= 1.0;
  double sum = kCoef[0];
  for (int i = 1; i < 9; ++i) sum += kCoef[i] / (x + i);
  const double t = x + 7.5;
  return 0.5 * std::log(2.0 * std::numbers::pi) + (x + 0.5) * std::log(t) - t + std::log(sum);
}

// Continued fraction for I_x(a, b), modified Lentz; converges fast for x < (a+1)/(a+b+2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
    d = 1.0 / guard(1.0 + aa * d);
    c = guard(1.0 + aa / c);
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
    d = 1.0 / guard(1.0 + aa * d);
    c = guard(1.0 + aa / c);
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEps) break;
  }
  return h;
}

// The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
double RegularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * std::log(x) +
                           b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1.0) / (a + b + 2.0)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1.0 - front * BetaContinuedFraction(b, a, 1.0 - x) / b;
}

// P(T > t) for t >= 0.
double StudentTUpperTail(double t, double dof) {
  return 0.5 * RegularizedIncompleteBeta(dof / 2.0, 0.5, dof / (dof + t * t));
}

// x >= 0 with upper(x) = tail, for a tail function that decreases from upper(0) >= tail: the
// bracket doubles until it holds the root, then bisection narrows it to `rel_tol` of its end.
template <typename Upper>
double InvertUpperTail(Upper upper, double tail, double rel_tol) {
  double lo = 0.0, hi = 1.0;
  while (upper(hi) > tail && hi < 1e300) hi *= 2.0;
  for (int i = 0; i < 400 && hi - lo > rel_tol * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (upper(mid) > tail) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// z >= 0 with P(Z > z) = tail for a standard normal Z, tail in (0, 0.5], by bisection on
// erfc (which, unlike lgamma, keeps no global state; it reaches 0 by z = 64).
double NormalUpperQuantile(double tail) {
  return InvertUpperTail([](double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }, tail,
                         1e-15);
}

// From this many degrees of freedom on, the quantile comes from its expansion in 1 / dof. The
// incomplete-beta route loses digits there: dof / (dof + t^2) rounds towards 1 and the log Gamma
// difference of two huge numbers cancels (at dof = 1e8 it was off by 2e-8, at 1e15 it gave 1.75
// for the 97.5% point, at 1e300 about 1e150). At 1e5 the two agree to about 1e-11.
constexpr double kLargeDof = 1e5;

// t >= 0 with P(T > t) = tail for T Student's t with `dof` degrees of freedom, tail in (0, 0.5].
double StudentTUpperQuantile(double tail, double dof) {
  if (tail >= 0.5) return 0.0;
  if (dof >= kLargeDof) {
    // Abramowitz & Stegun 26.7.5 (Cornish-Fisher): t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4,
    // z the normal quantile. The next term is below 1e-12 of t for dof >= 1e5, even at z = 38
    // (a tail of 1e-316).
    const double z = NormalUpperQuantile(tail);
    const double z2 = z * z;
    const double g1 = (z2 + 1.0) * z / 4.0;
    const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    const double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z /
                      92160.0;
    const double v = 1.0 / dof;
    return z + v * (g1 + v * (g2 + v * (g3 + v * g4)));
  }
  // Past kMaxStudentTQuantile, dof + t * t overflows on the way (at 1.3e154) and the tail reads
  // as 0: the bisection would stop there with a wrong answer. Infinity says "out of range".
  if (StudentTUpperTail(kMaxStudentTQuantile, dof) > tail) return INFINITY;
  return InvertUpperTail([dof](double t) { return StudentTUpperTail(t, dof); }, tail, 1e-14);
}

}  // namespace

absl::StatusOr<double> StudentTQuantile(double p, double dof) {
  if (!(p > 0.0) || !(p < 1.0)) {
    return absl::InvalidArgumentError(internal::StrCat("t.p is ", p, ", it must be in (0, 1)"));
  }
  if (!(dof > 0.0) || !std::isfinite(dof)) {
    return absl::InvalidArgumentError(
        internal::StrCat("t.dof is ", dof, ", it must be positive and finite"));
  }
  if (p == 0.5) return 0.0;
  // By symmetry solve P(T > t) = tail, t > 0.
  const double t = StudentTUpperQuantile(p > 0.5 ? 1.0 - p : p, dof);
  if (std::isinf(t)) {
    return absl::OutOfRangeError(internal::StrCat("t.p is ", p, " at dof ", dof,
                                                  ": the quantile's magnitude exceeds ",
                                                  kMaxStudentTQuantile));
  }
  return p > 0.5 ? t : -t;
}

absl::StatusOr<ConfidenceInterval> MeanConfidenceInterval(std::span<const double> replications,
                                                          double confidence) {
  if (!(confidence > 0.0) || !(confidence < 1.0)) {
    return absl::InvalidArgumentError(
        internal::StrCat("ci.confidence is ", confidence, ", it must be in (0, 1)"));
  }
  if (replications.size() < 2) {
    return absl::InvalidArgumentError(internal::StrCat(
        "ci.replications has ", replications.size(),
        " values; a confidence interval needs at least 2 independent replications"));
  }
  double largest = 0.0;
  for (size_t i = 0; i < replications.size(); ++i) {
    const double x = replications[i];
    if (!std::isfinite(x)) {
      return absl::InvalidArgumentError(
          internal::StrCat("ci.replications[", i, "] is ", x, ", it must be finite"));
    }
    largest = std::max(largest, std::fabs(x));
  }
  // Computed on the values scaled by a power of two (exact) to at most 2 in magnitude: the
  // differences of values near DBL_MAX of both signs overflow, and {1e308, -1e308} came out with
  // mean -inf and half-width NaN.
  const int exponent = largest > 0.0 ? std::ilogb(largest) : 0;
  // Welford's update: stable when the values are large and close together.
  double mean = 0.0, m2 = 0.0;
  for (size_t i = 0; i < replications.size(); ++i) {
    const double x = std::ldexp(replications[i], -exponent);
    const double delta = x - mean;
    mean += delta / static_cast<double>(i + 1);
    m2 += delta * (x - mean);
  }
  const double k = static_cast<double>(replications.size());
  const double sd = std::sqrt(m2 / (k - 1.0));  // scaled
  // From the upper tail (1 - confidence) / 2, exact in double: 0.5 + confidence / 2 rounds to 1
  // for a confidence just below 1 (0.99999999999999989), which StudentTQuantile() then refused
  // as "t.p is 1" though the confidence is valid.
  const double t = StudentTUpperQuantile((1.0 - confidence) / 2.0, k - 1.0);
  ConfidenceInterval ci;
  ci.mean = std::ldexp(mean, exponent);
  ci.half_width = std::ldexp(t * sd / std::sqrt(k), exponent);  // +inf if wider than a double
  ci.count = static_cast<int>(replications.size());
  ci.confidence = confidence;
  return ci;
}

}  // namespace switchboard
