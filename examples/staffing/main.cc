// Staffing a morning from an interval forecast with Erlang C and Erlang A, then reading the
// measures of what actually happened. docs/measures.md walks through this program.
#include <cstdio>
#include <vector>

#include "switchboard/erlang.h"
#include "switchboard/metrics.h"

namespace sb = switchboard;

int main() {
  // --- Plan: agents per 30-minute interval for 80% answered within 20 s. ---
  struct Interval {
    const char* start;
    double calls;  // forecast calls in the 30 minutes
  };
  const std::vector<Interval> forecast = {
      {"08:00", 60}, {"08:30", 100}, {"09:00", 180}, {"09:30", 240}, {"10:00", 210}};
  const sb::StaffingTarget sl_80{sb::StaffingGoal::kServiceLevel, 0.8};

  std::printf("start  calls  load  C:agents  C:SL   C:ASA   A:agents  A:SL   A:abandon\n");
  for (const Interval& i : forecast) {
    sb::QueueingInput in;
    in.arrival_rate = i.calls / 1800.0;  // per second
    in.handle_time = 180.0;              // AHT: talk + hold + wrap, seconds
    in.target = 20.0;                    // the "20" of 80/20
    in.patience = 120.0;                 // mean patience, for Erlang A

    const int c_agents = sb::RequiredAgents(sb::QueueModel::kErlangC, in, sl_80).value();
    const int a_agents = sb::RequiredAgents(sb::QueueModel::kErlangA, in, sl_80).value();
    in.agents = c_agents;
    const sb::ErlangCResult c = sb::ErlangC(in).value();
    in.agents = a_agents;
    const sb::ErlangAResult a = sb::ErlangA(in).value();
    std::printf("%s  %5.0f  %4.1f  %8d  %4.1f%%  %5.1fs  %8d  %4.1f%%  %8.1f%%\n", i.start,
                i.calls, in.OfferedLoad(), c_agents, 100 * c.service_level, c.asa, a_agents,
                100 * a.service_level, 100 * a.p_abandon);
  }

  // --- Measure: what the queue actually did (waits in seconds). ---
  sb::QueueMeasures day =
      sb::QueueMeasures::Create({/*target=*/20.0, /*short_abandon=*/5.0}).value();
  for (double wait : {0.0, 4.0, 12.0, 19.0, 26.0, 41.0}) {
    if (!day.RecordAnswered(wait, {/*talk=*/150, /*hold=*/10, /*wrap=*/25}).ok()) return 1;
  }
  for (double wait : {2.0, 33.0}) {
    if (!day.RecordAbandoned(wait).ok()) return 1;
  }
  using D = sb::ServiceLevelDefinition;
  std::printf("\nservice level: %.1f%% of offered, %.1f%% of answered, %.1f%% without short "
              "abandons\n",
              100 * *day.ServiceLevel(D::kAnsweredOverOffered),
              100 * *day.ServiceLevel(D::kAnsweredOverAnswered),
              100 * *day.ServiceLevel(D::kExcludeShortAbandons));
  std::printf("ASA %.1f s, abandonment %.1f%%, AHT %.0f s\n", *day.Asa(),
              100 * *day.AbandonmentRate(), *day.Aht());

  // --- Compare: a simulated service level from five replications, with its 95% interval. ---
  const std::vector<double> replications = {0.812, 0.797, 0.830, 0.806, 0.821};
  const sb::ConfidenceInterval ci = sb::MeanConfidenceInterval(replications).value();
  std::printf("simulated service level %.3f +- %.3f (95%%, %d replications)\n", ci.mean,
              ci.half_width, ci.count);
  return 0;
}
