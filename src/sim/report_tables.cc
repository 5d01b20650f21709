#include "src/sim/report_tables.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace switchboard::sim::internal_sim {

const KpiField& FieldOf(std::string_view key) {
  for (const KpiField& f : kKpiFields) {
    if (f.key == key) return f;
  }
  return kKpiFields[0];
}

std::string FormatValue(const KpiField& f, double v) {
  if (f.percent) return fmt::format("{:.1f}%", 100 * v);
  if (std::abs(v) >= 1000) return fmt::format("{:.0f}", v);
  return fmt::format("{:.1f}", v);
}

std::string FormatEstimate(const KpiField& f, const KpiEstimate& e) {
  std::string s = FormatValue(f, e.mean);
  if (e.n > 1) {
    s += f.percent ? fmt::format(" ±{:.1f}", 100 * e.half_width)
                   : fmt::format(" ±{:.1f}", e.half_width);
  }
  return s;
}

Rows StrategyRows(const Experiment& e, const StrategyResult& s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"queue"};
  for (std::string_view key : kTableKeys) header.emplace_back(FieldOf(key).label);
  rows.push_back(header);
  for (size_t q = 0; q < e.queue_ids.size(); ++q) {
    std::vector<std::string> row = {e.queue_ids[q]};
    for (std::string_view key : kTableKeys) {
      const KpiField& f = FieldOf(key);
      row.push_back(FormatEstimate(f, s.EstimateQueue(q, f.value)));
    }
    rows.push_back(row);
  }
  std::vector<std::string> row = {"overall"};
  for (std::string_view key : kTableKeys) {
    const KpiField& f = FieldOf(key);
    row.push_back(FormatEstimate(f, s.Estimate(f.value)));
  }
  rows.push_back(row);
  return rows;
}

// Each strategy against the first, paired replication by replication (identical traffic).
Rows DifferenceRows(const Experiment& e) {
  constexpr std::string_view kKeys[] = {"service_level", "asa_s", "abandonment_rate",
                                        "occupancy", "aht_s", "resolution_rate"};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {
      fmt::format("vs {}", e.strategies.front().strategy)};
  for (std::string_view key : kKeys) header.push_back(fmt::format("Δ{}", FieldOf(key).label));
  rows.push_back(header);
  for (size_t i = 1; i < e.strategies.size(); ++i) {
    std::vector<std::string> row = {e.strategies[i].strategy};
    for (std::string_view key : kKeys) {
      const KpiField& f = FieldOf(key);
      const KpiEstimate d = EstimateDifference(e.strategies[i], e.strategies[0], f.value);
      std::string cell = FormatEstimate(f, d);
      if (d.n > 1 && std::abs(d.mean) > d.half_width) cell += " *";
      row.push_back(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace switchboard::sim::internal_sim
