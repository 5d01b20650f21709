// Scenario tests of every agent-selection strategy, with both selectors, plus the registry and a
// host-registered strategy.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;
using sbt::Harness;
using sbt::MakeAgent;
using sbt::MakeContact;
using sbt::MakeQueue;

namespace {

// A harness with one queue "q" (no wrap-up) and the given agents, added one second apart (so
// the first added is the longest idle) and all available.
struct StrategyHarness : Harness {
  StrategyHarness(sb::SelectionMode mode, const std::string& strategy,
                  const std::vector<sb::Agent>& agents)
      : Harness(sbt::OptionsFor(mode, strategy)) {
    REQUIRE(router->AddQueue(MakeQueue("q")).ok());
    for (const sb::Agent& a : agents) {
      REQUIRE(router->AddAgent(a).ok());
      Advance(absl::Seconds(1));
    }
  }
  // Enqueues a contact and returns who it was offered to.
  std::string Route(const std::string& id, Channel channel = Channel::kVoice) {
    REQUIRE(router->Enqueue(MakeContact(id, channel, clock.Now()), sb::QueueId("q")).ok());
    return OfferedTo(id);
  }
  // Routes, accepts, talks for `talk` and completes: the agent is available again.
  std::string Handle(const std::string& id, absl::Duration talk = absl::Seconds(10)) {
    const std::string agent = Route(id);
    REQUIRE_FALSE(agent.empty());
    AcceptOffer(id);
    Advance(talk);
    REQUIRE(router->Complete(sb::ContactId(id), "ok").ok());
    Advance(absl::Seconds(1));
    return agent;
  }
};

std::vector<sb::Agent> Agents(const std::vector<std::string>& ids) {
  std::vector<sb::Agent> out;
  for (const auto& id : ids) out.push_back(MakeAgent(id, {"q"}));
  return out;
}

}  // namespace

TEST_CASE("registry: built-in names, creation by name, unknown names") {
  const std::vector<std::string> names = sb::BuiltInAgentSelectionStrategyNames();
  CHECK(names == std::vector<std::string>{"longest-idle", "least-occupied", "round-robin",
                                          "fewest-contacts", "least-talk-time", "linear",
                                          "random", "weighted-random", "best-skill"});
  for (const std::string& name : names) {
    auto s = sb::CreateAgentSelectionStrategy(name);
    REQUIRE(s.ok());
    CHECK((*s)->Name() == name);
  }
  CHECK(sb::CreateAgentSelectionStrategy("ringall").status().code() ==
        absl::StatusCode::kInvalidArgument);
  sb::AgentSelectionStrategyRegistry registry;
  CHECK(registry.Names().size() == names.size());
  CHECK(registry.Register("longest-idle", [] {
                  return sb::CreateAgentSelectionStrategy("linear").value();
                }).code() == absl::StatusCode::kAlreadyExists);
  CHECK(registry.Register("", [] { return std::unique_ptr<sb::AgentSelectionStrategy>(); })
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(registry.Register("null", {}).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(registry.Register("misnamed", [] {
                    return sb::CreateAgentSelectionStrategy("linear").value();
                  }).ok());
  CHECK(registry.Create("misnamed").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(registry.Create("nope").status().code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(
      registry.Register("null-maker", [] { return std::unique_ptr<sb::AgentSelectionStrategy>(); })
          .ok());
  const auto made_null = registry.Create("null-maker");
  CHECK(made_null.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(made_null.status().message()),
             Catch::Matchers::Contains("the factory of strategy 'null-maker' returned null"));
}

TEST_CASE("longest-idle offers the agent idle the longest") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "longest-idle", Agents({"a", "b", "c"}));
  CHECK(h.Handle("c1") == "a");
  CHECK(h.Handle("c2") == "b");  // a is now the most recently active
  CHECK(h.Handle("c3") == "c");
  CHECK(h.Handle("c4") == "a");
  h.CheckInvariants();
}

TEST_CASE("least-occupied offers the agent with the lowest used/total capacity") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "least-occupied", Agents({"a", "b", "c"}));
  // One chat each (longest idle first), then c finishes its chat.
  for (const std::string id : {"x1", "x2", "x3"}) {
    REQUIRE_FALSE(h.Route(id, Channel::kChat).empty());
    h.AcceptOffer(id);
  }
  REQUIRE(h.AgentStatsOf("a").used_units == 33);
  REQUIRE(h.AgentStatsOf("b").used_units == 33);
  REQUIRE(h.AgentStatsOf("c").used_units == 33);
  REQUIRE(h.router->Complete(sb::ContactId("x3"), "ok").ok());  // c back to 0
  h.Advance(absl::Seconds(1));
  CHECK(h.Route("y1", Channel::kChat) == "c");  // 0 units beats 33 though idle shortest
  h.AcceptOffer("y1");
  // All at 33: the longest idle among equals wins (a, whose last change is oldest).
  CHECK(h.Route("y2", Channel::kChat) == "a");
  h.AcceptOffer("y2");
  CHECK(h.Route("y3", Channel::kChat) == "b");  // 33 < 66
  h.CheckInvariants();
}

TEST_CASE("round-robin resumes after the agent last offered a contact, per queue") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "round-robin", Agents({"a", "b", "c"}));
  CHECK(h.Handle("c1") == "a");
  CHECK(h.Handle("c2") == "b");
  CHECK(h.Handle("c3") == "c");
  CHECK(h.Handle("c4") == "a");  // wraps around
  REQUIRE(h.router->SetAgentState(sb::AgentId("b"), AgentState::kAway, "break").ok());
  CHECK(h.Handle("c5") == "c");  // b skipped
  CHECK(h.Handle("c6") == "a");
  h.CheckInvariants();
}

TEST_CASE("round-robin memory is kept per queue") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode, "round-robin"));
  REQUIRE(h.router->AddQueue(MakeQueue("q1")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("q2")).ok());
  for (const std::string id : {"a", "b", "c"}) {
    REQUIRE(h.router->AddAgent(MakeAgent(id, {"q1", "q2"})).ok());
  }
  auto handle = [&](const std::string& id, const std::string& queue) {
    REQUIRE(h.router->Enqueue(MakeContact(id), sb::QueueId(queue)).ok());
    const std::string agent = h.OfferedTo(id);
    h.AcceptOffer(id);
    REQUIRE(h.router->Complete(sb::ContactId(id), "ok").ok());
    return agent;
  };
  CHECK(handle("c1", "q1") == "a");
  CHECK(handle("c2", "q1") == "b");
  CHECK(handle("c3", "q2") == "a");  // q2 has its own memory
  CHECK(handle("c4", "q1") == "c");
}

TEST_CASE("fewest-contacts offers the agent who handled the fewest today") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "fewest-contacts", Agents({"a", "b", "c"}));
  REQUIRE(h.router->SetAgentState(sb::AgentId("b"), AgentState::kAway).ok());
  REQUIRE(h.router->SetAgentState(sb::AgentId("c"), AgentState::kAway).ok());
  CHECK(h.Handle("c1") == "a");
  CHECK(h.Handle("c2") == "a");
  REQUIRE(h.router->SetAgentState(sb::AgentId("b"), AgentState::kAvailable).ok());
  CHECK(h.Handle("c3") == "b");  // 0 < 2 although a idled longer
  REQUIRE(h.router->SetAgentState(sb::AgentId("c"), AgentState::kAvailable).ok());
  CHECK(h.Handle("c4") == "c");  // 0 handled
  CHECK(h.Handle("c5") == "b");  // b 1, c 1, a 2: b idle longer than c
  h.CheckInvariants();
}

TEST_CASE("least-talk-time offers the agent who talked the least today") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "least-talk-time", Agents({"a", "b"}));
  CHECK(h.Handle("c1", absl::Minutes(5)) == "a");
  CHECK(h.Handle("c2", absl::Minutes(1)) == "b");
  CHECK(h.Handle("c3", absl::Minutes(1)) == "b");  // 1 min < 5 min
  CHECK(h.Handle("c4", absl::Minutes(1)) == "b");  // 2 min < 5 min
  CHECK(h.Handle("c5", absl::Minutes(1)) == "b");  // 3 min
  CHECK(h.Handle("c6", absl::Minutes(1)) == "b");  // 4 min
  CHECK(h.Handle("c7", absl::Minutes(1)) == "a");  // b 5 min, a 5 min: a idle longer
  h.CheckInvariants();
}

TEST_CASE("linear always starts from the first agent added") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "linear", Agents({"c", "a", "b"}));  // added in that order
  CHECK(h.Handle("c1") == "c");
  CHECK(h.Handle("c2") == "c");
  CHECK(h.Route("c3") == "c");
  CHECK(h.Route("c4") == "a");  // c holds an offer
  CHECK(h.Route("c5") == "b");
  h.CheckInvariants();
}

namespace {

// Offers `n` contacts one at a time (each completed at once) and counts who got them.
std::map<std::string, int> Distribution(StrategyHarness& h, int n) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    const std::string id = std::string("c").append(std::to_string(i));
    REQUIRE(h.router->Enqueue(MakeContact(id), sb::QueueId("q")).ok());
    const std::string agent = h.OfferedTo(id);
    ++counts[agent];
    h.AcceptOffer(id);
    REQUIRE(h.router->Complete(sb::ContactId(id), "ok").ok());
  }
  return counts;
}

}  // namespace

TEST_CASE("random is seeded: reproducible, and spreads contacts evenly") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h1(mode, "random", Agents({"a", "b", "c"}));
  StrategyHarness h2(mode, "random", Agents({"a", "b", "c"}));
  const auto d1 = Distribution(h1, 3000);
  const auto d2 = Distribution(h2, 3000);
  CHECK(d1 == d2);  // same seed, same calls: same decisions
  REQUIRE(d1.size() == 3);
  for (const auto& [agent, count] : d1) {
    INFO(agent << " got " << count);
    CHECK(count > 850);  // 1000 expected; 850 is > 5 standard deviations away
    CHECK(count < 1150);
  }
  sb::RouterOptions other = sbt::OptionsFor(mode, "random");
  other.seed = 42;
  Harness h3(other);
  REQUIRE(h3.router->AddQueue(MakeQueue("q")).ok());
  for (const std::string id : {"a", "b", "c"}) REQUIRE(h3.router->AddAgent(MakeAgent(id, {"q"})).ok());
  std::vector<std::string> seq1, seq3;
  for (int i = 0; i < 30; ++i) {
    const std::string id = std::string("d").append(std::to_string(i));
    for (auto* h : {static_cast<Harness*>(&h1), &h3}) {
      REQUIRE(h->router->Enqueue(MakeContact(id), sb::QueueId("q")).ok());
      (h == &h3 ? seq3 : seq1).push_back(h->OfferedTo(id));
      h->AcceptOffer(id);
      REQUIRE(h->router->Complete(sb::ContactId(id), "ok").ok());
    }
  }
  CHECK(seq1 != seq3);  // another seed, another sequence
}

TEST_CASE("weighted-random favours priority-1 members over priority-3 ones, 3 to 1") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::Agent a = MakeAgent("a", {});
  a.queues = {{sb::QueueId("q"), 1, absl::ZeroDuration()}};
  sb::Agent b = MakeAgent("b", {});
  b.queues = {{sb::QueueId("q"), 3, absl::ZeroDuration()}};
  StrategyHarness h(mode, "weighted-random", {a, b});
  const auto d = Distribution(h, 4000);
  INFO("a " << d.at("a") << " b " << d.at("b"));
  CHECK(d.at("a") > 2800);  // 3000 expected
  CHECK(d.at("a") < 3200);
}

// UpdateAgent keeps an agent's race ticket, whose lead was drawn with its old weight: it is
// rescaled to the new weight, so a priority raised from 100 to 1 counts from the next contact.
// Before, b took 55 of the 400 contacts below instead of about 200.
TEST_CASE("weighted-random follows a membership priority changed by UpdateAgent at once") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  int b_wins = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    sb::RouterOptions o = sbt::OptionsFor(mode, "weighted-random");
    o.seed = seed;
    Harness h(o);
    REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("a", {"q"})).ok());
    sb::Agent b = MakeAgent("b", {});
    b.queues = {{sb::QueueId("q"), 100, absl::ZeroDuration()}};
    REQUIRE(h.router->AddAgent(b).ok());
    int n = 0;
    auto run = [&](int count) {
      int got = 0;
      for (int i = 0; i < count; ++i) {
        const std::string id = "k" + std::to_string(n++);
        REQUIRE(h.router->Enqueue(MakeContact(id, Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
                    .ok());
        got += h.OfferedTo(id) == "b" ? 1 : 0;
        h.AcceptOffer(id);
        REQUIRE(h.router->Complete(sb::ContactId(id), "").ok());
        h.clock.Advance(absl::Seconds(1));
      }
      return got;
    };
    run(10);
    b.queues = {{sb::QueueId("q"), 1, absl::ZeroDuration()}};  // now exactly as likely as a
    REQUIRE(h.router->UpdateAgent(b).ok());
    b_wins += run(20);
  }
  INFO("b won " << b_wins << " of 400 (about 200 expected)");
  CHECK(b_wins >= 160);
  CHECK(b_wins <= 240);
}

// The exponential race keeps each agent's ticket while the agent cannot run (away, busy); the
// race moves on without it. Back, it must rejoin with an even chance, not hold the lowest
// ticket by far and take every contact until the others' tickets are reached.
TEST_CASE("random: an agent back from a break gets an even chance, not every contact") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const std::string strategy = GENERATE(as<std::string>{}, "random", "weighted-random");
  INFO(strategy);
  StrategyHarness h(mode, strategy, Agents({"a", "b"}));
  REQUIRE(h.router->SetAgentState(sb::AgentId("a"), AgentState::kAway, "lunch").ok());
  for (int i = 0; i < 50; ++i) REQUIRE(h.Handle("before-" + std::to_string(i)) == "b");
  REQUIRE(h.router->SetAgentState(sb::AgentId("a"), AgentState::kAvailable).ok());
  int a = 0;
  for (int i = 0; i < 40; ++i) a += h.Handle("after-" + std::to_string(i)) == "a" ? 1 : 0;
  INFO("a took " << a << " of 40");
  CHECK(a > 8);  // 20 expected (equal weights); 8 and 32 are almost 4 standard deviations off
  CHECK(a < 32);
  h.CheckInvariants();
}

TEST_CASE("best-skill offers the highest summed proficiency on the required skills") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::Agent a = MakeAgent("a", {"q"});
  a.skills = {{"billing", 5}, {"spanish", 9}};
  sb::Agent b = MakeAgent("b", {"q"});
  b.skills = {{"billing", 9}};
  sb::Agent c = MakeAgent("c", {"q"});
  c.skills = {{"billing", 7}, {"spanish", 2}};
  sb::Agent d = MakeAgent("d", {"q"});
  d.skills = {{"billing", 9}};
  StrategyHarness h(mode, "best-skill", {a, b, c, d});
  sb::Contact plain = MakeContact("plain", Channel::kVoice, h.clock.Now());
  plain.required_skills = {{"billing", 3, true}};
  REQUIRE(h.router->Enqueue(plain, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("plain") == "b");  // 9, tie with d broken by longest idle
  sb::Contact bilingual = MakeContact("bilingual", Channel::kVoice, h.clock.Now());
  // The required billing decides (a 5, c 7, d 9): a's optional spanish (9) does not outweigh it.
  bilingual.required_skills = {{"billing", 3, true}, {"spanish", 5, false}};
  REQUIRE(h.router->Enqueue(bilingual, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("bilingual") == "d");
  h.CheckInvariants();
}

// Between agents equal on the required skills, the optional skills each meets break the tie
// before idle time does; one below an optional skill's minimum gets nothing for it.
TEST_CASE("best-skill: optional skills met break ties on the required ones") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::Agent idle_longest = MakeAgent("idle-longest", {"q"});
  idle_longest.skills = {{"billing", 6}, {"spanish", 4}};  // spanish below the minimum 5
  sb::Agent speaks = MakeAgent("speaks", {"q"});
  speaks.skills = {{"billing", 6}, {"spanish", 5}};
  sb::Agent fluent = MakeAgent("fluent", {"q"});
  fluent.skills = {{"billing", 6}, {"spanish", 8}};
  StrategyHarness h(mode, "best-skill", {idle_longest, speaks, fluent});
  sb::Contact first = MakeContact("first", Channel::kVoice, h.clock.Now());
  first.required_skills = {{"billing", 3, true}, {"spanish", 5, false}};
  REQUIRE(h.router->Enqueue(first, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("first") == "fluent");
  sb::Contact second = first;
  second.id = sb::ContactId("second");
  REQUIRE(h.router->Enqueue(second, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("second") == "speaks");
  sb::Contact third = first;
  third.id = sb::ContactId("third");
  REQUIRE(h.router->Enqueue(third, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("third") == "idle-longest");
  h.CheckInvariants();
}

namespace {

// A host strategy: agents with the highest "seniority" attribute first.
class SeniorFirst final : public sb::AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "senior-first"; }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override {
    auto it = in.attributes().find("seniority");
    const std::int64_t seniority = it == in.attributes().end() ? 0 : std::stoll(it->second);
    return sb::AgentRank{-seniority, 0, absl::ToUnixNanos(in.idle_since)};
  }
};

// A host strategy over the agent's identity and membership: agents at the "porto" site first,
// then team "gold", then membership priority, then the last letter of the agent id, latest
// first (so that the order differs from the order agents were added).
class HomeSiteFirst final : public sb::AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "home-site-first"; }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override {
    const bool at_home = in.site() == "porto";
    const bool gold =
        std::find(in.teams().begin(), in.teams().end(), "gold") != in.teams().end();
    const std::int64_t last_char = in.agent_id().empty() ? 0 : in.agent_id().back();
    return sb::AgentRank{(at_home ? 0 : 4) + (gold ? 0 : 2), 1.0 * in.membership_priority(),
                         -last_char};
  }
};

}  // namespace

TEST_CASE("a rank input the router did not make reads as an agent with nothing configured") {
  const sb::AgentRankInput in;
  CHECK(in.agent_id().empty());
  CHECK(in.site().empty());
  CHECK(in.teams().empty());
  CHECK(in.attributes().empty());
  CHECK(in.membership_priority() == 1);
  CHECK(in.membership_delay() == absl::ZeroDuration());
}

TEST_CASE("a host strategy sees the agent's id, site, teams and membership") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::AgentSelectionStrategyRegistry registry;
  REQUIRE(registry.Register("home-site-first", [] { return std::make_unique<HomeSiteFirst>(); })
              .ok());
  sb::RouterOptions options = sbt::OptionsFor(mode);
  options.strategies = &registry;
  Harness h(options);
  REQUIRE(h.router->AddQueue(MakeQueue("q"), "home-site-first").ok());
  // Added in this order; the expected offer order is d (porto, gold), b (porto, priority 1),
  // c (porto, priority 2), a (elsewhere).
  sb::Agent a = MakeAgent("a", {"q"});
  a.site = "lisbon";
  a.teams = {"gold"};
  sb::Agent b = MakeAgent("b", {"q"});
  b.site = "porto";
  sb::Agent c = MakeAgent("c", {"q"});
  c.site = "porto";
  c.queues[0].priority = 2;
  sb::Agent d = MakeAgent("d", {"q"});
  d.site = "porto";
  d.teams = {"silver", "gold"};
  d.queues[0].priority = 3;
  for (const sb::Agent& agent : {a, b, c, d}) REQUIRE(h.router->AddAgent(agent).ok());
  std::vector<std::string> order;
  for (const char* id : {"c1", "c2", "c3", "c4"}) {
    REQUIRE(h.router->Enqueue(MakeContact(id), sb::QueueId("q")).ok());
    order.push_back(h.OfferedTo(id));
    REQUIRE(h.router->Accept(sb::ContactId(id), sb::AgentId(order.back())).ok());
  }
  CHECK(order == std::vector<std::string>{"d", "b", "c", "a"});
  h.CheckInvariants();
}

TEST_CASE("a preferred-agent wait holds the contact for that agent alone, then lets go") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  std::vector<sb::Agent> agents = Agents({"a", "b"});
  agents.push_back(MakeAgent("c", {"q"}, AgentState::kOffline));
  StrategyHarness h(mode, "longest-idle", agents);
  auto enqueue = [&](const std::string& id, const std::string& preferred, absl::Duration wait) {
    sb::Contact c = MakeContact(id, Channel::kVoice, h.clock.Now());
    c.preferred_agent = sb::AgentId(preferred);
    c.preferred_agent_wait = wait;
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    return h.OfferedTo(id);
  };
  auto reserved_for = [&](const std::string& id) {
    return h.router->GetContact(sb::ContactId(id)).value().reserved_for.value();
  };
  CHECK(h.Route("x1") == "a");  // a is on a call from here on
  h.AcceptOffer("x1");

  SECTION("a frees up within the wait: offered to a, never to the idle b") {
    CHECK(enqueue("p1", "a", absl::Seconds(60)).empty());
    CHECK(reserved_for("p1") == "a");
    CHECK(h.router->GetContact(sb::ContactId("p1")).value().reserved_until ==
          h.clock.Now() + absl::Seconds(60));
    CHECK(h.QueueStatsOf("q").waiting == 1);
    h.Advance(absl::Seconds(30));
    CHECK(h.OfferedTo("p1").empty());
    CHECK(h.Route("x2") == "b");  // the reserved contact is not in other agents' way
    REQUIRE(h.router->Complete(sb::ContactId("x1"), "ok").ok());
    CHECK(h.OfferedTo("p1") == "a");
    CHECK(reserved_for("p1").empty());
  }
  SECTION("the wait runs out: the strategy chooses, at the end of the wait") {
    CHECK(enqueue("p1", "a", absl::Seconds(20)).empty());
    h.Advance(absl::Seconds(19));
    CHECK(h.OfferedTo("p1").empty());
    h.Advance(absl::Seconds(1));
    CHECK(h.OfferedTo("p1") == "b");
  }
  SECTION("a contact waiting for its agent comes before older contacts of the agent's queue") {
    CHECK(h.Route("x2") == "b");
    h.AcceptOffer("x2");
    CHECK(h.Route("older").empty());  // everyone busy: waits, first in line
    h.Advance(absl::Seconds(1));
    CHECK(enqueue("p1", "a", absl::Seconds(60)).empty());
    REQUIRE(h.router->Complete(sb::ContactId("x1"), "ok").ok());
    CHECK(h.OfferedTo("p1") == "a");
    REQUIRE(h.router->Complete(sb::ContactId("x2"), "ok").ok());
    CHECK(h.OfferedTo("older") == "b");
  }
  SECTION("an offline agent can be waited for; setting it available offers the contact") {
    CHECK(enqueue("p1", "c", absl::Seconds(60)).empty());
    CHECK(reserved_for("p1") == "c");
    REQUIRE(h.router->SetAgentState(sb::AgentId("c"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("p1") == "c");
  }
  SECTION("removing the agent ends its reservations: the others take them") {
    CHECK(enqueue("p1", "c", absl::Seconds(60)).empty());
    REQUIRE(h.router->RemoveAgent(sb::AgentId("c")).ok());
    CHECK(h.OfferedTo("p1") == "b");
  }
  SECTION("an update that takes the agent off the queue ends the reservation") {
    CHECK(enqueue("p1", "c", absl::Seconds(60)).empty());
    REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
    REQUIRE(h.router->UpdateAgent(MakeAgent("c", {"other"}, AgentState::kOffline)).ok());
    CHECK(h.OfferedTo("p1") == "b");
  }
  SECTION("abandoned while waiting for its agent") {
    CHECK(enqueue("p1", "a", absl::Seconds(60)).empty());
    REQUIRE(h.router->Abandon(sb::ContactId("p1")).ok());
    CHECK(h.QueueStatsOf("q").waiting == 0);
    REQUIRE(h.router->Complete(sb::ContactId("x1"), "ok").ok());  // nothing left for a
    h.Advance(absl::Seconds(60));  // the reservation's timer is moot
  }
  SECTION("no wait, or an agent that does not serve the queue: no reservation") {
    CHECK(enqueue("p1", "a", absl::ZeroDuration()) == "b");
    REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("d", {"other"})).ok());
    CHECK(enqueue("p2", "d", absl::Seconds(60)).empty());  // waits, everyone busy: no hold
    CHECK(reserved_for("p2").empty());
  }
  h.CheckInvariants();
}

TEST_CASE("a host-registered strategy routes by its own rank") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::AgentSelectionStrategyRegistry registry;
  REQUIRE(registry.Register("senior-first", [] { return std::make_unique<SeniorFirst>(); }).ok());
  sb::RouterOptions options = sbt::OptionsFor(mode);
  options.strategies = &registry;
  Harness h(options);
  REQUIRE(h.router->AddQueue(MakeQueue("q"), "senior-first").ok());
  REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());  // default strategy: longest-idle
  sb::Agent junior = MakeAgent("junior", {"q", "other"});
  junior.attributes = {{"seniority", "2"}};
  sb::Agent senior = MakeAgent("senior", {"q", "other"});
  senior.attributes = {{"seniority", "10"}};
  REQUIRE(h.router->AddAgent(junior).ok());
  REQUIRE(h.router->AddAgent(senior).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("c1") == "senior");
  REQUIRE(h.router->Enqueue(MakeContact("c2"), sb::QueueId("other")).ok());
  CHECK(h.OfferedTo("c2") == "junior");
  CHECK(h.router->AddQueue(MakeQueue("bad"), "no-such-strategy").code() ==
        absl::StatusCode::kInvalidArgument);
  h.CheckInvariants();
}

namespace {

// Ranks by a load ratio the host computes from two attributes; "0/0" gives a NaN, the kind of
// slip a host strategy makes (AgentRank::fraction must be finite).
class HostRatio final : public sb::AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "host-ratio"; }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override {
    const double used = std::stod(in.attributes().at("used"));
    const double total = std::stod(in.attributes().at("total"));
    return sb::AgentRank{0, used / total, 0};
  }
};

}  // namespace

// A NaN compares neither below nor above anything, which would leave the router's ordered
// indexes inconsistent (an agent lost from them, the indexed selection disagreeing with the
// scan). The router reads a NaN fraction as +infinity: such agents come after every finite one.
TEST_CASE("a host strategy's NaN rank is read as +infinity and keeps the indexes sound") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::AgentSelectionStrategyRegistry registry;
  REQUIRE(registry.Register("host-ratio", [] { return std::make_unique<HostRatio>(); }).ok());
  sb::RouterOptions options = sbt::OptionsFor(mode, "host-ratio");
  options.strategies = &registry;
  Harness h(options);
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  const std::vector<std::pair<std::string, std::string>> ratios = {
      {"a", "2/4"}, {"b", "0/0"}, {"c", "1/4"}, {"d", "0/0"}, {"e", "3/4"}, {"f", "1/8"}};
  for (const auto& [id, ratio] : ratios) {
    sb::Agent agent = MakeAgent(id, {"q"});
    agent.attributes = {{"used", ratio.substr(0, 1)}, {"total", ratio.substr(2)}};
    REQUIRE(h.router->AddAgent(agent).ok());
    h.CheckInvariants();
  }
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    const std::string id = "c" + std::to_string(i);
    REQUIRE(h.router->Enqueue(MakeContact(id), sb::QueueId("q")).ok());
    order.push_back(h.OfferedTo(id));
    h.AcceptOffer(id);  // voice: the agent takes no other
    h.CheckInvariants();
  }
  CHECK(order == std::vector<std::string>{"f", "c", "a", "e", "b", "d"});
}

TEST_CASE("UpdateQueue switches a queue's strategy") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  StrategyHarness h(mode, "longest-idle", Agents({"a", "b", "c"}));
  CHECK(h.Handle("c1") == "a");
  REQUIRE(h.router->UpdateQueue(MakeQueue("q"), "linear").ok());
  CHECK(h.Handle("c2") == "a");
  CHECK(h.Handle("c3") == "a");
  h.CheckInvariants();
}

// Preferred (last) agent: offered first when it could take the contact now, whatever the
// queue's strategy would pick; otherwise the strategy decides.
TEST_CASE("a contact's preferred agent is offered first when it can take the contact now") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  std::vector<sb::Agent> agents = Agents({"a", "b", "c"});
  agents[2].skills = {{"billing", 5}};
  StrategyHarness h(mode, "longest-idle", agents);
  auto enqueue = [&](const std::string& id, const std::string& preferred) {
    sb::Contact c = MakeContact(id, Channel::kVoice, h.clock.Now());
    c.preferred_agent = sb::AgentId(preferred);
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    return h.OfferedTo(id);
  };
  SECTION("free and fit: preferred over the longest idle") {
    CHECK(enqueue("p1", "b") == "b");  // longest-idle alone would pick a
    CHECK(h.Route("x1") == "a");
  }
  SECTION("busy: the strategy's choice") {
    CHECK(h.Route("x1") == "a");  // a holds an offer now
    CHECK(enqueue("p1", "a") == "b");
  }
  SECTION("unknown, or not a member of the queue: the strategy's choice, no error") {
    CHECK(enqueue("p1", "nobody") == "a");
    REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("d", {"other"})).ok());
    CHECK(enqueue("p2", "d") == "b");
  }
  SECTION("missing a required skill: the strategy's choice") {
    sb::Contact c = MakeContact("p1", Channel::kVoice, h.clock.Now());
    c.required_skills = {{"billing", 3, true}};
    c.preferred_agent = sb::AgentId("a");
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    CHECK(h.OfferedTo("p1") == "c");  // only c has billing
  }
  SECTION("declined: not offered to the preferred agent again") {
    CHECK(enqueue("p1", "b") == "b");
    REQUIRE(h.router->Decline(sb::ContactId("p1"), sb::AgentId("b")).ok());
    CHECK(h.OfferedTo("p1") == "a");
  }
  h.CheckInvariants();
}
