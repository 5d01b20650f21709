// What the router keeps for the requirement sets contacts have asked for: a set no contact needs
// any more must not cost memory or upkeep for the router's lifetime. Live heap bytes are counted
// exactly by replacing the global operator new, so the figures are deterministic.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "tests/live_heap_bytes.h"
#include "tests/router_test_helpers.h"

namespace sb = switchboard;

namespace {

constexpr int kSkills = 20;
constexpr int kAgents = 40;

// The i-th of 19,000 distinct requirement sets: two of the 20 skills, each at a minimum level.
std::vector<sb::SkillRequirement> RequirementSet(int i) {
  int pair = i / 100;
  int first = 0;
  while (pair >= kSkills - 1 - first) pair -= kSkills - 1 - first++;
  const int second = first + 1 + pair;
  return {{"s" + std::to_string(first), 1 + i % 10, true},
          {"s" + std::to_string(second), 1 + i / 10 % 10, true}};
}

// A router with queue "q" under `strategy`, 40 agents that have every skill at level 10, and one
// contact nobody can take, which keeps agent-free selections looking at the queue's orderings.
std::unique_ptr<sb::Router> MakeRouter(sb::ManualClock& clock, sb::SelectionMode mode,
                                       const std::string& strategy) {
  auto made = sb::Router::Create(sbt::OptionsFor(mode, strategy), &clock, nullptr);
  REQUIRE(made.ok());
  std::unique_ptr<sb::Router> router = std::move(*made);
  REQUIRE(router->AddQueue(sbt::MakeQueue("q")).ok());
  for (int i = 0; i < kAgents; ++i) {
    sb::Agent a = sbt::MakeAgent("a" + std::to_string(i), {"q"});
    for (int s = 0; s < kSkills; ++s) a.skills.push_back({"s" + std::to_string(s), 10});
    REQUIRE(router->AddAgent(a).ok());
  }
  sb::Contact stuck = sbt::MakeContact("stuck");
  stuck.required_skills = {{"nobody-has-this", 1, true}};
  REQUIRE(router->Enqueue(stuck, sb::QueueId("q")).ok());
  return router;
}

// Contacts asking sets [first, first + count), one at a time: each is offered, accepted and
// completed, so that agents keep changing state while the sets come and go.
void Churn(sb::Router& router, sb::ManualClock& clock, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    const sb::ContactId id("c" + std::to_string(i));
    sb::Contact c = sbt::MakeContact(id.value(), sb::Channel::kVoice, clock.Now());
    c.required_skills = RequirementSet(i);
    REQUIRE(router.Enqueue(c, sb::QueueId("q")).ok());
    auto offer = router.CurrentOffer(id);
    REQUIRE(offer.ok());
    REQUIRE(offer->has_value());
    REQUIRE(router.Accept((*offer)->id).ok());
    clock.Advance(absl::Seconds(1));
    REQUIRE(router.Complete(id, "").ok());
    clock.Advance(absl::Seconds(1));
  }
}

}  // namespace

TEST_CASE("requirement sets no contact needs any more stop costing memory") {
  for (const char* strategy : {"longest-idle", "best-skill"}) {
    for (sb::SelectionMode mode : sbt::BothModes()) {
      INFO(strategy << (mode == sb::SelectionMode::kIndexed ? " indexed" : " scan"));
      sb::ManualClock clock(sbt::Start());
      std::unique_ptr<sb::Router> router = MakeRouter(clock, mode, strategy);
      Churn(*router, clock, 0, 3000);  // past the first sweeps
      const std::int64_t before = switchboard_testing::LiveHeapBytes();
      Churn(*router, clock, 3000, 9000);
      const std::int64_t growth = switchboard_testing::LiveHeapBytes() - before;
      INFO("live heap grew by " << growth << " B over 9,000 more distinct sets");
      // Keeping every set costs about 160 B for its signature in either mode, 350 B under
      // longest-idle indexed (a walked ordering too) and 5.8 KiB under best-skill indexed (an
      // ordering of all 40 agents, a slot in each agent). What stays is bounded by the sets in
      // use plus the doubling slack of the sweeps: 8 B per set or less here.
      CHECK(growth < 9000 * 16);
      const absl::Status s = router->CheckInvariants();
      INFO(s.message());
      CHECK(s.ok());
    }
  }
}

TEST_CASE("retiring idle orderings changes no decision") {
  // The same run in both modes: contacts on two channels, each asking one of thousands of sets,
  // arrive every second and are handled for 48 s by 40 agents, so some wait for an agent to
  // free up. The indexed router retires and rebuilds orderings on the way; the scan keeps none.
  for (const char* strategy : {"longest-idle", "best-skill", "round-robin"}) {
    INFO(strategy);
    // Per mode: every offer answered (contact, agent) in order, and the full state every 100 s.
    std::vector<std::string> offers[2];
    std::vector<std::string> dumps[2];
    for (int m = 0; m < 2; ++m) {
      sb::ManualClock clock(sbt::Start());
      std::unique_ptr<sb::Router> router = MakeRouter(clock, sbt::BothModes()[m], strategy);
      std::vector<sb::ContactId> unanswered;
      std::deque<std::pair<sb::ContactId, absl::Time>> answered;  // by time of answer
      for (int i = 0; i < 4000; ++i) {
        sb::Contact c =
            sbt::MakeContact("c" + std::to_string(i),
                             i % 3 == 0 ? sb::Channel::kChat : sb::Channel::kVoice, clock.Now());
        c.required_skills = RequirementSet((i * 7919) % 19000);
        REQUIRE(router->Enqueue(c, sb::QueueId("q")).ok());
        unanswered.push_back(c.id);
        std::erase_if(unanswered, [&](const sb::ContactId& id) {
          auto offer = router->CurrentOffer(id);
          REQUIRE(offer.ok());
          if (!offer->has_value()) return false;
          offers[m].push_back(id.value() + ">" + (*offer)->agent.value());
          REQUIRE(router->Accept((*offer)->id).ok());
          answered.emplace_back(id, clock.Now());
          return true;
        });
        clock.Advance(absl::Seconds(1));
        while (!answered.empty() && answered.front().second <= clock.Now() - absl::Seconds(48)) {
          REQUIRE(router->Complete(answered.front().first, "").ok());
          answered.pop_front();
        }
        REQUIRE(router->Tick().ok());
        if (i % 100 == 99) {
          const absl::Status s = router->CheckInvariants();
          INFO("after contact " << i << ": " << s.message());
          REQUIRE(s.ok());
          dumps[m].push_back(router->DebugString());
        }
      }
      REQUIRE_FALSE(unanswered.empty());  // some waited: agent-free selections ran too
    }
    CHECK(offers[0] == offers[1]);
    REQUIRE(dumps[0].size() == dumps[1].size());
    for (std::size_t k = 0; k < dumps[0].size(); ++k) {
      INFO("state after contact " << (k + 1) * 100 - 1);
      CHECK(dumps[0][k] == dumps[1][k]);
    }
  }
}
