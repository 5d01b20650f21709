#include "src/sim/simulation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"

namespace switchboard::sim::internal_sim {
namespace {

constexpr std::string_view kTenant = "sim";
// After the arrival horizon the run goes on while contacts remain, at most this long.
constexpr double kDrainLimitS = 2 * 86400.0;
// Sub-stream numbers inside one contact's key, so each purpose gets its own draws.
constexpr std::uint64_t kSubsPerAttempt = 4096;
constexpr std::uint64_t kTransferDraw = 4095;

std::uint64_t Sub(std::uint32_t attempt, std::uint64_t draw) {
  return static_cast<std::uint64_t>(attempt) * kSubsPerAttempt + draw;
}

}  // namespace

Simulation::Simulation(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario),
      options_(options),
      clock_(scenario.start),
      accounting_(static_cast<int>(scenario.queues.size()), scenario.IntervalCount(),
                  scenario.interval_s, scenario.warmup_s, scenario.duration_s) {}

std::int64_t Simulation::ToUs(double s) {
  if (!std::isfinite(s)) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::llround(s * 1e6));
}

ContactId Simulation::IdOf(std::uint64_t c) const {
  char buffer[24] = {'c'};
  char* end = std::to_chars(buffer + 1, buffer + sizeof(buffer), c).ptr;
  return ContactId(std::string_view(buffer, static_cast<size_t>(end - buffer)));
}

std::optional<std::uint64_t> Simulation::ContactIndex(const ContactId& id) const {
  const std::string& v = id.value();
  std::uint64_t index = 0;
  if (v.size() < 2 || v[0] != 'c') return std::nullopt;
  auto [ptr, ec] = std::from_chars(v.data() + 1, v.data() + v.size(), index);
  if (ec != std::errc() || ptr != v.data() + v.size() || index >= contacts_.size()) {
    return std::nullopt;
  }
  return index;
}

std::optional<std::uint32_t> Simulation::AgentIndex(const AgentId& id) const {
  auto it = agent_index_.find(id.value());
  if (it == agent_index_.end()) return std::nullopt;
  return it->second;
}

absl::Status Simulation::Fail(const absl::Status& status, std::string_view what) const {
  return absl::InternalError(internal::StrCat("simulation at t=", NowS(), " s: ", what, ": ",
                                              status.message()));
}

// ---- Setup ------------------------------------------------------------------------------------

absl::Status Simulation::Setup() {
  RouterOptions ro;
  ro.strategy = options_.strategy;
  ro.seed = DeriveSeed(options_.seed, StreamId::kRouter, 0);
  if (scenario_.missed_offers_before_away > 0) {
    ro.max_missed_offers = scenario_.missed_offers_before_away;
  }
  SB_ASSIGN_OR_RETURN(router_, Router::Create(ro, &clock_, this));
  if (scenario_.returns.enabled && scenario_.returns.journeys) {
    SB_ASSIGN_OR_RETURN(journeys_, JourneyContext::Create(&clock_));
  }
  for (size_t q = 0; q < scenario_.queues.size(); ++q) {
    Queue queue = scenario_.queues[q];
    if (queue.tenant.empty()) queue.tenant = TenantId(kTenant);
    SB_RETURN_IF_ERROR(router_->AddQueue(queue));
    queue_index_[queue.id] = static_cast<int>(q);
  }
  waiting_.assign(scenario_.queues.size(), 0);
  waiting_since_us_.assign(scenario_.queues.size(), 0);
  for (const ContactType& t : scenario_.contact_types) {
    const Queue& q = scenario_.queues[static_cast<size_t>(queue_index_.at(t.queue))];
    type_channel_.push_back(t.channel.value_or(q.channels.front()));
  }
  SB_RETURN_IF_ERROR(AddAgents());
  AddStaffedTime();
  stop_us_ = ToUs(scenario_.duration_s + kDrainLimitS);
  ScheduleFirstArrivals();
  return absl::OkStatus();
}

absl::Status Simulation::AddAgents() {
  for (size_t g = 0; g < scenario_.agent_groups.size(); ++g) {
    const AgentGroup& group = scenario_.agent_groups[g];
    for (int i = 1; i <= group.count; ++i) {
      Agent agent = group.profile;
      agent.id = AgentId(fmt::format("{}-{}", group.name, i));
      agent.tenant = TenantId(kTenant);
      agent.name = agent.id.value();
      const bool on_duty_now = group.shifts.empty() || group.shifts.front().start_s <= 0;
      agent.status.state = on_duty_now ? AgentState::kAvailable : AgentState::kOffline;
      ++router_calls_;
      SB_RETURN_IF_ERROR(router_->AddAgent(agent));
      const auto index = static_cast<std::uint32_t>(agents_.size());
      agent_index_[agent.id.value()] = index;
      agents_.push_back({agent.id, static_cast<std::uint32_t>(g), on_duty_now});
      for (const Shift& shift : group.shifts) {
        if (shift.start_s > 0) calendar_.Schedule(ToUs(shift.start_s), kShiftStart, index);
        calendar_.Schedule(ToUs(shift.end_s), kShiftEnd, index);
      }
    }
  }
  return absl::OkStatus();
}

// Staffed agent time is known from the shifts alone.
void Simulation::AddStaffedTime() {
  for (const AgentGroup& group : scenario_.agent_groups) {
    std::vector<Shift> shifts = group.shifts;
    if (shifts.empty()) shifts.push_back({0, scenario_.duration_s});
    std::vector<int> member_queues;
    for (const QueueMembership& m : group.profile.queues) {
      auto it = queue_index_.find(m.queue);
      if (it != queue_index_.end()) member_queues.push_back(it->second);
    }
    const auto count = static_cast<double>(group.count);
    for (const Shift& s : shifts) {
      accounting_.AddSpan(s.start_s, s.end_s, count, &KpiCounters::staffed_agent_s, -1);
      for (int q : member_queues) {
        accounting_.AddSpanToQueue(s.start_s, s.end_s, count, &KpiCounters::staffed_agent_s, q);
      }
    }
  }
}

void Simulation::ScheduleFirstArrivals() {
  if (scenario_.trace) {
    if (!scenario_.trace->records.empty()) {
      calendar_.Schedule(ToUs(scenario_.trace->records[0].arrival_s), kTraceArrival, 0);
      ++pending_arrivals_;
    }
    return;
  }
  arrival_counts_.assign(scenario_.contact_types.size(), 0);
  for (size_t t = 0; t < scenario_.contact_types.size(); ++t) {
    arrival_streams_.emplace_back(DeriveSeed(options_.seed, StreamId::kArrivals, t));
  }
  for (size_t t = 0; t < scenario_.contact_types.size(); ++t) {
    ScheduleNextPoisson(static_cast<std::uint32_t>(t), 0);
  }
}

// Piecewise-constant rates: draw an exponential gap at the current interval's rate; if it
// crosses the interval's end, restart from the boundary at the next rate (memorylessness makes
// this exact).
void Simulation::ScheduleNextPoisson(std::uint32_t type, double after_s) {
  const ContactType& t = scenario_.contact_types[type];
  const double interval = scenario_.interval_s;
  double at = after_s;
  while (at < scenario_.duration_s) {
    const double rate = t.RatePerSecondAt(at, interval);
    const double boundary = t.rates_per_hour.empty()
                                ? scenario_.duration_s
                                : std::min(scenario_.duration_s,
                                           (std::floor(at / interval) + 1) * interval);
    if (rate <= 0) {
      at = boundary;
      continue;
    }
    const double next = at + Exponential(arrival_streams_[type], 1.0 / rate);
    if (next < boundary) {
      calendar_.Schedule(ToUs(next), kArrival, type);
      ++pending_arrivals_;
      return;
    }
    at = boundary;
  }
}

// ---- The event loop ---------------------------------------------------------------------------

absl::StatusOr<RunResult> Simulation::Run() {
  SB_RETURN_IF_ERROR(Setup());
  while (!calendar_.empty()) {
    if (active_contacts_ == 0 && pending_arrivals_ == 0) break;
    const SimEvent e = calendar_.Pop();
    if (e.time_us > stop_us_) break;
    now_us_ = std::max(now_us_, e.time_us);
    clock_.Set(scenario_.start + absl::Microseconds(now_us_));
    ++events_;
    SB_RETURN_IF_ERROR(Dispatch(e));
    SB_RETURN_IF_ERROR(listener_error_);
    SB_RETURN_IF_ERROR(ScheduleRouterTimer());
    if (options_.progress) {
      const double fraction = std::min(1.0, NowS() / scenario_.duration_s);
      if (fraction - last_progress_ >= 0.01) {
        last_progress_ = fraction;
        options_.progress(fraction);
      }
    }
  }
  for (size_t q = 0; q < waiting_.size(); ++q) ChangeWaiting(static_cast<int>(q), 0);
  accounting_.Finish();
  RunResult r;
  r.strategy = options_.strategy;
  r.seed = options_.seed;
  r.interval_s = scenario_.interval_s;
  for (const Queue& q : scenario_.queues) r.queue_ids.push_back(q.id.value());
  r.overall = accounting_.overall();
  r.per_queue = accounting_.per_queue();
  r.per_interval = accounting_.per_interval();
  r.contacts_simulated = static_cast<std::int64_t>(contacts_.size());
  r.routing_decisions = routing_decisions_;
  r.events = events_;
  r.router_calls = router_calls_;
  r.simulated_s = NowS();
  r.journeys = journeys_ != nullptr;
  r.journey_events = journeys_ ? journeys_->events() : 0;
  if (options_.progress) options_.progress(1.0);
  return r;
}

absl::Status Simulation::Dispatch(const SimEvent& e) {
  switch (static_cast<EventKind>(e.kind)) {
    case kArrival:
      return OnArrival(static_cast<std::uint32_t>(e.subject));
    case kTraceArrival:
      return OnTraceArrival(e.subject);
    case kReturn:
      return OnReturn(e.subject);
    case kAnswer:
      return OnAnswer(e.subject, e.aux);
    case kDecline:
      return OnDecline(e.subject, e.aux);
    case kComplete:
      return OnComplete(e.subject);
    case kPatience:
      return OnPatience(e.subject);
    case kTick: {
      if (e.time_us == next_tick_us_) next_tick_us_ = -1;
      // A tick whose deadline went away (the offer was answered) has nothing to do.
      std::optional<absl::Time> due = router_->NextDeadline();
      if (!due || *due > clock_.Now()) return absl::OkStatus();
      ++router_calls_;
      if (absl::Status s = router_->Tick(); !s.ok()) return Fail(s, "Tick");
      return absl::OkStatus();
    }
    case kShiftStart:
      return OnShift(e.subject, true);
    case kShiftEnd:
      return OnShift(e.subject, false);
    case kAgentBack:
      return OnAgentBack(e.subject);
  }
  return absl::InternalError("unknown simulator event");
}

absl::Status Simulation::ScheduleRouterTimer() {
  std::optional<absl::Time> deadline = router_->NextDeadline();
  if (!deadline) return absl::OkStatus();
  const absl::Duration offset = *deadline - scenario_.start;
  std::int64_t us = absl::ToInt64Microseconds(offset);
  if (absl::Microseconds(us) < offset) ++us;  // never tick before the deadline
  us = std::max(us, now_us_);
  if (us > stop_us_) return absl::OkStatus();
  if (next_tick_us_ < 0 || us < next_tick_us_) {
    calendar_.Schedule(us, kTick, 0);
    next_tick_us_ = us;
  }
  return absl::OkStatus();
}

// ---- Contacts ---------------------------------------------------------------------------------

absl::Status Simulation::OnArrival(std::uint32_t type) {
  --pending_arrivals_;
  SimContact c;
  c.type = static_cast<std::int32_t>(type);
  c.key = (static_cast<std::uint64_t>(type) << 40) | arrival_counts_[type]++;
  ScheduleNextPoisson(type, NowS());
  return StartContact(c, nullptr);
}

absl::Status Simulation::OnTraceArrival(std::uint64_t record) {
  --pending_arrivals_;
  const TraceSpec& trace = *scenario_.trace;
  if (record + 1 < trace.records.size()) {
    calendar_.Schedule(ToUs(trace.records[record + 1].arrival_s), kTraceArrival, record + 1);
    ++pending_arrivals_;
  }
  const TraceRecord& r = trace.records[record];
  auto mapped = trace.type_map.find(r.type);
  int type = scenario_.FindContactType(mapped != trace.type_map.end() ? mapped->second : r.type);
  if (type < 0) type = scenario_.FindContactType(trace.default_contact_type);
  SimContact c;
  c.type = type;
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
  if (trace.trace_service && r.service_s > 0) c.trace_service_s = r.service_s;
  return StartContact(c, &r);
}

absl::Status Simulation::OnReturn(std::uint64_t previous) {
  --pending_arrivals_;
  SimContact c;
  const SimContact& p = contacts_[previous];
  c.type = p.type;
  c.key = p.key;
  c.customer = p.customer;
  c.attempt = static_cast<std::uint16_t>(p.attempt + 1);
  return StartContact(c, nullptr);
}

absl::Status Simulation::StartContact(SimContact c, const TraceRecord* record) {
  const ContactType& type = scenario_.contact_types[static_cast<size_t>(c.type)];
  c.arrival_us = now_us_;
  c.queue = c.first_queue = queue_index_.at(type.queue);
  c.interval = accounting_.IntervalOf(NowS());
  c.counted = NowS() >= scenario_.warmup_s;
  const std::uint64_t index = contacts_.size();
  Contact contact;
  contact.id = IdOf(index);
  contact.tenant = TenantId(kTenant);
  contact.channel = type_channel_[static_cast<size_t>(c.type)];
  contact.required_skills = type.required_skills;
  contact.language = type.language;
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
  if (!s.ok()) return Fail(s, internal::StrCat("Enqueue of contact type '", type.name, "'"));
  ++active_contacts_;
  if (stored.phase == ContactPhase::kInService) return absl::OkStatus();  // answered at once
  double patience = std::numeric_limits<double>::infinity();
  if (record != nullptr && scenario_.trace->trace_patience) {
    patience = record->patience_s;
  } else {
    KeyedStream u(options_.seed, StreamId::kPatience, c.key, c.attempt);
    patience = type.patience.Sample(u);
  }
  if (std::isfinite(patience)) calendar_.Schedule(now_us_ + ToUs(patience), kPatience, index);
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
    KeyedStream u(options_.seed, StreamId::kService, c.key, Sub(c.attempt, c.transferred));
    service = type.service.Sample(u);
  }
  if (c.attempt > 1) {
    service *= c.has_context ? scenario_.returns.context_handle_time_factor
                             : scenario_.returns.no_context_handle_time_factor;
  }
  return service;
}

double Simulation::BusyWeight(const SimAgent& agent, Channel channel) const {
  const Agent& profile = scenario_.agent_groups[agent.group].profile;
  std::optional<ChannelCapacity> capacity = profile.CapacityFor(channel);
  const ChannelCapacity cap = capacity.value_or(DefaultCapacity(channel));
  return static_cast<double>(cap.cost_units) / static_cast<double>(profile.capacity_units);
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
  const SimAgent& agent = agents_[contact.agent];
  const Channel channel = type_channel_[static_cast<size_t>(contact.type)];
  const double start_s = static_cast<double>(contact.accepted_us) * 1e-6;
  const double talk_s = NowS() - start_s;
  if (type.transfer_probability > 0 && !contact.transferred) {
    KeyedStream u(options_.seed, StreamId::kDecisions, contact.key,
                  Sub(contact.attempt, kTransferDraw));
    if (u.Next() < type.transfer_probability) {
      const int from_queue = contact.queue;
      accounting_.AddSpan(start_s, NowS(), BusyWeight(agent, channel),
                          &KpiCounters::busy_agent_s, from_queue);
      if (contact.counted) {
        accounting_.Count(contact.first_queue, contact.interval, [&](KpiCounters& k) {
          ++k.transfers;
          k.handle_s += talk_s;
        });
      }
      // Set before the call: the router may offer the contact again inside it.
      contact.transferred = true;
      contact.queue = queue_index_.at(type.transfer_queue);
      contact.phase = ContactPhase::kWaiting;
      ChangeWaiting(contact.queue, +1);
      ++router_calls_;
      absl::Status s = router_->TransferToQueue(IdOf(c), type.transfer_queue, "sim transfer");
      if (!s.ok()) return Fail(s, "TransferToQueue");
      return absl::OkStatus();
    }
  }
  ++router_calls_;
  if (absl::Status s = router_->Complete(IdOf(c), "done"); !s.ok()) return Fail(s, "Complete");
  const double wrap_s =
      absl::ToDoubleSeconds(scenario_.queues[static_cast<size_t>(contact.queue)].wrap_up);
  accounting_.AddSpan(start_s, NowS() + wrap_s, BusyWeight(agent, channel),
                      &KpiCounters::busy_agent_s, contact.queue);
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
  KeyedStream u(options_.seed, StreamId::kReturns, contact.key, Sub(contact.attempt, 0));
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
        IdOf(c), type_channel_[static_cast<size_t>(contact.type)],
        JourneyContext::CustomerIdentifier(CustomerKey(contact)), agents_[contact.agent].id,
        scenario_.queues[static_cast<size_t>(contact.queue)].id, type.name, resolved,
        clock_.Now());
    if (!s.ok()) return Fail(s, "JourneyMerger::Ingest");
  }
  if (resolved || !returns.enabled || contact.attempt >= returns.max_attempts) {
    return absl::OkStatus();
  }
  const double delay = returns.delay.Sample(u);
  calendar_.Schedule(now_us_ + ToUs(delay), kReturn, c);
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
                Sub(contact.attempt, std::min<std::uint64_t>(contact.offers, kTransferDraw - 1)));
  const double draw = u.Next();
  if (draw >= group.decline_probability &&
      draw < group.decline_probability + group.miss_probability) {
    return;  // left to ring out: the router's Tick reports the expiry
  }
  const bool accept = draw >= group.decline_probability;
  if (group.answer_delay_s > 0) {
    calendar_.Schedule(now_us_ + ToUs(group.answer_delay_s), accept ? kAnswer : kDecline, *c,
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
  calendar_.Schedule(now_us_ + ToUs(SampleService(contact)), kComplete, *c);
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
  calendar_.Schedule(now_us_ + ToUs(group.no_answer_away_s), kAgentBack, *a);
}

}  // namespace switchboard::sim::internal_sim
