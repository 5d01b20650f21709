#include "src/sim/simulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"

namespace switchboard::sim::internal_sim {

Simulation::Simulation(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario),
      options_(options),
      clock_(scenario.start),
      accounting_(static_cast<int>(scenario.queues.size()), scenario.IntervalCount(),
                  scenario.interval_s, scenario.warmup_s, scenario.duration_s) {}

std::int64_t Simulation::ToUs(double s) {
  // Past about 292,000 years a time is "never": saturate rather than overflow (a sampled
  // service or patience can be anything a distribution allows).
  constexpr double kNeverS = 9.2e12;
  if (!(s < kNeverS)) return std::numeric_limits<std::int64_t>::max();  // also inf and NaN
  return static_cast<std::int64_t>(std::llround(s * 1e6));
}

std::int64_t Simulation::AfterUs(double s) const {
  const std::int64_t d = ToUs(s);
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  return d > kNever - now_us_ ? kNever : now_us_ + d;
}

int Simulation::ArrivalInterval() const {
  int i = accounting_.IntervalOf(NowS());
  if (i + 1 < scenario_.IntervalCount() &&
      now_us_ >= ToUs(static_cast<double>(i + 1) * scenario_.interval_s)) {
    ++i;
  }
  return i;
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
  ro.selection = options_.selection;
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
    if (queue.tenant.empty()) queue.tenant = TenantId(kSimTenant);
    SB_RETURN_IF_ERROR(router_->AddQueue(queue));
    queue_index_[queue.id] = static_cast<int>(q);
  }
  waiting_.assign(scenario_.queues.size(), 0);
  for (const Queue& q : scenario_.queues) queue_wrap_s_.push_back(absl::ToDoubleSeconds(q.wrap_up));
  for (const AgentGroup& g : scenario_.agent_groups) {
    for (Channel channel : kAllChannels) {
      const ChannelCapacity cap = g.profile.CapacityFor(channel).value_or(DefaultCapacity(channel));
      busy_weight_.push_back(static_cast<double>(cap.cost_units) /
                             static_cast<double>(g.profile.capacity_units));
    }
  }
  waiting_since_us_.assign(scenario_.queues.size(), 0);
  double expected_contacts = scenario_.trace ? scenario_.trace->records.size() : 0;
  for (const ContactType& t : scenario_.contact_types) {
    const int queue = queue_index_.at(t.queue);
    const Queue& q = scenario_.queues[static_cast<size_t>(queue)];
    type_channel_.push_back(t.channel.value_or(q.channels.front()));
    type_queue_.push_back(queue);
    expected_contacts += t.rate_per_hour / 3600 * scenario_.duration_s;
  }
  // Room for the arrivals the scenario expects, so that a long run does not copy its contact
  // records over and over as they grow (returns and transfers may still grow it).
  contacts_.reserve(static_cast<std::size_t>(std::min(expected_contacts * 1.05 + 64, 5e7)));
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
      agent.tenant = TenantId(kSimTenant);
      agent.name = agent.id.value();
      const bool on_duty_now = group.shifts.empty() || group.shifts.front().start_s <= 0;
      agent.status.state = on_duty_now ? AgentState::kAvailable : AgentState::kOffline;
      ++router_calls_;
      SB_RETURN_IF_ERROR(router_->AddAgent(agent));
      const auto index = static_cast<std::uint32_t>(agents_.size());
      agent_index_[agent.id.value()] = index;
      agents_.push_back({agent.id, static_cast<std::uint32_t>(g), on_duty_now, {}});
      for (const Shift& shift : group.shifts) {
        if (shift.start_s > 0) calendar_.Schedule(ToUs(shift.start_s), kShiftStart, index);
        calendar_.Schedule(ToUs(shift.end_s), kShiftEnd, index);
      }
    }
  }
  return absl::OkStatus();
}

// Staffed agent time is known from the shifts, plus the overtime of agents who finish a contact
// after their shift has ended (AddOvertime, as the contacts complete).
void Simulation::AddStaffedTime() {
  for (const AgentGroup& group : scenario_.agent_groups) {
    std::vector<Shift> shifts = group.shifts;
    if (shifts.empty()) shifts.push_back({0, scenario_.duration_s});
    std::vector<int>& member_queues = group_queues_.emplace_back();
    for (const QueueMembership& m : group.profile.queues) {
      auto it = queue_index_.find(m.queue);
      if (it != queue_index_.end()) member_queues.push_back(it->second);
    }
    const auto group_index = static_cast<std::uint32_t>(group_queues_.size() - 1);
    const auto count = static_cast<double>(group.count);
    for (const Shift& s : shifts) AddStaffedSpan(group_index, s.start_s, s.end_s, count);
  }
}

// Staffed time of `agents` agents of one group over [from, to): the whole center's and that of
// each queue the group serves.
void Simulation::AddStaffedSpan(std::uint32_t group, double from, double to, double agents) {
  accounting_.AddSpan(from, to, agents, &KpiCounters::staffed_agent_s, -1);
  for (int q : group_queues_[group]) {
    accounting_.AddSpanToQueue(from, to, agents, &KpiCounters::staffed_agent_s, q);
  }
}

// An agent whose shift ends during a contact finishes it (and its wrap-up) before leaving, and is
// staffed until then, as WFM tools count overtime: otherwise the busy time past the shift end has
// no staffed time under it and occupancy exceeds 100%. Adds, as staffed time, the part of the
// busy span [start_s, end_s) outside the agent's shifts and outside overtime already counted.
void Simulation::AddOvertime(SimAgent& agent, double start_s, double end_s) {
  const AgentGroup& group = scenario_.agent_groups[agent.group];
  auto add = [&](double from, double to) { AddStaffedSpan(agent.group, from, to, 1); };
  // Without shifts the agent is staffed for the whole run, and nothing past it is measured.
  if (group.shifts.empty()) return;
  // The common case: the span lies inside one shift.
  for (const Shift& shift : group.shifts) {
    if (shift.start_s <= start_s && end_s <= shift.end_s) return;
  }
  // Shifts and earlier overtime are each in order and disjoint (Validate; gaps below), so one
  // pass over both finds the uncovered parts. Contacts held at once end in any order, so earlier
  // overtime need not be a prefix of this span.
  std::vector<Shift> covered;
  covered.reserve(group.shifts.size() + agent.overtime.size());
  std::merge(group.shifts.begin(), group.shifts.end(), agent.overtime.begin(), agent.overtime.end(),
             std::back_inserter(covered),
             [](const Shift& a, const Shift& b) { return a.start_s < b.start_s; });
  double from = start_s;
  for (const Shift& c : covered) {
    if (from >= end_s) break;
    if (c.end_s <= from) continue;
    if (c.start_s > from) {
      const double to = std::min(c.start_s, end_s);
      add(from, to);
      agent.overtime.push_back({from, to});
    }
    from = std::max(from, c.end_s);
  }
  if (from < end_s) {
    add(from, end_s);
    agent.overtime.push_back({from, end_s});
  }
  // Keep the list short: sorted, with touching spans joined.
  std::sort(agent.overtime.begin(), agent.overtime.end(),
            [](const Shift& a, const Shift& b) { return a.start_s < b.start_s; });
  std::vector<Shift> joined;
  for (const Shift& o : agent.overtime) {
    if (!joined.empty() && o.start_s <= joined.back().end_s) {
      joined.back().end_s = std::max(joined.back().end_s, o.end_s);
    } else {
      joined.push_back(o);
    }
  }
  agent.overtime = std::move(joined);
}

void Simulation::ScheduleFirstArrivals() {
  if (scenario_.trace) {
    // Arrivals stop at duration_s, as for generated arrivals: a later record would be counted
    // in an interval past the report's last. Records are sorted by arrival.
    const std::vector<TraceRecord>& records = scenario_.trace->records;
    trace_end_ = static_cast<std::size_t>(
        std::lower_bound(records.begin(), records.end(), scenario_.duration_s,
                         [](const TraceRecord& r, double t) { return r.arrival_s < t; }) -
        records.begin());
    if (trace_end_ > 0) {
      calendar_.Schedule(ToUs(records[0].arrival_s), kTraceArrival, 0);
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
  r.contacts_unfinished = active_contacts_;
  if (scenario_.trace) {
    r.trace_records_skipped =
        static_cast<std::int64_t>(scenario_.trace->records.size() - trace_end_);
  }
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

}  // namespace switchboard::sim::internal_sim
