#include "switchboard/sim/scenario.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "switchboard/contact.h"
#include "switchboard/limits.h"
#include "switchboard/router.h"
#include "switchboard/routing_strategy.h"

namespace switchboard::sim {
namespace {

absl::Status Bad(std::string_view object, std::string_view why) {
  return absl::InvalidArgumentError(internal::StrCat("scenario ", object, ": ", why));
}

// Names end up in the JSON results and the HTML report, whose text must be UTF-8.
absl::Status ValidateName(const std::string& name, std::string_view object) {
  if (internal::TextIsValid(name, kMaxNameLength)) return absl::OkStatus();
  return Bad(object, internal::StrCat("name '", internal::Printable(name),
                                      "' is not UTF-8 of at most ", kMaxNameLength, " bytes"));
}

bool IsProbability(double p) { return std::isfinite(p) && p >= 0 && p <= 1; }
bool IsNonNegative(double x) { return std::isfinite(x) && x >= 0; }

// Simulated times are whole microseconds from the start: ten years keeps every sum far from
// overflow.
constexpr double kMaxDurationS = 10 * 365.25 * 86400;
// Ten million contacts an hour of one type (about 2.8 a millisecond), far beyond any center: a
// rate near DBL_MAX put every arrival on the same microsecond, and the run never ended.
constexpr double kMaxRatePerHour = 1e7;
bool IsRate(double r) { return IsNonNegative(r) && r <= kMaxRatePerHour; }

absl::Status ValidateTimes(const Scenario& s) {
  if (!IsNonNegative(s.duration_s) || s.duration_s == 0 || s.duration_s > kMaxDurationS) {
    return Bad("duration_s", internal::StrCat(s.duration_s, " must be in (0, ", kMaxDurationS,
                                              "] (ten years)"));
  }
  SB_RETURN_IF_ERROR(switchboard::ValidateTime(s.start, "scenario start"));
  if (!IsNonNegative(s.interval_s) || s.interval_s < 60) {
    return Bad("interval_s", internal::StrCat(s.interval_s, " must be >= 60"));
  }
  if (!IsNonNegative(s.warmup_s) || s.warmup_s >= s.duration_s) {
    return Bad("warmup_s", internal::StrCat(s.warmup_s, " must be in [0, duration_s)"));
  }
  if (s.replications < 1 || s.replications > 10'000) {
    return Bad("replications", internal::StrCat(s.replications, " outside 1..10000"));
  }
  if (s.missed_offers_before_away < 0) return Bad("missed_offers_before_away", "is negative");
  return absl::OkStatus();
}

absl::Status ValidateGroup(const AgentGroup& g, size_t index,
                           const absl::flat_hash_set<QueueId>& queues) {
  const std::string object =
      internal::StrCat("agent_groups[", index, "] '", internal::Printable(g.name), "'");
  if (g.name.empty()) return Bad(object, "name is empty");
  SB_RETURN_IF_ERROR(ValidateName(g.name, object));
  if (g.count < 0 || g.count > 1'000'000) return Bad(object, "count outside 0..1000000");
  if (!IsProbability(g.decline_probability) || !IsProbability(g.miss_probability) ||
      g.decline_probability + g.miss_probability > 1) {
    return Bad(object, "decline_probability + miss_probability must be within [0, 1]");
  }
  if (!IsNonNegative(g.answer_delay_s)) return Bad(object, "answer_delay_s must be >= 0");
  if (!IsNonNegative(g.no_answer_away_s)) return Bad(object, "no_answer_away_s must be >= 0");
  double previous_end = -1;
  for (size_t i = 0; i < g.shifts.size(); ++i) {
    const Shift& shift = g.shifts[i];
    if (!IsNonNegative(shift.start_s) || !(shift.end_s > shift.start_s) ||
        shift.start_s < previous_end || !std::isfinite(shift.end_s)) {
      return Bad(object, internal::StrCat("shifts[", i, "] must have start < end, in order and "
                                          "not overlapping"));
    }
    previous_end = shift.end_s;
  }
  for (size_t i = 0; i < g.profile.queues.size(); ++i) {
    if (!queues.contains(g.profile.queues[i].queue)) {
      return Bad(object,
                 internal::StrCat("queues[", i, "] names unknown queue '",
                                  internal::Printable(g.profile.queues[i].queue.value()), "'"));
    }
  }
  // The profile must be a valid agent once named.
  Agent probe = g.profile;
  probe.id = AgentId(internal::StrCat(g.name, "-1"));
  if (probe.tenant.empty()) probe.tenant = TenantId("sim");
  absl::Status s = probe.Validate();
  if (!s.ok()) return Bad(object, std::string(s.message()));
  return absl::OkStatus();
}

// The router refuses a transfer to the queue the contact is in or to one that does not serve
// its channel; found here, not as a failed run at the first transfer.
absl::Status ValidateTransferQueue(const ContactType& t, const Queue& own,
                                   const absl::flat_hash_map<QueueId, const Queue*>& queues,
                                   const std::string& object) {
  const std::string name = internal::StrCat("transfer_queue '",
                                            internal::Printable(t.transfer_queue.value()), "'");
  auto it = queues.find(t.transfer_queue);
  if (it == queues.end()) return Bad(object, internal::StrCat(name, " is not defined"));
  if (t.transfer_queue == t.queue) {
    return Bad(object, internal::StrCat(name, " is the type's own queue"));
  }
  const Channel channel = t.channel.value_or(own.channels.front());
  if (!it->second->Serves(channel)) {
    return Bad(object, internal::StrCat(name, " does not serve the type's channel ",
                                        ChannelName(channel)));
  }
  return absl::OkStatus();
}

absl::Status ValidateContactType(const ContactType& t, size_t index,
                                 const absl::flat_hash_map<QueueId, const Queue*>& queues) {
  const std::string object =
      internal::StrCat("contact_types[", index, "] '", internal::Printable(t.name), "'");
  if (t.name.empty()) return Bad(object, "name is empty");
  SB_RETURN_IF_ERROR(ValidateName(t.name, object));
  auto it = queues.find(t.queue);
  if (it == queues.end()) {
    return Bad(object, internal::StrCat("queue '", internal::Printable(t.queue.value()),
                                        "' is not defined"));
  }
  if (t.channel && !it->second->Serves(*t.channel)) {
    return Bad(object, internal::StrCat("channel ", ChannelName(*t.channel),
                                        " is not served by "
                                        "queue '",
                                        internal::Printable(t.queue.value()), "'"));
  }
  if (!IsRate(t.rate_per_hour)) {
    return Bad(object, internal::StrCat("rate_per_hour must be in [0, ", kMaxRatePerHour, "]"));
  }
  for (size_t i = 0; i < t.rates_per_hour.size(); ++i) {
    if (!IsRate(t.rates_per_hour[i])) {
      return Bad(object, internal::StrCat("rates_per_hour[", i, "] must be in [0, ",
                                          kMaxRatePerHour, "]"));
    }
  }
  SB_RETURN_IF_ERROR(t.service.Validate(internal::StrCat("scenario ", object, " service"),
                                        /*allow_none=*/false));
  SB_RETURN_IF_ERROR(t.patience.Validate(internal::StrCat("scenario ", object, " patience"),
                                         /*allow_none=*/true));
  if (!IsProbability(t.resolution_probability)) {
    return Bad(object, "resolution_probability outside [0, 1]");
  }
  if (!IsProbability(t.transfer_probability)) {
    return Bad(object, "transfer_probability outside [0, 1]");
  }
  if (t.transfer_probability > 0) {
    SB_RETURN_IF_ERROR(ValidateTransferQueue(t, *it->second, queues, object));
  }
  SB_RETURN_IF_ERROR(ValidateSkillRequirements(t.required_skills,
                                               internal::StrCat("scenario ", object,
                                                                " required_skills")));
  return absl::OkStatus();
}

// "record 3 (calls.csv:5)": records are sorted by arrival, so the index alone does not find
// the line.
std::string RecordName(const TraceSpec& t, size_t i) {
  const TraceRecord& r = t.records[i];
  if (r.line <= 0) return internal::StrCat("record ", i);
  return internal::StrCat("record ", i, " (", internal::Printable(t.path), ":", r.line, ")");
}

absl::Status ValidateTrace(const Scenario& s) {
  if (!s.trace) return absl::OkStatus();
  for (size_t i = 0; i < s.trace->records.size(); ++i) {
    const TraceRecord& r = s.trace->records[i];
    auto mapped = s.trace->type_map.find(r.type);
    std::string name = mapped != s.trace->type_map.end() ? mapped->second : r.type;
    int type = s.FindContactType(name);
    if (type < 0) type = s.FindContactType(s.trace->default_contact_type);
    if (type < 0) {
      return Bad("trace", internal::StrCat(RecordName(*s.trace, i), " has type '",
                                           internal::Printable(r.type),
                                           "' with no contact type and no default"));
    }
    if (!IsNonNegative(r.arrival_s) || !IsNonNegative(r.service_s)) {
      return Bad("trace", internal::StrCat(RecordName(*s.trace, i), " has a negative time"));
    }
    // The router rejects other priorities at Enqueue, which would fail the run midway.
    if (r.priority < 0 || r.priority > kMaxContactPriority) {
      return Bad("trace", internal::StrCat(RecordName(*s.trace, i), " priority ", r.priority,
                                           " is not in 0..", kMaxContactPriority));
    }
    if (!r.channel.empty()) {
      absl::StatusOr<Channel> channel = ParseChannel(r.channel);
      if (!channel.ok()) {
        return Bad("trace", internal::StrCat(RecordName(*s.trace, i),
                                             " channel: ", channel.status().message()));
      }
      const ContactType& t = s.contact_types[static_cast<size_t>(type)];
      const Queue* queue = nullptr;
      for (const Queue& q : s.queues) {
        if (q.id == t.queue) queue = &q;
      }
      if (queue != nullptr && !queue->Serves(*channel)) {
        return Bad("trace", internal::StrCat(RecordName(*s.trace, i), " channel ",
                                             ChannelName(*channel), " is not served by queue '",
                                             internal::Printable(t.queue.value()), "'"));
      }
      if (t.transfer_probability > 0) {
        for (const Queue& q : s.queues) {
          if (q.id == t.transfer_queue && !q.Serves(*channel)) {
            return Bad("trace", internal::StrCat(RecordName(*s.trace, i), " channel ",
                                                 ChannelName(*channel),
                                                 " is not served by its transfer queue '",
                                                 internal::Printable(q.id.value()), "'"));
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

// Agents that decline every offer at once (answer_delay_s 0): past the router's memory of
// declines a contact would be offered around them forever at one instant, so a queue may have
// at most kMaxDeclinesRemembered of them. A delay lets time run, so patience and the drain limit
// end such a contact.
absl::Status ValidateDecliners(const Scenario& s) {
  for (size_t i = 0; i < s.queues.size(); ++i) {
    const Queue& q = s.queues[i];
    std::int64_t decliners = 0;
    for (const AgentGroup& g : s.agent_groups) {
      if (g.decline_probability < 1 || g.answer_delay_s > 0) continue;
      for (const QueueMembership& m : g.profile.queues) {
        if (m.queue == q.id) decliners += g.count;
      }
    }
    if (decliners > static_cast<std::int64_t>(kMaxDeclinesRemembered)) {
      return Bad(internal::StrCat("queues[", i, "] '", internal::Printable(q.id.value()), "'"),
                 internal::StrCat("has ", decliners,
                                  " agents that decline every offer at once (decline_probability "
                                  "1, answer_delay_s 0); "
                                  "at most ", kMaxDeclinesRemembered,
                                  ", as the router remembers only that many declines of a "
                                  "contact and would offer it around them forever"));
    }
  }
  return absl::OkStatus();
}

// A strategy the router does not know would fail only when its turn came, after every run of
// the strategies before it.
absl::Status ValidateStrategies(const std::vector<std::string>& strategies) {
  if (strategies.empty()) return Bad("strategies", "is empty");
  for (size_t i = 0; i < strategies.size(); ++i) {
    absl::Status s = CheckStrategyName(strategies[i]);
    if (!s.ok()) {
      return Bad(internal::StrCat("strategies[", i, "]"), std::string(s.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateReturns(const ReturnSpec& r) {
  if (!r.enabled) return absl::OkStatus();
  SB_RETURN_IF_ERROR(r.delay.Validate("scenario returns.delay", /*allow_none=*/false));
  if (r.max_attempts < 1) return Bad("returns", "max_attempts must be >= 1");
  if (!IsNonNegative(r.context_handle_time_factor) || r.context_handle_time_factor == 0 ||
      !IsNonNegative(r.no_context_handle_time_factor) || r.no_context_handle_time_factor == 0) {
    return Bad("returns", "handle time factors must be > 0");
  }
  if (r.context_resolution_probability && !IsProbability(*r.context_resolution_probability)) {
    return Bad("returns", "context_resolution_probability outside [0, 1]");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckStrategyName(std::string_view name) {
  const std::vector<std::string> known = BuiltInAgentSelectionStrategyNames();
  if (std::find(known.begin(), known.end(), name) != known.end()) return absl::OkStatus();
  std::string list;
  for (const std::string& k : known) list += internal::StrCat(list.empty() ? "" : ", ", k);
  return absl::InvalidArgumentError(internal::StrCat(
      "strategy '", internal::Printable(name), "' is not one of the router's: ", list));
}

double ContactType::RatePerSecondAt(double time_s, double interval_s) const {
  if (rates_per_hour.empty()) return rate_per_hour / 3600.0;
  auto i = static_cast<size_t>(time_s / interval_s);
  if (i >= rates_per_hour.size()) return 0;
  return rates_per_hour[i] / 3600.0;
}

int Scenario::IntervalCount() const {
  return std::max(1, static_cast<int>(std::ceil(duration_s / interval_s - 1e-9)));
}

int Scenario::FindContactType(std::string_view type_name) const {
  for (size_t i = 0; i < contact_types.size(); ++i) {
    if (contact_types[i].name == type_name) return static_cast<int>(i);
  }
  return -1;
}

absl::Status Scenario::Validate() const {
  SB_RETURN_IF_ERROR(ValidateName(name, "name"));
  SB_RETURN_IF_ERROR(ValidateTimes(*this));
  if (queues.empty()) return Bad("queues", "no queue defined");
  absl::flat_hash_map<QueueId, const Queue*> by_id;
  absl::flat_hash_set<QueueId> ids;
  for (size_t i = 0; i < queues.size(); ++i) {
    Queue probe = queues[i];
    if (probe.tenant.empty()) probe.tenant = TenantId("sim");
    absl::Status s = probe.Validate();
    if (!s.ok()) return Bad(internal::StrCat("queues[", i, "]"), std::string(s.message()));
    if (!by_id.emplace(queues[i].id, &queues[i]).second) {
      return Bad(internal::StrCat("queues[", i, "]"),
                 internal::StrCat("repeats id '", internal::Printable(queues[i].id.value()), "'"));
    }
    ids.insert(queues[i].id);
  }
  absl::flat_hash_set<std::string> group_names;
  for (size_t i = 0; i < agent_groups.size(); ++i) {
    SB_RETURN_IF_ERROR(ValidateGroup(agent_groups[i], i, ids));
    if (!group_names.insert(agent_groups[i].name).second) {
      return Bad(internal::StrCat("agent_groups[", i, "]"), "repeats a group name");
    }
  }
  if (contact_types.empty()) return Bad("contact_types", "no contact type defined");
  absl::flat_hash_set<std::string> type_names;
  for (size_t i = 0; i < contact_types.size(); ++i) {
    SB_RETURN_IF_ERROR(ValidateContactType(contact_types[i], i, by_id));
    if (!type_names.insert(contact_types[i].name).second) {
      return Bad(internal::StrCat("contact_types[", i, "]"), "repeats a contact type name");
    }
  }
  SB_RETURN_IF_ERROR(ValidateDecliners(*this));
  SB_RETURN_IF_ERROR(ValidateStrategies(strategies));
  SB_RETURN_IF_ERROR(ValidateTrace(*this));
  return ValidateReturns(returns);
}

}  // namespace switchboard::sim
