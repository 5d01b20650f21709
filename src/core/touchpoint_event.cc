#include "switchboard/touchpoint_event.h"

#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "src/internal/touchpoint_event_checks.h"
#include "switchboard/contact.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

constexpr std::string_view kEventTypeNames[kEventTypeCount] = {
    "contact_started", "contact_ended", "message",       "ivr_step",
    "bot_intent",      "web_visit",     "purchase",      "campaign_sent",
    "survey_response", "case_opened",   "case_resolved", "agent_note"};

bool IsKnownEventType(EventType type) {
  return static_cast<int>(type) < kEventTypeCount;
}

absl::Status ValidateFields(const TouchpointEvent& e, bool identifiers) {
  SB_RETURN_IF_ERROR(e.id.Validate("event.id"));
  SB_RETURN_IF_ERROR(e.tenant.Validate("event.tenant"));
  if (!IsKnownEventType(e.type)) {
    return absl::InvalidArgumentError(
        internal::StrCat("event.type ", static_cast<int>(e.type), " is not a known event type"));
  }
  if (!IsKnownChannel(e.channel)) {
    return absl::InvalidArgumentError(
        internal::StrCat("event.channel ", static_cast<int>(e.channel), " is not a known channel"));
  }
  SB_RETURN_IF_ERROR(ValidateTime(e.occurred_at, "event.occurred_at"));
  SB_RETURN_IF_ERROR(ValidateTime(e.received_at, "event.received_at"));
  if (identifiers) SB_RETURN_IF_ERROR(ValidateIdentifiers(e.identifiers, "event.identifiers"));
  SB_RETURN_IF_ERROR(ValidateAttributes(e.attributes, "event.attributes"));
  SB_RETURN_IF_ERROR(
      internal::ValidateText(e.source_system, "event.source_system", kMaxNameLength));
  if (!e.contact.empty()) SB_RETURN_IF_ERROR(e.contact.Validate("event.contact"));
  return absl::OkStatus();
}

absl::Status WithId(const absl::Status& status, const EventId& id) {
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat("event '", internal::Printable(id.value()),
                                                      "': ", status.message()));
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  return IsKnownEventType(type) ? kEventTypeNames[static_cast<int>(type)] : "unknown";
}

absl::StatusOr<EventType> ParseEventType(std::string_view name) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (kEventTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return absl::InvalidArgumentError(
      internal::StrCat("unknown event type '", internal::Printable(name), "'"));
}

absl::Status TouchpointEvent::Validate() const {
  return WithId(ValidateFields(*this, /*identifiers=*/true), id);
}

namespace internal {

absl::Status ValidateEventExceptIdentifiers(const TouchpointEvent& event) {
  return WithId(ValidateFields(event, /*identifiers=*/false), event.id);
}

}  // namespace internal

}  // namespace switchboard
