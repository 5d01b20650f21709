// Numerical building blocks shared by the Erlang formulas. Private to src/metrics.
#ifndef SWITCHBOARD_SRC_METRICS_ERLANG_INTERNAL_H_
#define SWITCHBOARD_SRC_METRICS_ERLANG_INTERNAL_H_

#include <cmath>
#include <utility>

namespace switchboard::metrics_internal {

// log(exp(x) + exp(y)) without overflow; either may be -infinity.
inline double LogAddExp(double x, double y) {
  if (x < y) std::swap(x, y);
  if (y == -INFINITY) return x;
  return x + std::log1p(std::exp(y - x));
}

// log(1 / B(a, n)) where B is Erlang B. Uses the inverse form of the classic recursion
//   1/B(a, k) = 1 + (k / a) * 1/B(a, k - 1),  1/B(a, 0) = 1
// (e.g. Jagerman 1974), carried in log space so that neither B underflowing (n >> a) nor 1/B
// overflowing loses anything. O(n), no factorials.
inline double LogInverseErlangB(double a, int n) {
  // Fast path: the plain recursion B(a,k) = a B(a,k-1) / (k + a B(a,k-1)) is accurate as long
  // as B stays a normal double; only when it underflows is the log-space form needed.
  double b = 1.0;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  if (b > 1e-290) return -std::log(b);
  double log_inv = 0.0;  // log(1/B(a, 0))
  const double log_a = std::log(a);
  for (int k = 1; k <= n; ++k) {
    const double x = std::log(static_cast<double>(k)) - log_a + log_inv;  // log((k/a) / B_{k-1})
    log_inv = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return log_inv;
}

}  // namespace switchboard::metrics_internal

#endif  // SWITCHBOARD_SRC_METRICS_ERLANG_INTERNAL_H_
