// The simulator's speed on a large multi-skill center: one million contacts through 1,000 agents
// (20 queues, each agent in 4 of them with matching skills, voice and chat, exponential patience,
// 5% declined offers) driving the real Router. Reports simulated contacts per second and routing
// decisions (offers) per second of wall time. Target: 1M contacts in under 2 s (Release).
//
//   cmake -S . -B build-sim-release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-sim-release --target sim_benchmark
//   build-sim-release/benchmarks/sim_benchmark --benchmark_filter=LargeCenter
#include <algorithm>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "switchboard/sim/simulator.h"

namespace sim = switchboard::sim;
namespace sb = switchboard;

namespace {

constexpr int kQueues = 20;
constexpr int kAgents = 1000;
constexpr int kQueuesPerAgent = 4;
constexpr double kAhtS = 240;
constexpr double kLoad = 0.9;  // offered load over capacity

// 1,000 agents in 50 groups of 20; group g serves queues g, g+5, g+10, g+15 (mod 20) with a
// skill per queue, voice exclusive plus two chats when not on a call.
sim::Scenario LargeCenter(double contacts) {
  sim::Scenario s;
  s.name = "large_center";
  s.interval_s = 3600;
  s.replications = 1;
  for (int q = 0; q < kQueues; ++q) {
    sb::Queue queue;
    queue.id = sb::QueueId(fmt::format("q{}", q));
    queue.channels = {sb::Channel::kVoice, sb::Channel::kChat};
    queue.required_skills = {{fmt::format("skill{}", q), 3, true}};
    s.queues.push_back(queue);
  }
  constexpr int kGroups = 50;
  for (int g = 0; g < kGroups; ++g) {
    sim::AgentGroup group;
    group.name = fmt::format("g{}", g);
    group.count = kAgents / kGroups;
    group.decline_probability = 0.05;
    group.profile.capacities = {{sb::Channel::kVoice, 1, 100}, {sb::Channel::kChat, 2, 50}};
    for (int k = 0; k < kQueuesPerAgent; ++k) {
      const int q = (g + k * (kQueues / kQueuesPerAgent)) % kQueues;
      group.profile.skills.push_back({fmt::format("skill{}", q), 3 + (g + k) % 7});
      group.profile.queues.push_back(
          {sb::QueueId(fmt::format("q{}", q)), 1 + k, absl::ZeroDuration()});
    }
    s.agent_groups.push_back(group);
  }
  // Capacity: kAgents agents / kAhtS per agent-second; voice 70% of the contacts, chat 30%.
  const double rate_per_s = kLoad * kAgents / kAhtS;
  s.duration_s = contacts / rate_per_s;
  for (int q = 0; q < kQueues; ++q) {
    for (sb::Channel channel : {sb::Channel::kVoice, sb::Channel::kChat}) {
      sim::ContactType t;
      const bool voice = channel == sb::Channel::kVoice;
      t.name = fmt::format("{}-{}", voice ? "call" : "chat", q);
      t.queue = sb::QueueId(fmt::format("q{}", q));
      t.channel = channel;
      t.rate_per_hour = 3600 * rate_per_s / kQueues * (voice ? 0.7 : 0.3);
      t.service = sim::Distribution::Exponential(voice ? kAhtS : 1.5 * kAhtS);
      t.patience = sim::Distribution::Exponential(180);
      s.contact_types.push_back(t);
    }
  }
  return s;
}

void BM_LargeCenter(benchmark::State& state) {
  const sim::Scenario scenario = LargeCenter(static_cast<double>(state.range(0)));
  sim::RunOptions options{"longest-idle", 1, {}};
  // Arg 1 selects the router's linear-scan baseline, measured in the same run.
  options.selection = state.range(1) ? sb::SelectionMode::kLinearScan : sb::SelectionMode::kIndexed;
  std::int64_t contacts = 0;
  std::int64_t decisions = 0;
  std::int64_t events = 0;
  std::int64_t calls = 0;
  double sl = 0;
  for (auto _ : state) {
    auto r = sim::RunScenario(scenario, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    contacts += r->contacts_simulated;
    decisions += r->routing_decisions;
    events += r->events;
    calls += r->router_calls;
    sl = sim::ComputeKpis(r->overall).service_level;
  }
  state.counters["contacts/s"] =
      benchmark::Counter(static_cast<double>(contacts), benchmark::Counter::kIsRate);
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["contacts"] = static_cast<double>(contacts) / state.iterations();
  state.counters["router_calls/contact"] =
      static_cast<double>(calls) / static_cast<double>(std::max<std::int64_t>(1, contacts));
  state.counters["service_level"] = sl;
}
BENCHMARK(BM_LargeCenter)
    ->ArgNames({"contacts", "scan"})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The single-queue M/M/n scenario of the validation tests, for the per-contact cost on a small
// center.
void BM_SmallQueue(benchmark::State& state) {
  sim::Scenario s;
  s.name = "mmn";
  s.duration_s = 8 * 3600;
  sb::Queue q;
  q.id = sb::QueueId("q");
  q.channels = {sb::Channel::kVoice};
  s.queues = {q};
  sim::AgentGroup g;
  g.name = "a";
  g.count = 20;
  g.profile.capacities = {sb::DefaultCapacity(sb::Channel::kVoice)};
  g.profile.queues = {{sb::QueueId("q"), 1, absl::ZeroDuration()}};
  s.agent_groups = {g};
  sim::ContactType t;
  t.name = "call";
  t.queue = sb::QueueId("q");
  t.rate_per_hour = 360;
  t.service = sim::Distribution::Exponential(180);
  s.contact_types = {t};
  std::int64_t contacts = 0;
  for (auto _ : state) {
    auto r = sim::RunScenario(s, {"longest-idle", 1, {}});
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    contacts += r->contacts_simulated;
  }
  state.counters["contacts/s"] =
      benchmark::Counter(static_cast<double>(contacts), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SmallQueue)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
