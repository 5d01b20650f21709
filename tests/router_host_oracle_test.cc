// An independent, host-side oracle for the router's decisions.
//
// router_property_test runs the indexed and the linear-scan selectors in lockstep, but both share
// the library's eligibility and ranking code, so a wrong rule there passes unnoticed. This test
// knows only what a host knows: the Queue, Agent and Contact values it passed, the calls it made
// and their statuses, the RoutingEvents the listener received and the ManualClock. From those it
// keeps its own model of who holds what and checks, on random operation sequences:
//   1. at every offer the strategy makes, that the agent fits the contact by docs/routing.md
//      ("Eligibility", "Capacity and blending"): available presence and no live offer, a
//      membership of the contact's queue whose delay the contact has waited out, room on the
//      channel (per-channel limit, total units, the exclusive-voice rule), every required skill
//      of the queue and the contact, the contact's language, and no earlier decline, expiry or
//      Rescind by that agent in that queue;
//   2. that the contact offered is the best waiting contact the agent fits, by "Choosing an
//      agent's contact" (membership priority, queue priority, contact priority, wait with
//      FIFO/LIFO and the age adjustment);
//   3. after every call, that no waiting contact is left that an available agent could take;
//   4. when a single contact becomes routable (Enqueue, UpdateRouting, Decline, Rescind, a
//      transfer of a waiting contact), that it goes to its fitting preferred agent on Enqueue,
//      else to the best fitting agent by the queue's strategy (longest-idle, least-occupied,
//      fewest-contacts, least-talk-time, linear, best-skill; ties by the order agents were
//      added), and likewise when a contact's preferred-agent wait alone runs out at an instant;
//   5. preferred_agent_wait reservations ("Waiting for the preferred agent"): a contact whose
//      preferred agent serves the queue, meets its skills and language and has capacity for its
//      channel but cannot take it on arrival waits for that agent alone (no other agent is
//      offered it, checks 1 and 3) until arrival + wait; that agent takes its reserved contacts
//      before any other (check 2); the reservation ends when the wait runs out, on an offer,
//      a transfer, RemoveAgent, an UpdateAgent that takes the agent off the queue or away from
//      the requirements, UpdateQueue of its queue, and an UpdateRouting the agent no longer
//      meets; GetContact's reserved_for and reserved_until must match the model after each call;
//   6. that WaitingContacts lists a queue's waiting contacts, reserved ones included, by
//      contact priority, then wait, then enqueue order;
// and, along the way, that no agent ever holds more than its limits and that every wrap-up ends
// at Complete + the queue's wrap_up.
//
// Not modelled (the generator does not use them): the round-robin, random and weighted-random
// strategies, the midnight reset. HOST_ORACLE_SCALE=n runs n times the sequences and
// HOST_ORACLE_HUNT=1 (also a ctest case of its own) generates more reservations, crowded on
// three agents, with whole-second times and arrivals at the enqueue instant so that timers fall
// due together and reservations tie, and makes half the queues LIFO.
//
// It found that TransferToQueue of an offered or answered contact offered the moved contact to
// the agent it released before that agent chose (router_lifecycle_test has the reduced case).
// Its hunt mode, once it crowded reservations and tied arrivals, catches the reservation order
// fixed in accd176 (two contacts of one arrival reserved for one agent in a LIFO queue).
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;
using sb::RoutingEventType;

namespace {

constexpr int kMaxMissedOffers = 3;

// The strategies whose order the oracle knows exactly (docs/routing.md, the strategy table).
const std::vector<std::string>& ModelledStrategies() {
  static const std::vector<std::string> kNames = {"longest-idle",    "least-occupied",
                                                  "fewest-contacts", "least-talk-time",
                                                  "linear",          "best-skill"};
  return kNames;
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The documented defaults of the channels the generator uses ("Capacity and blending"), written
// out here rather than read from DefaultCapacity() so that a wrong table would show.
sb::ChannelCapacity DocumentedDefault(Channel channel) {
  switch (channel) {
    case Channel::kVoice:
      return {Channel::kVoice, 1, 100};
    case Channel::kChat:
      return {Channel::kChat, 3, 33};
    case Channel::kEmail:
      return {Channel::kEmail, 5, 20};
    default:
      return {channel, 0, 100};
  }
}

bool IsExclusive(Channel channel) {
  return channel == Channel::kVoice || channel == Channel::kVideo ||
         channel == Channel::kCallback || channel == Channel::kInPerson;
}

enum class CState { kWaiting, kOffered, kInProgress, kWrapUp };

struct ModelContact {
  sb::Contact spec;  // as enqueued, with UpdateRouting applied
  sb::QueueId queue;
  CState state = CState::kWaiting;
  absl::Time queued_at;           // entered its current queue: membership delays count
  absl::Time arrived_at;          // capped at the Enqueue time; kept across transfers
  absl::Duration age_adjustment;  // ContactRoutingUpdate::age_adjustment
  std::int64_t enqueued = 0;      // the order of the Enqueue calls (kept across transfers)
  std::set<std::pair<std::string, int>> excluded;  // (agent id, incarnation) in this queue
  std::string holder;                              // agent with its offer, or handling it
  bool offer_direct = false;
  absl::Time accepted_at;
  absl::Time wrap_up_until;
  // A preferred-agent reservation ("Waiting for the preferred agent"): the agent it waits for
  // alone, until reserved_until (ends at that instant); empty when none.
  std::string reserved_for;
  absl::Time reserved_until = absl::InfinitePast();
};

struct ModelAgent {
  sb::Agent config;     // capacities filled with the documented defaults when empty
  int incarnation = 0;  // the order agents were added (tie-break), new on every AddAgent
  AgentState presence = AgentState::kOffline;
  std::string away_reason;
  absl::Time idle_since;
  std::string live_offer;      // contact id, or empty
  std::set<std::string> held;  // contacts offered, in progress or in wrap-up
  int consecutive_missed = 0;
  std::int64_t handled_today = 0;
  absl::Duration talk_today;
};

struct ModelQueue {
  sb::Queue config;
  std::string strategy;
  std::int64_t added = 0;  // the order queues were added ("Choosing an agent's contact", item 4)
};

class HostOracle {
 public:
  HostOracle(const std::string& strategy, std::uint64_t seed, sb::SelectionMode mode, bool backlog)
      : backlog_(backlog),
        rng_(seed),
        strategy_(strategy),
        harness_(Options(mode, strategy, seed)) {}

  void Setup() {
    for (int i = 0; i < kQueues; ++i) {
      const sb::Queue q = RandomQueue(i);
      call_text_ = "AddQueue " + q.id.value();
      Call(
          kOther, [&] { return harness_.router->AddQueue(q); },
          [&] {
            queues_[q.id.value()] = {q, strategy_, i};
          });
    }
    for (int i = 0; i < kAgents; ++i) {
      sb::Agent a = RandomAgent(i, /*allow_invalid=*/false);
      if (Uniform(0, 3) > 0) a.status.state = AgentState::kAvailable;
      AddAgent(a);
    }
  }

  void Step() {
    const int op = Uniform(0, 99);
    const Mix& mix = backlog_ ? kBacklogMix : kUsualMix;
    const auto below = [&](OpKind kind) { return op < mix[kind]; };
    if (below(kEnqueueOp)) {
      const sb::Contact c = RandomContact();
      const sb::QueueId q = QueueName(Uniform(0, kQueues - 1));
      subject_contact_ = c.id.value();
      call_text_ = "Enqueue " + c.id.value() + " " + std::string(sb::ChannelName(c.channel)) +
                   " -> " + q.value();
      Call(
          kEnqueue, [&] { return harness_.router->Enqueue(c, q); }, [&] { pending_enqueue_ = c; });
    } else if (below(kAcceptOp)) {
      const sb::ContactId c = SomeContact();
      if (Uniform(0, 3) > 0) {
        auto offer = harness_.router->CurrentOffer(c);
        if (offer.ok() && offer->has_value()) {
          const sb::OfferId id = (*offer)->id;
          call_text_ = "Accept offer " + std::to_string(id.value);
          Call(
              kOther, [&] { return harness_.router->Accept(id); }, [] {});
          return;
        }
      }
      const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
      call_text_ = "Accept " + c.value() + " by " + a.value();
      Call(
          kOther, [&] { return harness_.router->Accept(c, a); }, [] {});
    } else if (below(kDeclineOp)) {
      const sb::ContactId c = SomeContact();
      auto offer = harness_.router->CurrentOffer(c);
      const sb::AgentId a = offer.ok() && offer->has_value() && Uniform(0, 3) > 0
                                ? (*offer)->agent
                                : AgentName(Uniform(0, kAgents - 1));
      subject_contact_ = c.value();
      call_text_ = "Decline " + c.value() + " by " + a.value();
      Call(
          kDecline, [&] { return harness_.router->Decline(c, a); }, [] {});
    } else if (below(kRescindOp)) {
      const sb::ContactId c = SomeContact();
      subject_contact_ = c.value();
      call_text_ = "Rescind " + c.value();
      Call(
          kRescind, [&] { return harness_.router->Rescind(c); }, [] {});
    } else if (below(kCompleteOp)) {
      const sb::ContactId c = SomeContact();
      call_text_ = "Complete " + c.value();
      Call(
          kOther, [&] { return harness_.router->Complete(c, "done"); }, [] {});
    } else if (below(kAbandonOp)) {
      const sb::ContactId c = SomeContact();
      call_text_ = "Abandon " + c.value();
      Call(
          kOther, [&] { return harness_.router->Abandon(c); }, [] {});
    } else if (below(kTransferToQueueOp)) {
      const sb::ContactId c = SomeContact();
      const sb::QueueId q = QueueName(Uniform(0, kQueues - 1));
      // Only a waiting contact frees nothing but itself; an offered or answered one frees its
      // agent too, and the docs do not say which of the two is routed first.
      const auto it = contacts_.find(c.value());
      const bool was_waiting = it != contacts_.end() && it->second.state == CState::kWaiting;
      subject_contact_ = c.value();
      call_text_ = "TransferToQueue " + c.value() + " -> " + q.value();
      Call(
          was_waiting ? kTransferWaiting : kTransferHeld,
          [&] { return harness_.router->TransferToQueue(c, q, "note"); }, [] {});
    } else if (below(kTransferToAgentOp)) {
      const sb::ContactId c = SomeContact();
      const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
      call_text_ = "TransferToAgent " + c.value() + " -> " + a.value();
      Call(
          kOther, [&] { return harness_.router->TransferToAgent(c, a, "note"); }, [] {});
    } else if (below(kSetStateOp)) {
      const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
      auto state = static_cast<AgentState>(Uniform(0, 4));
      if (backlog_ && Uniform(0, 1) == 0) state = AgentState::kAvailable;  // back for more
      const std::string reason = Uniform(0, 1) == 0 ? "break" : "";
      call_text_ = "SetAgentState " + a.value() + " " + std::string(sb::AgentStateName(state));
      Call(
          kOther, [&] { return harness_.router->SetAgentState(a, state, reason); },
          [&] {
            ModelAgent& m = agents_.at(a.value());
            if (state == AgentState::kAvailable) m.consecutive_missed = 0;
            const std::string new_reason = state == AgentState::kAway ? reason : "";
            if (m.presence == state && m.away_reason == new_reason) return;
            if (state == AgentState::kAvailable) m.idle_since = Now();
            m.presence = state;
            m.away_reason = new_reason;
          });
    } else if (below(kUpdateAgentOp)) {
      const sb::Agent a = RandomAgent(Uniform(0, kAgents - 1));
      call_text_ = "UpdateAgent " + a.id.value();
      Call(
          kOther, [&] { return harness_.router->UpdateAgent(a); },
          [&] {
            ModelAgent& m = agents_.at(a.id.value());
            m.config = WithDefaults(a);
            EndReservations([&](const ModelContact& c) {
              return c.reserved_for != a.id.value() || CouldEverTake(m, c);
            });
          });
    } else if (below(kAddOrRemoveAgentOp)) {
      const int i = Uniform(0, kAgents - 1);
      if (Uniform(0, 1) == 0) {
        call_text_ = "RemoveAgent " + AgentName(i).value();
        Call(
            kOther, [&] { return harness_.router->RemoveAgent(AgentName(i)); },
            [&] {
              const std::string gone = AgentName(i).value();
              EndReservations([&](const ModelContact& c) { return c.reserved_for != gone; });
              agents_.erase(gone);
            });
      } else {
        AddAgent(RandomAgent(i));
      }
    } else if (below(kUpdateQueueOp)) {
      const int i = Uniform(0, kQueues - 1);
      const sb::Queue q = RandomQueue(i);
      const std::string strategy =
          Uniform(0, 2) == 0
              ? ModelledStrategies()[Uniform(0, static_cast<int>(ModelledStrategies().size()) - 1)]
              : std::string();
      call_text_ = "UpdateQueue " + q.id.value() + " " + strategy;
      Call(
          kOther, [&] { return harness_.router->UpdateQueue(q, strategy); },
          [&] {
            ModelQueue& m = queues_.at(q.id.value());
            m.config = q;
            if (!strategy.empty()) m.strategy = strategy;
            EndReservations([&](const ModelContact& c) { return c.queue != q.id; });
          });
    } else if (below(kUpdateRoutingOp)) {
      const sb::ContactId c = SomeContact();
      const sb::ContactRoutingUpdate u = RandomRoutingUpdate();
      const auto it = contacts_.find(c.value());
      const bool was_waiting = it != contacts_.end() && it->second.state == CState::kWaiting;
      subject_contact_ = c.value();
      call_text_ = "UpdateRouting " + c.value();
      Call(
          was_waiting ? kUpdateWaiting : kOther,
          [&] { return harness_.router->UpdateRouting(c, u); },
          [&] {
            ModelContact& m = contacts_.at(c.value());
            if (u.priority) m.spec.priority = *u.priority;
            if (u.age_adjustment) m.age_adjustment = *u.age_adjustment;
            if (u.required_skills) m.spec.required_skills = *u.required_skills;
            if (u.language) m.spec.language = Lower(*u.language);
            EndReservations([&](const ModelContact& c) {
              return c.spec.id != m.spec.id || CouldEverTake(agents_.at(c.reserved_for), c);
            });
          });
    } else {
      absl::Duration d = absl::Seconds(Uniform(0, 12)) + absl::Milliseconds(Uniform(0, 999));
      if (backlog_) d /= 3;  // contacts stay younger than the delays (5 to 15 s) for longer
      if (hunt_) d = absl::Seconds(Uniform(0, 6));  // whole seconds: timers fall due together
      harness_.clock.Advance(d);
      call_text_ = "Tick +" + absl::FormatDuration(d);
      Call(
          kOther, [&] { return harness_.router->Tick(); }, [] {});
    }
  }

  std::uint64_t offers_checked() const { return offers_checked_; }
  std::uint64_t agent_choices_checked() const { return agent_choices_checked_; }
  std::uint64_t contact_choices_checked() const { return contact_choices_checked_; }

 private:
  // The operations of a random step; a mix gives each bound as the share (in %) of that
  // operation and those before it, ticks taking the rest (router_property_test's mixes, with its
  // answers by offer id folded into declines).
  enum OpKind {
    kEnqueueOp,
    kAcceptOp,
    kDeclineOp,
    kRescindOp,
    kCompleteOp,
    kAbandonOp,
    kTransferToQueueOp,
    kTransferToAgentOp,
    kSetStateOp,
    kUpdateAgentOp,
    kAddOrRemoveAgentOp,
    kUpdateQueueOp,
    kUpdateRoutingOp,
    kOpKinds
  };
  using Mix = std::array<int, kOpKinds>;
  static constexpr Mix kUsualMix = {25, 36, 46, 49, 60, 65, 68, 70, 78, 81, 82, 83, 86};
  static constexpr Mix kBacklogMix = {35, 41, 51, 53, 59, 62, 66, 67, 82, 85, 85, 86, 91};

  static constexpr int kQueues = 3;
  static constexpr int kAgents = 7;
  static constexpr int kSkills = 4;

  // What a call frees, which says whether its offer of the subject contact is the contact's
  // choice of an agent (check 4).
  // kTransferHeld: TransferToQueue of an offered or answered contact, which frees its agent too.
  enum CallKind {
    kOther,
    kEnqueue,
    kDecline,
    kRescind,
    kTransferWaiting,
    kTransferHeld,
    kUpdateWaiting
  };

  static sb::RouterOptions Options(sb::SelectionMode mode, const std::string& strategy,
                                   std::uint64_t seed) {
    sb::RouterOptions o = sbt::OptionsFor(mode, strategy);
    o.seed = seed;
    o.max_missed_offers = kMaxMissedOffers;
    return o;
  }

  absl::Time Now() const { return harness_.clock.Now(); }

  int Uniform(int lo, int hi) {  // inclusive; as in router_property_test
    return lo + static_cast<int>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  static sb::QueueId QueueName(int i) { return sb::QueueId("q" + std::to_string(i)); }
  static sb::AgentId AgentName(int i) { return sb::AgentId("a" + std::to_string(i)); }
  static std::string Skill(int i) { return "s" + std::to_string(i); }

  // ---- Generators: those of router_property_test ---------------------------------------------

  sb::Queue RandomQueue(int i) {
    static const std::vector<std::vector<Channel>> kChannels = {
        {Channel::kVoice, Channel::kChat},
        {Channel::kChat, Channel::kEmail},
        {Channel::kVoice, Channel::kChat, Channel::kEmail}};
    sb::Queue q = sbt::MakeQueue(QueueName(i).value(), kChannels[i]);
    if (Uniform(0, 2) == 0) q.required_skills = {{Skill(Uniform(0, kSkills - 1)), Uniform(1, 5)}};
    q.priority = Uniform(1, 3);
    const int max_waiting = Uniform(0, 1) == 0 ? 0 : Uniform(3, 8);
    q.max_waiting = backlog_ ? 0 : max_waiting;
    q.wrap_up = absl::Seconds(Uniform(0, 2) * 5);
    q.offer_timeout = absl::Seconds(Uniform(5, 15));
    q.order = Uniform(0, hunt_ ? 1 : 4) == 0 ? sb::QueueOrder::kLifo : sb::QueueOrder::kFifo;
    return q;
  }

  sb::Agent RandomAgent(int i, bool allow_invalid = true) {
    sb::Agent a = sbt::MakeAgent(AgentName(i).value(), {}, static_cast<AgentState>(Uniform(0, 2)));
    if (a.status.state == AgentState::kAway) a.status.away_reason = "lunch";
    for (int s = 0; s < kSkills; ++s) {
      if (Uniform(0, 2) > 0) a.skills.push_back({Skill(s), Uniform(1, 10)});
    }
    a.languages =
        Uniform(0, 2) == 0 ? std::vector<std::string>{"en", "es"} : std::vector<std::string>{"en"};
    if (Uniform(0, 2) == 0) {
      a.capacities = {{Channel::kVoice, 1, 100},
                      {Channel::kChat, Uniform(1, 3), 30},
                      {Channel::kEmail, Uniform(0, 4), 20}};
      a.capacity_units = Uniform(0, 1) == 0 ? 100 : 150;
      a.allow_blending = Uniform(0, 1) == 0;
    }
    for (int q = 0; q < kQueues; ++q) {
      if (Uniform(0, 3) == 0) continue;
      const bool delayed = Uniform(0, 3) == 0 || (backlog_ && Uniform(0, 1) == 0);
      const absl::Duration delay =
          delayed ? absl::Seconds(Uniform(1, 3) * 5) : absl::ZeroDuration();
      a.queues.push_back({QueueName(q), Uniform(1, 3), delay});
    }
    if (allow_invalid && Uniform(0, 5) == 0) a.skills.push_back({"bad", 11});  // rejected
    return a;
  }

  sb::Contact RandomContact() {
    static const std::vector<Channel> kChannels = {Channel::kVoice, Channel::kChat,
                                                   Channel::kEmail};
    sb::Contact c =
        sbt::MakeContact("c" + std::to_string(next_contact_++), kChannels[Uniform(0, 2)],
                         Now() - absl::Seconds(Uniform(0, 20)));
    if (Uniform(0, 2) == 0) {
      c.required_skills.push_back(
          {Skill(Uniform(0, kSkills - 1)), Uniform(1, 8), Uniform(0, 3) > 0});
    }
    if (Uniform(0, 4) == 0) c.language = Uniform(0, 1) == 0 ? "es" : "en";
    if (Uniform(0, 2) == 0) {
      c.preferred_agent = AgentName(Uniform(0, kAgents - 1));
      if (Uniform(0, 2) > 0) {
        c.preferred_agent_wait =
            absl::Seconds(Uniform(1, 40)) + absl::Milliseconds(Uniform(0, 999));
      }
    }
    if (hunt_ && Uniform(0, 2) > 0) {
      // Whole multiples of 5 s: waits that end together with each other and with delays; a few
      // agents and one arrival instant, so that one agent holds reservations that tie.
      c.preferred_agent = AgentName(Uniform(0, 2));
      c.preferred_agent_wait = absl::Seconds(5 * Uniform(1, 3));
      c.arrived_at = Now();
    }
    if (!c.preferred_agent && Uniform(0, 40) == 0)
      c.preferred_agent_wait = absl::Seconds(5);  // invalid
    c.priority = Uniform(0, 3) == 0 ? Uniform(1, 3) : 0;
    if (Uniform(0, 30) == 0) c.priority = -1;  // invalid
    return c;
  }

  sb::ContactRoutingUpdate RandomRoutingUpdate() {
    sb::ContactRoutingUpdate u;
    if (Uniform(0, 1) == 0) u.priority = Uniform(0, 3);
    if (Uniform(0, 1) == 0) u.age_adjustment = absl::Seconds(Uniform(-30, 30));
    if (Uniform(0, 1) == 0) {
      std::vector<sb::SkillRequirement> skills;
      for (int i = Uniform(0, 2); i > 0; --i) {
        skills.push_back({Skill(Uniform(0, kSkills - 1)), Uniform(1, 8), Uniform(0, 3) > 0});
      }
      u.required_skills = std::move(skills);
    }
    if (Uniform(0, 1) == 0) {
      static const std::vector<std::string> kLanguages = {"", "en", "es", "ES"};
      u.language = kLanguages[Uniform(0, 3)];
    }
    return u;
  }

  sb::ContactId SomeContact() {
    if (next_contact_ == 0) return sb::ContactId("c0");
    const int n = next_contact_;
    const int i = Uniform(0, 3) == 0 ? Uniform(0, n) : std::max(0, n - 1 - Uniform(0, 6));
    return sb::ContactId("c" + std::to_string(i));
  }

  static sb::Agent WithDefaults(sb::Agent a) {
    if (a.capacities.empty()) {
      for (Channel ch : {Channel::kVoice, Channel::kChat, Channel::kEmail}) {
        a.capacities.push_back(DocumentedDefault(ch));
      }
    }
    return a;
  }

  void AddAgent(const sb::Agent& a) {
    call_text_ = "AddAgent " + a.id.value();
    Call(
        kOther, [&] { return harness_.router->AddAgent(a); },
        [&] {
          ModelAgent m;
          m.config = WithDefaults(a);
          m.incarnation = next_incarnation_++;
          m.presence = a.status.state;
          m.away_reason = a.status.state == AgentState::kAway ? a.status.away_reason : "";
          m.idle_since = Now();
          agents_[a.id.value()] = m;
        });
  }

  // ---- The call driver -----------------------------------------------------------------------

  // Makes one call; when it succeeds applies its own effect to the model (`effect`, before the
  // events, which follow from it), then replays its events and checks each offer among them.
  template <typename F, typename E>
  void Call(CallKind kind, F call, E effect) {
    const std::size_t first = harness_.recorder.events.size();
    const absl::Status status = call();
    INFO("call status: " << std::string(status.ToString()));
    if (trace_) {
      std::printf("%s -> %s\n", call_text_.c_str(), std::string(status.ToString()).c_str());
      for (std::size_t i = first; i < harness_.recorder.events.size(); ++i) {
        const sb::RoutingEvent& e = harness_.recorder.events[i];
        std::printf("   %s %s %s %s %s%s\n", std::string(sb::RoutingEventTypeName(e.type)).c_str(),
                    e.contact.value().c_str(), e.agent.value().c_str(),
                    absl::FormatTime("%M:%E3S", e.at, absl::UTCTimeZone()).c_str(),
                    e.queue.value().c_str(),
                    e.to_queue.empty() ? "" : (" -> " + e.to_queue.value()).c_str());
      }
    }
    if (status.ok()) effect();
    kind_ = status.ok() ? kind : kOther;
    const auto& events = harness_.recorder.events;
    freed_at_.clear();
    for (std::size_t i = first; i < events.size(); ++i) Apply(events[i]);
    pending_enqueue_.reset();
    subject_contact_.clear();
    CheckQuiescent();
    CheckAgainstQueries();
  }

  // ---- Eligibility, from the host's values ---------------------------------------------------

  // Why `a` cannot take `c` at `t` ("" when it can), by docs/routing.md "Eligibility".
  std::string Unfit(const ModelAgent& a, const ModelContact& c, absl::Time t) const {
    if (ReservedAt(c, t) && c.reserved_for != a.config.id.value()) {
      return "reserved for " + c.reserved_for + " until " + absl::FormatTime(c.reserved_until);
    }
    if (a.presence != AgentState::kAvailable) return "presence is not available";
    if (!a.live_offer.empty()) return "holds a live offer of " + a.live_offer;
    const sb::QueueMembership* m = Membership(a, c.queue);
    if (m == nullptr) return "does not serve " + c.queue.value();
    if (t - c.queued_at < m->delay) {
      return "membership delay " + absl::FormatDuration(m->delay) + " not passed (waited " +
             absl::FormatDuration(t - c.queued_at) + ")";
    }
    if (c.excluded.count({a.config.id.value(), a.incarnation}) > 0) {
      return "declined, missed or was rescinded this contact in this queue";
    }
    if (std::string why = NoRoom(a, c.spec.channel); !why.empty()) return why;
    return SkillOrLanguageGap(a, c);
  }

  // Why `a` lacks what the queue and the contact require (a required skill at its minimum, the
  // contact's language); empty when it has it all.
  std::string SkillOrLanguageGap(const ModelAgent& a, const ModelContact& c) const {
    const ModelQueue& q = queues_.at(c.queue.value());
    for (const auto* reqs : {&q.config.required_skills, &c.spec.required_skills}) {
      for (const sb::SkillRequirement& r : *reqs) {
        if (!r.required) continue;
        int have = 0;
        for (const sb::Skill& s : a.config.skills) {
          if (s.name == r.name) have = s.proficiency;
        }
        if (have < r.min_proficiency) {
          return "skill " + r.name + " " + std::to_string(have) + " < " +
                 std::to_string(r.min_proficiency);
        }
      }
    }
    if (!c.spec.language.empty()) {
      bool speaks = false;
      for (const std::string& l : a.config.languages) speaks |= Lower(l) == c.spec.language;
      if (!speaks) return "does not speak " + c.spec.language;
    }
    return "";
  }

  // A reservation in force at `t`: it ends at reserved_until ("When the wait runs out").
  static bool ReservedAt(const ModelContact& c, absl::Time t) {
    return !c.reserved_for.empty() && t < c.reserved_until;
  }

  // Whether `a` could ever take `c` ("Waiting for the preferred agent"): serves its queue, meets
  // the required skills of the queue and the contact and its language, and has capacity for its
  // channel at all. Presence, offers, held contacts and membership delays do not matter.
  bool CouldEverTake(const ModelAgent& a, const ModelContact& c) const {
    if (Membership(a, c.queue) == nullptr) return false;
    const auto cap = CapacityFor(a, c.spec.channel);
    if (!cap || cap->max_concurrent == 0) return false;
    return SkillOrLanguageGap(a, c).empty();
  }

  // Ends the reservations in force now that `keep` rejects.
  template <typename Keep>
  void EndReservations(Keep keep) {
    for (auto& [id, c] : contacts_) {
      if (!ReservedAt(c, Now()) || c.state != CState::kWaiting) continue;
      if (!keep(c)) {
        c.reserved_for.clear();
        c.reserved_until = absl::InfinitePast();
      }
    }
  }

  static const sb::QueueMembership* Membership(const ModelAgent& a, const sb::QueueId& q) {
    for (const sb::QueueMembership& m : a.config.queues) {
      if (m.queue == q) return &m;
    }
    return nullptr;
  }

  std::optional<sb::ChannelCapacity> CapacityFor(const ModelAgent& a, Channel ch) const {
    for (const sb::ChannelCapacity& c : a.config.capacities) {
      if (c.channel == ch) return c;
    }
    return std::nullopt;
  }

  int UsedUnits(const ModelAgent& a) const {
    int used = 0;
    for (const std::string& id : a.held) {
      const auto cap = CapacityFor(a, contacts_.at(id).spec.channel);
      used += cap ? cap->cost_units : 0;
    }
    return used;
  }

  // Why one more contact of `ch` would not fit the agent's capacity ("" when it would).
  std::string NoRoom(const ModelAgent& a, Channel ch) const {
    const auto cap = CapacityFor(a, ch);
    if (!cap || cap->max_concurrent == 0) return "does not handle the channel";
    int same = 0;
    bool exclusive_held = false;
    for (const std::string& id : a.held) {
      const Channel held = contacts_.at(id).spec.channel;
      same += held == ch ? 1 : 0;
      exclusive_held |= IsExclusive(held);
    }
    if (same >= cap->max_concurrent) return "at its limit on the channel";
    if (UsedUnits(a) + cap->cost_units > a.config.capacity_units) return "out of capacity units";
    if (!a.config.allow_blending) {
      if (exclusive_held) return "holds an exclusive contact, no blending";
      if (IsExclusive(ch) && !a.held.empty()) return "exclusive channel while holding others";
    }
    return "";
  }

  // Held contacts within every limit (checked after each event; the config may have changed
  // under a live offer, which UpdateAgent refuses when it would break a limit).
  void CheckLimits(const ModelAgent& a) const {
    std::map<Channel, int> per;
    int exclusive = 0;
    for (const std::string& id : a.held) {
      ++per[contacts_.at(id).spec.channel];
      exclusive += IsExclusive(contacts_.at(id).spec.channel) ? 1 : 0;
    }
    INFO("agent " << a.config.id << " holds " << a.held.size() << " contacts, " << UsedUnits(a)
                  << " units");
    for (const auto& [ch, n] : per) {
      const auto cap = CapacityFor(a, ch);
      CHECK(n <= (cap ? cap->max_concurrent : 0));
    }
    CHECK(UsedUnits(a) <= a.config.capacity_units);
    if (!a.config.allow_blending && exclusive > 0) CHECK(a.held.size() == 1);
  }

  // ---- Orders ----------------------------------------------------------------------------------

  // The agent's order of contacts ("Choosing an agent's contact"), items 1 to 4: a total order.
  // Contacts reserved for the agent come first ("ahead of the other contacts of its queues").
  std::array<std::int64_t, 8> ContactKey(const ModelAgent& a, const ModelContact& c,
                                         absl::Time t) const {
    const ModelQueue& q = queues_.at(c.queue.value());
    const bool lifo = q.config.order == sb::QueueOrder::kLifo;
    const std::int64_t when = absl::ToUnixNanos(c.arrived_at - c.age_adjustment);
    const bool mine = ReservedAt(c, t) && c.reserved_for == a.config.id.value();
    return {mine ? 0 : 1,      Membership(a, c.queue)->priority,
            q.config.priority, -c.spec.priority,
            lifo ? 1 : 0,      lifo ? -when : when,
            q.added,           lifo ? -c.enqueued : c.enqueued};
  }

  // The strategy's rank of an agent for a contact's queue (the strategy table), then the order
  // agents were added.
  std::tuple<std::int64_t, double, std::int64_t, int> AgentKey(const ModelAgent& a,
                                                               const ModelContact& c) const {
    const std::string& s = queues_.at(c.queue.value()).strategy;
    const std::int64_t idle = absl::ToUnixNanos(a.idle_since);
    if (s == "least-occupied") {
      return {0, static_cast<double>(UsedUnits(a)) / a.config.capacity_units, idle, a.incarnation};
    }
    if (s == "fewest-contacts") return {a.handled_today, 0, idle, a.incarnation};
    if (s == "least-talk-time") {
      return {absl::ToInt64Nanoseconds(a.talk_today), 0, idle, a.incarnation};
    }
    if (s == "linear") return {0, 0, 0, a.incarnation};
    if (s == "best-skill") {
      const auto [required, optional] = SkillScores(a, c);
      return {-required, -static_cast<double>(optional), idle, a.incarnation};
    }
    return {idle, 0, 0, a.incarnation};  // longest-idle
  }

  // best-skill's sums: the agent's proficiency over the required skills of the contact and its
  // queue (a skill both name counts in each), and over the optional skills it meets at their
  // minimum.
  std::pair<std::int64_t, std::int64_t> SkillScores(const ModelAgent& a,
                                                    const ModelContact& c) const {
    std::int64_t required = 0;
    std::int64_t optional = 0;
    const ModelQueue& q = queues_.at(c.queue.value());
    for (const auto* reqs : {&q.config.required_skills, &c.spec.required_skills}) {
      for (const sb::SkillRequirement& r : *reqs) {
        int have = 0;
        for (const sb::Skill& s : a.config.skills) {
          if (s.name == r.name) have = s.proficiency;
        }
        if (r.required) {
          required += have;
        } else if (have >= r.min_proficiency) {
          optional += have;
        }
      }
    }
    return {required, optional};
  }

  std::string Describe(const ModelAgent& a) const {
    std::ostringstream os;
    os << a.config.id << " (#" << a.incarnation << " presence " << sb::AgentStateName(a.presence)
       << " idle_since " << a.idle_since << " held " << a.held.size() << " units " << UsedUnits(a)
       << "/" << a.config.capacity_units << " handled " << a.handled_today << " talk "
       << a.talk_today << ")";
    return os.str();
  }
  std::string Describe(const ModelContact& c) const {
    std::ostringstream os;
    os << c.spec.id << " (" << c.queue << " " << sb::ChannelName(c.spec.channel) << " prio "
       << c.spec.priority << " arrived " << c.arrived_at << " adj " << c.age_adjustment
       << " queued " << c.queued_at << " lang '" << c.spec.language << "'"
       << (c.reserved_for.empty()
               ? std::string()
               : " reserved for " + c.reserved_for + " until " + absl::FormatTime(c.reserved_until))
       << ")";
    return os.str();
  }

  // ---- Checks at an offer --------------------------------------------------------------------

  void CheckOffer(const sb::RoutingEvent& e) {
    const sb::Offer& offer = *e.offer;
    const std::string cid = offer.contact.value();
    const std::string aid = offer.agent.value();
    INFO("offer " << offer.id << " of " << cid << " to " << aid << " at " << e.at);
    REQUIRE(contacts_.count(cid) == 1);
    REQUIRE(agents_.count(aid) == 1);
    const ModelContact& c = contacts_.at(cid);
    const ModelAgent& a = agents_.at(aid);
    if (offer.direct) {
      // TransferToAgent bypasses membership and skills but not presence or capacity.
      CHECK(a.presence == AgentState::kAvailable);
      CHECK(a.live_offer.empty());
      CHECK(NoRoom(a, c.spec.channel).empty());
      return;
    }
    ++offers_checked_;
    // 1. Eligibility.
    {
      const std::string why = Unfit(a, c, e.at);
      INFO("agent " << Describe(a) << " contact " << Describe(c) << ": " << why);
      CHECK(why.empty());
    }
    CHECK(c.state == CState::kWaiting);
    // 2. The contact: no waiting contact the agent fits ranks before it.
    ++contact_choices_checked_;
    for (const auto& [oid, o] : contacts_) {
      if (oid == cid || o.state != CState::kWaiting || !Unfit(a, o, e.at).empty()) continue;
      if (!(ContactKey(a, o, e.at) < ContactKey(a, c, e.at))) continue;
      FAIL_CHECK("agent " << Describe(a) << " was offered " << Describe(c) << " but " << Describe(o)
                          << " ranks before it");
    }
    // 4. The agent, when this contact alone became routable.
    if (!c.reserved_for.empty() && c.reserved_until == e.at && AloneAt(e.at, cid)) {
      // Its wait ran out ("routed like any other"): the queue's strategy chooses.
      ++expiry_choices_checked_;
    } else if (cid != subject_contact_ || kind_ == kOther) {
      return;
    }
    if (kind_ == kEnqueue && c.spec.preferred_agent) {
      const auto p = agents_.find(c.spec.preferred_agent->value());
      if (p != agents_.end() && Unfit(p->second, c, e.at).empty()) {
        INFO("preferred agent " << Describe(p->second) << " fits " << Describe(c));
        CHECK(aid == p->first);
        return;
      }
    }
    ++agent_choices_checked_;
    for (const auto& [bid, b] : agents_) {
      if (bid == aid || !Unfit(b, c, e.at).empty()) continue;
      if (!(AgentKey(b, c) < AgentKey(a, c))) continue;
      FAIL_CHECK("strategy " << queues_.at(c.queue.value()).strategy << ": " << Describe(c)
                             << " went to " << Describe(a) << " skills " << SkillScores(a, c).first
                             << "/" << SkillScores(a, c).second << " but " << Describe(b)
                             << " skills " << SkillScores(b, c).first << "/"
                             << SkillScores(b, c).second << " ranks before it");
    }
  }

  // Whether no other timer the model knows of (another reservation running out, a membership
  // delay passing, a wrap-up ending, an offer ringing out) falls due at `t`, so that the
  // contact whose reservation ends then is the only one that becomes routable.
  bool AloneAt(absl::Time t, const std::string& cid) const {
    if (freed_at_.count(t) > 0) return false;  // agents freed then choose first
    for (const auto& [oid, o] : contacts_) {
      if (oid != cid && !o.reserved_for.empty() && o.reserved_until == t) return false;
      if (o.state == CState::kWrapUp && o.wrap_up_until == t) return false;
      {
        for (const auto& [aid, a] : agents_) {
          const sb::QueueMembership* m = Membership(a, o.queue);
          if (m != nullptr && m->delay > absl::ZeroDuration() && o.queued_at + m->delay == t) {
            return false;
          }
        }
      }
    }
    return true;
  }

  // ---- Replaying events ----------------------------------------------------------------------

  void Release(ModelContact& c, absl::Time at) {
    if (c.holder.empty()) return;
    ModelAgent& a = agents_.at(c.holder);
    a.held.erase(c.spec.id.value());
    if (a.live_offer == c.spec.id.value()) a.live_offer.clear();
    a.idle_since = at;
    c.holder.clear();
  }

  void EndOffer(ModelContact& c, absl::Time at, bool exclude) {
    ModelAgent& a = agents_.at(c.holder);
    if (exclude) c.excluded.insert({a.config.id.value(), a.incarnation});
    c.state = CState::kWaiting;
    Release(c, at);
  }

  void Apply(const sb::RoutingEvent& e) {
    const std::string cid = e.contact.value();
    INFO("event " << sb::RoutingEventTypeName(e.type) << " " << cid << " " << e.agent << " at "
                  << e.at);
    switch (e.type) {
      case RoutingEventType::kQueued: {
        const bool arrival = contacts_.count(cid) == 0;
        if (arrival) {
          REQUIRE(pending_enqueue_.has_value());
          ModelContact c;
          c.spec = *pending_enqueue_;
          c.spec.language = Lower(c.spec.language);
          c.arrived_at = std::min(c.spec.arrived_at, e.at);
          c.enqueued = next_enqueued_++;
          contacts_[cid] = c;
        }
        ModelContact& c = contacts_.at(cid);
        c.queue = e.queue;
        c.queued_at = e.at;
        c.state = CState::kWaiting;
        c.reserved_for.clear();
        c.reserved_until = absl::InfinitePast();
        // "Waiting for the preferred agent": on arrival only (a transfer does not apply the
        // preference again).
        if (arrival && c.spec.preferred_agent &&
            c.spec.preferred_agent_wait > absl::ZeroDuration()) {
          const auto p = agents_.find(c.spec.preferred_agent->value());
          if (p != agents_.end() && CouldEverTake(p->second, c) &&
              !Unfit(p->second, c, e.at).empty()) {
            c.reserved_for = p->first;
            c.reserved_until = e.at + c.spec.preferred_agent_wait;
            ++reservations_made_;
          }
        }
        break;
      }
      case RoutingEventType::kTransferred: {
        ModelContact& c = contacts_.at(cid);
        if (c.state == CState::kInProgress && !c.holder.empty()) {
          agents_.at(c.holder).talk_today += e.at - c.accepted_at;
        }
        if (c.state == CState::kOffered && !c.holder.empty()) {
          agents_.at(c.holder).live_offer.clear();
        }
        Release(c, e.at);
        c.state = CState::kWaiting;
        c.reserved_for.clear();
        c.reserved_until = absl::InfinitePast();
        if (!e.to_queue.empty()) {
          c.queue = e.to_queue;
          c.queued_at = e.at;
          c.excluded.clear();  // exclusions hold "while it stays in that queue"
        }
        break;
      }
      case RoutingEventType::kOffered: {
        CheckOffer(e);
        ModelContact& c = contacts_.at(cid);
        if (ReservedAt(c, e.at)) ++reserved_offers_;
        if (!c.reserved_for.empty() && !ReservedAt(c, e.at)) ++offers_after_reservation_;
        ModelAgent& a = agents_.at(e.agent.value());
        c.state = CState::kOffered;
        c.holder = e.agent.value();
        c.offer_direct = e.offer->direct;
        c.reserved_for.clear();
        c.reserved_until = absl::InfinitePast();
        a.live_offer = cid;
        a.held.insert(cid);
        a.idle_since = e.at;
        CheckLimits(a);
        break;
      }
      case RoutingEventType::kAccepted: {
        ModelContact& c = contacts_.at(cid);
        ModelAgent& a = agents_.at(e.agent.value());
        c.state = CState::kInProgress;
        c.accepted_at = e.at;
        a.live_offer.clear();
        a.consecutive_missed = 0;
        break;
      }
      case RoutingEventType::kDeclined: {
        ModelContact& c = contacts_.at(cid);
        agents_.at(c.holder).consecutive_missed = 0;
        EndOffer(c, e.at, /*exclude=*/true);
        break;
      }
      case RoutingEventType::kExpired: {
        freed_at_.insert(e.at);
        ModelContact& c = contacts_.at(cid);
        ModelAgent& a = agents_.at(c.holder);
        CHECK(e.at == e.offer->expires_at);
        if (++a.consecutive_missed >= kMaxMissedOffers && a.presence == AgentState::kAvailable) {
          a.presence = AgentState::kAway;
          a.away_reason = "no answer";
          a.consecutive_missed = 0;
        }
        EndOffer(c, e.at, /*exclude=*/true);
        break;
      }
      case RoutingEventType::kRescinded: {
        // Only Rescind() excludes the agent; an agent going away or a transfer does not.
        EndOffer(contacts_.at(cid), e.at, kind_ == kRescind && cid == subject_contact_);
        break;
      }
      case RoutingEventType::kCompleted: {
        ModelContact& c = contacts_.at(cid);
        ModelAgent& a = agents_.at(c.holder);
        ++a.handled_today;
        a.talk_today += e.at - c.accepted_at;
        c.state = CState::kWrapUp;
        c.wrap_up_until = e.at + queues_.at(c.queue.value()).config.wrap_up;
        break;
      }
      case RoutingEventType::kWrapUpEnded: {
        freed_at_.insert(e.at);
        ModelContact& c = contacts_.at(cid);
        CHECK(e.at == c.wrap_up_until);
        Release(c, e.at);
        contacts_.erase(cid);
        break;
      }
      case RoutingEventType::kAbandoned: {
        ModelContact& c = contacts_.at(cid);
        Release(c, e.at);
        contacts_.erase(cid);
        break;
      }
      case RoutingEventType::kAgentStateChanged: {
        // The reported state is the presence when the agent holds nothing accepted.
        const ModelAgent& a = agents_.at(e.agent.value());
        bool answered = false;
        for (const std::string& id : a.held) {
          answered |= contacts_.at(id).state == CState::kInProgress ||
                      contacts_.at(id).state == CState::kWrapUp;
        }
        if (!answered) {
          CHECK(e.agent_status.state == a.presence);
          CHECK(e.agent_status.away_reason == a.away_reason);
        }
        break;
      }
    }
  }

  // ---- After each call -----------------------------------------------------------------------

  // 3. No waiting contact that an available agent could take.
  void CheckQuiescent() const {
    for (const auto& [cid, c] : contacts_) {
      if (c.state != CState::kWaiting) continue;
      for (const auto& [aid, a] : agents_) {
        if (!Unfit(a, c, Now()).empty()) continue;
        FAIL_CHECK("after the call, " << Describe(c) << " waits but " << Describe(a) << " fits it");
      }
    }
  }

  // The model must follow the router, or its checks mean nothing: contact states and holders
  // against the host-visible queries.
  void CheckAgainstQueries() const {
    for (int n = 0; n < next_contact_; ++n) {
      const std::string id = "c" + std::to_string(n);
      const auto info = harness_.router->GetContact(sb::ContactId(id));
      const auto it = contacts_.find(id);
      const bool in_model = it != contacts_.end();
      bool same = info.ok() == in_model;
      if (same && in_model) {
        const ModelContact& c = it->second;
        same = static_cast<int>(info->state) == static_cast<int>(c.state) &&
               info->queue == c.queue &&
               (c.state == CState::kWaiting || info->agent.value() == c.holder);
        const bool reserved = c.state == CState::kWaiting && ReservedAt(c, Now());
        const std::string want_for = reserved ? c.reserved_for : std::string();
        const absl::Time want_until = reserved ? c.reserved_until : absl::InfinitePast();
        if (same &&
            (info->reserved_for.value() != want_for || info->reserved_until != want_until)) {
          FAIL_CHECK("contact " << id << ": router reserved_for '" << info->reserved_for
                                << "' until " << info->reserved_until << ", model " << Describe(c)
                                << " at " << Now());
        }
      }
      if (!same) FAIL("the model lost track of contact " << id);
    }
    // WaitingContacts lists a queue's waiting contacts, reserved ones included, in the order of
    // "Choosing an agent's contact" (one queue: contact priority, then wait, then enqueue order).
    for (const auto& [qid, q] : queues_) {
      const auto listed = harness_.router->WaitingContacts(q.config.id);
      REQUIRE(listed.ok());
      std::size_t waiting = 0;
      for (const auto& [cid, c] : contacts_) {
        waiting += c.state == CState::kWaiting && c.queue == q.config.id ? 1 : 0;
      }
      CHECK(listed->size() == waiting);
      const bool lifo = q.config.order == sb::QueueOrder::kLifo;
      const auto key = [&](const sb::ContactId& id) {
        const ModelContact& c = contacts_.at(id.value());
        const std::int64_t when = absl::ToUnixNanos(c.arrived_at - c.age_adjustment);
        return std::tuple<std::int64_t, std::int64_t, std::int64_t>{
            -c.spec.priority, lifo ? -when : when, lifo ? -c.enqueued : c.enqueued};
      };
      for (std::size_t i = 1; i < listed->size(); ++i) {
        if (key((*listed)[i]) < key((*listed)[i - 1])) {
          FAIL_CHECK("WaitingContacts(" << qid << ") lists " << (*listed)[i - 1] << " before "
                                        << (*listed)[i]);
        }
      }
    }
  }

  // Contacts come more often and leave less, agents come back more often, time runs slower and
  // half the memberships are delayed, with unbounded queues (router_property_test's backlog).
  const bool backlog_;
  std::mt19937_64 rng_;
  std::string strategy_;
  sbt::Harness harness_;
  bool trace_ = std::getenv("HOST_ORACLE_TRACE") != nullptr;
  // HOST_ORACLE_HUNT=1: more reservations, with waits that end at the same instants and
  // arrivals that tie (see the top comment).
  bool hunt_ = std::getenv("HOST_ORACLE_HUNT") != nullptr;
  std::set<absl::Time> freed_at_;  // when this call's timers freed agents (expiries, wrap-ups)
  std::string call_text_;
  std::map<std::string, ModelQueue> queues_;
  std::map<std::string, ModelAgent> agents_;
  std::map<std::string, ModelContact> contacts_;
  std::optional<sb::Contact> pending_enqueue_;
  std::string subject_contact_;
  CallKind kind_ = kOther;
  int next_contact_ = 0;
  int next_incarnation_ = 0;
  std::int64_t next_enqueued_ = 0;
  std::uint64_t offers_checked_ = 0;
  std::uint64_t agent_choices_checked_ = 0;
  std::uint64_t contact_choices_checked_ = 0;

 public:
  std::uint64_t reservations_made_ = 0;
  std::uint64_t expiry_choices_checked_ = 0;    // agent choices when a wait ran out
  std::uint64_t reserved_offers_ = 0;           // offers to the agent a contact waited for
  std::uint64_t offers_after_reservation_ = 0;  // offers once the wait ran out
};

// What the sequences checked, to show they exercised routing rather than validation.
struct Totals {
  std::uint64_t offers = 0;
  std::uint64_t contact_choices = 0;
  std::uint64_t agent_choices = 0;
  std::uint64_t reservations = 0;
  std::uint64_t expiry_choices = 0;
  std::uint64_t reserved_offers = 0;
  std::uint64_t offers_after_reservation = 0;
};

// HOST_ORACLE_SCALE=n runs n times the sequences (for hunting; the default is 1).
int Scale() {
  const char* s = std::getenv("HOST_ORACLE_SCALE");
  return s == nullptr ? 1 : std::max(1, std::atoi(s));
}

// Runs `sequences` seeded sequences of `steps` operations; a failure names strategy, mode, seed
// and step. HOST_ORACLE_STRATEGY=name and HOST_ORACLE_SEED=n (with HOST_ORACLE_TRACE=1) replay
// one sequence call by call.
Totals RunSequences(const std::string& strategy, sb::SelectionMode mode, std::uint64_t first_seed,
                    int sequences, int steps, bool backlog) {
  Totals totals;
  if (const char* only = std::getenv("HOST_ORACLE_STRATEGY"); only != nullptr && strategy != only) {
    return totals;
  }
  for (int s = 0; s < sequences; ++s) {
    const std::uint64_t seed = first_seed + static_cast<std::uint64_t>(s);
    if (const char* only = std::getenv("HOST_ORACLE_SEED");
        only != nullptr && std::strtoull(only, nullptr, 10) != seed) {
      continue;
    }
    INFO("strategy " << strategy << " mode "
                     << (mode == sb::SelectionMode::kIndexed ? "indexed" : "scan") << " seed "
                     << seed);
    HostOracle run(strategy, seed, mode, backlog);
    run.Setup();
    for (int step = 0; step < steps; ++step) {
      INFO("step " << step);
      run.Step();
    }
    totals.offers += run.offers_checked();
    totals.contact_choices += run.contact_choices_checked();
    totals.agent_choices += run.agent_choices_checked();
    totals.reservations += run.reservations_made_;
    totals.expiry_choices += run.expiry_choices_checked_;
    totals.reserved_offers += run.reserved_offers_;
    totals.offers_after_reservation += run.offers_after_reservation_;
  }
  return totals;
}

}  // namespace

TEST_CASE("host oracle: offers follow the documented eligibility and order") {
  const std::string strategy = GENERATE(from_range(ModelledStrategies()));
  // The indexed selector, which hosts use; router_property_test shows the scan decides alike.
  const sb::SelectionMode mode = sb::SelectionMode::kIndexed;
  const int kSequences = 50 * Scale();
  const Totals t = RunSequences(strategy, mode, /*first_seed=*/20000, kSequences, /*steps=*/120,
                                /*backlog=*/false);
  if (std::getenv("HOST_ORACLE_SEED") != nullptr) return;
  CHECK(t.offers > 10 * static_cast<std::uint64_t>(kSequences));
  CHECK(t.agent_choices > 3 * static_cast<std::uint64_t>(kSequences));
  WARN(strategy << ": offers " << t.offers << ", contact choices " << t.contact_choices
                << ", agent choices " << t.agent_choices << ", reservations " << t.reservations
                << ", reserved offers " << t.reserved_offers << ", offers after the wait "
                << t.offers_after_reservation << " (agent choices " << t.expiry_choices << ")");
}

// Few agents, unbounded queues, delayed memberships and slow time: contacts pile up, so an agent
// that frees up has many contacts to choose among and membership delays pass while they wait.
TEST_CASE("host oracle: backlogs and delayed memberships") {
  const std::string strategy = GENERATE(from_range(ModelledStrategies()));
  const sb::SelectionMode mode = sb::SelectionMode::kIndexed;
  const int kSequences = 10 * Scale();
  const Totals t = RunSequences(strategy, mode, /*first_seed=*/27000, kSequences, /*steps=*/300,
                                /*backlog=*/true);
  if (std::getenv("HOST_ORACLE_SEED") != nullptr) return;
  CHECK(t.offers > 20 * static_cast<std::uint64_t>(kSequences));
  WARN(strategy << " (backlog): offers " << t.offers << ", contact choices " << t.contact_choices
                << ", agent choices " << t.agent_choices << ", reservations " << t.reservations
                << ", reserved offers " << t.reserved_offers << ", offers after the wait "
                << t.offers_after_reservation << " (agent choices " << t.expiry_choices << ")");
}
