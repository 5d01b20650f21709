// Router::Impl, part 2: the contact lifecycle, offers, timers and events.
#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/routing/router_impl.h"
#include "switchboard/limits.h"

namespace switchboard {

using routing::AgentRec;
using routing::ContactRec;
using routing::QueueRec;

namespace {

absl::Duration ThresholdOf(const ContactRec& c) {
  return c.sl_threshold.value_or(c.queue->config.service_level.threshold);
}

}  // namespace

// ---- events ----------------------------------------------------------------------------------

RoutingEvent* Router::Impl::Emit(RoutingEventType type, const ContactRec* c) {
  if ((interests_ & EventBit(type)) == 0) return nullptr;  // nobody wants it: not built
  RoutingEvent& e = events_.emplace_back();
  e.type = type;
  e.at = now_;
  if (c != nullptr) {
    e.contact = c->id;
    e.queue = c->queue->config.id;
    if (c->agent != nullptr) e.agent = c->agent->id;
  }
  return &e;
}

void Router::Impl::Flush() {
  if (flushing_) return;  // a listener calling back: the outer loop delivers its events
  flushing_ = true;
  std::size_t next = 0;  // the first event of delivering_ not yet handed to the listener
  // A listener must not throw. If one does, the exception reaches the host's call (the state
  // change was already complete), and the router stays usable: the events not yet delivered
  // are kept, in order, for the next call, instead of delivery stopping for good.
  struct OnThrow {
    Impl& impl;
    const std::size_t& next;
    ~OnThrow() {
      if (!impl.flushing_) return;  // a normal exit
      impl.events_.insert(impl.events_.begin(), impl.delivering_.begin() + next,
                          impl.delivering_.end());
      impl.delivering_.clear();
      impl.flushing_ = false;
    }
  } on_throw{*this, next};
  // Batches: a listener calling back appends to events_, which the next round delivers, in
  // order, after the rest of this batch. Both vectors keep their capacity, so steady state
  // allocates nothing per event.
  while (!events_.empty()) {
    delivering_.swap(events_);
    if (listener_ != nullptr) {
      for (next = 0; next < delivering_.size();) listener_->OnEvent(delivering_[next++]);
    }
    delivering_.clear();
  }
  flushing_ = false;
}

// ---- agent state -----------------------------------------------------------------------------

void Router::Impl::Hold(AgentRec& a, Channel ch) {
  const auto i = static_cast<std::size_t>(ch);
  ++a.held[i];
  ++a.held_count;
  a.used_units += a.cost[i];
  if (TraitsOf(ch).exclusive) ++a.exclusive_held;
}

void Router::Impl::Release(AgentRec& a, Channel ch) {
  const auto i = static_cast<std::size_t>(ch);
  --a.held[i];
  --a.held_count;
  a.used_units -= a.cost[i];
  if (TraitsOf(ch).exclusive) --a.exclusive_held;
}

AgentState Router::Impl::ReportedState(const AgentRec& a) {
  if (a.active > 0) return AgentState::kBusy;
  if (a.wrapping > 0) return AgentState::kWrapUp;
  return a.presence;
}

const std::string& Router::Impl::NoReason() {
  static const std::string* const kNone = new std::string();  // immutable; never destroyed
  return *kNone;
}

const std::string& Router::Impl::ReportedReason(const AgentRec& a) {
  return a.active > 0 || a.wrapping > 0 ? NoReason() : a.away_reason;  // busy, wrap-up: none
}

void Router::Impl::AccountTime(AgentRec& a) {
  // Integer nanoseconds: this runs on every state change, and absl's Duration arithmetic is out
  // of line in a shared Abseil. Held at the int64 limit: a host clock that started before 1970
  // and jumps centuries ahead spans more nanoseconds than an int64 holds.
  std::int64_t d = 0;
  if (__builtin_sub_overflow(now_ns_, a.state_since_ns, &d)) d = INT64_MAX;  // now is later
  switch (a.reported_state) {
    case AgentState::kBusy:
    case AgentState::kWrapUp: a.busy_ns = routing::AddSaturating(a.busy_ns, d); break;
    case AgentState::kAvailable: a.available_ns = routing::AddSaturating(a.available_ns, d); break;
    default: break;
  }
  a.state_since_ns = now_ns_;
}

void Router::Impl::RefreshReported(AgentRec& a, const std::string* previous_away_reason) {
  // Compared before a status is built: no string copy in the common, unchanged case.
  const AgentState state = ReportedState(a);
  const std::string& reason = ReportedReason(a);
  const std::string& previous =
      !a.reported_reason ? NoReason()
                         : (previous_away_reason != nullptr ? *previous_away_reason : a.away_reason);
  if (state == a.reported_state && reason == previous) return;
  AccountTime(a);
  if (RoutingEvent* e = Emit(RoutingEventType::kAgentStateChanged, nullptr)) {
    e->agent = a.id;
    e->previous_status = AgentStatus{a.reported_state, previous};
    e->agent_status = AgentStatus{state, reason};
  }
  a.reported_state = state;
  a.reported_reason = !reason.empty();
}

// ---- waiting and routing ---------------------------------------------------------------------

void Router::Impl::EnterWaiting(ContactRec& c) {
  PrepareWaiting(c);
  AddWaiting(c);
}

void Router::Impl::PrepareWaiting(ContactRec& c) {
  QueueRec& q = *c.queue;
  c.state = ContactState::kWaiting;
  c.sig = SignatureFor(q, c);
  c.key = routing::MakeContactKey(q, c, c.seq);
}

void Router::Impl::AddWaiting(ContactRec& c) {
  QueueRec& q = *c.queue;
  c.waiting_pos = static_cast<std::uint32_t>(q.waiting.size());
  q.waiting.push_back(&c);
  if (c.reserved_for == nullptr) selector_->AddWaiting(c);
}

void Router::Impl::Place(ContactRec& c, const AgentId* preferred, absl::Duration wait) {
  PrepareWaiting(c);
  if (AgentRec* a = preferred != nullptr ? AgentNamed(*preferred) : nullptr) {
    std::uint32_t membership = 0;
    if (FitsNowFor(c, *a, &membership)) {
      MakeOffer(c, *a, membership);
      return;
    }
    if (wait > absl::ZeroDuration() && Reservable(c, *a)) {
      Reserve(c, *a, now_ + wait);
      return;
    }
  }
  if (defer_routing_) {
    AddWaiting(c);
    deferred_.push_back(&c);
    return;
  }
  // Selecting first is the same decision (selection never reads the contact's own queue entry)
  // and spares the insert into the queue's orderings, and its erase, when an agent is free.
  std::optional<routing::AgentChoice> choice = ChooseAgent(c);
  if (choice) {
    MakeOffer(c, *choice->agent, choice->membership);
    return;
  }
  AddWaiting(c);
  ScheduleDelayCheck(c);
}

void Router::Impl::LeaveWaiting(ContactRec& c) {
  // Its delay check is moot now (queries stop at the next timer that matters); back in waiting,
  // routing schedules the next one again.
  c.next_delay_check = absl::InfiniteFuture();
  if (c.reserved_for != nullptr) {
    DropReservation(c);  // never in the selector's orderings
  } else {
    selector_->RemoveWaiting(c);
  }
  QueueRec& q = *c.queue;
  ContactRec* last = q.waiting.back();
  q.waiting[c.waiting_pos] = last;
  last->waiting_pos = c.waiting_pos;
  q.waiting.pop_back();
}

AgentRec* Router::Impl::AgentNamed(const AgentId& id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : it->get();
}

bool Router::Impl::FitsNowFor(const ContactRec& c, const AgentRec& a,
                              std::uint32_t* membership) const {
  const std::optional<std::uint32_t> m = routing::MembershipOf(a, c.queue);
  if (!m || !routing::FitsNow(a, a.memberships[*m], c, now_)) return false;
  *membership = *m;
  return true;
}

void Router::Impl::RouteContact(ContactRec& c) {
  if (defer_routing_) {
    deferred_.push_back(&c);
    return;
  }
  if (c.reserved_for != nullptr) {  // only its agent may take it (a delay may just have passed)
    AgentRec& a = *c.reserved_for;
    std::uint32_t membership = 0;
    if (FitsNowFor(c, a, &membership)) {
      LeaveWaiting(c);
      MakeOffer(c, a, membership);
    } else {
      ScheduleDelayCheck(c);
    }
    return;
  }
  std::optional<routing::AgentChoice> choice = ChooseAgent(c);
  if (!choice) {
    ScheduleDelayCheck(c);
    return;
  }
  LeaveWaiting(c);
  MakeOffer(c, *choice->agent, choice->membership);
}

void Router::Impl::RouteDeferred() {
  defer_routing_ = false;  // nothing below notes anything: the lists are read in place
  // An agent noted twice chooses in its first place; the second call finds it holding the offer
  // (or, with nothing for it then, nothing now) and does nothing.
  for (AgentRec* a : deferred_agents_) RouteAgent(*a);
  deferred_agents_.clear();
  if (deferred_.empty()) return;
  auto order = [](const ContactRec* c) {
    return std::tuple(c->queue->priority, c->key, c->queue->ordinal);
  };
  std::sort(deferred_.begin(), deferred_.end(),
            [&](const ContactRec* a, const ContactRec* b) { return order(a) < order(b); });
  deferred_.erase(std::unique(deferred_.begin(), deferred_.end()), deferred_.end());
  for (ContactRec* c : deferred_) RouteInTurn(*c);
  deferred_.clear();
}

void Router::Impl::RouteInTurn(ContactRec& c) {
  // Each turn offers one contact, so this ends. Another noted contact may have been offered in
  // an earlier turn; a contact reserved for one agent has nobody else to ask.
  while (c.state == ContactState::kWaiting) {
    if (c.reserved_for != nullptr) {
      RouteContact(c);
      return;
    }
    std::optional<routing::AgentChoice> choice = ChooseAgent(c);
    if (!choice) {
      ScheduleDelayCheck(c);
      return;
    }
    AgentRec& a = *choice->agent;
    RouteAgent(a);               // takes the best it may take now, `c` or better
    if (a.offered == nullptr) {  // cannot happen (it fits `c`), but `c` must not be stranded
      LeaveWaiting(c);
      MakeOffer(c, a, choice->membership);
    }
  }
}

std::optional<routing::AgentChoice> Router::Impl::RedrawPassedTickets(
    const ContactRec& c, routing::AgentChoice first) {
  const QueueRec& q = *c.queue;
  // An exponential race gives each runner its fair chance only while the runner's ticket lies
  // ahead of the race (the last winning ticket). An agent that could not run while the race
  // moved on (away, busy, unfit for the contacts in between) kept a ticket the race has
  // passed, and would win every contact until the others' tickets were reached. Such a ticket
  // is drawn afresh from where the race is: the exponential's lack of memory then gives it
  // exactly its weight's chance. Stale tickets rank first, so they come up here one by one.
  std::optional<routing::AgentChoice> choice = first;
  while (choice) {
    AgentRec& a = *choice->agent;
    double& ticket = routing::TicketOf(a.memberships[choice->membership]);
    if (ticket >= q.virtual_time) break;
    selector_->Unindex(a);
    ticket = q.virtual_time + DrawTicketStep(a, choice->membership);
    selector_->Index(a);
    choice = selector_->SelectAgent(c, now_);
  }
  return choice;
}

void Router::Impl::RouteAndIndex(AgentRec& a) {
  // The agent is out of the indexes here. Choosing its contact needs only the contacts' side,
  // so try that first: when it gets an offer it is no longer routable and the inserts into its
  // orderings (and the erases right after) are saved.
  RouteAgent(a);
  selector_->Index(a);
}

void Router::Impl::RouteAgent(AgentRec& a) {
  if (defer_routing_) {
    deferred_agents_.push_back(&a);
    return;
  }
  if (!routing::Routable(a)) return;
  std::uint32_t membership = 0;
  // Contacts waiting for this agent alone come first: that is what they wait for.
  ContactRec* c = reservations_.empty() ? nullptr : ReservedFit(a, &membership);
  if (c == nullptr) c = selector_->SelectContact(a, now_, &membership);
  if (c == nullptr) return;
  LeaveWaiting(*c);
  MakeOffer(*c, a, membership);
}

// ---- reservations ----------------------------------------------------------------------------

bool Router::Impl::Reservable(const ContactRec& c, const AgentRec& a) const {
  // A channel it has no room for even when idle (a chat-only agent and a call) it never takes.
  const auto ch = static_cast<std::size_t>(c.channel);
  if (a.max_concurrent[ch] <= 0 || a.cost[ch] > a.capacity_units) return false;
  return routing::MembershipOf(a, c.queue) && routing::Qualifies(a, *c.sig);
}

void Router::Impl::Reserve(ContactRec& c, AgentRec& a, absl::Time until) {
  c.reserved_for = &a;
  reservations_[&a].push_back(Reservation{&c, until});
  AddWaiting(c);  // in the waiting list only
  PushTimer(until, TimerKind::kReservationEnd, &c, 0);
  ScheduleDelayCheck(c);  // the agent's membership delay may pass before the reservation ends
}

void Router::Impl::DropReservation(ContactRec& c) {
  auto it = reservations_.find(c.reserved_for);
  auto& held = it->second;
  held.erase(std::find_if(held.begin(), held.end(),
                          [&c](const Reservation& r) { return r.contact == &c; }));
  if (held.empty()) reservations_.erase(it);
  c.reserved_for = nullptr;
}

absl::Time Router::Impl::ReservedUntil(const ContactRec& c) const {
  if (c.reserved_for == nullptr) return absl::InfinitePast();
  for (const Reservation& r : reservations_.at(c.reserved_for)) {
    if (r.contact == &c) return r.until;
  }
  return absl::InfinitePast();  // unreachable: CheckReservations keeps the lists complete
}

void Router::Impl::EndReservation(ContactRec& c) {
  DropReservation(c);
  selector_->AddWaiting(c);  // still in the waiting list: now in the orderings too
  RouteContact(c);
}

void Router::Impl::EndReservationsOf(AgentRec& a, bool all) {
  auto it = reservations_.find(&a);
  if (it == reservations_.end()) return;
  const absl::InlinedVector<Reservation, 2> held = it->second;  // EndReservation edits the map
  const bool nested = BeginDeferral();  // routed together: best first, not by reservation age
  for (const Reservation& r : held) {
    if (all || !Reservable(*r.contact, a)) EndReservation(*r.contact);
  }
  if (!nested) RouteDeferred();
}

ContactRec* Router::Impl::ReservedFit(const AgentRec& a, std::uint32_t* membership) const {
  auto it = reservations_.find(&a);
  if (it == reservations_.end()) return nullptr;
  ContactRec* best = nullptr;
  // The cross key, then the queue key: two contacts of one queue with the same ranked arrival
  // go in the queue's enqueue order (the later first under LIFO), as the selectors take them.
  const auto order = [&a](std::uint32_t m, const ContactRec& c) {
    return std::pair(routing::MakeCrossKey(a.memberships[m], c), c.key);
  };
  for (const Reservation& r : it->second) {
    std::uint32_t i = 0;
    if (!FitsNowFor(*r.contact, a, &i)) continue;
    if (best == nullptr || order(i, *r.contact) < order(*membership, *best)) {
      best = r.contact;
      *membership = i;
    }
  }
  return best;
}

void Router::Impl::MakeOffer(ContactRec& c, AgentRec& a, std::optional<std::uint32_t> membership) {
  QueueRec& q = *c.queue;
  std::optional<routing::AgentKey> rr_key;
  if (membership && q.traits.round_robin) rr_key = routing::RankAgent(a, *membership, *c.sig);
  selector_->Unindex(a);
  if (membership && q.traits.uses_tickets) {
    double& ticket = routing::TicketOf(a.memberships[*membership]);
    q.virtual_time = std::max(q.virtual_time, ticket);
    ticket += DrawTicketStep(a, *membership);
  }
  Hold(a, c.channel);
  a.offered = &c;
  a.idle_since = now_;
  selector_->Index(a);
  if (rr_key) {
    q.rr_valid = true;
    q.rr_rank = rr_key->rank;
    q.rr_ordinal = rr_key->ordinal;
  }
  c.state = ContactState::kOffered;
  c.agent = &a;
  c.offer_epoch = config_epoch_;
  ++c.offers;
  c.offer_id = next_offer_++;
  c.offered_at = now_;
  c.offer_expires_at = now_ + q.config.offer_timeout;
  c.offer_direct = !membership.has_value();
  live_offers_[c.offer_id] = &c;
  ++q.offered_now;
  ++q.stats.offers_made;
  PushTimer(c.offer_expires_at, TimerKind::kOfferExpiry, &c, c.offer_id);
  if (RoutingEvent* e = Emit(RoutingEventType::kOffered, &c)) FillOffer(c, e->offer.emplace());
  RefreshReported(a);
}

Offer Router::Impl::OfferOf(const ContactRec& c) const {
  Offer offer;
  FillOffer(c, offer);
  return offer;
}

void Router::Impl::FillOffer(const ContactRec& c, Offer& offer) const {
  offer.id = OfferId{c.offer_id};
  offer.contact = c.id;
  offer.agent = c.agent->id;
  offer.queue = c.queue->config.id;
  offer.channel = c.channel;
  offer.offered_at = c.offered_at;
  offer.expires_at = c.offer_expires_at;
  offer.attempt = c.offers;
  offer.direct = c.offer_direct;
}

Router::Impl::AgentRec* Router::Impl::EndOffer(ContactRec& c, OfferEnd how) {
  AgentRec& a = *c.agent;
  QueueRec& q = *c.queue;
  --q.offered_now;
  RoutingEventType type = RoutingEventType::kRescinded;
  selector_->Unindex(a);
  switch (how) {
    case OfferEnd::kDeclined:
      type = RoutingEventType::kDeclined;
      ++q.stats.offers_declined;
      ++a.declined;
      a.consecutive_missed = 0;  // an answer: the misses are no longer "in a row"
      break;
    case OfferEnd::kExpired:
      type = RoutingEventType::kExpired;
      ++q.stats.offers_expired;
      ++a.missed;
      ++a.consecutive_missed;
      if (options_.max_missed_offers > 0 && a.consecutive_missed >= options_.max_missed_offers &&
          a.presence == AgentState::kAvailable) {
        a.presence = AgentState::kAway;
        a.away_reason = options_.no_answer_reason;
        a.consecutive_missed = 0;
      }
      break;
    case OfferEnd::kRescinded:
    case OfferEnd::kAbandoned:
      ++q.stats.offers_rescinded;
      break;
  }
  Release(a, c.channel);
  a.offered = nullptr;
  a.idle_since = now_;
  selector_->Index(a);
  if (how != OfferEnd::kAbandoned) {
    if (RoutingEvent* e = Emit(type, &c)) FillOffer(c, e->offer.emplace());
  }
  live_offers_.erase(c.offer_id);
  c.offer_id = 0;
  c.agent = nullptr;
  return &a;
}

void Router::Impl::ReturnToQueue(ContactRec& c, AgentRec& a, bool exclude,
                                 const std::string* previous_away_reason) {
  if (exclude) {
    if (c.excluded.size() >= kMaxDeclinesRemembered) c.excluded.erase(c.excluded.begin());
    c.excluded.push_back(a.ordinal);
  }
  RefreshReported(a, previous_away_reason);
  Place(c);
  RouteAgent(a);
}

AgentRec* Router::Impl::ReleaseInProgress(ContactRec& c) {
  AgentRec& a = *c.agent;
  --c.queue->in_progress;
  selector_->Unindex(a);
  --a.active;
  a.talk_today_ns =
      routing::AddSaturating(a.talk_today_ns, absl::ToInt64Nanoseconds(now_ - c.accepted_at));
  Release(a, c.channel);
  a.idle_since = now_;
  selector_->Index(a);
  c.agent = nullptr;
  return &a;
}

void Router::Impl::RemoveContact(ContactRec& c) {
  --c.queue->contacts;
  contacts_.erase(c.id);
  // Rebuilt in place (no temporary): seq 0 makes timers naming it moot, and its data is gone.
  std::destroy_at(&c);
  std::construct_at(&c);
  free_contacts_.push_back(&c);
}

ContactRec& Router::Impl::NewContact() {
  if (free_contacts_.empty()) return contact_slab_.emplace_back();
  ContactRec* c = free_contacts_.back();
  free_contacts_.pop_back();
  return *c;
}

// ---- validation shared by the offer calls ----------------------------------------------------

absl::StatusOr<ContactRec*> Router::Impl::LiveOffer(OfferId id) const {
  auto it = live_offers_.find(id.value);
  if (it != live_offers_.end()) return it->second;
  if (id.value == 0 || id.value >= next_offer_) {
    return absl::NotFoundError(internal::StrCat("offer ", id.value, " was never made"));
  }
  return absl::FailedPreconditionError(internal::StrCat(
      "offer ", id.value, " is no longer live (accepted, declined, expired or rescinded)"));
}

absl::StatusOr<ContactRec*> Router::Impl::LiveOffer(const ContactId& contact,
                                                    const AgentId& agent) const {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  SB_RETURN_IF_ERROR(FindAgent(agent).status());
  if (c->offer_id == 0) {
    return absl::FailedPreconditionError(
        internal::StrCat("contact '", internal::Printable(contact.value()),
                         "' has no live offer (it is ", ContactStateName(c->state), ")"));
  }
  if (c->agent->id != agent) {
    return absl::FailedPreconditionError(
        internal::StrCat("the offer of contact '", internal::Printable(contact.value()),
                         "' was made to agent '", internal::Printable(c->agent->id.value()),
                         "', not to '", internal::Printable(agent.value()), "'"));
  }
  return c;
}

absl::Status Router::Impl::CheckAnswerable(const ContactRec& c) const {
  if (now_ >= c.offer_expires_at) {
    return absl::FailedPreconditionError(internal::StrCat(
        "offer ", c.offer_id, " of contact '", internal::Printable(c.id.value()), "' expired at ",
        absl::FormatTime(c.offer_expires_at, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::CheckQueueAccepts(const QueueRec& q, Channel channel,
                                             std::string_view id) const {
  if (!q.config.Serves(channel)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "contact '", internal::Printable(id), "' is ", ChannelName(channel), " but queue '",
        internal::Printable(q.config.id.value()), "' does not serve that channel"));
  }
  const int queued = static_cast<int>(q.waiting.size()) + q.offered_now;
  if (q.config.max_waiting > 0 && queued >= q.config.max_waiting) {
    return absl::ResourceExhaustedError(
        internal::StrCat("queue '", internal::Printable(q.config.id.value()), "' is full (", queued,
                         " of max_waiting ", q.config.max_waiting, ")"));
  }
  return absl::OkStatus();
}

// ---- contact calls ---------------------------------------------------------------------------

absl::Status Router::Impl::Enqueue(const Contact& contact, const QueueId& queue) {
  SB_RETURN_IF_ERROR(contact.Validate());
  SB_RETURN_IF_ERROR(CheckTenant(contact.tenant, "contact", contact.id.value()));
  SB_ASSIGN_OR_RETURN(QueueRec * q, FindQueue(queue));
  SB_RETURN_IF_ERROR(CheckQueueAccepts(*q, contact.channel, contact.id.value()));
  // The duplicate check comes last and claims the id's slot in the same probe.
  auto [slot, inserted] = contacts_.try_emplace(contact.id, nullptr);
  if (!inserted) {
    return absl::AlreadyExistsError(internal::StrCat(
        "contact '", internal::Printable(contact.id.value()), "' is already in the router"));
  }
  ContactRec& c = NewContact();
  slot->second = &c;
  c.id = contact.id;
  c.seq = next_contact_seq_++;
  c.channel = contact.channel;
  c.priority = contact.priority;
  c.arrived_at = std::min(contact.arrived_at, now_);
  c.queued_at = now_;
  if (contact.service_level) c.sl_threshold = contact.service_level->threshold;
  c.own_reqs = NormalizeRequirements(contact.required_skills);
  c.language = contact.language.empty() ? 0 : InternLanguage(contact.language);
  c.queue = q;
  ++q->contacts;
  ++q->stats.entered;
  Emit(RoutingEventType::kQueued, &c);
  Place(c, contact.preferred_agent ? &*contact.preferred_agent : nullptr,
        contact.preferred_agent_wait);
  return absl::OkStatus();
}

absl::Status Router::Impl::Accept(OfferId offer) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, LiveOffer(offer));
  SB_RETURN_IF_ERROR(CheckAnswerable(*c));
  AcceptLive(c);
  return absl::OkStatus();
}

absl::Status Router::Impl::Accept(const ContactId& contact, const AgentId& agent) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, LiveOffer(contact, agent));
  SB_RETURN_IF_ERROR(CheckAnswerable(*c));
  AcceptLive(c);
  return absl::OkStatus();
}

void Router::Impl::AcceptLive(ContactRec* c) {
  AgentRec& a = *c->agent;
  QueueRec& q = *c->queue;
  if (RoutingEvent* e = Emit(RoutingEventType::kAccepted, c)) {
    FillOffer(*c, e->offer.emplace());  // no other event before the end
  }
  live_offers_.erase(c->offer_id);
  c->offer_id = 0;
  --q.offered_now;
  ++q.in_progress;
  selector_->Unindex(a);
  a.offered = nullptr;
  ++a.active;
  a.consecutive_missed = 0;
  c->state = ContactState::kInProgress;
  c->accepted_at = now_;
  if (!c->answered) {
    c->answered = true;
    const absl::Duration wait = now_ - c->arrived_at;
    ++q.stats.answered;
    if (wait <= ThresholdOf(*c)) ++q.stats.answered_within_threshold;
    q.stats.total_answer_wait += wait;
  }
  RefreshReported(a);
  RouteAndIndex(a);
}

absl::Status Router::Impl::Decline(OfferId offer) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, LiveOffer(offer));
  SB_RETURN_IF_ERROR(CheckAnswerable(*c));
  ReturnToQueue(*c, *EndOffer(*c, OfferEnd::kDeclined), /*exclude=*/true);
  return absl::OkStatus();
}

absl::Status Router::Impl::Decline(const ContactId& contact, const AgentId& agent) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, LiveOffer(contact, agent));
  SB_RETURN_IF_ERROR(CheckAnswerable(*c));
  ReturnToQueue(*c, *EndOffer(*c, OfferEnd::kDeclined), /*exclude=*/true);
  return absl::OkStatus();
}

absl::Status Router::Impl::Rescind(const ContactId& contact) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  if (c->offer_id == 0) {
    return absl::FailedPreconditionError(internal::StrCat(
        "contact '", internal::Printable(contact.value()), "' has no live offer to rescind (it is ",
        ContactStateName(c->state), ")"));
  }
  ReturnToQueue(*c, *EndOffer(*c, OfferEnd::kRescinded), /*exclude=*/true);
  return absl::OkStatus();
}

absl::Status Router::Impl::UpdateRouting(const ContactId& contact,
                                         const ContactRoutingUpdate& update) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  if (absl::Status s = update.Validate(); !s.ok()) {
    return absl::Status(
        s.code(),
        internal::StrCat("contact '", internal::Printable(contact.value()), "': ", s.message()));
  }
  if (c->state != ContactState::kWaiting && c->state != ContactState::kOffered) {
    return absl::FailedPreconditionError(internal::StrCat(
        "contact '", internal::Printable(contact.value()), "' is ", ContactStateName(c->state),
        "; only a waiting or offered contact's routing can change"));
  }
  if (c->state == ContactState::kOffered) {
    // The offer stands. Its signature stays the one it was offered under (CheckInvariants
    // checks the agent against it); waiting again computes the new one.
    ApplyRoutingUpdate(*c, update);
    return absl::OkStatus();
  }
  Rewait(*c, update);
  return absl::OkStatus();
}

void Router::Impl::ApplyRoutingUpdate(ContactRec& c, const ContactRoutingUpdate& update) {
  if (update.priority) c.priority = *update.priority;
  if (update.age_adjustment) c.age_adjustment_ns = absl::ToInt64Nanoseconds(*update.age_adjustment);
  if (update.required_skills) c.own_reqs = NormalizeRequirements(*update.required_skills);
  if (update.language) c.language = update.language->empty() ? 0 : InternLanguage(*update.language);
}

void Router::Impl::Rewait(ContactRec& c, const ContactRoutingUpdate& update) {
  // Out of the orderings under its old key, back in under the new one.
  if (c.reserved_for == nullptr) selector_->RemoveWaiting(c);
  ApplyRoutingUpdate(c, update);
  PrepareWaiting(c);
  if (c.reserved_for != nullptr) {
    // Its agent keeps it while it could still take it; otherwise every agent may. Either way
    // the reservation's end timer stands (moot once the reservation is gone).
    if (!Reservable(c, *c.reserved_for)) {
      EndReservation(c);  // into the orderings, routed
    } else {
      RouteContact(c);  // its agent, if it fits now
    }
    return;
  }
  selector_->AddWaiting(c);
  RouteContact(c);
}

absl::Status Router::Impl::Complete(const ContactId& contact, std::string_view disposition) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  if (c->state != ContactState::kInProgress) {
    return absl::FailedPreconditionError(internal::StrCat(
        "contact '", internal::Printable(contact.value()), "' is ", ContactStateName(c->state),
        ", not in progress; only an accepted contact can be completed"));
  }
  SB_RETURN_IF_ERROR(CheckText(disposition, kMaxNameLength, "contact", contact.value(),
                               "disposition"));
  AgentRec& a = *c->agent;
  QueueRec& q = *c->queue;
  const absl::Duration talk = now_ - c->accepted_at;
  const absl::Duration wrap = q.config.wrap_up;
  --q.in_progress;
  ++q.stats.completed;
  q.stats.total_handle_time += talk + wrap;
  selector_->Unindex(a);
  --a.active;
  a.talk_today_ns = routing::AddSaturating(a.talk_today_ns, absl::ToInt64Nanoseconds(talk));
  ++a.handled_today;
  ++a.handled_total;
  if (wrap > absl::ZeroDuration()) {
    ++a.wrapping;
  } else {
    Release(a, c->channel);
    a.idle_since = now_;
  }
  if (RoutingEvent* e = Emit(RoutingEventType::kCompleted, c)) e->text = std::string(disposition);
  if (wrap > absl::ZeroDuration()) {
    c->state = ContactState::kWrapUp;
    c->wrapup_until = now_ + wrap;
    PushTimer(c->wrapup_until, TimerKind::kWrapUpEnd, c, 0);
  } else {
    // No wrap-up: it ends at once, so every completed contact leaves with kWrapUpEnded and a
    // listener need not know the queue's wrap-up time to tell when it is gone.
    Emit(RoutingEventType::kWrapUpEnded, c);
    RemoveContact(*c);
  }
  RefreshReported(a);
  RouteAndIndex(a);
  return absl::OkStatus();
}

void Router::Impl::EndWrapUp(ContactRec& c) {
  AgentRec& a = *c.agent;
  selector_->Unindex(a);
  --a.wrapping;
  Release(a, c.channel);
  a.idle_since = now_;
  Emit(RoutingEventType::kWrapUpEnded, &c);
  RemoveContact(c);
  RefreshReported(a);
  RouteAndIndex(a);
}

absl::Status Router::Impl::Abandon(const ContactId& contact) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  if (c->state != ContactState::kWaiting && c->state != ContactState::kOffered) {
    return absl::FailedPreconditionError(internal::StrCat(
        "contact '", internal::Printable(contact.value()), "' is ", ContactStateName(c->state),
        "; only a waiting or offered contact can be abandoned (use Complete)"));
  }
  QueueRec& q = *c->queue;
  // EndOffer(kAbandoned) emits nothing, so this event keeps its place.
  RoutingEvent* e = Emit(RoutingEventType::kAbandoned, c);
  AgentRec* agent = nullptr;
  if (c->state == ContactState::kWaiting) {
    LeaveWaiting(*c);
  } else {
    if (e != nullptr) FillOffer(*c, e->offer.emplace());  // before EndOffer clears it
    agent = EndOffer(*c, OfferEnd::kAbandoned);
  }
  // A contact answered in this queue (then transferred to an agent) ended its wait then: it
  // counts once, as answered.
  if (!c->answered) {
    ++q.stats.abandoned;
    if (now_ - c->arrived_at <= ThresholdOf(*c)) ++q.stats.short_abandoned;
  }
  RemoveContact(*c);
  if (agent != nullptr) {
    RefreshReported(*agent);
    RouteAgent(*agent);
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::CheckTransferable(const ContactRec& c, std::string_view note) const {
  SB_RETURN_IF_ERROR(CheckText(note, kMaxTextLength, "contact", c.id.value(), "transfer note"));
  if (c.state == ContactState::kWrapUp) {
    return absl::FailedPreconditionError(
        internal::StrCat("contact '", internal::Printable(c.id.value()),
                         "' is in wrap-up; it can no longer be transferred"));
  }
  return absl::OkStatus();
}

Router::Impl::AgentRec* Router::Impl::DetachForTransfer(ContactRec& c, RoutingEvent*& event) {
  AgentRec* released = nullptr;
  if (c.state == ContactState::kWaiting) {
    LeaveWaiting(c);
  } else if (c.state == ContactState::kOffered) {
    released = EndOffer(c, OfferEnd::kRescinded);
  } else {
    released = ReleaseInProgress(c);
  }
  event = Emit(RoutingEventType::kTransferred, &c);
  if (released != nullptr && event != nullptr) event->agent = released->id;
  return released;
}

absl::Status Router::Impl::TransferToQueue(const ContactId& contact, const QueueId& queue,
                                           std::string_view note) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  SB_ASSIGN_OR_RETURN(QueueRec * target, FindQueue(queue));
  SB_RETURN_IF_ERROR(CheckTransferable(*c, note));
  if (target == c->queue) {
    return absl::FailedPreconditionError(
        internal::StrCat("contact '", internal::Printable(contact.value()),
                         "' is already in queue '", internal::Printable(queue.value()), "'"));
  }
  SB_RETURN_IF_ERROR(CheckQueueAccepts(*target, c->channel, contact.value()));
  QueueRec& source = *c->queue;
  RoutingEvent* e = nullptr;
  AgentRec* released = DetachForTransfer(*c, e);
  if (e != nullptr) {
    e->to_queue = queue;
    e->text = std::string(note);
  }
  ++source.stats.transferred_out;
  --source.contacts;
  c->queue = target;
  ++target->contacts;
  ++target->stats.entered;
  Emit(RoutingEventType::kQueued, c);  // it entered a queue, as with Enqueue (router_listener.h)
  c->queued_at = now_;
  c->excluded.clear();
  c->answered = false;
  c->next_delay_check = absl::InfiniteFuture();
  if (released != nullptr) RefreshReported(*released);
  // The released agent is free but has not chosen yet, so the agent picked for the contact may
  // have an older contact to take first (it may be the released one): the contact is routed in
  // turn (RouteInTurn), as contacts freed together are, then the released agent chooses.
  const bool nested = BeginDeferral();
  Place(*c);
  if (!nested) RouteDeferred();
  if (released != nullptr) RouteAgent(*released);
  return absl::OkStatus();
}

absl::Status Router::Impl::TransferToAgent(const ContactId& contact, const AgentId& agent,
                                           std::string_view note) {
  SB_ASSIGN_OR_RETURN(ContactRec * c, FindContact(contact));
  SB_ASSIGN_OR_RETURN(AgentRec * target, FindAgent(agent));
  SB_RETURN_IF_ERROR(CheckTransferable(*c, note));
  if (c->agent == target) {
    return absl::FailedPreconditionError(
        internal::StrCat("contact '", internal::Printable(contact.value()),
                         "' is already with agent '", internal::Printable(agent.value()), "'"));
  }
  if (!routing::Routable(*target)) {
    return absl::FailedPreconditionError(
        internal::StrCat("agent '", internal::Printable(agent.value()),
                         "' cannot take a transfer now (", AgentStateName(target->presence),
                         target->offered != nullptr ? ", holds an offer" : "", ")"));
  }
  if (!routing::CanTake(*target, c->channel)) {
    return absl::FailedPreconditionError(
        internal::StrCat("agent '", internal::Printable(agent.value()), "' has no ",
                         ChannelName(c->channel), " capacity left"));
  }
  RoutingEvent* e = nullptr;
  AgentRec* released = DetachForTransfer(*c, e);
  if (e != nullptr) {
    e->to_agent = agent;
    e->text = std::string(note);
  }
  if (released != nullptr) RefreshReported(*released);
  MakeOffer(*c, *target, std::nullopt);
  if (released != nullptr) RouteAgent(*released);
  return absl::OkStatus();
}

// ---- timers ----------------------------------------------------------------------------------

void Router::Impl::PushTimer(absl::Time at, TimerKind kind, ContactRec* contact,
                             std::uint64_t offer) {
  timers_.push(Timer{at, next_timer_seq_++, contact, contact != nullptr ? contact->seq : 0, offer,
                     kind});
  // A timer that turned moot (an offer answered long before its expiry) would otherwise hold its
  // place until its time, behind one that still matters: memory would follow the offer rate
  // times the timeout, not the live contacts. Sweeping when the heap doubles costs O(1) per push
  // over time. Only timers moot for good are dropped, so nothing changes.
  if (timer_sweep_.Due(timers_.size())) {
    timers_.RemoveIf([this](const Timer& t) { return IsMootForGood(t); });
    timer_sweep_.Swept(timers_.size());
  }
}

void Router::Impl::ScheduleDelayCheck(ContactRec& c) {
  // The next membership delay of the queue that this contact has not yet waited out.
  for (const auto& [delay, count] : c.queue->delays) {
    const absl::Time at = c.queued_at + delay;
    if (at <= now_) continue;
    if (c.next_delay_check > now_ && c.next_delay_check <= at) return;  // already due earlier
    c.next_delay_check = at;
    PushTimer(at, TimerKind::kDelayCheck, &c, 0);
    return;
  }
}

void Router::Impl::ScheduleDelayChecks(QueueRec& q) {
  for (ContactRec* c : SortedWaiting(q)) ScheduleDelayCheck(*c);
}

void Router::Impl::ScheduleDayReset(absl::Time after) {
  // No midnight follows the infinite future (and the civil day after it would overflow).
  if (after == absl::InfiniteFuture()) {
    day_reset_at_ = absl::InfiniteFuture();
    return;
  }
  absl::CivilDay day = absl::ToCivilDay(after, options_.day_zone);
  absl::Time midnight;
  // Where a zone turned its clocks back across midnight (Newfoundland in 1987, Casey in 2010),
  // the hour after the change is yesterday again, and "tomorrow" starts at the midnight just
  // passed: a reset there would be due at once and schedule itself again, forever.
  do {
    midnight = absl::FromCivil(++day, options_.day_zone);
  } while (midnight <= after);
  day_reset_at_ = midnight;
}

void Router::Impl::RollDay(absl::Time after) {
  for (const auto& a : agents_) {
    if (a->handled_today == 0 && a->talk_today_ns == 0) continue;
    SetDailyCounters(*a, 0, 0);
  }
  ScheduleDayReset(after);
}

void Router::Impl::SetDailyCounters(AgentRec& a, std::int64_t handled, std::int64_t talk_ns) {
  selector_->Unindex(a);  // ranks of fewest-contacts and least-talk-time read them
  a.handled_today = handled;
  a.talk_today_ns = talk_ns;
  selector_->Index(a);
}

bool Router::Impl::IsMoot(const Timer& t) const {
  if (t.contact->seq != t.contact_seq) return true;  // the contact left (its record may be reused)
  const ContactRec& c = *t.contact;
  switch (t.kind) {
    case TimerKind::kOfferExpiry:
      return c.offer_id == 0 || c.offer_id != t.offer;
    case TimerKind::kWrapUpEnd:
      return c.state != ContactState::kWrapUp || c.wrapup_until != t.at;
    case TimerKind::kDelayCheck:
      return c.next_delay_check != t.at;
    case TimerKind::kReservationEnd:
      // A contact is reserved at most once (on Enqueue), so a live reservation is this one.
      return c.reserved_for == nullptr;
  }
  return false;
}

bool Router::Impl::IsMootForGood(const Timer& t) const {
  // Every kind stays moot once moot, except the delay check of a contact still in the router: it
  // comes back to life when the contact waits again with the same check time (its new twin runs
  // at the same instant, but a Tick at the infinite future runs only the old one).
  if (t.kind == TimerKind::kDelayCheck && t.contact->seq == t.contact_seq) return false;
  return IsMoot(t);
}

void Router::Impl::ProcessTimer(const Timer& t) {
  if (IsMoot(t)) return;
  ContactRec& c = *t.contact;
  switch (t.kind) {
    case TimerKind::kOfferExpiry:
      ReturnToQueue(c, *EndOffer(c, OfferEnd::kExpired), /*exclude=*/true);
      break;
    case TimerKind::kWrapUpEnd:
      EndWrapUp(c);
      break;
    case TimerKind::kDelayCheck:
      c.next_delay_check = absl::InfiniteFuture();
      if (c.state == ContactState::kWaiting) RouteContact(c);
      break;
    case TimerKind::kReservationEnd:
      EndReservation(c);
      break;
  }
}

void Router::Impl::RunDueWork() {
  const absl::Time end = now_;
  absl::Time floor = call_floor_;
  const std::uint64_t first_new_timer = next_timer_seq_;
  // Each timer, and the restart of the daily counters at midnight, runs at its own time (never
  // before an earlier call), in order, so a late Tick decides as timely ones would have.
  for (;;) {
    const bool timer_due = !timers_.empty() && timers_.top().at <= end;
    if (DayResetDue(end) && (!timer_due || day_reset_at_ <= timers_.top().at)) {
      SetNow(std::max(day_reset_at_, floor));
      floor = now_;
      RollDay(end);
      continue;
    }
    if (!timer_due) break;
    const Timer t = timers_.top();
    // Run to the infinite future, a Tick would find every timer it sets (a re-offer's expiry...)
    // due as well: with the no-answer rule off and more agents than a contact's exclusions, the
    // re-offers would never end. So it runs the timers set before it and leaves the rest to the
    // next Tick.
    if (end == absl::InfiniteFuture() && t.seq >= first_new_timer) break;
    timers_.pop();
    SetNow(std::max(t.at, floor));
    floor = now_;
    // The timers of one instant run first, then the contacts they made routable are routed
    // together (RouteDeferred): the order the timers were set in does not decide who goes first.
    BeginDeferral();
    ProcessTimer(t);
    while (!timers_.empty() && timers_.top().at == t.at &&
           !(end == absl::InfiniteFuture() && timers_.top().seq >= first_new_timer)) {
      const Timer same = timers_.top();
      timers_.pop();
      ProcessTimer(same);
    }
    RouteDeferred();
  }
  SetNow(end);
  delays_applied_at_ = end;
}

absl::Status Router::Impl::Tick() {
  RunDueWork();
  return absl::OkStatus();
}

void Router::Impl::DropMootTimers() {
  while (!timers_.empty() && IsMoot(timers_.top())) timers_.pop();
}

absl::Time Router::Impl::DueWorkAt() const {
  absl::Time next = day_reset_at_;
  if (!timers_.empty()) next = std::min(next, timers_.top().at);
  return next;
}

std::optional<absl::Time> Router::Impl::NextDeadline() {
  // Dropping moot timers here keeps a host (or the simulator) from waking up for an offer that
  // was answered long ago; Tick() would have skipped them anyway.
  DropMootTimers();
  const absl::Time next = DueWorkAt();
  if (next == absl::InfiniteFuture()) return std::nullopt;
  return next;
}

}  // namespace switchboard
