// Presenting an Experiment: a plain-text KPI table per strategy, JSON for machines, and a
// self-contained HTML report with inline SVG charts (service level, queue length and occupancy
// over the day, and the strategies side by side). No external assets, scripts or fonts.
//
// Thread-safety: pure functions.
//
//   absl::StatusOr<sim::Experiment> e = sim::RunExperiment(scenario, options);
//   std::fputs(sim::FormatKpiTables(*e).c_str(), stdout);
//   std::ofstream("out.html") << sim::RenderHtmlReport(*e, scenario);
#ifndef SWITCHBOARD_SIM_REPORT_H_
#define SWITCHBOARD_SIM_REPORT_H_

#include <string>

#include "switchboard/export.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"

namespace switchboard::sim {

// For each strategy, one row per queue and one overall: offered, SL, ASA, abandonment, wait of
// abandoners, occupancy, AHT, transfers, FCR, resolved, repeats, each "mean ±half-width" over
// the replications; then a comparison of the strategies on the overall KPIs and their paired
// differences against the first strategy.
SWITCHBOARD_EXPORT std::string FormatKpiTables(const Experiment& experiment);

// {"scenario", "seed", "replications", "interval_s", "strategies": [{"strategy", "overall":
// {kpi: {"mean", "half_width"}}, "queues": {id: {...}}, "intervals": [{"start_s", kpi: mean}],
// "contacts_simulated", "routing_decisions"}]}. KPI keys are those of kKpiFields.
SWITCHBOARD_EXPORT std::string ExperimentToJson(const Experiment& experiment);

// The whole report as one HTML document.
SWITCHBOARD_EXPORT std::string RenderHtmlReport(const Experiment& experiment,
                                                const Scenario& scenario);

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_REPORT_H_
