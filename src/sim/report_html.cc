// The HTML report: one self-contained page with inline SVG charts, no scripts or assets.
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
using internal_sim::FormatEstimate;

// ---- HTML and SVG --------------------------------------------------------------------------

constexpr std::string_view kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                        "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string_view Color(size_t i) { return kColors[i % std::size(kColors)]; }

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ClockLabel(double s) {
  const int minutes = static_cast<int>(std::lround(s / 60));
  return fmt::format("{}:{:02}", minutes / 60, minutes % 60);
}

struct Series {
  std::string name;
  std::vector<double> values;
};

// A line chart of one value per interval, one line per strategy.
std::string LineChart(std::string_view title, const std::vector<Series>& series,
                      double interval_s, bool percent) {
  constexpr double kW = 640, kH = 260, kLeft = 56, kRight = 16, kTop = 28, kBottom = 36;
  size_t n = 0;
  double max_v = percent ? 1.0 : 0.0;
  for (const Series& s : series) {
    n = std::max(n, s.values.size());
    for (double v : s.values) max_v = std::max(max_v, v);
  }
  if (max_v <= 0) max_v = 1;
  if (!percent) max_v *= 1.1;
  const double plot_w = kW - kLeft - kRight;
  const double plot_h = kH - kTop - kBottom;
  auto x_of = [&](size_t i) {
    return kLeft + (n <= 1 ? plot_w / 2 : plot_w * static_cast<double>(i) /
                                              static_cast<double>(n - 1));
  };
  auto y_of = [&](double v) { return kTop + plot_h * (1 - v / max_v); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\"><title>{}</title>"
      "<text x=\"{}\" y=\"18\" class=\"t\">{}</text>",
      kW, kH, kW, kH, Escape(title), kLeft, Escape(title));
  for (int g = 0; g <= 4; ++g) {
    const double v = max_v * g / 4;
    const double y = y_of(v);
    svg += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"g\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" class=\"a\" text-anchor=\"end\">{}</text>",
                       kLeft, kW - kRight, y, y, kLeft - 6, y + 4,
                       percent ? fmt::format("{:.0f}%", 100 * v) : fmt::format("{:.3g}", v));
  }
  const size_t step = std::max<size_t>(1, n / 8);
  for (size_t i = 0; i < n; i += step) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"a\" text-anchor=\"middle\">{}"
                       "</text>",
                       x_of(i), kH - kBottom + 16, ClockLabel(static_cast<double>(i) * interval_s));
  }
  for (size_t k = 0; k < series.size(); ++k) {
    std::string points;
    for (size_t i = 0; i < series[k].values.size(); ++i) {
      points += fmt::format("{:.1f},{:.1f} ", x_of(i), y_of(series[k].values[i]));
    }
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
                       Color(k), points);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                       "<text x=\"{}\" y=\"{}\" class=\"a\">{}</text>",
                       kLeft + 8 + 150 * static_cast<double>(k), kH - 12, Color(k),
                       kLeft + 22 + 150 * static_cast<double>(k), kH - 3,
                       Escape(series[k].name));
  }
  return svg + "</svg>";
}

// Grouped bars: one group per KPI, one bar per strategy, with the 95% interval as a whisker.
std::string BarChart(const Experiment& e) {
  constexpr std::string_view kKeys[] = {"service_level", "abandonment_rate", "occupancy", "fcr",
                                        "resolution_rate"};
  constexpr double kW = 640, kH = 260, kLeft = 56, kTop = 28, kBottom = 40;
  const double plot_h = kH - kTop - kBottom;
  const double group_w = (kW - kLeft - 16) / static_cast<double>(std::size(kKeys));
  const double bar_w =
      std::min(40.0, (group_w - 20) / static_cast<double>(std::max<size_t>(1, e.strategies.size())));
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\"><title>Strategies side by side</title>"
      "<text x=\"{}\" y=\"18\" class=\"t\">Strategies side by side (overall, 95% CI)</text>",
      kW, kH, kW, kH, kLeft);
  auto y_of = [&](double v) { return kTop + plot_h * (1 - std::clamp(v, 0.0, 1.0)); };
  for (int g = 0; g <= 4; ++g) {
    const double y = y_of(g / 4.0);
    svg += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"g\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" class=\"a\" text-anchor=\"end\">{}%</text>",
                       kLeft, kW - 16, y, y, kLeft - 6, y + 4, 25 * g);
  }
  for (size_t k = 0; k < std::size(kKeys); ++k) {
    const KpiField& f = FieldOf(kKeys[k]);
    const double x0 = kLeft + group_w * static_cast<double>(k) + 10;
    for (size_t s = 0; s < e.strategies.size(); ++s) {
      const KpiEstimate est = e.strategies[s].Estimate(f.value);
      const double x = x0 + bar_w * static_cast<double>(s);
      const double y = y_of(est.mean);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"{}\"><title>{} {}: {}</title></rect>",
                         x, y, bar_w - 2, kTop + plot_h - y, Color(s),
                         Escape(e.strategies[s].strategy), f.label, FormatEstimate(f, est));
      if (est.half_width > 0) {
        const double cx = x + (bar_w - 2) / 2;
        svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" "
                           "stroke=\"#000\"/>",
                           cx, cx, y_of(est.mean - est.half_width),
                           y_of(est.mean + est.half_width));
      }
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"a\" text-anchor=\"middle\">{}</text>",
                       x0 + (group_w - 20) / 2, kH - kBottom + 16, f.label);
  }
  for (size_t s = 0; s < e.strategies.size(); ++s) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                       "<text x=\"{}\" y=\"{}\" class=\"a\">{}</text>",
                       kLeft + 8 + 150 * static_cast<double>(s), kH - 14, Color(s),
                       kLeft + 22 + 150 * static_cast<double>(s), kH - 5,
                       Escape(e.strategies[s].strategy));
  }
  return svg + "</svg>";
}

std::vector<Series> IntervalSeries(const Experiment& e, double Kpis::*field) {
  std::vector<Series> out;
  for (const StrategyResult& s : e.strategies) {
    Series series{s.strategy, {}};
    const size_t n = s.replications.empty() ? 0 : s.replications[0].per_interval.size();
    for (size_t i = 0; i < n; ++i) series.values.push_back(s.EstimateInterval(i, field).mean);
    out.push_back(std::move(series));
  }
  return out;
}

std::string HtmlTable(const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><tr>";
  for (const std::string& h : rows.front()) out += "<th>" + Escape(h) + "</th>";
  out += "</tr>";
  for (size_t r = 1; r < rows.size(); ++r) {
    out += "<tr>";
    for (const std::string& c : rows[r]) out += "<td>" + Escape(c) + "</td>";
    out += "</tr>";
  }
  return out + "</table>";
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}"
    "td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}"
    "svg{margin:.5em 1em .5em 0;border:1px solid #eee}"
    ".t{font-size:14px;font-weight:600}.a{font-size:11px;fill:#444}"
    ".g{stroke:#e5e5e5}.muted{color:#666;font-size:13px}";


}  // namespace

std::string RenderHtmlReport(const Experiment& e, const Scenario& scenario) {
  std::string html = fmt::format(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>switchboard-sim: {}</title><style>{}</style></head><body>"
      "<h1>Scenario {}</h1><p>{}</p><p class=\"muted\">{} strateg{}, {} replications each, "
      "seed {}, intervals of {:g} min. Values are means over the replications with the 95% "
      "confidence half-width (Student t). Service level = answered within the queue's "
      "threshold over offered.</p>",
      Escape(e.scenario_name), kStyle, Escape(e.scenario_name), Escape(scenario.description),
      e.strategies.size(), e.strategies.size() == 1 ? "y" : "ies", e.replications, e.seed,
      e.interval_s / 60);
  html += "<h2>Over the day</h2>";
  html += LineChart("Service level by interval of arrival",
                    IntervalSeries(e, &Kpis::service_level), e.interval_s, true);
  html += LineChart("Contacts waiting (time average)", IntervalSeries(e, &Kpis::avg_queue_length),
                    e.interval_s, false);
  html += LineChart("Agent occupancy", IntervalSeries(e, &Kpis::occupancy), e.interval_s, true);
  html += LineChart("Abandonment rate", IntervalSeries(e, &Kpis::abandonment_rate), e.interval_s,
                    true);
  html += "<h2>Strategies side by side</h2>" + BarChart(e);
  if (e.strategies.size() > 1) {
    html += "<p class=\"muted\">Paired differences against the first strategy, replication by "
            "replication on identical traffic; * marks a 95% interval that excludes 0.</p>" +
            HtmlTable(internal_sim::DifferenceRows(e));
  }
  for (const StrategyResult& s : e.strategies) {
    html += fmt::format("<h2>Strategy {}</h2>", Escape(s.strategy));
    html += HtmlTable(internal_sim::StrategyRows(e, s));
  }
  html += "<h2>Scenario</h2><table><tr><th>queue</th><th>channels</th><th>SL target</th>"
          "<th>wrap-up s</th></tr>";
  for (const Queue& q : scenario.queues) {
    std::string channels;
    for (Channel c : q.channels) channels += std::string(channels.empty() ? "" : " ") +
                                             std::string(ChannelName(c));
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.0f}% in {:g} s</td><td>{:g}</td></tr>",
                        Escape(q.id.value()), channels, 100 * q.service_level.fraction,
                        absl::ToDoubleSeconds(q.service_level.threshold),
                        absl::ToDoubleSeconds(q.wrap_up));
  }
  html += "</table><table><tr><th>contact type</th><th>queue</th><th>service</th>"
          "<th>patience</th></tr>";
  for (const ContactType& t : scenario.contact_types) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", Escape(t.name),
                        Escape(t.queue.value()), Escape(t.service.Describe()),
                        Escape(t.patience.Describe()));
  }
  html += "</table><table><tr><th>agent group</th><th>agents</th><th>shifts</th></tr>";
  for (const AgentGroup& g : scenario.agent_groups) {
    std::string shifts;
    for (const Shift& s : g.shifts) {
      shifts += fmt::format("{}{}-{}", shifts.empty() ? "" : ", ", ClockLabel(s.start_s),
                            ClockLabel(s.end_s));
    }
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", Escape(g.name), g.count,
                        shifts.empty() ? "all day" : shifts);
  }
  html += "</table><p class=\"muted\">Generated by switchboard-sim.</p></body></html>\n";
  return html;
}
}  // namespace switchboard::sim
