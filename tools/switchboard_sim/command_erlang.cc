// `switchboard-sim erlang` and `switchboard-sim staff`: thin front ends over switchboard/erlang.h.
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "src/internal/str_cat.h"
#include "switchboard/erlang.h"
#include "tools/switchboard_sim/args.h"
#include "tools/switchboard_sim/commands.h"

namespace switchboard::tools {
namespace {

constexpr long long kMaxAgents = 10'000'000;  // bound of --agents and --max-agents

constexpr const char* kErlangHelp = R"(usage: switchboard-sim erlang --model c|a --arrival-rate R --aht S --agents N
                              [--target T] [--patience P] [--json]

Steady-state measures of N agents answering Poisson traffic with exponential handle times.
  --model c         Erlang C (M/M/n): nobody hangs up
  --model a         Erlang A (M/M/n+M): exponential patience with mean --patience seconds
  --arrival-rate R  contacts per second (e.g. 100 per 30 min = 0.0556)
  --aht S           mean handle time, seconds
  --agents N        agents on duty
  --target T        service-level threshold, seconds (default 20)
  --patience P      mean patience, seconds (model a only, required there)
  --json            one JSON object: p_wait, asa, service_level, occupancy (+ p_abandon for a)

Service level = answered within T over all offered contacts (abandoners count as misses).
ASA = mean wait of answered contacts.
)";

constexpr const char* kStaffHelp =
    R"(usage: switchboard-sim staff --model c|a --arrival-rate R --aht S [--target T]
                             [--patience P] (--service-level F | --asa S | --abandonment F)
                             [--max-agents N] [--json]

The fewest agents that meet the goal (Erlang C or Erlang A), and the measures at that staffing.
  --service-level F  answered within --target seconds over offered >= F (e.g. 0.8)
  --asa S            average speed of answer <= S seconds
  --abandonment F    fraction abandoning <= F (model a only)
  --max-agents N     give up above N agents, 1..10000000 (default 1000000)
  --json             {"agents", "p_wait", "asa", "service_level", "occupancy"[, "p_abandon"]}
)";

const std::set<std::string> kFlags = {"json", "help"};

struct Parsed {
  Args args;
  QueueModel model = QueueModel::kErlangC;
  QueueingInput input;
};

absl::Status ParseCommon(int argc, const char* const* argv, const std::set<std::string>& options,
                         bool need_agents, Parsed& p) {
  absl::Status s = p.args.Parse(argc, argv, kFlags, options);
  if (!s.ok() || p.args.Flag("help")) return s;
  const std::string model = p.args.Get("model").value_or("");
  if (model == "c") {
    p.model = QueueModel::kErlangC;
  } else if (model == "a") {
    p.model = QueueModel::kErlangA;
  } else {
    return absl::InvalidArgumentError("--model must be c or a");
  }
  absl::StatusOr<double> rate = p.args.Double("arrival-rate");
  if (!rate.ok()) return rate.status();
  absl::StatusOr<double> aht = p.args.Double("aht");
  if (!aht.ok()) return aht.status();
  absl::StatusOr<double> target = p.args.DoubleOr("target", 20.0);
  if (!target.ok()) return target.status();
  p.input.arrival_rate = *rate;
  p.input.handle_time = *aht;
  p.input.target = *target;
  if (p.model == QueueModel::kErlangA) {
    absl::StatusOr<double> patience = p.args.Double("patience");
    if (!patience.ok()) return patience.status();
    p.input.patience = *patience;
  }
  if (need_agents) {
    absl::StatusOr<long long> agents = p.args.Int("agents");
    if (!agents.ok()) return agents.status();
    if (*agents < 1 || *agents > kMaxAgents) {
      return absl::InvalidArgumentError("--agents must be between 1 and 10000000");
    }
    p.input.agents = static_cast<int>(*agents);
  }
  return absl::OkStatus();
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
  if (!m.ok()) return Fail(1, std::string(m.status().message()).c_str());
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
  const int goals = p.args.Has("service-level") + p.args.Has("asa") + p.args.Has("abandonment");
  if (goals != 1) {
    return Fail(2, "give exactly one of --service-level, --asa, --abandonment");
  }
  const char* name = p.args.Has("service-level") ? "service-level"
                     : p.args.Has("asa")         ? "asa"
                                                 : "abandonment";
  goal.goal = p.args.Has("service-level") ? StaffingGoal::kServiceLevel
              : p.args.Has("asa")         ? StaffingGoal::kAsa
                                          : StaffingGoal::kAbandonment;
  absl::StatusOr<double> value = p.args.Double(name);
  if (!value.ok()) return Fail(2, std::string(value.status().message()).c_str());
  goal.value = *value;
  absl::StatusOr<long long> max_agents = p.args.IntOr("max-agents", 1'000'000);
  if (!max_agents.ok()) return Fail(2, std::string(max_agents.status().message()).c_str());
  // Checked before the cast: 4294967297 would otherwise wrap to 1.
  if (*max_agents < 1 || *max_agents > kMaxAgents) {
    return Fail(2, "--max-agents must be between 1 and 10000000");
  }
  absl::StatusOr<int> agents =
      RequiredAgents(p.model, p.input, goal, static_cast<int>(*max_agents));
  if (!agents.ok()) return Fail(1, std::string(agents.status().message()).c_str());
  p.input.agents = *agents;
  absl::StatusOr<Measures> m = Evaluate(p.model, p.input);
  if (!m.ok()) return Fail(1, std::string(m.status().message()).c_str());
  if (!p.args.Flag("json")) fmt::print(out, "agents needed  {}\n", *agents);
  PrintMeasures(out, p.model, p.input, *m, p.args.Flag("json"), /*with_agents=*/true);
  return 0;
}

}  // namespace switchboard::tools
