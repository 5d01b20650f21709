// Queueing formulas for staffing a contact center: Erlang B (M/M/n/n), Erlang C (M/M/n) and
// Erlang A (M/M/n+M, exponential patience; Garnett, Mandelbaum & Reiman 2002), plus staffing:
// the fewest agents that meet a service-level, ASA or abandonment target.
//
// Units: rates per second, times in seconds. Everything is exact (no approximations) and stable
// for thousands of agents: Erlang B by its recursion, never factorials; Erlang A by the exact
// birth-death chain, summed until the remaining tail is below e^-41 (about 1.6e-18) of the
// waiting states' part.
//
// Thread-safety: pure functions of their arguments; safe to call concurrently.
//
//   switchboard::QueueingInput in;
//   in.arrival_rate = 100.0 / 1800.0;  // 100 calls per 30 minutes
//   in.handle_time = 180.0;            // AHT 3 minutes
//   in.agents = 14;
//   in.target = 20.0;                  // service level: answered within 20 s
//   absl::StatusOr<switchboard::ErlangCResult> c = switchboard::ErlangC(in);
//   // c->p_wait, c->asa, c->service_level, c->occupancy
//   in.patience = 120.0;               // mean patience 2 minutes -> Erlang A
//   absl::StatusOr<switchboard::ErlangAResult> a = switchboard::ErlangA(in);
//   absl::StatusOr<int> n = switchboard::RequiredAgents(
//       switchboard::QueueModel::kErlangC, in, {switchboard::StaffingGoal::kServiceLevel, 0.8});
#ifndef SWITCHBOARD_ERLANG_H_
#define SWITCHBOARD_ERLANG_H_

#include <limits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "switchboard/export.h"

namespace switchboard {

// The inputs of every formula. Fields a formula does not use are not validated by it (Erlang C
// ignores `patience`; Erlang B uses only the load and `agents`).
struct QueueingInput {
  // Mean arrival rate in contacts per second (Poisson arrivals). > 0 and finite.
  double arrival_rate = 0.0;
  // Mean handle time in seconds (talk + hold + wrap; exponential service). > 0 and finite.
  double handle_time = 0.0;
  // Number of agents. > 0. Ignored by RequiredAgents(), which searches for it.
  int agents = 0;
  // Service-level threshold T in seconds ("answered within T"). >= 0 and finite. Default: 20.
  double target = 20.0;
  // Mean patience in seconds (exponential time to abandon). Erlang A only: > 0 and finite.
  // Default: infinity (no abandonment), which Erlang A rejects: use Erlang C for it.
  double patience = std::numeric_limits<double>::infinity();

  // Offered load in Erlangs: arrival_rate * handle_time.
  double OfferedLoad() const { return arrival_rate * handle_time; }

  // InvalidArgument naming the field ("queueing.arrival_rate", ...) when a field used by the
  // formulas is out of range or NaN. `need_patience` checks `patience` too (Erlang A).
  SWITCHBOARD_EXPORT absl::Status Validate(bool need_patience = false) const;
};

// Erlang B: the probability that an arrival finds all `agents` busy in a loss system offered
// `offered_load` Erlangs (M/M/n/n). InvalidArgument if offered_load <= 0, NaN or infinite, or
// agents <= 0.
SWITCHBOARD_EXPORT absl::StatusOr<double> ErlangB(double offered_load, int agents);

// Erlang C probability of waiting, P(W > 0), for `offered_load` Erlangs on `agents` agents
// (M/M/n, infinite patience). InvalidArgument as ErlangB(), and when offered_load >= agents (the
// queue grows without bound).
SWITCHBOARD_EXPORT absl::StatusOr<double> ErlangCWaitProbability(double offered_load, int agents);

// Steady-state measures of M/M/n (Erlang C). Nobody abandons, so every contact is answered.
struct ErlangCResult {
  double offered_load = 0.0;  // a = arrival_rate * handle_time, Erlangs
  double p_wait = 0.0;        // P(W > 0): the Erlang C formula
  // Average speed of answer: mean wait in queue over all contacts (those answered at once count
  // as 0), seconds. C * handle_time / (agents - a).
  double asa = 0.0;
  // Mean wait of the contacts that do wait, seconds: handle_time / (agents - a).
  double mean_wait_of_waiting = 0.0;
  // Service level: fraction of contacts answered within `target` seconds,
  // P(W <= T) = 1 - C * exp(-(agents - a) * T / handle_time). There are no abandoners, so every
  // service-level definition gives this same number.
  double service_level = 0.0;
  double occupancy = 0.0;          // a / agents: fraction of agent time busy
  double mean_queue_length = 0.0;  // Lq = arrival_rate * asa
};

// Erlang C measures for `in` (patience is ignored). InvalidArgument for a bad field, and for
// arrival_rate * handle_time >= agents (message names "queueing.agents" and the load).
SWITCHBOARD_EXPORT absl::StatusOr<ErlangCResult> ErlangC(const QueueingInput& in);

// The q-quantile of the Erlang C wait in queue over all contacts, seconds: the smallest t with
// P(W <= t) >= q. 0 when q <= 1 - P(W > 0). InvalidArgument as ErlangC() and when q is not in
// [0, 1).
SWITCHBOARD_EXPORT absl::StatusOr<double> ErlangCWaitPercentile(const QueueingInput& in,
                                                                double q);

// Steady-state measures of M/M/n+M (Erlang A): Poisson arrivals, exponential service and
// exponential patience; a contact abandons when its patience runs out before an agent answers.
// Probabilities are over all offered contacts unless the name says otherwise.
struct ErlangAResult {
  double offered_load = 0.0;  // a = arrival_rate * handle_time, Erlangs
  double p_wait = 0.0;        // P(W > 0): an arrival finds every agent busy
  double p_abandon = 0.0;     // P(Ab): fraction of offered contacts that abandon
  // Average speed of answer: mean wait of the answered contacts only, seconds (industry ASA:
  // total wait of answered contacts / answered contacts).
  double asa = 0.0;
  // Mean wait over all offered contacts, answered and abandoned (GMR's E[W] = E[Q] / arrival
  // rate = P(Ab) * patience), seconds.
  double mean_wait = 0.0;
  // Mean time abandoners waited before hanging up, seconds (0 when nobody abandons).
  double mean_wait_of_abandoned = 0.0;
  // Service level, "answered within T over all offered": answered with wait <= target divided
  // by all offered contacts; abandoners (however soon) count as misses. The strictest
  // definition, and the one the staffing functions use.
  double service_level = 0.0;
  // Answered within T over answered contacts (abandoners left out of numerator and denominator).
  double service_level_of_answered = 0.0;
  // Answered within T over offered minus those that abandoned within T (abandons before the
  // threshold are excluded, later abandons count as misses).
  double service_level_excluding_early_abandons = 0.0;
  double p_abandon_within_target = 0.0;  // fraction of offered contacts abandoning within T
  // (1 - P(Ab)) * a / agents: fraction of agent time busy (abandoners take no agent time).
  double occupancy = 0.0;
  double mean_queue_length = 0.0;  // E[number waiting]
};

// Erlang A measures for `in`. InvalidArgument for a bad field (patience must be > 0 and finite;
// for infinite patience use ErlangC()). Overload (a >= agents) is fine: abandonment keeps the
// queue stable. ResourceExhausted if the chain would need more than 20 million states (patience
// so long relative to the handle time that the model is Erlang C in all but name).
SWITCHBOARD_EXPORT absl::StatusOr<ErlangAResult> ErlangA(const QueueingInput& in);

enum class QueueModel {
  kErlangC,  // M/M/n: no abandonment
  kErlangA,  // M/M/n+M: exponential patience, QueueingInput::patience
};

enum class StaffingGoal {
  kServiceLevel,  // service_level (answered within QueueingInput::target over offered) >= value
  kAsa,           // asa (seconds) <= value
  kAbandonment,   // p_abandon <= value; Erlang A only (Erlang C never abandons)
};

struct StaffingTarget {
  StaffingGoal goal = StaffingGoal::kServiceLevel;
  // kServiceLevel: fraction in (0, 1). kAsa: seconds, > 0 and finite. kAbandonment: fraction in
  // (0, 1).
  double value = 0.8;
};

// The fewest agents that meet `target` under `model` for the traffic in `in` (`in.agents` is
// ignored). For Erlang C the answer is always more than the offered load. Every measure used is
// monotone in the number of agents, so N meets the target and N - 1 does not.
// InvalidArgument for a bad field or target (kAbandonment with kErlangC, a fraction outside
// (0, 1), a non-positive or infinite ASA); ResourceExhausted if more than `max_agents` would be
// needed.
SWITCHBOARD_EXPORT absl::StatusOr<int> RequiredAgents(QueueModel model, const QueueingInput& in,
                                                      const StaffingTarget& target,
                                                      int max_agents = 1'000'000);

}  // namespace switchboard

#endif  // SWITCHBOARD_ERLANG_H_
