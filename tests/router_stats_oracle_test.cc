// An independent oracle for the router's live statistics (routing_stats.h, docs/routing.md
// "Live statistics"). It sees only what a host sees: the calls it made and their statuses, the
// RoutingEvents the listener received (in order, with their times) and the ManualClock. From
// those it keeps its own model of contacts, offers, agents and queues and computes every field
// of QueueStats and AgentStats; after every step of a random operation sequence (fixed seeds)
// each field of every queue and agent must equal the router's.
//
// Calls are made only when no timer work is due (a Tick follows each clock advance), except the
// "late" calls that follow an advance directly: those run the due work first, and are limited
// to calls whose whole effect reaches the host as events, so the oracle needs no guess about
// where the call's own change falls among the timers' events. After an advance and before any
// call, a query describes the router at min(now, NextDeadline()): the oracle checks that too.
// Some runs let the clock step back, use a whole-second clock, a day zone away from UTC, or a
// listener that accepts offers from inside OnEvent.
//
// To debug a failure: STATS_SEED=<seed> runs that sequence alone, STATS_TRACE=1 prints every
// call, its status and its events (and the router's dump at a mismatch), STATS_SEQUENCES=<n>
// runs more sequences than the default 300.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;
using sb::RoutingEventType;

namespace {

// ---- Printing --------------------------------------------------------------------------------

std::string Str(absl::Duration d) { return absl::FormatDuration(d); }
std::string Str(absl::Time t) { return absl::FormatTime("%H:%M:%E3S", t, absl::UTCTimeZone()); }
std::string Str(const sb::AgentStatus& s) {
  return std::string(sb::AgentStateName(s.state)) +
         (s.away_reason.empty() ? "" : "(" + s.away_reason + ")");
}
std::string Str(const sb::AgentStateCounts& c) {
  std::ostringstream os;
  os << "off=" << c.offline << " avail=" << c.available << " away=" << c.away << " busy=" << c.busy
     << " wrap=" << c.wrap_up;
  return os.str();
}
std::string Str(const std::optional<double>& v) {
  return v ? std::to_string(*v) : std::string("nullopt");
}
template <typename T>
std::string Str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Collects the fields that differ, each as "name: expected E, actual A".
class Diff {
 public:
  template <typename T>
  void Field(const std::string& name, const T& expected, const T& actual) {
    if (!(expected == actual)) Add(name, Str(expected), Str(actual));
  }
  void Near(const std::string& name, double expected, double actual) {
    if (std::abs(expected - actual) > 1e-9) Add(name, Str(expected), Str(actual));
  }
  void NearOptional(const std::string& name, std::optional<double> expected,
                    std::optional<double> actual) {
    if (expected.has_value() != actual.has_value() ||
        (expected && std::abs(*expected - *actual) > 1e-9)) {
      Add(name, Str(expected), Str(actual));
    }
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  void Add(const std::string& name, const std::string& e, const std::string& a) {
    lines_.push_back(name + ": expected " + e + ", actual " + a);
  }
  std::vector<std::string> lines_;
};

// The day a time falls in, in a zone `offset` seconds east of UTC (RouterOptions::day_zone is a
// fixed-offset zone here), and when the next one starts.
std::int64_t DayOf(absl::Time t, int offset) {
  const std::int64_t s = absl::ToUnixSeconds(t) + offset;
  return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}
absl::Time NextMidnight(absl::Time t, int offset) {
  return absl::FromUnixSeconds((DayOf(t, offset) + 1) * 86400 - offset);
}

// ---- The oracle --------------------------------------------------------------------------------

class StatsOracle {
 public:
  StatsOracle(int max_missed_offers, int zone_offset)
      : max_missed_offers_(max_missed_offers), zone_offset_(zone_offset) {}

  // Configuration, applied when the call that made it returned OK.
  void AddQueue(const sb::Queue& q) { queues_[Key(q.id)] = QueueModel{q, {}}; }
  void UpdateQueue(const sb::Queue& q) { queues_[Key(q.id)].config = q; }
  void RemoveQueue(const sb::QueueId& q) { queues_.erase(Key(q)); }
  void AddAgent(const sb::Agent& a, absl::Time now) {
    AgentModel m;
    m.config = WithDefaultCapacities(a);
    m.presence = a.status;
    m.since = now;
    m.day = DayOf(now, zone_offset_);
    m.idle_since = now;
    agents_[Key(a.id)] = std::move(m);
  }
  // UpdateAgent keeps presence, contacts and counters; only the configuration changes.
  void UpdateAgent(const sb::Agent& a) { agents_[Key(a.id)].config = WithDefaultCapacities(a); }
  void RemoveAgent(const sb::AgentId& a) { agents_.erase(Key(a)); }
  void SetPresence(const sb::AgentId& id, AgentState state, const std::string& reason,
                   absl::Time now) {
    AgentModel& a = agents_.at(Key(id));
    const bool was_available = a.presence.state == AgentState::kAvailable;
    a.presence = {state, state == AgentState::kAway ? reason : std::string()};
    if (state == AgentState::kAvailable) {
      a.consecutive_missed = 0;  // "even when it already is"
      if (!was_available) a.idle_since = now;
    }
  }
  // Enqueue's contact, made a model contact by the kQueued event that confirms it.
  void WillEnqueue(const sb::Contact& c, absl::Time now) {
    pending_ = c;
    pending_.arrived_at = std::min(c.arrived_at, now);  // capped at the time of Enqueue
  }

  // Applies one event; returns what in it contradicts the model (empty when consistent).
  std::vector<std::string> OnEvent(const sb::RoutingEvent& e) {
    problems_.clear();
    if (e.at < last_event_at_) Problem("event time went back from " + Str(last_event_at_));
    last_event_at_ = std::max(last_event_at_, e.at);
    AdvanceTo(e.at);
    switch (e.type) {
      case RoutingEventType::kQueued:
        OnQueued(e);
        break;
      case RoutingEventType::kOffered:
        OnOffered(e);
        break;
      case RoutingEventType::kAccepted:
        OnAccepted(e);
        break;
      case RoutingEventType::kDeclined:
        OnOfferEnded(e, OfferEnd::kDeclined);
        break;
      case RoutingEventType::kExpired:
        OnOfferEnded(e, OfferEnd::kExpired);
        break;
      case RoutingEventType::kRescinded:
        OnOfferEnded(e, OfferEnd::kRescinded);
        break;
      case RoutingEventType::kCompleted:
        OnCompleted(e);
        break;
      case RoutingEventType::kWrapUpEnded:
        OnWrapUpEnded(e);
        break;
      case RoutingEventType::kAbandoned:
        OnAbandoned(e);
        break;
      case RoutingEventType::kTransferred:
        OnTransferred(e);
        break;
      case RoutingEventType::kAgentStateChanged:
        OnAgentStateChanged(e);
        break;
    }
    return problems_;
  }

  // Time passes up to `t` (every call runs the work due by then, the midnight reset included).
  void AdvanceTo(absl::Time t) {
    for (auto& [id, a] : agents_) {
      Accumulate(a, t, &a.busy, &a.available);
      a.since = std::max(a.since, t);
      if (DayOf(t, zone_offset_) > a.day) {  // the daily counters restart at midnight
        a.day = DayOf(t, zone_offset_);
        a.handled_today = 0;
        a.talk_today = absl::ZeroDuration();
      }
    }
  }

  // The earliest timer the host knows of: an offer expiry, a wrap-up end, the next midnight.
  absl::Time KnownDeadline(absl::Time now) const {
    absl::Time t = NextMidnight(now, zone_offset_);
    for (const auto& [id, o] : offers_) {
      if (o.live) t = std::min(t, o.expires_at);
    }
    for (const auto& [id, c] : contacts_) {
      if (c.state == CState::kWrapUp) t = std::min(t, c.wrap_up_end);
    }
    return t;
  }

  sb::QueueStats QueueStatsAt(const std::string& id, absl::Time instant) const {
    const QueueModel& q = queues_.at(id);
    sb::QueueStats s = q.counts;
    s.queue = q.config.id;
    for (const auto& [cid, c] : contacts_) {
      if (Key(c.queue) != id) continue;
      if (c.state == CState::kWaiting) {
        ++s.waiting;
        s.longest_wait = std::max(s.longest_wait, instant - c.arrived_at);
      }
      if (c.state == CState::kOffered) ++s.offered_now;
      if (c.state == CState::kInProgress) ++s.in_progress;
    }
    for (const auto& [aid, a] : agents_) {
      const bool member =
          std::any_of(a.config.queues.begin(), a.config.queues.end(),
                      [&](const sb::QueueMembership& m) { return Key(m.queue) == id; });
      if (member) CountState(Reported(a).state, &s.agents);
    }
    const std::int64_t denominator = s.answered + s.abandoned - s.short_abandoned;
    if (denominator > 0) {
      s.service_level =
          static_cast<double>(s.answered_within_threshold) / static_cast<double>(denominator);
    }
    if (s.answered > 0) s.average_speed_of_answer = s.total_answer_wait / s.answered;
    if (s.completed > 0) s.average_handle_time = s.total_handle_time / s.completed;
    return s;
  }

  sb::AgentStats AgentStatsAt(const std::string& id, absl::Time instant) const {
    const AgentModel& a = agents_.at(id);
    sb::AgentStats s;
    s.agent = a.config.id;
    s.status = Reported(a);
    s.contacts_held = static_cast<int>(a.held.size());
    for (const auto& cid : a.held) s.used_units += CostOf(a, contacts_.at(cid).channel);
    s.capacity_units = a.config.capacity_units;
    s.contacts_handled = a.handled;
    s.handled_today = a.handled_today;
    s.talk_time_today = a.talk_today;
    s.busy_time = a.busy;
    s.available_time = a.available;
    Accumulate(a, instant, &s.busy_time, &s.available_time);
    const absl::Duration both = s.busy_time + s.available_time;
    if (both > absl::ZeroDuration()) s.occupancy = absl::FDivDuration(s.busy_time, both);
    s.consecutive_missed_offers = a.consecutive_missed;
    s.offers_missed = a.missed;
    s.offers_declined = a.declined;
    s.idle_since = a.idle_since;
    return s;
  }

  std::vector<std::string> QueueIds() const { return KeysOf(queues_); }
  std::vector<std::string> AgentIds() const { return KeysOf(agents_); }
  // Live offers, for the generator (a host knows them from kOffered).
  std::vector<sb::Offer> LiveOffers() const {
    std::vector<sb::Offer> out;
    for (const auto& [id, o] : offers_) {
      if (o.live) out.push_back(o.offer);
    }
    return out;
  }
  std::vector<std::string> ContactIds() const { return KeysOf(contacts_); }

 private:
  enum class CState { kWaiting, kOffered, kInProgress, kWrapUp };
  enum class OfferEnd { kDeclined, kExpired, kRescinded };

  struct ContactModel {
    sb::QueueId queue;
    Channel channel = Channel::kVoice;
    absl::Time arrived_at;
    std::optional<sb::ServiceLevelTarget> own_target;
    CState state = CState::kWaiting;
    sb::AgentId agent;                   // who holds it (offer, in progress, wrap-up)
    std::optional<std::uint64_t> offer;  // its live offer
    absl::Time accepted_at;
    absl::Time wrap_up_end;
    bool answered_in_stay = false;  // its wait in the current queue has ended with an answer
  };
  struct OfferModel {
    sb::Offer offer;
    absl::Time expires_at;
    bool live = true;
  };
  struct AgentModel {
    sb::Agent config;
    sb::AgentStatus presence;
    std::vector<std::string> held;  // contact ids: offered, in progress, wrap-up
    absl::Time since;               // busy/available counted up to here
    absl::Duration busy, available, talk_today;
    std::int64_t day = 0;
    std::int64_t handled = 0, handled_today = 0, missed = 0, declined = 0;
    int consecutive_missed = 0;
    absl::Time idle_since;
  };
  struct QueueModel {
    sb::Queue config;
    sb::QueueStats counts;  // the "since creation" counters only
  };

  template <typename Id>
  static std::string Key(const Id& id) {
    return std::string(id.value());
  }
  template <typename M>
  static std::vector<std::string> KeysOf(const M& m) {
    std::vector<std::string> out;
    for (const auto& [k, v] : m) out.push_back(k);
    return out;
  }

  static sb::Agent WithDefaultCapacities(sb::Agent a) {
    if (a.capacities.empty()) {
      for (Channel c : sb::kAllChannels) a.capacities.push_back(sb::DefaultCapacity(c));
    }
    return a;
  }
  static int CostOf(const AgentModel& a, Channel c) {
    for (const auto& cap : a.config.capacities) {
      if (cap.channel == c) return cap.cost_units;
    }
    return 0;
  }
  static void CountState(AgentState s, sb::AgentStateCounts* c) {
    switch (s) {
      case AgentState::kOffline:
        ++c->offline;
        break;
      case AgentState::kAvailable:
        ++c->available;
        break;
      case AgentState::kAway:
        ++c->away;
        break;
      case AgentState::kBusy:
        ++c->busy;
        break;
      case AgentState::kWrapUp:
        ++c->wrap_up;
        break;
    }
  }

  // Busy with an accepted contact, else in wrap-up with a completed one, else its presence.
  sb::AgentStatus Reported(const AgentModel& a) const {
    bool wrap_up = false;
    for (const auto& cid : a.held) {
      const CState s = contacts_.at(cid).state;
      if (s == CState::kInProgress) return {AgentState::kBusy, ""};
      if (s == CState::kWrapUp) wrap_up = true;
    }
    if (wrap_up) return {AgentState::kWrapUp, ""};
    return a.presence;
  }

  // Adds the time from a.since to t to *busy or *available by the agent's reported state.
  void Accumulate(const AgentModel& a, absl::Time t, absl::Duration* busy,
                  absl::Duration* available) const {
    if (t <= a.since) return;
    const AgentState s = Reported(a).state;
    if (s == AgentState::kBusy || s == AgentState::kWrapUp) *busy += t - a.since;
    if (s == AgentState::kAvailable) *available += t - a.since;
  }

  void Problem(const std::string& p) { problems_.push_back(p); }

  QueueModel* QueueOf(const sb::QueueId& q) {
    auto it = queues_.find(Key(q));
    if (it == queues_.end()) {
      Problem("event names unknown queue " + Key(q));
      return &scratch_queue_;
    }
    return &it->second;
  }
  AgentModel* AgentOf(const sb::AgentId& a) {
    auto it = agents_.find(Key(a));
    if (it == agents_.end()) {
      Problem("event names unknown agent " + Key(a));
      return &scratch_agent_;
    }
    return &it->second;
  }
  ContactModel* ContactOf(const sb::ContactId& c) {
    auto it = contacts_.find(Key(c));
    if (it == contacts_.end()) {
      Problem("event names unknown contact " + Key(c));
      return &scratch_contact_;
    }
    return &it->second;
  }
  absl::Duration Threshold(const ContactModel& c) {
    return c.own_target ? c.own_target->threshold
                        : QueueOf(c.queue)->config.service_level.threshold;
  }

  void Release(AgentModel* a, const std::string& contact, absl::Time at) {
    auto it = std::find(a->held.begin(), a->held.end(), contact);
    if (it == a->held.end()) {
      Problem("agent " + Key(a->config.id) + " releases " + contact + " it does not hold");
      return;
    }
    a->held.erase(it);
    a->idle_since = at;
  }

  // The agent who had the contact in progress lets it go (a transfer away): talk time ends.
  void ReleaseInProgress(ContactModel* c, const std::string& id, absl::Time at) {
    AgentModel* a = AgentOf(c->agent);
    a->talk_today += at - c->accepted_at;
    Release(a, id, at);
    c->state = CState::kWaiting;
    c->agent = sb::AgentId();
  }

  // Ends the contact's live offer without an answer, if it still has one.
  void EndLiveOffer(ContactModel* c, const std::string& id, OfferEnd how, absl::Time at) {
    if (!c->offer) return;
    OfferModel& o = offers_.at(*c->offer);
    o.live = false;
    c->offer.reset();
    c->state = CState::kWaiting;
    c->agent = sb::AgentId();
    AgentModel* a = AgentOf(o.offer.agent);
    Release(a, id, at);
    sb::QueueStats& q = QueueOf(o.offer.queue)->counts;
    switch (how) {
      case OfferEnd::kDeclined:
        ++q.offers_declined;
        ++a->declined;
        a->consecutive_missed = 0;
        break;
      case OfferEnd::kExpired:
        ++q.offers_expired;
        ++a->missed;
        ++a->consecutive_missed;
        if (max_missed_offers_ > 0 && a->consecutive_missed >= max_missed_offers_ &&
            a->presence.state == AgentState::kAvailable) {
          a->presence = {AgentState::kAway, "no answer"};
          a->consecutive_missed = 0;
        }
        break;
      case OfferEnd::kRescinded:
        ++q.offers_rescinded;
        break;
    }
  }

  void OnQueued(const sb::RoutingEvent& e) {
    const std::string id = Key(e.contact);
    auto it = contacts_.find(id);
    if (it == contacts_.end()) {
      if (pending_.id != e.contact) Problem("kQueued for a contact never enqueued");
      ContactModel c;
      c.queue = e.queue;
      c.channel = pending_.channel;
      c.arrived_at = pending_.arrived_at;
      c.own_target = pending_.service_level;
      contacts_[id] = c;
    } else if (it->second.queue != e.queue) {
      Problem("kQueued in " + Key(e.queue) + " but the transfer went to " + Key(it->second.queue));
    }
    ++QueueOf(e.queue)->counts.entered;
  }

  void OnOffered(const sb::RoutingEvent& e) {
    const sb::Offer& o = *e.offer;
    const std::string id = Key(o.contact);
    ContactModel* c = ContactOf(o.contact);
    if (c->state == CState::kInProgress) ReleaseInProgress(c, id, e.at);  // a warm transfer
    if (c->offer) Problem("offered while its offer " + Str(*c->offer) + " is live");
    if (o.queue != c->queue)
      Problem("offer from " + Key(o.queue) + ", contact in " + Key(c->queue));
    offers_[o.id.value] = OfferModel{o, o.expires_at, true};
    c->state = CState::kOffered;
    c->agent = o.agent;
    c->offer = o.id.value;
    ++QueueOf(o.queue)->counts.offers_made;
    AgentModel* a = AgentOf(o.agent);
    a->held.push_back(id);
    a->idle_since = e.at;
  }

  void OnAccepted(const sb::RoutingEvent& e) {
    const sb::Offer& o = *e.offer;
    ContactModel* c = ContactOf(o.contact);
    if (!c->offer || *c->offer != o.id.value) {
      Problem("accepted an offer that is not live");
      return;
    }
    offers_.at(o.id.value).live = false;
    c->offer.reset();
    c->state = CState::kInProgress;
    c->accepted_at = e.at;
    AgentOf(o.agent)->consecutive_missed = 0;
    if (c->answered_in_stay) return;  // answered again after a TransferToAgent
    c->answered_in_stay = true;
    sb::QueueStats& q = QueueOf(c->queue)->counts;
    const absl::Duration wait = e.at - c->arrived_at;
    ++q.answered;
    q.total_answer_wait += wait;
    if (wait <= Threshold(*c)) ++q.answered_within_threshold;
  }

  void OnOfferEnded(const sb::RoutingEvent& e, OfferEnd how) {
    const sb::Offer& o = *e.offer;
    ContactModel* c = ContactOf(o.contact);
    if (!c->offer || *c->offer != o.id.value) {
      Problem("offer " + Str(o.id) + " ended twice or was never live");
      return;
    }
    EndLiveOffer(c, Key(o.contact), how, e.at);
  }

  void OnCompleted(const sb::RoutingEvent& e) {
    ContactModel* c = ContactOf(e.contact);
    if (c->state != CState::kInProgress) Problem("completed while not in progress");
    QueueModel* q = QueueOf(c->queue);
    ++q->counts.completed;
    q->counts.total_handle_time += e.at - c->accepted_at + q->config.wrap_up;
    AgentModel* a = AgentOf(c->agent);
    ++a->handled;
    ++a->handled_today;
    a->talk_today += e.at - c->accepted_at;
    c->state = CState::kWrapUp;
    c->wrap_up_end = e.at + q->config.wrap_up;
  }

  void OnWrapUpEnded(const sb::RoutingEvent& e) {
    const std::string id = Key(e.contact);
    ContactModel* c = ContactOf(e.contact);
    if (c->state != CState::kWrapUp) Problem("wrap-up ended while not in wrap-up");
    if (e.at != c->wrap_up_end)
      Problem("wrap-up ended at " + Str(e.at) + ", due " + Str(c->wrap_up_end));
    Release(AgentOf(c->agent), id, e.at);
    contacts_.erase(id);
  }

  void OnAbandoned(const sb::RoutingEvent& e) {
    const std::string id = Key(e.contact);
    ContactModel* c = ContactOf(e.contact);
    EndLiveOffer(c, id, OfferEnd::kRescinded, e.at);
    if (!c->answered_in_stay) {  // its wait ends here, unanswered
      sb::QueueStats& q = QueueOf(c->queue)->counts;
      ++q.abandoned;
      if (e.at - c->arrived_at <= Threshold(*c)) ++q.short_abandoned;
    }
    contacts_.erase(id);
  }

  void OnTransferred(const sb::RoutingEvent& e) {
    const std::string id = Key(e.contact);
    ContactModel* c = ContactOf(e.contact);
    if (e.queue != c->queue)
      Problem("transfer from " + Key(e.queue) + ", contact in " + Key(c->queue));
    EndLiveOffer(c, id, OfferEnd::kRescinded, e.at);
    if (c->state == CState::kInProgress) ReleaseInProgress(c, id, e.at);
    if (!e.to_queue.empty()) {
      ++QueueOf(c->queue)->counts.transferred_out;
      c->queue = e.to_queue;
      c->answered_in_stay = false;  // a new stay
    }
  }

  void OnAgentStateChanged(const sb::RoutingEvent& e) {
    const sb::AgentStatus expected = Reported(*AgentOf(e.agent));
    if (!(e.agent_status == expected)) {
      Problem("kAgentStateChanged to " + Str(e.agent_status) + ", model says " + Str(expected));
    }
  }

  const int max_missed_offers_;
  const int zone_offset_;
  std::map<std::string, QueueModel> queues_;
  std::map<std::string, AgentModel> agents_;
  std::map<std::string, ContactModel> contacts_;
  std::map<std::uint64_t, OfferModel> offers_;
  sb::Contact pending_;
  absl::Time last_event_at_ = absl::InfinitePast();
  std::vector<std::string> problems_;
  // Stand-ins when an event names what the model does not know (a problem is reported).
  QueueModel scratch_queue_;
  AgentModel scratch_agent_;
  ContactModel scratch_contact_;
};

// ---- Comparison ------------------------------------------------------------------------------

std::vector<std::string> CompareQueue(const sb::QueueStats& e, const sb::QueueStats& a) {
  Diff d;
  d.Field("waiting", e.waiting, a.waiting);
  d.Field("offered_now", e.offered_now, a.offered_now);
  d.Field("in_progress", e.in_progress, a.in_progress);
  d.Field("longest_wait", e.longest_wait, a.longest_wait);
  d.Field("agents", e.agents, a.agents);
  d.Field("entered", e.entered, a.entered);
  d.Field("answered", e.answered, a.answered);
  d.Field("answered_within_threshold", e.answered_within_threshold, a.answered_within_threshold);
  d.Field("abandoned", e.abandoned, a.abandoned);
  d.Field("short_abandoned", e.short_abandoned, a.short_abandoned);
  d.Field("transferred_out", e.transferred_out, a.transferred_out);
  d.Field("completed", e.completed, a.completed);
  d.Field("offers_made", e.offers_made, a.offers_made);
  d.Field("offers_declined", e.offers_declined, a.offers_declined);
  d.Field("offers_expired", e.offers_expired, a.offers_expired);
  d.Field("offers_rescinded", e.offers_rescinded, a.offers_rescinded);
  d.NearOptional("service_level", e.service_level, a.service_level);
  d.Field("average_speed_of_answer", e.average_speed_of_answer, a.average_speed_of_answer);
  d.Field("average_handle_time", e.average_handle_time, a.average_handle_time);
  d.Field("total_answer_wait", e.total_answer_wait, a.total_answer_wait);
  d.Field("total_handle_time", e.total_handle_time, a.total_handle_time);
  return d.lines();
}

std::vector<std::string> CompareAgent(const sb::AgentStats& e, const sb::AgentStats& a) {
  Diff d;
  d.Field("status", e.status, a.status);
  d.Field("contacts_held", e.contacts_held, a.contacts_held);
  d.Field("used_units", e.used_units, a.used_units);
  d.Field("capacity_units", e.capacity_units, a.capacity_units);
  d.Field("contacts_handled", e.contacts_handled, a.contacts_handled);
  d.Field("handled_today", e.handled_today, a.handled_today);
  d.Field("talk_time_today", e.talk_time_today, a.talk_time_today);
  d.Field("busy_time", e.busy_time, a.busy_time);
  d.Field("available_time", e.available_time, a.available_time);
  d.Near("occupancy", e.occupancy, a.occupancy);
  d.Field("consecutive_missed_offers", e.consecutive_missed_offers, a.consecutive_missed_offers);
  d.Field("offers_missed", e.offers_missed, a.offers_missed);
  d.Field("offers_declined", e.offers_declined, a.offers_declined);
  d.Field("idle_since", e.idle_since, a.idle_since);
  return d.lines();
}

// Records every event and, when told to, accepts some offers at once from inside OnEvent (the
// events that Accept causes come after the pending ones: one global order either way).
class AnsweringRecorder : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override {
    events.push_back(e);
    if (router != nullptr && e.type == RoutingEventType::kOffered && (++offered_ % 2) == 0) {
      (void)router->Accept(e.offer->id);  // may be stale already: FailedPrecondition then
    }
  }
  std::vector<sb::RoutingEvent> events;
  sb::Router* router = nullptr;  // set to answer offers

 private:
  int offered_ = 0;
};

// A wall clock's behaviour, by hand: it may step back (an NTP correction), which ManualClock
// never does.
class SteppingClock final : public sb::Clock {
 public:
  explicit SteppingClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

// ---- The random run --------------------------------------------------------------------------

// Drives one router with random operations and checks its statistics against the oracle.
class StatsRun {
 public:
  explicit StatsRun(std::uint64_t seed)
      : rng_(seed),
        zone_offset_(ZoneOffset(seed)),
        clock_(StartTime(seed, zone_offset_)),
        max_missed_(static_cast<int>(seed % 4)),  // 0 (rule off) to 3
        oracle_(max_missed_, zone_offset_) {
    sb::RouterOptions o;
    const std::vector<std::string> strategies = sb::BuiltInAgentSelectionStrategyNames();
    o.strategy = strategies[seed % strategies.size()];
    o.seed = seed;
    o.max_missed_offers = max_missed_;
    o.day_zone = absl::FixedTimeZone(zone_offset_);
    auto made = sb::Router::Create(o, &clock_, &recorder_);
    REQUIRE(made.ok());
    router_ = std::move(*made);
    if (seed % 5 == 4) recorder_.router = router_.get();  // an auto-answering host
    whole_seconds_ = seed % 3 == 0;
    steps_back_ = seed % 4 == 3;  // times tie with thresholds, expiries and midnight
  }

  void Setup() {
    for (int i = 0; i < kQueues; ++i) {
      const sb::Queue q = RandomQueue(i);
      Call(
          "AddQueue " + Key(q.id), [&] { return router_->AddQueue(q); },
          [&] { oracle_.AddQueue(q); });
    }
    for (int i = 0; i < kAgents; ++i) AddAgent(i);
    Compare("setup");
  }

  // One random operation, then every statistic is compared.
  void Step() {
    const int op = Uniform(0, 99);
    if (op < 14) {
      AdvanceAndTick();
    } else if (op < 20) {
      AdvanceThenLateCall();
    } else if (op < 36) {
      ContactOp(Uniform(0, 9));
    } else if (op < 46) {
      ContactOp(Uniform(2, 3));  // answers
    } else if (op < 80) {
      ContactOp(Uniform(1, 9));
    } else if (op < 92) {
      SetState();
    } else {
      ConfigOp();
    }
    Compare(last_op_);
  }

  std::int64_t checks() const { return checks_; }
  std::int64_t offers() const { return offers_; }

 private:
  static constexpr int kQueues = 3;
  static constexpr int kAgents = 6;

  template <typename Id>
  static std::string Key(const Id& id) {
    return std::string(id.value());
  }
  // Half the runs start a few minutes before a UTC midnight, so the daily counters restart.
  // UTC, 5:30 east (India) or 10 hours west (Hawaii).
  static int ZoneOffset(std::uint64_t seed) {
    static constexpr int kOffsets[] = {0, 0, 19'800, -36'000};
    return kOffsets[(seed / 7) % 4];
  }
  static absl::Time StartTime(std::uint64_t seed, int zone_offset) {
    // 2023-11-15 00:00 in the zone.
    const absl::Time midnight = absl::FromUnixSeconds(1'700'006'400 - zone_offset);
    if (seed % 2 == 0) return sbt::Start();
    return midnight - absl::Seconds(static_cast<std::int64_t>(60 + seed % 240));
  }

  int Uniform(int lo, int hi) {  // inclusive; our own mapping, portable across libraries
    return lo + static_cast<int>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  static sb::QueueId QueueName(int i) { return sb::QueueId("q" + std::to_string(i)); }
  static sb::AgentId AgentName(int i) { return sb::AgentId("a" + std::to_string(i)); }

  sb::Queue RandomQueue(int i) {
    static const std::vector<std::vector<Channel>> kChannels = {
        {Channel::kVoice, Channel::kChat},
        {Channel::kChat, Channel::kEmail},
        {Channel::kVoice, Channel::kChat, Channel::kEmail}};
    sb::Queue q = sbt::MakeQueue(QueueName(i).value(), kChannels[static_cast<std::size_t>(i)]);
    if (Uniform(0, 3) == 0) q.required_skills = {{"s0", Uniform(1, 5), true}};
    q.priority = Uniform(1, 3);
    q.max_waiting = Uniform(0, 1) == 0 ? 0 : Uniform(3, 8);
    q.wrap_up = absl::Seconds(Uniform(0, 2) * 5);
    q.offer_timeout = absl::Seconds(Uniform(5, 15));
    q.service_level = {0.8, absl::Seconds(Uniform(1, 4) * 5)};
    q.order = Uniform(0, 4) == 0 ? sb::QueueOrder::kLifo : sb::QueueOrder::kFifo;
    return q;
  }

  sb::Agent RandomAgent(int i) {
    sb::Agent a = sbt::MakeAgent(AgentName(i).value(), {}, static_cast<AgentState>(Uniform(0, 2)));
    if (Uniform(0, 2) > 0) a.skills.push_back({"s0", Uniform(1, 10)});
    if (Uniform(0, 2) == 0) {
      a.capacities = {{Channel::kVoice, 1, 100},
                      {Channel::kChat, Uniform(1, 3), 30},
                      {Channel::kEmail, Uniform(0, 4), 20}};
      a.capacity_units = Uniform(0, 1) == 0 ? 100 : 150;
      a.allow_blending = Uniform(0, 1) == 0;
    }
    for (int q = 0; q < kQueues; ++q) {
      if (Uniform(0, 3) == 0) continue;
      const absl::Duration delay =
          Uniform(0, 4) == 0 ? absl::Seconds(Uniform(1, 3) * 5) : absl::ZeroDuration();
      a.queues.push_back({QueueName(q), Uniform(1, 3), delay});
    }
    return a;
  }

  sb::Contact RandomContact() {
    static const std::vector<Channel> kChannels = {Channel::kVoice, Channel::kChat,
                                                   Channel::kEmail};
    sb::Contact c = sbt::MakeContact("c" + std::to_string(next_contact_++),
                                     kChannels[static_cast<std::size_t>(Uniform(0, 2))],
                                     clock_.Now() - absl::Seconds(Uniform(0, 20)));
    if (Uniform(0, 5) == 0) c.arrived_at = clock_.Now() + absl::Seconds(5);  // capped at now
    if (Uniform(0, 3) == 0) c.required_skills.push_back({"s0", Uniform(1, 8), true});
    if (Uniform(0, 3) == 0) c.preferred_agent = AgentName(Uniform(0, kAgents - 1));
    if (c.preferred_agent && Uniform(0, 1) == 0) {
      c.preferred_agent_wait = absl::Seconds(Uniform(1, 30));
    }
    c.priority = Uniform(0, 3) == 0 ? Uniform(1, 3) : 0;
    if (Uniform(0, 5) == 0) c.service_level = sb::ServiceLevelTarget{0.9, absl::Seconds(10)};
    return c;
  }

  // A contact the router may know: a live one (from the oracle's model) or any id issued.
  sb::ContactId SomeContact() {
    const std::vector<std::string> live = oracle_.ContactIds();
    if (!live.empty() && Uniform(0, 4) > 0) {
      return sb::ContactId(
          live[static_cast<std::size_t>(Uniform(0, static_cast<int>(live.size()) - 1))]);
    }
    return sb::ContactId("c" + std::to_string(Uniform(0, std::max(0, next_contact_))));
  }
  std::optional<sb::Offer> SomeLiveOffer() {
    const std::vector<sb::Offer> live = oracle_.LiveOffers();
    if (live.empty()) return std::nullopt;
    return live[static_cast<std::size_t>(Uniform(0, static_cast<int>(live.size()) - 1))];
  }

  void AdvanceClock() {
    absl::Duration d = absl::Seconds(Uniform(0, 12));
    if (!whole_seconds_) d += absl::Milliseconds(Uniform(0, 999));
    if (Uniform(0, 9) == 0) d += absl::Seconds(Uniform(20, 90));
    // The router keeps the latest time it has seen until the clock passes it again.
    if (steps_back_ && Uniform(0, 3) == 0) d = -absl::Seconds(Uniform(1, 40));
    clock_.Advance(d);
  }

  // The router's time: the latest it has seen (queries never describe a time before the last
  // call, docs/routing.md "Guarantees").
  absl::Time RouterNow() const { return std::max(clock_.Now(), last_call_at_); }

  void AdvanceAndTick() {
    AdvanceClock();
    CheckLateQuery();
    Call(
        "Tick", [&] { return router_->Tick(); }, [] {});
  }

  // An advance with no Tick, then a call that runs the due work before its own.
  void AdvanceThenLateCall() {
    AdvanceClock();
    CheckLateQuery();
    // A call that changes presence or configuration takes effect after the timers' events,
    // which the oracle tells by their earlier times: not with a whole-second clock, where a
    // timer may fall due at the very time of the call.
    const int kind = whole_seconds_ ? 0 : Uniform(0, 4);
    if (kind == 3) {
      SetState();
    } else if (kind == 4) {
      ConfigOp();
    } else {
      ContactOp(Uniform(0, 9));
    }
    last_op_ = "late " + last_op_;
  }

  // Between calls a query describes the router at min(now, NextDeadline()).
  void CheckLateQuery() {
    const absl::Time now = RouterNow();
    // Queried before NextDeadline() drops the moot timers, and again after: the same instant.
    const Snapshot before = Take();
    const std::optional<absl::Time> deadline = router_->NextDeadline();
    const absl::Time known = oracle_.KnownDeadline(last_call_at_);
    INFO("NextDeadline " << (deadline ? Str(*deadline) : "none") << ", oracle's earliest known "
                         << Str(known));
    REQUIRE(deadline.has_value());
    CHECK(*deadline <= known);
    CHECK(*deadline >= last_call_at_);
    work_due_ = *deadline <= now;
    ++checks_;
    const std::string what = "query before the call (clock " + Str(now) + ")";
    CompareAt(std::min(now, *deadline), what + ", before NextDeadline()", &before);
    CompareAt(std::min(now, *deadline), what);
  }

  void ContactOp(int kind) {
    switch (kind) {
      case 0:
      case 1: {
        const sb::Contact c = RandomContact();
        const sb::QueueId q = QueueName(Uniform(0, kQueues - 1));
        oracle_.WillEnqueue(c, RouterNow());
        Call(
            "Enqueue " + Key(c.id) + " " + Key(q), [&] { return router_->Enqueue(c, q); }, [] {});
        break;
      }
      case 2:
      case 3: {
        const std::optional<sb::Offer> o = SomeLiveOffer();
        if (o && Uniform(0, 3) > 0) {
          Call(
              "Accept " + Str(o->id), [&] { return router_->Accept(o->id); }, [] {});
        } else {
          const sb::ContactId c = SomeContact();
          const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
          Call(
              "Accept " + Key(c) + " " + Key(a), [&] { return router_->Accept(c, a); }, [] {});
        }
        break;
      }
      case 4: {
        const std::optional<sb::Offer> o = SomeLiveOffer();
        if (!o) return ContactOp(0);
        if (Uniform(0, 1) == 0) {
          Call(
              "Decline " + Str(o->id), [&] { return router_->Decline(o->id); }, [] {});
        } else {
          Call(
              "Rescind " + Key(o->contact), [&] { return router_->Rescind(o->contact); }, [] {});
        }
        break;
      }
      case 5:
      case 6: {
        const sb::ContactId c = SomeContact();
        Call(
            "Complete " + Key(c), [&] { return router_->Complete(c, "done"); }, [] {});
        break;
      }
      case 7: {
        const sb::ContactId c = SomeContact();
        Call(
            "Abandon " + Key(c), [&] { return router_->Abandon(c); }, [] {});
        break;
      }
      case 8: {
        const sb::ContactId c = SomeContact();
        const sb::QueueId q = QueueName(Uniform(0, kQueues - 1));
        Call(
            "TransferToQueue " + Key(c) + " " + Key(q),
            [&] { return router_->TransferToQueue(c, q, "note"); }, [] {});
        break;
      }
      default: {
        const sb::ContactId c = SomeContact();
        const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
        Call(
            "TransferToAgent " + Key(c) + " " + Key(a),
            [&] { return router_->TransferToAgent(c, a, "note"); }, [] {});
        break;
      }
    }
  }

  void SetState() {
    const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
    AgentState state = static_cast<AgentState>(Uniform(0, 2));
    if (Uniform(0, 1) == 0) state = AgentState::kAvailable;
    const std::string reason = Uniform(0, 1) == 0 ? "break" : "";
    Call(
        "SetAgentState " + Key(a) + " " + std::string(sb::AgentStateName(state)),
        [&] { return router_->SetAgentState(a, state, reason); },
        [&] { oracle_.SetPresence(a, state, reason, RouterNow()); });
  }

  void AddAgent(int i) {
    const sb::Agent a = RandomAgent(i);
    Call(
        "AddAgent " + Key(a.id), [&] { return router_->AddAgent(a); },
        [&] { oracle_.AddAgent(a, RouterNow()); });
  }

  void ConfigOp() {
    const int kind = Uniform(0, 4);
    if (kind == 0) {
      const sb::Agent a = RandomAgent(Uniform(0, kAgents - 1));
      Call(
          "UpdateAgent " + Key(a.id), [&] { return router_->UpdateAgent(a); },
          [&] { oracle_.UpdateAgent(a); });
    } else if (kind == 1) {
      const sb::AgentId a = AgentName(Uniform(0, kAgents - 1));
      Call(
          "RemoveAgent " + Key(a), [&] { return router_->RemoveAgent(a); },
          [&] { oracle_.RemoveAgent(a); });
    } else if (kind == 2) {
      AddAgent(Uniform(0, kAgents - 1));
    } else if (kind == 3) {
      const sb::Queue q = RandomQueue(Uniform(0, kQueues - 1));
      Call(
          "UpdateQueue " + Key(q.id), [&] { return router_->UpdateQueue(q); },
          [&] { oracle_.UpdateQueue(q); });
    } else {
      const sb::QueueId q = QueueName(Uniform(0, kQueues - 1));
      Call(
          "RemoveQueue " + Key(q), [&] { return router_->RemoveQueue(q); },
          [&] { oracle_.RemoveQueue(q); });
      if (last_status_.ok()) {
        const sb::Queue again = RandomQueue(static_cast<int>(q.value()[1] - '0'));
        Call(
            "AddQueue " + Key(again.id), [&] { return router_->AddQueue(again); },
            [&] { oracle_.AddQueue(again); });
      }
    }
  }

  // Makes a call; when it succeeds, `apply` tells the oracle its own change (before the events
  // it caused: no timer work is due when such calls are made). Then the events are applied.
  template <typename F, typename A>
  void Call(const std::string& what, F call, A apply) {
    last_op_ = what;
    const std::size_t first = recorder_.events.size();
    const absl::Time now = RouterNow();
    last_status_ = call();
    if (last_status_.ok()) ++ok_calls_[what.substr(0, what.find(' '))];
    if (std::getenv("STATS_TRACE") != nullptr) {
      std::printf("%s (clock %s) %s -> %s\n", Str(now).c_str(), Str(clock_.Now()).c_str(),
                  what.c_str(), std::string(last_status_.message()).c_str());
      for (std::size_t i = first; i < recorder_.events.size(); ++i) {
        const sb::RoutingEvent& e = recorder_.events[i];
        std::printf("    %s %s %s %s at %s %s\n",
                    std::string(sb::RoutingEventTypeName(e.type)).c_str(),
                    std::string(e.contact.value()).c_str(), std::string(e.agent.value()).c_str(),
                    std::string(e.queue.value()).c_str(), Str(e.at).c_str(),
                    e.type == RoutingEventType::kAgentStateChanged
                        ? (Str(e.previous_status) + "->" + Str(e.agent_status)).c_str()
                        : "");
      }
    }
    bool applied = !last_status_.ok();
    // A failed call that ran no due work does not count as a call: the router's time floor
    // stays where it was (router_impl.h, Impl::Call; docs/routing.md does not say so).
    if (last_status_.ok() || work_due_) last_call_at_ = now;
    work_due_ = false;
    for (std::size_t i = first; i < recorder_.events.size(); ++i) {
      const sb::RoutingEvent& e = recorder_.events[i];
      if (!applied && e.at >= now) {
        oracle_.AdvanceTo(now);  // the time up to the call passed under the old presence
        apply();
        applied = true;
      }
      if (e.type == RoutingEventType::kOffered) ++offers_;
      ++event_counts_[std::string(sb::RoutingEventTypeName(e.type))];
      const std::vector<std::string> problems = oracle_.OnEvent(e);
      INFO(what << " -> " << std::string(last_status_.message()) << "\nevent " << i << " "
                << sb::RoutingEventTypeName(e.type) << " " << e.contact << " " << e.agent << " at "
                << Str(e.at) << ": " << Join(problems));
      CHECK(problems.empty());
      ++checks_;
      if (!problems.empty()) failed_ = true;
    }
    if (!applied) {
      oracle_.AdvanceTo(now);
      apply();
    }
    oracle_.AdvanceTo(last_call_at_);
  }

  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "\n  " + l;
    return out;
  }

  void Compare(const std::string& what) { CompareAt(RouterNow(), what); }

  // Compares every field of every queue's and agent's statistics with the oracle's at `instant`.
  // The router's statistics of every queue and agent the oracle knows, at one moment.
  struct Snapshot {
    std::map<std::string, sb::QueueStats> queues;
    std::map<std::string, sb::AgentStats> agents;
  };
  Snapshot Take() const {
    Snapshot s;
    for (const std::string& id : oracle_.QueueIds()) {
      const auto actual = router_->GetQueueStats(sb::QueueId(id));
      REQUIRE(actual.ok());
      s.queues[id] = *actual;
    }
    for (const std::string& id : oracle_.AgentIds()) {
      const auto actual = router_->GetAgentStats(sb::AgentId(id));
      REQUIRE(actual.ok());
      s.agents[id] = *actual;
    }
    return s;
  }

  void CompareAt(absl::Time instant, const std::string& what, const Snapshot* taken = nullptr) {
    const Snapshot actual = taken != nullptr ? *taken : Take();
    std::string mismatches;
    for (const auto& [id, stats] : actual.queues) {
      for (const auto& l : CompareQueue(oracle_.QueueStatsAt(id, instant), stats)) {
        mismatches += "\n  queue " + id + " " + l;
      }
    }
    for (const auto& [id, stats] : actual.agents) {
      for (const auto& l : CompareAgent(oracle_.AgentStatsAt(id, instant), stats)) {
        mismatches += "\n  agent " + id + " " + l;
      }
    }
    if (!mismatches.empty() && std::getenv("STATS_TRACE") != nullptr) {
      std::printf("MISMATCH %s%s\n%s\n", what.c_str(), mismatches.c_str(),
                  router_->DebugString().c_str());
    }
    INFO("after " << what << " at " << Str(instant) << mismatches);
    CHECK(mismatches.empty());
    ++checks_;
    if (!mismatches.empty()) failed_ = true;
  }

 public:
  bool failed() const { return failed_; }

 private:
  std::mt19937_64 rng_;
  int zone_offset_;  // of RouterOptions::day_zone, in seconds east of UTC
  SteppingClock clock_;
  AnsweringRecorder recorder_;
  int max_missed_;
  StatsOracle oracle_;
  std::unique_ptr<sb::Router> router_;
  int next_contact_ = 0;
  absl::Status last_status_;
  absl::Time last_call_at_ = absl::InfinitePast();
  std::string last_op_;
  std::int64_t checks_ = 0;
  std::int64_t offers_ = 0;
  bool failed_ = false;
  bool whole_seconds_ = false;
  bool steps_back_ = false;
  bool work_due_ = false;  // NextDeadline() had passed when last asked, and no call came since

 public:
  std::map<std::string, std::int64_t> event_counts_;
  std::map<std::string, std::int64_t> ok_calls_;
};

}  // namespace

// Every field of every queue's and agent's statistics equals what the oracle computes from the
// calls, their statuses and the events, after every step of each sequence.
TEST_CASE("random operation sequences: live statistics equal the host-side oracle") {
  constexpr std::uint64_t kFirstSeed = 1;
  const int kSequences =
      std::getenv("STATS_SEQUENCES") != nullptr ? std::atoi(std::getenv("STATS_SEQUENCES")) : 300;
  constexpr int kSteps = 150;
  std::int64_t checks = 0;
  std::int64_t offers = 0;
  std::map<std::string, std::int64_t> events, calls;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSequences; ++seed) {
    if (std::getenv("STATS_SEED") != nullptr &&
        seed != std::strtoull(std::getenv("STATS_SEED"), nullptr, 10)) {
      continue;
    }
    CAPTURE(seed);
    StatsRun run(seed);
    run.Setup();
    for (int step = 0; step < kSteps && !run.failed(); ++step) {
      CAPTURE(step);
      run.Step();
    }
    checks += run.checks();
    for (auto& [k, v] : run.event_counts_) events[k] += v;
    for (auto& [k, v] : run.ok_calls_) calls[k] += v;
    offers += run.offers();
    REQUIRE_FALSE(run.failed());  // stop at the first sequence that fails: its seed is above
  }
  // The sequences must exercise routing, not just bounce off validation.
  CHECK(offers > 10 * kSequences);
  CHECK(calls["Accept"] > 3 * kSequences);
  CHECK(calls["Complete"] > kSequences);
  CHECK(calls["TransferToQueue"] > kSequences / 2);
  CHECK(calls["TransferToAgent"] > kSequences / 4);
  CHECK(events["expired"] > kSequences);
  std::string mix;
  for (const auto& [k, v] : calls) mix += " " + k + "=" + std::to_string(v);
  WARN("stats comparisons " << checks << ", offers " << offers << "; successful calls:" << mix);
}

// docs/routing.md ("Guarantees"): when the clock steps back, running figures step back with it
// until the next call, never to before the time floor: the time of the last call that succeeded
// or ran due work. A call that fails with nothing due has changed nothing, its time included, so
// the figures (and the next call's events) may go back to before it; a successful call holds them.
TEST_CASE("clock stepping back: a failed call leaves the time floor, a successful one raises it") {
  const bool succeeds = GENERATE(false, true);
  INFO((succeeds ? "a successful" : "a failed") << " call at +10s");
  SteppingClock clock(sbt::Start());
  sbt::Recorder recorder;
  auto made = sb::Router::Create({}, &clock, &recorder);
  REQUIRE(made.ok());
  sb::Router& router = **made;
  REQUIRE(router.AddQueue(sbt::MakeQueue("q")).ok());
  REQUIRE(router.AddAgent(sbt::MakeAgent("a", {"q"})).ok());
  clock.Advance(absl::Seconds(10));
  if (succeeds) {
    REQUIRE(router.SetAgentState(sb::AgentId("a"), AgentState::kAvailable).ok());  // no change
  } else {
    REQUIRE(router.Complete(sb::ContactId("none"), "x").code() == absl::StatusCode::kNotFound);
  }
  CHECK(router.GetAgentStats(sb::AgentId("a"))->available_time == absl::Seconds(10));
  clock.Advance(absl::Seconds(-4));  // an NTP correction
  const absl::Duration floor = succeeds ? absl::Seconds(10) : absl::Seconds(6);
  CHECK(router.GetAgentStats(sb::AgentId("a"))->available_time == floor);
  recorder.events.clear();
  REQUIRE(
      router.Enqueue(sbt::MakeContact("c", Channel::kVoice, clock.Now()), sb::QueueId("q")).ok());
  REQUIRE(!recorder.events.empty());
  CHECK(recorder.events.front().at == sbt::Start() + floor);
}
