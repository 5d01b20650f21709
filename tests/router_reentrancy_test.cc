// Re-entrancy: a host whose RouterListener calls back into the router from OnEvent, as
// docs/routing.md allows ("the events that call causes are delivered after the pending ones").
//
// A randomized test (fixed seeds) drives two routers, indexed and linear scan, whose listeners
// react to events with random calls of every mutating kind (valid and not): accept or decline at
// once, complete or transfer on kAccepted, remove an agent that went offline, abandon on
// kQueued, enqueue a follow-up on kCompleted, move the clock (forward, now and then back), Tick.
// After every top-level call:
//   - both routers made the same calls with the same outcomes, delivered the same events and
//     print the same DebugString();
//   - a third router given the same calls one after another, at the same clock times, with a
//     listener that calls nothing, emits exactly the events the re-entrant one delivered, in
//     that order, and ends in the same state: re-entrancy loses, duplicates, reorders or
//     changes nothing. Its events keep the time floor: none before the latest time a call
//     acted at, none after the time of the call that caused it;
//   - the delivered events tell a consistent story: times never go back, each contact moves
//     through its lifecycle (queued, offered, accepted, completed, wrap-up ended...), offers
//     are answered only while live, each agent's status change starts where the last ended;
//   - the router agrees with that story: every contact where the events left it, agents in the
//     state last reported and holding what the events gave them, statistics equal to the events
//     counted, no agent over capacity, CheckInvariants() (also after each call made from the
//     listener);
//   - a rejected call changed nothing and emitted nothing: checked from the listener when no
//     work was due, and on a fourth router that replays the calls with a Tick before each
//     rejected one.
// SWITCHBOARD_REENTRY_SEED=<first> [SWITCHBOARD_REENTRY_COUNT=<n>] runs other seeds, longer;
// SWITCHBOARD_REENTRY_LOG=1 prints each seed's calls.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using Ev = sb::RoutingEventType;
using sb::AgentState;
using sb::Channel;

namespace {

// A clock the host may also set back (a wall clock corrected by NTP), unlike ManualClock.
class HostClock final : public sb::Clock {
 public:
  explicit HostClock(absl::Time t) : now_(t) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time t) { now_ = t; }

 private:
  absl::Time now_;
};

constexpr int kQueues = 4;  // q3 is served only now and then, so that RemoveQueue can succeed
constexpr int kAgents = 7;
constexpr int kSkills = 3;
// A host that reacts to the effects of its own reactions need not stop: the calls made from the
// listener during one top-level call are bounded.
constexpr int kMaxNestedCalls = 40;

// Near midnight UTC, so that the daily counter reset runs during the sequences.
absl::Time TestStart() { return absl::FromUnixSeconds(1'700'000'000 + 6'300); }  // 23:58Z

sb::QueueId QueueName(int i) { return sb::QueueId("q" + std::to_string(i)); }
sb::AgentId AgentName(int i) { return sb::AgentId("a" + std::to_string(i)); }
std::string Skill(int i) { return "s" + std::to_string(i); }

// A call the host makes, and what the test must know of it.
struct Planned {
  Planned(std::string w, std::function<absl::Status(sb::Router&)> f)
      : what(std::move(w)), fn(std::move(f)) {}
  std::string what;
  std::function<absl::Status(sb::Router&)> fn;
  std::optional<sb::Agent> adds_agent;  // AddAgent: its first status has no event
  std::string removes_agent;
  std::string removes_queue;
  bool runs_due_work = true;  // false for NextDeadline, which runs nothing
};

// A call made (at top level or from the listener), in the order the calls began.
struct Logged {
  absl::Time clock;  // the clock's reading when it was made
  std::string what;  // with its outcome
  std::function<absl::Status(sb::Router&)> fn;
  absl::Status status;
  bool runs_due_work = true;
};

// The host's choices, from its own generator: two hosts with the same seed, shown the same
// events and router state, make the same calls.
class Host {
 public:
  // `eager`: a host that mostly does what a busy contact center's does at once: accept every
  // offer, complete on kAccepted, remove an agent gone offline, send a follow-up on kCompleted.
  // Its reactions chain (an offer, its accept, the next offer...) within one top-level call.
  Host(std::uint64_t seed, bool eager) : rng_(seed), eager_(eager) {}

  int Uniform(int lo, int hi) {  // inclusive; portable mapping
    return lo + static_cast<int>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  sb::Queue RandomQueue(int i) {
    static const std::vector<std::vector<Channel>> kChannels = {
        {Channel::kVoice, Channel::kChat},
        {Channel::kChat, Channel::kEmail},
        {Channel::kVoice, Channel::kChat, Channel::kEmail},
        {Channel::kVoice, Channel::kChat, Channel::kEmail}};
    sb::Queue q = sbt::MakeQueue(QueueName(i).value(), kChannels[static_cast<std::size_t>(i)]);
    if (Chance(30)) q.required_skills = {{Skill(Uniform(0, kSkills - 1)), Uniform(1, 5), true}};
    q.priority = Uniform(1, 3);
    q.max_waiting = Chance(50) ? 0 : Uniform(2, 6);
    q.wrap_up = absl::Seconds(Uniform(0, 2) * 5);
    q.offer_timeout = absl::Seconds(Uniform(3, 12));
    q.order = Chance(20) ? sb::QueueOrder::kLifo : sb::QueueOrder::kFifo;
    return q;
  }

  sb::Agent RandomAgent(int i, bool allow_invalid = true) {
    sb::Agent a = sbt::MakeAgent(AgentName(i).value(), {}, static_cast<AgentState>(Uniform(0, 2)));
    if (a.status.state == AgentState::kAway && Chance(50)) a.status.away_reason = "break";
    for (int s = 0; s < kSkills; ++s) {
      if (Chance(70)) a.skills.push_back({Skill(s), Uniform(1, 10)});
    }
    if (Chance(30)) a.languages.push_back("es");
    if (Chance(35)) {
      a.capacities = {{Channel::kVoice, 1, 100},
                      {Channel::kChat, Uniform(1, 3), 30},
                      {Channel::kEmail, Uniform(0, 3), 20}};
      a.capacity_units = Chance(50) ? 100 : 150;
      a.allow_blending = Chance(50);
    }
    for (int q = 0; q < kQueues; ++q) {
      if (q == kQueues - 1 ? !Chance(10) : Chance(25)) continue;
      const absl::Duration delay =
          Chance(20) ? absl::Seconds(Uniform(1, 3) * 4) : absl::ZeroDuration();
      a.queues.push_back({QueueName(q), Uniform(1, 3), delay});
    }
    if (allow_invalid && Chance(8)) a.skills.push_back({"bad", 11});  // InvalidArgument
    return a;
  }

  sb::Contact RandomContact(absl::Time now, std::string id = {}) {
    static const std::vector<Channel> kChannels = {Channel::kVoice, Channel::kChat,
                                                   Channel::kEmail};
    if (id.empty()) id = "c" + std::to_string(next_contact_++);
    sb::Contact c = sbt::MakeContact(id, kChannels[static_cast<std::size_t>(Uniform(0, 2))],
                                     now - absl::Seconds(Uniform(0, 20)));
    if (Chance(30)) {
      c.required_skills.push_back({Skill(Uniform(0, kSkills - 1)), Uniform(1, 8), Chance(75)});
    }
    if (Chance(20)) c.language = Chance(50) ? "es" : "en";
    if (Chance(25)) c.preferred_agent = AgentName(Uniform(0, kAgents - 1));
    if (c.preferred_agent && Chance(50)) {
      c.preferred_agent_wait = absl::Seconds(Chance(3) ? -1 : Uniform(1, 20));
    }
    if (Chance(25)) c.priority = Uniform(1, 3);
    if (Chance(10)) c.service_level = sb::ServiceLevelTarget{0.9, absl::Seconds(10)};
    if (Chance(3)) c.priority = -1;  // InvalidArgument
    return c;
  }

  sb::ContactRoutingUpdate RandomRoutingUpdate() {
    sb::ContactRoutingUpdate u;
    if (Chance(50)) u.priority = Chance(3) ? -1 : Uniform(0, 3);
    if (Chance(40)) u.age_adjustment = absl::Seconds(Uniform(-30, 30));
    if (Chance(40)) {
      std::vector<sb::SkillRequirement> skills;
      if (Chance(50)) skills.push_back({Skill(Uniform(0, kSkills - 1)), Uniform(1, 8), true});
      u.required_skills = std::move(skills);
    }
    if (Chance(30)) u.language = Chance(50) ? "" : "es";
    return u;
  }

  sb::ContactId SomeContact() {
    if (next_contact_ == 0) return sb::ContactId("c0");
    const int n = next_contact_;
    const int i = Chance(25) ? Uniform(0, n) : std::max(0, n - 1 - Uniform(0, 5));
    return sb::ContactId("c" + std::to_string(i));
  }
  sb::AgentId SomeAgent() { return AgentName(Uniform(0, kAgents - 1)); }
  sb::QueueId SomeQueue() { return QueueName(Uniform(0, kQueues - 1)); }
  int contacts_named() const { return next_contact_; }

  // Any call, as the host's own timers and operators make them.
  Planned Any(sb::Router& r, absl::Time now) {
    switch (Uniform(0, 22)) {
      case 19:
      case 20:
      case 21:
        return SetState(SomeAgent(), /*back=*/true);
      case 0:
      case 1:
      case 2:
      case 22: {
        const sb::Contact c = RandomContact(now);
        const sb::QueueId q = SomeQueue();
        return {"Enqueue " + c.id.value() + " " + q.value(),
                [c, q](sb::Router& x) { return x.Enqueue(c, q); }};
      }
      case 3: {
        const sb::ContactId c = SomeContact();
        auto offer = r.CurrentOffer(c);
        if (offer.ok() && offer->has_value() && Chance(75)) return AcceptOffer((*offer)->id);
        const sb::AgentId a = SomeAgent();
        return {"Accept " + c.value() + " " + a.value(),
                [c, a](sb::Router& x) { return x.Accept(c, a); }};
      }
      case 4: {
        const sb::ContactId c = SomeContact();
        auto offer = r.CurrentOffer(c);
        const sb::AgentId a =
            offer.ok() && offer->has_value() && Chance(75) ? (*offer)->agent : SomeAgent();
        return {"Decline " + c.value() + " " + a.value(),
                [c, a](sb::Router& x) { return x.Decline(c, a); }};
      }
      case 5: {
        const sb::OfferId id{static_cast<std::uint64_t>(Uniform(0, 300))};
        if (Chance(50)) return AcceptOffer(id);
        return DeclineOffer(id);
      }
      case 6:
        return Rescind(SomeContact());
      case 7:
        return Complete(SomeContact());
      case 8:
        return Abandon(SomeContact());
      case 9:
        return TransferToQueue(SomeContact());
      case 10:
        return TransferToAgent(SomeContact());
      case 11:
      case 12:
        return SetState(SomeAgent());
      case 13:
      case 14: {  // an agent removed comes back
        const int i = Uniform(0, kAgents - 1);
        if (!r.GetAgent(AgentName(i)).ok()) return AddAgent(i);
        return Chance(50) ? UpdateAgent(i) : RemoveAgent(AgentName(i));
      }
      case 15:
        return ConfigureQueue(Uniform(0, kQueues - 1));
      case 16:
        return UpdateRouting(SomeContact());
      case 17:
        return NextDeadline();
      default:
        return Tick();
    }
  }

  // A call a host makes on seeing `e` (it may be stale: the docs allow that).
  Planned React(sb::Router& r, const sb::RoutingEvent& e, absl::Time now) {
    if (eager_ && Chance(80)) {
      if (e.type == Ev::kOffered) return AcceptOffer(e.offer->id);
      if (e.type == Ev::kAccepted) return Complete(e.contact);
      if (e.type == Ev::kCompleted) {
        const sb::Contact c = RandomContact(now);
        return {"Enqueue " + c.id.value() + " " + e.queue.value(),
                [c, q = e.queue](sb::Router& x) { return x.Enqueue(c, q); }};
      }
      if (e.type == Ev::kAgentStateChanged && e.agent_status.state == AgentState::kOffline) {
        return RemoveAgent(e.agent);
      }
    }
    const int k = Uniform(0, 9);
    if (k == 0) return Any(r, now);
    switch (e.type) {
      case Ev::kQueued:
        if (k <= 3) return Abandon(e.contact);
        if (k <= 5) return UpdateRouting(e.contact);
        if (k <= 7) return TransferToQueue(e.contact);
        return TransferToAgent(e.contact);
      case Ev::kOffered:
        if (k <= 3) return AcceptOffer(e.offer->id);
        if (k == 4) {
          return {"Accept " + e.contact.value() + " " + e.agent.value(),
                  [c = e.contact, a = e.agent](sb::Router& x) { return x.Accept(c, a); }};
        }
        if (k == 5) return DeclineOffer(e.offer->id);
        if (k == 6) return Rescind(e.contact);
        if (k == 7) return Abandon(e.contact);
        if (k == 8) return SetState(e.agent);
        return RemoveAgent(e.agent);
      case Ev::kAccepted:
        if (k <= 4) return Complete(e.contact);
        if (k == 5) return TransferToQueue(e.contact);
        if (k == 6) return TransferToAgent(e.contact);
        if (k == 7) return SetState(e.agent);
        if (k == 8) return UpdateAgent(AgentIndex(e.agent));
        return Abandon(e.contact);  // FailedPrecondition: in progress
      case Ev::kCompleted:
      case Ev::kWrapUpEnded:
      case Ev::kAbandoned:
        if (k <= 4) {  // a follow-up: a new contact, or the same id again
          const sb::Contact c = RandomContact(now, Chance(50) ? e.contact.value() : "");
          const sb::QueueId q = Chance(50) ? e.queue : SomeQueue();
          return {"Enqueue " + c.id.value() + " " + q.value(),
                  [c, q](sb::Router& x) { return x.Enqueue(c, q); }};
        }
        if (k == 5) return RemoveQueueCall(e.queue);
        if (k == 6 && !e.agent.empty()) return RemoveAgent(e.agent);
        if (k == 7 && !e.agent.empty()) return SetState(e.agent);
        if (k == 8) return Complete(e.contact);
        return Tick();
      case Ev::kDeclined:
      case Ev::kExpired:
      case Ev::kRescinded:
        if (k <= 2) return Rescind(e.contact);
        if (k <= 4) return Abandon(e.contact);
        if (k == 5) return DeclineOffer(e.offer->id);  // FailedPrecondition: no longer live
        if (k == 6) return SetState(e.agent);
        if (k == 7) return TransferToAgent(e.contact);
        return Tick();
      case Ev::kTransferred:
        if (k <= 3) return Abandon(e.contact);
        if (k <= 5) return Rescind(e.contact);
        if (!e.agent.empty() && k <= 7) return RemoveAgent(e.agent);
        return TransferToQueue(e.contact);
      case Ev::kAgentStateChanged:
        if (e.agent_status.state == AgentState::kOffline && k <= 5) return RemoveAgent(e.agent);
        if (e.agent_status.state == AgentState::kAway && k <= 5) {
          return {"SetAgentState " + e.agent.value() + " available", [a = e.agent](sb::Router& x) {
                    return x.SetAgentState(a, AgentState::kAvailable);
                  }};
        }
        if (k <= 3) return SetState(e.agent);
        if (k <= 5) return UpdateAgent(AgentIndex(e.agent));
        if (k == 6) return AddAgent(AgentIndex(e.agent));
        if (k == 7) return NextDeadline();
        return Tick();
    }
    return Tick();
  }

  // How a listener moves the clock before a call: usually not at all, sometimes ahead a little
  // (handling the event took time), rarely back (a wall clock corrected by NTP).
  void MoveClock(HostClock& clock, absl::Time start) {
    const int k = Uniform(0, 99);
    if (k < 15) {
      clock.Set(clock.Now() + absl::Milliseconds(Uniform(1, 3000)));
    } else if (k < 17) {
      clock.Set(std::max(start, clock.Now() - absl::Milliseconds(Uniform(1, 5000))));
    }
  }

 private:
  static int AgentIndex(const sb::AgentId& a) { return std::atoi(a.value().c_str() + 1); }

  Planned AcceptOffer(sb::OfferId id) {
    return {"Accept offer " + std::to_string(id.value),
            [id](sb::Router& x) { return x.Accept(id); }};
  }
  Planned DeclineOffer(sb::OfferId id) {
    return {"Decline offer " + std::to_string(id.value),
            [id](sb::Router& x) { return x.Decline(id); }};
  }
  Planned Rescind(const sb::ContactId& c) {
    return {"Rescind " + c.value(), [c](sb::Router& x) { return x.Rescind(c); }};
  }
  Planned Complete(const sb::ContactId& c) {
    const std::string disposition = Chance(10) ? std::string(300, 'x') : "done";  // too long
    return {"Complete " + c.value(),
            [c, disposition](sb::Router& x) { return x.Complete(c, disposition); }};
  }
  Planned Abandon(const sb::ContactId& c) {
    return {"Abandon " + c.value(), [c](sb::Router& x) { return x.Abandon(c); }};
  }
  Planned TransferToQueue(const sb::ContactId& c) {
    const sb::QueueId q = SomeQueue();
    return {"TransferToQueue " + c.value() + " " + q.value(),
            [c, q](sb::Router& x) { return x.TransferToQueue(c, q, "note"); }};
  }
  Planned TransferToAgent(const sb::ContactId& c) {
    const sb::AgentId a = SomeAgent();
    return {"TransferToAgent " + c.value() + " " + a.value(),
            [c, a](sb::Router& x) { return x.TransferToAgent(c, a, "note"); }};
  }
  // `back`: mostly available (agents come back from breaks as often as they leave).
  Planned SetState(const sb::AgentId& a, bool back = false) {
    auto state = static_cast<AgentState>(Chance(5) ? Uniform(3, 4) : Uniform(0, 2));
    if (back && Chance(80)) state = AgentState::kAvailable;
    const std::string reason = Chance(50) ? "lunch" : "";
    return {
        "SetAgentState " + a.value() + " " + std::string(sb::AgentStateName(state)) + " " + reason,
        [a, state, reason](sb::Router& x) { return x.SetAgentState(a, state, reason); }};
  }
  Planned UpdateAgent(int i) {
    const sb::Agent a = RandomAgent(i);
    return {"UpdateAgent " + a.id.value(), [a](sb::Router& x) { return x.UpdateAgent(a); }};
  }
  Planned AddAgent(int i) {
    sb::Agent a = RandomAgent(i);
    if (Chance(60)) a.status = {AgentState::kAvailable, ""};
    Planned p{"AddAgent " + a.id.value(), [a](sb::Router& x) { return x.AddAgent(a); }};
    p.adds_agent = a;
    return p;
  }
  Planned RemoveAgent(const sb::AgentId& a) {
    Planned p{"RemoveAgent " + a.value(), [a](sb::Router& x) { return x.RemoveAgent(a); }};
    p.removes_agent = a.value();
    return p;
  }
  Planned RemoveQueueCall(const sb::QueueId& q) {
    Planned p{"RemoveQueue " + q.value(), [q](sb::Router& x) { return x.RemoveQueue(q); }};
    p.removes_queue = q.value();
    return p;
  }
  Planned ConfigureQueue(int i) {
    const int kind = Uniform(0, 3);
    if (kind == 0) return RemoveQueueCall(QueueName(i));
    const sb::Queue q = RandomQueue(i);
    if (kind == 1)
      return {"AddQueue " + q.id.value(), [q](sb::Router& x) { return x.AddQueue(q); }};
    const std::vector<std::string> names = sb::BuiltInAgentSelectionStrategyNames();
    const std::string strategy =
        Chance(30) ? names[static_cast<std::size_t>(Uniform(0, static_cast<int>(names.size()) - 1))]
                   : "";
    return {"UpdateQueue " + q.id.value() + " " + strategy,
            [q, strategy](sb::Router& x) { return x.UpdateQueue(q, strategy); }};
  }
  Planned UpdateRouting(const sb::ContactId& c) {
    const sb::ContactRoutingUpdate u = RandomRoutingUpdate();
    return {"UpdateRouting " + c.value(), [c, u](sb::Router& x) { return x.UpdateRouting(c, u); }};
  }
  static Planned NextDeadline() {
    Planned p{"NextDeadline", [](sb::Router& x) {
                x.NextDeadline();
                return absl::OkStatus();
              }};
    p.runs_due_work = false;
    return p;
  }
  static Planned Tick() {
    return {"Tick", [](sb::Router& x) { return x.Tick(); }};
  }

  std::mt19937_64 rng_;
  bool eager_;
  int next_contact_ = 0;
};

std::string Describe(const sb::RoutingEvent& e) {
  std::ostringstream out;
  out << sb::RoutingEventTypeName(e.type) << " at " << absl::FormatTime(e.at, absl::UTCTimeZone())
      << " contact=" << e.contact.value() << " agent=" << e.agent.value()
      << " queue=" << e.queue.value();
  if (e.offer) out << " offer=" << e.offer->id.value;
  if (!e.to_queue.empty()) out << " to_queue=" << e.to_queue.value();
  if (!e.to_agent.empty()) out << " to_agent=" << e.to_agent.value();
  if (e.type == Ev::kAgentStateChanged) {
    out << " " << sb::AgentStateName(e.previous_status.state) << "("
        << e.previous_status.away_reason << ")->" << sb::AgentStateName(e.agent_status.state) << "("
        << e.agent_status.away_reason << ")";
  }
  return out.str();
}

// What the delivered events say, read in delivery order: where each contact is, each agent's
// last reported status, and the counts the statistics must equal. Returns the first
// inconsistency, or "".
class Story {
 public:
  enum class Where { kGone, kWaiting, kOffered, kInProgress, kWrapUp, kToQueue, kToAgent };
  struct ContactView {
    Where where = Where::kGone;
    std::string queue;
    std::string agent;
    std::uint64_t offer = 0;
    std::string to;         // the target of a transfer under way
    bool answered = false;  // accepted since it entered its queue
  };
  struct Counts {
    std::int64_t entered = 0, offered = 0, declined = 0, expired = 0, rescinded = 0, completed = 0,
                 transferred_out = 0, answered = 0, abandoned = 0;
  };
  struct AgentCounts {
    std::int64_t declined = 0, missed = 0, handled = 0;
  };

  std::string Read(const sb::RoutingEvent& e) {
    if (e.at < last_at_) return "an event's time went back: " + Describe(e);
    last_at_ = e.at;
    if (e.type == Ev::kAgentStateChanged) {
      auto it = agent_status_.find(e.agent.value());
      if (it != agent_status_.end() && !(it->second == e.previous_status) &&
          removed_agents_.count(e.agent.value()) == 0) {
        return "a status change does not start where the last one ended: " + Describe(e);
      }
      agent_status_[e.agent.value()] = e.agent_status;
      return "";
    }
    ContactView& c = contacts_[e.contact.value()];
    Counts& q = queue_counts_[e.queue.value()];
    AgentCounts& a = agent_counts_[e.agent.value()];
    const auto expect = [&](bool ok) { return ok ? std::string() : "out of turn: " + Describe(e); };
    const auto live_offer = [&] {
      return c.where == Where::kOffered && e.offer && e.offer->id.value == c.offer &&
             e.agent.value() == c.agent;
    };
    switch (e.type) {
      case Ev::kQueued:
        if (c.where != Where::kGone && !(c.where == Where::kToQueue && c.to == e.queue.value())) {
          return expect(false);
        }
        ++q.entered;
        c = ContactView{Where::kWaiting, e.queue.value(), "", 0, "", false};
        return "";
      case Ev::kOffered: {
        const bool direct = c.where == Where::kToAgent;
        if (!e.offer || (c.where != Where::kWaiting && !direct) ||
            e.offer->id.value <= last_offer_ || e.offer->agent != e.agent ||
            e.offer->contact != e.contact || e.queue.value() != c.queue ||
            (direct && (c.to != e.agent.value() || !e.offer->direct))) {
          return expect(false);
        }
        last_offer_ = e.offer->id.value;
        ++q.offered;
        c.where = Where::kOffered;
        c.agent = e.agent.value();
        c.offer = e.offer->id.value;
        return "";
      }
      case Ev::kAccepted:
        if (!live_offer()) return expect(false);
        if (!c.answered) ++q.answered;  // the first answer of its stay in the queue counts
        c.answered = true;
        c.where = Where::kInProgress;
        c.offer = 0;
        return "";
      case Ev::kDeclined:
      case Ev::kExpired:
      case Ev::kRescinded:
        if (!live_offer()) return expect(false);
        ++(e.type == Ev::kDeclined ? q.declined : e.type == Ev::kExpired ? q.expired : q.rescinded);
        if (e.type == Ev::kDeclined) ++a.declined;
        if (e.type == Ev::kExpired) ++a.missed;
        c.where = Where::kWaiting;
        c.agent.clear();
        c.offer = 0;
        return "";
      case Ev::kCompleted:
        if (c.where != Where::kInProgress || e.agent.value() != c.agent) return expect(false);
        ++q.completed;
        ++a.handled;
        c.where = Where::kWrapUp;
        return "";
      case Ev::kWrapUpEnded:
        if (c.where != Where::kWrapUp || e.agent.value() != c.agent) return expect(false);
        c = ContactView{};
        return "";
      case Ev::kAbandoned:
        if (c.where == Where::kOffered) {
          if (!live_offer()) return expect(false);
          ++q.rescinded;  // withdrawn without an answer (QueueStats::offers_rescinded)
        } else if (c.where != Where::kWaiting) {
          return expect(false);
        }
        if (!c.answered) ++q.abandoned;  // one answered before (then moved to an agent) is not
        c = ContactView{};
        return "";
      case Ev::kTransferred:
        if (c.where != Where::kWaiting && c.where != Where::kInProgress) return expect(false);
        if (c.where == Where::kInProgress && e.agent.value() != c.agent) return expect(false);
        if (e.to_queue.empty() == e.to_agent.empty()) return expect(false);
        if (!e.to_queue.empty()) ++q.transferred_out;
        c.where = e.to_queue.empty() ? Where::kToAgent : Where::kToQueue;
        c.to = e.to_queue.empty() ? e.to_agent.value() : e.to_queue.value();
        c.agent.clear();
        return "";
      case Ev::kAgentStateChanged:
        break;
    }
    return "";
  }

  // An agent's first status, which no event reports (AddAgent). An id seen before was removed,
  // possibly by the top-level call whose events are being delivered (it has not returned, so
  // RemovedAgent has not run yet).
  void Added(const sb::Agent& a) {
    if (agent_status_.count(a.id.value()) > 0) {
      RemovedAgent(a.id.value());
      return;
    }
    agent_status_[a.id.value()] = a.status;
  }
  // Removed ids are checked no more: events of the old agent or queue may still arrive after
  // the removal (docs/routing.md), and a new one of that id starts its counters again.
  void RemovedAgent(const std::string& id) { removed_agents_.insert(id); }
  void RemovedQueue(const std::string& id) { removed_queues_.insert(id); }

  // Compares the router with the story once every event of a top-level call is delivered.
  std::string Check(const sb::Router& r, int contacts_named) const {
    for (const auto& [id, c] : contacts_) {
      if (c.where == Where::kToQueue || c.where == Where::kToAgent) {
        return "contact " + id + " was transferred but never arrived";
      }
    }
    for (int n = 0; n < contacts_named; ++n) {
      const std::string id = "c" + std::to_string(n);
      auto info = r.GetContact(sb::ContactId(id));
      auto it = contacts_.find(id);
      const Where where = it == contacts_.end() ? Where::kGone : it->second.where;
      if (!info.ok()) {
        if (where != Where::kGone) return "contact " + id + " is gone but no event said so";
        continue;
      }
      static const std::map<sb::ContactState, Where> kWhere = {
          {sb::ContactState::kWaiting, Where::kWaiting},
          {sb::ContactState::kOffered, Where::kOffered},
          {sb::ContactState::kInProgress, Where::kInProgress},
          {sb::ContactState::kWrapUp, Where::kWrapUp}};
      if (kWhere.at(info->state) != where) {
        return "contact " + id + " is " + std::string(sb::ContactStateName(info->state)) +
               ", not where the events left it";
      }
      if (info->queue.value() != it->second.queue) return "contact " + id + " in another queue";
      if (where != Where::kWaiting && info->agent.value() != it->second.agent) {
        return "contact " + id + " with another agent than the events say";
      }
    }
    for (int i = 0; i < kAgents; ++i) {
      const std::string id = AgentName(i).value();
      auto stats = r.GetAgentStats(AgentName(i));
      if (!stats.ok()) continue;
      if (stats->used_units > stats->capacity_units) return "agent " + id + " over capacity";
      int held = 0;
      for (const auto& [cid, c] : contacts_) {
        held += c.agent == id && (c.where == Where::kOffered || c.where == Where::kInProgress ||
                                  c.where == Where::kWrapUp);
      }
      if (stats->contacts_held != held) return "agent " + id + " holds other contacts";
      if (removed_agents_.count(id) > 0) continue;
      auto last = agent_status_.find(id);
      if (last == agent_status_.end() || !(last->second == stats->status)) {
        return "agent " + id + " is " + std::string(sb::AgentStateName(stats->status.state)) +
               ", not as last reported";
      }
      const AgentCounts counts = Find(agent_counts_, id);
      if (stats->offers_declined != counts.declined || stats->offers_missed != counts.missed ||
          stats->contacts_handled != counts.handled) {
        return "agent " + id + ": statistics differ from the events";
      }
    }
    for (int i = 0; i < kQueues; ++i) {
      const std::string id = QueueName(i).value();
      auto stats = r.GetQueueStats(QueueName(i));
      if (!stats.ok()) continue;
      int waiting = 0, offered = 0, in_progress = 0;
      for (const auto& [cid, c] : contacts_) {
        if (c.queue != id) continue;
        waiting += c.where == Where::kWaiting;
        offered += c.where == Where::kOffered;
        in_progress += c.where == Where::kInProgress;
      }
      if (stats->waiting != waiting || stats->offered_now != offered ||
          stats->in_progress != in_progress) {
        return "queue " + id + ": waiting/offered/in progress differ from the events";
      }
      if (removed_queues_.count(id) > 0) continue;
      const Counts q = Find(queue_counts_, id);
      if (stats->entered != q.entered || stats->offers_made != q.offered ||
          stats->offers_declined != q.declined || stats->offers_expired != q.expired ||
          stats->offers_rescinded != q.rescinded || stats->completed != q.completed ||
          stats->transferred_out != q.transferred_out || stats->answered != q.answered ||
          stats->abandoned != q.abandoned) {
        return "queue " + id + ": statistics differ from the events";
      }
    }
    return "";
  }

 private:
  template <typename M>
  static typename M::mapped_type Find(const M& map, const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? typename M::mapped_type{} : it->second;
  }

  absl::Time last_at_ = absl::InfinitePast();
  std::uint64_t last_offer_ = 0;
  std::map<std::string, ContactView> contacts_;
  std::map<std::string, sb::AgentStatus> agent_status_;
  std::map<std::string, Counts> queue_counts_;
  std::map<std::string, AgentCounts> agent_counts_;
  std::set<std::string> removed_agents_;
  std::set<std::string> removed_queues_;
};

// One router and the re-entrant host around it.
class Side : public sb::RouterListener {
 public:
  Side(const sb::RouterOptions& options, std::uint64_t seed, sb::RoutingEventMask mask)
      : clock_(TestStart()), host_(seed, /*eager=*/seed % 4 == 1), mask_(mask) {
    auto made = sb::Router::Create(options, &clock_, this);
    REQUIRE(made.ok());
    router_ = std::move(*made);
  }

  // The story needs every event; a host that wants only some is checked against the replay.
  bool tells_all() const { return mask_ == sb::kAllRoutingEvents; }
  sb::RoutingEventMask Interests() const override { return mask_; }

  void OnEvent(const sb::RoutingEvent& e) override {
    delivered_.push_back(e);
    if (!failure_.empty()) return;
    if ((mask_ & sb::EventBit(e.type)) == 0) Fail("an event it did not ask for: " + Describe(e));
    if (const std::string s = tells_all() ? story_.Read(e) : ""; !s.empty()) {
      Fail("event " + Describe(e) + ": " + s);
    }
    if (nested_budget_ <= 0 || !host_.Chance(75)) return;
    for (int n = host_.Chance(25) ? 2 : 1; n > 0 && nested_budget_ > 0; --n) {
      --nested_budget_;
      host_.MoveClock(clock_, TestStart());
      Run(host_.React(*router_, e, clock_.Now()), /*nested=*/true);
    }
  }

  // A top-level call: it returns once every event it caused, and those of the calls the
  // listener made meanwhile, are delivered.
  void Top(const Planned& p) {
    nested_budget_ = kMaxNestedCalls;
    Run(p, /*nested=*/false);
  }

  void Run(const Planned& p, bool nested) {
    // With no work due (the clock has not passed the latest time a call ran at), a rejected
    // call must leave the router exactly as it was.
    const bool quiet = clock_.Now() <= max_call_clock_;
    if (p.runs_due_work) max_call_clock_ = std::max(max_call_clock_, clock_.Now());
    const std::string before = nested && quiet ? router_->DebugString() : "";
    const std::size_t i = log_.size();
    log_.push_back(Logged{clock_.Now(), (nested ? "  " : "") + p.what, p.fn, absl::OkStatus(),
                          p.runs_due_work});
    const absl::Status s = p.fn(*router_);
    log_[i].status = s;
    log_[i].what += " -> " + s.ToString();
    if (s.ok() && p.adds_agent) story_.Added(*p.adds_agent);
    if (s.ok() && !p.removes_agent.empty()) story_.RemovedAgent(p.removes_agent);
    if (s.ok() && !p.removes_queue.empty()) story_.RemovedQueue(p.removes_queue);
    if (!nested) return;
    if (!s.ok() && quiet && router_->DebugString() != before) {
      Fail("a rejected call from the listener changed the router: " + log_[i].what + "\nbefore:\n" +
           before + "\nafter:\n" + router_->DebugString());
    }
    if (const absl::Status inv = router_->CheckInvariants(); !inv.ok()) {
      Fail("after " + log_[i].what + " from the listener: " + inv.ToString());
    }
  }

  void Fail(const std::string& what) {
    if (failure_.empty()) failure_ = what;
  }

  HostClock clock_;
  Host host_;
  sb::RoutingEventMask mask_;  // read by Create: set before the router is
  std::unique_ptr<sb::Router> router_;
  std::vector<sb::RoutingEvent> delivered_;
  std::vector<Logged> log_;
  Story story_;
  std::string failure_;
  int nested_budget_ = 0;
  absl::Time max_call_clock_ = absl::InfinitePast();
};

// The same calls made one after another, with a listener that calls nothing.
struct Replay {
  explicit Replay(const sb::RouterOptions& options) : clock(TestStart()) {
    auto made = sb::Router::Create(options, &clock, &recorder);
    REQUIRE(made.ok());
    router = std::move(*made);
  }
  HostClock clock;
  sbt::Recorder recorder;
  std::unique_ptr<sb::Router> router;
  std::size_t next = 0;  // the first call of the log not yet replayed
  // Its events of the types the re-entrant host asked for, and how many of its events that
  // has looked at.
  std::vector<sb::RoutingEvent> wanted;
  std::size_t sorted = 0;
  // The time floor (docs/routing.md): the latest time a call acted at. A call acts at the
  // clock's time, or at the floor when the clock reads earlier; a rejected call that ran no
  // due work did not act.
  absl::Time floor = TestStart();
};

sb::RouterOptions OptionsFor(sb::SelectionMode mode, const std::string& strategy,
                             std::uint64_t seed) {
  sb::RouterOptions o = sbt::OptionsFor(mode, strategy);
  o.seed = seed;
  o.max_missed_offers = static_cast<int>(seed % 3);
  o.index_selectivity = static_cast<int>(seed % 3) * 2 + 1;
  o.index_max_walk = static_cast<int>(seed % 4);
  o.index_retire_after = static_cast<int>(seed % 5);
  return o;
}

std::string LogTail(const std::vector<Logged>& log, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < log.size(); ++i) {
    out += absl::FormatTime("%H:%M:%E3S ", log[i].clock, absl::UTCTimeZone()) + log[i].what + "\n";
  }
  return out;
}

struct RunTotals {
  std::int64_t nested_calls = 0;
  std::int64_t nested_ok = 0;
  std::int64_t events = 0;
  std::map<Ev, std::int64_t> by_type;
};

void RunSequence(std::uint64_t seed, int steps, RunTotals* totals) {
  const std::vector<std::string> strategies = sb::BuiltInAgentSelectionStrategyNames();
  const std::string strategy = strategies[seed % strategies.size()];
  CAPTURE(seed, strategy);
  std::mt19937_64 setup_rng(seed);
  // Some hosts ask for a few event types only (always offers, to answer them): the router
  // then builds no others, and must still deliver the rest as it would have.
  sb::RoutingEventMask mask = sb::kAllRoutingEvents;
  if (seed % 5 == 2)
    mask = sb::EventBit(Ev::kOffered) | static_cast<sb::RoutingEventMask>(setup_rng());
  CAPTURE(mask);
  Side indexed(OptionsFor(sb::SelectionMode::kIndexed, strategy, seed), seed, mask);
  Side scan(OptionsFor(sb::SelectionMode::kLinearScan, strategy, seed), seed, mask);
  Replay replay(OptionsFor(sb::SelectionMode::kIndexed, strategy, seed));
  // Replays them too, but runs due work (Tick) before each call that was rejected, so that the
  // call itself must then change nothing and emit nothing. Its own state may drift from the
  // others (a Tick raises the time floor where a rejected call does not), so only that is read.
  Replay probe(OptionsFor(sb::SelectionMode::kIndexed, strategy, seed));
  int step = 0;
  const auto both = [&](const std::function<Planned(Side&)>& plan) {
    INFO("step " << step);
    const std::size_t log_from = indexed.log_.size();
    const std::size_t events_from = indexed.delivered_.size();
    for (Side* side : {&indexed, &scan}) side->Top(plan(*side));
    INFO("calls of this step (indexed):\n" << LogTail(indexed.log_, log_from));
    for (Side* side : {&indexed, &scan}) {
      INFO((side == &indexed ? "indexed" : "scan") << ": " << side->failure_);
      REQUIRE(side->failure_.empty());
    }
    // The two hosts made the same calls, with the same outcomes, and saw the same events.
    REQUIRE(indexed.log_.size() == scan.log_.size());
    for (std::size_t i = log_from; i < indexed.log_.size(); ++i) {
      REQUIRE(indexed.log_[i].what == scan.log_[i].what);
    }
    REQUIRE(indexed.delivered_.size() == scan.delivered_.size());
    for (std::size_t i = events_from; i < indexed.delivered_.size(); ++i) {
      INFO("event " << i << ": " << Describe(indexed.delivered_[i]) << " vs "
                    << Describe(scan.delivered_[i]));
      REQUIRE(indexed.delivered_[i] == scan.delivered_[i]);
    }
    const std::string state = indexed.router_->DebugString();
    {
      INFO("indexed:\n" << state << "\nscan:\n" << scan.router_->DebugString());
      REQUIRE(state == scan.router_->DebugString());
    }
    // Made one after another, the same calls give the same events, in the order delivered.
    for (; replay.next < indexed.log_.size(); ++replay.next) {
      const Logged& call = indexed.log_[replay.next];
      replay.clock.Set(call.clock);
      // Between calls nothing becomes moot, so this drops no timer: it only says whether work
      // is due, which the call then runs first.
      const std::optional<absl::Time> due = replay.router->NextDeadline();
      const absl::Time at = std::max(call.clock, replay.floor);
      const std::size_t first = replay.recorder.events.size();
      const absl::Status s = call.fn(*replay.router);
      INFO("replayed " << call.what << ": " << s);
      REQUIRE(s == call.status);
      if (!call.runs_due_work) continue;
      // Due work runs at its own times, from the floor on; the call's own events at its time:
      // none after it.
      const auto& events = replay.recorder.events;
      for (std::size_t i = first; i < events.size(); ++i) {
        INFO("event " << Describe(events[i]) << "; floor "
                      << absl::FormatTime(replay.floor, absl::UTCTimeZone()));
        REQUIRE(events[i].at >= replay.floor);
        REQUIRE(events[i].at <= at);
      }
      if (s.ok() || (due && *due <= at)) replay.floor = at;
    }
    for (; replay.sorted < replay.recorder.events.size(); ++replay.sorted) {
      const sb::RoutingEvent& e = replay.recorder.events[replay.sorted];
      if ((mask & sb::EventBit(e.type)) != 0) replay.wanted.push_back(e);
    }
    const auto& sequential = replay.wanted;
    REQUIRE(sequential.size() == indexed.delivered_.size());
    for (std::size_t i = events_from; i < sequential.size(); ++i) {
      INFO("event " << i << ": re-entrant " << Describe(indexed.delivered_[i]) << ", sequential "
                    << Describe(sequential[i]));
      REQUIRE(indexed.delivered_[i] == sequential[i]);
    }
    REQUIRE(replay.router->DebugString() == state);
    for (; probe.next < indexed.log_.size(); ++probe.next) {
      const Logged& call = indexed.log_[probe.next];
      probe.clock.Set(call.clock);
      if (call.status.ok()) {
        call.fn(*probe.router).IgnoreError();
        continue;
      }
      REQUIRE(probe.router->Tick().ok());
      const std::string before = probe.router->DebugString();
      const std::size_t events_before = probe.recorder.events.size();
      const absl::Status s = call.fn(*probe.router);
      INFO("rejected " << call.what << ": " << s);
      if (!s.ok()) {
        REQUIRE(probe.router->DebugString() == before);
        REQUIRE(probe.recorder.events.size() == events_before);
      }
    }
    for (Side* side : {&indexed, &scan}) {
      const absl::Status inv = side->router_->CheckInvariants();
      INFO("invariants: " << inv);
      REQUIRE(inv.ok());
      if (!side->tells_all()) continue;
      const std::string story = side->story_.Check(*side->router_, side->host_.contacts_named());
      INFO("events against the router: " << story);
      REQUIRE(story.empty());
    }
    for (std::size_t i = log_from; i < indexed.log_.size(); ++i) {
      if (indexed.log_[i].what.rfind("  ", 0) != 0) continue;
      ++totals->nested_calls;
      totals->nested_ok += indexed.log_[i].status.ok();
    }
    ++step;
  };

  for (int i = 0; i < kQueues; ++i) {
    both([&](Side& s) {
      const sb::Queue q = s.host_.RandomQueue(i);
      return Planned{"AddQueue " + q.id.value(), [q](sb::Router& x) { return x.AddQueue(q); }};
    });
  }
  for (int i = 0; i < kAgents; ++i) {
    both([&](Side& s) {
      sb::Agent a = s.host_.RandomAgent(i, /*allow_invalid=*/false);
      if (s.host_.Chance(75)) a.status = {AgentState::kAvailable, ""};
      Planned p{"AddAgent " + a.id.value(), [a](sb::Router& x) { return x.AddAgent(a); }};
      p.adds_agent = a;
      return p;
    });
  }
  for (int n = 0; n < steps; ++n) {
    // Time passes between calls as the host's timers fire; the clock may have been set back by
    // a listener, and the step is the same on both sides.
    // Now and then a long gap (a paused host): many timers fall due in one call, and the
    // listener sees offers that call already let ring out.
    const std::int64_t ms = setup_rng() % 40 == 0
                                ? 20'000 + static_cast<std::int64_t>(setup_rng() % 100'000)
                                : static_cast<std::int64_t>(setup_rng() % 6000);
    const absl::Duration d = absl::Milliseconds(ms);
    for (Side* side : {&indexed, &scan}) side->clock_.Set(side->clock_.Now() + d);
    both([&](Side& s) { return s.host_.Any(*s.router_, s.clock_.Now()); });
  }
  totals->events += static_cast<std::int64_t>(indexed.delivered_.size());
  for (const sb::RoutingEvent& e : indexed.delivered_) ++totals->by_type[e.type];
  if (std::getenv("SWITCHBOARD_REENTRY_LOG") != nullptr) {  // for a human tracing one seed
    std::printf("%s", LogTail(indexed.log_, 0).c_str());
  }
}

std::uint64_t FromEnv(const char* name, std::uint64_t otherwise) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return otherwise;
  return std::strtoull(env, nullptr, 10);
}

}  // namespace

TEST_CASE("a listener calling back into the router: re-entrant calls decide as sequential ones") {
  // SWITCHBOARD_REENTRY_SEED=<first> (and SWITCHBOARD_REENTRY_COUNT=<n>, default 1) runs those
  // seeds instead, longer; SWITCHBOARD_REENTRY_LOG=1 prints the calls each one made.
  const std::uint64_t first = FromEnv("SWITCHBOARD_REENTRY_SEED", 0);
  if (first != 0) {
    RunTotals totals;
    const std::uint64_t count = FromEnv("SWITCHBOARD_REENTRY_COUNT", 1);
    for (std::uint64_t seed = first; seed < first + count; ++seed) RunSequence(seed, 300, &totals);
    return;
  }
  RunTotals totals;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) RunSequence(seed, 150, &totals);
  // The listener's calls must reach the router's paths, not only its validation.
  CHECK(totals.nested_calls > 8000);
  CHECK(totals.nested_ok > totals.nested_calls / 5);
  std::string types;
  for (const auto& [type, n] : totals.by_type) {
    types += " " + std::string(sb::RoutingEventTypeName(type)) + "=" + std::to_string(n);
  }
  CHECK(totals.by_type.size() == 11);  // every type of event was delivered
  WARN("calls from the listener " << totals.nested_calls << " (" << totals.nested_ok
                                  << " accepted), events" << types);
}

// The two stale events docs/routing.md names, pinned: a kOffered whose offer the same call let
// ring out (an Accept from the callback is refused and changes nothing), and a
// kAgentStateChanged for an agent the listener removed while handling an earlier event.
TEST_CASE("a listener calling back sees the stale events the docs describe") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  struct Host : sb::RouterListener {
    sb::Router* router = nullptr;
    std::vector<sb::RoutingEvent> events;
    std::vector<absl::Status> answers;  // of the calls made from OnEvent
    bool accept_offers = false;
    bool remove_on_rescind = false;
    void OnEvent(const sb::RoutingEvent& e) override {
      events.push_back(e);
      if (accept_offers && e.type == Ev::kOffered) answers.push_back(router->Accept(e.offer->id));
      if (remove_on_rescind && e.type == Ev::kRescinded) {
        answers.push_back(router->RemoveAgent(e.agent));
      }
    }
  } host;
  sb::ManualClock clock(sbt::Start());
  sb::RouterOptions options = sbt::OptionsFor(mode);
  options.max_missed_offers = 0;  // agents stay available through their misses
  auto made = sb::Router::Create(options, &clock, &host);
  REQUIRE(made.ok());
  sb::Router& router = **made;
  host.router = &router;
  REQUIRE(router.AddQueue(sbt::MakeQueue("q")).ok());  // offers ring 15 s
  REQUIRE(router.AddAgent(sbt::MakeAgent("ana", {"q"})).ok());
  clock.Advance(absl::Seconds(1));
  REQUIRE(router.AddAgent(sbt::MakeAgent("ben", {"q"})).ok());

  SECTION("an offer that rang out within the same call") {
    REQUIRE(router.Enqueue(sbt::MakeContact("c1"), sb::QueueId("q")).ok());  // to ana
    // The host was paused: ana's offer rang out 15 s in and ben's 15 s later, both in this Tick.
    clock.Advance(absl::Seconds(40));
    host.events.clear();
    host.accept_offers = true;
    const std::string before = router.DebugString();
    REQUIRE(router.Tick().ok());
    std::vector<Ev> types;
    for (const auto& e : host.events) types.push_back(e.type);
    CHECK(types == std::vector<Ev>{Ev::kExpired, Ev::kOffered, Ev::kExpired});
    REQUIRE(host.answers.size() == 1);
    CHECK(host.answers[0].code() == absl::StatusCode::kFailedPrecondition);
    CHECK(router.GetContact(sb::ContactId("c1"))->state == sb::ContactState::kWaiting);
    CHECK(router.DebugString() != before);  // the Tick's own work stands
    CHECK(router.CheckInvariants().ok());
  }
  SECTION("a status change of an agent the listener removed") {
    REQUIRE(router.Enqueue(sbt::MakeContact("c1"), sb::QueueId("q")).ok());  // to ana
    host.events.clear();
    host.remove_on_rescind = true;
    // Offline rescinds ana's offer; ben gets it. On kRescinded the host removes ana, whose
    // status change the same call caused is delivered after that, already stale.
    REQUIRE(router.SetAgentState(sb::AgentId("ana"), AgentState::kOffline).ok());
    REQUIRE(host.answers.size() == 1);
    CHECK(host.answers[0].ok());
    CHECK_FALSE(router.GetAgent(sb::AgentId("ana")).ok());
    std::vector<std::string> seen;
    for (const auto& e : host.events) {
      seen.push_back(std::string(sb::RoutingEventTypeName(e.type)) + " " + e.agent.value());
    }
    CHECK(seen ==
          std::vector<std::string>{"rescinded ana", "agent_state_changed ana", "offered ben"});
    const auto offer = router.CurrentOffer(sb::ContactId("c1"));
    REQUIRE(offer.ok());
    REQUIRE(offer->has_value());
    CHECK((*offer)->agent == sb::AgentId("ben"));
    CHECK(router.CheckInvariants().ok());
  }
}
