// Cost of the queueing formulas and staffing searches, small and large centers.
#include <benchmark/benchmark.h>

#include "switchboard/erlang.h"

namespace sb = switchboard;

namespace {

sb::QueueingInput Input(double load) {
  sb::QueueingInput in;
  in.handle_time = 300.0;
  in.arrival_rate = load / in.handle_time;
  in.agents = static_cast<int>(load * 1.02) + 2;
  in.patience = 180.0;
  in.target = 20.0;
  return in;
}

void BM_ErlangC(benchmark::State& state) {
  const sb::QueueingInput in = Input(static_cast<double>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sb::ErlangC(in));
}
BENCHMARK(BM_ErlangC)->Arg(10)->Arg(1000)->Arg(6000);

void BM_ErlangA(benchmark::State& state) {
  const sb::QueueingInput in = Input(static_cast<double>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sb::ErlangA(in));
}
BENCHMARK(BM_ErlangA)->Arg(10)->Arg(1000)->Arg(6000);

void BM_StaffErlangC(benchmark::State& state) {
  const sb::QueueingInput in = Input(static_cast<double>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(sb::RequiredAgents(sb::QueueModel::kErlangC, in, {}));
  }
}
BENCHMARK(BM_StaffErlangC)->Arg(10)->Arg(1000)->Arg(6000);

void BM_StaffErlangA(benchmark::State& state) {
  const sb::QueueingInput in = Input(static_cast<double>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(sb::RequiredAgents(sb::QueueModel::kErlangA, in, {}));
  }
}
BENCHMARK(BM_StaffErlangA)->Arg(10)->Arg(1000)->Arg(6000);

}  // namespace

BENCHMARK_MAIN();
