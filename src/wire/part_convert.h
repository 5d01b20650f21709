// Private: the parts' conversions without validation, for the whole-object conversions, which
// validate once at the end. They fail only on enums, whose core types cannot hold a bad value.
#ifndef SWITCHBOARD_SRC_WIRE_PART_CONVERT_H_
#define SWITCHBOARD_SRC_WIRE_PART_CONVERT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "switchboard/wire/core_convert.h"

namespace switchboard::wire_internal {

absl::StatusOr<Identifier> ConvertIdentifier(const v1::Identifier& msg, std::string_view field);
Skill ConvertSkill(const v1::Skill& msg);
SkillRequirement ConvertRequirement(const v1::SkillRequirement& msg);
ServiceLevelTarget ConvertServiceLevel(const v1::ServiceLevelTarget& msg);
absl::StatusOr<ChannelCapacity> ConvertCapacity(const v1::ChannelCapacity& msg,
                                                std::string_view field);
QueueMembership ConvertMembership(const v1::QueueMembership& msg);
absl::StatusOr<AgentStatus> ConvertStatus(const v1::AgentStatus& msg, std::string_view field);

}  // namespace switchboard::wire_internal

#endif  // SWITCHBOARD_SRC_WIRE_PART_CONVERT_H_
