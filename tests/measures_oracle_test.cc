// Oracle tests for the public measures and queueing formulas (switchboard/erlang.h,
// switchboard/metrics.h, switchboard/sim/kpi.h): every value is recomputed here from its textbook
// definition or from docs/measures.md and docs/harness.md, never from src/metrics/*, over seeded
// grids of inputs that reach the edges (load near the agents, tiny loads, thousands of agents,
// a zero target, bad input).
//
// The oracles work in long double (64-bit mantissa, exponent range to 1e4932), so they are about
// 2000 times more precise than the double results they check and never overflow where a naive
// double factorial would:
// - Erlang B and C: the direct sum of a^k / k!, each term from its neighbour (a / k), anchored
//   at the largest term so nothing overflows at 12,000 agents;
// - Erlang A: the birth-death chain of the number in system, truncated only when the remaining
//   states are below e^-100 of the waiting states; the tagged caller's path through the queue
//   gives P(served | position), the waits, and, by uniformization of that small absorbing chain,
//   P(answered within T) and P(abandoned within T) as sums of positive terms;
// - Student t quantiles: the t tail by tanh-sinh quadrature (any dof) or by the exact finite
//   series for integer dof (Abramowitz & Stegun 26.7.3-4), inverted by bisection; the two are
//   checked against each other and against closed forms;
// - contact records, surveys, FCR logs and simulator counters: the docs' definitions, counted
//   directly over seeded random data.
// A known failure is kept on purpose: "Erlang B underflows to exactly 0 ..." (see there).
// Tolerances are stated where they are checked, with the reason for each.
#include <algorithm>
#include <catch2/catch.hpp>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "switchboard/erlang.h"
#include "switchboard/metrics.h"
#include "switchboard/service_level.h"
#include "switchboard/sim/kpi.h"
#include "tests/seeded_random.h"

namespace sb = switchboard;
namespace sim = switchboard::sim;
using LD = long double;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// CAPTURE prints doubles with 17 decimals (fixed notation) rather than 10; the printed seed and
// case index replay a case exactly.
const bool kMoreDigits = [] {
  Catch::StringMaker<double>::precision = 17;
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Seeded draws (raw engine output only, so a printed seed replays on any platform).

double Unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double Uniform(std::mt19937_64& rng, double lo, double hi) { return lo + (hi - lo) * Unit(rng); }
double LogUniform(std::mt19937_64& rng, double lo, double hi) {
  return std::exp(Uniform(rng, std::log(lo), std::log(hi)));
}
int IntIn(std::mt19937_64& rng, int lo, int hi) {  // [lo, hi]
  return lo + static_cast<int>(sbt::Below(rng, static_cast<std::uint64_t>(hi - lo + 1)));
}

std::string Fmt(LD x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.19Lg", x);
  return buf;
}

// |got - want| <= abs + rel * |want|.
bool Near(double got, LD want, double rel, double abs = 0.0) {
  if (std::isnan(got)) return false;
  return std::fabs(static_cast<LD>(got) - want) <= abs + rel * std::fabs(want);
}

// Checks Near() and prints both values (19 digits) and the relative error on failure.
#define CHECK_NEAR(got, want, rel, abs)                                                 \
  do {                                                                                  \
    const double got_ = (got);                                                          \
    const LD want_ = (want);                                                            \
    INFO(#got << " = " << Fmt(got_) << ", oracle " << Fmt(want_) << ", rel err "        \
              << Fmt(want_ == 0 ? std::fabs(static_cast<LD>(got_))                      \
                                : std::fabs((static_cast<LD>(got_) - want_) / want_))); \
    CHECK(Near(got_, want_, rel, abs));                                                 \
  } while (false)

// ---------------------------------------------------------------------------------------------
// Erlang B and C oracle: w_k = a^k / k! scaled by the largest of w_0..w_n.

struct PoissonSums {
  LD below = 0;  // sum_{k < n} w_k
  LD top = 0;    // w_n
};

PoissonSums ScaledTerms(LD a, int n) {
  const LD fl = std::floor(a);
  const int mode = fl >= n ? n : static_cast<int>(fl);  // argmax of w_k over 0..n
  PoissonSums s;
  LD w = 1;  // w_mode
  if (mode < n) s.below += 1;
  for (int k = mode + 1; k <= n; ++k) {  // upward: w_k = w_{k-1} a / k, decreasing
    w *= a / k;
    if (k < n) s.below += w;
  }
  s.top = mode == n ? 1 : w;
  w = 1;
  for (int k = mode; k >= 1; --k) {  // downward: w_{k-1} = w_k k / a, decreasing
    w *= k / a;
    s.below += w;
    if (w < 1e-40L * s.below) break;  // the rest cannot reach the 64th bit
  }
  return s;
}

LD OracleErlangB(LD a, int n) {
  const PoissonSums s = ScaledTerms(a, n);
  return s.top / (s.below + s.top);
}

// P(W > 0) of M/M/n by its definition: (a^n/n! n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! n/(n-a)).
LD OracleErlangC(LD a, int n) {
  const PoissonSums s = ScaledTerms(a, n);
  const LD x = s.top * n / (static_cast<LD>(n) - a);
  return x / (s.below + x);
}

struct OracleC {
  LD p_wait, asa, wait_of_waiting, sl, occupancy, lq;
};

OracleC ErlangCByDefinition(double lambda, double h, int n, double target) {
  const LD a = static_cast<LD>(lambda * h);  // the load as the library forms it (one rounding)
  OracleC r;
  r.p_wait = OracleErlangC(a, n);
  const LD gap = static_cast<LD>(n) - a;  // exact in long double
  r.wait_of_waiting = h / gap;            // E[W | W > 0]: W | W>0 ~ Exp((n - a) / h)
  r.asa = r.p_wait * r.wait_of_waiting;
  r.sl = 1 - r.p_wait * std::exp(-gap * target / h);
  r.occupancy = a / n;
  r.lq = static_cast<LD>(lambda) * r.asa;  // Little's law
  return r;
}

// ---------------------------------------------------------------------------------------------
// Erlang A oracle (M/M/n+M) from the birth-death chain and the tagged caller.
//
// A caller who arrives to find k >= n in system waits at queue position j = k - n + 1. At
// position j it leaves that position at rate r_j = n mu + j theta: forward (someone ahead is
// served or abandons) with probability (n mu + (j-1) theta) / r_j, or it abandons with
// probability theta / r_j; the time spent there is Exp(r_j), independent of the direction. So
//   P(served | j) = prod_i (n mu + (i-1) theta) / r_i = n mu / r_j         (telescopes)
//   E[W; served | j] = n mu / r_j * sum_{i<=j} 1 / r_i
//   P(abandon at position i | j) = theta / r_j for each i in 1..j           (telescopes)
//   E[W; abandoned | j] = theta / r_j * sum_{l<=j} l / r_l
// and P(W <= T and served | j), P(W <= T and abandoned | j) come from uniformizing the
// absorbing chain on positions 0..J with the rate Lambda = n mu + J theta.

struct OracleA {
  LD p_wait = 0, p_abandon = 0, p_abandon_little = 0, asa = 0, mean_wait = 0,
     mean_wait_of_abandoned = 0, sl = 0, sl_of_answered = 0, sl_excluding_early = 0,
     p_abandon_within = 0, occupancy = 0, occupancy_busy = 0, lq = 0;
  int positions = 0;
  bool ok = false;  // false: the chain was too big for the test's time budget
};

OracleA ErlangAByChain(double lambda_d, double h_d, double patience_d, int n, double target_d,
                       double max_work = 6e6) {
  OracleA r;
  const LD lambda = lambda_d, mu = 1 / static_cast<LD>(h_d),
           theta = 1 / static_cast<LD>(patience_d);
  const LD cm = n * mu;
  // log pi_k up to a tail below e^-100 of the largest waiting state.
  std::vector<LD> lp = {0};
  LD max_all = 0, max_wait = -std::numeric_limits<LD>::infinity();
  for (int k = 1;; ++k) {
    const LD death = k <= n ? k * mu : cm + (k - n) * theta;
    const LD ratio = lambda / death;
    lp.push_back(lp.back() + std::log(ratio));
    max_all = std::max(max_all, lp.back());
    if (k >= n) max_wait = std::max(max_wait, lp.back());
    if (k > n && ratio < 1 && lp.back() < max_wait - 100) break;
    if (lp.size() > 4'000'000) return r;
  }
  const int states = static_cast<int>(lp.size());
  std::vector<LD> pi(states);
  LD z = 0;
  for (int k = 0; k < states; ++k) z += (pi[k] = std::exp(lp[k] - max_all));
  for (LD& p : pi) p /= z;
  const int big_j = states - n;  // positions 1..J: k = n .. states-1
  const LD lambda_u = cm + big_j * theta;
  const LD x = lambda_u * target_d;
  const int steps = static_cast<int>(std::ceil(x + 12 * std::sqrt(x) + 30));
  if (target_d > 0 && static_cast<double>(steps) * big_j > max_work) return r;
  r.positions = big_j;

  LD below_n = 0, busy = 0;
  for (int k = 0; k < states; ++k) {
    if (k < n) below_n += pi[k];
    busy += std::min(k, n) * pi[k];
    if (k > n) r.lq += (k - n) * pi[k];
  }
  for (int k = n; k < states; ++k) r.p_wait += pi[k];  // not 1 - below_n: no cancellation
  LD h_sum = 0, l_sum = 0, served_wait = 0, abandoned_wait = 0;
  for (int j = 1; j <= big_j; ++j) {
    const LD rj = cm + j * theta;
    const LD p = pi[n + j - 1];
    h_sum += 1 / rj;
    l_sum += j / rj;
    r.p_abandon += p * j * theta / rj;
    served_wait += p * cm / rj * h_sum;
    abandoned_wait += p * theta / rj * l_sum;
  }
  r.p_abandon_little = theta * r.lq / lambda;  // abandonment rate theta E[Q] over arrivals
  r.asa = served_wait / (1 - r.p_abandon);
  r.mean_wait = r.lq / lambda;  // Little's law over all offered
  r.mean_wait_of_abandoned = r.p_abandon > 0 ? abandoned_wait / r.p_abandon : 0;
  r.occupancy = (1 - r.p_abandon) * (lambda / mu) / n;
  r.occupancy_busy = busy / n;

  // Uniformization: u_j(m) = P(served within m jumps | j), v_j(m) = P(abandoned within m | j).
  std::vector<LD> u(big_j + 1, 0), v(big_j + 1, 0), fu(big_j + 1, 0), fv(big_j + 1, 0);
  u[0] = 1;
  if (target_d > 0) {
    for (int m = 0; m <= steps; ++m) {
      const LD q = std::exp(-x + m * std::log(x) - std::lgamma(static_cast<LD>(m) + 1));
      for (int j = 1; j <= big_j; ++j) {
        fu[j] += q * u[j];
        fv[j] += q * v[j];
      }
      for (int j = big_j; j >= 1; --j) {  // descending: u[j-1] is still the old value
        const LD down = (cm + (j - 1) * theta) / lambda_u;
        const LD stay = 1 - (cm + j * theta) / lambda_u;
        u[j] = down * u[j - 1] + stay * u[j];
        v[j] = down * v[j - 1] + theta / lambda_u + stay * v[j];
      }
    }
  }
  r.sl = below_n;
  for (int j = 1; j <= big_j; ++j) {
    r.sl += pi[n + j - 1] * fu[j];
    r.p_abandon_within += pi[n + j - 1] * fv[j];
  }
  r.sl_of_answered = r.sl / (1 - r.p_abandon);
  r.sl_excluding_early = r.sl / (1 - r.p_abandon_within);
  r.ok = true;
  return r;
}

sb::QueueingInput MakeInput(double lambda, double h, int n, double target, double patience) {
  sb::QueueingInput in;
  in.arrival_rate = lambda;
  in.handle_time = h;
  in.agents = n;
  in.target = target;
  in.patience = patience;
  return in;
}

// ---------------------------------------------------------------------------------------------
// Student t oracle.

constexpr LD kPi = 3.14159265358979323846264338327950288L;

// P(|T| <= sqrt(nu) tan(phi)) for integer nu >= 1: A&S 26.7.3 (odd) and 26.7.4 (even).
LD StudentAbsCdfInteger(int nu, LD phi) {
  const LD s = std::sin(phi), c = std::cos(phi), c2 = c * c;
  if (nu % 2 == 1) {
    LD sum = 0, term = c;  // cos + 2/3 cos^3 + (2*4)/(3*5) cos^5 + ... up to cos^(nu-2)
    for (int k = 1; k <= nu - 2; k += 2) {
      sum += term;
      term *= c2 * (k + 1) / (k + 2);
    }
    return 2 / kPi * (phi + s * sum);
  }
  LD sum = 0, term = 1;  // 1 + 1/2 cos^2 + (1*3)/(2*4) cos^4 + ... up to cos^(nu-2)
  for (int k = 0; k <= nu - 2; k += 2) {
    sum += term;
    term *= c2 * (k + 1) / (k + 2);
  }
  return s * sum;
}

// int_0^x sin(y)^(nu-1) dy by tanh-sinh quadrature, which keeps long double precision even with
// the endpoint singularity y^(nu-1) at 0 (nu < 1) or its rough derivatives (nu < 4).
struct TanhSinhNode {
  LD weight;    // (pi/2) cosh(tau) / cosh^2((pi/2) sinh(tau)) * step
  LD fraction;  // (1 + tanh((pi/2) sinh(tau))) / 2, computed without cancellation
};

const std::vector<TanhSinhNode>& TanhSinhNodes() {
  static const std::vector<TanhSinhNode> nodes = [] {
    std::vector<TanhSinhNode> v;
    const LD step = 1.0L / 32;
    for (int k = -128; k <= 128; ++k) {  // tau in [-4, 4]: the weights beyond are below 1e-36
      const LD tau = k * step;
      const LD z = kPi / 2 * std::sinh(tau);
      v.push_back({kPi / 2 * std::cosh(tau) / (std::cosh(z) * std::cosh(z)) * step,
                   1 / (1 + std::exp(-2 * z))});
    }
    return v;
  }();
  return nodes;
}

LD SinPowerIntegral(LD nu, LD x) {
  LD sum = 0;
  if (nu >= 1) {  // a bounded integrand: the nodes' first 1e-37 x of the range is negligible
    for (const TanhSinhNode& node : TanhSinhNodes()) {
      const LD y = x * node.fraction;
      if (y > 0) sum += node.weight * std::pow(std::sin(y), nu - 1);
    }
    return sum * x / 2;
  }
  // nu < 1: y^(nu-1) holds x^nu / nu of its mass below any y, too much to cut off at 1e-37 x.
  // With u = y^nu the integral is (1 / nu) int_0^{x^nu} (sin y / y)^(nu-1) du, y = u^(1/nu),
  // a smooth integrand.
  const LD top = std::pow(x, nu);
  for (const TanhSinhNode& node : TanhSinhNodes()) {
    const LD y = std::pow(top * node.fraction, 1 / nu);
    sum += node.weight * (y > 0 ? std::pow(std::sin(y) / y, nu - 1) : 1);
  }
  return sum * top / 2 / nu;
}

// P(|T| > sqrt(nu) cot(x)) for x in (0, pi/2]: with t = sqrt(nu) tan(phi) the t density is
// Gamma((nu+1)/2) / (sqrt(pi) Gamma(nu/2)) cos^(nu-1)(phi) dphi, and x = pi/2 - phi.
LD StudentTailQuadrature(LD nu, LD x) {
  const LD c = std::exp(std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2)) / std::sqrt(kPi);
  return 2 * c * SinPowerIntegral(nu, x);
}

// The p-quantile: bisection then Newton on x in (0, pi/2) for P(|T| > t) = 2 min(p, 1 - p), the
// tail itself (not 1 - |2p - 1|, which would lose the digits of a small p). `series` uses the
// exact A&S series for the tail (integer dof only; fast, good while the tail is above ~1e-6).
LD OracleStudentT(LD p, LD nu, bool series = false) {
  const LD want = 2 * std::min(p, 1 - p);
  auto tail = [&](LD x) {
    return series ? 1 - StudentAbsCdfInteger(static_cast<int>(nu), kPi / 2 - x)
                  : StudentTailQuadrature(nu, x);
  };
  // Bisection in log x: the tail at 1e-200 is below any p checked here (it is ~x^dof).
  LD lo = 1e-200L, hi = kPi / 2;
  for (int it = 0; it < (series ? 100 : 40); ++it) {
    const LD mid = std::sqrt(lo * hi);
    (tail(mid) < want ? lo : hi) = mid;
  }
  LD x = std::sqrt(lo * hi);
  if (!series) {  // d tail / dx = 2 c sin^(nu-1)(x)
    const LD c = std::exp(std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2)) / std::sqrt(kPi);
    for (int it = 0; it < 6; ++it) x -= (tail(x) - want) / (2 * c * std::pow(std::sin(x), nu - 1));
  }
  const LD t = std::sqrt(nu) / std::tan(x);
  return p < 0.5L ? -t : t;
}

// ---------------------------------------------------------------------------------------------
// Contact records for QueueMeasures.

struct Record {
  bool answered;
  double wait;
  sb::HandleTime handle;
};

struct OracleMeasures {
  int64_t offered = 0, answered = 0, answered_within = 0, abandoned = 0, abandoned_within = 0,
          short_abandoned = 0;
  LD answered_wait = 0, abandoned_wait = 0, talk = 0, hold = 0, wrap = 0, max_wait = 0;
};

// By docs/measures.md: an answered contact meets the target when wait <= T; a short abandon
// waited strictly less than short_abandon seconds. (Abandoned "within T" at exactly T is not
// specified; the generator never makes such a record.)
OracleMeasures Tally(const std::vector<Record>& records, double target, double short_abandon) {
  OracleMeasures o;
  for (const Record& r : records) {
    ++o.offered;
    o.max_wait = std::max<LD>(o.max_wait, r.wait);
    if (r.answered) {
      ++o.answered;
      if (r.wait <= target) ++o.answered_within;
      o.answered_wait += r.wait;
      o.talk += r.handle.talk;
      o.hold += r.handle.hold;
      o.wrap += r.handle.wrap;
    } else {
      ++o.abandoned;
      if (r.wait < target) ++o.abandoned_within;
      if (r.wait < short_abandon) ++o.short_abandoned;
      o.abandoned_wait += r.wait;
    }
  }
  return o;
}

// Summation order differs between the tally and the oracle; n additions of non-negative terms
// in double lose at most n * 2^-53 relatively, so 1e-12 covers the 2,000 records used here.
constexpr double kSumRel = 1e-12;

void CheckRatio(std::optional<double> got, int64_t num, int64_t den, const char* what) {
  INFO(what << ": " << num << " / " << den);
  if (den == 0) {
    CHECK_FALSE(got.has_value());
    return;
  }
  REQUIRE(got.has_value());
  // Both are counts below 2^53: the quotient is one correctly rounded division.
  CHECK_NEAR(*got, static_cast<LD>(num) / den, 1e-15, 0.0);
}

void CheckMean(std::optional<double> got, LD sum, int64_t den, const char* what) {
  INFO(what << ": " << Fmt(sum) << " / " << den);
  if (den == 0) {
    CHECK_FALSE(got.has_value());
    return;
  }
  REQUIRE(got.has_value());
  CHECK_NEAR(*got, sum / den, kSumRel, 0.0);
}

void CheckAgainstOracle(const sb::QueueMeasures& m, const OracleMeasures& o) {
  using D = sb::ServiceLevelDefinition;
  CHECK(m.offered() == o.offered);
  CHECK(m.answered() == o.answered);
  CHECK(m.answered_within_target() == o.answered_within);
  CHECK(m.abandoned() == o.abandoned);
  CHECK(m.abandoned_within_target() == o.abandoned_within);
  CHECK(m.short_abandoned() == o.short_abandoned);
  CheckRatio(m.ServiceLevel(), o.answered_within, o.offered, "SL default");
  CheckRatio(m.ServiceLevel(D::kAnsweredOverOffered), o.answered_within, o.offered,
             "SL answered/offered");
  CheckRatio(m.ServiceLevel(D::kAnsweredOverAnswered), o.answered_within, o.answered,
             "SL answered/answered");
  CheckRatio(m.ServiceLevel(D::kExcludeShortAbandons), o.answered_within,
             o.offered - o.short_abandoned, "SL excluding short abandons");
  CheckRatio(m.ServiceLevel(D::kAbandonsWithinTargetMet), o.answered_within + o.abandoned_within,
             o.offered, "SL abandons within T met");
  CheckRatio(m.AbandonmentRate(), o.abandoned, o.offered, "abandonment rate");
  CheckRatio(m.ShortAbandonExcludedRate(), o.abandoned - o.short_abandoned,
             o.offered - o.short_abandoned, "short-abandon-excluded rate");
  CheckMean(m.Asa(), o.answered_wait, o.answered, "ASA");
  CheckMean(m.MeanWait(), o.answered_wait + o.abandoned_wait, o.offered, "mean wait");
  CheckMean(m.MeanAbandonWait(), o.abandoned_wait, o.abandoned, "mean abandon wait");
  CheckMean(m.Aht(), o.talk + o.hold + o.wrap, o.answered, "AHT");
  if (o.answered > 0) {
    REQUIRE(m.MeanHandleTime().has_value());
    CHECK_NEAR(m.MeanHandleTime()->talk, o.talk / o.answered, kSumRel, 0.0);
    CHECK_NEAR(m.MeanHandleTime()->hold, o.hold / o.answered, kSumRel, 0.0);
    CHECK_NEAR(m.MeanHandleTime()->wrap, o.wrap / o.answered, kSumRel, 0.0);
  } else {
    CHECK_FALSE(m.MeanHandleTime().has_value());
  }
  if (o.offered > 0) {
    REQUIRE(m.MaxWait().has_value());
    CHECK(*m.MaxWait() == static_cast<double>(o.max_wait));  // a max is exact
  } else {
    CHECK_FALSE(m.MaxWait().has_value());
  }
}

}  // namespace

// =============================================================================================
// Erlang B and C

TEST_CASE("Erlang B and C equal their direct sums over a seeded grid of loads and agents") {
  const uint64_t seed = 0x5EED'0001;
  std::mt19937_64 rng(seed);
  int checked = 0;
  for (int i = 0; i < 600; ++i) {
    // Agents: small, medium, and large (where a^n / n! overflows a double past n = 170).
    const int bucket = i % 3;
    const int n = bucket == 0   ? IntIn(rng, 1, 30)
                  : bucket == 1 ? IntIn(rng, 31, 400)
                                : IntIn(rng, 1000, 12000);
    // Load: tiny, ordinary, near the agents (rho -> 1), and above them (Erlang B only).
    const int kind = IntIn(rng, 0, 3);
    double a;
    if (kind == 0) {
      a = LogUniform(rng, 1e-12, 1e-2);
    } else if (kind == 1) {
      a = n * Uniform(rng, 0.05, 0.98);
    } else if (kind == 2) {
      a = n * (1.0 - LogUniform(rng, 1e-13, 1e-3));
    } else {
      a = n * Uniform(rng, 1.0, 3.0);
    }
    CAPTURE(seed, i, n, a);
    const LD b = OracleErlangB(a, n);
    const absl::StatusOr<double> got_b = sb::ErlangB(a, n);
    REQUIRE(got_b.ok());
    // Erlang B's recursion is contracting (d ln B_k / d ln B_{k-1} = k / (k + a B) <= 1), so its
    // rounding errors add up to at most a few ulps per step: n * 4e-16 <= 5e-12 at n = 12,000.
    // Below 1e-290 the double result is subnormal or 0 (exactly 0 once far below: a separate
    // test, "Erlang B underflows to exactly 0 ...", checks that promise).
    if (b > 1e-290L) {
      CHECK_NEAR(*got_b, b, 1e-11, 0.0);
    } else {
      CHECK(*got_b <= 1e-289);
    }
    if (a < n) {
      const LD c = OracleErlangC(a, n);
      const absl::StatusOr<double> got_c = sb::ErlangCWaitProbability(a, n);
      REQUIRE(got_c.ok());
      if (c > 1e-290L) {
        CHECK_NEAR(*got_c, c, 1e-11, 0.0);
      } else {
        CHECK(*got_c <= 1e-289);
      }
      CHECK(*got_c >= *got_b);
    } else {
      CHECK(sb::ErlangCWaitProbability(a, n).status().code() == absl::StatusCode::kInvalidArgument);
    }
    ++checked;
  }
  CHECK(checked == 600);
}

// docs/measures.md: far above the load, Erlang B is 0 in double precision. Between a and 2a
// agents the plain recursion B <- a B / (k + a B) missed it: once at the smallest subnormal
// (4.9e-324), a B / k rounds back up to it while a / k > 1/2, so the result stuck there. The true
// values here are below 1e-1000.
TEST_CASE("Erlang B underflows to exactly 0 when the agents far outnumber the load") {
  for (auto [a, n] : {std::pair{1e5, 150000}, std::pair{7200.0, 12000}, std::pair{1e5, 199999},
                      std::pair{1e5, 200001}, std::pair{10.0, 1000}}) {
    const LD b = OracleErlangB(a, n);
    const double got_b = sb::ErlangB(a, n).value();
    const double got_c = sb::ErlangCWaitProbability(a, n).value();
    const absl::StatusOr<sb::ErlangAResult> erlang_a =
        sb::ErlangA(MakeInput(a / 100, 100, n, 20, 100));
    REQUIRE(erlang_a.ok());
    INFO("ErlangB(" << a << ", " << n << ") = " << Fmt(got_b) << ", oracle " << Fmt(b)
                    << "; Erlang C " << Fmt(got_c) << "; Erlang A p_wait "
                    << Fmt(erlang_a->p_wait));
    REQUIRE(b < 2e-324L);      // below half the smallest subnormal: the nearest double is 0
    CHECK(Fmt(got_b) == "0");  // as text, so the expansion shows the subnormal
    CHECK(Fmt(got_c) == "0");
    CHECK(Fmt(erlang_a->p_wait) == "0");  // Erlang A, in logarithms, gets this limit right
  }
}

TEST_CASE("Erlang C measures equal their textbook formulas, from rho -> 0 to rho -> 1") {
  const uint64_t seed = 0x5EED'0002;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 400; ++i) {
    const int bucket = i % 4;
    const int n = bucket == 0   ? IntIn(rng, 1, 10)
                  : bucket == 1 ? IntIn(rng, 11, 200)
                  : bucket == 2 ? IntIn(rng, 201, 1000)
                                : IntIn(rng, 1000, 5000);
    const double h = LogUniform(rng, 1.0, 3600.0);
    double rho;
    switch (IntIn(rng, 0, 3)) {
      case 0:
        rho = LogUniform(rng, 1e-10, 1e-2);
        break;
      case 1:
        rho = Uniform(rng, 0.05, 0.95);
        break;
      case 2:
        rho = 1.0 - LogUniform(rng, 1e-12, 1e-3);
        break;
      default:
        rho = Uniform(rng, 0.95, 0.999);
        break;
    }
    const double lambda = rho * n / h;
    const double target = IntIn(rng, 0, 4) == 0 ? 0.0 : h * LogUniform(rng, 1e-3, 3.0);
    CAPTURE(seed, i, n, h, rho, lambda, target);
    if (lambda * h >= n) continue;  // rounding pushed the load to the agents
    const sb::QueueingInput in = MakeInput(lambda, h, n, target, kInf);
    const absl::StatusOr<sb::ErlangCResult> got = sb::ErlangC(in);
    REQUIRE(got.ok());
    const OracleC o = ErlangCByDefinition(lambda, h, n, target);
    // The oracle's P(wait) and the library's agree to 1e-11 (see the Erlang B grid). Every
    // formula below is a product/quotient of it with exact or once-rounded factors (n - a is
    // exact in both), so 1e-10 relative is ample; a formula that formed n mu - lambda would lose
    // eps / (1 - rho), 1e-4 relative at 1 - rho = 1e-12, and fail here.
    CHECK(got->offered_load == lambda * h);
    CHECK_NEAR(got->p_wait, o.p_wait, 1e-10, 1e-300);
    CHECK_NEAR(got->asa, o.asa, 1e-10, 1e-300);
    CHECK_NEAR(got->mean_wait_of_waiting, o.wait_of_waiting, 1e-10, 0.0);
    CHECK_NEAR(got->mean_queue_length, o.lq, 1e-10, 1e-300);
    CHECK_NEAR(got->occupancy, o.occupancy, 1e-15, 0.0);
    // SL = 1 - C e^{-(n-a)T/h}, absolutely: the B->C denominator (1 - rho) + rho B cancels as
    // rho -> 1, costing C eps / B <= eps sqrt(pi n / 2) ~ 1e-14 relative at n = 5000 (B is about
    // sqrt(2 / (pi n)) there), so 1e-13; and 1 - SL relatively when it is far enough from 1 for a
    // double near 1 to carry its digits. (Near rho = 1 with T = 0, SL = 1 - C is tiny and only
    // good absolutely: e.g. 1.2835e-10 with 3e-5 relative error. Not checked: nothing promises
    // more.)
    CHECK_NEAR(got->service_level, o.sl, 0.0, 1e-13);
    if (1 - o.sl > 1e-4L) CHECK_NEAR(1.0 - got->service_level, 1 - o.sl, 1e-10, 0.0);
  }
}

TEST_CASE("Erlang C wait percentiles equal the exponential tail's inverse") {
  // P(W > t) = C exp(-(n - a) t / h), so the q-quantile is h / (n - a) ln(C / (1 - q)) when
  // q > 1 - C, else 0.
  const uint64_t seed = 0x5EED'0003;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 300; ++i) {
    const int n = i % 2 == 0 ? IntIn(rng, 1, 60) : IntIn(rng, 500, 3000);
    const double h = LogUniform(rng, 10.0, 1000.0);
    const double rho = i % 5 == 0 ? 1.0 - LogUniform(rng, 1e-9, 1e-2) : Uniform(rng, 0.1, 0.99);
    const double lambda = rho * n / h;
    if (lambda * h >= n) continue;
    const double q = i % 7 == 0 ? 0.0 : Uniform(rng, 0.0, 0.9999);
    CAPTURE(seed, i, n, h, rho, q);
    const sb::QueueingInput in = MakeInput(lambda, h, n, 20.0, kInf);
    const absl::StatusOr<double> got = sb::ErlangCWaitPercentile(in, q);
    REQUIRE(got.ok());
    const LD c = OracleErlangC(static_cast<LD>(lambda * h), n);
    const LD scale = h / (static_cast<LD>(n) - static_cast<LD>(lambda * h));
    const LD want = q <= 1 - c ? 0 : scale * std::log(c / (1 - static_cast<LD>(q)));
    // d t = scale * dC / C: the 1e-11 of P(wait) becomes 1e-11 * scale absolute.
    CHECK_NEAR(*got, want, 1e-10, 1e-10 * static_cast<double>(scale));
  }
}

TEST_CASE("Erlang B, C and their input reject bad values with the documented codes") {
  const auto invalid = absl::StatusCode::kInvalidArgument;
  for (double a : {0.0, -0.0, -1.0, -kInf, kInf, kNan, -1e-300}) {
    CAPTURE(a);
    CHECK(sb::ErlangB(a, 5).status().code() == invalid);
    CHECK(sb::ErlangCWaitProbability(a, 5).status().code() == invalid);
  }
  for (int n : {0, -1, INT_MIN}) {
    CAPTURE(n);
    CHECK(sb::ErlangB(3.0, n).status().code() == invalid);
    CHECK(sb::ErlangCWaitProbability(3.0, n).status().code() == invalid);
  }
  // Erlang C needs agents > load, the boundary included.
  for (auto [a, n] : {std::pair{5.0, 5}, std::pair{5.5, 5}, std::pair{1e300, 10},
                      std::pair{std::nextafter(1000.0, 2000.0), 1000}}) {
    CAPTURE(a, n);
    CHECK(sb::ErlangCWaitProbability(a, n).status().code() == invalid);
    CHECK(sb::ErlangB(a, n).ok());  // a loss system takes any load
  }
  CHECK(sb::ErlangCWaitProbability(std::nextafter(1000.0, 0.0), 1000).ok());

  const sb::QueueingInput good = MakeInput(100.0 / 1800, 180, 14, 20, kInf);
  REQUIRE(sb::ErlangC(good).ok());
  struct Bad {
    const char* field;
    double sb::QueueingInput::*member;
    double value;
  };
  for (const Bad& b : {Bad{"queueing.arrival_rate", &sb::QueueingInput::arrival_rate, -kInf},
                       Bad{"queueing.arrival_rate", &sb::QueueingInput::arrival_rate, -0.0},
                       Bad{"queueing.handle_time", &sb::QueueingInput::handle_time, -1},
                       Bad{"queueing.handle_time", &sb::QueueingInput::handle_time, kInf},
                       Bad{"queueing.handle_time", &sb::QueueingInput::handle_time, -kInf},
                       Bad{"queueing.target", &sb::QueueingInput::target, kInf},
                       Bad{"queueing.target", &sb::QueueingInput::target, -kInf},
                       Bad{"queueing.target", &sb::QueueingInput::target, -1e-300}}) {
    sb::QueueingInput in = good;
    in.*b.member = b.value;
    CAPTURE(b.field, b.value);
    const absl::Status s = sb::ErlangC(in).status();
    CHECK(s.code() == invalid);
    CHECK_THAT(std::string(s.message()), Catch::Contains(b.field));
    CHECK(in.Validate().code() == invalid);
    in.patience = 120;
    CHECK(sb::ErlangA(in).status().code() == invalid);
    CHECK(sb::ErlangCWaitPercentile(in, 0.5).status().code() == invalid);
  }
  sb::QueueingInput agents = good;
  agents.agents = INT_MIN;
  CHECK_THAT(std::string(sb::ErlangC(agents).status().message()),
             Catch::Contains("queueing.agents"));
  // A target of -0.0 is >= 0, so valid; T = 0 means SL = 1 - P(wait).
  sb::QueueingInput zero = good;
  zero.target = -0.0;
  REQUIRE(sb::ErlangC(zero).ok());
  CHECK_NEAR(sb::ErlangC(zero)->service_level, 1 - OracleErlangC(10, 14), 0.0, 1e-15);
  // Fields a formula does not use are not validated by it: Erlang C ignores the patience,
  // staffing ignores the agents.
  sb::QueueingInput unused = good;
  unused.patience = kNan;
  CHECK(sb::ErlangC(unused).ok());
  CHECK(unused.Validate().ok());
  CHECK(unused.Validate(/*need_patience=*/true).code() == invalid);
  unused.agents = -7;
  CHECK(sb::RequiredAgents(sb::QueueModel::kErlangC, unused, {}).ok());
  // q must be in [0, 1).
  for (double q : {-1e-300, -0.5, 1.0, 2.0, kInf, -kInf}) {
    CAPTURE(q);
    CHECK(sb::ErlangCWaitPercentile(good, q).status().code() == invalid);
  }
  // A load that overflows to infinity cannot give finite measures (ErlangB() calls an infinite
  // load invalid; every field here is finite, only the product is not).
  sb::QueueingInput huge = good;
  huge.arrival_rate = 1e200;
  huge.handle_time = 1e200;
  CHECK(sb::ErlangC(huge).status().code() == invalid);
  huge.patience = 60;
  CHECK_FALSE(sb::ErlangA(huge).ok());
}

// =============================================================================================
// Erlang A

TEST_CASE("Erlang A equals its birth-death chain over a seeded grid") {
  const uint64_t seed = 0x5EED'0004;
  std::mt19937_64 rng(seed);
  int checked = 0, skipped = 0;
  for (int i = 0; i < 160; ++i) {
    const int bucket = i % 4;
    const int n = bucket == 0   ? IntIn(rng, 1, 5)
                  : bucket == 1 ? IntIn(rng, 6, 60)
                  : bucket == 2 ? IntIn(rng, 61, 400)
                                : IntIn(rng, 1000, 2000);
    const double h = LogUniform(rng, 30.0, 600.0);
    const double rho = i % 10 == 0 ? LogUniform(rng, 1e-3, 0.3) : Uniform(rng, 0.3, 1.4);
    const double patience = h * LogUniform(rng, 0.01, 30.0);
    const double target = IntIn(rng, 0, 5) == 0 ? 0.0 : LogUniform(rng, 0.5, 120.0);
    const double lambda = rho * n / h;
    CAPTURE(seed, i, n, h, rho, lambda, patience, target);
    const OracleA o = ErlangAByChain(lambda, h, patience, n, target);
    if (!o.ok) {
      ++skipped;
      continue;
    }
    const absl::StatusOr<sb::ErlangAResult> got =
        sb::ErlangA(MakeInput(lambda, h, n, target, patience));
    REQUIRE(got.ok());
    ++checked;
    // Two oracle routes to P(Ab) (per-position sum and theta E[Q] / lambda) must agree: this
    // checks the oracle itself.
    REQUIRE(Near(static_cast<double>(o.p_abandon), o.p_abandon_little, 1e-12, 1e-300));
    REQUIRE(Near(static_cast<double>(o.occupancy), o.occupancy_busy, 1e-12, 0.0));
    // The library claims exact values; the oracle is good to ~1e-15 (long double sums of
    // positive terms, truncation below e^-100). 1e-9 relative leaves room for the library's
    // double arithmetic over thousands of states (its own tests accept 1e-9 against GMR) and
    // an absolute floor of 1e-300 for values that underflow a double.
    CHECK(got->offered_load == lambda * h);
    CHECK_NEAR(got->p_wait, o.p_wait, 1e-9, 1e-300);
    CHECK_NEAR(got->p_abandon, o.p_abandon, 1e-9, 1e-300);
    CHECK_NEAR(got->asa, o.asa, 1e-9, 1e-300);
    CHECK_NEAR(got->mean_wait, o.mean_wait, 1e-9, 1e-300);
    if (o.p_abandon > 1e-290L) {
      CHECK_NEAR(got->mean_wait_of_abandoned, o.mean_wait_of_abandoned, 1e-9, 0.0);
    }
    CHECK_NEAR(got->mean_queue_length, o.lq, 1e-9, 1e-300);
    CHECK_NEAR(got->occupancy, o.occupancy, 1e-9, 0.0);
    // Service levels: probabilities near 1, so absolute 1e-10 (with the uniformization's
    // Poisson weights summed to 1 - 1e-30).
    CHECK_NEAR(got->service_level, o.sl, 1e-9, 1e-10);
    CHECK_NEAR(got->service_level_of_answered, o.sl_of_answered, 1e-9, 1e-10);
    CHECK_NEAR(got->service_level_excluding_early_abandons, o.sl_excluding_early, 1e-9, 1e-10);
    CHECK_NEAR(got->p_abandon_within_target, o.p_abandon_within, 1e-9, 1e-13);
  }
  INFO("checked " << checked << " skipped " << skipped);
  CHECK(skipped < 20);
}

TEST_CASE("Erlang A with patience equal to the handle time matches the Poisson closed forms") {
  // theta = mu: every contact leaves at rate mu, so the number in system is Poisson(a). The rates
  // out of queue position j are mu (n + i), i = 1..j: the time to pass them is the j-th order
  // statistic of n + j iid Exp(mu), so P(S_j <= T) = P(Bin(n + j, 1 - e^{-T/h}) >= j);
  // P(served | j) = n / (n + j); each position i in 1..j is where a caller from j abandons with
  // probability 1 / (n + j), after the (j - i + 1)-th of those order statistics.
  const uint64_t seed = 0x5EED'0005;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 40; ++i) {
    const int n = IntIn(rng, 1, 80);
    const double h = LogUniform(rng, 20.0, 400.0);
    const double a = n * Uniform(rng, 0.2, 1.6);
    const double target = i % 8 == 0 ? 0.0 : h * Uniform(rng, 0.01, 1.5);
    const double lambda = a / h;
    CAPTURE(seed, i, n, h, a, target);
    const absl::StatusOr<sb::ErlangAResult> got = sb::ErlangA(MakeInput(lambda, h, n, target, h));
    REQUIRE(got.ok());
    const LD load = lambda * h;
    const int kmax = n + static_cast<int>(load + 20 * std::sqrt(load) + 60);
    std::vector<LD> pois(kmax + 1);
    for (int k = 0; k <= kmax; ++k) {
      pois[k] = std::exp(-load + k * std::log(load) - std::lgamma(static_cast<LD>(k) + 1));
    }
    const LD p = 1 - std::exp(-static_cast<LD>(target) / h);
    LD p_wait = 0, p_ab = 0, sl = 0, ab_within = 0, served_wait = 0, lq = 0;
    for (int k = 0; k <= kmax; ++k) {
      if (k < n) {
        sl += pois[k];
        continue;
      }
      const int j = k - n + 1, m = n + j;
      p_wait += pois[k];
      lq += (k - n) * pois[k];
      p_ab += pois[k] * j / m;
      LD h_sum = 0;
      for (int l = 1; l <= j; ++l) h_sum += h / static_cast<LD>(n + l);
      served_wait += pois[k] * n / m * h_sum;
      // Binomial(m, p) upper tails P(X >= r) for r = 1..j.
      std::vector<LD> pmf(m + 1, 0);  // Binomial(m, p) by the ratio of neighbours
      pmf[0] = std::pow(1 - p, static_cast<LD>(m));
      for (int x = 0; x < m; ++x) pmf[x + 1] = pmf[x] * (m - x) / (x + 1) * p / (1 - p);
      std::vector<LD> tail(m + 2, 0);
      for (int x = m; x >= 0; --x) tail[x] = tail[x + 1] + pmf[x];
      sl += pois[k] * n / m * tail[j];
      LD within = 0;
      for (int r = 1; r <= j; ++r) within += tail[r];
      ab_within += pois[k] * within / m;
    }
    // The binomial terms carry ~m eps_ld relative each; 1e-9 is the library's budget.
    CHECK_NEAR(got->p_wait, p_wait, 1e-9, 1e-300);
    CHECK_NEAR(got->p_abandon, p_ab, 1e-9, 1e-300);
    CHECK_NEAR(got->p_abandon, lq / load, 1e-9, 1e-300);  // theta E[Q] / lambda = E[Q] / a
    CHECK_NEAR(got->asa, served_wait / (1 - p_ab), 1e-9, 1e-300);
    CHECK_NEAR(got->service_level, sl, 1e-9, 1e-10);
    CHECK_NEAR(got->p_abandon_within_target, ab_within, 1e-9, 1e-13);
    CHECK_NEAR(got->mean_queue_length, lq, 1e-9, 1e-300);
  }
}

TEST_CASE("Erlang A tends to Erlang C as patience grows, at the rate 1 / patience") {
  const uint64_t seed = 0x5EED'0006;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 30; ++i) {
    const int n = i % 3 == 2 ? IntIn(rng, 1000, 1500) : IntIn(rng, 1, 100);
    const double h = LogUniform(rng, 30.0, 600.0);
    const double rho = Uniform(rng, 0.2, 0.9);
    const double lambda = rho * n / h;
    const double target = Uniform(rng, 0.0, 60.0);
    CAPTURE(seed, i, n, h, rho, target);
    const OracleC c = ErlangCByDefinition(lambda, h, n, target);
    if (c.p_wait < 1e-250L) continue;  // underflows a double: nothing to compare relatively
    LD previous = std::numeric_limits<LD>::infinity();
    for (double ratio : {1e2, 1e4, 1e6}) {
      const double patience = h * ratio;
      CAPTURE(patience);
      const absl::StatusOr<sb::ErlangAResult> a =
          sb::ErlangA(MakeInput(lambda, h, n, target, patience));
      REQUIRE(a.ok());
      // Abandonment multiplies the waiting states' weights by prod_{i<=j} 1 / (1 + i theta /
      // (n mu)) ~ exp(-j^2 theta / (2 n mu)); queue positions j scale like 1 / (1 - rho), and
      // the waits weigh one power of j more, so every measure moves by
      // O(theta / (n mu) / (1 - rho)^3) = O(h n^2 / (patience (n - a)^3)); 20 times that.
      const LD gap_load = n - static_cast<LD>(lambda * h);
      const LD bound =
          20 * h * static_cast<LD>(n) * n / (patience * gap_load * gap_load * gap_load);
      const LD gap = std::fabs(a->p_wait - c.p_wait) / c.p_wait;
      CHECK(gap <= bound);
      CHECK(gap <= previous);
      previous = gap;
      CHECK(std::fabs(a->asa - c.asa) <= bound * c.asa);
      CHECK(std::fabs(a->service_level - c.sl) <= bound);
      CHECK(std::fabs(a->occupancy - c.occupancy) <= bound);
      CHECK(a->p_abandon <= bound);
    }
  }
}

TEST_CASE("Erlang A rejects bad patience, overload is fine") {
  const auto invalid = absl::StatusCode::kInvalidArgument;
  sb::QueueingInput in = MakeInput(0.5, 60, 10, 20, 120);  // 30 Erlangs on 10 agents
  const absl::StatusOr<sb::ErlangAResult> over = sb::ErlangA(in);
  REQUIRE(over.ok());
  // Fluid view: 10 agents serve 1/6 per second of 1/2 offered; the rest abandon.
  CHECK(over->p_abandon == Approx(2.0 / 3.0).epsilon(0.05));
  const OracleA o = ErlangAByChain(0.5, 60, 120, 10, 20);
  REQUIRE(o.ok);
  CHECK_NEAR(over->p_abandon, o.p_abandon, 1e-9, 0.0);
  for (double patience : {-kInf, -1.0, -0.0, 0.0, kNan}) {
    in.patience = patience;
    CAPTURE(patience);
    const absl::Status s = sb::ErlangA(in).status();
    CHECK(s.code() == invalid);
    CHECK_THAT(std::string(s.message()), Catch::Contains("queueing.patience"));
  }
}

// =============================================================================================
// Staffing

namespace {

enum class Meets { kNo, kYes, kTie };

// Whether `n` agents meet the target by the oracles; kTie when the measure is within 1e-9 of
// the target, where the library's double arithmetic may round either way.
Meets OracleMeets(sb::QueueModel model, const sb::QueueingInput& in, int n,
                  const sb::StaffingTarget& t) {
  auto compare = [&](LD measure, bool at_least) {
    if (std::fabs(measure - t.value) <= 1e-9L * std::max<LD>(1, std::fabs(t.value))) {
      return Meets::kTie;
    }
    return (at_least ? measure >= t.value : measure <= t.value) ? Meets::kYes : Meets::kNo;
  };
  if (model == sb::QueueModel::kErlangC) {
    if (in.arrival_rate * in.handle_time >= n) return Meets::kNo;  // unstable
    const OracleC c = ErlangCByDefinition(in.arrival_rate, in.handle_time, n, in.target);
    return t.goal == sb::StaffingGoal::kServiceLevel ? compare(c.sl, true) : compare(c.asa, false);
  }
  const OracleA a =
      ErlangAByChain(in.arrival_rate, in.handle_time, in.patience, n, in.target, 1e12);
  REQUIRE(a.ok);
  switch (t.goal) {
    case sb::StaffingGoal::kServiceLevel:
      return compare(a.sl, true);
    case sb::StaffingGoal::kAsa:
      return compare(a.asa, false);
    case sb::StaffingGoal::kAbandonment:
      return compare(a.p_abandon, false);
  }
  return Meets::kNo;
}

}  // namespace

TEST_CASE("Staffing returns the fewest agents that meet the target, by the oracles") {
  const uint64_t seed = 0x5EED'0007;
  std::mt19937_64 rng(seed);
  int ties = 0;
  for (int i = 0; i < 90; ++i) {
    const sb::QueueModel model = i % 2 == 0 ? sb::QueueModel::kErlangC : sb::QueueModel::kErlangA;
    const double a = i % 6 < 2   ? LogUniform(rng, 0.01, 5.0)
                     : i % 6 < 4 ? LogUniform(rng, 5.0, 200.0)
                                 : LogUniform(rng, 900.0, 2000.0);
    const double h = LogUniform(rng, 60.0, 600.0);
    sb::QueueingInput in = MakeInput(a / h, h, /*agents, ignored=*/-1, Uniform(rng, 0.0, 60.0),
                                     h * LogUniform(rng, 0.2, 5.0));
    sb::StaffingTarget target;
    const int goal = IntIn(rng, 0, model == sb::QueueModel::kErlangA ? 2 : 1);
    if (goal == 0) {
      target = {sb::StaffingGoal::kServiceLevel, Uniform(rng, 0.5, 0.99)};
    } else if (goal == 1) {
      target = {sb::StaffingGoal::kAsa, h * LogUniform(rng, 0.005, 0.3)};
    } else {
      target = {sb::StaffingGoal::kAbandonment, LogUniform(rng, 0.005, 0.2)};
    }
    CAPTURE(seed, i, static_cast<int>(model), a, h, in.target, in.patience,
            static_cast<int>(target.goal), target.value);
    const absl::StatusOr<int> got = sb::RequiredAgents(model, in, target);
    REQUIRE(got.ok());
    const int n = *got;
    CAPTURE(n);
    if (model == sb::QueueModel::kErlangC) CHECK(n > a);  // documented
    const Meets at_n = OracleMeets(model, in, n, target);
    CHECK(at_n != Meets::kNo);
    if (n > 1) {
      const Meets below = OracleMeets(model, in, n - 1, target);
      CHECK(below != Meets::kYes);
      ties += below == Meets::kTie || at_n == Meets::kTie;
    }
    // max_agents: N itself is allowed; one fewer is ResourceExhausted.
    CHECK(sb::RequiredAgents(model, in, target, n).value() == n);
    if (n > 1) {
      CHECK(sb::RequiredAgents(model, in, target, n - 1).status().code() ==
            absl::StatusCode::kResourceExhausted);
    }
    if (model == sb::QueueModel::kErlangC && n > 2) {
      // Erlang C is cheap: every smaller stable staffing fails too (a scan, not a bisection).
      for (int k = static_cast<int>(std::floor(a)) + 1; k < n - 1; ++k) {
        CAPTURE(k);
        CHECK(OracleMeets(model, in, k, target) == Meets::kNo);
      }
    }
  }
  CHECK(ties <= 2);
}

TEST_CASE("Staffing rejects targets outside their documented ranges") {
  // erlang.h: kServiceLevel and kAbandonment take a fraction in (0, 1), kAsa positive seconds;
  // kAbandonment only with Erlang A; max_agents at least 1 (by erlang_test: 0 is refused).
  const sb::QueueingInput in = MakeInput(100.0 / 1800, 180, 0, 20, 120);
  const auto invalid = absl::StatusCode::kInvalidArgument;
  using G = sb::StaffingGoal;
  for (sb::QueueModel model : {sb::QueueModel::kErlangC, sb::QueueModel::kErlangA}) {
    CAPTURE(static_cast<int>(model));
    for (double v : {0.0, -0.0, 1.0, -0.5, 1.5, kNan, kInf, -kInf}) {
      CAPTURE(v);
      CHECK(sb::RequiredAgents(model, in, {G::kServiceLevel, v}).status().code() == invalid);
      if (model == sb::QueueModel::kErlangA) {
        CHECK(sb::RequiredAgents(model, in, {G::kAbandonment, v}).status().code() == invalid);
      }
    }
    for (double v : {0.0, -0.0, -1.0, kNan, -kInf}) {
      CAPTURE(v);
      CHECK(sb::RequiredAgents(model, in, {G::kAsa, v}).status().code() == invalid);
    }
    CHECK(sb::RequiredAgents(model, in, {}, -1).status().code() == invalid);
    CHECK(sb::RequiredAgents(model, in, {}, INT_MIN).status().code() == invalid);
    // The smallest valid targets: any stable staffing meets them.
    const int least = model == sb::QueueModel::kErlangC ? 11 : 1;  // C needs n > a = 10
    CHECK(sb::RequiredAgents(model, in, {G::kServiceLevel, 1e-300}).value() == least);
    CHECK(sb::RequiredAgents(model, in, {G::kAsa, 1e300}).value() == least);
  }
  CHECK(sb::RequiredAgents(sb::QueueModel::kErlangC, in, {G::kAbandonment, 0.05}).status().code() ==
        invalid);
}

// =============================================================================================
// Measures over contact records

TEST_CASE("QueueMeasures equal the documented definitions over seeded record sets") {
  const uint64_t seed = 0x5EED'0008;
  std::mt19937_64 rng(seed);
  for (int set = 0; set < 60; ++set) {
    const double targets[] = {0.0, 5.0, 20.0, 30.5, 60.0};
    const double target = targets[sbt::Below(rng, 5)];
    const double shorts[] = {0.0, 3.0, 5.0, target, target + 10.0, 2.5};
    const double short_abandon = shorts[sbt::Below(rng, 6)];
    const int count = set % 10 == 0 ? IntIn(rng, 0, 3) : IntIn(rng, 1, 2000);
    const double answer_share = set % 7 == 0 ? (set % 2 == 0 ? 0.0 : 1.0) : Unit(rng);
    CAPTURE(seed, set, target, short_abandon, count, answer_share);
    std::vector<Record> records;
    for (int r = 0; r < count; ++r) {
      Record rec;
      rec.answered = Unit(rng) < answer_share;
      // Waits on whole seconds (to land on T and on the short-abandon threshold exactly),
      // continuous ones, zeros, and a few long ones.
      switch (IntIn(rng, 0, 3)) {
        case 0:
          rec.wait = static_cast<double>(IntIn(rng, 0, 70));
          break;
        case 1:
          rec.wait = Uniform(rng, 0.0, 90.0);
          break;
        case 2:
          rec.wait = 0.0;
          break;
        default:
          rec.wait = LogUniform(rng, 1.0, 1e6);
          break;
      }
      if (!rec.answered && rec.wait == target) rec.wait += 0.25;  // unspecified: see Tally()
      if (rec.answered) {
        rec.handle = {LogUniform(rng, 5.0, 3000.0),
                      IntIn(rng, 0, 2) == 0 ? 0.0 : Uniform(rng, 0, 300), Uniform(rng, 0.0, 120.0)};
      }
      records.push_back(rec);
    }
    absl::StatusOr<sb::QueueMeasures> m = sb::QueueMeasures::Create({target, short_abandon});
    REQUIRE(m.ok());
    // Also in up to four pieces, merged: the merged tally is the whole one.
    const int pieces = IntIn(rng, 1, 4);
    std::vector<sb::QueueMeasures> parts(pieces, *m);
    for (const Record& r : records) {
      sb::QueueMeasures& part = parts[sbt::Below(rng, static_cast<std::uint64_t>(pieces))];
      if (r.answered) {
        REQUIRE(m->RecordAnswered(r.wait, r.handle).ok());
        REQUIRE(part.RecordAnswered(r.wait, r.handle).ok());
      } else {
        REQUIRE(m->RecordAbandoned(r.wait).ok());
        REQUIRE(part.RecordAbandoned(r.wait).ok());
      }
    }
    for (int p = 1; p < pieces; ++p) REQUIRE(parts[0].Merge(parts[p]).ok());
    const OracleMeasures o = Tally(records, target, short_abandon);
    {
      INFO("whole tally");
      CheckAgainstOracle(*m, o);
    }
    {
      INFO("merged from " << pieces << " pieces");
      CheckAgainstOracle(parts[0], o);
    }
  }
}

TEST_CASE("QueueMeasures thresholds: answered at T meets it, a short abandon is strictly short") {
  sb::QueueMeasures m = sb::QueueMeasures::Create({20.0, 5.0}).value();
  REQUIRE(m.RecordAnswered(20.0).ok());
  REQUIRE(m.RecordAnswered(std::nextafter(20.0, 30.0)).ok());
  REQUIRE(m.RecordAbandoned(5.0).ok());                       // not short: 5 is not < 5
  REQUIRE(m.RecordAbandoned(std::nextafter(5.0, 0.0)).ok());  // short
  CHECK(m.answered_within_target() == 1);
  CHECK(m.short_abandoned() == 1);
  CHECK(*m.ServiceLevel(sb::ServiceLevelDefinition::kExcludeShortAbandons) == 1.0 / 3.0);
  CHECK(*m.ShortAbandonExcludedRate() == 1.0 / 3.0);
  // T = 0: only zero waits meet it.
  sb::QueueMeasures zero = sb::QueueMeasures::Create({0.0, 0.0}).value();
  REQUIRE(zero.RecordAnswered(0.0).ok());
  REQUIRE(zero.RecordAnswered(std::numeric_limits<double>::denorm_min()).ok());
  CHECK(zero.answered_within_target() == 1);
  // Options: Merge needs equal options, short_abandon included.
  sb::QueueMeasures other = sb::QueueMeasures::Create({20.0, 4.0}).value();
  CHECK(m.Merge(other).code() == absl::StatusCode::kInvalidArgument);
  CHECK(sb::QueueMeasures::Create({kInf, 0.0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(sb::QueueMeasures::Create({20.0, -1.0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(sb::QueueMeasures::Create({20.0, sb::kMaxMeasuredSeconds}).ok());
  CHECK_FALSE(
      sb::QueueMeasures::Create({20.0, std::nextafter(sb::kMaxMeasuredSeconds, kInf)}).ok());
}

TEST_CASE("Occupancy is busy over staffed time, for seeded values and at the edges") {
  const uint64_t seed = 0x5EED'0009;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200; ++i) {
    const double staffed = LogUniform(rng, 1e-3, 1e9);
    const double busy = i % 10 == 0 ? staffed : staffed * Unit(rng);
    CAPTURE(seed, i, busy, staffed);
    const absl::StatusOr<double> got = sb::Occupancy(busy, staffed);
    REQUIRE(got.ok());
    CHECK(*got == busy / staffed);  // one division: must be the correctly rounded quotient
  }
  const auto invalid = absl::StatusCode::kInvalidArgument;
  for (auto [busy, staffed] :
       {std::pair{1.0, 0.0}, std::pair{0.0, 0.0}, std::pair{-1.0, 10.0}, std::pair{kNan, 10.0},
        std::pair{1.0, kNan}, std::pair{kInf, kInf}, std::pair{1.0, kInf},
        std::pair{std::nextafter(10.0, 11.0), 10.0}, std::pair{1.0, -10.0}}) {
    CAPTURE(busy, staffed);
    CHECK(sb::Occupancy(busy, staffed).status().code() == invalid);
  }
}

TEST_CASE("CSAT, NPS and CES equal their definitions over seeded surveys") {
  const uint64_t seed = 0x5EED'000A;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200; ++i) {
    const int count = IntIn(rng, 1, 500);
    CAPTURE(seed, i, count);
    std::vector<int> csat(count), nps(count);
    std::vector<double> ces(count);
    const int scale = IntIn(rng, 2, 10);
    int satisfied = 0, promoters = 0, detractors = 0;
    LD ces_sum = 0;
    for (int k = 0; k < count; ++k) {
      csat[k] = IntIn(rng, 1, 5);
      nps[k] = IntIn(rng, 0, 10);
      ces[k] = i % 2 == 0 ? IntIn(rng, 1, scale) : Uniform(rng, 1.0, scale);
      satisfied += csat[k] >= 4;
      promoters += nps[k] >= 9;
      detractors += nps[k] <= 6;
      ces_sum += ces[k];
    }
    // Percentages of counts: 100 * k / n, one or two roundings: 1e-14 relative (absolute near 0).
    CHECK_NEAR(sb::Csat(csat).value(), 100.0L * satisfied / count, 1e-14, 1e-13);
    CHECK_NEAR(sb::Nps(nps).value(), 100.0L * (promoters - detractors) / count, 1e-14, 1e-13);
    CHECK_NEAR(sb::Ces(ces, scale).value(), ces_sum / count, 1e-14, 0.0);
    // The scale's top is inclusive, one past it is not; CES answers need not be whole.
    std::vector<double> top = {static_cast<double>(scale), 1.0};
    CHECK(sb::Ces(top, scale).ok());
    top[0] = std::nextafter(static_cast<double>(scale), 100.0);
    CHECK(sb::Ces(top, scale).status().code() == absl::StatusCode::kInvalidArgument);
  }
  const auto invalid = absl::StatusCode::kInvalidArgument;
  CHECK(sb::Csat(std::vector<int>{0}).status().code() == invalid);
  CHECK(sb::Nps(std::vector<int>{-1}).status().code() == invalid);
  CHECK(sb::Nps(std::vector<int>{}).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{}).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{0.999}).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{kInf}).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{-kInf}).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{1.0}, INT_MIN).status().code() == invalid);
  CHECK(sb::Ces(std::vector<double>{1.0, 1e9}, INT_MAX).value() == Approx((1.0 + 1e9) / 2));
  CHECK(sb::Nps(std::vector<int>{9, 10}).value() == 100.0);
  CHECK(sb::Nps(std::vector<int>{7, 8}).value() == 0.0);
}

TEST_CASE("First-contact resolution equals its definition over seeded contact logs") {
  // Times are even seconds, windows odd seconds and data ends even seconds, so no contact lies
  // exactly a window after another and no window ends exactly at the data's end (both
  // boundaries are unspecified in the docs). Times are distinct.
  const uint64_t seed = 0x5EED'000B;
  std::mt19937_64 rng(seed);
  const char* customers[] = {"ana", "bob", "cid", "dee", "eve", "fay"};
  const char* reasons[] = {"", "", "billing", "password", "move"};
  for (int set = 0; set < 150; ++set) {
    const int count = IntIn(rng, 1, 60);
    const int64_t span = 2 * IntIn(rng, 1, 400'000);
    std::vector<int64_t> times;
    while (static_cast<int>(times.size()) < count) {
      const int64_t t = 2 * static_cast<int64_t>(sbt::Below(rng, static_cast<uint64_t>(span)));
      if (std::find(times.begin(), times.end(), t) == times.end()) times.push_back(t);
    }
    const uint64_t people = 1 + sbt::Below(rng, 6);
    std::vector<sb::FcrContact> contacts;
    for (int64_t t : times) {
      contacts.push_back({customers[sbt::Below(rng, people)],
                          absl::FromUnixSeconds(1'700'000'000 + t), reasons[sbt::Below(rng, 5)]});
    }
    const int64_t window = 2 * IntIn(rng, 0, 100'000) + 1;
    const bool bounded = set % 2 == 1;
    const int64_t data_end =
        2 * static_cast<int64_t>(sbt::Below(rng, 2 * static_cast<uint64_t>(span)));
    CAPTURE(seed, set, count, span, window, bounded, data_end);
    auto repeat_of = [&](size_t later, size_t earlier) {
      const sb::FcrContact& l = contacts[later];
      const sb::FcrContact& e = contacts[earlier];
      const absl::Duration gap = l.time - e.time;
      return l.customer == e.customer && gap > absl::ZeroDuration() &&
             gap <= absl::Seconds(window) &&
             (l.reason.empty() || e.reason.empty() || l.reason == e.reason);
    };
    int64_t judged = 0, resolved = 0, repeats = 0;
    const absl::Time end = absl::FromUnixSeconds(1'700'000'000 + data_end);
    for (size_t i = 0; i < contacts.size(); ++i) {
      bool has_repeat = false, is_repeat = false;
      for (size_t j = 0; j < contacts.size(); ++j) {
        has_repeat = has_repeat || repeat_of(j, i);
        is_repeat = is_repeat || repeat_of(i, j);
      }
      repeats += is_repeat;
      if (bounded && contacts[i].time + absl::Seconds(window) > end) continue;
      ++judged;
      resolved += !has_repeat;
    }
    const absl::StatusOr<sb::FcrResult> got =
        bounded ? sb::FirstContactResolution(contacts, absl::Seconds(window), end)
                : sb::FirstContactResolution(contacts, absl::Seconds(window));
    REQUIRE(got.ok());
    CHECK(got->judged == judged);
    CHECK(got->resolved == resolved);
    if (!bounded) CHECK(got->repeats == repeats);  // with a data end: see the report
    // "The input need not be sorted": with distinct times, any order gives the same counts.
    std::vector<sb::FcrContact> shuffled = contacts;
    sbt::Shuffle(&shuffled, rng);
    const absl::StatusOr<sb::FcrResult> again =
        bounded ? sb::FirstContactResolution(shuffled, absl::Seconds(window), end)
                : sb::FirstContactResolution(shuffled, absl::Seconds(window));
    REQUIRE(again.ok());
    CHECK(again->judged == got->judged);
    CHECK(again->resolved == got->resolved);
    CHECK(again->repeats == got->repeats);
    if (judged == 0) {
      CHECK_FALSE(got->rate.has_value());
    } else {
      REQUIRE(got->rate.has_value());
      CHECK(*got->rate == static_cast<double>(resolved) / static_cast<double>(judged));
    }
  }
}

// =============================================================================================
// Student t and confidence intervals

TEST_CASE("Student t oracle self-check: series and quadrature agree") {
  // The A&S series (exact for integer dof) and the tanh-sinh quadrature are independent routes to
  // the same tail; 1 - A loses eps / tail of the series, hence the 1e-18 absolute term.
  for (int nu : {1, 2, 3, 4, 7, 10, 41}) {
    for (double x : {1e-3, 0.01, 0.3, 1.0, 1.5}) {
      CAPTURE(nu, x);
      CHECK(Near(static_cast<double>(StudentTailQuadrature(nu, x)),
                 1 - StudentAbsCdfInteger(nu, kPi / 2 - x), 1e-13, 1e-18));
    }
  }
  // The whole line has probability 1 at any dof.
  for (double nu : {0.5, 1.5, 3.7, 25.3, 300.5}) {
    CAPTURE(nu);
    CHECK(Near(static_cast<double>(StudentTailQuadrature(nu, kPi / 2)), 1.0L, 1e-15));
  }
  // Closed forms: dof 1 (Cauchy) and 2.
  CHECK(Near(static_cast<double>(OracleStudentT(0.9L, 1)), std::tan(kPi * 0.4L), 1e-15));
  CHECK(Near(static_cast<double>(OracleStudentT(1e-7L, 1)), -1 / std::tan(kPi * 1e-7L), 1e-15));
  CHECK(Near(static_cast<double>(OracleStudentT(0.99L, 2)), 0.98L / std::sqrt(2 * 0.99L * 0.01L),
             1e-15));
}

TEST_CASE("Student t quantiles equal the exact t CDF's inverse") {
  // The docs claim about 1e-9 at any dof. The oracle is good to ~1e-15 at integer dof and
  // ~1e-12 by quadrature (~1e-11 near dof 1e5, where the t density in phi is a narrow peak;
  // seen against the exact series at dof 99,999); the check is 2e-9 relative (the claim, whether
  // absolute or relative, is unsaid; relative is the stricter for |t| > 1 and t is kept above 0.1
  // in magnitude).
  const uint64_t seed = 0x5EED'000C;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 160; ++i) {
    const bool integer = i % 4 != 3;
    // Fractional dof from 0.2 (heavy tails, t up to 1e30) to 3e5 (across the library's switch
    // to the 1 / dof expansion at 1e5).
    const double dof = integer      ? IntIn(rng, 1, i % 8 == 0 ? 400 : 40)
                       : i % 8 == 7 ? LogUniform(rng, 60.0, 3e5)
                                    : LogUniform(rng, 0.2, 60.0);
    double p = i % 3 == 0 ? Uniform(rng, 0.55, 0.999) : 1.0 - LogUniform(rng, 1e-6, 0.2);
    if (i % 2 == 1) p = 1.0 - p;
    CAPTURE(seed, i, dof, p);
    const absl::StatusOr<double> got = sb::StudentTQuantile(p, dof);
    REQUIRE(got.ok());
    const LD want = OracleStudentT(p, dof);
    if (std::fabs(want) < 0.1L) continue;
    CHECK_NEAR(*got, want, 2e-9, 0.0);
  }
}

TEST_CASE("Confidence intervals equal mean +- t s / sqrt(k) over seeded replications") {
  const uint64_t seed = 0x5EED'000D;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200; ++i) {
    const int k = i % 5 == 0 ? 2 : IntIn(rng, 2, 60);
    const double confidences[] = {0.8, 0.9, 0.95, 0.99, 0.999};
    const double confidence =
        i % 3 == 0 ? Uniform(rng, 0.5, 0.995) : confidences[sbt::Below(rng, 5)];
    const double center = i % 4 == 0 ? LogUniform(rng, 1e3, 1e9) : Uniform(rng, -1.0, 1.0);
    const double spread = (std::fabs(center) + 1e-3) * LogUniform(rng, 1e-6, 10.0);
    std::vector<double> values(k);
    for (double& v : values) v = center + spread * Uniform(rng, -1.0, 1.0);
    CAPTURE(seed, i, k, confidence, center, spread);
    const absl::StatusOr<sb::ConfidenceInterval> got =
        sb::MeanConfidenceInterval(values, confidence);
    REQUIRE(got.ok());
    LD mean = 0;
    for (double v : values) mean += v;
    mean /= k;
    LD ss = 0;
    for (double v : values) ss += (v - mean) * (v - mean);
    const LD s = std::sqrt(ss / (k - 1));
    const LD t = OracleStudentT(0.5L + static_cast<LD>(confidence) / 2, k - 1, /*series=*/true);
    const LD half = t * s / std::sqrt(static_cast<LD>(k));
    CHECK(got->count == k);
    CHECK(got->confidence == confidence);
    // Mean: a sum of k doubles, k eps relative to the largest |value|.
    LD largest = 0;
    for (double v : values) largest = std::max<LD>(largest, std::fabs(v));
    CHECK_NEAR(got->mean, mean, 0.0, 64 * k * 1.2e-16 * static_cast<double>(largest));
    // Half-width: s loses (center / spread) eps to the deviations from the double mean, t is
    // good to 1e-9.
    const double s_rel = 1e-9 + 64 * k * 1.2e-16 * static_cast<double>(largest / (s + 1e-300L));
    CHECK_NEAR(got->half_width, half, s_rel, 0.0);
    CHECK(got->lower() == got->mean - got->half_width);
    CHECK(got->upper() == got->mean + got->half_width);
  }
}

// =============================================================================================
// Simulator KPIs (docs/harness.md, "What each KPI means")

TEST_CASE("ComputeKpis follows the harness definitions, an empty denominator giving 0") {
  const uint64_t seed = 0x5EED'000E;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 300; ++i) {
    sim::KpiCounters c;
    auto count = [&](int64_t max) {
      return IntIn(rng, 0, 4) == 0 ? 0 : static_cast<int64_t>(sbt::Below(rng, max + 1));
    };
    c.offered = count(100000);
    c.answered = count(c.offered);
    c.answered_within_target = count(c.answered);
    c.abandoned = count(c.offered - c.answered);
    c.rejected = count(10);
    c.completed = count(c.answered);
    c.transfers = count(c.completed);
    c.first_contacts_completed = count(c.completed);
    c.resolved_first_contact = count(c.first_contacts_completed);
    c.resolved = count(c.completed);
    c.repeat_contacts = count(c.offered);
    c.offers = count(200000);
    c.declined = count(c.offers);
    c.missed = count(c.offers);
    c.wait_answered_s = c.answered > 0 ? Uniform(rng, 0.0, 1e7) : 0.0;
    c.wait_abandoned_s = c.abandoned > 0 ? Uniform(rng, 0.0, 1e7) : 0.0;
    c.handle_s = c.completed > 0 ? Uniform(rng, 0.0, 1e8) : 0.0;
    c.staffed_agent_s = IntIn(rng, 0, 4) == 0 ? 0.0 : Uniform(rng, 1.0, 1e8);
    c.busy_agent_s = c.staffed_agent_s * Unit(rng);
    c.span_s = IntIn(rng, 0, 4) == 0 ? 0.0 : Uniform(rng, 1.0, 1e5);
    c.queue_length_s = c.span_s > 0 ? Uniform(rng, 0.0, 1e7) : 0.0;
    CAPTURE(seed, i);
    const sim::Kpis k = sim::ComputeKpis(c);
    auto ratio = [](double num, double den) { return den == 0 ? 0.0 : num / den; };
    const double off = static_cast<double>(c.offered);
    CHECK(k.offered == off);
    CHECK(k.answered == static_cast<double>(c.answered));
    CHECK(k.abandoned == static_cast<double>(c.abandoned));
    CHECK(k.service_level == ratio(static_cast<double>(c.answered_within_target), off));
    CHECK(k.asa_s == ratio(c.wait_answered_s, static_cast<double>(c.answered)));
    CHECK(k.abandonment_rate == ratio(static_cast<double>(c.abandoned), off));
    CHECK(k.avg_abandon_wait_s == ratio(c.wait_abandoned_s, static_cast<double>(c.abandoned)));
    CHECK(k.occupancy == ratio(c.busy_agent_s, c.staffed_agent_s));
    CHECK(k.aht_s == ratio(c.handle_s, static_cast<double>(c.completed)));
    CHECK(k.transfers == static_cast<double>(c.transfers));
    CHECK(k.transfer_rate ==
          ratio(static_cast<double>(c.transfers), static_cast<double>(c.completed)));
    CHECK(k.fcr == ratio(static_cast<double>(c.resolved_first_contact),
                         static_cast<double>(c.first_contacts_completed)));
    CHECK(k.resolution_rate ==
          ratio(static_cast<double>(c.resolved), static_cast<double>(c.completed)));
    CHECK(k.repeat_contacts == static_cast<double>(c.repeat_contacts));
    CHECK(k.repeat_rate == ratio(static_cast<double>(c.repeat_contacts), off));
    CHECK(k.avg_queue_length == ratio(c.queue_length_s, c.span_s));
    CHECK(k.offers == static_cast<double>(c.offers));
  }
}
