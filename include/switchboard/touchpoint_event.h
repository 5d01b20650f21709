// A touchpoint event: one thing that happened between a customer and the business, on any
// channel, reported by any system (the ACD, the chat platform, the CRM, the web site). The
// journey merger resolves events to customers and orders them into journeys.
//
// Thread-safety: plain value.
//
//   switchboard::TouchpointEvent e;
//   e.id = switchboard::EventId("mail-42");
//   e.tenant = switchboard::TenantId("acme");
//   e.type = switchboard::EventType::kMessage;
//   e.channel = switchboard::Channel::kEmail;
//   e.occurred_at = e.received_at = clock.Now();
//   e.identifiers = {{switchboard::IdentifierKind::kEmail, "Ana@Example.com"}};
//   e.source_system = "mail-gateway";
//   absl::Status s = e.Validate();
#ifndef SWITCHBOARD_TOUCHPOINT_EVENT_H_
#define SWITCHBOARD_TOUCHPOINT_EVENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/identifier.h"
#include "switchboard/ids.h"

namespace switchboard {

enum class EventType : unsigned char {
  kContactStarted = 0,
  kContactEnded,
  kMessage,
  kIvrStep,
  kBotIntent,
  kWebVisit,
  kPurchase,
  kCampaignSent,
  kSurveyResponse,
  kCaseOpened,
  kCaseResolved,
  kAgentNote,
};

inline constexpr int kEventTypeCount = 12;

// "contact_started", "contact_ended", "message", "ivr_step", "bot_intent", "web_visit",
// "purchase", "campaign_sent", "survey_response", "case_opened", "case_resolved", "agent_note".
SWITCHBOARD_EXPORT std::string_view EventTypeName(EventType type);
SWITCHBOARD_EXPORT absl::StatusOr<EventType> ParseEventType(std::string_view name);

struct TouchpointEvent {
  EventId id;  // unique per tenant; a repeated id is a duplicate delivery
  TenantId tenant;
  EventType type = EventType::kMessage;
  Channel channel = Channel::kVoice;
  absl::Time occurred_at = absl::UnixEpoch();  // when it happened at the source
  absl::Time received_at = absl::UnixEpoch();  // when Switchboard got it
  std::vector<Identifier> identifiers;
  Attributes attributes;  // intent, summary, case id, survey score, agent id, ...
  std::string source_system;
  ContactId contact;  // the contact this event belongs to, if any (may be empty)

  // OK, or InvalidArgument naming the first offending field and this event's id.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
  friend bool operator==(const TouchpointEvent&, const TouchpointEvent&) = default;
};

// Journey order: by occurred_at, ties by event id.
inline bool JourneyOrderLess(const TouchpointEvent& a, const TouchpointEvent& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at < b.occurred_at;
  return a.id < b.id;
}

}  // namespace switchboard

#endif  // SWITCHBOARD_TOUCHPOINT_EVENT_H_
