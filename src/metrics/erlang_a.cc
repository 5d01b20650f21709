// Erlang A (M/M/n+M) by the exact birth-death chain.
//
// The number of contacts in the system is a birth-death chain (Garnett, Mandelbaum & Reiman
// 2002, "Designing a call center with impatient customers", M&SOM 4(3); Mandelbaum & Zeltyn,
// "The Palm/Erlang-A queue, with applications to call centers", 2005, section 3): births at rate
// lambda, deaths at rate k*mu below n agents and n*mu + j*theta with j contacts waiting. Relative
// to state n,
//   pi_k / pi_n = n! / (k! a^(n-k))                      for k <= n (their sum is 1 / ErlangB)
//   pi_{n+j} / pi_n = prod_{m=1..j} lambda / (n mu + m theta)   for j >= 1.
// The chain is summed until the remaining tail is below e^-41 (~1.6e-18) of the waiting states'
// part (not of the total; see Normalize below): past the mode the ratios lambda / (n mu + m theta)
// fall, so the tail after state j is at most q_j r / (1 - r) with r the current ratio. All weights
// are carried as logarithms, so neither a tiny Erlang B (agents >> load) nor a long overloaded
// queue overflows.
//
// Waiting-time measures follow a tagged arrival (PASTA: arrivals see pi). An arrival that finds
// j contacts waiting takes queue position i = j + 1. From position i it moves up at rate
// n mu + (i-1) theta (a service completion or an abandonment ahead of it; FCFS) and abandons at
// rate theta, so its offered wait is V_i = sum_{m=0}^{i-1} Exp(theta (c + m)) with c = n mu /
// theta, the time until i of c + i - 1 exponential(theta) clocks ring. Hence, with
// x = 1 - exp(-theta t) and I_x(a, b) the regularized incomplete beta function,
//   P(V_i <= t)                         = I_x(i, c)
//   P(served, V_i <= t) = E[e^{-theta V_i}; V_i <= t] = c / (c + i) * I_x(i, c + 1)
//   P(served)                           = c / (c + i)          (telescoping product)
//   E[V_i; served] = E[V_i e^{-theta V_i}] = c / (c + i) * (1/theta) * sum_{m=1..i} 1 / (c + m)
// and, as i is an integer, 1 - I_x(i, b) = sum_{j<i} NB_b(j), the negative binomial
// NB_b(j) = Gamma(b + j) / (Gamma(b) j!) (1 - x)^b x^j, summed with positive terms only.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "src/internal/str_cat.h"
#include "src/metrics/erlang_internal.h"
#include "switchboard/erlang.h"

namespace switchboard {
namespace {

using metrics_internal::LogAddExp;
using metrics_internal::LogInverseErlangB;

constexpr int64_t kMaxQueueStates = 20'000'000;
constexpr double kLogTailTolerance = -41.0;

struct ChainParams {
  double lambda;
  double n_mu;   // n * mu: service completions per second with every agent busy
  double theta;  // abandonment rate of one waiting contact
  // log(pi_{n+j} / pi_{n+j-1}).
  double LogRatio(int64_t j) const {
    return std::log(lambda) - std::log(n_mu + static_cast<double>(j) * theta);
  }
};

absl::Status TooLong() {
  return absl::ResourceExhaustedError(internal::StrCat(
      "queueing.patience is too long for Erlang A at this load: the queue chain needs more than ",
      kMaxQueueStates, " states; use Erlang C"));
}

// Pass 1: the normalizing constant log(sum_k pi_k / pi_n) and the last queue state kept.
absl::Status Normalize(const ChainParams& p, double log_below, double* log_z, int64_t* last) {
  // The weights rise until lambda = n mu + j theta, so the chain is at least that long; fail
  // fast rather than after summing millions of states.
  if ((p.lambda - p.n_mu) / p.theta > static_cast<double>(kMaxQueueStates)) {
    return TooLong();
  }
  double z = log_below;
  double lq = 0.0;
  double log_queue = -INFINITY;  // log(sum_{j>=1} pi_{n+j} / pi_n): the waiting states
  for (int64_t j = 1;; ++j) {
    if (j > kMaxQueueStates) return TooLong();
    const double log_ratio = p.LogRatio(j);
    lq += log_ratio;
    z = LogAddExp(z, lq);
    log_queue = LogAddExp(log_queue, lq);
    if (log_ratio < 0.0) {
      const double log_tail = lq + log_ratio - std::log1p(-std::exp(log_ratio));
      // Small against the waiting states, not only against the whole chain: the measures of
      // waiting contacts (abandonment, waits) are sums over them alone, and at light load
      // they are a tiny part of the whole (a tail cut at 1e-18 of the total dropped 1.7% of
      // P(abandon) when it was 1e-35).
      if (log_tail < log_queue + kLogTailTolerance) {
        *log_z = z;
        *last = j;
        return absl::OkStatus();
      }
    }
  }
}

// Running sum of NB_b(0..i-1) = 1 - I_x(i, b) as i grows by one per call, with b = rate / theta
// and x = 1 - exp(-theta t). It is given the rate (b theta: n mu, or n mu + theta), never b
// itself: b = n mu / theta overflows to infinity for a patience near DBL_MAX (1e308 s with 14
// agents of 1 s), and infinity / infinity made the service level NaN. The terms need only
// b x = rate t * x / (theta t), which stays finite (it tends to rate t, the Poisson limit).
class NegativeBinomialCdf {
 public:
  NegativeBinomialCdf(double rate, double theta_t, double target, double x)
      : b_x_(rate * target * (theta_t > 0.0 ? x / theta_t : 1.0)),
        x_(x),
        log_term_(-rate * target) {}
  // Adds NB_b(j) for the next j and returns I_x(j + 1, b), clamped at 0.
  double NextUpperIncompleteBeta() {
    if (j_ > 0 && log_term_ > -INFINITY) {  // a term that underflowed stays 0 (no inf - inf)
      // NB_b(j) / NB_b(j - 1) = (b + j - 1) x / j.
      const double j = static_cast<double>(j_);
      log_term_ += std::log((b_x_ + (j - 1.0) * x_) / j);
    }
    ++j_;
    cdf_ += std::exp(log_term_);
    return cdf_ >= 1.0 ? 0.0 : 1.0 - cdf_;
  }

 private:
  double b_x_;
  double x_;
  double log_term_;
  double cdf_ = 0.0;
  int64_t j_ = 0;
};

}  // namespace

absl::StatusOr<ErlangAResult> ErlangA(const QueueingInput& in) {
  if (absl::Status s = in.Validate(/*need_patience=*/true); !s.ok()) return s;
  const int n = in.agents;
  const double a = in.OfferedLoad();
  const ChainParams p{in.arrival_rate, n / in.handle_time, 1.0 / in.patience};
  double log_z = 0.0;
  int64_t last = 0;
  if (absl::Status s = Normalize(p, LogInverseErlangB(a, n), &log_z, &last); !s.ok()) return s;

  // c = n mu / theta is not formed: it overflows for a patience near DBL_MAX. Its ratios are
  // written with rates instead (c / (c + i) = n mu / (n mu + i theta)).
  const double theta_t = p.theta * in.target;
  const double survive_t = std::exp(-theta_t);  // P(patience > T)
  const double x = -std::expm1(-theta_t);
  NegativeBinomialCdf served_cdf(p.n_mu + p.theta, theta_t, in.target, x);  // b = c + 1
  NegativeBinomialCdf offered_cdf(p.n_mu, theta_t, in.target, x);           // b = c

  double p_wait = 0.0, queue = 0.0, served_within = 0.0, served_wait = 0.0;
  double served_after_wait = 0.0, abandoned_within = 0.0, lq = 0.0;
  double harmonic = 0.0;  // sum_{m=1..i} 1 / (n mu + m theta), seconds
  // A caller at position i passes stages i, i-1, ..., each ended at rate n mu + m theta whatever
  // ends it; it reaches stage m with probability (n mu + m theta) / (n mu + i theta) and then
  // abandons with probability m theta / (n mu + m theta). So E[wait; abandons | i] =
  // sum_{m<=i} m theta / (n mu + m theta), over n mu + i theta: a sum of positive terms, where
  // (mean wait - served wait) / p_abandon cancelled to 0 when nearly nobody abandons.
  double abandon_stages = 0.0;               // sum_{m=1..i} m theta / (n mu + m theta)
  double abandoned_wait = 0.0;               // E[wait; abandons], seconds
  for (int64_t i = 1; i <= last + 1; ++i) {  // queue position i = contacts waiting + 1
    if (i > 1) lq += p.LogRatio(i - 1);
    const double pi = std::exp(lq - log_z);
    const double di = static_cast<double>(i);
    const double i_served = served_cdf.NextUpperIncompleteBeta();    // I_x(i, c + 1)
    const double i_offered = offered_cdf.NextUpperIncompleteBeta();  // I_x(i, c)
    const double p_served = p.n_mu / (p.n_mu + di * p.theta);  // c / (c + i)
    harmonic += 1.0 / (p.n_mu + di * p.theta);                  // sum 1 / (c + m), over theta
    p_wait += pi;
    queue += (di - 1.0) * pi;
    served_within += pi * p_served * i_served;
    served_after_wait += pi * p_served;
    served_wait += pi * p_served * harmonic;
    const double p_abandons = di * p.theta / (p.n_mu + di * p.theta);  // 1 - c / (c + i)
    abandon_stages += p_abandons;
    abandoned_wait += pi * abandon_stages / (p.n_mu + di * p.theta);
    const double waited_at_most_t = 1.0 - (1.0 - i_offered) * survive_t;
    abandoned_within += pi * std::max(0.0, waited_at_most_t - p_served * i_served);
  }

  ErlangAResult r;
  r.offered_load = a;
  r.p_wait = std::min(1.0, p_wait);
  r.mean_queue_length = queue;
  r.mean_wait = queue / in.arrival_rate;  // Little's law over all arrivals
  r.p_abandon = std::min(1.0, p.theta * queue / in.arrival_rate);  // abandon rate / arrival rate
  const double p_answered = (1.0 - r.p_wait) + served_after_wait;
  r.asa = p_answered > 0.0 ? served_wait / p_answered : 0.0;
  r.mean_wait_of_abandoned = r.p_abandon > 0.0 ? abandoned_wait / r.p_abandon : 0.0;
  r.service_level = (1.0 - r.p_wait) + served_within;
  r.service_level_of_answered = p_answered > 0.0 ? r.service_level / p_answered : 0.0;
  r.p_abandon_within_target = abandoned_within;
  r.service_level_excluding_early_abandons =
      abandoned_within < 1.0 ? r.service_level / (1.0 - abandoned_within) : 0.0;
  r.occupancy = (1.0 - r.p_abandon) * a / n;
  return r;
}

}  // namespace switchboard
