// The simulator's reactions: contacts arriving, being answered, completed, abandoned and
// returning; agents changing shifts; and the router's events seen through the listener.
#include <algorithm>
#include <cmath>
#include <limits>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/sim/simulation.h"

namespace switchboard::sim::internal_sim {

// ---- Contacts ---------------------------------------------------------------------------------

absl::Status Simulation::OnArrival(std::uint32_t type) {
  --pending_arrivals_;
  SimContact c;
  c.type = static_cast<std::int32_t>(type);
  c.channel = type_channel_[type];
  c.key = (static_cast<std::uint64_t>(type) << 40) | arrival_counts_[type]++;
  ScheduleNextPoisson(type, NowS());
  return StartContact(c, nullptr);
}

absl::Status Simulation::OnTraceArrival(std::uint64_t record) {
  --pending_arrivals_;
  const TraceSpec& trace = *scenario_.trace;
  if (record + 1 < trace_end_) {
    calendar_.Schedule(ToUs(trace.records[record + 1].arrival_s), kTraceArrival, record + 1);
    ++pending_arrivals_;
  }
  const TraceRecord& r = trace.records[record];
  auto mapped = trace.type_map.find(r.type);
  int type = scenario_.FindContactType(mapped != trace.type_map.end() ? mapped->second : r.type);
  if (type < 0) type = scenario_.FindContactType(trace.default_contact_type);
  SimContact c;
  c.type = type;
  // Validate() checked the name and that the type's queue serves it.
  const Channel type_channel = type_channel_[static_cast<size_t>(type)];
  c.channel = r.channel.empty() ? type_channel : ParseChannel(r.channel).value_or(type_channel);
  c.key = (std::uint64_t{1} << 62) | record;
  if (!r.customer.empty()) {
    auto [it, inserted] =
        customer_index_.try_emplace(r.customer, static_cast<std::int32_t>(customers_.size()));
    if (inserted) {
      customers_.push_back(r.customer);
      customer_last_agent_.push_back(-1);
    }
    c.customer = it->second;
  }
  // A call that hung up in reality (service 0, a finite patience) has no service time to replay;
  // a served one keeps its own, even 0 s.
  const bool served = r.service_s > 0 || std::isinf(r.patience_s);
  if (trace.trace_service && served) c.trace_service_s = r.service_s;
  return StartContact(c, &r);
}

absl::Status Simulation::OnReturn(std::uint64_t previous) {
  --pending_arrivals_;
  SimContact c;
  const SimContact& p = contacts_[previous];
  c.type = p.type;
  c.channel = p.channel;  // the customer comes back the way they came
  c.key = p.key;
  c.customer = p.customer;
  c.attempt = static_cast<std::uint16_t>(p.attempt + 1);
  return StartContact(c, nullptr);
}

absl::Status Simulation::StartContact(SimContact c, const TraceRecord* record) {
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(c.type)];
  c.arrival_us = now_us_;
  c.queue = c.first_queue = type_queue_[static_cast<size_t>(c.type)];
  c.interval = ArrivalInterval();
  c.counted = ArrivesMeasured();
  const std::uint64_t index = contacts_.size();
  Contact contact;
  contact.id = IdOf(index);
  contact.tenant = TenantId(kSimTenant);
  contact.channel = c.channel;
  contact.required_skills = type.required_skills;
  contact.language = type.language;
  contact.intent = type.name;  // as its touchpoints record it: a return then reads as a repeat
  contact.priority = record != nullptr ? std::max(type.priority, record->priority) : type.priority;
  contact.arrived_at = clock_.Now();
  if (journeys_) {
    contact.identifiers = {JourneyContext::CustomerIdentifier(CustomerKey(c))};
    if (c.attempt > 1) {
      // The merger's snapshot decides whether the next agent has the context.
      absl::StatusOr<bool> known = journeys_->ApplyContext(contact);
      if (!known.ok()) return Fail(known.status(), "JourneyMerger::SnapshotFor");
      c.has_context = *known;
    }
  }
  contacts_.push_back(c);
  // Counted as waiting before the call: the router may offer and the agent accept inside it.
  ChangeWaiting(c.queue, +1);
  ++router_calls_;
  absl::Status s = router_->Enqueue(contact, type.queue);
  SimContact& stored = contacts_.back();
  if (stored.counted) {
    accounting_.Count(c.queue, c.interval, [&](KpiCounters& k) {
      ++k.offered;
      if (c.attempt > 1) ++k.repeat_contacts;
      if (!s.ok()) ++k.rejected;
    });
  }
  if (absl::IsResourceExhausted(s)) {
    stored.phase = ContactPhase::kDone;
    ChangeWaiting(c.queue, -1);
    return absl::OkStatus();
  }
  if (!s.ok())
    return Fail(s,
                internal::StrCat("Enqueue of contact type '", internal::Printable(type.name), "'"));
  ++active_contacts_;
  if (stored.phase == ContactPhase::kInService) return absl::OkStatus();  // answered at once
  double patience = std::numeric_limits<double>::infinity();
  if (record != nullptr && scenario_.trace->trace_patience) {
    patience = record->patience_s;
  } else {
    KeyedStream u(options_.seed, StreamId::kPatience, c.key, c.attempt);
    patience = type.patience.Sample(u);
  }
  if (std::isfinite(patience)) calendar_.Schedule(AfterUs(patience), kPatience, index);
  return absl::OkStatus();
}

void Simulation::ChangeWaiting(int queue, int delta) {
  const auto q = static_cast<size_t>(queue);
  accounting_.AddSpan(static_cast<double>(waiting_since_us_[q]) * 1e-6, NowS(),
                      static_cast<double>(waiting_[q]), &KpiCounters::queue_length_s, queue);
  waiting_since_us_[q] = now_us_;
  waiting_[q] += delta;
}

double Simulation::SampleService(const SimContact& c) const {
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(c.type)];
  double service = c.trace_service_s;
  if (service < 0) {
    KeyedStream u(options_.seed, StreamId::kService, c.key, SubStream(c.attempt, c.transferred));
    service = type.service.Sample(u);
  }
  if (c.attempt > 1) {
    service *= c.has_context ? scenario_.returns.context_handle_time_factor
                             : scenario_.returns.no_context_handle_time_factor;
  }
  return service;
}

double Simulation::BusyWeight(const SimAgent& agent, Channel channel) const {
  return busy_weight_[std::size_t{agent.group} * kChannelCount + static_cast<std::size_t>(channel)];
}

absl::Status Simulation::OnAnswer(std::uint64_t c, std::uint32_t offer_no) {
  SimContact& contact = contacts_[c];
  if (contact.phase != ContactPhase::kOffered || contact.offers != offer_no) {
    return absl::OkStatus();  // the offer ended meanwhile (rescinded, abandoned)
  }
  ++router_calls_;
  absl::Status s = router_->Accept(IdOf(c), agents_[contact.agent].id);
  // An answer slower than the offer timeout finds the offer expired: a miss, not an error.
  if (absl::IsFailedPrecondition(s)) return absl::OkStatus();
  if (!s.ok()) return Fail(s, "Accept");
  return absl::OkStatus();
}

absl::Status Simulation::OnDecline(std::uint64_t c, std::uint32_t offer_no) {
  SimContact& contact = contacts_[c];
  if (contact.phase != ContactPhase::kOffered || contact.offers != offer_no) {
    return absl::OkStatus();
  }
  ++router_calls_;
  absl::Status s = router_->Decline(IdOf(c), agents_[contact.agent].id);
  if (absl::IsFailedPrecondition(s)) return absl::OkStatus();
  if (!s.ok()) return Fail(s, "Decline");
  return absl::OkStatus();
}

absl::Status Simulation::OnPatience(std::uint64_t c) {
  SimContact& contact = contacts_[c];
  if (contact.answered ||
      (contact.phase != ContactPhase::kWaiting && contact.phase != ContactPhase::kOffered)) {
    return absl::OkStatus();
  }
  ++router_calls_;
  if (absl::Status s = router_->Abandon(IdOf(c)); !s.ok()) return Fail(s, "Abandon");
  contact.phase = ContactPhase::kDone;
  --active_contacts_;
  ChangeWaiting(contact.queue, -1);
  if (contact.counted) {
    const double waited = static_cast<double>(now_us_ - contact.arrival_us) * 1e-6;
    accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
      ++k.abandoned;
      k.wait_abandoned_s += waited;
    });
  }
  return absl::OkStatus();
}

absl::Status Simulation::OnComplete(std::uint64_t c) {
  SimContact& contact = contacts_[c];
  if (contact.phase != ContactPhase::kInService) return absl::OkStatus();
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(contact.type)];
  SimAgent& agent = agents_[contact.agent];
  const Channel channel = contact.channel;
  const double start_s = static_cast<double>(contact.accepted_us) * 1e-6;
  const double talk_s = NowS() - start_s;
  if (type.transfer_probability > 0 && !contact.transferred) {
    KeyedStream u(options_.seed, StreamId::kDecisions, contact.key,
                  SubStream(contact.attempt, kTransferDraw));
    if (u.Next() < type.transfer_probability) {
      absl::StatusOr<bool> moved = Transfer(c, talk_s);
      if (!moved.ok() || *moved) return moved.status();
      // The target queue was full: the agent keeps the contact and finishes it here.
    }
  }
  ++router_calls_;
  if (absl::Status s = router_->Complete(IdOf(c), "done"); !s.ok()) return Fail(s, "Complete");
  const double wrap_s = queue_wrap_s_[static_cast<size_t>(contact.queue)];
  accounting_.AddSpan(start_s, NowS() + wrap_s, BusyWeight(agent, channel),
                      &KpiCounters::busy_agent_s, contact.queue);
  AddOvertime(agent, start_s, NowS() + wrap_s);
  if (contact.counted) {
    accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
      ++k.completed;
      k.handle_s += talk_s + wrap_s;
    });
  }
  contact.phase = ContactPhase::kDone;
  --active_contacts_;
  if (contact.customer >= 0) {
    customer_last_agent_[static_cast<size_t>(contact.customer)] =
        static_cast<std::int32_t>(contact.agent);
  }
  return Resolve(c);
}

// Moves an answered contact to its type's transfer queue. False when the router refuses because
// that queue is full: it then changed nothing, and neither does this.
absl::StatusOr<bool> Simulation::Transfer(std::uint64_t c, double talk_s) {
  SimContact& contact = contacts_[c];
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(contact.type)];
  const int from_queue = contact.queue;
  const int to_queue = queue_index_.at(type.transfer_queue);
  const std::uint32_t agent = contact.agent;  // the contact may be offered anew in the call
  const double start_s = static_cast<double>(contact.accepted_us) * 1e-6;
  // Set before the call: the router may offer the contact again inside it.
  contact.transferred = true;
  contact.queue = to_queue;
  contact.phase = ContactPhase::kWaiting;
  ChangeWaiting(to_queue, +1);
  ++router_calls_;
  const absl::Status s = router_->TransferToQueue(IdOf(c), type.transfer_queue, "sim transfer");
  if (absl::IsResourceExhausted(s)) {
    ChangeWaiting(to_queue, -1);
    contact.transferred = false;
    contact.queue = from_queue;
    contact.phase = ContactPhase::kInService;
    return false;
  }
  if (!s.ok()) return Fail(s, "TransferToQueue");
  accounting_.AddSpan(start_s, NowS(), BusyWeight(agents_[agent], contacts_[c].channel),
                      &KpiCounters::busy_agent_s, from_queue);
  AddOvertime(agents_[agent], start_s, NowS());
  if (contacts_[c].counted) {
    accounting_.Count(contacts_[c].first_queue, contacts_[c].interval, [&](KpiCounters& k) {
      ++k.transfers;
      k.handle_s += talk_s;
    });
  }
  return true;
}

std::string Simulation::CustomerKey(const SimContact& contact) const {
  if (contact.customer >= 0) {
    return internal::StrCat("t", customers_[static_cast<size_t>(contact.customer)]);
  }
  return internal::StrCat("k", contact.key);
}

// Was the problem solved? If not, the customer may come back.
absl::Status Simulation::Resolve(std::uint64_t c) {
  const SimContact& contact = contacts_[c];
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(contact.type)];
  const ReturnSpec& returns = scenario_.returns;
  double p = type.resolution_probability;
  if (contact.attempt > 1 && contact.has_context && returns.context_resolution_probability) {
    p = *returns.context_resolution_probability;
  }
  KeyedStream u(options_.seed, StreamId::kReturns, contact.key, SubStream(contact.attempt, 0));
  const bool resolved = u.Next() < p;
  if (contact.counted) {
    const bool first = contact.attempt == 1;
    accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
      if (resolved) ++k.resolved;
      if (first) ++k.first_contacts_completed;
      if (first && resolved) ++k.resolved_first_contact;
    });
  }
  if (journeys_) {
    absl::Status s = journeys_->RecordEnded(
        IdOf(c), contact.channel, JourneyContext::CustomerIdentifier(CustomerKey(contact)),
        agents_[contact.agent].id, scenario_.queues[static_cast<size_t>(contact.queue)].id,
        type.name, resolved, clock_.Now());
    if (!s.ok()) return Fail(s, "JourneyMerger::Ingest");
  }
  if (resolved || !returns.enabled || contact.attempt >= returns.max_attempts) {
    return absl::OkStatus();
  }
  const double delay = returns.delay.Sample(u);
  calendar_.Schedule(AfterUs(delay), kReturn, c);
  ++pending_arrivals_;
  return absl::OkStatus();
}

// ---- Agents -----------------------------------------------------------------------------------

absl::Status Simulation::OnShift(std::uint64_t a, bool start) {
  SimAgent& agent = agents_[a];
  agent.on_shift = start;
  ++router_calls_;
  absl::Status s =
      router_->SetAgentState(agent.id, start ? AgentState::kAvailable : AgentState::kOffline);
  if (!s.ok()) return Fail(s, "SetAgentState");
  return absl::OkStatus();
}

absl::Status Simulation::OnAgentBack(std::uint64_t a) {
  const SimAgent& agent = agents_[a];
  if (!agent.on_shift) return absl::OkStatus();
  ++router_calls_;
  absl::Status s = router_->SetAgentState(agent.id, AgentState::kAvailable);
  if (!s.ok()) return Fail(s, "SetAgentState");
  return absl::OkStatus();
}

// ---- Listener ---------------------------------------------------------------------------------

void Simulation::OnEvent(const RoutingEvent& e) {
  switch (e.type) {
    case RoutingEventType::kOffered:
      if (e.offer) OnOffered(*e.offer);
      break;
    case RoutingEventType::kAccepted:
      if (e.offer) OnAccepted(*e.offer);
      break;
    case RoutingEventType::kDeclined:
    case RoutingEventType::kExpired:
    case RoutingEventType::kRescinded:
      OnOfferEnded(e);
      break;
    case RoutingEventType::kAgentStateChanged:
      OnAgentStateChanged(e);
      break;
    default:
      break;
  }
}

void Simulation::OnOffered(const Offer& offer) {
  std::optional<std::uint64_t> c = ContactIndex(offer.contact);
  std::optional<std::uint32_t> a = AgentIndex(offer.agent);
  if (!c || !a) return;
  SimContact& contact = contacts_[*c];
  contact.phase = ContactPhase::kOffered;
  contact.agent = *a;
  ++contact.offers;
  ++routing_decisions_;
  if (contact.counted) {
    accounting_.Count(contact.first_queue, contact.interval, [](KpiCounters& k) { ++k.offers; });
  }
  const AgentGroup& group = scenario_.agent_groups[agents_[*a].group];
  KeyedStream u(options_.seed, StreamId::kDecisions, contact.key,
                SubStream(contact.attempt, std::min<std::uint64_t>(contact.offers, kTransferDraw - 1)));
  const double draw = u.Next();
  if (draw >= group.decline_probability &&
      draw < group.decline_probability + group.miss_probability) {
    return;  // left to ring out: the router's Tick reports the expiry
  }
  const bool accept = draw >= group.decline_probability;
  if (group.answer_delay_s > 0) {
    calendar_.Schedule(AfterUs(group.answer_delay_s), accept ? kAnswer : kDecline, *c,
                       contact.offers);
    return;
  }
  // An instant answer goes straight back to the router (the listener contract allows it): no
  // calendar event, and no offer-expiry timer left behind for a Tick to clear.
  ++router_calls_;
  absl::Status s = accept ? router_->Accept(offer.id) : router_->Decline(offer.id);
  if (!s.ok() && listener_error_.ok()) {
    listener_error_ = Fail(s, accept ? "Accept" : "Decline");
  }
}

void Simulation::OnAccepted(const Offer& offer) {
  std::optional<std::uint64_t> c = ContactIndex(offer.contact);
  if (!c) return;
  SimContact& contact = contacts_[*c];
  contact.phase = ContactPhase::kInService;
  contact.accepted_us = now_us_;
  ChangeWaiting(contact.queue, -1);
  if (!contact.answered) {
    contact.answered = true;
    if (contact.counted) {
      const double waited = static_cast<double>(now_us_ - contact.arrival_us) * 1e-6;
      const Queue& q = scenario_.queues[static_cast<size_t>(contact.first_queue)];
      const bool within = waited <= absl::ToDoubleSeconds(q.service_level.threshold);
      accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
        ++k.answered;
        k.wait_answered_s += waited;
        if (within) ++k.answered_within_target;
      });
    }
  }
  calendar_.Schedule(AfterUs(SampleService(contact)), kComplete, *c);
}

void Simulation::OnOfferEnded(const RoutingEvent& e) {
  std::optional<std::uint64_t> c = ContactIndex(e.contact);
  if (!c) return;
  SimContact& contact = contacts_[*c];
  if (contact.phase == ContactPhase::kOffered) contact.phase = ContactPhase::kWaiting;
  if (!contact.counted) return;
  const bool declined = e.type == RoutingEventType::kDeclined;
  const bool expired = e.type == RoutingEventType::kExpired;
  accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
    if (declined) ++k.declined;
    if (expired) ++k.missed;
  });
}

void Simulation::OnAgentStateChanged(const RoutingEvent& e) {
  if (e.agent_status.state != AgentState::kAway ||
      e.agent_status.away_reason != router_->options().no_answer_reason) {
    return;
  }
  std::optional<std::uint32_t> a = AgentIndex(e.agent);
  if (!a) return;
  const AgentGroup& group = scenario_.agent_groups[agents_[*a].group];
  calendar_.Schedule(AfterUs(group.no_answer_away_s), kAgentBack, *a);
}

}  // namespace switchboard::sim::internal_sim
