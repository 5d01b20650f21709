// Router::Impl, part 3: statistics, read-only views, the debug dump and the invariant checks.
#include <algorithm>
#include <array>
#include <tuple>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/routing/router_impl.h"

namespace switchboard {

using routing::AgentRec;
using routing::ContactRec;
using routing::QueueRec;

std::vector<QueueRec*> Router::Impl::SortedQueues() const {
  std::vector<QueueRec*> out;
  for (const auto& [id, q] : queues_) out.push_back(q.get());
  std::sort(out.begin(), out.end(),
            [](const QueueRec* a, const QueueRec* b) { return a->config.id < b->config.id; });
  return out;
}

std::vector<AgentRec*> Router::Impl::SortedAgents() const {
  std::vector<AgentRec*> out;
  for (const auto& a : agents_) out.push_back(a.get());
  std::sort(out.begin(), out.end(),
            [](const AgentRec* a, const AgentRec* b) { return a->id < b->id; });
  return out;
}

std::vector<ContactRec*> Router::Impl::SortedWaiting(const QueueRec& q) const {
  std::vector<ContactRec*> out = q.waiting;
  std::sort(out.begin(), out.end(),
            [](const ContactRec* a, const ContactRec* b) { return a->key < b->key; });
  return out;
}

// ---- statistics ------------------------------------------------------------------------------

absl::StatusOr<QueueStats> Router::Impl::GetQueueStats(const QueueId& id) const {
  SB_ASSIGN_OR_RETURN(const QueueRec* q, FindQueue(id));
  const absl::Time now = QueryTime();
  QueueStats s;
  s.queue = id;
  s.waiting = static_cast<int>(q->waiting.size());
  s.offered_now = q->offered_now;
  s.in_progress = q->in_progress;
  for (const ContactRec* c : q->waiting) s.longest_wait = std::max(s.longest_wait, now - c->arrived_at);
  for (const routing::MemberRef& ref : q->members) {
    switch (ref.agent->reported_state) {
      case AgentState::kOffline: ++s.agents.offline; break;
      case AgentState::kAvailable: ++s.agents.available; break;
      case AgentState::kAway: ++s.agents.away; break;
      case AgentState::kBusy: ++s.agents.busy; break;
      case AgentState::kWrapUp: ++s.agents.wrap_up; break;
    }
  }
  const routing::QueueStatsCounters& k = q->stats;
  s.entered = k.entered;
  s.answered = k.answered;
  s.answered_within_threshold = k.answered_within_threshold;
  s.abandoned = k.abandoned;
  s.short_abandoned = k.short_abandoned;
  s.transferred_out = k.transferred_out;
  s.completed = k.completed;
  s.offers_made = k.offers_made;
  s.offers_declined = k.offers_declined;
  s.offers_expired = k.offers_expired;
  s.offers_rescinded = k.offers_rescinded;
  const std::int64_t denominator = k.answered + k.abandoned - k.short_abandoned;
  if (denominator > 0) {
    s.service_level = static_cast<double>(k.answered_within_threshold) / denominator;
  }
  s.total_answer_wait = k.total_answer_wait;
  s.total_handle_time = k.total_handle_time;
  if (k.answered > 0) s.average_speed_of_answer = k.total_answer_wait / k.answered;
  if (k.completed > 0) s.average_handle_time = k.total_handle_time / k.completed;
  return s;
}

absl::StatusOr<AgentStats> Router::Impl::GetAgentStats(const AgentId& id) const {
  SB_ASSIGN_OR_RETURN(const AgentRec* a, FindAgent(id));
  const absl::Duration open = QueryTime() - absl::FromUnixNanos(a->state_since_ns);
  AgentStats s;
  s.agent = id;
  s.status = AgentStatus{a->reported_state, a->reported_reason ? a->away_reason : ""};
  s.contacts_held = a->held_count;
  s.used_units = a->used_units;
  s.capacity_units = a->capacity_units;
  s.contacts_handled = a->handled_total;
  s.handled_today = a->handled_today;
  s.talk_time_today = absl::Nanoseconds(a->talk_today_ns);
  s.busy_time = absl::Nanoseconds(a->busy_ns);
  s.available_time = absl::Nanoseconds(a->available_ns);
  if (a->reported_state == AgentState::kBusy || a->reported_state == AgentState::kWrapUp) {
    s.busy_time += open;
  } else if (a->reported_state == AgentState::kAvailable) {
    s.available_time += open;
  }
  const absl::Duration staffed = s.busy_time + s.available_time;
  if (staffed > absl::ZeroDuration()) s.occupancy = absl::FDivDuration(s.busy_time, staffed);
  s.consecutive_missed_offers = a->consecutive_missed;
  s.offers_missed = a->missed;
  s.offers_declined = a->declined;
  s.idle_since = a->idle_since;
  return s;
}

absl::StatusOr<ContactInfo> Router::Impl::GetContact(const ContactId& id) const {
  SB_ASSIGN_OR_RETURN(const ContactRec* c, FindContact(id));
  ContactInfo info;
  info.id = c->id;
  info.queue = c->queue->config.id;
  info.channel = c->channel;
  info.state = c->state;
  if (c->agent != nullptr) info.agent = c->agent->id;
  info.priority = c->priority;
  info.age_adjustment = absl::Nanoseconds(c->age_adjustment_ns);
  info.required_skills.reserve(c->own_reqs.size());
  for (const routing::Requirement& r : c->own_reqs) {
    info.required_skills.push_back({skills_.Name(r.skill), r.min, r.required});
  }
  std::sort(info.required_skills.begin(), info.required_skills.end(),
            [](const SkillRequirement& a, const SkillRequirement& b) {
              return std::tie(a.name, a.min_proficiency, a.required) <
                     std::tie(b.name, b.min_proficiency, b.required);
            });
  if (c->language != 0) info.language = languages_.Name(c->language);
  info.arrived_at = c->arrived_at;
  info.queued_at = c->queued_at;
  info.offers = c->offers;
  if (c->reserved_for != nullptr) {
    info.reserved_for = c->reserved_for->id;
    info.reserved_until = ReservedUntil(*c);
  }
  return info;
}

absl::StatusOr<std::optional<Offer>> Router::Impl::CurrentOffer(const ContactId& id) const {
  SB_ASSIGN_OR_RETURN(const ContactRec* c, FindContact(id));
  if (c->offer_id == 0) return std::optional<Offer>();
  return std::optional<Offer>(OfferOf(*c));
}

absl::StatusOr<std::vector<ContactId>> Router::Impl::WaitingContacts(const QueueId& id) const {
  SB_ASSIGN_OR_RETURN(const QueueRec* q, FindQueue(id));
  std::vector<ContactId> out;
  for (const ContactRec* c : SortedWaiting(*q)) out.push_back(c->id);
  return out;
}

absl::StatusOr<Agent> Router::Impl::GetAgent(const AgentId& id) const {
  SB_ASSIGN_OR_RETURN(const AgentRec* a, FindAgent(id));
  Agent out;
  out.id = a->id;
  out.tenant = TenantId(tenants_.Name(a->tenant));
  if (a->details != nullptr) {
    out.name = a->details->name;
    out.site = a->details->site;
    out.teams = a->details->teams;
    out.attributes = a->details->attributes;
  }
  out.skills.resize(a->skills.size());
  for (const routing::AgentSkill& s : a->skills) {
    out.skills[s.given] = Skill{skills_.Name(s.skill), s.proficiency};
  }
  out.languages.reserve(a->languages.size());
  for (std::uint32_t l : a->languages) out.languages.push_back(languages_.Name(l));
  const auto capacities = static_cast<std::size_t>(a->capacity_order >> 60);
  out.capacities.reserve(capacities);
  for (std::size_t k = 0; k < capacities; ++k) {
    const auto i = static_cast<std::size_t>((a->capacity_order >> (4 * k)) & 0xF);
    out.capacities.push_back(
        ChannelCapacity{static_cast<Channel>(i), a->max_concurrent[i], a->cost[i]});
  }
  out.capacity_units = a->capacity_units;
  out.allow_blending = a->allow_blending;
  out.queues.reserve(a->memberships.size());
  for (const routing::MembershipRec& m : a->memberships) {
    out.queues.push_back(QueueMembership{m.queue->config.id, m.priority, routing::DelayOf(m)});
  }
  out.status = AgentStatus{a->presence, a->away_reason};
  return out;
}

absl::StatusOr<Queue> Router::Impl::GetQueue(const QueueId& id) const {
  SB_ASSIGN_OR_RETURN(const QueueRec* q, FindQueue(id));
  return q->config;
}

// ---- debug dump ------------------------------------------------------------------------------

namespace {

std::string TimeText(absl::Time t) {
  if (t == absl::InfiniteFuture()) return "never";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*S", t, absl::UTCTimeZone());
}

}  // namespace

std::string Router::Impl::DebugString() const {
  std::string out = internal::StrCat("router offers=", next_offer_ - 1, " draws=", draws_,
                                     " timers=", timers_.size(), "\n");
  for (const QueueRec* q : SortedQueues()) {
    const auto& k = q->stats;
    out += internal::StrCat("queue ", q->config.id.value(), " strategy=", q->strategy_name,
                            " members=", q->members.size(), " contacts=", q->contacts,
                            " offered=", q->offered_now, " in_progress=", q->in_progress,
                            " vt=", q->virtual_time, " rr=", q->rr_valid ? q->rr_ordinal : 0,
                            " entered=", k.entered, " answered=", k.answered, "/",
                            k.answered_within_threshold, " abandoned=", k.abandoned, "/",
                            k.short_abandoned, " completed=", k.completed,
                            " xfer_out=", k.transferred_out, " offers=", k.offers_made, "/",
                            k.offers_declined, "/", k.offers_expired, "/", k.offers_rescinded,
                            " wait=", absl::FormatDuration(k.total_answer_wait),
                            " handle=", absl::FormatDuration(k.total_handle_time), "\n  waiting:");
    for (const ContactRec* c : SortedWaiting(*q)) out += internal::StrCat(" ", c->id.value());
    out += "\n";
  }
  for (const AgentRec* a : SortedAgents()) {
    out += internal::StrCat(
        "agent ", a->id.value(), " #", a->ordinal, " presence=",
        AgentStateName(a->presence), "(", a->away_reason, ") reported=",
        AgentStateName(a->reported_state), " held=", a->held_count, " used=", a->used_units,
        " active=", a->active, " wrap=", a->wrapping,
        " offer=", a->offered != nullptr ? a->offered->id.value() : "-",
        " idle=", TimeText(a->idle_since), " handled=", a->handled_total, "/",
        a->handled_today, " talk=", absl::FormatDuration(absl::Nanoseconds(a->talk_today_ns)),
        " missed=", a->missed, "/", a->consecutive_missed, " declined=", a->declined,
        " busy=", absl::FormatDuration(absl::Nanoseconds(a->busy_ns)),
        " avail=", absl::FormatDuration(absl::Nanoseconds(a->available_ns)), " tickets=");
    for (const auto& m : a->memberships) {
      out += m.queue->traits.uses_tickets ? internal::StrCat(routing::TicketOf(m), ",") : "-,";
    }
    out += "\n";
  }
  std::vector<const ContactRec*> contacts;
  for (const auto& [id, c] : contacts_) contacts.push_back(c);
  std::sort(contacts.begin(), contacts.end(),
            [](const ContactRec* a, const ContactRec* b) { return a->id < b->id; });
  for (const ContactRec* c : contacts) {
    out += internal::StrCat(
        "contact ", c->id.value(), " ", ContactStateName(c->state),
        " queue=", c->queue->config.id.value(),
        " agent=", c->agent != nullptr ? c->agent->id.value() : "-", " offer=", c->offer_id,
        " offers=", c->offers, " priority=", c->priority,
        " age_adjustment_ns=", c->age_adjustment_ns, " arrived=", TimeText(c->arrived_at),
        " queued=", TimeText(c->queued_at), " check=", TimeText(c->next_delay_check),
        " reserved=", c->reserved_for != nullptr ? c->reserved_for->id.value() : "-", "/",
        TimeText(ReservedUntil(*c)), " excluded=");
    for (std::uint64_t o : c->excluded) out += internal::StrCat(o, ",");
    out += "\n";
  }
  return out;
}

// ---- invariants ------------------------------------------------------------------------------

absl::Status Router::Impl::CheckContacts() const {
  std::size_t offered = 0;
  for (const QueueRec* q : SortedQueues()) {
    int waiting = 0, offers = 0, in_progress = 0, all = 0;
    for (const auto& [id, c] : contacts_) {
      if (c->queue != q) continue;
      ++all;
      waiting += c->state == ContactState::kWaiting;
      offers += c->state == ContactState::kOffered;
      in_progress += c->state == ContactState::kInProgress;
    }
    if (waiting != static_cast<int>(q->waiting.size()) || offers != q->offered_now ||
        in_progress != q->in_progress || all != q->contacts) {
      return absl::InternalError(internal::StrCat("queue ", q->config.id.value(),
                                                  " counters disagree with its contacts"));
    }
    for (std::size_t i = 0; i < q->waiting.size(); ++i) {
      if (q->waiting[i]->waiting_pos != i || q->waiting[i]->queue != q ||
          q->waiting[i]->state != ContactState::kWaiting) {
        return absl::InternalError(internal::StrCat("queue ", q->config.id.value(),
                                                    " waiting list is inconsistent"));
      }
    }
  }
  for (const auto& [id, c] : contacts_) {
    const bool has_agent = c->agent != nullptr;
    const bool has_offer = c->offer_id != 0;
    bool ok = true;
    switch (c->state) {
      case ContactState::kWaiting: ok = !has_agent && !has_offer; break;
      case ContactState::kOffered:
        ++offered;
        ok = has_agent && has_offer && c->agent->offered == c &&
             live_offers_.contains(c->offer_id) && live_offers_.at(c->offer_id) == c;
        break;
      case ContactState::kInProgress:
      case ContactState::kWrapUp: ok = has_agent && !has_offer; break;
    }
    if (!ok) {
      return absl::InternalError(internal::StrCat("contact ", id.value(), " in state ",
                                                  ContactStateName(c->state),
                                                  " has inconsistent agent/offer"));
    }
    if (c->state == ContactState::kOffered && !c->offer_direct &&
        c->offer_epoch == config_epoch_) {
      const AgentRec& a = *c->agent;
      if (!routing::MembershipOf(a, c->queue) || !routing::Qualifies(a, *c->sig)) {
        return absl::InternalError(internal::StrCat("contact ", id.value(),
                                                    " is offered to ineligible agent ",
                                                    a.id.value()));
      }
    }
  }
  if (offered != live_offers_.size()) {
    return absl::InternalError("live offer map disagrees with offered contacts");
  }
  return CheckReservations();
}

absl::Status Router::Impl::CheckReservations() const {
  std::size_t reserved = 0;
  for (const auto& [id, c] : contacts_) {
    if (c->reserved_for == nullptr) continue;
    ++reserved;
    auto it = reservations_.find(c->reserved_for);
    const bool listed =
        it != reservations_.end() &&
        std::count_if(it->second.begin(), it->second.end(),
                      [c = c](const Reservation& r) { return r.contact == c; }) == 1;
    if (c->state != ContactState::kWaiting || !listed || c->pool != nullptr ||
        !Reservable(*c, *c->reserved_for)) {
      return absl::InternalError(internal::StrCat("contact ", id.value(),
                                                  " has an inconsistent reservation"));
    }
  }
  std::size_t listed = 0;
  for (const auto& [agent, held] : reservations_) listed += held.size();
  if (listed != reserved) {
    return absl::InternalError("the reservation lists disagree with reserved contacts");
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::CheckAgents() const {
  struct Held {
    std::array<int, kChannelCount> per_channel{};
    int count = 0, active = 0, wrapping = 0;
    const ContactRec* offered = nullptr;
  };
  absl::flat_hash_map<const AgentRec*, Held> held;
  for (const auto& [id, c] : contacts_) {
    if (c->agent == nullptr) continue;
    Held& h = held[c->agent];
    ++h.per_channel[static_cast<std::size_t>(c->channel)];
    ++h.count;
    h.active += c->state == ContactState::kInProgress;
    h.wrapping += c->state == ContactState::kWrapUp;
    if (c->state == ContactState::kOffered) h.offered = c;
  }
  for (const AgentRec* a : SortedAgents()) {
    const Held h = held.contains(a) ? held.at(a) : Held{};
    int used = 0, exclusive = 0;
    for (Channel ch : kAllChannels) {
      const auto i = static_cast<std::size_t>(ch);
      if (h.per_channel[i] != a->held[i]) {
        return absl::InternalError(internal::StrCat("agent ", a->id.value(),
                                                    " held count of ", ChannelName(ch),
                                                    " is wrong"));
      }
      if (a->held[i] > a->max_concurrent[i]) {
        return absl::InternalError(internal::StrCat("agent ", a->id.value(), " holds ",
                                                    int{a->held[i]}, " ", ChannelName(ch),
                                                    " contacts, above its limit"));
      }
      used += a->held[i] * a->cost[i];
      if (TraitsOf(ch).exclusive) exclusive += a->held[i];
    }
    if (h.count != a->held_count || h.active != a->active || h.wrapping != a->wrapping ||
        h.offered != a->offered || used != a->used_units || exclusive != a->exclusive_held) {
      return absl::InternalError(
          internal::StrCat("agent ", a->id.value(), " counters disagree with contacts"));
    }
    if (a->used_units > a->capacity_units) {
      return absl::InternalError(
          internal::StrCat("agent ", a->id.value(), " is above its capacity units"));
    }
    if (!a->allow_blending && exclusive > 0 && a->held_count > 1) {
      return absl::InternalError(internal::StrCat(
          "agent ", a->id.value(), " holds an exclusive contact alongside others"));
    }
    if (a->reported_state != ReportedState(*a) ||
        a->reported_reason != !ReportedReason(*a).empty()) {
      return absl::InternalError(
          internal::StrCat("agent ", a->id.value(), " reported status is stale"));
    }
    for (std::uint32_t i = 0; i < a->memberships.size(); ++i) {
      const auto& m = a->memberships[i];
      if (m.pos >= m.queue->members.size() || m.queue->members[m.pos].agent != a ||
          m.queue->members[m.pos].membership != i) {
        return absl::InternalError(
            internal::StrCat("agent ", a->id.value(), " membership list is broken"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::CheckStability() const {
  // Delays as of the last Tick: a delay that passed since is applied by the next one, so a
  // contact may wait for it until then (calls in between route only what they touch).
  const absl::Time now = delays_applied_at_;
  for (const QueueRec* q : SortedQueues()) {
    for (const ContactRec* c : q->waiting) {
      for (const routing::MemberRef& ref : q->members) {
        const AgentRec& a = *ref.agent;
        if (c->reserved_for != nullptr && c->reserved_for != &a) continue;  // only its agent
        if (routing::FitsNow(a, a.memberships[ref.membership], *c, now)) {
          return absl::InternalError(internal::StrCat("contact ", c->id.value(),
                                                      " waits while agent ",
                                                      a.id.value(), " could take it"));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::CheckInvariants() const {
  SB_RETURN_IF_ERROR(CheckContacts());
  SB_RETURN_IF_ERROR(CheckAgents());
  SB_RETURN_IF_ERROR(selector_->Check(SortedQueues()));
  return CheckStability();
}

}  // namespace switchboard
