#include "switchboard/agent.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/contact.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

absl::Status ValidateNames(const std::vector<std::string>& names, std::string_view field) {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string element = internal::StrCat(field, "[", i, "]");
    if (names[i].empty()) return absl::InvalidArgumentError(element + " is empty");
    SB_RETURN_IF_ERROR(internal::ValidateText(names[i], element, kMaxNameLength));
  }
  return absl::OkStatus();
}

absl::Status ValidateCapacities(const Agent& a) {
  if (a.capacity_units < 1 || a.capacity_units > kMaxAgentCapacityUnits) {
    return absl::InvalidArgumentError(internal::StrCat("agent.capacity_units is ", a.capacity_units,
                                                       ", outside 1..", kMaxAgentCapacityUnits));
  }
  absl::flat_hash_set<Channel> seen;
  for (size_t i = 0; i < a.capacities.size(); ++i) {
    const ChannelCapacity& c = a.capacities[i];
    const std::string field = internal::StrCat("agent.capacities[", i, "]");
    if (!IsKnownChannel(c.channel)) {
      return absl::InvalidArgumentError(internal::StrCat(field, ".channel ",
                                                     static_cast<int>(c.channel),
                                                     " is not a known channel"));
    }
    if (!seen.insert(c.channel).second) {
      return absl::InvalidArgumentError(
          internal::StrCat(field, " repeats channel ", ChannelName(c.channel)));
    }
    if (c.max_concurrent < 0 || c.max_concurrent > kMaxConcurrentPerChannel) {
      return absl::InvalidArgumentError(internal::StrCat(field, ".max_concurrent (",
                                                     ChannelName(c.channel), ") is ",
                                                     c.max_concurrent, ", outside 0..",
                                                     kMaxConcurrentPerChannel));
    }
    if (c.cost_units < 1 || c.cost_units > a.capacity_units) {
      return absl::InvalidArgumentError(internal::StrCat(
          field, ".cost_units (", ChannelName(c.channel), ") is ", c.cost_units,
          ", outside 1..capacity_units (", a.capacity_units, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateMemberships(const Agent& a) {
  if (a.queues.size() > kMaxAgentQueues) {
    return absl::InvalidArgumentError(internal::StrCat(
        "agent.queues has ", a.queues.size(), " entries, more than ", kMaxAgentQueues));
  }
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 0; i < a.queues.size(); ++i) {
    const QueueMembership& m = a.queues[i];
    const std::string field = internal::StrCat("agent.queues[", i, "]");
    SB_RETURN_IF_ERROR(m.queue.Validate(internal::StrCat(field, ".queue")));
    if (!seen.insert(m.queue.value()).second) {
      return absl::InvalidArgumentError(
          internal::StrCat(field, " repeats queue '", internal::Printable(m.queue.value()), "'"));
    }
    if (m.priority < 1 || m.priority > kMaxMembershipPriority) {
      return absl::InvalidArgumentError(internal::StrCat(field, ".priority is ", m.priority,
                                                         ", outside 1..", kMaxMembershipPriority));
    }
    if (m.delay < absl::ZeroDuration() || m.delay > kMaxMembershipDelay) {
      return absl::InvalidArgumentError(
          internal::StrCat(field, ".delay is ", absl::FormatDuration(m.delay), ", outside 0..",
                           absl::FormatDuration(kMaxMembershipDelay)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateStatus(const AgentStatus& s) {
  if (static_cast<int>(s.state) > 4) {
    return absl::InvalidArgumentError(
        internal::StrCat("agent.status.state ", static_cast<int>(s.state), " is not a known state"));
  }
  return internal::ValidateText(s.away_reason, "agent.status.away_reason", kMaxNameLength);
}

absl::Status ValidateFields(const Agent& a) {
  SB_RETURN_IF_ERROR(a.id.Validate("agent.id"));
  SB_RETURN_IF_ERROR(a.tenant.Validate("agent.tenant"));
  SB_RETURN_IF_ERROR(internal::ValidateText(a.name, "agent.name", kMaxNameLength));
  SB_RETURN_IF_ERROR(ValidateSkills(a.skills, "agent.skills"));
  for (size_t i = 0; i < a.languages.size(); ++i) {
    const std::string field = internal::StrCat("agent.languages[", i, "]");
    if (a.languages[i].empty()) return absl::InvalidArgumentError(internal::StrCat(field, " is empty"));
    SB_RETURN_IF_ERROR(ValidateLanguageTag(a.languages[i], field));
  }
  SB_RETURN_IF_ERROR(ValidateCapacities(a));
  SB_RETURN_IF_ERROR(ValidateMemberships(a));
  SB_RETURN_IF_ERROR(internal::ValidateText(a.site, "agent.site", kMaxNameLength));
  SB_RETURN_IF_ERROR(ValidateNames(a.teams, "agent.teams"));
  SB_RETURN_IF_ERROR(ValidateAttributes(a.attributes, "agent.attributes"));
  return ValidateStatus(a.status);
}

}  // namespace

std::string_view AgentStateName(AgentState state) {
  switch (state) {
    case AgentState::kOffline: return "offline";
    case AgentState::kAvailable: return "available";
    case AgentState::kAway: return "away";
    case AgentState::kBusy: return "busy";
    case AgentState::kWrapUp: return "wrap_up";
  }
  return "unknown";
}

ChannelCapacity DefaultCapacity(Channel channel) {
  const ChannelTraits traits = TraitsOf(channel);
  return ChannelCapacity{channel, traits.default_max_concurrent, traits.default_cost_units};
}

absl::Status Agent::Validate() const {
  absl::Status status = ValidateFields(*this);
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat("agent '", internal::Printable(id.value()),
                                                      "': ", status.message()));
}

std::optional<ChannelCapacity> Agent::CapacityFor(Channel channel) const {
  for (const ChannelCapacity& c : capacities) {
    if (c.channel == channel) return c;
  }
  return std::nullopt;
}

int Agent::ProficiencyIn(std::string_view skill) const {
  for (const Skill& s : skills) {
    if (s.name == skill) return s.proficiency;
  }
  return 0;
}

bool Agent::SpeaksLanguage(std::string_view language) const {
  if (language.empty()) return true;
  return std::find(languages.begin(), languages.end(), language) != languages.end();
}

}  // namespace switchboard
