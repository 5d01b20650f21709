#include "switchboard/sim/report.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "src/sim/report_tables.h"

namespace switchboard::sim {
namespace {

using internal_sim::FieldOf;
using internal_sim::FormatValue;
using internal_sim::kTableKeys;
using internal_sim::Rows;

void AppendRow(std::string& out, const std::vector<std::string>& cells,
               const std::vector<size_t>& widths) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i == 0) {
      fmt::format_to(std::back_inserter(out), "{:<{}}", cells[i], widths[i]);
    } else {
      fmt::format_to(std::back_inserter(out), "  {:>{}}", cells[i], widths[i]);
    }
  }
  out += '\n';
}

void AppendTable(std::string& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      // Count code points, not bytes: "±" is two bytes.
      size_t n = 0;
      for (unsigned char c : row[i]) n += (c & 0xC0) != 0x80;
      widths[i] = std::max(widths[i], n);
    }
  }
  for (const auto& row : rows) AppendRow(out, row, widths);
}

void AppendDifferences(std::string& out, const Experiment& e) {
  if (e.strategies.size() < 2) return;
  out += "\npaired differences (same traffic; * = the 95% interval excludes 0)\n";
  AppendTable(out, internal_sim::DifferenceRows(e));
}

// ---- JSON ----------------------------------------------------------------------------------

// Control characters are escaped, as the tables show them as \xNN: C0 (JSON requires it), DEL
// and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F; some terminals obey U+009B as CSI),
// so that --json sends none of them to a terminal.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    const auto next = static_cast<unsigned char>(i + 1 < s.size() ? s[i + 1] : 0);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += fmt::format("\\u{:04x}", static_cast<int>(u));
        } else if (u == 0xC2 && next >= 0x80 && next < 0xA0) {
          out += fmt::format("\\u{:04x}", static_cast<int>(next));
          ++i;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{}", v);
}

template <typename EstimateFn>
std::string JsonKpis(EstimateFn estimate) {
  std::string out = "{";
  bool first = true;
  for (const KpiField& f : kKpiFields) {
    KpiEstimate e = estimate(f.value);
    if (!first) out += ",";
    first = false;
    out += fmt::format("{}:{{\"mean\":{},\"half_width\":{}}}", JsonString(f.key),
                       JsonNumber(e.mean), JsonNumber(e.half_width));
  }
  return out + "}";
}

std::string JsonStrategy(const Experiment& e, const StrategyResult& s) {
  std::string out = fmt::format("{{\"strategy\":{},\"overall\":{}", JsonString(s.strategy),
                                JsonKpis([&](double Kpis::*f) { return s.Estimate(f); }));
  out += ",\"queues\":{";
  for (size_t q = 0; q < e.queue_ids.size(); ++q) {
    if (q > 0) out += ",";
    out += JsonString(e.queue_ids[q]) + ":" +
           JsonKpis([&](double Kpis::*f) { return s.EstimateQueue(q, f); });
  }
  out += "},\"intervals\":[";
  const size_t intervals = s.replications.empty() ? 0 : s.replications[0].per_interval.size();
  for (size_t i = 0; i < intervals; ++i) {
    if (i > 0) out += ",";
    out += fmt::format("{{\"start_s\":{}", JsonNumber(static_cast<double>(i) * e.interval_s));
    for (const KpiField& f : kKpiFields) {
      out += fmt::format(",{}:{}", JsonString(f.key),
                         JsonNumber(s.EstimateInterval(i, f.value).mean));
    }
    out += "}";
  }
  std::int64_t contacts = 0;
  std::int64_t decisions = 0;
  for (const RunResult& r : s.replications) {
    contacts += r.contacts_simulated;
    decisions += r.routing_decisions;
  }
  out += fmt::format("],\"contacts_simulated\":{},\"routing_decisions\":{}}}", contacts,
                     decisions);
  return out;
}

}  // namespace

std::string FormatKpiTables(const Experiment& e) {
  std::string out;
  for (const StrategyResult& s : e.strategies) {
    out += fmt::format("\nstrategy {} ({} replication{}, mean ±95% half-width)\n", s.strategy,
                       s.replications.size(), s.replications.size() == 1 ? "" : "s");
    AppendTable(out, internal_sim::StrategyRows(e, s));
  }
  if (e.strategies.size() > 1) {
    out += "\ncomparison (overall)\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"strategy"};
    for (std::string_view key : kTableKeys) header.emplace_back(FieldOf(key).label);
    rows.push_back(header);
    for (const StrategyResult& s : e.strategies) {
      std::vector<std::string> row = {s.strategy};
      for (std::string_view key : kTableKeys) {
        const KpiField& f = FieldOf(key);
        row.push_back(FormatValue(f, s.Estimate(f.value).mean));
      }
      rows.push_back(row);
    }
    AppendTable(out, rows);
    AppendDifferences(out, e);
  }
  return out;
}

std::string ExperimentToJson(const Experiment& e) {
  std::string out = fmt::format(
      "{{\"scenario\":{},\"seed\":{},\"replications\":{},\"interval_s\":{},\"strategies\":[",
      JsonString(e.scenario_name), e.seed, e.replications, JsonNumber(e.interval_s));
  for (size_t i = 0; i < e.strategies.size(); ++i) {
    if (i > 0) out += ",";
    out += JsonStrategy(e, e.strategies[i]);
  }
  return out + "]}";
}

}  // namespace switchboard::sim
