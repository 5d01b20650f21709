// The simulator's KPIs against an independent recomputation by the host.
//
// A host cannot attach a listener to the router a run owns: what it observes of a run is what
// RunScenario returns (the additive KpiCounters overall, per queue and per interval, and the run's
// totals). So the oracle here is a host model: scenarios whose every contact is known in advance
// (trace records set in code, with their arrival, service time, patience and priority drawn by
// the test's own generator), 0/1 probabilities, and agents that are either identical within a
// queue or chosen by the `linear` strategy (the first fitting agent added), so that what happens
// to every contact follows from docs/harness.md ("What each KPI means", "How a run works") and
// docs/routing.md (priority then FIFO, capacity, one live offer per agent, wrap-up, transfers,
// declines, max_waiting, rescinds at a shift end) alone. The host replays them through its own
// small event loop (class Oracle, written without reading src/sim), computes every counter by
// the documented definitions, and compares them with the run's, overall, per queue and per
// interval, and the derived KPIs with ComputeKpis().
//
// Poisson scenarios, whose draws a host cannot reproduce, are checked for what a host can
// verify: counts that add up, sums across queues and intervals, occupancy within [0, 1],
// determinism, warm-up exclusion, and the Experiment's estimates, paired differences and JSON
// against the replications they summarize.
//
// The last three test cases pin bugs found this way; they fail until the simulator is fixed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "switchboard/metrics.h"
#include "switchboard/sim/kpi.h"
#include "switchboard/sim/report.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"

namespace sim = switchboard::sim;
namespace sb = switchboard;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// The host's model of a scenario: enough to build the sim::Scenario and to replay it by hand.

struct QueueSpec {
  std::string id;
  sb::Channel channel = sb::Channel::kVoice;
  double threshold_s = 20;
  double wrap_s = 0;
  int max_waiting = 0;  // waiting and offered contacts; 0 = unlimited
};

struct GroupSpec {
  std::string name;
  int count = 1;
  int queue = 0;          // every agent of a group is a member of this queue
  int second_queue = -1;  // ... and of this one, same channel, same membership priority
  int max_concurrent = 1;
  int cost_units = 100;  // out of capacity_units
  int capacity_units = 100;
  std::vector<sim::Shift> shifts;
  double answer_delay_s = 0;
  bool declines = false;  // decline_probability 1 (answer_delay_s must be 0)
};

struct TypeSpec {
  std::string name;
  int queue = 0;
  int transfer_queue = -1;  // transfer_probability 1 to this queue, or none
  bool resolves = true;     // resolution_probability 1 or 0
  double service_s = 60;    // the constant service distribution (used without trace_service)
};

struct Model {
  double duration_s = 7200;
  double interval_s = 1800;
  double warmup_s = 0;
  std::vector<QueueSpec> queues;
  std::vector<GroupSpec> groups;
  std::vector<TypeSpec> types;
  std::vector<sim::TraceRecord> records;  // sorted by arrival
  bool trace_service = true;
  bool returns = false;  // unresolved contacts come back after return_delay_s
  int max_attempts = 3;
  double return_delay_s = 600;
  // A return's handle time is its type's times this: no_context_handle_time_factor, or with
  // journeys context_handle_time_factor (the merger holds the earlier contact: context).
  double return_factor = 1;
  bool journeys = false;
  bool context_resolves = false;  // journeys: context_resolution_probability 1
};

QueueSpec Queue(const std::string& id, sb::Channel channel, double threshold_s, double wrap_s) {
  QueueSpec q;
  q.id = id;
  q.channel = channel;
  q.threshold_s = threshold_s;
  q.wrap_s = wrap_s;
  return q;
}

GroupSpec Group(const std::string& name, int count, int queue) {
  GroupSpec g;
  g.name = name;
  g.count = count;
  g.queue = queue;
  return g;
}

TypeSpec Type(const std::string& name, int queue) {
  TypeSpec t;
  t.name = name;
  t.queue = queue;
  return t;
}

sim::Scenario ToScenario(const Model& m) {
  sim::Scenario s;
  s.name = "oracle";
  s.duration_s = m.duration_s;
  s.interval_s = m.interval_s;
  s.warmup_s = m.warmup_s;
  s.replications = 1;
  for (const QueueSpec& q : m.queues) {
    sb::Queue queue;
    queue.id = sb::QueueId(q.id);
    queue.channels = {q.channel};
    queue.service_level = {0.8, absl::Seconds(q.threshold_s)};
    queue.wrap_up = absl::Seconds(q.wrap_s);
    queue.max_waiting = q.max_waiting;
    s.queues.push_back(queue);
  }
  for (const GroupSpec& g : m.groups) {
    sim::AgentGroup group;
    group.name = g.name;
    group.count = g.count;
    group.profile.capacities = {{m.queues[g.queue].channel, g.max_concurrent, g.cost_units}};
    group.profile.capacity_units = g.capacity_units;
    group.profile.queues = {{sb::QueueId(m.queues[g.queue].id), 1, absl::ZeroDuration()}};
    if (g.second_queue >= 0) {
      group.profile.queues.push_back(
          {sb::QueueId(m.queues[g.second_queue].id), 1, absl::ZeroDuration()});
    }
    group.decline_probability = g.declines ? 1 : 0;
    group.shifts = g.shifts;
    group.answer_delay_s = g.answer_delay_s;
    s.agent_groups.push_back(group);
  }
  for (const TypeSpec& t : m.types) {
    sim::ContactType type;
    type.name = t.name;
    type.queue = sb::QueueId(m.queues[t.queue].id);
    type.channel = m.queues[t.queue].channel;
    type.service = sim::Distribution::Constant(t.service_s);
    type.resolution_probability = t.resolves ? 1 : 0;
    if (t.transfer_queue >= 0) {
      type.transfer_probability = 1;
      type.transfer_queue = sb::QueueId(m.queues[t.transfer_queue].id);
    }
    s.contact_types.push_back(type);
  }
  s.trace.emplace();
  s.trace->records = m.records;
  s.trace->trace_service = m.trace_service;
  if (m.returns) {
    s.returns.enabled = true;
    s.returns.delay = sim::Distribution::Constant(m.return_delay_s);
    s.returns.journeys = m.journeys;
    if (m.journeys) {
      s.returns.context_handle_time_factor = m.return_factor;
      if (m.context_resolves) s.returns.context_resolution_probability = 1;
    } else {
      s.returns.no_context_handle_time_factor = m.return_factor;
    }
    s.returns.max_attempts = m.max_attempts;
  }
  return s;
}

// What the host's replay gives: the counters by the documented definitions, plus what each
// contact did, for the per-contact invariants.
struct OracleResult {
  sim::KpiCounters overall;
  std::vector<sim::KpiCounters> per_queue;
  std::vector<sim::KpiCounters> per_interval;
  std::int64_t contacts = 0;  // every contact simulated, warm-up and returns included
  std::int64_t offers = 0;    // every offer, warm-up included
  int max_held = 0;           // the most contacts one agent held at once
  int late_arrivals = 0;      // measured contacts (returns) arriving at or after duration_s
  int abandoned_ringing = 0;  // hung up while an offer rang
  int rescinded = 0;          // offers withdrawn by a shift end
};

class Oracle {
 public:
  explicit Oracle(const Model& m) : m_(m) {}

  OracleResult Run() {
    r_.per_queue.assign(m_.queues.size(), {});
    r_.per_interval.assign(static_cast<size_t>(std::ceil(m_.duration_s / m_.interval_s)), {});
    for (const GroupSpec& g : m_.groups) {
      for (int i = 0; i < g.count; ++i) {
        Agent a;
        a.group = &g;
        a.online = g.shifts.empty();
        agents_.push_back(a);
        const int index = static_cast<int>(agents_.size()) - 1;
        for (size_t k = 0; k < g.shifts.size(); ++k) {
          Push(g.shifts[k].start_s, kShiftStart, index);
          Push(g.shifts[k].end_s, kShiftEnd, index);
        }
      }
    }
    for (const sim::TraceRecord& rec : m_.records) {
      if (rec.arrival_s >= m_.duration_s) continue;  // arrivals stop at duration_s
      const int t = TypeIndex(rec.type);
      NewContact(rec.arrival_s, t, m_.trace_service ? rec.service_s : m_.types[t].service_s,
                 rec.patience_s, 1, rec.priority);
    }
    while (!events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      Handle(e);
      Dispatch(e.time);
    }
    Account();
    return r_;
  }

 private:
  enum Kind { kArrive, kPatience, kAccept, kServiceEnd, kWrapEnd, kShiftStart, kShiftEnd };
  enum State { kPending, kWaiting, kOffered, kInService, kDone };
  struct Event {
    double time;
    std::uint64_t seq;
    Kind kind;
    int subject;
    bool operator>(const Event& o) const { return std::tie(time, seq) > std::tie(o.time, o.seq); }
  };
  struct Contact {
    double arrival = 0;
    int type = 0;
    int first_queue = 0;
    int queue = 0;
    int leg = 0;  // 0: first service, 1: after a transfer
    double service = 0;
    double patience = kInf;
    int attempt = 1;
    int priority = 0;  // larger first, then the longest wait
    State state = kPending;
    int agent = -1;
    double enqueued = 0;  // start of the current wait
    double accepted = 0;
    int offers = 0;
    int declines = 0;
    bool answered = false, abandoned = false, transferred = false, rejected = false;
    std::vector<int> excluded;  // agents that declined it in its current queue
    int completions = 0;
    double wait = 0, handle = 0;
  };
  struct Agent {
    const GroupSpec* group = nullptr;
    bool online = false;
    int held = 0;
    int ringing = 0;                              // live offers
    std::vector<std::pair<double, double>> work;  // accept .. release of each contact held
  };

  int TypeIndex(const std::string& name) const {
    for (size_t i = 0; i < m_.types.size(); ++i) {
      if (m_.types[i].name == name) return static_cast<int>(i);
    }
    FAIL("unknown type " << name);
    return 0;
  }

  void Push(double time, Kind kind, int subject) { events_.push({time, seq_++, kind, subject}); }

  void NewContact(double arrival, int type, double service, double patience, int attempt,
                  int priority) {
    Contact c;
    c.priority = priority;
    c.arrival = arrival;
    c.type = type;
    c.first_queue = c.queue = m_.types[type].queue;
    c.service = service;
    c.patience = patience;
    c.attempt = attempt;
    contacts_.push_back(c);
    Push(arrival, kArrive, static_cast<int>(contacts_.size()) - 1);
  }

  void Release(int agent, double until, double start) {
    Agent& a = agents_[agent];
    --a.held;
    if (start >= 0) a.work.emplace_back(start, until);
  }

  void Handle(const Event& e) {
    const double now = e.time;
    switch (e.kind) {
      case kArrive: {
        Contact& c = contacts_[e.subject];
        const int max_waiting = m_.queues[c.queue].max_waiting;
        if (max_waiting > 0 && InQueue(c.queue) >= max_waiting) {  // refused by the router
          c.state = kDone;
          c.rejected = true;
          break;
        }
        c.state = kWaiting;
        c.enqueued = now;
        if (std::isfinite(c.patience)) Push(now + c.patience, kPatience, e.subject);
        break;
      }
      case kPatience: {  // the first wait only
        Contact& c = contacts_[e.subject];
        if (c.leg != 0 || (c.state != kWaiting && c.state != kOffered)) break;
        AddWaiting(c, now);
        if (c.state == kOffered) {
          ++r_.abandoned_ringing;
          --agents_[c.agent].ringing;
          Release(c.agent, now, -1);
        }
        c.state = kDone;
        c.abandoned = true;
        c.wait = now - c.arrival;
        break;
      }
      case kAccept: {
        const auto [contact, offer] = accepts_[e.subject];
        if (contacts_[contact].offers == offer) Accept(contact, now);  // else rescinded
        break;
      }
      case kServiceEnd: {
        Contact& c = contacts_[e.subject];
        const TypeSpec& type = m_.types[c.type];
        Agent& a = agents_[c.agent];
        if (c.leg == 0 && type.transfer_queue >= 0) {  // released without wrap-up
          c.transferred = true;
          ++c.completions;
          c.handle += now - c.accepted;
          AddBusy(c, a, c.accepted, now);
          Release(c.agent, now, c.accepted);
          c.leg = 1;
          c.queue = type.transfer_queue;
          c.excluded.clear();
          c.state = kWaiting;
          c.enqueued = now;
          c.agent = -1;
          break;
        }
        const double wrap = m_.queues[c.queue].wrap_s;
        ++c.completions;
        c.handle += now - c.accepted + wrap;
        AddBusy(c, a, c.accepted, now + wrap);
        c.state = kDone;
        if (wrap > 0) {
          wrap_ends_.push_back({c.agent, c.accepted});
          Push(now + wrap, kWrapEnd, static_cast<int>(wrap_ends_.size()) - 1);
        } else {
          Release(c.agent, now, c.accepted);
        }
        if (m_.returns && !Resolves(c) && c.attempt < m_.max_attempts) {
          // journeys.md: ApplySnapshotToContact raises a repeat's priority by 50.
          NewContact(now + m_.return_delay_s, c.type, type.service_s * m_.return_factor, kInf,
                     c.attempt + 1, c.priority + (m_.journeys ? 50 : 0));
        }
        break;
      }
      case kWrapEnd: {
        const auto [agent, accepted] = wrap_ends_[e.subject];
        Release(agent, now, accepted);
        break;
      }
      case kShiftStart:
        agents_[e.subject].online = true;
        break;
      case kShiftEnd: {
        agents_[e.subject].online = false;
        // A live offer is rescinded: the contact waits again.
        for (size_t i = 0; i < contacts_.size(); ++i) {
          Contact& c = contacts_[i];
          if (c.state == kOffered && c.agent == e.subject) {
            ++r_.rescinded;
            --agents_[c.agent].ringing;
            Release(c.agent, now, -1);
            c.state = kWaiting;  // still waiting for an answer: `enqueued` stands
            c.agent = -1;
          }
        }
        break;
      }
    }
  }

  void Accept(int index, double now) {
    Contact& c = contacts_[index];
    if (c.state != kOffered) return;  // hung up while it rang
    AddWaiting(c, now);
    if (agents_[c.agent].group->answer_delay_s > 0) --agents_[c.agent].ringing;
    c.state = kInService;
    c.accepted = now;
    if (c.leg == 0) {
      c.answered = true;
      c.wait = now - c.arrival;
    }
    Push(now + c.service, kServiceEnd, index);
  }

  int InQueue(int q) const {
    int n = 0;
    for (const Contact& c : contacts_) {
      n += c.queue == q && (c.state == kWaiting || c.state == kOffered);
    }
    return n;
  }

  bool Fits(const Agent& agent, const Contact& c, int index) const {
    return (agent.group->queue == c.queue || agent.group->second_queue == c.queue) &&
           agent.online && agent.ringing == 0 &&  // routing.md: one live offer at a time
           agent.held < agent.group->max_concurrent &&
           (agent.held + 1) * agent.group->cost_units <= agent.group->capacity_units &&
           std::find(c.excluded.begin(), c.excluded.end(), index) == c.excluded.end();
  }

  // Contacts by priority (larger first), then (original) arrival, across queues of the same
  // priority and membership priority; each goes to the first agent added (groups in scenario order)
  // that fits: the `linear` strategy. When the agents of a queue are identical, serve only it and
  // share their shifts, which one takes a contact changes no contact's times, whatever the
  // strategy.
  void Dispatch(double now) {
    std::vector<int> waiting;
    for (size_t i = 0; i < contacts_.size(); ++i) {
      if (contacts_[i].state == kWaiting) waiting.push_back(static_cast<int>(i));
    }
    std::stable_sort(waiting.begin(), waiting.end(), [this](int a, int b) {
      return std::make_pair(-contacts_[a].priority, contacts_[a].arrival) <
             std::make_pair(-contacts_[b].priority, contacts_[b].arrival);
    });
    for (int i : waiting) {
      Contact& c = contacts_[i];
      for (size_t a = 0; a < agents_.size() && c.state == kWaiting; ++a) {
        Agent& agent = agents_[a];
        if (!Fits(agent, c, static_cast<int>(a))) continue;
        ++c.offers;
        ++r_.offers;
        if (agent.group->declines) {  // at once: the contact waits for the next agent
          ++c.declines;
          c.excluded.push_back(static_cast<int>(a));
          continue;
        }
        c.state = kOffered;
        c.agent = static_cast<int>(a);
        ++agent.held;
        r_.max_held = std::max(r_.max_held, agent.held);
        if (agent.group->answer_delay_s > 0) {
          ++agent.ringing;
          accepts_.push_back({i, c.offers});
          Push(now + agent.group->answer_delay_s, kAccept, static_cast<int>(accepts_.size()) - 1);
        } else {
          Accept(i, now);
        }
      }
    }
  }

  bool Resolves(const Contact& c) const {
    return m_.types[c.type].resolves || (c.attempt > 1 && m_.journeys && m_.context_resolves);
  }

  bool Measured(const Contact& c) const { return c.arrival >= m_.warmup_s; }

  // Adds `weight` x the part of [a, b) inside [warmup, duration] to `field`, split over
  // intervals.
  template <typename F>
  void Integrate(double a, double b, double weight, F add) {
    a = std::max(a, m_.warmup_s);
    b = std::min(b, m_.duration_s);
    if (b <= a) return;
    add(r_.overall, (b - a) * weight);
    for (size_t i = 0; i < r_.per_interval.size(); ++i) {
      const double lo = std::max(a, static_cast<double>(i) * m_.interval_s);
      const double hi = std::min(b, static_cast<double>(i + 1) * m_.interval_s);
      if (hi > lo) add(r_.per_interval[i], (hi - lo) * weight);
    }
  }

  void AddWaiting(const Contact& c, double now) {
    Integrate(c.enqueued, now, 1, [](sim::KpiCounters& k, double v) { k.queue_length_s += v; });
    const double a = std::max(c.enqueued, m_.warmup_s), b = std::min(now, m_.duration_s);
    if (b > a) r_.per_queue[c.queue].queue_length_s += b - a;
  }

  void AddBusy(const Contact& c, const Agent& a, double from, double to) {
    const double w = static_cast<double>(a.group->cost_units) / a.group->capacity_units;
    Integrate(from, to, w, [](sim::KpiCounters& k, double v) { k.busy_agent_s += v; });
    const double lo = std::max(from, m_.warmup_s), hi = std::min(to, m_.duration_s);
    if (hi > lo) r_.per_queue[c.queue].busy_agent_s += (hi - lo) * w;
  }

  void Account() {
    // Staffed time: each agent's shifts (or the whole run) joined with the time it held an
    // accepted contact (overtime past a shift end).
    for (const Agent& a : agents_) {
      std::vector<std::pair<double, double>> spans = a.work;
      if (a.group->shifts.empty()) spans.emplace_back(0, kInf);
      for (const sim::Shift& s : a.group->shifts) spans.emplace_back(s.start_s, s.end_s);
      std::sort(spans.begin(), spans.end());
      std::vector<std::pair<double, double>> merged;
      for (const auto& s : spans) {
        if (!merged.empty() && s.first <= merged.back().second) {
          merged.back().second = std::max(merged.back().second, s.second);
        } else {
          merged.push_back(s);
        }
      }
      for (const auto& [from, to] : merged) {
        Integrate(from, to, 1, [](sim::KpiCounters& k, double v) { k.staffed_agent_s += v; });
        const double lo = std::max(from, m_.warmup_s), hi = std::min(to, m_.duration_s);
        if (hi > lo) r_.per_queue[a.group->queue].staffed_agent_s += hi - lo;
        if (hi > lo && a.group->second_queue >= 0) {
          r_.per_queue[a.group->second_queue].staffed_agent_s += hi - lo;
        }
      }
    }
    const double span = std::max(0.0, m_.duration_s - m_.warmup_s);
    r_.overall.span_s = span;
    for (sim::KpiCounters& q : r_.per_queue) q.span_s = span;
    for (size_t i = 0; i < r_.per_interval.size(); ++i) {
      const double lo = std::max(static_cast<double>(i) * m_.interval_s, m_.warmup_s);
      const double hi = std::min(static_cast<double>(i + 1) * m_.interval_s, m_.duration_s);
      r_.per_interval[i].span_s = std::max(0.0, hi - lo);
    }
    r_.contacts = static_cast<std::int64_t>(contacts_.size());
    for (const Contact& c : contacts_) {
      // Every contact ends exactly once: answered and completed (once per leg), or abandoned.
      CHECK(c.state == kDone);
      CHECK(c.answered + c.abandoned + c.rejected == 1);
      if (!Measured(c)) continue;
      // A return can arrive after duration_s: harness.md counts it in the last interval.
      size_t interval = static_cast<size_t>(c.arrival / m_.interval_s);
      if (interval >= r_.per_interval.size()) {
        interval = r_.per_interval.size() - 1;
        ++r_.late_arrivals;
      }
      std::vector<sim::KpiCounters*> into = {&r_.overall, &r_.per_queue[c.first_queue],
                                             &r_.per_interval[interval]};
      for (sim::KpiCounters* k : into) {
        ++k->offered;
        k->offers += c.offers;
        k->declined += c.declines;
        k->rejected += c.rejected;
        if (c.answered) {
          ++k->answered;
          k->wait_answered_s += c.wait;
          // Within = at most the threshold (metrics.h; harness.md does not say). The random
          // traffic never waits exactly the threshold; the hand-made cases avoid it too.
          if (c.wait <= m_.queues[c.first_queue].threshold_s) ++k->answered_within_target;
        }
        if (c.abandoned) {
          ++k->abandoned;
          k->wait_abandoned_s += c.wait;
        }
        if (c.completions > 0) ++k->completed;  // once per contact, both legs
        if (c.transferred) ++k->transfers;
        k->handle_s += c.handle;
        if (c.completions > 0) {
          const bool resolved = Resolves(c);
          if (c.attempt == 1) {
            ++k->first_contacts_completed;
            if (resolved) ++k->resolved_first_contact;
          }
          if (resolved) ++k->resolved;
        }
        if (c.attempt > 1) ++k->repeat_contacts;
      }
    }
  }

  const Model& m_;
  OracleResult r_;
  std::vector<Contact> contacts_;
  std::vector<Agent> agents_;
  std::vector<std::pair<int, double>> wrap_ends_;
  std::vector<std::pair<int, int>> accepts_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Comparing.

bool Near(double got, double want) {
  return std::abs(got - want) <= 1e-3 + 1e-9 * std::abs(want);  // the run counts microseconds
}

struct IntField {
  const char* name;
  std::int64_t sim::KpiCounters::*field;
};
struct TimeField {
  const char* name;
  double sim::KpiCounters::*field;
};
constexpr IntField kIntFields[] = {
    {"offered", &sim::KpiCounters::offered},
    {"answered", &sim::KpiCounters::answered},
    {"answered_within_target", &sim::KpiCounters::answered_within_target},
    {"abandoned", &sim::KpiCounters::abandoned},
    {"rejected", &sim::KpiCounters::rejected},
    {"completed", &sim::KpiCounters::completed},
    {"transfers", &sim::KpiCounters::transfers},
    {"first_contacts_completed", &sim::KpiCounters::first_contacts_completed},
    {"resolved_first_contact", &sim::KpiCounters::resolved_first_contact},
    {"resolved", &sim::KpiCounters::resolved},
    {"repeat_contacts", &sim::KpiCounters::repeat_contacts},
    {"offers", &sim::KpiCounters::offers},
    {"declined", &sim::KpiCounters::declined},
    {"missed", &sim::KpiCounters::missed},
};
constexpr TimeField kTimeFields[] = {
    {"wait_answered_s", &sim::KpiCounters::wait_answered_s},
    {"wait_abandoned_s", &sim::KpiCounters::wait_abandoned_s},
    {"handle_s", &sim::KpiCounters::handle_s},
    {"busy_agent_s", &sim::KpiCounters::busy_agent_s},
    {"staffed_agent_s", &sim::KpiCounters::staffed_agent_s},
    {"queue_length_s", &sim::KpiCounters::queue_length_s},
    {"span_s", &sim::KpiCounters::span_s},
};

void CompareCounters(const sim::KpiCounters& got, const sim::KpiCounters& want,
                     const std::string& where) {
  INFO(where);
  for (const IntField& f : kIntFields) {
    INFO(f.name << ": run " << got.*f.field << ", host " << want.*f.field);
    CHECK(got.*f.field == want.*f.field);
  }
  for (const TimeField& f : kTimeFields) {
    INFO(f.name << ": run " << got.*f.field << ", host " << want.*f.field);
    CHECK(Near(got.*f.field, want.*f.field));
  }
}

// The derived KPIs, by the documented definitions (a ratio with an empty denominator is 0),
// from the host's counters, against ComputeKpis of the run's.
void CompareKpis(const sim::KpiCounters& run, const sim::KpiCounters& host,
                 const std::string& where) {
  INFO(where);
  const sim::Kpis k = sim::ComputeKpis(run);
  auto ratio = [](double a, double b) { return b == 0 ? 0.0 : a / b; };
  const double offered = static_cast<double>(host.offered);
  const double answered = static_cast<double>(host.answered);
  const double completed = static_cast<double>(host.completed);
  CHECK(k.offered == Approx(offered));
  CHECK(k.answered == Approx(answered));
  CHECK(k.abandoned == Approx(static_cast<double>(host.abandoned)));
  CHECK(k.service_level ==
        Approx(ratio(static_cast<double>(host.answered_within_target), offered)));
  CHECK(k.asa_s == Approx(ratio(host.wait_answered_s, answered)).margin(1e-6));
  CHECK(k.abandonment_rate == Approx(ratio(static_cast<double>(host.abandoned), offered)));
  CHECK(k.avg_abandon_wait_s ==
        Approx(ratio(host.wait_abandoned_s, static_cast<double>(host.abandoned))).margin(1e-6));
  CHECK(k.occupancy == Approx(ratio(host.busy_agent_s, host.staffed_agent_s)).margin(1e-6));
  CHECK(k.occupancy >= 0);
  CHECK(k.occupancy <= 1 + 1e-12);
  CHECK(k.aht_s == Approx(ratio(host.handle_s, completed)).margin(1e-6));
  CHECK(k.transfers == Approx(static_cast<double>(host.transfers)));
  CHECK(k.transfer_rate == Approx(ratio(static_cast<double>(host.transfers), completed)));
  CHECK(k.fcr == Approx(ratio(static_cast<double>(host.resolved_first_contact),
                              static_cast<double>(host.first_contacts_completed))));
  CHECK(k.resolution_rate == Approx(ratio(static_cast<double>(host.resolved), completed)));
  CHECK(k.repeat_contacts == Approx(static_cast<double>(host.repeat_contacts)));
  CHECK(k.repeat_rate == Approx(ratio(static_cast<double>(host.repeat_contacts), offered)));
  CHECK(k.avg_queue_length == Approx(ratio(host.queue_length_s, host.span_s)).margin(1e-6));
  CHECK(k.offers == Approx(static_cast<double>(host.offers)));
}

OracleResult CompareRun(const Model& m, std::uint64_t seed,
                        const std::string& strategy = "longest-idle") {
  INFO("seed " << seed << ", strategy " << strategy);
  const sim::Scenario scenario = ToScenario(m);
  {
    const absl::Status valid = scenario.Validate();
    INFO(valid.message());
    REQUIRE(valid.ok());
  }
  auto run = sim::RunScenario(scenario, {strategy, seed, {}});
  INFO(run.status().message());
  REQUIRE(run.ok());
  const OracleResult host = Oracle(m).Run();
  CHECK(run->contacts_simulated == host.contacts);
  CHECK(run->routing_decisions == host.offers);
  CompareCounters(run->overall, host.overall, "overall");
  CompareKpis(run->overall, host.overall, "overall KPIs");
  REQUIRE(run->per_queue.size() == host.per_queue.size());
  for (size_t q = 0; q < host.per_queue.size(); ++q) {
    CompareCounters(run->per_queue[q], host.per_queue[q], "queue " + m.queues[q].id);
    CompareKpis(run->per_queue[q], host.per_queue[q], "queue KPIs " + m.queues[q].id);
  }
  CHECK(run->trace_records_skipped ==
        std::count_if(m.records.begin(), m.records.end(),
                      [&m](const sim::TraceRecord& r) { return r.arrival_s >= m.duration_s; }));
  REQUIRE(run->per_interval.size() == host.per_interval.size());
  for (size_t i = 0; i < host.per_interval.size(); ++i) {
    CompareCounters(run->per_interval[i], host.per_interval[i], "interval " + std::to_string(i));
  }
  return host;
}

// ---------------------------------------------------------------------------------------------
// Traffic drawn by the test's own generator.

double Exp(std::mt19937_64& rng, double mean) {
  return -mean * std::log(1 - std::generate_canonical<double, 53>(rng));
}

// Poisson arrivals of `type` at `per_hour` over [from, to), with exponential service times and
// exponential patience (kInf patience_mean: nobody hangs up).
void AddTraffic(Model& m, std::mt19937_64& rng, const std::string& type, double per_hour,
                double from, double to, double service_mean, double patience_mean) {
  for (double t = from + Exp(rng, 3600 / per_hour); t < to; t += Exp(rng, 3600 / per_hour)) {
    sim::TraceRecord r;
    r.arrival_s = t;
    r.type = type;
    r.service_s = Exp(rng, service_mean);
    r.patience_s = std::isinf(patience_mean) ? kInf : Exp(rng, patience_mean);
    m.records.push_back(r);
  }
  std::stable_sort(m.records.begin(), m.records.end(),
                   [](const auto& a, const auto& b) { return a.arrival_s < b.arrival_s; });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("one voice queue: every KPI, overall and per interval, as the host recomputes it") {
  const std::uint64_t seed = 11;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 7000;  // not a whole number of intervals
  m.interval_s = 1800;
  m.warmup_s = 900;  // inside the first interval
  m.queues = {Queue("support", sb::Channel::kVoice, 20, 7.5)};
  m.groups = {Group("agent", 4, 0)};
  m.types = {Type("call", 0)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "call", 100, 0, 7500, 120, 90);  // records past duration_s are skipped
  // One record in four has priority (the contact takes the larger of the record's and the
  // type's): it goes ahead of those waiting longer.
  for (size_t i = 0; i < m.records.size(); i += 4) m.records[i].priority = 5;
  const OracleResult host = CompareRun(m, seed);
  CHECK(host.overall.abandoned > 0);
  CHECK(host.overall.answered_within_target < host.overall.answered);
  CHECK(host.contacts > host.overall.offered);  // warm-up contacts are simulated
}

TEST_CASE("voice and chat queues: capacity units, answer delay, per-queue figures") {
  const std::uint64_t seed = 12;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 5400;
  m.interval_s = 1800;
  m.warmup_s = 600;
  m.queues = {Queue("voice", sb::Channel::kVoice, 20, 10),
              Queue("chat", sb::Channel::kChat, 60, 5)};
  m.groups = {Group("v", 3, 0), Group("c", 2, 1)};
  m.groups[1].max_concurrent = 3;
  m.groups[1].cost_units = 33;
  m.groups[1].answer_delay_s = 4.25;
  m.types = {Type("call", 0), Type("chat", 1)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "call", 70, 0, 5400, 130, 60);
  AddTraffic(m, rng, "chat", 90, 0, 5400, 200, 120);
  // An agent with a ringing offer gets no other offer, so which chat agent takes a chat
  // matters: `linear`, as the host chooses.
  const OracleResult host = CompareRun(m, seed, "linear");
  CHECK(host.max_held == 3);          // three chats at once
  CHECK(host.abandoned_ringing > 0);  // hung up while the offer rang
}

TEST_CASE("shifts: staffed time follows the shifts, plus overtime to finish a contact") {
  const std::uint64_t seed = 13;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 7200;
  m.interval_s = 900;
  m.warmup_s = 450;
  m.queues = {Queue("support", sb::Channel::kVoice, 30, 12)};
  m.groups = {Group("early", 3, 0), Group("late", 2, 0)};
  m.groups[0].shifts = {{0, 3000.5}, {3900.25, 6000}};
  m.groups[1].shifts = {{1000, 5000}};
  m.types = {Type("call", 0)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "call", 80, 0, 7200, 150, 200);
  // Two groups with different shifts: which agent takes a contact matters (whose shift it
  // overruns), so the run uses `linear`, the host's choice (the first fitting agent added).
  CompareRun(m, seed, "linear");
}

TEST_CASE("transfers: the second leg waits in its new queue; counted in the first queue") {
  const std::uint64_t seed = 14;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 5400;
  m.interval_s = 1800;
  m.warmup_s = 0;
  m.queues = {Queue("sales", sb::Channel::kVoice, 20, 6),
              Queue("support", sb::Channel::kVoice, 30, 9)};
  m.groups = {Group("s", 3, 0), Group("t", 3, 1)};
  m.types = {Type("sale", 0), Type("help", 1)};
  m.types[0].transfer_queue = 1;
  m.types[0].service_s = 95;
  m.types[1].service_s = 140;
  m.trace_service = false;
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "sale", 60, 0, 5400, 1, 80);
  AddTraffic(m, rng, "help", 40, 0, 5400, 1, 80);
  const OracleResult host = CompareRun(m, seed);
  CHECK(host.overall.transfers > 0);
  CHECK(host.overall.abandoned > 0);
}

TEST_CASE("returning customers: repeats, first-contact resolution and resolution rate") {
  const std::uint64_t seed = 15;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 5400;
  m.interval_s = 1800;
  m.warmup_s = 300;
  m.queues = {Queue("q", sb::Channel::kVoice, 20, 0)};
  m.groups = {Group("a", 4, 0)};
  m.types = {Type("fixed", 0), Type("stuck", 0)};
  m.types[0].service_s = 100;
  m.types[1].service_s = 170;
  m.types[1].resolves = false;
  m.trace_service = false;
  m.returns = true;
  m.max_attempts = 3;
  m.return_delay_s = 400;
  std::mt19937_64 rng(seed);
  // First contacts stop early, so that every return arrives before duration_s (the last
  // section lets them run to the end).
  // First contacts may hang up (and then do not come back); returns have no patience (the
  // type's distribution: none).
  AddTraffic(m, rng, "fixed", 40, 0, 3600, 1, 300);
  AddTraffic(m, rng, "stuck", 20, 0, 3600, 1, 300);
  SECTION("journeys off: a return takes longer (the customer explains again)") {
    m.return_factor = 1.5;
    const OracleResult host = CompareRun(m, seed);
    CHECK(host.late_arrivals == 0);
    CHECK(host.overall.repeat_contacts > 0);
    CHECK(host.overall.first_contacts_completed < host.overall.completed);
  }
  SECTION("journeys on: the next agent has the context, shorter and resolving") {
    m.journeys = true;
    m.return_factor = 0.5;
    m.context_resolves = true;
    const OracleResult host = CompareRun(m, seed);
    CHECK(host.late_arrivals == 0);
    CHECK(host.overall.repeat_contacts > 0);
    CHECK(host.overall.resolved > host.overall.resolved_first_contact);
  }
  SECTION("returns after duration_s are measured and count in the last interval") {
    m.return_factor = 1.0;
    AddTraffic(m, rng, "fixed", 40, 3600, m.duration_s, 1, 300);
    AddTraffic(m, rng, "stuck", 20, 3600, m.duration_s, 1, 300);
    const OracleResult host = CompareRun(m, seed);
    CHECK(host.late_arrivals > 0);
  }
}

TEST_CASE("agents in two queues: per-queue staffed time counts them in each") {
  const std::uint64_t seed = 16;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 6000;
  m.interval_s = 1200;
  m.warmup_s = 1200;
  m.queues = {Queue("a", sb::Channel::kVoice, 20, 5), Queue("b", sb::Channel::kVoice, 40, 0)};
  m.groups = {Group("a-only", 2, 0), Group("both", 2, 0), Group("b-only", 1, 1)};
  m.groups[0].shifts = {{0, 4000}};
  m.groups[1].second_queue = 1;
  m.types = {Type("ta", 0), Type("tb", 1)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "ta", 70, 0, 6000, 140, 100);
  AddTraffic(m, rng, "tb", 40, 0, 6000, 160, 150);
  CompareRun(m, seed, "linear");
}

TEST_CASE("declined offers and a full queue: offers, declines and rejections") {
  const std::uint64_t seed = 17;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 5400;
  m.interval_s = 1800;
  m.warmup_s = 200;
  m.queues = {Queue("q", sb::Channel::kVoice, 20, 3)};
  m.queues[0].max_waiting = 3;
  m.groups = {Group("picky", 2, 0), Group("worker", 3, 0)};
  m.groups[0].declines = true;
  m.types = {Type("c", 0)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "c", 110, 0, 5400, 90, 60);
  const OracleResult host = CompareRun(m, seed, "linear");
  CHECK(host.overall.declined > 0);
  CHECK(host.overall.rejected > 0);
}

TEST_CASE("chat agents on shifts: each agent's overtime runs to its last chat") {
  const std::uint64_t seed = 18;
  INFO("seed " << seed);
  Model m;
  m.duration_s = 5400;
  m.interval_s = 600;
  m.warmup_s = 0;
  m.queues = {Queue("chat", sb::Channel::kChat, 60, 8)};
  m.groups = {Group("day", 2, 0), Group("late", 1, 0)};
  for (GroupSpec& g : m.groups) {  // a third of the agent per chat
    g.max_concurrent = 3;
    g.cost_units = 30;
    g.capacity_units = 90;
  }
  m.groups[0].shifts = {{0, 2000}, {2500, 4000}};
  m.groups[1].shifts = {{1500, 5400}};
  m.types = {Type("chat", 0)};
  std::mt19937_64 rng(seed);
  AddTraffic(m, rng, "chat", 60, 0, 5400, 400, 300);
  const OracleResult host = CompareRun(m, seed, "linear");
  CHECK(host.max_held == 3);
}

// ---------------------------------------------------------------------------------------------
// Poisson scenarios: what a host can verify without reproducing the draws.

namespace {

bool SumNear(double got, double want) {
  return std::abs(got - want) <= 1e-6 + 1e-9 * std::abs(want);
}

void CheckIdentical(const sim::KpiCounters& a, const sim::KpiCounters& b,
                    const std::string& where) {
  INFO(where);
  for (const IntField& f : kIntFields) {
    INFO(f.name);
    CHECK(a.*f.field == b.*f.field);
  }
  for (const TimeField& f : kTimeFields) {
    INFO(f.name);
    CHECK(a.*f.field == b.*f.field);
  }
}

void CheckIdentical(const sim::RunResult& a, const sim::RunResult& b) {
  CHECK(a.contacts_simulated == b.contacts_simulated);
  CHECK(a.routing_decisions == b.routing_decisions);
  CHECK(a.events == b.events);
  CHECK(a.router_calls == b.router_calls);
  CHECK(a.simulated_s == b.simulated_s);
  CheckIdentical(a.overall, b.overall, "overall");
  REQUIRE(a.per_queue.size() == b.per_queue.size());
  for (size_t q = 0; q < a.per_queue.size(); ++q) {
    CheckIdentical(a.per_queue[q], b.per_queue[q], "queue " + a.queue_ids[q]);
  }
  REQUIRE(a.per_interval.size() == b.per_interval.size());
  for (size_t i = 0; i < a.per_interval.size(); ++i) {
    CheckIdentical(a.per_interval[i], b.per_interval[i], "interval " + std::to_string(i));
  }
}

// The counters of one run: consistent with each other and with the scenario. `all_end`: every
// contact can end (finite patience on first waits, somebody takes every transfer), so each
// offered contact is answered, abandoned or rejected.
void CheckInvariants(const sim::Scenario& s, const sim::RunResult& r, bool all_end) {
  REQUIRE(r.queue_ids.size() == s.queues.size());
  for (size_t q = 0; q < s.queues.size(); ++q) CHECK(r.queue_ids[q] == s.queues[q].id.value());
  REQUIRE(r.per_queue.size() == s.queues.size());
  REQUIRE(static_cast<int>(r.per_interval.size()) == s.IntervalCount());
  CHECK(s.IntervalCount() == static_cast<int>(std::ceil(s.duration_s / s.interval_s)));
  CHECK(r.interval_s == s.interval_s);
  const sim::KpiCounters& o = r.overall;
  CHECK(o.offered > 0);
  CHECK(r.contacts_simulated >= o.offered);
  CHECK(r.routing_decisions >= o.offers);
  CHECK(r.simulated_s >= s.duration_s * 0.9);
  CHECK(r.simulated_s <= s.duration_s + 2 * 86400.0);
  CHECK(o.span_s == Approx(s.duration_s - s.warmup_s));

  // Sums over intervals and over queues.
  sim::KpiCounters by_interval, by_queue;
  for (const sim::KpiCounters& k : r.per_interval) by_interval.Add(k);
  for (const sim::KpiCounters& k : r.per_queue) by_queue.Add(k);
  for (const IntField& f : kIntFields) {
    INFO(f.name);
    CHECK(by_interval.*f.field == o.*f.field);
    CHECK(by_queue.*f.field == o.*f.field);
  }
  for (const TimeField& f : kTimeFields) {
    INFO(f.name << ": overall " << o.*f.field << ", intervals " << by_interval.*f.field
                << ", queues " << by_queue.*f.field);
    CHECK(SumNear(by_interval.*f.field, o.*f.field));
    if (f.field == &sim::KpiCounters::span_s) {
      for (const sim::KpiCounters& k : r.per_queue) CHECK(k.span_s == Approx(o.span_s));
    } else if (f.field == &sim::KpiCounters::staffed_agent_s) {
      CHECK(by_queue.staffed_agent_s >= o.staffed_agent_s - 1e-6);  // agents in several queues
    } else {
      CHECK(SumNear(by_queue.*f.field, o.*f.field));
    }
  }

  std::vector<std::pair<std::string, const sim::KpiCounters*>> all = {{"overall", &o}};
  for (size_t q = 0; q < r.per_queue.size(); ++q) {
    all.push_back({"queue " + r.queue_ids[q], &r.per_queue[q]});
  }
  for (size_t i = 0; i < r.per_interval.size(); ++i) {
    all.push_back({"interval " + std::to_string(i), &r.per_interval[i]});
    const double lo = std::max(static_cast<double>(i) * s.interval_s, s.warmup_s);
    const double hi = std::min(static_cast<double>(i + 1) * s.interval_s, s.duration_s);
    INFO("interval " << i);
    CHECK(r.per_interval[i].span_s == Approx(std::max(0.0, hi - lo)).margin(1e-9));
    if (hi <= s.warmup_s) {  // wholly inside the warm-up: nothing measured
      CheckIdentical(r.per_interval[i], sim::KpiCounters{}, "warm-up interval");
    }
  }
  for (const auto& [where, k] : all) {
    INFO(where);
    if (all_end) {
      CHECK(k->offered == k->answered + k->abandoned + k->rejected);
      CHECK(k->completed == k->answered);  // every answered contact is completed, once
    }
    CHECK(k->answered_within_target <= k->answered);
    CHECK(k->transfers <= k->completed);
    CHECK(k->first_contacts_completed <= k->completed);
    CHECK(k->resolved_first_contact <= k->first_contacts_completed);
    CHECK(k->resolved_first_contact <= k->resolved);
    CHECK(k->resolved <= k->completed);
    CHECK(k->completed - k->first_contacts_completed <= k->repeat_contacts);
    CHECK(k->repeat_contacts <= k->offered);
    CHECK(k->offers >= k->answered + k->declined + k->missed);
    for (const TimeField& f : kTimeFields) CHECK(k->*f.field >= 0);
    CHECK(k->busy_agent_s <= k->staffed_agent_s + 1e-6);  // no agent above its capacity
    const sim::Kpis kpis = sim::ComputeKpis(*k);
    for (double v : {kpis.service_level, kpis.abandonment_rate, kpis.occupancy, kpis.fcr,
                     kpis.resolution_rate, kpis.repeat_rate}) {
      CHECK(v >= 0);
      CHECK(v <= 1 + 1e-12);
    }
  }
}

sb::Queue MakeQueue(const char* id, sb::Channel channel, double threshold_s, double wrap_s) {
  sb::Queue q;
  q.id = sb::QueueId(id);
  q.channels = {channel};
  q.service_level = {0.8, absl::Seconds(threshold_s)};
  q.wrap_up = absl::Seconds(wrap_s);
  return q;
}

// Three queues, four groups (one serving all queues, with a membership delay), shifts, answer
// delays, declines and misses, transfers, returns, piecewise rates: every feature at once.
sim::Scenario MixedCenter() {
  sim::Scenario s;
  s.name = "mixed";
  s.duration_s = 3 * 3600;
  s.interval_s = 1800;
  s.warmup_s = 900;
  s.seed = 2024;
  s.replications = 3;
  s.strategies = {"longest-idle", "least-occupied"};
  s.queues = {MakeQueue("sales", sb::Channel::kVoice, 20, 10),
              MakeQueue("support", sb::Channel::kVoice, 30, 15),
              MakeQueue("chat", sb::Channel::kChat, 60, 5)};
  sim::AgentGroup sales;
  sales.name = "sales";
  sales.count = 5;
  sales.profile.capacities = {sb::DefaultCapacity(sb::Channel::kVoice)};
  sales.profile.queues = {{sb::QueueId("sales"), 1, absl::ZeroDuration()}};
  sales.shifts = {{0, 5400}, {6000, 10800}};
  sales.decline_probability = 0.05;
  sales.miss_probability = 0.03;
  sales.answer_delay_s = 2;
  sales.no_answer_away_s = 45;
  sim::AgentGroup support = sales;
  support.name = "support";
  support.profile.queues = {{sb::QueueId("support"), 1, absl::ZeroDuration()}};
  support.shifts = {};
  support.decline_probability = 0;  // every transfer finds an agent who takes it
  support.miss_probability = 0;
  sim::AgentGroup chat;
  chat.name = "chat";
  chat.count = 3;
  chat.profile.capacities = {{sb::Channel::kChat, 3, 33}};
  chat.profile.queues = {{sb::QueueId("chat"), 1, absl::ZeroDuration()}};
  chat.answer_delay_s = 4;
  sim::AgentGroup universal;
  universal.name = "universal";
  universal.count = 2;
  universal.profile.capacities = {sb::DefaultCapacity(sb::Channel::kVoice),
                                  {sb::Channel::kChat, 2, 50}};
  universal.profile.queues = {{sb::QueueId("sales"), 2, absl::ZeroDuration()},
                              {sb::QueueId("support"), 2, absl::ZeroDuration()},
                              {sb::QueueId("chat"), 1, absl::Seconds(20)}};
  s.agent_groups = {sales, support, chat, universal};
  sim::ContactType sale;
  sale.name = "sale";
  sale.queue = sb::QueueId("sales");
  sale.rates_per_hour = {40, 70, 90, 60, 50, 80};
  sale.service = sim::Distribution::LogNormal(200, 150);
  sale.patience = sim::Distribution::Exponential(90);
  sale.transfer_probability = 0.2;
  sale.transfer_queue = sb::QueueId("support");
  sale.resolution_probability = 0.8;
  sim::ContactType help = sale;
  help.name = "help";
  help.queue = sb::QueueId("support");
  help.rates_per_hour = {};
  help.rate_per_hour = 50;
  help.service = sim::Distribution::Exponential(240);
  help.transfer_probability = 0;
  help.transfer_queue = sb::QueueId();
  help.resolution_probability = 0.7;
  sim::ContactType talk;
  talk.name = "talk";
  talk.queue = sb::QueueId("chat");
  talk.rate_per_hour = 60;
  talk.service = sim::Distribution::LogNormal(400, 250);
  talk.patience = sim::Distribution::Exponential(200);
  s.contact_types = {sale, help, talk};
  s.returns.enabled = true;
  s.returns.delay = sim::Distribution::Exponential(900);
  s.returns.max_attempts = 3;
  return s;
}

sim::RunResult MustRun(const sim::Scenario& s, const sim::RunOptions& options) {
  INFO("strategy " << options.strategy << ", seed " << options.seed);
  auto r = sim::RunScenario(s, options);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return *std::move(r);
}

}  // namespace

TEST_CASE("Poisson center: counters add up across queues and intervals, every contact ends") {
  const sim::Scenario s = MixedCenter();
  REQUIRE(s.Validate().ok());
  for (const char* strategy : {"longest-idle", "least-occupied", "round-robin"}) {
    for (std::uint64_t seed : {1u, 2u}) {
      INFO("strategy " << strategy << ", seed " << seed);
      const sim::RunResult r = MustRun(s, {strategy, seed, {}});
      CheckInvariants(s, r, /*all_end=*/true);
      // The scenario exercises what it is meant to.
      CHECK(r.overall.transfers > 0);
      CHECK(r.overall.repeat_contacts > 0);
      CHECK(r.overall.declined > 0);
      CHECK(r.overall.missed > 0);
      CHECK(r.overall.abandoned > 0);
    }
  }
}

TEST_CASE("a shipped scenario, shortened: the blended center's counters add up") {
  auto loaded = sim::LoadScenarioFile(std::string(SWITCHBOARD_SOURCE_DIR) +
                                      "/benchmarks/scenarios/blended.textproto");
  INFO(loaded.status().message());
  REQUIRE(loaded.ok());
  sim::Scenario s = *loaded;
  s.duration_s = 3 * 3600;
  s.warmup_s = 900;
  const std::uint64_t seed = 7;
  INFO("seed " << seed);
  const sim::RunResult r = MustRun(s, {"best-skill", seed, {}});
  CheckInvariants(s, r, /*all_end=*/true);
  CHECK(r.overall.transfers > 0);
}

TEST_CASE("same scenario and seed: identical to the last bit; another seed differs") {
  const sim::Scenario s = MixedCenter();
  const std::uint64_t seed = 31;
  INFO("seed " << seed);
  const sim::RunResult a = MustRun(s, {"longest-idle", seed, {}});
  const sim::RunResult b = MustRun(s, {"longest-idle", seed, {}});
  CheckIdentical(a, b);
  // The linear-scan selection decides exactly as the indexes.
  sim::RunOptions scan{"longest-idle", seed, {}};
  scan.selection = sb::SelectionMode::kLinearScan;
  CheckIdentical(a, MustRun(s, scan));
  const sim::RunResult c = MustRun(s, {"longest-idle", seed + 1, {}});
  CHECK(c.overall.offered != a.overall.offered);
  CHECK(c.overall.wait_answered_s != a.overall.wait_answered_s);
  CHECK(c.overall.busy_agent_s != a.overall.busy_agent_s);
}

TEST_CASE("warm-up: contacts before it are simulated but not measured") {
  sim::Scenario s = MixedCenter();
  const std::uint64_t seed = 41;
  INFO("seed " << seed);
  s.warmup_s = 0;
  const sim::RunResult none = MustRun(s, {"longest-idle", seed, {}});
  for (double warmup : {1800.0, 2000.0}) {
    INFO("warm-up " << warmup);
    s.warmup_s = warmup;
    const sim::RunResult w = MustRun(s, {"longest-idle", seed, {}});
    CheckInvariants(s, w, /*all_end=*/true);
    // The same simulation: only what is measured changes.
    CHECK(w.contacts_simulated == none.contacts_simulated);
    CHECK(w.routing_decisions == none.routing_decisions);
    CHECK(w.events == none.events);
    sim::KpiCounters later;  // the intervals wholly after the warm-up, measured alike
    for (size_t i = 0; i < w.per_interval.size(); ++i) {
      if (static_cast<double>(i) * s.interval_s < warmup) continue;
      later.Add(none.per_interval[i]);
      for (const IntField& f : kIntFields) {
        INFO("interval " << i << " " << f.name);
        CHECK(w.per_interval[i].*f.field == none.per_interval[i].*f.field);
      }
      for (const TimeField& f : kTimeFields) {
        INFO("interval " << i << " " << f.name);
        CHECK(SumNear(w.per_interval[i].*f.field, none.per_interval[i].*f.field));
      }
    }
    // The interval the warm-up ends in: only the contacts arriving from warmup_s on.
    const size_t cut = static_cast<size_t>(warmup / s.interval_s);
    if (static_cast<double>(cut) * s.interval_s < warmup) {
      CHECK(w.per_interval[cut].offered < none.per_interval[cut].offered);
      CHECK(w.per_interval[cut].offered > 0);
      later.Add(w.per_interval[cut]);
    }
    CHECK(w.overall.offered == later.offered);
    CHECK(SumNear(w.overall.busy_agent_s, later.busy_agent_s));
    CHECK(SumNear(w.overall.staffed_agent_s, later.staffed_agent_s));
  }
}

namespace {

// The number after `"key":` (or `"key":{"mean":`) at or after `from`; NaN when absent.
double JsonNumber(const std::string& json, size_t from, const std::string& key, bool mean) {
  const std::string needle = "\"" + key + "\":" + (mean ? "{\"mean\":" : "");
  const size_t at = json.find(needle, from);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(json.c_str() + at + needle.size(), nullptr);
}

std::vector<double> PerReplication(const sim::StrategyResult& s,
                                   const std::function<sim::KpiCounters(const sim::RunResult&)>& of,
                                   double sim::Kpis::*field) {
  std::vector<double> v;
  for (const sim::RunResult& r : s.replications) v.push_back(sim::ComputeKpis(of(r)).*field);
  return v;
}

void CheckEstimate(const sim::KpiEstimate& e, const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  CHECK(e.n == static_cast<int>(values.size()));
  CHECK(e.mean == Approx(sum / static_cast<double>(values.size())).margin(1e-12));
  auto ci = sb::MeanConfidenceInterval(values);
  REQUIRE(ci.ok());
  CHECK(e.half_width == Approx(ci->half_width).margin(1e-12));
}

}  // namespace

TEST_CASE("an experiment: replication seeds, estimates, paired differences and JSON") {
  const sim::Scenario s = MixedCenter();  // seed 2024, 3 replications, two strategies
  sim::ExperimentOptions options;         // all defaults: the scenario's
  auto e = sim::RunExperiment(s, options);
  INFO(e.status().message());
  REQUIRE(e.ok());
  CHECK(e->seed == s.seed);
  CHECK(e->replications == s.replications);
  CHECK(e->interval_s == s.interval_s);
  REQUIRE(e->strategies.size() == s.strategies.size());
  const std::string json = sim::ExperimentToJson(*e);
  for (size_t k = 0; k < e->strategies.size(); ++k) {
    const sim::StrategyResult& st = e->strategies[k];
    INFO("strategy " << st.strategy);
    CHECK(st.strategy == s.strategies[k]);
    REQUIRE(static_cast<int>(st.replications.size()) == s.replications);
    // Replication r runs with DeriveSeed(seed, kReplication, r), as RunScenario would.
    for (int r = 0; r < s.replications; ++r) {
      const std::uint64_t seed =
          sim::DeriveSeed(s.seed, sim::StreamId::kReplication, static_cast<std::uint64_t>(r));
      INFO("replication " << r << ", seed " << seed);
      CHECK(st.replications[r].seed == seed);
      CHECK(st.replications[r].strategy == st.strategy);
      CheckIdentical(st.replications[r], MustRun(s, {st.strategy, seed, {}}));
    }
    const size_t at = json.find("{\"strategy\":\"" + st.strategy + "\",\"overall\":{");
    REQUIRE(at != std::string::npos);
    const size_t queues_at = json.find("\"queues\":{", at);
    const size_t intervals_at = json.find("\"intervals\":[", at);
    REQUIRE(queues_at != std::string::npos);
    REQUIRE(intervals_at != std::string::npos);
    for (const sim::KpiField& f : sim::kKpiFields) {
      INFO("KPI " << f.key);
      const std::string key(f.key);
      const std::vector<double> overall = PerReplication(
          st, [](const sim::RunResult& r) { return r.overall; }, f.value);
      const sim::KpiEstimate est = st.Estimate(f.value);
      CheckEstimate(est, overall);
      CHECK(JsonNumber(json, at, key, true) == Approx(est.mean).margin(1e-9));
      for (size_t q = 0; q < s.queues.size(); ++q) {
        INFO("queue " << q);
        const sim::KpiEstimate eq = st.EstimateQueue(q, f.value);
        CheckEstimate(eq,
                      PerReplication(
                          st, [q](const sim::RunResult& r) { return r.per_queue[q]; }, f.value));
        const size_t qat = json.find("\"" + s.queues[q].id.value() + "\":{", queues_at);
        REQUIRE(qat != std::string::npos);
        CHECK(JsonNumber(json, qat, key, true) == Approx(eq.mean).margin(1e-9));
      }
      size_t iat = intervals_at;
      for (int i = 0; i < s.IntervalCount(); ++i) {
        INFO("interval " << i);
        const sim::KpiEstimate ei = st.EstimateInterval(static_cast<size_t>(i), f.value);
        CheckEstimate(ei,
                      PerReplication(
                          st, [i](const sim::RunResult& r) { return r.per_interval[i]; }, f.value));
        iat = json.find("{\"start_s\":", iat + 1);
        REQUIRE(iat != std::string::npos);
        CHECK(JsonNumber(json, iat, "start_s", false) == Approx(i * s.interval_s));
        CHECK(JsonNumber(json, iat, key, false) == Approx(ei.mean).margin(1e-9));
      }
      // Paired differences against the first strategy: replication by replication.
      const std::vector<double> base = PerReplication(
          e->strategies[0], [](const sim::RunResult& r) { return r.overall; }, f.value);
      std::vector<double> diff;
      for (size_t r = 0; r < base.size(); ++r) diff.push_back(overall[r] - base[r]);
      CheckEstimate(sim::EstimateDifference(st, e->strategies[0], f.value), diff);
    }
  }
  // One replication: no interval.
  sim::ExperimentOptions one;
  one.strategies = {"round-robin"};
  one.replications = 1;
  one.seed = 5;
  auto single = sim::RunExperiment(s, one);
  REQUIRE(single.ok());
  CHECK(single->seed == 5u);
  const sim::KpiEstimate sl = single->strategies[0].Estimate(&sim::Kpis::service_level);
  CHECK(sl.n == 1);
  CHECK(sl.half_width == 0);
  CHECK(sl.mean == sim::ComputeKpis(single->strategies[0].replications[0].overall).service_level);
}

namespace {

sim::TraceRecord Record(double arrival_s, const char* type, double service_s,
                        double patience_s = kInf) {
  sim::TraceRecord r;
  r.arrival_s = arrival_s;
  r.type = type;
  r.service_s = service_s;
  r.patience_s = patience_s;
  return r;
}

// One voice queue "q" (20 s target), one agent, contact type "c" (60 s), replayed records.
Model OneAgent(std::vector<sim::TraceRecord> records) {
  Model m;
  m.duration_s = 3600;
  m.interval_s = 1800;
  m.queues = {Queue("q", sb::Channel::kVoice, 20, 0)};
  m.groups = {Group("a", 1, 0)};
  m.types = {Type("c", 0)};
  m.records = std::move(records);
  return m;
}

}  // namespace

TEST_CASE("hand-computed timelines: missed offers, a rescinded offer") {
  SECTION("two offers ring out: the agent goes away, both callers hang up") {
    // The agent lets every offer expire after 10 s; after the router's 2 misses it is away for
    // 30 s. A (0 s) rings 0..10, B (5 s) rings 10..20; neither is offered to that agent again.
    sim::Scenario s = ToScenario(OneAgent({Record(0, "c", 10, 100), Record(5, "c", 10, 100)}));
    s.agent_groups[0].miss_probability = 1;
    s.agent_groups[0].no_answer_away_s = 30;
    s.queues[0].offer_timeout = absl::Seconds(10);
    const sim::RunResult r = MustRun(s, {"linear", 1, {}});
    CHECK(r.overall.offered == 2);
    CHECK(r.overall.offers == 2);
    CHECK(r.overall.missed == 2);
    CHECK(r.overall.answered == 0);
    CHECK(r.overall.abandoned == 2);
    CHECK(r.overall.wait_abandoned_s == Approx(200));
    CHECK(r.overall.queue_length_s == Approx(200));  // ringing is waiting for an answer
    CHECK(r.overall.busy_agent_s == 0);
    CHECK(r.overall.staffed_agent_s == Approx(3600));  // away is not off shift
    CHECK(sim::ComputeKpis(r.overall).avg_abandon_wait_s == Approx(100));
  }
  SECTION("a shift ends while the offer rings: another agent takes the contact") {
    // "a" answers after 5 s and goes off at 102; "b" comes on at 103 and answers at once.
    Model m = OneAgent({Record(100, "c", 10)});
    m.groups[0].answer_delay_s = 5;
    m.groups[0].shifts = {{0, 102}};
    m.groups.push_back(Group("b", 1, 0));
    m.groups[1].shifts = {{103, 3600}};
    const sim::RunResult r = MustRun(ToScenario(m), {"linear", 1, {}});
    CHECK(r.overall.offers == 2);
    CHECK(r.overall.answered == 1);
    CHECK(r.overall.wait_answered_s == Approx(3));
    CHECK(r.overall.handle_s == Approx(10));
    CHECK(r.overall.staffed_agent_s == Approx(102 + 3600 - 103));
    CHECK(CompareRun(m, 1, "linear").rescinded == 1);
  }
}

// Bugs the host model found (each failed before the fix that names it in docs/harness.md).
TEST_CASE("a transfer into a full queue: the agent keeps the contact and completes it") {
  // Two support agents busy with 100 s calls, one caller waiting there (max_waiting 1); a sales
  // call is transferred to support at 2 + 10 = 12 s, when support is full. The router refuses
  // TransferToQueue with ResourceExhausted; the run used to fail with INTERNAL there.
  Model m = OneAgent(
      {Record(0, "help", 0), Record(1, "help", 0), Record(1.5, "help", 0), Record(2, "sale", 0)});
  m.queues.push_back(Queue("support", sb::Channel::kVoice, 30, 0));
  m.queues[1].max_waiting = 1;
  m.groups.push_back(Group("s", 2, 1));
  m.types = {Type("sale", 0), Type("help", 1)};
  m.types[0].transfer_queue = 1;
  m.types[0].service_s = 10;
  m.types[1].service_s = 100;
  m.trace_service = false;
  const sim::Scenario s = ToScenario(m);
  REQUIRE(s.Validate().ok());
  {
    auto r = sim::RunScenario(s, {"linear", 1, {}});
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(r->overall.transfers == 0);
    CHECK(r->overall.completed == 4);
    CHECK(r->overall.rejected == 0);
    CHECK(r->overall.handle_s == Approx(10 + 3 * 100));  // the sales call's 10 s, no second leg
  }

  // The same in the shipped blended center with max_waiting 3 on voice_support (failed at 4703 s).
  auto blended = sim::LoadScenarioFile(std::string(SWITCHBOARD_SOURCE_DIR) +
                                       "/benchmarks/scenarios/blended.textproto");
  REQUIRE(blended.ok());
  for (sb::Queue& q : blended->queues) {
    if (q.id.value() == "voice_support") q.max_waiting = 3;
  }
  REQUIRE(blended->Validate().ok());
  const std::uint64_t seed = 1;
  INFO("seed " << seed);
  auto b = sim::RunScenario(*blended, {"longest-idle", seed, {}});
  INFO(b.status().message());
  CHECK(b.ok());
}

TEST_CASE("Validate refuses the transfers the router would refuse mid-run") {
  // Validate() used to check only that transfer_queue exists; these runs then failed at the
  // first transfer.
  SECTION("transfer to the contact's own queue") {
    Model m = OneAgent({Record(10, "c", 0)});
    m.types[0].transfer_queue = 0;
    m.trace_service = false;
    const absl::Status valid = ToScenario(m).Validate();
    CHECK(valid.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(valid.message()), Catch::Contains("is the type's own queue"));
  }
  SECTION("transfer to a queue that does not serve the contact's channel") {
    Model m = OneAgent({Record(10, "c", 0)});
    m.queues[0].channel = sb::Channel::kChat;
    m.groups[0].max_concurrent = 3;
    m.groups[0].cost_units = 33;
    m.queues.push_back(Queue("voice", sb::Channel::kVoice, 20, 0));
    m.groups.push_back(Group("v", 1, 1));
    m.types[0].transfer_queue = 1;
    m.trace_service = false;
    const absl::Status valid = ToScenario(m).Validate();
    CHECK(valid.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(valid.message()), Catch::Contains("does not serve the type's channel"));
  }
}

TEST_CASE("journeys on: a returning customer's contact gets the repeat priority") {
  // harness.md: with journeys the snapshot becomes routing input through
  // ApplySnapshotToContact() ("a repeat gets priority"; journeys.md: +50). One agent. A (0 s,
  // 50 s, unresolved) returns as R at 60 s; C (20 s, 100 s) is served 50..150; B (55 s, 100 s)
  // and R both wait then. R, a repeat, goes first: served 150..200 (wait 90), then B 200..300
  // (wait 145). Waits 0 + 30 + 90 + 145 = 265 s; in arrival order they would be 0 + 30 + 95 +
  // 190 = 315 s.
  Model m = OneAgent({Record(0, "stuck", 0), Record(20, "fixed", 0), Record(55, "fixed", 0)});
  m.types = {Type("fixed", 0), Type("stuck", 0)};
  m.types[0].service_s = 100;
  m.types[1].service_s = 50;
  m.types[1].resolves = false;
  m.trace_service = false;
  m.returns = true;
  m.max_attempts = 2;
  m.return_delay_s = 10;
  m.journeys = true;
  const sim::RunResult r = MustRun(ToScenario(m), {"linear", 1, {}});
  CHECK(r.journeys);
  CHECK(r.overall.repeat_contacts == 1);
  CHECK(r.overall.answered == 4);
  // It was 315 s while the simulated contact carried no intent (its touchpoints record the type
  // name as intent), so SnapshotFor() could not mark it repeat_contact.
  CHECK(r.overall.wait_answered_s == Approx(265));
  CHECK(Oracle(m).Run().overall.wait_answered_s == Approx(265));  // the host's replay agrees
}

TEST_CASE("contacts every agent declines stay open, offered, and are counted as unfinished") {
  Model m = OneAgent({Record(10, "c", 0), Record(20, "c", 0), Record(30, "c", 0)});
  m.groups[0].declines = true;
  m.trace_service = false;
  const sim::RunResult r = MustRun(ToScenario(m), {"linear", 1, {}});
  CHECK(r.overall.offered == 3);
  CHECK(r.overall.answered + r.overall.abandoned + r.overall.rejected == 0);
  CHECK(r.overall.declined == 3);
  CHECK(r.contacts_unfinished == 3);
  CHECK(r.simulated_s <= m.duration_s + sim::kDrainLimitS);
}

TEST_CASE("at most kMaxDeclinesRemembered agents of a queue may decline every offer") {
  // Past the router's memory of declines a contact would be offered around them forever at one
  // instant: Validate refuses the scenario rather than let the run hang.
  const int limit = static_cast<int>(sb::kMaxDeclinesRemembered);
  Model m = OneAgent({Record(10, "c", 0), Record(20, "c", 0)});
  m.groups = {Group("decliners", limit - 4, 0), Group("more", 4, 0)};
  m.groups[0].declines = true;
  m.groups[1].declines = true;
  m.trace_service = false;
  const sim::RunResult r = MustRun(ToScenario(m), {"linear", 1, {}});
  CHECK(r.overall.declined == 2 * limit);  // each contact declined once by each agent
  CHECK(r.contacts_unfinished == 2);
  m.groups[1].count = 5;
  const absl::Status s = ToScenario(m).Validate();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("queues[0] 'q': has 17 agents that decline every offer at once"));
  // With a delay time runs between declines, and the drain limit ends the run.
  m.groups[0].answer_delay_s = 1;
  CHECK(ToScenario(m).Validate().ok());
}
