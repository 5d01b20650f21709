// `switchboard-sim run`: load a scenario, simulate it for each strategy, print and report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
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
  --strategy NAME    router strategy to compare; repeat for several, each once (default: the
                     scenario's): longest-idle least-occupied round-robin fewest-contacts
                     least-talk-time linear random weighted-random best-skill
  --replications K   independent replications per strategy, 1..10000 (default: the scenario's)
  --seed S           master seed, 0..2^63-1; 0 or absent = the scenario's seed; same scenario +
                     seed = same results
  --report FILE      write a self-contained HTML report with SVG charts (opened before the
                     runs; a failed run leaves an existing FILE as it was)
  --journeys on|off  override whether returning customers' next agent has their context
  --shared-data DIR  where $SWITCHBOARD_SHARED_DATA in trace paths points, relative to the
                     current folder (default: that environment variable, else
                     ../../../shared/data from the scenario's folder)
  --json             print the results as JSON instead of tables
An option given twice takes its last value (--strategy excepted).
)";

void DrawProgress(std::FILE* out, double done, int total) {
  constexpr int kWidth = 30;
  const double fraction = total > 0 ? std::min(1.0, done / total) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  fmt::print(out, "\r[{:#<{}}{:<{}}] {:3.0f}% run {}/{}\x1b[K", "", filled, "", kWidth - filled,
             100 * fraction, std::min(total, static_cast<int>(done) + 1), total);
  std::fflush(out);
}

// ---- Command line ----------------------------------------------------------------------------

// Everything `run` takes from its command line, checked before the scenario is loaded: a usage
// error must not wait for a large trace to load, nor hide behind a scenario that does not.
struct RunFlags {
  std::string scenario;
  sim::ExperimentOptions options;
  std::optional<bool> journeys;
  std::optional<std::string> report;
  std::string shared_data;
  bool json = false;
};

// A strategy named twice would run twice and be compared with itself: refused. So is a name
// the router does not know, before the scenario loads and the strategies before it run.
absl::StatusOr<std::vector<std::string>> ParseStrategies(const Args& args) {
  std::vector<std::string> strategies = args.All("strategy");
  std::set<std::string> seen;
  for (const std::string& s : strategies) {
    if (absl::Status known = sim::CheckStrategyName(s); !known.ok()) {
      return absl::InvalidArgumentError(internal::StrCat("--", known.message()));
    }
    if (!seen.insert(s).second) {
      return absl::InvalidArgumentError(
          internal::StrCat("--strategy '", internal::Printable(s), "' is given twice"));
    }
  }
  return strategies;
}

absl::Status ParseRunNumbers(const Args& args, sim::ExperimentOptions& options) {
  SB_ASSIGN_OR_RETURN(const long long replications, args.IntOr("replications", 0));
  SB_ASSIGN_OR_RETURN(const long long seed, args.IntOr("seed", 0));
  // Checked before the casts below. 0 is the "not given" default, not a value to accept.
  if (args.Has("replications") && (replications < 1 || replications > 10'000)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "--replications outside 1..10000: '", internal::Printable(*args.Get("replications")),
        "'"));
  }
  if (seed < 0) {
    return absl::InvalidArgumentError(internal::StrCat(
        "--seed must not be negative: '", internal::Printable(*args.Get("seed")), "'"));
  }
  options.replications = static_cast<int>(replications);
  options.seed = static_cast<std::uint64_t>(seed);
  return absl::OkStatus();
}

absl::StatusOr<RunFlags> ParseRunFlags(const Args& args) {
  if (args.positional().size() != 1) {
    return absl::InvalidArgumentError("run needs exactly one SCENARIO file");
  }
  RunFlags f;
  f.scenario = args.positional()[0];
  SB_ASSIGN_OR_RETURN(f.options.strategies, ParseStrategies(args));
  SB_RETURN_IF_ERROR(ParseRunNumbers(args, f.options));
  if (std::optional<std::string> journeys = args.Get("journeys")) {
    if (*journeys != "on" && *journeys != "off") {
      return absl::InvalidArgumentError("--journeys must be on or off");
    }
    f.journeys = *journeys == "on";
  }
  // An empty value would silently mean "not given".
  f.shared_data = args.Get("shared-data").value_or("");
  if (args.Has("shared-data") && f.shared_data.empty()) {
    return absl::InvalidArgumentError("--shared-data is empty");
  }
  f.report = args.Get("report");
  f.json = args.Flag("json");
  return f;
}

// ---- The report file ---------------------------------------------------------------------------

// The --report file, opened before the runs: a path that cannot be written fails at once, not
// after the simulation (and, with --json, before any JSON is printed). It is not truncated until
// Write(), so that a run that fails leaves an existing report as it was; Discard() removes a
// file that Open() created.
class ReportFile {
 public:
  ReportFile() = default;
  ReportFile(const ReportFile&) = delete;
  ReportFile& operator=(const ReportFile&) = delete;
  ~ReportFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Open(const std::string& path);
  absl::Status Write(std::string_view html);
  void Discard();

 private:
  absl::Status Error(int error) const {
    return absl::UnavailableError(
        internal::StrCat("cannot write report '", internal::Printable(path_),
                         "': ", std::strerror(error)));
  }

  std::string path_;
  int fd_ = -1;
  bool created_ = false;
};

absl::Status ReportFile::Open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  created_ = fd_ >= 0;
  if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return Error(errno);
  return absl::OkStatus();
}

absl::Status ReportFile::Write(std::string_view html) {
  struct stat info {};
  // Only a regular file is emptied first; /dev/stdout or a pipe cannot be.
  if (::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode) && ::ftruncate(fd_, 0) != 0) {
    return Error(errno);
  }
  for (size_t done = 0; done < html.size();) {
    const ssize_t n = ::write(fd_, html.data() + done, html.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(errno);
    done += static_cast<size_t>(n);
  }
  if (::close(std::exchange(fd_, -1)) != 0) return Error(errno);
  return absl::OkStatus();
}

void ReportFile::Discard() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (created_) ::unlink(path_.c_str());
  created_ = false;
}

// ---- Output ----------------------------------------------------------------------------------

// Names come from the scenario file: valid UTF-8 (Validate), but they may hold control
// characters, which are escaped for a terminal (the JSON escapes them itself).
void CleanNames(sim::Experiment& e, std::string (*clean)(std::string_view)) {
  e.scenario_name = clean(e.scenario_name);
  for (std::string& q : e.queue_ids) q = clean(q);
  for (sim::StrategyResult& s : e.strategies) {
    s.strategy = clean(s.strategy);
    for (sim::RunResult& run : s.replications) {
      run.strategy = clean(run.strategy);
      for (std::string& q : run.queue_ids) q = clean(q);
    }
  }
}

// Totals over every strategy and replication, except trace_records_skipped: every run replays
// the same trace, so it is the count of one run.
struct Totals {
  std::int64_t contacts = 0;
  std::int64_t decisions = 0;
  std::int64_t unfinished = 0;
  std::int64_t rejected = 0;
  std::int64_t trace_records_skipped = 0;
};

Totals Sum(const sim::Experiment& e) {
  Totals t;
  for (const sim::StrategyResult& s : e.strategies) {
    for (const sim::RunResult& run : s.replications) {
      t.contacts += run.contacts_simulated;
      t.decisions += run.routing_decisions;
      t.unfinished += run.contacts_unfinished;
      t.rejected += run.overall.rejected;
      t.trace_records_skipped = run.trace_records_skipped;
    }
  }
  return t;
}

// sim::ExperimentToJson, then the figures the tables print that it lacks. They are appended
// after its keys, whose documented order stays as it was.
std::string Json(const sim::Experiment& e, const Totals& t) {
  std::string json = sim::ExperimentToJson(e);
  if (json.empty() || json.back() != '}') return json;
  json.pop_back();
  return fmt::format("{},\"trace_records_skipped\":{},\"contacts_unfinished\":{},\"rejected\":{}}}",
                     json, t.trace_records_skipped, t.unfinished, t.rejected);
}

const char* Plural(std::int64_t n) { return n == 1 ? "" : "s"; }

void PrintTables(std::FILE* out, const sim::Experiment& e, const Totals& t, double wall_s) {
  fmt::print(out, "scenario {}: {} strateg{} x {} replications, seed {}\n", e.scenario_name,
             e.strategies.size(), e.strategies.size() == 1 ? "y" : "ies", e.replications, e.seed);
  fmt::print(out, "{}", sim::FormatKpiTables(e));
  fmt::print(out,
             "\nsimulated {} contacts, {} routing decisions in {:.2f} s "
             "({:.0f} contacts/s, {:.0f} decisions/s)\n",
             t.contacts, t.decisions, wall_s, wall_s > 0 ? t.contacts / wall_s : 0,
             wall_s > 0 ? t.decisions / wall_s : 0);
  if (t.trace_records_skipped > 0) {
    fmt::print(out, "{} trace record{} at or after duration_s not replayed\n",
               t.trace_records_skipped, Plural(t.trace_records_skipped));
  }
  if (t.unfinished > 0) {
    fmt::print(out, "{} contact{} still open when the runs stopped, two days after duration_s\n",
               t.unfinished, Plural(t.unfinished));
  }
  if (t.rejected > 0) {
    fmt::print(out, "{} contact{} refused by the router, the queue full (max_waiting)\n",
               t.rejected, Plural(t.rejected));
  }
}

// The runs, with a progress bar only for a person watching a terminal, never in a pipe or a log.
absl::StatusOr<sim::Experiment> Simulate(const sim::Scenario& scenario,
                                         sim::ExperimentOptions options, bool json,
                                         std::FILE* out) {
  const bool progress = !json && isatty(fileno(out)) == 1;
  if (progress) {
    options.progress = [out, last = -1](double done, int total) mutable {
      const int percent = static_cast<int>(1000 * done / std::max(1, total));
      if (percent == last) return;  // redraw only when the bar moves by 0.1%
      last = percent;
      DrawProgress(out, done, total);
    };
  }
  absl::StatusOr<sim::Experiment> experiment = sim::RunExperiment(scenario, options);
  if (progress) fmt::print(out, "\r\x1b[K");
  return experiment;
}

int Failed(int code, const absl::Status& s) { return Fail(code, std::string(s.message()).c_str()); }

}  // namespace

int RunCommand(int argc, const char* const* argv, std::FILE* out) {
  Args args;
  absl::Status s =
      args.Parse(argc, argv, {"json", "help"},
                 {"strategy", "replications", "seed", "report", "shared-data", "journeys"});
  if (args.Flag("help")) {
    std::fputs(kRunHelp, out);
    return 0;
  }
  if (!s.ok()) return Failed(2, s);
  absl::StatusOr<RunFlags> flags = ParseRunFlags(args);
  if (!flags.ok()) return Failed(2, flags.status());
  ReportFile report;
  if (flags->report) {
    if (absl::Status r = report.Open(*flags->report); !r.ok()) return Failed(1, r);
  }
  sim::LoadOptions load;
  load.shared_data_dir = flags->shared_data;
  absl::StatusOr<sim::Scenario> scenario = sim::LoadScenarioFile(flags->scenario, load);
  if (!scenario.ok()) {
    report.Discard();
    return Failed(1, scenario.status());
  }
  if (flags->journeys) {
    scenario->returns.journeys = *flags->journeys;
    scenario->name += *flags->journeys ? " (journeys on)" : " (journeys off)";
  }
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<sim::Experiment> experiment =
      Simulate(*scenario, flags->options, flags->json, out);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!experiment.ok()) {
    report.Discard();
    return Failed(1, experiment.status());
  }
  // The report first: a failure to write it must not follow printed results.
  if (flags->report) {
    if (absl::Status w = report.Write(sim::RenderHtmlReport(*experiment, *scenario)); !w.ok()) {
      report.Discard();
      return Failed(1, w);
    }
  }
  const Totals totals = Sum(*experiment);
  if (flags->json) {
    fmt::print(out, "{}\n", Json(*experiment, totals));
    return 0;
  }
  CleanNames(*experiment, internal::PrintableText);
  PrintTables(out, *experiment, totals, wall_s);
  if (flags->report) fmt::print(out, "report written to {}\n",
                                internal::PrintableText(*flags->report));
  return 0;
}

}  // namespace switchboard::tools
