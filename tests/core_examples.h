// Full objects of every core type, every field set (optional ones included), for tests that
// need realistic values: wire round-trips, hostile-input tests that damage a valid object.
#ifndef SWITCHBOARD_TESTS_CORE_EXAMPLES_H_
#define SWITCHBOARD_TESTS_CORE_EXAMPLES_H_

#include <cstdint>

#include "switchboard/agent.h"
#include "switchboard/contact.h"
#include "switchboard/journey.h"
#include "switchboard/queue.h"
#include "switchboard/touchpoint_event.h"

namespace sbt {

namespace sb = switchboard;

inline constexpr int64_t kT0Micros = 1'700'000'000'000'000;  // 2023-11-14, a whole second

inline absl::Time T(int64_t micros) { return absl::FromUnixMicros(micros); }

inline sb::Contact FullContact() {
  sb::Contact c;
  c.id = sb::ContactId("call-0001");
  c.tenant = sb::TenantId("acme");
  c.channel = sb::Channel::kChat;
  c.direction = sb::Direction::kOutbound;
  c.identifiers = {{sb::IdentifierKind::kPhone, "+14155550100", ""},
                   {sb::IdentifierKind::kSocialHandle, "@ana", "x"},
                   {sb::IdentifierKind::kCustom, "LC-991", "loyalty_card"}};
  c.attributes = {{"account_type", "gold"}, {"ivr_menu", "2"}, {"note", "caf\xc3\xa9"}};
  c.required_skills = {{"billing", 5, true}, {"spanish", 3, false}};
  c.language = "he-IL";
  c.intent = "cancel_subscription";
  c.priority = 42;
  c.arrived_at = T(kT0Micros + 123'456);
  c.service_level = sb::ServiceLevelTarget{0.9, absl::Seconds(30)};
  c.preferred_agent = sb::AgentId("ana");
  c.preferred_agent_wait = absl::Seconds(45);
  return c;
}

inline sb::Agent FullAgent() {
  sb::Agent a;
  a.id = sb::AgentId("ana");
  a.tenant = sb::TenantId("acme");
  a.name = "Ana Lima";
  a.skills = {{"billing", 8}, {"spanish", 6}};
  a.languages = {"en", "es"};
  a.capacities = {
      {sb::Channel::kVoice, 1, 100}, {sb::Channel::kChat, 3, 33}, {sb::Channel::kEmail, 0, 10}};
  a.capacity_units = 100;
  a.allow_blending = true;
  a.queues = {{sb::QueueId("billing"), 1, absl::ZeroDuration()},
              {sb::QueueId("sales"), 2, absl::Seconds(45)}};
  a.site = "lisbon";
  a.teams = {"tier1", "billing-team"};
  a.attributes = {{"badge", "17"}};
  a.status = {sb::AgentState::kAway, "lunch"};
  return a;
}

inline sb::Queue FullQueue() {
  sb::Queue q;
  q.id = sb::QueueId("billing");
  q.tenant = sb::TenantId("acme");
  q.name = "Billing";
  q.channels = {sb::Channel::kVoice, sb::Channel::kChat, sb::Channel::kCallback};
  q.required_skills = {{"billing", 3, true}};
  q.priority = 7;
  q.service_level = {0.8, absl::Seconds(20)};
  q.max_waiting = 250;
  q.wrap_up = absl::Seconds(30);
  q.offer_timeout = absl::Seconds(12);
  q.order = sb::QueueOrder::kLifo;
  return q;
}

inline sb::TouchpointEvent FullEvent(const char* id, int64_t micros) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(id);
  e.tenant = sb::TenantId("acme");
  e.type = sb::EventType::kSurveyResponse;
  e.channel = sb::Channel::kEmail;
  e.occurred_at = T(micros);
  e.received_at = T(micros + 2'500'000);
  e.identifiers = {{sb::IdentifierKind::kEmail, "Ana@Example.com", ""},
                   {sb::IdentifierKind::kDeviceId, "cookie-77", ""}};
  e.attributes = {{"score", "9"}, {"survey", "nps"}};
  e.source_system = "survey-tool";
  e.contact = sb::ContactId("call-0001");
  return e;
}

inline sb::Journey FullJourney() {
  sb::Journey j;
  j.tenant = sb::TenantId("acme");
  j.customer = sb::CustomerId("cust-1");
  j.events = {FullEvent("a", kT0Micros), FullEvent("b", kT0Micros), FullEvent("c", kT0Micros + 1)};
  j.events[1].type = sb::EventType::kCaseOpened;
  j.events[2].contact = sb::ContactId();  // optional
  return j;
}

}  // namespace sbt

#endif  // SWITCHBOARD_TESTS_CORE_EXAMPLES_H_
