#include "switchboard/sim/simulator.h"

#include "src/internal/status_macros.h"
#include "src/sim/simulation.h"

namespace switchboard::sim {

absl::StatusOr<RunResult> RunScenario(const Scenario& scenario, const RunOptions& options) {
  SB_RETURN_IF_ERROR(scenario.Validate());
  internal_sim::Simulation simulation(scenario, options);
  return simulation.Run();
}

}  // namespace switchboard::sim
