// docs/harness.md, "The harness from C++": build a scenario in code, compare two strategies on
// identical traffic, and check the simulated service level against Erlang A.
#include <cstdio>
#include <string>

#include "switchboard/erlang.h"
#include "switchboard/sim/report.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"

namespace sb = switchboard;
namespace sim = switchboard::sim;

int main() {
  sim::Scenario scenario;
  scenario.name = "billing";
  scenario.duration_s = 4 * 3600;  // four hours of arrivals
  scenario.warmup_s = 1800;        // the first half hour is not measured

  sb::Queue billing;
  billing.id = sb::QueueId("billing");
  billing.channels = {sb::Channel::kVoice};
  billing.service_level = {0.8, absl::Seconds(20)};
  scenario.queues.push_back(billing);

  sim::AgentGroup agents;
  agents.name = "agent";
  agents.count = 18;
  agents.profile.capacities = {sb::DefaultCapacity(sb::Channel::kVoice)};
  agents.profile.queues = {{billing.id, /*priority=*/1, absl::ZeroDuration()}};
  scenario.agent_groups.push_back(agents);

  sim::ContactType calls;
  calls.name = "call";
  calls.queue = billing.id;
  calls.rate_per_hour = 360;                                 // 0.1 per second
  calls.service = sim::Distribution::Exponential(180);       // AHT 3 minutes
  calls.patience = sim::Distribution::Exponential(120);      // callers hang up
  scenario.contact_types.push_back(calls);

  sim::ExperimentOptions options;
  options.strategies = {"longest-idle", "round-robin"};
  options.replications = 10;
  options.seed = 42;
  absl::StatusOr<sim::Experiment> experiment = sim::RunExperiment(scenario, options);
  if (!experiment.ok()) {
    std::fprintf(stderr, "%s\n", std::string(experiment.status().message()).c_str());
    return 1;
  }
  std::fputs(sim::FormatKpiTables(*experiment).c_str(), stdout);

  sb::QueueingInput in;
  in.arrival_rate = 0.1;
  in.handle_time = 180;
  in.agents = 18;
  in.target = 20;
  in.patience = 120;
  absl::StatusOr<sb::ErlangAResult> erlang = sb::ErlangA(in);
  const sim::KpiEstimate sl = experiment->strategies[0].Estimate(&sim::Kpis::service_level);
  std::printf("\nservice level: simulated %.3f +- %.3f, Erlang A %.3f\n", sl.mean, sl.half_width,
              erlang.ok() ? erlang->service_level : 0.0);
  return 0;
}
