// RequiredAgents(): the fewest agents meeting a target, by exponential then binary search.
//
// Every measure targeted here (service level, ASA, abandonment) improves monotonically with more
// agents, for Erlang C and Erlang A alike, so the smallest N that meets the target is the first
// point where a monotone predicate turns true; O(log N) evaluations of O(N) each.
#include <algorithm>
#include <cmath>

#include "src/internal/str_cat.h"
#include "switchboard/erlang.h"

namespace switchboard {
namespace {

absl::Status ValidateTarget(QueueModel model, const StaffingTarget& target) {
  switch (target.goal) {
    case StaffingGoal::kServiceLevel:
      if (!(target.value > 0.0) || !(target.value < 1.0)) {
        return absl::InvalidArgumentError(internal::StrCat(
            "staffing.value is ", target.value,
            ": a service-level target is a fraction in (0, 1) (1 is never met exactly)"));
      }
      return absl::OkStatus();
    case StaffingGoal::kAsa:
      if (!(target.value > 0.0) || !std::isfinite(target.value)) {
        return absl::InvalidArgumentError(internal::StrCat(
            "staffing.value is ", target.value, ": an ASA target is positive, finite seconds"));
      }
      return absl::OkStatus();
    case StaffingGoal::kAbandonment:
      if (model == QueueModel::kErlangC) {
        return absl::InvalidArgumentError(
            "staffing.goal is an abandonment target, but Erlang C has no abandonment; use "
            "QueueModel::kErlangA with a patience");
      }
      if (!(target.value > 0.0) || !(target.value < 1.0)) {
        return absl::InvalidArgumentError(internal::StrCat(
            "staffing.value is ", target.value,
            ": an abandonment target is a fraction in (0, 1)"));
      }
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError("staffing.goal is not a known StaffingGoal");
}

// Whether `agents` meet the target. Erlang A's chain-size limit (ResourceExhausted) is only hit
// with a queue of millions of contacts, hopelessly understaffed, so it counts as a miss.
absl::StatusOr<bool> Meets(QueueModel model, QueueingInput in, int agents,
                           const StaffingTarget& target) {
  in.agents = agents;
  double sl = 0.0, asa = 0.0, abandon = 0.0;
  if (model == QueueModel::kErlangC) {
    absl::StatusOr<ErlangCResult> r = ErlangC(in);
    if (!r.ok()) return false;  // unstable (load >= agents): not enough agents
    sl = r->service_level;
    asa = r->asa;
  } else {
    absl::StatusOr<ErlangAResult> r = ErlangA(in);
    if (absl::IsResourceExhausted(r.status())) return false;
    if (!r.ok()) return r.status();
    sl = r->service_level;
    asa = r->asa;
    abandon = r->p_abandon;
  }
  switch (target.goal) {
    case StaffingGoal::kServiceLevel: return sl >= target.value;
    case StaffingGoal::kAsa: return asa <= target.value;
    case StaffingGoal::kAbandonment: return abandon <= target.value;
  }
  return false;
}

}  // namespace

absl::StatusOr<int> RequiredAgents(QueueModel model, const QueueingInput& in,
                                   const StaffingTarget& target, int max_agents) {
  if (max_agents <= 0) {
    return absl::InvalidArgumentError(
        internal::StrCat("staffing.max_agents is ", max_agents, ", it must be at least 1"));
  }
  QueueingInput checked = in;
  checked.agents = 1;  // searched for, so any value the caller left there is fine
  if (absl::Status s = checked.Validate(model == QueueModel::kErlangA); !s.ok()) return s;
  if (absl::Status s = ValidateTarget(model, target); !s.ok()) return s;

  // Erlang C needs more agents than the load; Erlang A can be stable with any number.
  const double load = in.OfferedLoad();
  int lo = 1;  // invariant after the first probe: lo - 1 agents fail (or lo == 1)
  if (model == QueueModel::kErlangC) {
    if (load >= max_agents) {
      return absl::ResourceExhaustedError(internal::StrCat(
          "staffing needs more than staffing.max_agents = ", max_agents, " agents for ", load,
          " Erlangs"));
    }
    lo = static_cast<int>(std::floor(load)) + 1;
  }
  // Exponential search for an `hi` that meets the target. Erlang A starts its first probe at
  // the load (where Erlang C would start) and grows in steps of about sqrt(load), the scale of
  // the safety staffing; the binary search below goes lower if the load already meets it.
  int hi = lo;
  int step = 1;
  if (model == QueueModel::kErlangA) {
    hi = static_cast<int>(std::clamp(std::floor(load), 1.0, static_cast<double>(max_agents)));
    // Capped before the conversion: a finite load may be 1e20 Erlangs, whose root does not fit
    // in an int (converting it was undefined behaviour, even though the step went unused then).
    step = static_cast<int>(std::min(std::ceil(std::sqrt(load)), static_cast<double>(max_agents)));
  }
  while (true) {
    absl::StatusOr<bool> ok = Meets(model, in, hi, target);
    if (!ok.ok()) return ok.status();
    if (*ok) break;
    lo = hi + 1;
    if (hi >= max_agents) {
      return absl::ResourceExhaustedError(internal::StrCat(
          "staffing needs more than staffing.max_agents = ", max_agents,
          " agents to meet the target"));
    }
    hi = static_cast<int>(std::min<long long>(max_agents, static_cast<long long>(hi) + step));
    step = step > (1 << 29) ? step : step * 2;
  }
  // Binary search in [lo, hi]: hi meets, lo - 1 does not.
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    absl::StatusOr<bool> ok = Meets(model, in, mid, target);
    if (!ok.ok()) return ok.status();
    if (*ok) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return hi;
}

}  // namespace switchboard
