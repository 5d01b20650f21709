// Conversions between the core types and their protobuf messages (proto/switchboard/v1/core.proto).
// ToProto never fails: it copies what is there (an out-of-range enum value becomes UNSPECIFIED,
// which FromProto rejects; a QueueOrder becomes a number no schema knows). FromProto is the gate
// for untrusted bytes: it rejects unknown and UNSPECIFIED enum values with InvalidArgument naming
// the field (QueueOrder UNSPECIFIED reads as FIFO, as the schema says), then runs the type's
// Validate(), so whatever it returns is valid.
//
// Times travel as Unix microseconds plus the 0..999 nanoseconds past them (a contact's arrival,
// an event's times), so they come back to the nanosecond; durations travel as microseconds,
// cut toward zero.
//
// Thread-safety: free functions without state; safe to call concurrently.
//
//   switchboard::v1::Contact msg = switchboard::ToProto(contact);
//   std::string bytes = msg.SerializeAsString();
//   ...
//   switchboard::v1::Contact in;
//   if (!in.ParseFromString(bytes)) { /* not a Contact message */ }
//   absl::StatusOr<switchboard::Contact> back = switchboard::FromProto(in);
//   if (!back.ok()) { /* back.status().message() names the field and the contact id */ }
#ifndef SWITCHBOARD_WIRE_CORE_CONVERT_H_
#define SWITCHBOARD_WIRE_CORE_CONVERT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "switchboard/agent.h"
#include "switchboard/channel.h"
#include "switchboard/contact.h"
#include "switchboard/export.h"
#include "switchboard/identifier.h"
#include "switchboard/journey.h"
#include "switchboard/queue.h"
#include "switchboard/service_level.h"
#include "switchboard/skill.h"
#include "switchboard/touchpoint_event.h"
#include "switchboard/v1/core.pb.h"

namespace switchboard {

// Enums. `field` names the value in the error, e.g. "contact.channel".
SWITCHBOARD_EXPORT v1::Channel ToProto(Channel channel);
SWITCHBOARD_EXPORT absl::StatusOr<Channel> FromProto(v1::Channel channel,
                                                     std::string_view field = "channel");
SWITCHBOARD_EXPORT v1::Direction ToProto(Direction direction);
SWITCHBOARD_EXPORT absl::StatusOr<Direction> FromProto(v1::Direction direction,
                                                       std::string_view field = "direction");
SWITCHBOARD_EXPORT v1::IdentifierKind ToProto(IdentifierKind kind);
SWITCHBOARD_EXPORT absl::StatusOr<IdentifierKind> FromProto(v1::IdentifierKind kind,
                                                            std::string_view field = "kind");
SWITCHBOARD_EXPORT v1::AgentState ToProto(AgentState state);
SWITCHBOARD_EXPORT absl::StatusOr<AgentState> FromProto(v1::AgentState state,
                                                        std::string_view field = "state");
// An out-of-range value goes out as its number + 1, not as UNSPECIFIED, which reads as kFifo.
SWITCHBOARD_EXPORT v1::QueueOrder ToProto(QueueOrder order);
// QUEUE_ORDER_UNSPECIFIED reads as kFifo.
SWITCHBOARD_EXPORT absl::StatusOr<QueueOrder> FromProto(v1::QueueOrder order,
                                                        std::string_view field = "order");
SWITCHBOARD_EXPORT v1::EventType ToProto(EventType type);
SWITCHBOARD_EXPORT absl::StatusOr<EventType> FromProto(v1::EventType type,
                                                       std::string_view field = "type");

// Parts. `field` prefixes the error ("agent.skills[2]"). The parts without a Validate() of their
// own (AgentStatus, ChannelCapacity, QueueMembership) are held here to every bound Agent's
// Validate() puts on them alone (enums, ids, ranges, UTF-8); the rules that depend on the whole
// object (cost_units <= capacity_units, no repeated channel) are checked when the whole Agent is
// read.
SWITCHBOARD_EXPORT v1::Identifier ToProto(const Identifier& identifier);
SWITCHBOARD_EXPORT absl::StatusOr<Identifier> FromProto(const v1::Identifier& msg,
                                                        std::string_view field = "identifier");
SWITCHBOARD_EXPORT v1::Skill ToProto(const Skill& skill);
SWITCHBOARD_EXPORT absl::StatusOr<Skill> FromProto(const v1::Skill& msg,
                                                   std::string_view field = "skill");
SWITCHBOARD_EXPORT v1::SkillRequirement ToProto(const SkillRequirement& requirement);
SWITCHBOARD_EXPORT absl::StatusOr<SkillRequirement> FromProto(
    const v1::SkillRequirement& msg, std::string_view field = "skill_requirement");
SWITCHBOARD_EXPORT v1::ServiceLevelTarget ToProto(const ServiceLevelTarget& target);
SWITCHBOARD_EXPORT absl::StatusOr<ServiceLevelTarget> FromProto(
    const v1::ServiceLevelTarget& msg, std::string_view field = "service_level");
SWITCHBOARD_EXPORT v1::ChannelCapacity ToProto(const ChannelCapacity& capacity);
SWITCHBOARD_EXPORT absl::StatusOr<ChannelCapacity> FromProto(
    const v1::ChannelCapacity& msg, std::string_view field = "channel_capacity");
SWITCHBOARD_EXPORT v1::QueueMembership ToProto(const QueueMembership& membership);
SWITCHBOARD_EXPORT absl::StatusOr<QueueMembership> FromProto(
    const v1::QueueMembership& msg, std::string_view field = "queue_membership");
SWITCHBOARD_EXPORT v1::AgentStatus ToProto(const AgentStatus& status);
SWITCHBOARD_EXPORT absl::StatusOr<AgentStatus> FromProto(const v1::AgentStatus& msg,
                                                         std::string_view field = "status");

// Whole objects. The out-parameter forms clear `*out` first, so a message (or an arena message)
// can be reused. FromProto errors name the object's id as Validate() does.
SWITCHBOARD_EXPORT void ToProto(const Contact& contact, v1::Contact* out);
SWITCHBOARD_EXPORT v1::Contact ToProto(const Contact& contact);
SWITCHBOARD_EXPORT absl::StatusOr<Contact> FromProto(const v1::Contact& msg);

SWITCHBOARD_EXPORT void ToProto(const Agent& agent, v1::Agent* out);
SWITCHBOARD_EXPORT v1::Agent ToProto(const Agent& agent);
SWITCHBOARD_EXPORT absl::StatusOr<Agent> FromProto(const v1::Agent& msg);

SWITCHBOARD_EXPORT void ToProto(const Queue& queue, v1::Queue* out);
SWITCHBOARD_EXPORT v1::Queue ToProto(const Queue& queue);
SWITCHBOARD_EXPORT absl::StatusOr<Queue> FromProto(const v1::Queue& msg);

SWITCHBOARD_EXPORT void ToProto(const TouchpointEvent& event, v1::TouchpointEvent* out);
SWITCHBOARD_EXPORT v1::TouchpointEvent ToProto(const TouchpointEvent& event);
SWITCHBOARD_EXPORT absl::StatusOr<TouchpointEvent> FromProto(const v1::TouchpointEvent& msg);

SWITCHBOARD_EXPORT void ToProto(const Journey& journey, v1::Journey* out);
SWITCHBOARD_EXPORT v1::Journey ToProto(const Journey& journey);
SWITCHBOARD_EXPORT absl::StatusOr<Journey> FromProto(const v1::Journey& msg);

}  // namespace switchboard

#endif  // SWITCHBOARD_WIRE_CORE_CONVERT_H_
