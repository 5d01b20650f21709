// The routing engine: decides which agent gets which contact, one instance per tenant.
//
// The host configures queues and agents, enqueues contacts and answers offers; the router
// reports every decision to its RouterListener. All time comes from the injected Clock and all
// randomness from a generator seeded by RouterOptions::seed, so the same calls in the same
// order, at the same clock times, always produce the same events.
//
// Thread-safety: NOT thread-safe. One thread (or one strand) owns a Router; the listener is
// called on that thread. To share one between threads, wrap it in your own lock (the library
// has no thread-safe facade yet; one is planned).
//
//   switchboard::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
//   MyListener listener;  // implements switchboard::RouterListener
//   auto router = switchboard::Router::Create({}, &clock, &listener);  // StatusOr
//   if (!router.ok()) return router.status();
//   (*router)->AddQueue(billing);              // a switchboard::Queue
//   (*router)->AddAgent(ana);                  // a switchboard::Agent serving "billing"
//   (*router)->SetAgentState(ana.id, switchboard::AgentState::kAvailable);
//   (*router)->Enqueue(call, billing.id);      // listener sees kQueued, then kOffered
//   auto offer = (*router)->CurrentOffer(call.id);
//   (*router)->Accept((*offer)->id);           // kAccepted; ana is busy
//   clock.Advance(absl::Minutes(4));
//   (*router)->Complete(call.id, "resolved");  // kCompleted; ana in wrap-up
//   clock.Advance(billing.wrap_up);
//   (*router)->Tick();                         // kWrapUpEnded; ana available again
//
// Errors: every call validates fully before it changes anything, so a call that returns an
// error has changed nothing and emitted no event of its own; only the work that fell due before
// it (timers, see Tick) has run, as it would have anyway. Codes: InvalidArgument (malformed
// input, out-of-range values, a channel the queue does not serve), NotFound (unknown id),
// AlreadyExists (duplicate id), FailedPrecondition (the call does not fit the current state:
// accepting an expired or foreign offer, completing a contact not in progress...),
// ResourceExhausted (the queue is at max_waiting).
#ifndef SWITCHBOARD_ROUTER_H_
#define SWITCHBOARD_ROUTER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/contact_state.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/offer.h"
#include "switchboard/queue.h"
#include "switchboard/router_listener.h"
#include "switchboard/routing_stats.h"
#include "switchboard/routing_strategy.h"

namespace switchboard {

// How the router finds the agent for a contact and the contact for an agent. Both choose exactly
// the same; they differ only in cost.
enum class SelectionMode : unsigned char {
  // Ordered indexes per queue and per set of contact requirements: O(log n) per decision.
  kIndexed = 0,
  // A scan over the queue's members (or the agent's queues' waiting contacts) per decision: the
  // reference implementation the tests use as an oracle and the benchmark as a baseline.
  kLinearScan,
};

struct RouterOptions {
  // When not empty, queues, agents and contacts of another tenant are rejected with
  // InvalidArgument.
  // Default: empty (not checked)
  TenantId tenant;

  // The agent-selection strategy of queues added without one (see routing_strategy.h).
  // Default: "longest-idle"
  std::string strategy = "longest-idle";

  // Where strategy names are looked up. Must outlive the router (strategies are created from it
  // in AddQueue/UpdateQueue). nullptr means the built-ins only.
  // Default: nullptr
  const AgentSelectionStrategyRegistry* strategies = nullptr;

  // This many consecutive expired offers put the agent in away with `no_answer_reason`.
  // 0 disables the rule. Range 0..1000.
  // Default: 2
  int max_missed_offers = 2;

  // The away reason used by the rule above. Default: "no answer"
  std::string no_answer_reason = "no answer";

  // Seeds the generator behind "random" and "weighted-random".
  // Default: 0x5eed
  std::uint64_t seed = 0x5eed;

  // Default: SelectionMode::kIndexed
  SelectionMode selection = SelectionMode::kIndexed;

  // An agent whose Agent::capacities is empty gets DefaultCapacity(c) for every channel
  // (voice 1 and exclusive, chat 3, email 5, messaging 4...); its capacity_units must then cover
  // each default cost_units (100 for voice), else AddAgent/UpdateAgent return InvalidArgument.
  // When false such an agent handles no channel.
  // Default: true
  bool default_capacities_when_empty = true;

  // Tuning of SelectionMode::kIndexed; it changes the cost of decisions, never the decisions.
  // A set of contact requirements gets its own agent ordering when at most 1 in
  // `index_selectivity` members of the queue meet it; otherwise the router walks the queue's
  // ordering skipping agents that do not meet it, and gives it its own ordering once a walk
  // passes `index_max_walk` agents (counting the stale entries it must leave in place).
  // Ranges 1..1000 and 0..100000.
  // Default: 8 and 64
  int index_selectivity = 8;
  int index_max_walk = 64;
  // The orderings kept for a set of contact requirements are dropped once no contact has needed
  // them for a while: when, since then, keeping them has cost as many updates as there are
  // members in the queue plus `index_retire_after`, about what rebuilding them costs. A
  // contact that needs them later rebuilds them. This bounds each agent's upkeep by the
  // requirement sets in use, not by every set the router has met. Range 0..1000000.
  // Default: 64
  int index_retire_after = 64;

  // "Today" for fewest-contacts and least-talk-time: the daily counters restart at midnight in
  // this zone, applied by Tick() or by the first other call after midnight, before its effects
  // (even when that call then fails, as for any work that fell due).
  // Default: UTC
  absl::TimeZone day_zone = absl::UTCTimeZone();
};

// The router keeps its times as 64-bit nanoseconds since the Unix epoch, and contacts' times may
// not be before the epoch (Contact::Validate), so its clock must read within this range
// (1970-01-01 .. 2262-04-11 UTC). Create refuses a clock outside it; a clock that jumps past the
// end later is not supported (Tick still returns, as at InfiniteFuture, where each Tick runs only
// the timers set before it: one round of offer expiries and re-offers).
inline constexpr absl::Time kEarliestRouterTime = absl::UnixEpoch();
inline constexpr absl::Time kLatestRouterTime =
    absl::FromUnixNanos(std::numeric_limits<std::int64_t>::max());

// The agent of a declined, expired or rescinded offer is not offered that contact again while it
// stays in its queue; the last this many such agents are remembered per contact (oldest
// forgotten first). A host that declines every offer at once, inside its listener, with more
// agents than this fitting a contact keeps the router offering it around them forever.
inline constexpr std::size_t kMaxDeclinesRemembered = 16;

// Thread-safety: see the file comment.
class SWITCHBOARD_EXPORT Router {
 public:
  // A new, empty router. InvalidArgument for bad options (unknown strategy, negative
  // max_missed_offers...), a null clock, or a clock that reads outside kEarliestRouterTime ..
  // kLatestRouterTime. `clock` and `listener` (may be null) must outlive the
  // router; the router owns neither.
  static absl::StatusOr<std::unique_ptr<Router>> Create(const RouterOptions& options,
                                                         const Clock* clock,
                                                         RouterListener* listener);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // ---- Configuration -------------------------------------------------------------------------

  // Adds a queue with the named strategy (empty: RouterOptions::strategy). InvalidArgument for an
  // invalid queue or unknown strategy, AlreadyExists for a known id.
  absl::Status AddQueue(const Queue& queue, std::string_view strategy = {});
  // Replaces a queue's settings (empty strategy: keep the current one) and re-routes its waiting
  // contacts; reservations for a preferred agent in the queue end, and those contacts are open
  // to every agent. InvalidArgument for an invalid queue or unknown strategy, NotFound for an
  // unknown id; FailedPrecondition when a contact in the queue uses a channel the new settings do
  // not serve.
  absl::Status UpdateQueue(const Queue& queue, std::string_view strategy = {});
  // NotFound for an unknown id; FailedPrecondition while a contact is in the queue or an agent
  // lists it in Agent::queues.
  absl::Status RemoveQueue(const QueueId& queue);

  // Adds an agent; its initial state is agent.status (offline, available or away; busy and
  // wrap-up are the router's to set: InvalidArgument). InvalidArgument for an invalid agent,
  // AlreadyExists for a known id, NotFound when a membership names an unknown queue.
  absl::Status AddAgent(const Agent& agent);
  // Replaces an agent's configuration, keeping its state, contacts and counters: agent.status is
  // validated as in AddAgent but not applied (busy and wrap-up are accepted; use SetAgentState
  // for presence). As AddAgent, plus FailedPrecondition when the contacts it holds would exceed
  // the new capacity limits. A live offer the agent holds stands, even from a queue it leaves.
  absl::Status UpdateAgent(const Agent& agent);
  // NotFound for an unknown id; FailedPrecondition while it holds an offer or a contact.
  absl::Status RemoveAgent(const AgentId& agent);

  // Sets the agent's presence: kOffline, kAvailable or kAway (with a reason); kBusy and kWrapUp
  // are InvalidArgument, as is a reason longer than kMaxNameLength or not UTF-8. Going offline
  // or away rescinds a live offer; contacts already accepted stay with the agent. The reported
  // state is busy while the agent has a contact in progress, and wrap-up while it has one in
  // wrap-up, whatever the presence; a live offer alone does not change it.
  absl::Status SetAgentState(const AgentId& agent, AgentState state,
                             std::string_view away_reason = {});

  // ---- Contacts ------------------------------------------------------------------------------

  // Puts a contact in a queue and offers it at once if an agent fits: its preferred agent first,
  // or, with a preferred_agent_wait, it waits that long for that agent alone (docs/routing.md).
  // InvalidArgument for an invalid contact or a channel the queue does not serve, NotFound for
  // an unknown queue, AlreadyExists when a contact with this id is in the router,
  // ResourceExhausted when the queue already holds max_waiting contacts waiting or offered.
  absl::Status Enqueue(const Contact& contact, const QueueId& queue);

  // Accepts a live offer: the contact is in progress with the agent. NotFound for an id the
  // router never issued; FailedPrecondition for an offer that expired (even if Tick has not run
  // yet), was declined, rescinded or already accepted, or (second form) that was made to another
  // agent or does not exist for the contact.
  absl::Status Accept(OfferId offer);
  absl::Status Accept(const ContactId& contact, const AgentId& agent);
  // Declines a live offer (same errors as Accept). The contact waits again and is not offered to
  // this agent again while it stays in its queue (the last kMaxDeclinesRemembered are remembered;
  // an agent removed and added again under the same id is a new agent here: RemoveAgent ends
  // what the router knew of it).
  absl::Status Decline(OfferId offer);
  absl::Status Decline(const ContactId& contact, const AgentId& agent);
  // Withdraws the contact's live offer (FailedPrecondition if it has none). The contact waits
  // again and is not offered to that agent again while it stays in its queue (as for Decline,
  // up to the last 16 agents).
  absl::Status Rescind(const ContactId& contact);

  // Changes how a waiting or offered contact is routed (ContactRoutingUpdate: priority, age
  // adjustment, its own skills, language). A waiting contact takes its new place at once and is
  // offered to an agent that fits it now, if any; one reserved for its preferred agent stays
  // reserved while that agent still serves it and meets the new requirements, and is otherwise
  // open to every agent. A live offer stands: the change applies if the contact waits again.
  // Emits no event of its own. NotFound for an unknown contact, FailedPrecondition once
  // answered (in progress or wrap-up), InvalidArgument naming the update's field.
  absl::Status UpdateRouting(const ContactId& contact, const ContactRoutingUpdate& update);

  // Ends a contact in progress; the agent keeps its capacity for the queue's wrap-up time
  // (Tick(), or any later call, ends it at its own time). NotFound for an unknown contact,
  // FailedPrecondition when not in progress, InvalidArgument for a disposition longer than
  // kMaxNameLength or not UTF-8.
  absl::Status Complete(const ContactId& contact, std::string_view disposition);
  // The customer left while waiting or offered (a live offer is withdrawn without counting as
  // missed). NotFound / FailedPrecondition (in progress or wrap-up: use Complete).
  absl::Status Abandon(const ContactId& contact);

  // Moves a waiting, offered or in-progress contact to another queue, keeping its arrival time.
  // An in-progress contact's agent is released without wrap-up. Same errors as Enqueue for the
  // target queue; FailedPrecondition in wrap-up or when `queue` is its current queue;
  // InvalidArgument for a note longer than kMaxTextLength or not UTF-8.
  absl::Status TransferToQueue(const ContactId& contact, const QueueId& queue,
                               std::string_view note);
  // Offers a waiting, offered or in-progress contact directly to `agent`, bypassing strategy,
  // membership and skills (a warm transfer). The agent must be available, hold no live offer and
  // have capacity for the channel (FailedPrecondition otherwise). If the offer is declined or
  // expires, the contact waits in its current queue. A live offer it replaces counts as
  // rescinded but does not exclude that agent (unlike Rescind).
  absl::Status TransferToAgent(const ContactId& contact, const AgentId& agent,
                               std::string_view note);

  // Runs every timer due at the clock's Now(), in time order: offer expiries, wrap-up ends,
  // queue delays that make a waiting contact visible to more agents, preferred-agent reservations
  // running out, and the daily counter reset.
  // Timers due at one instant all run before the agents and contacts they free are routed.
  // Every other mutating call first does the same, so work never waits for a Tick once a call
  // comes; Tick is for the quiet times between calls (call it at NextDeadline()).
  absl::Status Tick();
  // When Tick() next has work to do, counting the daily counter reset at the next midnight in
  // RouterOptions::day_zone (so an idle router returns that midnight); nullopt only when nothing
  // at all is scheduled (after a clock that read InfiniteFuture()). Not const: it drops the
  // timers that became moot (an answered offer's expiry) so that a host does not wake for them,
  // so a host that guards the router with a reader-writer lock takes the writer's side here.
  std::optional<absl::Time> NextDeadline();

  // ---- Queries -------------------------------------------------------------------------------

  absl::StatusOr<QueueStats> GetQueueStats(const QueueId& queue) const;
  absl::StatusOr<AgentStats> GetAgentStats(const AgentId& agent) const;
  absl::StatusOr<ContactInfo> GetContact(const ContactId& contact) const;
  // The contact's live offer, or nullopt. NotFound for an unknown contact.
  absl::StatusOr<std::optional<Offer>> CurrentOffer(const ContactId& contact) const;
  // The queue's waiting contacts (not those offered), best first, in the order an agent with no
  // delay and every skill would take them. Includes, in that same order, contacts reserved for a
  // preferred agent (ContactInfo::reserved_for): only that agent may take them, and it takes them
  // before the others.
  absl::StatusOr<std::vector<ContactId>> WaitingContacts(const QueueId& queue) const;
  // The configuration the router holds (with default capacities filled in).
  absl::StatusOr<Agent> GetAgent(const AgentId& agent) const;
  absl::StatusOr<Queue> GetQueue(const QueueId& queue) const;
  // Sizes, for hosts and tests.
  std::size_t queue_count() const;
  std::size_t agent_count() const;
  std::size_t contact_count() const;  // contacts in any ContactState

  // A deterministic dump of the whole routing state (agents, contacts, offers, counters), meant
  // for tests and logs: two routers given the same calls print the same text.
  std::string DebugString() const;
  const RouterOptions& options() const;

  // Verifies the router's internal consistency: every contact in exactly one state, no agent
  // above a capacity limit, offers only to eligible agents (direct offers of TransferToAgent, and
  // offers made before an UpdateQueue or UpdateAgent, are exempt: an update lets a live offer
  // stand), no waiting contact that an idle eligible agent could take (membership delays as of
  // the last call, which applies them), and (kIndexed) indexes equal to what a full rebuild
  // would give.
  // Costs O(agents x contacts): for tests and debugging. Internal on error.
  absl::Status CheckInvariants() const;

 private:
  class Impl;
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_ROUTER_H_
