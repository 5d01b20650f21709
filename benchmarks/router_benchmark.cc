// Decision cost of the Router, indexed selection against the linear-scan baseline in the same
// run, at 100 to 100,000 agents, plus memory per agent and per waiting contact.
//
// Workload (issue 3): 50 skills, 200 queues (150 voice, 50 chat; queue i asks skill i % 45 at 3+),
// each agent in 5 random queues with the skills they ask (proficiency 3..10), specialty skills
// 45..49 at 30% each, English for all, Spanish for 30%, French for 5%; about 40% of agents
// available, the rest away. 20% of contacts also ask a specialty skill, 15% ask Spanish.
//
//   enqueue_to_offer: Enqueue(contact) -> offer to an agent (timed), then Abandon (not timed).
//   agent_free_to_offer: French-speaking contacts wait (every French speaker is away); one
//     French speaker becomes available -> offer of the best waiting contact in its queues
//     (timed), then goes away again, which puts the contact back (not timed).
// Each timed call includes the index upkeep it causes. Per-call latencies are measured with
// steady_clock (manual time) so that the median is reported as well as the mean; the median and
// p99 are over the calls that ended in an offer (see Samples).
//
// Reproduce: cmake -S . -B build-routing-release -G Ninja -DCMAKE_BUILD_TYPE=Release &&
//   cmake --build build-routing-release --target router_benchmark &&
//   build-routing-release/benchmarks/router_benchmark
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/memory_context.h"
#include "switchboard/router.h"
#include "tests/live_heap_bytes.h"  // replaces operator new: bytes per agent and per contact

namespace sb = switchboard;

namespace {

constexpr int kQueues = 200;
constexpr int kVoiceQueues = 150;
constexpr int kQueueSkills = 45;  // skills 0..44 are asked by queues, 45..49 are specialties
constexpr int kSkills = 50;

std::string SkillName(int i) { return std::string("skill-").append(std::to_string(i)); }
sb::QueueId QueueName(int i) {
  return sb::QueueId(std::string("queue-").append(std::to_string(i)));
}

class CountingListener : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override {
    if (e.type == sb::RoutingEventType::kOffered) ++offers;
  }
  std::int64_t offers = 0;
};

struct Workload {
  Workload(int agents, sb::SelectionMode mode) : clock(absl::FromUnixSeconds(1'700'000'000)) {
    sb::RouterOptions options;
    options.selection = mode;
    router = sb::Router::Create(options, &clock, &listener).value();
    for (int i = 0; i < kQueues; ++i) CheckOk(router->AddQueue(MakeQueue(i)));
    bytes_before_agents = switchboard_testing::LiveHeapBytes();
    for (int i = 0; i < agents; ++i) CheckOk(router->AddAgent(MakeAgent(i)));
  }

  static void CheckOk(const absl::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "benchmark setup failed: %s\n", std::string(s.message()).c_str());
      std::abort();
    }
  }

  int Uniform(int lo, int hi) {
    return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  static sb::Queue MakeQueue(int i) {
    sb::Queue q;
    q.id = QueueName(i);
    q.tenant = sb::TenantId("acme");
    q.channels = {i < kVoiceQueues ? sb::Channel::kVoice : sb::Channel::kChat};
    q.required_skills = {{SkillName(i % kQueueSkills), 3, true}};
    return q;
  }

  sb::Agent MakeAgent(int i) {
    sb::Agent a;
    a.id = sb::AgentId(std::string("agent-").append(std::to_string(i)));
    a.tenant = sb::TenantId("acme");
    std::vector<int> queues;
    while (queues.size() < 5) {
      const int q = Uniform(0, kQueues - 1);
      if (std::find(queues.begin(), queues.end(), q) == queues.end()) queues.push_back(q);
    }
    std::vector<int> proficiency(kSkills, 0);
    for (int q : queues) {
      a.queues.push_back({QueueName(q), Uniform(1, 3), absl::ZeroDuration()});
      proficiency[q % kQueueSkills] = std::max(proficiency[q % kQueueSkills], Uniform(3, 10));
    }
    for (int s = kQueueSkills; s < kSkills; ++s) {
      if (Chance(30)) proficiency[s] = Uniform(5, 10);
    }
    for (int s = 0; s < kSkills; ++s) {
      if (proficiency[s] > 0) a.skills.push_back({SkillName(s), proficiency[s]});
    }
    a.languages = {"en"};
    if (Chance(30)) a.languages.push_back("es");
    const bool french = Chance(5);
    if (french) {
      a.languages.push_back("fr");
      french_speakers.push_back(a.id);
    }
    a.status.state = !french && Chance(42) ? sb::AgentState::kAvailable : sb::AgentState::kAway;
    return a;
  }

  sb::Contact MakeContact(int queue, const std::string& language) {
    sb::Contact c;
    c.id = sb::ContactId(std::string("contact-").append(std::to_string(next_contact++)));
    c.tenant = sb::TenantId("acme");
    c.channel = queue < kVoiceQueues ? sb::Channel::kVoice : sb::Channel::kChat;
    c.arrived_at = clock.Now();
    c.language = language;
    if (Chance(20)) c.required_skills = {{SkillName(Uniform(kQueueSkills, kSkills - 1)), 5, true}};
    return c;
  }

  sb::Contact RandomContact(int* queue) {
    *queue = Uniform(0, kQueues - 1);
    return MakeContact(*queue, Chance(15) ? "es" : "");
  }

  // Between timed calls, what a host's event loop does: move time on, re-arm its timer at
  // NextDeadline() (which drops the timers that answered or abandoned offers left moot; a call
  // would otherwise drop those that fell due before its own work), and Tick now and then.
  void Housekeeping() {
    clock.Advance(absl::Milliseconds(1));
    benchmark::DoNotOptimize(router->NextDeadline());
    if ((++calls & 1023) == 0) CheckOk(router->Tick());
  }

  sb::ManualClock clock;
  CountingListener listener;
  std::unique_ptr<sb::Router> router;
  std::mt19937_64 rng{20260101};
  std::vector<sb::AgentId> french_speakers;
  std::int64_t next_contact = 0;
  std::int64_t calls = 0;
  std::int64_t bytes_before_agents = 0;
  bool french_waiting = false;
};

// One workload at a time (100,000 agents twice would be wasteful), rebuilt when the arguments
// change. Google Benchmark calls a benchmark function several times with the same arguments.
Workload& GetWorkload(int agents, sb::SelectionMode mode) {
  static std::unique_ptr<Workload> cached;
  static int cached_agents = -1;
  static sb::SelectionMode cached_mode = sb::SelectionMode::kIndexed;
  if (cached == nullptr || cached_agents != agents || cached_mode != mode) {
    cached.reset();
    cached = std::make_unique<Workload>(agents, mode);
    cached_agents = agents;
    cached_mode = mode;
  }
  return *cached;
}

using Clock = std::chrono::steady_clock;

// Per-call latencies. The figures of record (p50_ns, p99_ns) are over the calls that ended in an
// offer, the decision the issue times: where some calls find nobody to offer (a contact that
// waits, an agent with nothing it may take; offer_rate says how many), those cheaper calls would
// otherwise pull the percentiles down. p50_all_ns is over every call.
struct Samples {
  void Add(double ns, bool offered) {
    all.push_back(ns);
    if (offered) this->offered.push_back(ns);
  }
  std::vector<double> all;
  std::vector<double> offered;
};

double Percentile(std::vector<double>& v, int percent) {
  std::sort(v.begin(), v.end());
  return v[v.size() * static_cast<std::size_t>(percent) / 100];
}

void Report(benchmark::State& state, Samples& samples) {
  if (samples.all.empty()) return;
  state.counters["offer_rate"] = static_cast<double>(samples.offered.size()) /
                                 static_cast<double>(samples.all.size());
  state.counters["p50_all_ns"] = Percentile(samples.all, 50);
  if (samples.offered.empty()) return;
  state.counters["p50_ns"] = Percentile(samples.offered, 50);
  state.counters["p99_ns"] = Percentile(samples.offered, 99);
}

void BM_EnqueueToOffer(benchmark::State& state) {
  const auto mode = static_cast<sb::SelectionMode>(state.range(1));
  Workload& w = GetWorkload(static_cast<int>(state.range(0)), mode);
  int queue = 0;
  for (int i = 0; i < 2000; ++i) {  // warm-up: builds the pools the contact mix needs
    const sb::Contact c = w.RandomContact(&queue);
    Workload::CheckOk(w.router->Enqueue(c, QueueName(queue)));
    Workload::CheckOk(w.router->Abandon(c.id));
  }
  Samples samples;
  for (auto _ : state) {
    const sb::Contact c = w.RandomContact(&queue);
    const sb::QueueId q = QueueName(queue);
    const std::int64_t offers_before = w.listener.offers;
    const auto t0 = Clock::now();
    const absl::Status s = w.router->Enqueue(c, q);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(s);
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(ns * 1e-9);
    samples.Add(ns, w.listener.offers > offers_before);
    Workload::CheckOk(w.router->Abandon(c.id));
    w.Housekeeping();
  }
  Report(state, samples);
}

void BM_AgentFreeToOffer(benchmark::State& state) {
  const auto mode = static_cast<sb::SelectionMode>(state.range(1));
  const int agents = static_cast<int>(state.range(0));
  Workload& w = GetWorkload(agents, mode);
  if (!w.french_waiting) {  // French-speaking contacts that no available agent can take
    for (int i = 0; i < std::max(20, agents / 10); ++i) {
      const int queue = w.Uniform(0, kQueues - 1);
      const sb::Contact c = w.MakeContact(queue, "fr");
      Workload::CheckOk(w.router->Enqueue(c, QueueName(queue)));
    }
    w.french_waiting = true;
  }
  Samples samples;
  std::size_t next = 0;
  for (auto _ : state) {
    const sb::AgentId& agent = w.french_speakers[next++ % w.french_speakers.size()];
    const std::int64_t offers_before = w.listener.offers;
    const auto t0 = Clock::now();
    const absl::Status s = w.router->SetAgentState(agent, sb::AgentState::kAvailable);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(s);
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(ns * 1e-9);
    samples.Add(ns, w.listener.offers > offers_before);
    Workload::CheckOk(w.router->SetAgentState(agent, sb::AgentState::kAway, "benchmark"));
    w.Housekeeping();
  }
  Report(state, samples);
}

void BM_Memory(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    Workload w(agents, sb::SelectionMode::kIndexed);
    int queue = 0;
    // Steady operation first: the orderings of every contact signature the measured contacts use
    // exist (they belong to the agents' side: one slot per qualifying agent), so what follows
    // measures what one more waiting contact costs.
    for (int i = 0; i < 4000; ++i) {
      const sb::Contact c = w.RandomContact(&queue);
      Workload::CheckOk(w.router->Enqueue(c, QueueName(queue)));
      Workload::CheckOk(w.router->Abandon(c.id));
    }
    for (int q = 0; q < kQueues; ++q) {
      for (int skill = -1; skill < kSkills - kQueueSkills; ++skill) {
        sb::Contact c = w.MakeContact(q, "fr");
        c.required_skills.clear();
        if (skill >= 0) c.required_skills = {{SkillName(kQueueSkills + skill), 5, true}};
        Workload::CheckOk(w.router->Enqueue(c, QueueName(q)));
        Workload::CheckOk(w.router->Abandon(c.id));
      }
    }
    const std::int64_t after_agents = switchboard_testing::LiveHeapBytes();
    const int contacts = std::max(1000, agents / 10);
    for (int i = 0; i < contacts; ++i) {
      const int q = w.Uniform(0, kQueues - 1);
      Workload::CheckOk(w.router->Enqueue(w.MakeContact(q, "fr"), QueueName(q)));
    }
    const std::int64_t after_contacts = switchboard_testing::LiveHeapBytes();
    state.counters["bytes_per_agent"] =
        static_cast<double>(after_agents - w.bytes_before_agents) / agents;
    state.counters["bytes_per_waiting_contact"] =
        static_cast<double>(after_contacts - after_agents) / contacts;
    state.ResumeTiming();
  }
}

// An agent's away -> available change after `sets` distinct requirement sets came and went:
// 200 agents in one queue with every one of 20 skills at level 10; contact i asks the i-th pair
// of skills at minimums 1..10 (19,000 distinct sets), is answered and completed. One contact
// nobody can take waits throughout, so each change also looks for a contact. The ratio of
// interest is `sets:4000` against `sets:0` in the same run: the upkeep of sets no contact needs
// any more. Not part of issue 3's workload.
void BM_StateChangeAfterSets(benchmark::State& state) {
  const int sets = static_cast<int>(state.range(0));
  const bool best_skill = state.range(1) != 0;
  const auto mode = static_cast<sb::SelectionMode>(state.range(2));
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  sb::RouterOptions options;
  options.selection = mode;
  options.strategy = best_skill ? "best-skill" : "longest-idle";
  auto router = sb::Router::Create(options, &clock, nullptr).value();
  sb::Queue q = Workload::MakeQueue(0);
  q.required_skills.clear();
  Workload::CheckOk(router->AddQueue(q));
  constexpr int kAgents = 200;
  std::vector<sb::AgentId> agents;
  for (int i = 0; i < kAgents; ++i) {
    sb::Agent a;
    a.id = sb::AgentId(std::string("agent-").append(std::to_string(i)));
    a.tenant = sb::TenantId("acme");
    a.queues.push_back({q.id, 1, absl::ZeroDuration()});
    for (int s = 0; s < 20; ++s) a.skills.push_back({SkillName(s), 10});
    a.status.state = sb::AgentState::kAvailable;
    Workload::CheckOk(router->AddAgent(a));
    agents.push_back(a.id);
  }
  auto contact = [&](const std::string& id) {
    sb::Contact c;
    c.id = sb::ContactId(id);
    c.tenant = sb::TenantId("acme");
    c.arrived_at = clock.Now();
    return c;
  };
  int set = 0;
  for (int first = 0; first < 20 && set < sets; ++first) {
    for (int second = first + 1; second < 20 && set < sets; ++second) {
      for (int level = 0; level < 100 && set < sets; ++level, ++set) {
        sb::Contact c = contact(std::string("c").append(std::to_string(set)));
        c.required_skills = {{SkillName(first), 1 + level % 10, true},
                             {SkillName(second), 1 + level / 10, true}};
        Workload::CheckOk(router->Enqueue(c, q.id));
        const auto offer = router->CurrentOffer(c.id).value();
        if (!offer.has_value()) Workload::CheckOk(absl::InternalError("no offer"));
        Workload::CheckOk(router->Accept(offer->id));
        clock.Advance(absl::Milliseconds(1));
        Workload::CheckOk(router->Complete(c.id, ""));
        clock.Advance(absl::Milliseconds(1));
      }
    }
  }
  sb::Contact stuck = contact("stuck");
  stuck.required_skills = {{"nobody-has-this", 1, true}};
  Workload::CheckOk(router->Enqueue(stuck, q.id));
  std::vector<double> samples;
  std::size_t next = 0;
  for (auto _ : state) {
    const sb::AgentId& agent = agents[next++ % agents.size()];
    Workload::CheckOk(router->SetAgentState(agent, sb::AgentState::kAway, "benchmark"));
    clock.Advance(absl::Milliseconds(1));
    const auto t0 = Clock::now();
    const absl::Status s = router->SetAgentState(agent, sb::AgentState::kAvailable);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(s);
    clock.Advance(absl::Milliseconds(1));
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(ns * 1e-9);
    samples.push_back(ns);
  }
  if (!samples.empty()) state.counters["p50_ns"] = Percentile(samples, 50);
}

// An overflow agent (membership delay 60 s) frees up while `waiting` priority contacts, all
// younger than its delay, wait before the one normal contact that has waited it out: the timed
// call finds that one. The agent then goes away again (its offer rescinded, the contact back in
// the queue) with the clock standing still, so every call meets the same queue. The ratio of
// interest is `waiting:10000` against `waiting:100`, and against the scan. Not part of issue
// 3's workload.
void BM_DelayedAgentFree(benchmark::State& state) {
  const int waiting = static_cast<int>(state.range(0));
  const auto mode = static_cast<sb::SelectionMode>(state.range(1));
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  sb::RouterOptions options;
  options.selection = mode;
  auto router = sb::Router::Create(options, &clock, nullptr).value();
  sb::Queue q = Workload::MakeQueue(0);
  q.required_skills.clear();
  q.max_waiting = 0;
  Workload::CheckOk(router->AddQueue(q));
  sb::Agent overflow;
  overflow.id = sb::AgentId("overflow");
  overflow.tenant = sb::TenantId("acme");
  overflow.queues.push_back({q.id, 1, absl::Seconds(60)});
  overflow.status.state = sb::AgentState::kAway;
  Workload::CheckOk(router->AddAgent(overflow));
  auto enqueue = [&](const std::string& id, int priority) {
    sb::Contact c;
    c.id = sb::ContactId(id);
    c.tenant = sb::TenantId("acme");
    c.arrived_at = clock.Now();
    c.priority = priority;
    Workload::CheckOk(router->Enqueue(c, q.id));
  };
  enqueue("old", 0);
  clock.Advance(absl::Seconds(61));
  for (int i = 0; i < waiting; ++i) enqueue(std::string("young-").append(std::to_string(i)), 5);
  std::vector<double> samples;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const absl::Status s = router->SetAgentState(overflow.id, sb::AgentState::kAvailable);
    const auto t1 = Clock::now();
    benchmark::DoNotOptimize(s);
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(ns * 1e-9);
    samples.push_back(ns);
    if (!router->CurrentOffer(sb::ContactId("old")).value().has_value()) {
      Workload::CheckOk(absl::InternalError("the old contact was not offered"));
    }
    Workload::CheckOk(router->SetAgentState(overflow.id, sb::AgentState::kAway, "benchmark"));
  }
  if (!samples.empty()) state.counters["p50_ns"] = Percentile(samples, 50);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int mode : {0, 1}) {
    for (int agents : {100, 1000, 10000, 100000}) b->Args({agents, mode});
  }
  b->ArgNames({"agents", "scan"});
  b->UseManualTime();
  b->Unit(benchmark::kNanosecond);
}

BENCHMARK(BM_EnqueueToOffer)->Apply(Args);
BENCHMARK(BM_AgentFreeToOffer)->Apply(Args);
BENCHMARK(BM_StateChangeAfterSets)
    ->ArgsProduct({{0, 4000}, {0, 1}, {0, 1}})
    ->ArgNames({"sets", "best_skill", "scan"})
    ->UseManualTime()
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_DelayedAgentFree)
    ->ArgsProduct({{100, 10000}, {0, 1}})
    ->ArgNames({"waiting", "scan"})
    ->UseManualTime()
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_Memory)->Arg(10000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  switchboard_bench::AddMemoryContext();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
