// Private: the KPI tables shared by the text and HTML reports.
//
// Thread-safety: pure functions.
#ifndef SWITCHBOARD_SRC_SIM_REPORT_TABLES_H_
#define SWITCHBOARD_SRC_SIM_REPORT_TABLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sim/kpi.h"
#include "switchboard/sim/simulator.h"

namespace switchboard::sim::internal_sim {

using Rows = std::vector<std::vector<std::string>>;

// The columns of the per-queue tables.
inline constexpr std::string_view kTableKeys[] = {"offered", "service_level", "asa_s",
                                           "abandonment_rate", "avg_abandon_wait_s", "occupancy",
                                           "aht_s", "transfers", "fcr", "resolution_rate",
                                           "repeat_contacts"};

// The entry of kKpiFields with this JSON key (the first entry if none).
const KpiField& FieldOf(std::string_view key);
// "87.4%" or "9.7"; with the half-width when there are several replications.
std::string FormatValue(const KpiField& f, double v);
std::string FormatEstimate(const KpiField& f, const KpiEstimate& e);
// A header row, one row per queue and an "overall" row for one strategy.
Rows StrategyRows(const Experiment& e, const StrategyResult& s);
// Each strategy against the first, paired replication by replication (identical traffic).
Rows DifferenceRows(const Experiment& e);

}  // namespace switchboard::sim::internal_sim

#endif  // SWITCHBOARD_SRC_SIM_REPORT_TABLES_H_
