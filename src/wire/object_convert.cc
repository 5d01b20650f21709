// Whole-object conversions. FromProto converts every enum first (an unknown value cannot be held
// by the core enum), then runs the object's Validate() once, so its errors read exactly as if the
// object had been built in C++.
#include "src/internal/str_cat.h"
#include "src/internal/status_macros.h"
#include "src/wire/convert_internal.h"
#include "src/wire/part_convert.h"
#include "switchboard/wire/core_convert.h"

namespace switchboard {
namespace {

using wire_internal::AttributesFromProto;
using wire_internal::AttributesToProto;
using wire_internal::MicrosToDuration;
using wire_internal::MicrosToTime;
using wire_internal::Prefixed;

template <typename Message>
absl::StatusOr<std::vector<Identifier>> ConvertIdentifiers(
    const google::protobuf::RepeatedPtrField<Message>& in, std::string_view field) {
  std::vector<Identifier> out;
  out.reserve(in.size());
  for (int i = 0; i < in.size(); ++i) {
    SB_ASSIGN_OR_RETURN(Identifier id, wire_internal::ConvertIdentifier(
                                           in.Get(i), internal::StrCat(field, "[", i, "]")));
    out.push_back(std::move(id));
  }
  return out;
}

std::vector<SkillRequirement> ConvertRequirements(
    const google::protobuf::RepeatedPtrField<v1::SkillRequirement>& in) {
  std::vector<SkillRequirement> out;
  out.reserve(in.size());
  for (const v1::SkillRequirement& r : in) out.push_back(wire_internal::ConvertRequirement(r));
  return out;
}

// A time given to the nanosecond (an event's, a contact's arrival): whole microseconds plus the
// nanoseconds past them.
absl::StatusOr<absl::Time> PreciseTime(int64_t micros, int32_t nanos, std::string_view field,
                                       std::string_view nanos_field) {
  if (nanos < 0 || nanos > 999) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".", nanos_field, " is ", nanos, ", not 0..999"));
  }
  return MicrosToTime(micros) + absl::Nanoseconds(nanos);
}

absl::Status ConvertContactFields(const v1::Contact& msg, Contact& c) {
  c.id = ContactId(msg.id());
  c.tenant = TenantId(msg.tenant());
  SB_ASSIGN_OR_RETURN(c.channel, FromProto(msg.channel(), "contact.channel"));
  SB_ASSIGN_OR_RETURN(c.direction, FromProto(msg.direction(), "contact.direction"));
  SB_ASSIGN_OR_RETURN(c.identifiers, ConvertIdentifiers(msg.identifiers(), "contact.identifiers"));
  c.attributes = AttributesFromProto(msg.attributes());
  c.required_skills = ConvertRequirements(msg.required_skills());
  c.language = msg.language();
  c.intent = msg.intent();
  c.priority = msg.priority();
  SB_ASSIGN_OR_RETURN(c.arrived_at, PreciseTime(msg.arrived_at_micros(), msg.arrived_at_nanos(),
                                                "contact", "arrived_at_nanos"));
  if (msg.has_service_level()) {
    c.service_level = wire_internal::ConvertServiceLevel(msg.service_level());
  }
  if (msg.has_preferred_agent()) c.preferred_agent = AgentId(msg.preferred_agent());
  c.preferred_agent_wait = MicrosToDuration(msg.preferred_agent_wait_micros());
  return absl::OkStatus();
}

absl::Status ConvertAgentFields(const v1::Agent& msg, Agent& a) {
  a.id = AgentId(msg.id());
  a.tenant = TenantId(msg.tenant());
  a.name = msg.name();
  for (const v1::Skill& s : msg.skills()) a.skills.push_back(wire_internal::ConvertSkill(s));
  a.languages.assign(msg.languages().begin(), msg.languages().end());
  for (int i = 0; i < msg.capacities_size(); ++i) {
    SB_ASSIGN_OR_RETURN(ChannelCapacity c,
                        wire_internal::ConvertCapacity(
                            msg.capacities(i), internal::StrCat("agent.capacities[", i, "]")));
    a.capacities.push_back(c);
  }
  a.capacity_units = msg.capacity_units();
  a.allow_blending = msg.allow_blending();
  for (const v1::QueueMembership& m : msg.queues()) {
    a.queues.push_back(wire_internal::ConvertMembership(m));
  }
  a.site = msg.site();
  a.teams.assign(msg.teams().begin(), msg.teams().end());
  a.attributes = AttributesFromProto(msg.attributes());
  SB_ASSIGN_OR_RETURN(a.status, wire_internal::ConvertStatus(msg.status(), "agent.status"));
  return absl::OkStatus();
}

absl::Status ConvertQueueFields(const v1::Queue& msg, Queue& q) {
  q.id = QueueId(msg.id());
  q.tenant = TenantId(msg.tenant());
  q.name = msg.name();
  for (int i = 0; i < msg.channels_size(); ++i) {
    SB_ASSIGN_OR_RETURN(Channel channel,
                        FromProto(msg.channels(i), internal::StrCat("queue.channels[", i, "]")));
    q.channels.push_back(channel);
  }
  q.required_skills = ConvertRequirements(msg.required_skills());
  q.priority = msg.priority();
  // Every queue has a target; a missing one is an error rather than a silent 0% within 0s.
  if (!msg.has_service_level()) {
    return absl::InvalidArgumentError("queue.service_level is missing");
  }
  q.service_level = wire_internal::ConvertServiceLevel(msg.service_level());
  q.max_waiting = msg.max_waiting();
  q.wrap_up = MicrosToDuration(msg.wrap_up_micros());
  q.offer_timeout = MicrosToDuration(msg.offer_timeout_micros());
  SB_ASSIGN_OR_RETURN(q.order, FromProto(msg.order(), "queue.order"));
  return absl::OkStatus();
}

// `field` is "event" for a lone event and "journey.events[i]" inside a journey.
absl::Status ConvertEventFields(const v1::TouchpointEvent& msg, std::string_view field,
                                TouchpointEvent& e) {
  e.id = EventId(msg.id());
  e.tenant = TenantId(msg.tenant());
  SB_ASSIGN_OR_RETURN(e.type, FromProto(msg.type(), internal::StrCat(field, ".type")));
  SB_ASSIGN_OR_RETURN(e.channel, FromProto(msg.channel(), internal::StrCat(field, ".channel")));
  SB_ASSIGN_OR_RETURN(e.occurred_at, PreciseTime(msg.occurred_at_micros(), msg.occurred_at_nanos(),
                                                 field, "occurred_at_nanos"));
  SB_ASSIGN_OR_RETURN(e.received_at, PreciseTime(msg.received_at_micros(), msg.received_at_nanos(),
                                                 field, "received_at_nanos"));
  SB_ASSIGN_OR_RETURN(e.identifiers, ConvertIdentifiers(msg.identifiers(),
                                                        internal::StrCat(field, ".identifiers")));
  e.attributes = AttributesFromProto(msg.attributes());
  e.source_system = msg.source_system();
  e.contact = ContactId(msg.contact());
  return absl::OkStatus();
}

}  // namespace

void ToProto(const Contact& contact, v1::Contact* out) {
  out->Clear();
  out->set_id(contact.id.value());
  out->set_tenant(contact.tenant.value());
  out->set_channel(ToProto(contact.channel));
  out->set_direction(ToProto(contact.direction));
  for (const Identifier& id : contact.identifiers) *out->add_identifiers() = ToProto(id);
  AttributesToProto(contact.attributes, out->mutable_attributes());
  for (const SkillRequirement& r : contact.required_skills) {
    *out->add_required_skills() = ToProto(r);
  }
  out->set_language(contact.language);
  out->set_intent(contact.intent);
  out->set_priority(contact.priority);
  out->set_arrived_at_micros(wire_internal::TimeToMicros(contact.arrived_at));
  out->set_arrived_at_nanos(wire_internal::NanosPastMicros(contact.arrived_at));
  if (contact.service_level) *out->mutable_service_level() = ToProto(*contact.service_level);
  if (contact.preferred_agent) out->set_preferred_agent(contact.preferred_agent->value());
  out->set_preferred_agent_wait_micros(
      wire_internal::DurationToMicros(contact.preferred_agent_wait));
}

v1::Contact ToProto(const Contact& contact) {
  v1::Contact out;
  ToProto(contact, &out);
  return out;
}

absl::StatusOr<Contact> FromProto(const v1::Contact& msg) {
  Contact c;
  SB_RETURN_IF_ERROR(Prefixed(ConvertContactFields(msg, c),
                              internal::StrCat("contact '", internal::Printable(msg.id()), "': ")));
  SB_RETURN_IF_ERROR(c.Validate());
  return c;
}

void ToProto(const Agent& agent, v1::Agent* out) {
  out->Clear();
  out->set_id(agent.id.value());
  out->set_tenant(agent.tenant.value());
  out->set_name(agent.name);
  for (const Skill& s : agent.skills) *out->add_skills() = ToProto(s);
  for (const std::string& language : agent.languages) out->add_languages(language);
  for (const ChannelCapacity& c : agent.capacities) *out->add_capacities() = ToProto(c);
  out->set_capacity_units(agent.capacity_units);
  out->set_allow_blending(agent.allow_blending);
  for (const QueueMembership& m : agent.queues) *out->add_queues() = ToProto(m);
  out->set_site(agent.site);
  for (const std::string& team : agent.teams) out->add_teams(team);
  AttributesToProto(agent.attributes, out->mutable_attributes());
  *out->mutable_status() = ToProto(agent.status);
}

v1::Agent ToProto(const Agent& agent) {
  v1::Agent out;
  ToProto(agent, &out);
  return out;
}

absl::StatusOr<Agent> FromProto(const v1::Agent& msg) {
  Agent a;
  SB_RETURN_IF_ERROR(Prefixed(ConvertAgentFields(msg, a),
                              internal::StrCat("agent '", internal::Printable(msg.id()), "': ")));
  SB_RETURN_IF_ERROR(a.Validate());
  return a;
}

void ToProto(const Queue& queue, v1::Queue* out) {
  out->Clear();
  out->set_id(queue.id.value());
  out->set_tenant(queue.tenant.value());
  out->set_name(queue.name);
  for (Channel channel : queue.channels) out->add_channels(ToProto(channel));
  for (const SkillRequirement& r : queue.required_skills) *out->add_required_skills() = ToProto(r);
  out->set_priority(queue.priority);
  *out->mutable_service_level() = ToProto(queue.service_level);
  out->set_max_waiting(queue.max_waiting);
  out->set_wrap_up_micros(wire_internal::DurationToMicros(queue.wrap_up));
  out->set_offer_timeout_micros(wire_internal::DurationToMicros(queue.offer_timeout));
  out->set_order(ToProto(queue.order));
}

v1::Queue ToProto(const Queue& queue) {
  v1::Queue out;
  ToProto(queue, &out);
  return out;
}

absl::StatusOr<Queue> FromProto(const v1::Queue& msg) {
  Queue q;
  SB_RETURN_IF_ERROR(Prefixed(ConvertQueueFields(msg, q),
                              internal::StrCat("queue '", internal::Printable(msg.id()), "': ")));
  SB_RETURN_IF_ERROR(q.Validate());
  return q;
}

void ToProto(const TouchpointEvent& event, v1::TouchpointEvent* out) {
  out->Clear();
  out->set_id(event.id.value());
  out->set_tenant(event.tenant.value());
  out->set_type(ToProto(event.type));
  out->set_channel(ToProto(event.channel));
  out->set_occurred_at_micros(wire_internal::TimeToMicros(event.occurred_at));
  out->set_occurred_at_nanos(wire_internal::NanosPastMicros(event.occurred_at));
  out->set_received_at_micros(wire_internal::TimeToMicros(event.received_at));
  out->set_received_at_nanos(wire_internal::NanosPastMicros(event.received_at));
  for (const Identifier& id : event.identifiers) *out->add_identifiers() = ToProto(id);
  AttributesToProto(event.attributes, out->mutable_attributes());
  out->set_source_system(event.source_system);
  out->set_contact(event.contact.value());
}

v1::TouchpointEvent ToProto(const TouchpointEvent& event) {
  v1::TouchpointEvent out;
  ToProto(event, &out);
  return out;
}

absl::StatusOr<TouchpointEvent> FromProto(const v1::TouchpointEvent& msg) {
  TouchpointEvent e;
  SB_RETURN_IF_ERROR(Prefixed(ConvertEventFields(msg, "event", e),
                              internal::StrCat("event '", internal::Printable(msg.id()), "': ")));
  SB_RETURN_IF_ERROR(e.Validate());
  return e;
}

void ToProto(const Journey& journey, v1::Journey* out) {
  out->Clear();
  out->set_tenant(journey.tenant.value());
  out->set_customer(journey.customer.value());
  for (const TouchpointEvent& e : journey.events) ToProto(e, out->add_events());
}

v1::Journey ToProto(const Journey& journey) {
  v1::Journey out;
  ToProto(journey, &out);
  return out;
}

absl::StatusOr<Journey> FromProto(const v1::Journey& msg) {
  Journey j;
  j.tenant = TenantId(msg.tenant());
  j.customer = CustomerId(msg.customer());
  j.events.resize(static_cast<size_t>(msg.events_size()));
  const std::string prefix =
      internal::StrCat("journey of customer '", internal::Printable(msg.customer()), "': ");
  for (int i = 0; i < msg.events_size(); ++i) {
    SB_RETURN_IF_ERROR(Prefixed(ConvertEventFields(msg.events(i),
                                                   internal::StrCat("journey.events[", i, "]"),
                                                   j.events[static_cast<size_t>(i)]),
                                prefix));
  }
  SB_RETURN_IF_ERROR(j.Validate());
  return j;
}

}  // namespace switchboard
