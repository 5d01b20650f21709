// The simulator against queueing theory and against itself: simulated M/M/n and M/M/n+M agree
// with Erlang C and Erlang A within the 95% confidence intervals of independent replications;
// the same seed gives the same results; strategies see identical traffic; returning customers,
// declines, missed offers, shifts, transfers and trace replay behave as documented.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "switchboard/erlang.h"
#include "switchboard/metrics.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"

namespace sim = switchboard::sim;
namespace sb = switchboard;
using Catch::Matchers::Contains;

namespace {

std::string ScenarioPath(const char* name) {
  return std::string(SWITCHBOARD_SOURCE_DIR) + "/benchmarks/scenarios/" + name;
}

sim::Scenario Load(const char* name) {
  auto s = sim::LoadScenarioFile(ScenarioPath(name));
  INFO(s.status().message());
  REQUIRE(s.ok());
  return *s;
}

sim::Experiment RunOne(const sim::Scenario& s, const std::string& strategy, int replications,
                       std::uint64_t seed) {
  sim::ExperimentOptions options;
  options.strategies = {strategy};
  options.replications = replications;
  options.seed = seed;
  auto e = sim::RunExperiment(s, options);
  INFO(e.status().message());
  REQUIRE(e.ok());
  return *e;
}

// The formula's value must lie in the replications' 95% interval.
void CheckWithin(const sim::StrategyResult& r, double sim::Kpis::*field, double expected,
                 const char* name) {
  const sim::KpiEstimate e = r.Estimate(field);
  INFO(name << ": simulated " << e.mean << " +- " << e.half_width << ", formula " << expected);
  CHECK(e.n >= 10);
  CHECK(e.half_width > 0);
  CHECK(std::abs(e.mean - expected) <= e.half_width);
}

// A small single-queue scenario built in code.
sim::Scenario SingleQueue(int agents, double rate_per_hour, double aht_s) {
  sim::Scenario s;
  s.name = "single";
  s.duration_s = 4 * 3600;
  sb::Queue q;
  q.id = sb::QueueId("q");
  q.channels = {sb::Channel::kVoice};
  s.queues = {q};
  sim::AgentGroup g;
  g.name = "a";
  g.count = agents;
  g.profile.capacities = {sb::DefaultCapacity(sb::Channel::kVoice)};
  g.profile.queues = {{sb::QueueId("q"), 1, absl::ZeroDuration()}};
  s.agent_groups = {g};
  sim::ContactType t;
  t.name = "call";
  t.queue = sb::QueueId("q");
  t.rate_per_hour = rate_per_hour;
  t.service = sim::Distribution::Exponential(aht_s);
  s.contact_types = {t};
  s.replications = 1;
  return s;
}

}  // namespace

TEST_CASE("simulated M/M/n agrees with Erlang C") {
  const sim::Scenario s = Load("mmn.textproto");  // 0.1 calls/s, AHT 180 s, 20 agents, T 20 s
  const std::uint64_t seed = 2026;
  INFO("seed " << seed);
  const sim::Experiment e = RunOne(s, "longest-idle", 10, seed);
  sb::QueueingInput in;
  in.arrival_rate = 0.1;
  in.handle_time = 180;
  in.agents = 20;
  in.target = 20;
  auto c = sb::ErlangC(in);
  REQUIRE(c.ok());
  const sim::StrategyResult& r = e.strategies[0];
  CHECK(r.Estimate(&sim::Kpis::offered).mean > 2000);  // per replication: enough to matter
  CheckWithin(r, &sim::Kpis::service_level, c->service_level, "service level");
  CheckWithin(r, &sim::Kpis::asa_s, c->asa, "ASA");
  CheckWithin(r, &sim::Kpis::occupancy, c->occupancy, "occupancy");
  CheckWithin(r, &sim::Kpis::avg_queue_length, c->mean_queue_length, "queue length");
  CHECK(r.Estimate(&sim::Kpis::abandoned).mean == 0);
}

TEST_CASE("simulated M/M/n+M agrees with Erlang A") {
  const sim::Scenario s = Load("mmn_m.textproto");  // as above, 18 agents, patience 120 s
  const std::uint64_t seed = 2026;
  INFO("seed " << seed);
  const sim::Experiment e = RunOne(s, "longest-idle", 10, seed);
  sb::QueueingInput in;
  in.arrival_rate = 0.1;
  in.handle_time = 180;
  in.agents = 18;
  in.target = 20;
  in.patience = 120;
  auto a = sb::ErlangA(in);
  REQUIRE(a.ok());
  const sim::StrategyResult& r = e.strategies[0];
  CheckWithin(r, &sim::Kpis::service_level, a->service_level, "service level");
  CheckWithin(r, &sim::Kpis::asa_s, a->asa, "ASA");
  CheckWithin(r, &sim::Kpis::abandonment_rate, a->p_abandon, "abandonment");
  CheckWithin(r, &sim::Kpis::occupancy, a->occupancy, "occupancy");
  CheckWithin(r, &sim::Kpis::avg_abandon_wait_s, a->mean_wait_of_abandoned, "abandoners' wait");
}

TEST_CASE("the JSON and text forms of a scenario give identical results") {
  const sim::Scenario text = Load("mmn.textproto");
  const sim::Scenario json = Load("mmn.json");
  auto a = sim::RunScenario(text, {"longest-idle", 3, {}});
  auto b = sim::RunScenario(json, {"longest-idle", 3, {}});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->overall.offered > 0);
  CHECK(a->overall.offered == b->overall.offered);
  CHECK(a->overall.wait_answered_s == b->overall.wait_answered_s);
  CHECK(a->overall.busy_agent_s == b->overall.busy_agent_s);
}

TEST_CASE("same scenario and seed give the same results; another seed does not") {
  const sim::Scenario s = Load("blended.textproto");
  auto a = sim::RunScenario(s, {"best-skill", 99, {}});
  auto b = sim::RunScenario(s, {"best-skill", 99, {}});
  auto c = sim::RunScenario(s, {"best-skill", 100, {}});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(a->overall.offered == b->overall.offered);
  CHECK(a->overall.answered_within_target == b->overall.answered_within_target);
  CHECK(a->overall.wait_answered_s == b->overall.wait_answered_s);
  CHECK(a->overall.busy_agent_s == b->overall.busy_agent_s);
  CHECK(a->routing_decisions == b->routing_decisions);
  CHECK(a->events == b->events);
  CHECK(a->overall.offered != c->overall.offered);
}

TEST_CASE("strategies are compared on identical traffic (common random numbers)") {
  const sim::Scenario s = Load("blended.textproto");
  sim::ExperimentOptions options;
  options.strategies = {"longest-idle", "best-skill", "round-robin"};
  options.replications = 2;
  auto e = sim::RunExperiment(s, options);
  REQUIRE(e.ok());
  REQUIRE(e->strategies.size() == 3);
  for (int r = 0; r < 2; ++r) {
    const sim::RunResult& base = e->strategies[0].replications[r];
    for (const sim::StrategyResult& other : e->strategies) {
      const sim::RunResult& run = other.replications[r];
      INFO(other.strategy << " replication " << r);
      CHECK(run.seed == base.seed);
      for (size_t i = 0; i < run.per_interval.size(); ++i) {
        CHECK(run.per_interval[i].offered == base.per_interval[i].offered);
      }
    }
  }
  // Pairing on identical traffic: a strategy against itself differs by exactly 0, and the
  // paired interval is narrower than the two separate intervals together.
  const sim::KpiEstimate same = sim::EstimateDifference(e->strategies[1], e->strategies[1],
                                                        &sim::Kpis::service_level);
  CHECK(same.mean == 0);
  CHECK(same.half_width == 0);
  const sim::KpiEstimate paired = sim::EstimateDifference(e->strategies[2], e->strategies[0],
                                                          &sim::Kpis::asa_s);
  CHECK(paired.n == 2);
  CHECK(paired.half_width < e->strategies[2].Estimate(&sim::Kpis::asa_s).half_width +
                                e->strategies[0].Estimate(&sim::Kpis::asa_s).half_width);
  // Replications differ from each other.
  CHECK(e->strategies[0].replications[0].overall.offered !=
        e->strategies[0].replications[1].overall.offered);
  // The blended center transfers some sales calls to support.
  CHECK(e->strategies[0].Estimate(&sim::Kpis::transfers).mean > 0);
}

TEST_CASE("journeys on: fewer repeat contacts and shorter handling of returns") {
  sim::Scenario s = Load("journeys.textproto");
  s.returns.journeys = true;
  const sim::Experiment on = RunOne(s, "longest-idle", 3, 5);
  s.returns.journeys = false;
  const sim::Experiment off = RunOne(s, "longest-idle", 3, 5);
  const sim::StrategyResult& a = on.strategies[0];
  const sim::StrategyResult& b = off.strategies[0];
  // With journeys on, a real JourneyMerger holds every finished contact.
  CHECK(a.replications[0].journeys);
  CHECK(a.replications[0].journey_events == a.replications[0].overall.completed);
  CHECK_FALSE(b.replications[0].journeys);
  CHECK(b.replications[0].journey_events == 0);
  INFO("repeats on " << a.Estimate(&sim::Kpis::repeat_contacts).mean << " off "
                     << b.Estimate(&sim::Kpis::repeat_contacts).mean);
  CHECK(a.Estimate(&sim::Kpis::repeat_contacts).mean > 0);
  CHECK(a.Estimate(&sim::Kpis::repeat_contacts).mean <
        b.Estimate(&sim::Kpis::repeat_contacts).mean);
  CHECK(a.Estimate(&sim::Kpis::aht_s).mean < b.Estimate(&sim::Kpis::aht_s).mean);
  CHECK(a.Estimate(&sim::Kpis::resolution_rate).mean >
        b.Estimate(&sim::Kpis::resolution_rate).mean);
  // First contacts resolve at the configured 70% whatever the context (it only helps returns).
  CHECK(a.Estimate(&sim::Kpis::fcr).mean == Approx(0.7).margin(0.03));
  CHECK(b.Estimate(&sim::Kpis::fcr).mean == Approx(0.7).margin(0.03));
}

TEST_CASE("declined and missed offers happen at their set probabilities") {
  sim::Scenario s = SingleQueue(10, 120, 120);
  s.agent_groups[0].decline_probability = 0.2;
  s.agent_groups[0].miss_probability = 0.1;
  s.agent_groups[0].no_answer_away_s = 30;
  s.queues[0].offer_timeout = absl::Seconds(10);
  auto r = sim::RunScenario(s, {"longest-idle", 3, {}});
  REQUIRE(r.ok());
  const double offers = static_cast<double>(r->overall.offers);
  CHECK(offers > 500);
  CHECK(r->overall.declined / offers == Approx(0.2).margin(0.04));
  CHECK(r->overall.missed / offers == Approx(0.1).margin(0.03));
  // Nobody hangs up, so every contact is answered in the end, agents set away come back.
  CHECK(r->overall.answered == r->overall.offered);
}

TEST_CASE("agents work only during their shifts") {
  sim::Scenario s = SingleQueue(5, 60, 60);
  s.interval_s = 1800;
  s.agent_groups[0].shifts = {{3600, 4 * 3600}};
  auto r = sim::RunScenario(s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  // Contacts of the first hour wait for the shift: none is answered within 20 s.
  CHECK(r->per_interval[0].offered > 0);
  CHECK(r->per_interval[0].answered == r->per_interval[0].offered);
  CHECK(r->per_interval[0].answered_within_target == 0);
  CHECK(r->per_interval[0].staffed_agent_s == 0);
  CHECK(r->per_interval[2].staffed_agent_s == Approx(5 * 1800.0));
  CHECK(r->per_interval[3].answered_within_target > 0);
}

TEST_CASE("an agent finishing a contact after the shift is staffed until it completes") {
  // One agent on shift [0, 1000) takes a 500 s call at 900: it works until 1400, overtime.
  sim::Scenario s = SingleQueue(1, 0, 60);
  s.duration_s = 3600;
  s.interval_s = 600;
  s.agent_groups[0].shifts = {{0, 1000}};
  s.trace.emplace();
  sim::TraceRecord call;
  call.arrival_s = 900;
  call.type = "call";
  call.service_s = 500;
  s.trace->records = {call};
  auto r = sim::RunScenario(s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  CHECK(r->overall.busy_agent_s == Approx(500));
  CHECK(r->overall.staffed_agent_s == Approx(1400));
  CHECK(r->per_queue[0].staffed_agent_s == Approx(1400));
  REQUIRE(r->per_interval.size() == 6);
  CHECK(r->per_interval[1].staffed_agent_s == Approx(600));
  CHECK(r->per_interval[2].busy_agent_s == Approx(200));
  CHECK(r->per_interval[2].staffed_agent_s == Approx(200));  // 1200..1400
  CHECK(r->per_interval[3].staffed_agent_s == 0);

  // Chats held at once end out of order: the gap between two shifts is still overtime when a
  // chat taken in the first shift ends after one taken in the second.
  sim::Scenario chat = SingleQueue(1, 0, 60);
  chat.duration_s = 3600;
  chat.interval_s = 600;
  chat.queues[0].channels = {sb::Channel::kChat};
  chat.agent_groups[0].profile.capacities = {sb::DefaultCapacity(sb::Channel::kChat)};
  chat.agent_groups[0].shifts = {{0, 1000}, {1100, 2000}};
  chat.contact_types[0].channel = sb::Channel::kChat;
  chat.trace.emplace();
  sim::TraceRecord first = call;  // 900..1500
  first.service_s = 600;
  sim::TraceRecord second = call;  // 1150..1300
  second.arrival_s = 1150;
  second.service_s = 150;
  chat.trace->records = {first, second};
  auto c = sim::RunScenario(chat, {"longest-idle", 1, {}});
  REQUIRE(c.ok());
  CHECK(c->overall.completed == 2);
  CHECK(c->overall.staffed_agent_s == Approx(1000 + 900 + 100));
  CHECK(c->per_interval[1].staffed_agent_s == Approx(600));

  // Many contacts running past the shift end (the reported case): occupancy stays in [0, 1]
  // overall, per queue and per interval.
  sim::Scenario busy = SingleQueue(2, 60, 2000);
  busy.duration_s = 3600;
  busy.interval_s = 600;
  busy.agent_groups[0].shifts = {{0, 1000}};
  busy.contact_types[0].service = sim::Distribution::Constant(2000);
  busy.contact_types[0].patience = sim::Distribution::Constant(30);
  auto b = sim::RunScenario(busy, {"longest-idle", 3, {}});
  REQUIRE(b.ok());
  CHECK(b->overall.busy_agent_s > 1000);
  CHECK(sim::ComputeKpis(b->overall).occupancy <= 1.0 + 1e-12);
  CHECK(sim::ComputeKpis(b->per_queue[0]).occupancy <= 1.0 + 1e-12);
  for (const sim::KpiCounters& k : b->per_interval) {
    CHECK(k.busy_agent_s <= k.staffed_agent_s + 1e-6);
    CHECK(sim::ComputeKpis(k).occupancy <= 1.0 + 1e-12);
  }
}

TEST_CASE("piecewise rates: an interval with rate 0 gets no arrivals") {
  sim::Scenario s = SingleQueue(5, 0, 60);
  s.contact_types[0].rates_per_hour = {100, 0, 300};
  s.duration_s = 3 * 1800;
  auto r = sim::RunScenario(s, {"longest-idle", 4, {}});
  REQUIRE(r.ok());
  REQUIRE(r->per_interval.size() == 3);
  CHECK(r->per_interval[0].offered > 20);
  CHECK(r->per_interval[1].offered == 0);
  CHECK(r->per_interval[2].offered > r->per_interval[0].offered);
}

TEST_CASE("Anonymous Bank day replays every real call") {
  const sim::Scenario s = Load("anonymous_bank_day.textproto");
  auto r = sim::RunScenario(s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  CHECK(r->overall.offered == 1551);
  CHECK(r->contacts_simulated == 1551);
  // Every call ends: answered, or hung up with its real patience.
  CHECK(r->overall.answered + r->overall.abandoned == 1551);
  CHECK(r->overall.abandoned <= 197);  // only the real abandoners have a finite patience
  CHECK(r->overall.abandoned > 0);
}

TEST_CASE("invalid scenarios and strategies are errors, not crashes") {
  sim::Scenario s = SingleQueue(2, 10, 60);
  s.contact_types[0].queue = sb::QueueId("missing");
  CHECK(sim::RunScenario(s, {}).status().code() == absl::StatusCode::kInvalidArgument);
  sim::Scenario ok = SingleQueue(2, 10, 60);
  CHECK_FALSE(sim::RunScenario(ok, {"no-such-strategy", 1, {}}).ok());
  ok.duration_s = -1;
  CHECK(sim::RunScenario(ok, {}).status().code() == absl::StatusCode::kInvalidArgument);
  // Values that validated once and then never finished (found by sim_scenario_garbage_test).
  sim::Scenario fast = SingleQueue(2, 10, 60);
  fast.contact_types[0].rate_per_hour = std::numeric_limits<double>::max();
  CHECK_THAT(std::string(fast.Validate().message()), Contains("rate_per_hour"));
  sim::Scenario late = SingleQueue(2, 10, 60);
  late.start = absl::FromUnixSeconds(std::numeric_limits<int64_t>::max());
  CHECK_THAT(std::string(late.Validate().message()), Contains("after 9999-12-31"));
  sim::Scenario endless = SingleQueue(2, 10, 60);
  endless.duration_s = 1e300;
  CHECK_THAT(std::string(endless.Validate().message()), Contains("duration_s"));
}
