// The discrete-event simulator: runs a Scenario through a real switchboard::Router (and, when
// the scenario's returning customers have journeys on, a real JourneyMerger) on a ManualClock,
// and measures what happened.
//
// One run: an event calendar (see event_calendar.h) holds arrivals, answers, completions,
// patience expiries, shift changes and the router's timers (offer expiry, wrap-up end, queue
// delays). For each event the simulator advances the clock to it and calls the router; the
// router's listener tells it about offers (answered, declined or missed with the agent group's
// probabilities), acceptances (service starts; completion scheduled after the service time)
// and agent state changes. All randomness comes from seeded streams per purpose (random.h), so
// two strategies on the same scenario and seed see identical traffic.
//
// Thread-safety: RunScenario and RunExperiment are re-entrant (each run owns its router,
// clock and streams); the progress callback is called on the calling thread.
//
//   absl::StatusOr<sim::Scenario> scenario = sim::LoadScenarioFile("mmn.textproto");
//   sim::ExperimentOptions options;
//   options.strategies = {"longest-idle", "best-skill"};
//   options.replications = 10;
//   absl::StatusOr<sim::Experiment> e = sim::RunExperiment(*scenario, options);
//   for (const sim::StrategyResult& s : e->strategies) {
//     sim::KpiEstimate sl = s.Estimate(&sim::Kpis::service_level);  // mean +- 95% half-width
//   }
#ifndef SWITCHBOARD_SIM_SIMULATOR_H_
#define SWITCHBOARD_SIM_SIMULATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "switchboard/export.h"
#include "switchboard/router.h"
#include "switchboard/sim/kpi.h"
#include "switchboard/sim/scenario.h"

namespace switchboard::sim {

// After duration_s a run goes on while contacts remain open, at most this long (two days).
inline constexpr double kDrainLimitS = 2 * 86400.0;

// What one run (one strategy, one seed) measured.
struct RunResult {
  std::string strategy;
  std::uint64_t seed = 0;
  double interval_s = 0;
  std::vector<std::string> queue_ids;      // in scenario order
  KpiCounters overall;
  std::vector<KpiCounters> per_queue;      // parallel to queue_ids
  std::vector<KpiCounters> per_interval;   // by arrival interval; Scenario::IntervalCount()
  // Every contact the run simulated, warm-up and returns included.
  std::int64_t contacts_simulated = 0;
  std::int64_t routing_decisions = 0;  // offers made by the router, warm-up included
  std::int64_t events = 0;             // calendar events processed
  std::int64_t router_calls = 0;       // calls into the router
  double simulated_s = 0;              // simulated time from start to the last event
  bool journeys = false;               // a JourneyMerger gave returning contacts their context
  std::int64_t journey_events = 0;     // touchpoints the JourneyMerger ingested
  // Trace records arriving at or after duration_s: not replayed (arrivals stop at duration_s).
  std::int64_t trace_records_skipped = 0;
  // Contacts still waiting or in service when the run stopped, kDrainLimitS after duration_s
  // (e.g. every agent that fits them declined them). They count as offered, with no outcome.
  std::int64_t contacts_unfinished = 0;
};

struct RunOptions {
  std::string strategy = "longest-idle";
  std::uint64_t seed = 1;
  // Called now and then with the fraction of the arrival horizon simulated, in [0, 1].
  std::function<void(double)> progress;
  // The router's selection implementation. Both choose the same agents and contacts, so results
  // are identical; kLinearScan exists to measure the indexes against a baseline in one run.
  SelectionMode selection = SelectionMode::kIndexed;
};

// Runs `scenario` once. InvalidArgument when the scenario does not validate or the router
// rejects its configuration (an unknown strategy name is NotFound or InvalidArgument, as the
// router's strategy registry reports it); Internal when a router or journey-merger call fails
// during the run (the message says when and which).
SWITCHBOARD_EXPORT absl::StatusOr<RunResult> RunScenario(const Scenario& scenario,
                                                         const RunOptions& options);

// A KPI over independent replications: the mean and the 95% confidence half-width (Student t).
struct KpiEstimate {
  double mean = 0;
  double half_width = 0;  // 0 with a single replication
  int n = 0;
};

struct StrategyResult {
  std::string strategy;
  std::vector<RunResult> replications;

  // The KPI `field` of the overall counters of each replication, summarized.
  SWITCHBOARD_EXPORT KpiEstimate Estimate(double Kpis::*field) const;
  SWITCHBOARD_EXPORT KpiEstimate EstimateQueue(size_t queue, double Kpis::*field) const;
  SWITCHBOARD_EXPORT KpiEstimate EstimateInterval(size_t interval, double Kpis::*field) const;
};

// The KPI `field` of `a` minus that of `b`, replication by replication (both must come from the
// same experiment, so replication r of each saw the same traffic), with the 95% confidence
// half-width of the mean difference. Pairing removes the traffic's variance: a difference whose
// interval excludes 0 is due to the strategies. n = 0 when the replication counts differ.
SWITCHBOARD_EXPORT KpiEstimate EstimateDifference(const StrategyResult& a, const StrategyResult& b,
                                                  double Kpis::*field);

struct ExperimentOptions {
  std::vector<std::string> strategies;  // empty = the scenario's
  int replications = 0;                 // 0 = the scenario's
  std::uint64_t seed = 0;               // 0 = the scenario's
  // Called as the runs progress with (runs done, fractional; runs in total): at least once per
  // run and about every 1% of a run's arrival horizon.
  std::function<void(double, int)> progress;
};

struct Experiment {
  std::string scenario_name;
  std::uint64_t seed = 0;
  int replications = 0;
  double interval_s = 0;
  std::vector<std::string> queue_ids;
  std::vector<StrategyResult> strategies;
};

// Every strategy, `replications` times each. Replication r of every strategy uses the seed
// DeriveSeed(seed, kReplication, r), so the strategies are compared on identical traffic and
// the replications are independent. Errors as RunScenario.
SWITCHBOARD_EXPORT absl::StatusOr<Experiment> RunExperiment(const Scenario& scenario,
                                                            const ExperimentOptions& options);

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_SIMULATOR_H_
