// The router's state machine (Router::Impl): configuration, the contact lifecycle, timers and
// events. Selection itself is delegated to a Selector (indexed or linear scan).
//
// Every public operation validates everything first, then mutates, then flushes the events it
// produced to the listener.
//
// Thread-safety: none; see router.h.
#ifndef SWITCHBOARD_SRC_ROUTING_ROUTER_IMPL_H_
#define SWITCHBOARD_SRC_ROUTING_ROUTER_IMPL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "src/routing/model.h"
#include "src/routing/selector.h"
#include "switchboard/router.h"

namespace switchboard {

class Router::Impl {
 public:
  Impl(const RouterOptions& options, const Clock* clock, RouterListener* listener);
  // Resolves the default strategy; called once by Router::Create.
  absl::Status Init();

  absl::Status AddQueue(const Queue& queue, std::string_view strategy);
  absl::Status UpdateQueue(const Queue& queue, std::string_view strategy);
  absl::Status RemoveQueue(const QueueId& id);
  absl::Status AddAgent(const Agent& agent);
  absl::Status UpdateAgent(const Agent& agent);
  absl::Status RemoveAgent(const AgentId& id);
  absl::Status SetAgentState(const AgentId& id, AgentState state, std::string_view reason);

  absl::Status Enqueue(const Contact& contact, const QueueId& queue);
  absl::Status Accept(OfferId offer);
  absl::Status Accept(const ContactId& contact, const AgentId& agent);
  absl::Status Decline(OfferId offer);
  absl::Status Decline(const ContactId& contact, const AgentId& agent);
  absl::Status Rescind(const ContactId& contact);
  absl::Status UpdateRouting(const ContactId& contact, const ContactRoutingUpdate& update);
  absl::Status Complete(const ContactId& contact, std::string_view disposition);
  absl::Status Abandon(const ContactId& contact);
  absl::Status TransferToQueue(const ContactId& contact, const QueueId& queue,
                               std::string_view note);
  absl::Status TransferToAgent(const ContactId& contact, const AgentId& agent,
                               std::string_view note);
  absl::Status Tick();
  std::optional<absl::Time> NextDeadline();

  absl::StatusOr<QueueStats> GetQueueStats(const QueueId& id) const;
  absl::StatusOr<AgentStats> GetAgentStats(const AgentId& id) const;
  absl::StatusOr<ContactInfo> GetContact(const ContactId& id) const;
  absl::StatusOr<std::optional<Offer>> CurrentOffer(const ContactId& id) const;
  absl::StatusOr<std::vector<ContactId>> WaitingContacts(const QueueId& id) const;
  absl::StatusOr<Agent> GetAgent(const AgentId& id) const;
  absl::StatusOr<Queue> GetQueue(const QueueId& id) const;
  std::size_t queue_count() const { return queues_.size(); }
  std::size_t agent_count() const { return agents_.size(); }
  std::size_t contact_count() const { return contacts_.size(); }
  std::string DebugString() const;
  absl::Status CheckInvariants() const;
  const RouterOptions& options() const { return options_; }

  // Runs `op` at the clock's time (never earlier than a previous call) and then delivers the
  // events it produced. Router wraps every mutating call in it.
  //
  // What fell due since the previous call (timers, the midnight restart of the daily counters)
  // runs first, each at its own time, as Tick() would have run it: an agent whose wrap-up ended a
  // minute ago is available to the contact this call enqueues, and a Tick after the call still
  // finds nothing overdue. That part stands even when the call then fails; the call's own
  // changes are all or nothing. A call that fails does not count as a previous call: it leaves
  // the time floor where the due work left it.
  template <typename F>
  auto Call(F op, bool is_tick = false) {
    const absl::Time floor_before = call_floor_;
    absl::Time high_water_before = high_water_;
    call_floor_ = high_water_;
    SetNow(std::max(clock_->Now(), high_water_));
    high_water_ = now_;
    if (!is_tick && WorkDue(now_)) {
      RunDueWork();
      high_water_before = now_;
    }
    auto result = op();
    if (!result.ok()) {
      call_floor_ = floor_before;
      high_water_ = high_water_before;
    }
    DropMootTimers();  // queries stop at the next timer that matters (QueryTime), not a moot one
    Flush();
    return result;
  }

 private:
  using AgentRec = routing::AgentRec;
  using QueueRec = routing::QueueRec;
  using ContactRec = routing::ContactRec;

  enum class TimerKind : unsigned char {
    kOfferExpiry,
    kWrapUpEnd,
    kDelayCheck,
    kReservationEnd,
  };
  // Names its contact by record and sequence: records are pooled, never freed while the router
  // lives, and a released record has sequence 0, so a timer whose contact left reads as moot.
  struct Timer {
    absl::Time at;
    std::uint64_t seq = 0;
    ContactRec* contact = nullptr;
    std::uint64_t contact_seq = 0;
    std::uint64_t offer = 0;
    TimerKind kind = TimerKind::kOfferExpiry;
  };
  struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const {
      if (a.at != b.at) return a.at > b.at;
      return a.seq > b.seq;
    }
  };
  // The timer heap, which can also drop its moot timers in one pass.
  class TimerQueue : public std::priority_queue<Timer, std::vector<Timer>, TimerLater> {
   public:
    template <typename Moot>
    void RemoveIf(Moot moot) {
      c.erase(std::remove_if(c.begin(), c.end(), moot), c.end());
      std::make_heap(c.begin(), c.end(), comp);
    }
  };
  // How an offer ended; all but kAbandoned emit their own event.
  enum class OfferEnd : unsigned char { kDeclined, kExpired, kRescinded, kAbandoned };

  // ---- lookups and validation ----
  absl::StatusOr<QueueRec*> FindQueue(const QueueId& id) const;
  absl::StatusOr<AgentRec*> FindAgent(const AgentId& id) const;
  absl::StatusOr<ContactRec*> FindContact(const ContactId& id) const;
  absl::Status CheckTenant(const TenantId& tenant, std::string_view kind,
                           std::string_view id) const;
  // InvalidArgument naming `kind` 'id' and `field` when `text` is longer than `max_bytes` or is
  // not UTF-8: the rule of every text field of the core types, for the text calls pass in.
  static absl::Status CheckText(std::string_view text, std::size_t max_bytes,
                                std::string_view kind, std::string_view id,
                                std::string_view field) {
    if (text.empty()) return absl::OkStatus();  // the usual case: no reason, no note
    return CheckNonEmptyText(text, max_bytes, kind, id, field);
  }
  static absl::Status CheckNonEmptyText(std::string_view text, std::size_t max_bytes,
                                        std::string_view kind, std::string_view id,
                                        std::string_view field);
  absl::StatusOr<std::shared_ptr<const AgentSelectionStrategy>> MakeStrategy(
      std::string_view name) const;
  absl::Status ValidateAgent(const Agent& agent, const AgentRec* existing) const;
  absl::StatusOr<ContactRec*> LiveOffer(OfferId id) const;
  absl::StatusOr<ContactRec*> LiveOffer(const ContactId& contact, const AgentId& agent) const;
  absl::Status CheckAnswerable(const ContactRec& c) const;
  absl::Status CheckQueueAccepts(const QueueRec& q, Channel channel, std::string_view id) const;
  // The checks both transfers share: the note's size and a contact not yet in wrap-up.
  absl::Status CheckTransferable(const ContactRec& c, std::string_view note) const;
  // Takes a contact off its queue, offer or agent for a transfer and emits kTransferred (set in
  // `event`, for the caller to complete); returns the agent it released, if any.
  AgentRec* DetachForTransfer(ContactRec& c, RoutingEvent*& event);

  // ---- records ----
  // The agent's capacities, or the defaults when it lists none (RouterOptions).
  bool UsesDefaultCapacities(const Agent& agent) const;
  std::vector<ChannelCapacity> CapacitiesOf(const Agent& agent) const;
  void ApplyAgentConfig(AgentRec& a, const Agent& agent);
  // A race ticket an agent keeps through UpdateAgent, with the weight it was drawn with.
  struct KeptTicket {
    double ticket = std::nan("");  // NaN: none kept, draw one
    double weight = 1;
  };
  // Joins the queues' member lists; in a ticket queue each membership gets its kept ticket,
  // its lead over the race rescaled to the new weight, or a fresh one.
  void JoinQueues(AgentRec& a, const std::vector<QueueMembership>& queues,
                  const std::vector<KeptTicket>& kept);
  void LeaveQueues(AgentRec& a);
  void ApplyQueueConfig(QueueRec& q, const Queue& config);
  std::vector<routing::Requirement> NormalizeRequirements(
      const std::vector<SkillRequirement>& reqs);
  const routing::Signature* SignatureFor(const QueueRec& q, const ContactRec& c);
  void SweepSignatures();
  // Language tags are case-insensitive (BCP 47): interned in lower case, so "EN" is "en".
  std::uint32_t InternLanguage(std::string_view tag);
  // The weight of a's race ticket in its membership's queue (the strategy's TicketWeight; 1 when
  // that is not a positive finite number), and a fresh step drawn with it.
  double TicketWeightOf(const AgentRec& a, std::uint32_t membership) const;
  double DrawTicketStep(const AgentRec& a, std::uint32_t membership);
  void RemoveContact(ContactRec& c);  // forgets it and returns its record to the pool
  ContactRec& NewContact();           // a blank record from the pool

  // ---- agent state ----
  void Hold(AgentRec& a, Channel ch);
  void Release(AgentRec& a, Channel ch);
  // What the agent's status reads as now (busy and wrap-up carry no reason).
  static AgentState ReportedState(const AgentRec& a);
  static const std::string& ReportedReason(const AgentRec& a);
  static const std::string& NoReason();
  // Emits AgentStateChanged when the reported status moved since the last report. The record
  // keeps only whether that report carried a reason, which is away_reason unless the caller
  // has just changed it: then `previous_away_reason` is the one before (SetAgentState).
  void RefreshReported(AgentRec& a, const std::string* previous_away_reason = nullptr);
  void AccountTime(AgentRec& a);

  // ---- lifecycle ----
  void EnterWaiting(ContactRec& c);  // PrepareWaiting + AddWaiting
  // State, signature and queue key of a contact about to wait.
  void PrepareWaiting(ContactRec& c);
  // Into the queue's waiting list and, unless reserved, the selector's orderings.
  void AddWaiting(ContactRec& c);
  // EnterWaiting then RouteContact, with the same outcome, for a contact entering its queue;
  // `preferred` (may be null) is offered the contact first when it could take it now, and
  // otherwise, with a positive `wait`, has it reserved that long when it could ever take it.
  void Place(ContactRec& c, const AgentId* preferred = nullptr,
             absl::Duration wait = absl::ZeroDuration());
  // ---- reservations (Contact::preferred_agent_wait) ----
  // Whether `a` serves c's queue and meets c's skills and language: whether it could ever take
  // `c` (its availability and capacity aside).
  bool Reservable(const ContactRec& c, const AgentRec& a) const;
  void Reserve(ContactRec& c, AgentRec& a, absl::Time until);
  // Forgets the reservation of a waiting `c` (the caller moves it on).
  void DropReservation(ContactRec& c);
  // The reservation of a waiting `c` is over: every agent may take it now.
  void EndReservation(ContactRec& c);
  // Ends the reservations held for `a`: all of them (it is being removed), or those it can no
  // longer take (its configuration changed).
  void EndReservationsOf(AgentRec& a, bool all);
  // The best contact reserved for `a` that it can take now (sets the membership), or null.
  ContactRec* ReservedFit(const AgentRec& a, std::uint32_t* membership) const;
  // When the reservation of `c` ends; InfinitePast() when it has none.
  absl::Time ReservedUntil(const ContactRec& c) const;
  // The agent with this id, or null (a preference names an agent that may not exist).
  AgentRec* AgentNamed(const AgentId& id) const;
  // Whether `a` could take `c` (prepared to wait) right now: available with no live offer, a
  // member of c's queue whose delay has passed, with capacity, the skills and the language, and
  // not excluded. Sets the membership's index.
  bool FitsNowFor(const ContactRec& c, const AgentRec& a, std::uint32_t* membership) const;
  void LeaveWaiting(ContactRec& c);
  // Sets the fields an update names on the record (not its signature or key).
  void ApplyRoutingUpdate(ContactRec& c, const ContactRoutingUpdate& update);
  // Applies an update to a waiting contact: new signature and place, then routed.
  void Rewait(ContactRec& c, const ContactRoutingUpdate& update);
  // The selector's agent for `c`, after giving agents whose race ticket has fallen behind the
  // race (ticket strategies) a fresh one.
  std::optional<routing::AgentChoice> ChooseAgent(const ContactRec& c) {
    std::optional<routing::AgentChoice> choice = selector_->SelectAgent(c, now_);
    if (!choice || !c.queue->traits.uses_tickets) return choice;
    return RedrawPassedTickets(c, *choice);
  }
  std::optional<routing::AgentChoice> RedrawPassedTickets(const ContactRec& c,
                                                          routing::AgentChoice choice);
  // Offers `c` to the selector's agent; while deferral is on, only notes it for RouteDeferred.
  void RouteContact(ContactRec& c);
  // Contacts that become routable at one moment (timers due at one instant, the reservations of
  // an agent that leaves) are noted while this is on, then routed together by RouteDeferred.
  // Returns whether it was already on (a nested batch leaves the routing to the outer one).
  bool BeginDeferral() { return std::exchange(defer_routing_, true); }
  // Lets the noted agents choose (in the order they were freed), then routes the noted
  // contacts best first (queue priority, then the queue's own order): the agent that would
  // take a contact chooses among all that wait, by its own contact order, so the order in
  // which the timers ran does not decide who is offered first.
  void RouteDeferred();
  void RouteInTurn(ContactRec& c);
  void RouteAgent(AgentRec& a);
  // RouteAgent for an agent left unindexed by the caller, then Index. Only where no other
  // selection runs between the agent's change and this call.
  void RouteAndIndex(AgentRec& a);
  void MakeOffer(ContactRec& c, AgentRec& a, std::optional<std::uint32_t> membership);
  // The public form of the contact's live offer (offer_id != 0, agent set).
  Offer OfferOf(const ContactRec& c) const;
  void FillOffer(const ContactRec& c, Offer& offer) const;  // OfferOf into an existing Offer
  // Accept of a live, answerable offer (both Accept overloads, after their checks).
  void AcceptLive(ContactRec* c);
  // Ends the live offer of `c` and releases its agent, which it returns; the caller decides
  // where `c` goes.
  AgentRec* EndOffer(ContactRec& c, OfferEnd how);
  // After EndOffer: `c` waits again (not to be offered to `a` again when `exclude`) and both are
  // routed.
  void ReturnToQueue(ContactRec& c, AgentRec& a, bool exclude,
                     const std::string* previous_away_reason = nullptr);
  AgentRec* ReleaseInProgress(ContactRec& c);
  void EndWrapUp(ContactRec& c);
  void ScheduleDelayCheck(ContactRec& c);
  void ScheduleDelayChecks(QueueRec& q);
  // Schedules the daily counter reset for the first midnight after `after`.
  void ScheduleDayReset(absl::Time after);
  // Restarts the daily counters and schedules the next reset for the first midnight after
  // `after` (the counters change only in host calls, so the midnights before it would reset
  // nothing: a clock that jumps years ahead does not cost a pass over the agents per day).
  void RollDay(absl::Time after);
  // Whether the counters restart by `t` (never when no midnight follows: the infinite future).
  bool DayResetDue(absl::Time t) const {
    return day_reset_at_ != absl::InfiniteFuture() && day_reset_at_ <= t;
  }
  // Whether a timer or the midnight restart is due by `t`.
  bool WorkDue(absl::Time t) const {
    return (!timers_.empty() && timers_.top().at <= t) || DayResetDue(t);
  }
  // Runs, in time order, each timer due by now and the midnight restart, each at its own time
  // (never before the previous call): what Tick() does.
  void RunDueWork();
  void SetDailyCounters(AgentRec& a, std::int64_t handled, std::int64_t talk_ns);
  // Runs a timer that is due.
  void ProcessTimer(const Timer& t);
  // True when ProcessTimer(t) would do nothing (its offer was answered, its wrap-up or delay
  // check superseded, its contact gone).
  bool IsMoot(const Timer& t) const;
  // True when `t` is moot and no later change can make it matter again (what a sweep drops).
  bool IsMootForGood(const Timer& t) const;
  // Pops the moot timers at the top, so that the top is the next timer that matters.
  void DropMootTimers();
  // When the next timer at the top, or the midnight restart, is due (InfiniteFuture if never).
  absl::Time DueWorkAt() const;
  void PushTimer(absl::Time at, TimerKind kind, ContactRec* contact, std::uint64_t offer);

  // ---- events ----
  // Appends an event for `c` (may be null) and returns it for the caller to complete at once,
  // before anything else is emitted (a later append may move it).
  // Null when the listener does not want this type (nothing is built then).
  RoutingEvent* Emit(RoutingEventType type, const ContactRec* c);
  void Flush();
  void SetNow(absl::Time t) {
    now_ = t;
    now_ns_ = absl::ToUnixNanos(t);
  }
  // Queries describe the router at one instant: the clock's time, but never past work that fell
  // due and that no call has applied yet (a wrap-up end, an offer expiry: time after it would
  // be counted in the wrong state and later taken back), nor before the last call.
  absl::Time QueryTime() const {
    return std::max(std::min(clock_->Now(), DueWorkAt()), high_water_);
  }

  std::vector<QueueRec*> SortedQueues() const;
  std::vector<AgentRec*> SortedAgents() const;
  std::vector<ContactRec*> SortedWaiting(const QueueRec& q) const;
  absl::Status CheckContacts() const;
  absl::Status CheckReservations() const;
  absl::Status CheckAgents() const;
  absl::Status CheckStability() const;

  RouterOptions options_;
  const Clock* clock_;
  RouterListener* listener_;
  RoutingEventMask interests_;  // the listener's, read once; none without a listener
  AgentSelectionStrategyRegistry builtin_registry_;
  const AgentSelectionStrategyRegistry* registry_;
  std::unique_ptr<routing::Selector> selector_;
  std::mt19937_64 rng_;
  absl::Time now_;
  std::int64_t now_ns_ = 0;  // now_ in Unix nanoseconds (always set with it, by SetNow)
  absl::Time high_water_ = absl::UnixEpoch();  // latest time any call ran at
  absl::Time call_floor_ = absl::UnixEpoch();  // high_water_ before the current call
  // When due work last ran (creation before it first did): membership delays that passed by then
  // have been applied; later ones wait for the next call (CheckStability reads it).
  absl::Time delays_applied_at_ = absl::UnixEpoch();
  // The next midnight (RouterOptions::day_zone), when the daily counters restart.
  absl::Time day_reset_at_ = absl::InfiniteFuture();
  std::uint64_t config_epoch_ = 0;  // bumped by UpdateAgent/UpdateQueue
  routing::Interner skills_;
  routing::Interner languages_;
  routing::Interner tenants_;  // of agents (a router may serve any tenant's when options_ has none)
  // Merged requirements packed one per integer, then the language (see SignatureFor).
  using SignatureKey = absl::InlinedVector<std::uint64_t, 4>;
  absl::flat_hash_map<SignatureKey, std::unique_ptr<routing::Signature>> signatures_;
  // Signatures nothing refers to any more are dropped (SweepSignatures), so the map follows the
  // requirement sets in use, not every one ever met.
  routing::SweepSchedule signature_sweep_{1024};
  absl::flat_hash_map<QueueId, std::unique_ptr<QueueRec>> queues_;
  // Agents by id. A set of the records looked up by their own id: a slot is one pointer, not a
  // pointer and a copy of the id.
  struct AgentHash {
    using is_transparent = void;
    std::size_t operator()(const AgentId& id) const { return absl::Hash<AgentId>{}(id); }
    std::size_t operator()(const std::unique_ptr<AgentRec>& a) const { return (*this)(a->id); }
  };
  struct AgentEq {
    using is_transparent = void;
    static const AgentId& IdOf(const AgentId& id) { return id; }
    static const AgentId& IdOf(const std::unique_ptr<AgentRec>& a) {
      // A lookup by id reads the record's id first; the calls that look an agent up read the
      // rest of the record next. Requested here, its lines load beside the id's instead of after
      // it (at scale each is a miss to memory).
      routing::PrefetchRecord(a.get());
      return a->id;
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return IdOf(a) == IdOf(b);
    }
  };
  absl::flat_hash_set<std::unique_ptr<AgentRec>, AgentHash, AgentEq> agents_;
  absl::flat_hash_map<ContactId, ContactRec*> contacts_;
  // Contact records: pooled (a deque keeps them in place) so that timers can name them.
  std::deque<ContactRec> contact_slab_;
  std::vector<ContactRec*> free_contacts_;
  absl::flat_hash_map<std::uint64_t, ContactRec*> live_offers_;
  // Contacts waiting for one agent alone, by agent (few: only those with a preferred_agent_wait).
  struct Reservation {
    ContactRec* contact = nullptr;
    absl::Time until;
  };
  absl::flat_hash_map<const AgentRec*, absl::InlinedVector<Reservation, 2>> reservations_;
  std::uint64_t next_offer_ = 1;
  std::uint64_t next_agent_ordinal_ = 1;
  std::uint32_t next_dense_ = 0;            // AgentRec::dense: the next never used
  std::vector<std::uint32_t> free_dense_;  // and those of removed agents
  std::uint64_t next_queue_ordinal_ = 1;
  std::uint64_t next_contact_seq_ = 1;
  std::uint64_t next_timer_seq_ = 1;
  std::uint64_t draws_ = 0;
  TimerQueue timers_;
  // Moot timers below the top stay until they come up, or until a sweep (see PushTimer).
  routing::SweepSchedule timer_sweep_{1024};
  bool defer_routing_ = false;
  std::vector<ContactRec*> deferred_;       // waiting contacts noted by RouteContact / Place
  std::vector<AgentRec*> deferred_agents_;  // agents noted by RouteAgent
  std::vector<RoutingEvent> events_;
  std::vector<RoutingEvent> delivering_;  // the batch Flush is delivering
  bool flushing_ = false;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_SRC_ROUTING_ROUTER_IMPL_H_
