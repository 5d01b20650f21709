// Randomized property test. Thousands of random operation sequences (fixed seeds) run on two
// routers in lockstep, one with the indexed selector and one with the linear-scan oracle.
// After every step:
//   - both return the same status and emit the same events, and their full state dumps match
//     (so the indexed strategies chose exactly what the oracle chose);
//   - a failed call changed nothing and emitted nothing;
//   - Router::CheckInvariants holds for both: every contact in exactly one state, none lost or
//     duplicated, no agent above any capacity, offers only to eligible agents, no waiting
//     contact that an idle eligible agent could take, indexes equal to a rebuild.
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;

namespace {

// Claims StrategyTraits::ranks_follow_time but ranks as least-occupied does, so agents join its
// orderings anywhere: the sorted arrays the hint selects then insert, revive and skip entries
// in their middle, and must still decide as the oracle does.
class MisleadingTimeHint final : public sb::AgentSelectionStrategy {
 public:
  static constexpr const char* kName = "misled-by-time";
  MisleadingTimeHint() : inner_(*sb::CreateAgentSelectionStrategy("least-occupied")) {}
  std::string_view Name() const override { return kName; }
  sb::StrategyTraits Traits() const override {
    sb::StrategyTraits t = inner_->Traits();
    t.ranks_follow_time = true;
    return t;
  }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override { return inner_->Rank(in); }

 private:
  std::unique_ptr<sb::AgentSelectionStrategy> inner_;
};

// The built-in strategies and MisleadingTimeHint.
std::vector<std::string> StrategiesUnderTest() {
  std::vector<std::string> names = sb::BuiltInAgentSelectionStrategyNames();
  names.push_back(MisleadingTimeHint::kName);
  return names;
}

bool RegisterTestStrategies(sb::AgentSelectionStrategyRegistry* registry) {
  return registry
      ->Register(MisleadingTimeHint::kName, [] { return std::make_unique<MisleadingTimeHint>(); })
      .ok();
}

// The operations of a random step, and two mixes of them: each bound is the share (in %) of
// that operation and those before it; ticks take the rest.
enum OpKind {
  kEnqueue,
  kAccept,
  kAnswerById,
  kDecline,
  kRescind,
  kComplete,
  kAbandon,
  kTransferToQueue,
  kTransferToAgent,
  kSetState,
  kUpdateAgent,
  kAddOrRemoveAgent,
  kConfigureQueue,
  kUpdateRouting,
  kOpKinds
};
using OpMix = std::array<int, kOpKinds>;
constexpr OpMix kUsualMix = {25, 36, 40, 46, 49, 60, 65, 68, 70, 78, 81, 82, 83, 86};
// Contacts come more often and leave less, agents come back more often: queues back up.
constexpr OpMix kBacklogMix = {35, 41, 43, 51, 53, 59, 62, 66, 67, 82, 85, 85, 86, 91};

class Lockstep {
 public:
  Lockstep(const std::string& strategy, std::uint64_t seed, int queues = 3, int agents = 7,
           int skills = 4, bool backlog = false)
      : queue_count_(queues),
        agent_count_(agents),
        skill_count_(skills),
        backlog_(backlog),
        mix_(backlog ? &kBacklogMix : &kUsualMix),
        rng_(seed),
        strategy_(strategy),
        registered_(RegisterTestStrategies(&registry_)),
        indexed_(Options(sb::SelectionMode::kIndexed, strategy, seed, &registry_)),
        scan_(Options(sb::SelectionMode::kLinearScan, strategy, seed, &registry_)) {}

  void Setup() {
    REQUIRE(registered_);
    for (int i = 0; i < queue_count_; ++i) {
      const sb::Queue q = RandomQueue(i);
      Do([&](sb::Router& r) { return r.AddQueue(q); });
    }
    for (int i = 0; i < agent_count_; ++i) {
      sb::Agent a = RandomAgent(i, /*allow_invalid=*/false);
      if (Uniform(0, 3) > 0) a.status.state = AgentState::kAvailable;
      Do([&](sb::Router& r) { return r.AddAgent(a); });
    }
  }

  void Step() {
    const int op = Uniform(0, 99);
    const auto below = [&](OpKind kind) { return op < (*mix_)[kind]; };
    if (below(kEnqueue)) {
      const sb::Contact c = RandomContact();
      const sb::QueueId q = QueueName(Uniform(0, queue_count_ - 1));
      Do([&](sb::Router& r) { return r.Enqueue(c, q); });
    } else if (below(kAccept)) {
      const sb::ContactId c = SomeContact();
      if (Uniform(0, 3) > 0) {
        auto offer = indexed_.router->CurrentOffer(c);
        if (offer.ok() && offer->has_value()) {
          const sb::OfferId id = (*offer)->id;
          Do([&](sb::Router& r) { return r.Accept(id); });
          return;
        }
      }
      const sb::AgentId a = AgentName(Uniform(0, agent_count_ - 1));
      Do([&](sb::Router& r) { return r.Accept(c, a); });
    } else if (below(kAnswerById)) {
      const sb::OfferId id{static_cast<std::uint64_t>(Uniform(0, 200))};
      if (Uniform(0, 1) == 0) {
        Do([&](sb::Router& r) { return r.Accept(id); });
      } else {
        Do([&](sb::Router& r) { return r.Decline(id); });
      }
    } else if (below(kDecline)) {
      const sb::ContactId c = SomeContact();
      auto offer = indexed_.router->CurrentOffer(c);
      const sb::AgentId a = offer.ok() && offer->has_value() && Uniform(0, 3) > 0
                                ? (*offer)->agent
                                : AgentName(Uniform(0, agent_count_ - 1));
      Do([&](sb::Router& r) { return r.Decline(c, a); });
    } else if (below(kRescind)) {
      const sb::ContactId c = SomeContact();
      Do([&](sb::Router& r) { return r.Rescind(c); });
    } else if (below(kComplete)) {
      const sb::ContactId c = SomeContact();
      Do([&](sb::Router& r) { return r.Complete(c, "done"); });
    } else if (below(kAbandon)) {
      const sb::ContactId c = SomeContact();
      Do([&](sb::Router& r) { return r.Abandon(c); });
    } else if (below(kTransferToQueue)) {
      const sb::ContactId c = SomeContact();
      const sb::QueueId q = QueueName(Uniform(0, queue_count_ - 1));
      Do([&](sb::Router& r) { return r.TransferToQueue(c, q, "note"); });
    } else if (below(kTransferToAgent)) {
      const sb::ContactId c = SomeContact();
      const sb::AgentId a = AgentName(Uniform(0, agent_count_ - 1));
      Do([&](sb::Router& r) { return r.TransferToAgent(c, a, "note"); });
    } else if (below(kSetState)) {
      const sb::AgentId a = AgentName(Uniform(0, agent_count_ - 1));
      auto state = static_cast<AgentState>(Uniform(0, 4));
      if (backlog_ && Uniform(0, 1) == 0) state = AgentState::kAvailable;  // back for more
      const std::string reason = Uniform(0, 1) == 0 ? "break" : "";
      Do([&](sb::Router& r) { return r.SetAgentState(a, state, reason); });
    } else if (below(kUpdateAgent)) {
      const sb::Agent a = RandomAgent(Uniform(0, agent_count_ - 1));
      Do([&](sb::Router& r) { return r.UpdateAgent(a); });
    } else if (below(kAddOrRemoveAgent)) {
      const int i = Uniform(0, agent_count_ - 1);
      if (Uniform(0, 1) == 0) {
        Do([&](sb::Router& r) { return r.RemoveAgent(AgentName(i)); });
      } else {
        const sb::Agent a = RandomAgent(i);
        Do([&](sb::Router& r) { return r.AddAgent(a); });
      }
    } else if (below(kConfigureQueue)) {
      const int i = Uniform(0, queue_count_ - 1);
      const int kind = Uniform(0, 3);
      if (kind == 0) {
        // Fails while the queue has members or contacts (the usual case here), and must then
        // change nothing; a queue removed comes back by the AddQueue below.
        Do([&](sb::Router& r) { return r.RemoveQueue(QueueName(i)); });
      } else if (kind == 1) {
        const sb::Queue q = RandomQueue(i);
        Do([&](sb::Router& r) { return r.AddQueue(q); });
      } else {
        const sb::Queue q = RandomQueue(i);
        const std::string strategy =
            Uniform(0, 2) == 0 ? sb::BuiltInAgentSelectionStrategyNames()[Uniform(0, 8)] : "";
        Do([&](sb::Router& r) { return r.UpdateQueue(q, strategy); });
      }
    } else if (below(kUpdateRouting)) {
      const sb::ContactId c = SomeContact();
      const sb::ContactRoutingUpdate u = RandomRoutingUpdate();
      const bool waiting = indexed_.router->GetContact(c).ok() &&
                           indexed_.router->GetContact(c)->state == sb::ContactState::kWaiting;
      Do([&](sb::Router& r) { return r.UpdateRouting(c, u); });
      if (last_status_.ok() && waiting) ++waiting_updates_;
    } else {
      absl::Duration d = absl::Seconds(Uniform(0, 12)) + absl::Milliseconds(Uniform(0, 999));
      if (backlog_) d /= 8;  // contacts stay younger than the delays (5 to 15 s) for longer
      indexed_.clock.Advance(d);
      scan_.clock.Advance(d);
      Do([&](sb::Router& r) { return r.Tick(); });
    }
  }

  std::uint64_t offers() const { return offers_; }
  std::uint64_t waiting_updates() const { return waiting_updates_; }

 private:
  const int queue_count_;  // at most 3 (RandomQueue's channel sets)
  const int agent_count_;
  const int skill_count_;  // past 4, contacts ask up to 3 skills: many distinct requirement sets
  const bool backlog_;  // unbounded queues, half the memberships delayed, time going slower
  const OpMix* mix_;    // kBacklogMix under backlog_, else kUsualMix

  static sb::RouterOptions Options(sb::SelectionMode mode, const std::string& strategy,
                                   std::uint64_t seed,
                                   const sb::AgentSelectionStrategyRegistry* registry) {
    sb::RouterOptions o = sbt::OptionsFor(mode, strategy);
    o.strategies = registry;
    o.seed = seed;
    o.max_missed_offers = 3;
    // Small tunings so that every index path runs: dedicated, walked and promoted orderings.
    o.index_selectivity = static_cast<int>(seed % 3) * 2 + 1;  // 1, 3 or 5
    o.index_max_walk = static_cast<int>(seed % 4);             // 0..3
    o.index_retire_after = static_cast<int>(seed % 5);         // idle orderings retire often
    return o;
  }

  int Uniform(int lo, int hi) {  // inclusive; our own mapping, portable across libraries
    return lo + static_cast<int>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }

  static sb::QueueId QueueName(int i) {
    return sb::QueueId(std::string("q").append(std::to_string(i)));
  }
  static sb::AgentId AgentName(int i) {
    return sb::AgentId(std::string("a").append(std::to_string(i)));
  }
  static std::string Skill(int i) { return std::string("s").append(std::to_string(i)); }

  sb::Queue RandomQueue(int i) {
    static const std::vector<std::vector<Channel>> kChannels = {
        {Channel::kVoice, Channel::kChat},
        {Channel::kChat, Channel::kEmail},
        {Channel::kVoice, Channel::kChat, Channel::kEmail}};
    sb::Queue q = sbt::MakeQueue(QueueName(i).value(), kChannels[i]);
    if (Uniform(0, 2) == 0) {
      q.required_skills = {{Skill(Uniform(0, skill_count_ - 1)), Uniform(1, 5), true}};
    }
    q.priority = Uniform(1, 3);
    const int max_waiting = Uniform(0, 1) == 0 ? 0 : Uniform(3, 8);
    q.max_waiting = backlog_ ? 0 : max_waiting;
    q.wrap_up = absl::Seconds(Uniform(0, 2) * 5);
    q.offer_timeout = absl::Seconds(Uniform(5, 15));
    q.order = Uniform(0, 4) == 0 ? sb::QueueOrder::kLifo : sb::QueueOrder::kFifo;
    return q;
  }

  sb::Agent RandomAgent(int i, bool allow_invalid = true) {
    sb::Agent a = sbt::MakeAgent(AgentName(i).value(), {},
                                 static_cast<AgentState>(Uniform(0, 2)));
    for (int s = 0; s < skill_count_; ++s) {
      if (Uniform(0, 2) > 0) a.skills.push_back({Skill(s), Uniform(1, 10)});
    }
    a.languages = Uniform(0, 2) == 0 ? std::vector<std::string>{"en", "es"}
                                      : std::vector<std::string>{"en"};
    if (Uniform(0, 2) == 0) {
      a.capacities = {{Channel::kVoice, 1, 100}, {Channel::kChat, Uniform(1, 3), 30},
                      {Channel::kEmail, Uniform(0, 4), 20}};
      a.capacity_units = Uniform(0, 1) == 0 ? 100 : 150;
      a.allow_blending = Uniform(0, 1) == 0;
    }
    for (int q = 0; q < queue_count_; ++q) {
      if (Uniform(0, 3) == 0) continue;
      const bool delayed = Uniform(0, 3) == 0 || (backlog_ && Uniform(0, 1) == 0);
      const absl::Duration delay = delayed ? absl::Seconds(Uniform(1, 3) * 5)
                                           : absl::ZeroDuration();
      a.queues.push_back({QueueName(q), Uniform(1, 3), delay});
    }
    if (allow_invalid && Uniform(0, 5) == 0) a.skills.push_back({"bad", 11});  // rejected
    return a;
  }

  sb::Contact RandomContact() {
    static const std::vector<Channel> kChannels = {Channel::kVoice, Channel::kChat,
                                                   Channel::kEmail};
    const absl::Time now = indexed_.clock.Now();
    sb::Contact c = sbt::MakeContact(std::string("c").append(std::to_string(next_contact_++)),
                                     kChannels[Uniform(0, 2)], now - absl::Seconds(Uniform(0, 20)));
    const int asked = skill_count_ > 4 ? Uniform(0, 3) : (Uniform(0, 2) == 0 ? 1 : 0);
    for (int k = 0; k < asked; ++k) {
      c.required_skills.push_back(
          {Skill(Uniform(0, skill_count_ - 1)), Uniform(1, 8), Uniform(0, 3) > 0});
    }
    if (Uniform(0, 4) == 0) c.language = Uniform(0, 1) == 0 ? "es" : "en";
    if (Uniform(0, 3) == 0) c.preferred_agent = AgentName(Uniform(0, agent_count_ - 1));
    if (c.preferred_agent && Uniform(0, 1) == 0) {
      // Waits for its agent alone (reserved), or, rarely, a negative wait (rejected).
      c.preferred_agent_wait = absl::Seconds(Uniform(0, 40) == 0 ? -1 : Uniform(1, 30));
    }
    c.priority = Uniform(0, 3) == 0 ? Uniform(1, 3) : 0;
    if (Uniform(0, 9) == 0) c.service_level = sb::ServiceLevelTarget{0.9, absl::Seconds(10)};
    if (Uniform(0, 30) == 0) c.priority = -1;  // invalid
    if (next_contact_ > 3 && Uniform(0, 30) == 0) {
      // Maybe a duplicate.
      c.id = sb::ContactId(std::string("c").append(std::to_string(Uniform(0, next_contact_ - 1))));
    }
    return c;
  }

  // Each field set half the time; now and then an invalid one (refused, changing nothing).
  sb::ContactRoutingUpdate RandomRoutingUpdate() {
    sb::ContactRoutingUpdate u;
    if (Uniform(0, 1) == 0) u.priority = Uniform(0, 40) == 0 ? -1 : Uniform(0, 3);
    if (Uniform(0, 1) == 0) {
      u.age_adjustment = Uniform(0, 40) == 0 ? absl::Hours(25) : absl::Seconds(Uniform(-30, 30));
    }
    if (Uniform(0, 1) == 0) {
      std::vector<sb::SkillRequirement> skills;
      for (int i = Uniform(0, 2); i > 0; --i) {
        skills.push_back({Skill(Uniform(0, skill_count_ - 1)), Uniform(1, 8), Uniform(0, 3) > 0});
      }
      if (Uniform(0, 40) == 0) skills.push_back({Skill(0), 11, true});
      u.required_skills = std::move(skills);
    }
    if (Uniform(0, 1) == 0) {
      static const std::vector<std::string> kLanguages = {"", "en", "es", "ES", "x"};
      u.language = kLanguages[Uniform(0, 40) == 0 ? 4 : Uniform(0, 3)];
    }
    return u;
  }

  sb::ContactId SomeContact() {
    if (next_contact_ == 0) return sb::ContactId("c0");
    // Favour recent contacts, which are more often still in the router.
    const int n = next_contact_;
    const int i = Uniform(0, 3) == 0 ? Uniform(0, n) : std::max(0, n - 1 - Uniform(0, 6));
    return sb::ContactId(std::string("c").append(std::to_string(i)));
  }

  // Sets last_status_ (the same from both routers).
  template <typename F>
  void Do(F op) {
    const std::string before = indexed_.router->DebugString();
    const std::size_t events_before = indexed_.recorder.events.size();
    const absl::Status a = op(*indexed_.router);
    const absl::Status b = op(*scan_.router);
    INFO("indexed: " << a << "\nscan:    " << b);
    REQUIRE(a == b);
    const auto& ea = indexed_.recorder.events;
    const auto& eb = scan_.recorder.events;
    REQUIRE(ea.size() == eb.size());
    for (std::size_t i = events_before; i < ea.size(); ++i) {
      INFO("event " << i << ": " << sb::RoutingEventTypeName(ea[i].type) << " "
                    << ea[i].contact << " " << ea[i].agent << " vs "
                    << sb::RoutingEventTypeName(eb[i].type) << " " << eb[i].contact << " "
                    << eb[i].agent);
      REQUIRE(ea[i] == eb[i]);
      if (ea[i].type == sb::RoutingEventType::kOffered) ++offers_;
    }
    const std::string after = indexed_.router->DebugString();
    {
      INFO("indexed:\n" << after << "\nscan:\n" << scan_.router->DebugString());
      REQUIRE(after == scan_.router->DebugString());
    }
    if (!a.ok()) {
      INFO("failed call changed the state: " << a);
      REQUIRE(after == before);
      REQUIRE(ea.size() == events_before);
    }
    CheckContactsAgainstEvents(events_before);
    const absl::Status ia = indexed_.router->CheckInvariants();
    INFO("indexed invariants: " << ia << "\n" << after);
    REQUIRE(ia.ok());
    const absl::Status ib = scan_.router->CheckInvariants();
    INFO("scan invariants: " << ib);
    REQUIRE(ib.ok());
    last_status_ = a;
  }

  // "No contact lost or duplicated", from the outside: the contacts in the router are exactly
  // those queued and not yet gone, as the events tell, not as the router's own bookkeeping (which
  // the oracle shares) does. A contact leaves with kAbandoned or kWrapUpEnded (which follows
  // kCompleted at once when its queue has no wrap-up).
  void CheckContactsAgainstEvents(std::size_t first_event) {
    const auto& events = indexed_.recorder.events;
    for (std::size_t i = first_event; i < events.size(); ++i) {
      const sb::RoutingEvent& e = events[i];
      const std::string id(e.contact.value());
      if (e.type == sb::RoutingEventType::kQueued) {
        live_.insert(id);
      } else if (e.type == sb::RoutingEventType::kCompleted) {
        REQUIRE(live_.count(id) == 1);
      } else if (e.type == sb::RoutingEventType::kAbandoned ||
                 e.type == sb::RoutingEventType::kWrapUpEnded) {
        INFO("contact " << id << " left twice or was never queued");
        REQUIRE(live_.erase(id) == 1);
      }
    }
    for (int n = 0; n < next_contact_; ++n) {
      const std::string id = std::string("c").append(std::to_string(n));
      const bool found = indexed_.router->GetContact(sb::ContactId(id)).ok();
      INFO("contact " << id);
      if (found) {
        REQUIRE(live_.count(id) == 1);  // no contact the events did not queue, or saw leave
      } else {
        REQUIRE(live_.count(id) == 0);  // none lost, none gone without an event saying so
      }
    }
  }

  std::mt19937_64 rng_;
  std::string strategy_;
  sb::AgentSelectionStrategyRegistry registry_;  // outlives both routers
  bool registered_;
  sbt::Harness indexed_;
  sbt::Harness scan_;
  int next_contact_ = 0;
  std::uint64_t offers_ = 0;
  std::uint64_t waiting_updates_ = 0;
  absl::Status last_status_;
  std::set<std::string> live_;  // queued and not yet gone, by the events
};

// Runs `sequences` seeded sequences of `steps` random operations in lockstep and returns the
// offers they made (a failure names the strategy, seed and step).
struct Sequences {
  std::uint64_t first_seed = 0;
  int sequences = 0;
  int steps = 0;
  int queues = 3;
  int agents = 7;
  int skills = 4;
  bool backlog = false;
};

// What the sequences did, to check that they exercised more than validation.
struct Totals {
  std::uint64_t offers = 0;
  std::uint64_t waiting_updates = 0;  // successful UpdateRouting calls on waiting contacts
};

Totals RunSequences(const std::string& strategy, const Sequences& plan) {
  Totals totals;
  for (int s = 0; s < plan.sequences; ++s) {
    const std::uint64_t seed = plan.first_seed + static_cast<std::uint64_t>(s);
    INFO("strategy " << strategy << " seed " << seed);
    Lockstep run(strategy, seed, plan.queues, plan.agents, plan.skills, plan.backlog);
    run.Setup();
    for (int step = 0; step < plan.steps; ++step) {
      INFO("step " << step);
      run.Step();
    }
    totals.offers += run.offers();
    totals.waiting_updates += run.waiting_updates();
  }
  return totals;
}

}  // namespace

TEST_CASE("random operation sequences: indexed selection equals the linear-scan oracle") {
  const std::string strategy = GENERATE(from_range(StrategiesUnderTest()));
  const Sequences plan{/*first_seed=*/1000, /*sequences=*/225, /*steps=*/80};
  // The sequences must exercise routing, not just bounce off validation.
  const Totals totals = RunSequences(strategy, plan);
  CHECK(totals.offers > 10 * static_cast<std::uint64_t>(plan.sequences));
  CHECK(totals.waiting_updates > static_cast<std::uint64_t>(plan.sequences) / 2);
  WARN("waiting updates " << totals.waiting_updates);
}

// Many distinct requirement sets (10 skills, up to 3 asked per contact): orderings of sets that
// no contact needs any more are retired in batches and rebuilt when a contact needs them again,
// and every decision still equals the oracle's.
TEST_CASE("many requirement sets: retired and rebuilt orderings decide as the oracle") {
  const std::string strategy = GENERATE(from_range(StrategiesUnderTest()));
  const Sequences plan{/*first_seed=*/9000, /*sequences=*/2,
                       /*steps=*/1000,      /*queues=*/3,
                       /*agents=*/10,       /*skills=*/10};
  CHECK(RunSequences(strategy, plan).offers > 20 * static_cast<std::uint64_t>(plan.sequences));
}

// Few agents, unbounded queues, many delayed memberships and the backlog mix of operations:
// contacts pile up, and an agent whose delay the front contact of a pool has not waited out (or
// who declined it) takes the best contact that has, found through the pool's delayed views
// (from 8 contacts on; about 200 views made and 470 read over these sequences), as the oracle
// does.
TEST_CASE("backlogs and delayed agents: delayed views decide as the oracle") {
  const std::string strategy = GENERATE(as<std::string>{}, "longest-idle", "least-occupied",
                                        "round-robin", "best-skill", MisleadingTimeHint::kName);
  Sequences plan{/*first_seed=*/7000, /*sequences=*/4, /*steps=*/1000, /*queues=*/3,
                 /*agents=*/8};
  plan.backlog = true;
  CHECK(RunSequences(strategy, plan).offers > 40 * static_cast<std::uint64_t>(plan.sequences));
}

// Enough agents per queue that orderings outgrow the selector's compaction threshold (64
// entries, stale ones included): stale entries left by lazy removal are dropped both at the
// front of an ordering and by compaction, and decisions still equal the oracle's.
TEST_CASE("large orderings: lazy removal and compaction keep decisions equal to the oracle") {
  const std::string strategy = GENERATE(as<std::string>{}, "longest-idle", "least-occupied",
                                        "round-robin", "best-skill", MisleadingTimeHint::kName);
  const Sequences plan{/*first_seed=*/5000, /*sequences=*/2, /*steps=*/500, /*queues=*/2,
                       /*agents=*/110};
  CHECK(RunSequences(strategy, plan).offers > 100 * static_cast<std::uint64_t>(plan.sequences));
}

// An ordering entry records only the low 16 bits of its agent's generation. An entry left stale
// in an ordering nobody selects from must not read as live again when those bits come round:
// here an agent leaves one behind (an offer moved its rank), then changes state 105,000 times
// (a generation each) with no selection in that queue. The selector's Check, run while the
// agent is away, counts the live entries of every ordering.
TEST_CASE("a stale ordering entry never reads as live again, however many generations pass") {
  sbt::Harness h;
  REQUIRE(h.router->AddQueue(sbt::MakeQueue("q1")).ok());
  REQUIRE(h.router->AddQueue(sbt::MakeQueue("q2")).ok());
  REQUIRE(h.router->AddAgent(sbt::MakeAgent("a", {"q1", "q2"})).ok());
  // q2's ordering exists (built by its first contact) and holds the agent.
  REQUIRE(h.router->Enqueue(sbt::MakeContact("c0"), sb::QueueId("q2")).ok());
  REQUIRE(h.router->Abandon(sb::ContactId("c0")).ok());
  h.Advance(absl::Seconds(1));
  // An offer from q1 resets the agent's idle time: its entry in q2 is left stale and a new one,
  // ranked later, is written when it comes back.
  REQUIRE(h.router->Enqueue(sbt::MakeContact("c1"), sb::QueueId("q1")).ok());
  REQUIRE(h.OfferedTo("c1") == "a");
  REQUIRE(h.router->Abandon(sb::ContactId("c1")).ok());
  const sb::AgentId a("a");
  // Three generations a round, so that the low bits meet every value while the agent is away.
  for (int i = 0; i < 35'000; ++i) {
    for (const char* reason : {"break", "lunch"}) {
      REQUIRE(h.router->SetAgentState(a, AgentState::kAway, reason).ok());
      const absl::Status s = h.router->CheckInvariants();
      INFO("round " << i << ", away for " << reason << ": " << s.message());
      REQUIRE(s.ok());
    }
    REQUIRE(h.router->SetAgentState(a, AgentState::kAvailable).ok());
  }
  // Away, the agent is offered nothing from q2; back, it is.
  REQUIRE(h.router->SetAgentState(a, AgentState::kAway, "break").ok());
  REQUIRE(h.router->Enqueue(sbt::MakeContact("c2"), sb::QueueId("q2")).ok());
  CHECK(h.OfferedTo("c2").empty());
  REQUIRE(h.router->SetAgentState(a, AgentState::kAvailable).ok());
  CHECK(h.OfferedTo("c2") == "a");
  h.CheckInvariants();
}
