// `switchboard-sim erlang` and `switchboard-sim staff`: thin front ends over switchboard/erlang.h.
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "switchboard/erlang.h"
#include "tools/switchboard_sim/args.h"
#include "tools/switchboard_sim/commands.h"

namespace switchboard::tools {
namespace {

constexpr long long kMaxAgents = 10'000'000;  // bound of --agents and --max-agents

constexpr const char* kErlangHelp =
    R"(usage: switchboard-sim erlang --model c|a --arrival-rate R --aht S --agents N
                              [--target T] [--patience P] [--json]

Steady-state measures of N agents answering Poisson traffic with exponential handle times.
  --model c         Erlang C (M/M/n): nobody hangs up
  --model a         Erlang A (M/M/n+M): exponential patience with mean --patience seconds
  --arrival-rate R  contacts per second, > 0 (e.g. 100 per 30 min = 0.0556)
  --aht S           mean handle time, seconds, > 0
  --agents N        agents on duty, 1..10000000
  --target T        service-level threshold, seconds, >= 0 (default 20)
  --patience P      mean patience, seconds, > 0 (model a only, required there)
  --json            one JSON object: p_wait, asa, service_level, occupancy (+ p_abandon for a)

Service level = answered within T over all offered contacts (abandoners count as misses).
ASA = mean wait of answered contacts.
)";

constexpr const char* kStaffHelp =
    R"(usage: switchboard-sim staff --model c|a --arrival-rate R --aht S [--target T]
                             [--patience P] (--service-level F | --asa S | --abandonment F)
                             [--max-agents N] [--json]

The fewest agents that meet the goal (Erlang C or Erlang A), and the measures at that staffing.
  --service-level F  answered within --target seconds over offered >= F, 0 < F < 1 (e.g. 0.8)
  --asa S            average speed of answer <= S seconds, S > 0
  --abandonment F    fraction abandoning <= F, 0 < F < 1 (model a only)
  --max-agents N     give up above N agents, 1..10000000 (default 1000000)
  --json             {"agents", "p_wait", "asa", "service_level", "occupancy"[, "p_abandon"]}
)";

const std::set<std::string> kFlags = {"json", "help"};

struct Parsed {
  Args args;
  QueueModel model = QueueModel::kErlangC;
  QueueingInput input;
};

// A finite number (Args::Double refuses the rest) that `ok` accepts, else a usage error naming
// the flag with `range`. Checked here rather than left to switchboard/erlang.h, whose message
// would name C++ fields and exit 1 for what is a usage error.
absl::StatusOr<double> Number(const Args& args, const std::string& name, bool (*ok)(double),
                              const char* range) {
  absl::StatusOr<double> v = args.Double(name);
  if (!v.ok() || ok(*v)) return v;
  return absl::InvalidArgumentError(internal::StrCat("--", name, " must be ", range, ", not '",
                                                     internal::Printable(*args.Get(name)), "'"));
}

bool Positive(double v) { return v > 0; }
// -0 is refused as a typo, as --agents -0 is.
bool NotNegative(double v) { return v >= 0 && !std::signbit(v); }
bool OpenFraction(double v) { return v > 0 && v < 1; }

absl::Status ParseModel(const Args& args, QueueModel& model) {
  const std::string name = args.Get("model").value_or("");
  if (name == "c") {
    model = QueueModel::kErlangC;
  } else if (name == "a") {
    model = QueueModel::kErlangA;
  } else {
    return absl::InvalidArgumentError("--model must be c or a");
  }
  return absl::OkStatus();
}

// The traffic: rates, times and (model a) patience, each in its range, and a load that fits a
// double.
absl::Status ParseTraffic(const Args& args, QueueModel model, QueueingInput& in) {
  SB_ASSIGN_OR_RETURN(in.arrival_rate, Number(args, "arrival-rate", Positive, "> 0"));
  SB_ASSIGN_OR_RETURN(in.handle_time, Number(args, "aht", Positive, "> 0"));
  if (!std::isfinite(in.OfferedLoad()) || !(in.OfferedLoad() > 0)) {
    return absl::InvalidArgumentError(
        "--arrival-rate x --aht overflows or underflows a double; rescale the time unit");
  }
  in.target = 20.0;
  if (args.Has("target")) {
    SB_ASSIGN_OR_RETURN(in.target, Number(args, "target", NotNegative, ">= 0"));
  }
  if (model == QueueModel::kErlangA) {
    SB_ASSIGN_OR_RETURN(in.patience, Number(args, "patience", Positive, "> 0"));
  }
  return absl::OkStatus();
}

absl::Status ParseCommon(int argc, const char* const* argv, const std::set<std::string>& options,
                         bool need_agents, Parsed& p) {
  absl::Status s = p.args.Parse(argc, argv, kFlags, options);
  if (!s.ok() || p.args.Flag("help")) return s;
  SB_RETURN_IF_ERROR(ParseModel(p.args, p.model));
  SB_RETURN_IF_ERROR(ParseTraffic(p.args, p.model, p.input));
  if (need_agents) {
    absl::StatusOr<long long> agents = p.args.Int("agents");
    if (!agents.ok()) return agents.status();
    if (*agents < 1 || *agents > kMaxAgents) {
      return absl::InvalidArgumentError(
          internal::StrCat("--agents must be between 1 and 10000000, not '",
                           internal::Printable(*p.args.Get("agents")), "'"));
    }
    p.input.agents = static_cast<int>(*agents);
  }
  // Options start with "--": anything else is a typo ("-target 30") that would otherwise be
  // ignored and leave the default in force. Checked last: after an option that took the next
  // flag as its value ("--arrival-rate --aht 180"), that option's error says more.
  if (!p.args.positional().empty()) {
    return absl::InvalidArgumentError(
        internal::StrCat("unexpected argument '", internal::Printable(p.args.positional()[0]),
                         "' (options start with --)"));
  }
  return absl::OkStatus();
}

// switchboard/erlang.h names its inputs as C++ fields ("queueing.arrival_rate"); the tool's user
// knows them as flags. Only the failures left after the checks above come through here (an
// unstable Erlang C load, a staffing goal out of reach, a chain too long for Erlang A).
std::string InFlagTerms(std::string_view message) {
  static constexpr std::pair<std::string_view, std::string_view> kTerms[] = {
      {"queueing.arrival_rate", "--arrival-rate"},
      {"queueing.handle_time", "--aht"},
      {"queueing.agents", "--agents"},
      {"queueing.target", "--target"},
      {"queueing.patience", "--patience"},
      {"queueing.offered_load", "the offered load"},
      {"staffing.max_agents", "--max-agents"},
      {"QueueModel::kErlangA with a patience", "--model a with --patience"},
      {"use Erlang A", "use --model a with --patience"},
      {"use Erlang C", "use --model c"},
  };
  std::string out(message);
  for (const auto& [from, to] : kTerms) {
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
  }
  return out;
}

int CommandFailed(const absl::Status& s) {
  return Fail(1, InFlagTerms(std::string_view(s.message().data(), s.message().size())).c_str());
}

struct Measures {
  double p_wait, asa, service_level, occupancy, p_abandon;
};

absl::StatusOr<Measures> Evaluate(QueueModel model, const QueueingInput& in) {
  if (model == QueueModel::kErlangC) {
    absl::StatusOr<ErlangCResult> c = ErlangC(in);
    if (!c.ok()) return c.status();
    return Measures{c->p_wait, c->asa, c->service_level, c->occupancy, 0};
  }
  absl::StatusOr<ErlangAResult> a = ErlangA(in);
  if (!a.ok()) return a.status();
  return Measures{a->p_wait, a->asa, a->service_level, a->occupancy, a->p_abandon};
}

void PrintMeasures(std::FILE* out, QueueModel model, const QueueingInput& in, const Measures& m,
                   bool json, bool with_agents) {
  const bool a = model == QueueModel::kErlangA;
  if (json) {
    std::string s = "{";
    if (with_agents) s += fmt::format("\"agents\":{},", in.agents);
    s += fmt::format("\"p_wait\":{},\"asa\":{},\"service_level\":{},\"occupancy\":{}", m.p_wait,
                     m.asa, m.service_level, m.occupancy);
    if (a) s += fmt::format(",\"p_abandon\":{}", m.p_abandon);
    fmt::print(out, "{}}}\n", s);
    return;
  }
  fmt::print(out, "model          Erlang {}\n", a ? "A (M/M/n+M)" : "C (M/M/n)");
  fmt::print(out, "offered load   {:.3f} Erlangs\n", in.OfferedLoad());
  fmt::print(out, "agents         {}\n", in.agents);
  fmt::print(out, "p_wait         {:.4f}\n", m.p_wait);
  fmt::print(out, "asa            {:.2f} s\n", m.asa);
  fmt::print(out, "service_level  {:.2f}% answered within {:g} s\n", 100 * m.service_level,
             in.target);
  fmt::print(out, "occupancy      {:.2f}%\n", 100 * m.occupancy);
  if (a) fmt::print(out, "p_abandon      {:.4f}\n", m.p_abandon);
}

// Exactly one goal, in its range: a fraction in (0, 1) (1 is never met exactly), an ASA > 0
// seconds; abandonment only under Erlang A.
absl::Status ParseGoal(const Parsed& p, StaffingTarget& goal) {
  const Args& args = p.args;
  if (args.Has("service-level") + args.Has("asa") + args.Has("abandonment") != 1) {
    return absl::InvalidArgumentError("give exactly one of --service-level, --asa, --abandonment");
  }
  if (args.Has("service-level")) {
    goal.goal = StaffingGoal::kServiceLevel;
    SB_ASSIGN_OR_RETURN(goal.value,
                        Number(args, "service-level", OpenFraction, "a fraction in (0, 1)"));
  } else if (args.Has("asa")) {
    goal.goal = StaffingGoal::kAsa;
    SB_ASSIGN_OR_RETURN(goal.value, Number(args, "asa", Positive, "> 0 seconds"));
  } else {
    if (p.model != QueueModel::kErlangA) {
      return absl::InvalidArgumentError(
          "--abandonment needs --model a with --patience (Erlang C has no abandonment)");
    }
    goal.goal = StaffingGoal::kAbandonment;
    SB_ASSIGN_OR_RETURN(goal.value,
                        Number(args, "abandonment", OpenFraction, "a fraction in (0, 1)"));
  }
  return absl::OkStatus();
}

}  // namespace

int ErlangCommand(int argc, const char* const* argv, std::FILE* out) {
  Parsed p;
  absl::Status s = ParseCommon(argc, argv, {"model", "arrival-rate", "aht", "agents", "target",
                                            "patience"}, /*need_agents=*/true, p);
  if (p.args.Flag("help")) {
    std::fputs(kErlangHelp, out);
    return 0;
  }
  if (!s.ok()) return Fail(2, std::string(s.message()).c_str());
  absl::StatusOr<Measures> m = Evaluate(p.model, p.input);
  if (!m.ok()) return CommandFailed(m.status());
  PrintMeasures(out, p.model, p.input, *m, p.args.Flag("json"), /*with_agents=*/false);
  return 0;
}

int StaffCommand(int argc, const char* const* argv, std::FILE* out) {
  Parsed p;
  absl::Status s = ParseCommon(argc, argv, {"model", "arrival-rate", "aht", "target", "patience",
                                            "service-level", "asa", "abandonment", "max-agents"},
                               /*need_agents=*/false, p);
  if (p.args.Flag("help")) {
    std::fputs(kStaffHelp, out);
    return 0;
  }
  if (!s.ok()) return Fail(2, std::string(s.message()).c_str());
  StaffingTarget goal;
  if (absl::Status g = ParseGoal(p, goal); !g.ok()) {
    return Fail(2, std::string(g.message()).c_str());
  }
  absl::StatusOr<long long> max_agents = p.args.IntOr("max-agents", 1'000'000);
  if (!max_agents.ok()) return Fail(2, std::string(max_agents.status().message()).c_str());
  // Checked before the cast: 4294967297 would otherwise wrap to 1.
  if (*max_agents < 1 || *max_agents > kMaxAgents) {
    return Fail(2, internal::StrCat("--max-agents must be between 1 and 10000000, not '",
                                    internal::Printable(*p.args.Get("max-agents")), "'")
                       .c_str());
  }
  absl::StatusOr<int> agents =
      RequiredAgents(p.model, p.input, goal, static_cast<int>(*max_agents));
  if (!agents.ok()) return CommandFailed(agents.status());
  p.input.agents = *agents;
  absl::StatusOr<Measures> m = Evaluate(p.model, p.input);
  if (!m.ok()) return CommandFailed(m.status());
  if (!p.args.Flag("json")) fmt::print(out, "agents needed  {}\n", *agents);
  PrintMeasures(out, p.model, p.input, *m, p.args.Flag("json"), /*with_agents=*/true);
  return 0;
}

}  // namespace switchboard::tools
