// `switchboard-sim run`: load a scenario, simulate it for each strategy, print and report.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "switchboard/sim/report.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"
#include "tools/switchboard_sim/args.h"
#include "tools/switchboard_sim/commands.h"

namespace switchboard::tools {
namespace {

constexpr const char* kRunHelp =
    R"(usage: switchboard-sim run SCENARIO [--strategy NAME ...] [--replications K]
                           [--seed S] [--report out.html] [--journeys on|off]
                           [--shared-data DIR] [--json]

Simulates SCENARIO (protobuf text, or JSON when the name ends in .json; schema in
proto/switchboard/v1/scenario.proto) through the real switchboard::Router, once per strategy
and replication, and prints a KPI table per strategy (mean and 95% half-width over the
replications). Every strategy sees identical traffic (common random numbers).
  --strategy NAME    router strategy to compare; repeat for several (default: the scenario's):
                     longest-idle least-occupied round-robin fewest-contacts least-talk-time
                     linear random weighted-random best-skill
  --replications K   independent replications per strategy, 1..10000 (default: the scenario's)
  --seed S           master seed, 0..2^63-1; 0 or absent = the scenario's seed; same scenario +
                     seed = same results
  --report FILE      write a self-contained HTML report with SVG charts
  --journeys on|off  override whether returning customers' next agent has their context
  --shared-data DIR  where $SWITCHBOARD_SHARED_DATA in trace paths points
                     (default: that environment variable, else ../../../shared/data from the
                     scenario's folder)
  --json             print the results as JSON instead of tables
)";

void DrawProgress(std::FILE* out, double done, int total) {
  constexpr int kWidth = 30;
  const double fraction = total > 0 ? std::min(1.0, done / total) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  fmt::print(out, "\r[{:#<{}}{:<{}}] {:3.0f}% run {}/{}\x1b[K", "", filled, "", kWidth - filled,
             100 * fraction, std::min(total, static_cast<int>(done) + 1), total);
  std::fflush(out);
}

}  // namespace

int RunCommand(int argc, const char* const* argv, std::FILE* out) {
  Args args;
  absl::Status s = args.Parse(argc, argv, {"json", "help"},
                              {"strategy", "replications", "seed", "report", "shared-data",
                               "journeys"});
  if (args.Flag("help")) {
    std::fputs(kRunHelp, out);
    return 0;
  }
  if (!s.ok()) return Fail(2, std::string(s.message()).c_str());
  if (args.positional().size() != 1) return Fail(2, "run needs exactly one SCENARIO file");
  sim::LoadOptions load;
  load.shared_data_dir = args.Get("shared-data").value_or("");
  absl::StatusOr<sim::Scenario> scenario = sim::LoadScenarioFile(args.positional()[0], load);
  if (!scenario.ok()) return Fail(1, std::string(scenario.status().message()).c_str());

  if (std::optional<std::string> journeys = args.Get("journeys")) {
    if (*journeys != "on" && *journeys != "off") return Fail(2, "--journeys must be on or off");
    scenario->returns.journeys = *journeys == "on";
    scenario->name += scenario->returns.journeys ? " (journeys on)" : " (journeys off)";
  }
  sim::ExperimentOptions options;
  options.strategies = args.All("strategy");
  absl::StatusOr<long long> replications = args.IntOr("replications", 0);
  absl::StatusOr<long long> seed = args.IntOr("seed", 0);
  if (!replications.ok()) return Fail(2, std::string(replications.status().message()).c_str());
  if (!seed.ok()) return Fail(2, std::string(seed.status().message()).c_str());
  // Checked before the casts below. 0 is the "not given" default, not a value to accept.
  if (args.Has("replications") && (*replications < 1 || *replications > 10'000)) {
    return Fail(2, "--replications outside 1..10000");
  }
  if (*seed < 0) return Fail(2, "--seed must not be negative");
  options.replications = static_cast<int>(*replications);
  options.seed = static_cast<std::uint64_t>(*seed);
  const bool json = args.Flag("json");
  // A progress bar only for a person watching a terminal, never in a pipe or a log.
  const bool progress = !json && isatty(fileno(out)) == 1;
  if (progress) {
    options.progress = [out, last = -1](double done, int total) mutable {
      const int percent = static_cast<int>(1000 * done / std::max(1, total));
      if (percent == last) return;  // redraw only when the bar moves by 0.1%
      last = percent;
      DrawProgress(out, done, total);
    };
  }
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<sim::Experiment> experiment = sim::RunExperiment(*scenario, options);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (progress) fmt::print(out, "\r\x1b[K");
  if (!experiment.ok()) return Fail(1, std::string(experiment.status().message()).c_str());

  if (json) {
    fmt::print(out, "{}\n", sim::ExperimentToJson(*experiment));
  } else {
    std::int64_t contacts = 0;
    std::int64_t decisions = 0;
    for (const sim::StrategyResult& r : experiment->strategies) {
      for (const sim::RunResult& run : r.replications) {
        contacts += run.contacts_simulated;
        decisions += run.routing_decisions;
      }
    }
    fmt::print(out, "scenario {}: {} strateg{} x {} replications, seed {}\n",
               experiment->scenario_name, experiment->strategies.size(),
               experiment->strategies.size() == 1 ? "y" : "ies", experiment->replications,
               experiment->seed);
    fmt::print(out, "{}", sim::FormatKpiTables(*experiment));
    fmt::print(out, "\nsimulated {} contacts, {} routing decisions in {:.2f} s "
                    "({:.0f} contacts/s, {:.0f} decisions/s)\n",
               contacts, decisions, wall_s, wall_s > 0 ? contacts / wall_s : 0,
               wall_s > 0 ? decisions / wall_s : 0);
    // Every run replays the same trace, so the first says how many records fell past the end.
    if (!experiment->strategies.empty() && !experiment->strategies[0].replications.empty()) {
      const std::int64_t skipped = experiment->strategies[0].replications[0].trace_records_skipped;
      if (skipped > 0) {
        fmt::print(out, "{} trace record{} at or after duration_s not replayed\n", skipped,
                   skipped == 1 ? "" : "s");
      }
    }
    std::int64_t unfinished = 0;
    for (const auto& strategy : experiment->strategies) {
      for (const sim::RunResult& run : strategy.replications) unfinished += run.contacts_unfinished;
    }
    if (unfinished > 0) {
      fmt::print(out, "{} contact{} still open when the runs stopped, two days after duration_s\n",
                 unfinished, unfinished == 1 ? "" : "s");
    }
  }
  if (std::optional<std::string> report = args.Get("report")) {
    std::ofstream file(*report);
    file << sim::RenderHtmlReport(*experiment, *scenario);
    if (!file) return Fail(1, fmt::format("cannot write report '{}'", *report).c_str());
    if (!json) fmt::print(out, "report written to {}\n", *report);
  }
  return 0;
}

}  // namespace switchboard::tools
