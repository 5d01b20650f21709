#include "src/wire/part_convert.h"

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/wire/convert_internal.h"
#include "switchboard/limits.h"

namespace switchboard {

namespace wire_internal {

absl::StatusOr<Identifier> ConvertIdentifier(const v1::Identifier& msg, std::string_view field) {
  Identifier out;
  SB_ASSIGN_OR_RETURN(out.kind, FromProto(msg.kind(), internal::StrCat(field, ".kind")));
  out.value = msg.value();
  out.scope = msg.scope();
  return out;
}

Skill ConvertSkill(const v1::Skill& msg) { return Skill{msg.name(), msg.proficiency()}; }

SkillRequirement ConvertRequirement(const v1::SkillRequirement& msg) {
  return SkillRequirement{msg.name(), msg.min_proficiency(), msg.required()};
}

ServiceLevelTarget ConvertServiceLevel(const v1::ServiceLevelTarget& msg) {
  return ServiceLevelTarget{msg.fraction(), MicrosToDuration(msg.threshold_micros())};
}

absl::StatusOr<ChannelCapacity> ConvertCapacity(const v1::ChannelCapacity& msg,
                                                std::string_view field) {
  ChannelCapacity out;
  SB_ASSIGN_OR_RETURN(out.channel, FromProto(msg.channel(), internal::StrCat(field, ".channel")));
  out.max_concurrent = msg.max_concurrent();
  out.cost_units = msg.cost_units();
  return out;
}

QueueMembership ConvertMembership(const v1::QueueMembership& msg) {
  return QueueMembership{QueueId(msg.queue()), msg.priority(), MicrosToDuration(msg.delay_micros())};
}

absl::StatusOr<AgentStatus> ConvertStatus(const v1::AgentStatus& msg, std::string_view field) {
  AgentStatus out;
  SB_ASSIGN_OR_RETURN(out.state, FromProto(msg.state(), internal::StrCat(field, ".state")));
  out.away_reason = msg.away_reason();
  return out;
}

}  // namespace wire_internal

namespace {

absl::Status Invalid(std::string_view field, std::string_view what, int value) {
  return absl::InvalidArgumentError(internal::StrCat(field, " is ", value, ", ", what));
}

}  // namespace

v1::Identifier ToProto(const Identifier& identifier) {
  v1::Identifier out;
  out.set_kind(ToProto(identifier.kind));
  out.set_value(identifier.value);
  out.set_scope(identifier.scope);
  return out;
}

absl::StatusOr<Identifier> FromProto(const v1::Identifier& msg, std::string_view field) {
  SB_ASSIGN_OR_RETURN(Identifier out, wire_internal::ConvertIdentifier(msg, field));
  SB_RETURN_IF_ERROR(out.Validate(field));
  return out;
}

v1::Skill ToProto(const Skill& skill) {
  v1::Skill out;
  out.set_name(skill.name);
  out.set_proficiency(skill.proficiency);
  return out;
}

absl::StatusOr<Skill> FromProto(const v1::Skill& msg, std::string_view field) {
  Skill out = wire_internal::ConvertSkill(msg);
  SB_RETURN_IF_ERROR(out.Validate(field));
  return out;
}

v1::SkillRequirement ToProto(const SkillRequirement& requirement) {
  v1::SkillRequirement out;
  out.set_name(requirement.name);
  out.set_min_proficiency(requirement.min_proficiency);
  out.set_required(requirement.required);
  return out;
}

absl::StatusOr<SkillRequirement> FromProto(const v1::SkillRequirement& msg,
                                           std::string_view field) {
  SkillRequirement out = wire_internal::ConvertRequirement(msg);
  SB_RETURN_IF_ERROR(out.Validate(field));
  return out;
}

v1::ServiceLevelTarget ToProto(const ServiceLevelTarget& target) {
  v1::ServiceLevelTarget out;
  out.set_fraction(target.fraction);
  out.set_threshold_micros(wire_internal::DurationToMicros(target.threshold));
  return out;
}

absl::StatusOr<ServiceLevelTarget> FromProto(const v1::ServiceLevelTarget& msg,
                                             std::string_view field) {
  ServiceLevelTarget out = wire_internal::ConvertServiceLevel(msg);
  SB_RETURN_IF_ERROR(out.Validate(field));
  return out;
}

v1::ChannelCapacity ToProto(const ChannelCapacity& capacity) {
  v1::ChannelCapacity out;
  out.set_channel(ToProto(capacity.channel));
  out.set_max_concurrent(capacity.max_concurrent);
  out.set_cost_units(capacity.cost_units);
  return out;
}

absl::StatusOr<ChannelCapacity> FromProto(const v1::ChannelCapacity& msg,
                                          std::string_view field) {
  SB_ASSIGN_OR_RETURN(ChannelCapacity out, wire_internal::ConvertCapacity(msg, field));
  // cost_units' upper bound is the agent's capacity_units: Agent::Validate checks it.
  if (out.max_concurrent < 0 || out.max_concurrent > kMaxConcurrentPerChannel) {
    return Invalid(internal::StrCat(field, ".max_concurrent"),
                   internal::StrCat("outside 0..", kMaxConcurrentPerChannel), out.max_concurrent);
  }
  if (out.cost_units < 1) {
    return Invalid(internal::StrCat(field, ".cost_units"), "it must be at least 1",
                   out.cost_units);
  }
  return out;
}

v1::QueueMembership ToProto(const QueueMembership& membership) {
  v1::QueueMembership out;
  out.set_queue(membership.queue.value());
  out.set_priority(membership.priority);
  out.set_delay_micros(wire_internal::DurationToMicros(membership.delay));
  return out;
}

absl::StatusOr<QueueMembership> FromProto(const v1::QueueMembership& msg,
                                          std::string_view field) {
  QueueMembership out = wire_internal::ConvertMembership(msg);
  SB_RETURN_IF_ERROR(out.queue.Validate(internal::StrCat(field, ".queue")));
  if (out.priority < 1 || out.priority > kMaxMembershipPriority) {
    return Invalid(internal::StrCat(field, ".priority"),
                   internal::StrCat("outside 1..", kMaxMembershipPriority), out.priority);
  }
  if (out.delay < absl::ZeroDuration() || out.delay > kMaxMembershipDelay) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".delay is ", absl::FormatDuration(out.delay), ", outside 0..",
                         absl::FormatDuration(kMaxMembershipDelay)));
  }
  return out;
}

v1::AgentStatus ToProto(const AgentStatus& status) {
  v1::AgentStatus out;
  out.set_state(ToProto(status.state));
  out.set_away_reason(status.away_reason);
  return out;
}

absl::StatusOr<AgentStatus> FromProto(const v1::AgentStatus& msg, std::string_view field) {
  SB_ASSIGN_OR_RETURN(AgentStatus out, wire_internal::ConvertStatus(msg, field));
  SB_RETURN_IF_ERROR(internal::ValidateText(
      out.away_reason, internal::StrCat(field, ".away_reason"), kMaxNameLength));
  return out;
}

}  // namespace switchboard
