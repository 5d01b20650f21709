// Replications and strategies: RunExperiment and the confidence intervals over replications.
#include <vector>

#include "src/internal/status_macros.h"
#include "switchboard/metrics.h"
#include "switchboard/sim/random.h"
#include "switchboard/sim/simulator.h"

namespace switchboard::sim {
namespace {

KpiEstimate Summarize(const std::vector<double>& values) {
  KpiEstimate e;
  e.n = static_cast<int>(values.size());
  if (values.empty()) return e;
  if (values.size() == 1) {
    e.mean = values[0];
    return e;
  }
  absl::StatusOr<ConfidenceInterval> ci = MeanConfidenceInterval(values);
  if (!ci.ok()) {  // a non-finite value: report the plain mean without an interval
    double sum = 0;
    for (double v : values) sum += v;
    e.mean = sum / static_cast<double>(values.size());
    return e;
  }
  e.mean = ci->mean;
  e.half_width = ci->half_width;
  return e;
}

template <typename CountersOf>
KpiEstimate EstimateOver(const std::vector<RunResult>& runs, double Kpis::*field,
                         CountersOf counters_of) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const RunResult& r : runs) {
    const KpiCounters* c = counters_of(r);
    if (c != nullptr) values.push_back(ComputeKpis(*c).*field);
  }
  return Summarize(values);
}

}  // namespace

KpiEstimate StrategyResult::Estimate(double Kpis::*field) const {
  return EstimateOver(replications, field, [](const RunResult& r) { return &r.overall; });
}

KpiEstimate StrategyResult::EstimateQueue(size_t queue, double Kpis::*field) const {
  return EstimateOver(replications, field, [queue](const RunResult& r) {
    return queue < r.per_queue.size() ? &r.per_queue[queue] : nullptr;
  });
}

KpiEstimate StrategyResult::EstimateInterval(size_t interval, double Kpis::*field) const {
  return EstimateOver(replications, field, [interval](const RunResult& r) {
    return interval < r.per_interval.size() ? &r.per_interval[interval] : nullptr;
  });
}

KpiEstimate EstimateDifference(const StrategyResult& a, const StrategyResult& b,
                               double Kpis::*field) {
  if (a.replications.size() != b.replications.size()) return {};
  std::vector<double> differences;
  for (size_t r = 0; r < a.replications.size(); ++r) {
    differences.push_back(ComputeKpis(a.replications[r].overall).*field -
                          ComputeKpis(b.replications[r].overall).*field);
  }
  return Summarize(differences);
}

absl::StatusOr<Experiment> RunExperiment(const Scenario& scenario,
                                         const ExperimentOptions& options) {
  SB_RETURN_IF_ERROR(scenario.Validate());
  Experiment e;
  e.scenario_name = scenario.name;
  e.seed = options.seed != 0 ? options.seed : scenario.seed;
  e.replications = options.replications > 0 ? options.replications : scenario.replications;
  e.interval_s = scenario.interval_s;
  for (const Queue& q : scenario.queues) e.queue_ids.push_back(q.id.value());
  const std::vector<std::string>& names =
      options.strategies.empty() ? scenario.strategies : options.strategies;
  // Every name before any run: a bad one must not wait for the strategies before it.
  for (const std::string& name : names) SB_RETURN_IF_ERROR(CheckStrategyName(name));
  const int total = static_cast<int>(names.size()) * e.replications;
  int done = 0;
  for (const std::string& name : names) {
    StrategyResult s;
    s.strategy = name;
    for (int r = 0; r < e.replications; ++r) {
      RunOptions run;
      run.strategy = name;
      // The replication's seed does not depend on the strategy: common random numbers.
      run.seed = DeriveSeed(e.seed, StreamId::kReplication, static_cast<std::uint64_t>(r));
      if (options.progress) {
        run.progress = [&options, done, total](double fraction) {
          options.progress(done + fraction, total);
        };
      }
      SB_ASSIGN_OR_RETURN(RunResult result, RunScenario(scenario, run));
      s.replications.push_back(std::move(result));
      ++done;
    }
    e.strategies.push_back(std::move(s));
  }
  return e;
}

}  // namespace switchboard::sim
