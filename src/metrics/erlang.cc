// Erlang B and Erlang C, and the validation of QueueingInput.
#include "switchboard/erlang.h"

#include <cmath>
#include <limits>

#include "src/internal/str_cat.h"
#include "src/metrics/erlang_internal.h"

namespace switchboard {
namespace {

// `!(x > 0)` also rejects NaN.
absl::Status CheckPositiveFinite(double x, const char* field) {
  if (!(x > 0.0) || !std::isfinite(x)) {
    return absl::InvalidArgumentError(
        internal::StrCat("queueing.", field, " is ", x, ", it must be positive and finite"));
  }
  return absl::OkStatus();
}

absl::Status CheckLoadAndAgents(double offered_load, int agents) {
  if (!(offered_load > 0.0) || !std::isfinite(offered_load)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queueing.offered_load is ", offered_load, " Erlangs, it must be positive and finite"));
  }
  if (agents <= 0) {
    return absl::InvalidArgumentError(
        internal::StrCat("queueing.agents is ", agents, ", it must be at least 1"));
  }
  return absl::OkStatus();
}

absl::Status CheckStable(double offered_load, int agents) {
  if (offered_load >= agents) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queueing.agents is ", agents, " for an offered load of ", offered_load,
        " Erlangs: Erlang C needs more agents than the load (the queue would grow without "
        "bound); add agents or use Erlang A"));
  }
  return absl::OkStatus();
}

// The classic recursion B(a, k) = a B(a, k-1) / (k + a B(a, k-1)), B(a, 0) = 1. Every term is a
// probability, so nothing overflows. B only falls below the smallest normal double when k > a,
// and from there it falls with every further agent, so that is where the loop stops and
// returns 0. Waiting for the recursion to reach 0 itself does not work: in subnormals a B / k
// rounds back up to the smallest one while k < 2a, so ErlangB(1e5, 150000) returned 4.9e-324
// (the exact value is about 1e-4702) and ErlangB(1e7, 3e7) took a second.
double ErlangBUnchecked(double a, int n) {
  double b = 1.0;
  for (int k = 1; k <= n; ++k) {
    b = a * b / (k + a * b);
    if (b < std::numeric_limits<double>::min()) return 0.0;
  }
  return b;
}

// C = B / (1 - rho (1 - B)) with rho = a / n (the B->C relation), which needs no factorials.
double ErlangCUnchecked(double a, int n) {
  const double b = ErlangBUnchecked(a, n);
  return b / (1.0 - (a / n) * (1.0 - b));
}

}  // namespace

absl::Status QueueingInput::Validate(bool need_patience) const {
  if (absl::Status s = CheckPositiveFinite(arrival_rate, "arrival_rate"); !s.ok()) return s;
  if (absl::Status s = CheckPositiveFinite(handle_time, "handle_time"); !s.ok()) return s;
  if (agents <= 0) {
    return absl::InvalidArgumentError(
        internal::StrCat("queueing.agents is ", agents, ", it must be at least 1"));
  }
  if (!(target >= 0.0) || !std::isfinite(target)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queueing.target is ", target, " seconds, it must be zero or positive and finite"));
  }
  if (need_patience) {
    if (std::isinf(patience) && patience > 0) {
      return absl::InvalidArgumentError(
          "queueing.patience is infinite: Erlang A needs a finite mean patience; use Erlang C "
          "for callers who never abandon");
    }
    if (absl::Status s = CheckPositiveFinite(patience, "patience"); !s.ok()) return s;
  }
  if (!std::isfinite(OfferedLoad()) || !(OfferedLoad() > 0.0)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queueing.arrival_rate * queueing.handle_time (", arrival_rate, " * ", handle_time,
        ") overflows or underflows; rescale the time unit"));
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ErlangB(double offered_load, int agents) {
  if (absl::Status s = CheckLoadAndAgents(offered_load, agents); !s.ok()) return s;
  return ErlangBUnchecked(offered_load, agents);
}

absl::StatusOr<double> ErlangCWaitProbability(double offered_load, int agents) {
  if (absl::Status s = CheckLoadAndAgents(offered_load, agents); !s.ok()) return s;
  if (absl::Status s = CheckStable(offered_load, agents); !s.ok()) return s;
  return ErlangCUnchecked(offered_load, agents);
}

absl::StatusOr<ErlangCResult> ErlangC(const QueueingInput& in) {
  if (absl::Status s = in.Validate(); !s.ok()) return s;
  const double a = in.OfferedLoad();
  const int n = in.agents;
  if (absl::Status s = CheckStable(a, n); !s.ok()) return s;
  ErlangCResult r;
  r.offered_load = a;
  r.p_wait = ErlangCUnchecked(a, n);
  // Given that it waits, a contact's wait is exponential with rate (n - a) / handle_time: the
  // queue drains at n service completions per handle time while arrivals add a.
  const double drain_rate = (n - a) / in.handle_time;
  r.mean_wait_of_waiting = 1.0 / drain_rate;
  r.asa = r.p_wait / drain_rate;
  r.service_level = 1.0 - r.p_wait * std::exp(-drain_rate * in.target);
  r.occupancy = a / n;
  r.mean_queue_length = in.arrival_rate * r.asa;
  return r;
}

absl::StatusOr<double> ErlangCWaitPercentile(const QueueingInput& in, double q) {
  if (!(q >= 0.0) || q >= 1.0) {
    return absl::InvalidArgumentError(
        internal::StrCat("quantile is ", q, ", it must be in [0, 1)"));
  }
  absl::StatusOr<ErlangCResult> c = ErlangC(in);
  if (!c.ok()) return c.status();
  // P(W > t) = C exp(-drain t), so the q-quantile solves C exp(-drain t) = 1 - q.
  if (c->p_wait <= 1.0 - q) return 0.0;
  return c->mean_wait_of_waiting * std::log(c->p_wait / (1.0 - q));
}

}  // namespace switchboard
