// The omnichannel hand-off of docs/journeys.md: Ana e-mails at 10:00, chats at 11:00 and calls at
// 13:00. The journey merger links the three touchpoints to one customer, and the agent who takes
// the call sees what happened before, without asking again.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/clock.h"
#include "switchboard/context_snapshot.h"
#include "switchboard/journey_merger.h"
#include "switchboard/router.h"

namespace sb = switchboard;

namespace {

const sb::TenantId kTenant("acme");

sb::TouchpointEvent Event(const char* id, absl::Time at, sb::EventType type, sb::Channel channel,
                          std::vector<sb::Identifier> identifiers, sb::Attributes attributes,
                          const char* source) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(id);
  e.tenant = kTenant;
  e.type = type;
  e.channel = channel;
  e.occurred_at = e.received_at = at;
  e.identifiers = std::move(identifiers);
  e.attributes = std::move(attributes);
  e.source_system = source;
  return e;
}

// Remembers who the router offered each contact to.
class OfferLog : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override {
    if (e.type == sb::RoutingEventType::kOffered) last_offer_to = e.agent.value();
  }
  std::string last_offer_to;
};

// The billing queue at 13:00: agent-3 has been idle the longest, agent-7 took Ana's chat.
absl::StatusOr<std::string> RouteCall(const sb::Clock* clock, const sb::Contact& call) {
  OfferLog log;
  absl::StatusOr<std::unique_ptr<sb::Router>> created = sb::Router::Create({}, clock, &log);
  if (!created.ok()) return created.status();
  std::unique_ptr<sb::Router> router = *std::move(created);
  sb::Queue billing;
  billing.id = sb::QueueId("billing");
  billing.tenant = kTenant;
  billing.channels = {sb::Channel::kVoice};
  if (absl::Status s = router->AddQueue(billing); !s.ok()) return s;
  for (const char* id : {"agent-3", "agent-7"}) {
    sb::Agent agent;
    agent.id = sb::AgentId(id);
    agent.tenant = kTenant;
    agent.skills = {{"billing", 6}};
    agent.languages = {"en", "es"};
    agent.queues = {{billing.id, 1, absl::ZeroDuration()}};
    agent.status.state = sb::AgentState::kAvailable;
    if (absl::Status s = router->AddAgent(agent); !s.ok()) return s;
  }
  if (absl::Status s = router->Enqueue(call, billing.id); !s.ok()) return s;
  return log.last_offer_to;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main() {
  const absl::Time ten = absl::FromCivil(absl::CivilMinute(2024, 3, 4, 10, 0), absl::UTCTimeZone());
  sb::ManualClock clock(ten);
  sb::JourneyMergerOptions options;
  options.identity.default_phone_region = "US";  // national numbers are North American
  absl::StatusOr<std::unique_ptr<sb::JourneyMerger>> merger =
      sb::JourneyMerger::Create(options, &clock);
  if (!merger.ok()) return Fail(merger.status());

  // 10:00 - an e-mail about a double charge.
  absl::StatusOr<sb::IngestResult> mail = (*merger)->Ingest(Event(
      "mail-1", ten, sb::EventType::kMessage, sb::Channel::kEmail,
      {{sb::IdentifierKind::kEmail, " Ana.Silva@Example.com", ""}},
      {{"intent", "billing"}, {"summary", "Charged twice for March"}, {"language", "es"}},
      "mail-gateway"));
  if (!mail.ok()) return Fail(mail.status());
  std::printf("10:00 email  -> customer %s (email %s)\n", mail->customer.value().c_str(),
              std::string(sb::IdentifierOutcomeName(mail->identifiers[0].outcome)).c_str());

  // 11:00 - a chat from the web site: logged in with the same e-mail, gives a phone number.
  clock.Set(ten + absl::Hours(1));
  absl::StatusOr<sb::IngestResult> chat = (*merger)->Ingest(Event(
      "chat-1", clock.Now(), sb::EventType::kContactEnded, sb::Channel::kChat,
      {{sb::IdentifierKind::kEmail, "ana.silva@example.com", ""},
       {sb::IdentifierKind::kPhone, "(415) 555-0142", ""}},
      {{"agent_id", "agent-7"}, {"queue_id", "billing"}, {"identity_verified", "true"},
       {"summary", "Refund of $42 promised within 3 days"}, {"tier", "gold"}},
      "chat-platform"));
  if (!chat.ok()) return Fail(chat.status());
  std::printf("11:00 chat   -> customer %s (email %s, phone %s)\n", chat->customer.value().c_str(),
              std::string(sb::IdentifierOutcomeName(chat->identifiers[0].outcome)).c_str(),
              std::string(sb::IdentifierOutcomeName(chat->identifiers[1].outcome)).c_str());
  absl::StatusOr<sb::IngestResult> note = (*merger)->Ingest(Event(
      "note-1", clock.Now() + absl::Minutes(2), sb::EventType::kAgentNote, sb::Channel::kChat,
      {{sb::IdentifierKind::kEmail, "ana.silva@example.com", ""}},
      {{"note", "Refund ticket RF-881 raised; prefers Spanish"}, {"agent_id", "agent-7"}},
      "chat-platform"));
  if (!note.ok()) return Fail(note.status());

  // 13:00 - a call from the phone number given in the chat.
  clock.Set(ten + absl::Hours(3));
  sb::Contact call;
  call.id = sb::ContactId("call-1");
  call.tenant = kTenant;
  call.channel = sb::Channel::kVoice;
  call.identifiers = {{sb::IdentifierKind::kPhone, "+1 415 555 0142", ""}};
  call.intent = "billing";  // from the IVR menu
  call.arrived_at = clock.Now();
  absl::StatusOr<sb::ContextSnapshot> snap = (*merger)->SnapshotFor(call);
  if (!snap.ok()) return Fail(snap.status());
  if (!snap->customer) return Fail(absl::NotFoundError("the call was not resolved"));

  std::printf("13:00 call   -> customer %s, %lld earlier touchpoints\n",
              snap->customer->value().c_str(), static_cast<long long>(snap->total_touchpoints));
  for (const sb::TouchpointSummary& t : snap->recent) {
    std::printf("  %s %-7s %s\n", absl::FormatTime("%H:%M", t.occurred_at, absl::UTCTimeZone()).c_str(),
                std::string(sb::ChannelName(t.channel)).c_str(), t.summary.c_str());
  }
  std::printf("  last agent %s, verified %s, repeat contact %s, language %s, tier %s\n",
              snap->last_agent ? snap->last_agent->value().c_str() : "-",
              snap->identity_verified ? "yes (skip the IVR check)" : "no",
              snap->repeat_contact ? "yes" : "no", snap->language.c_str(), snap->tier.c_str());
  for (const std::string& n : snap->notes) std::printf("  note: %s\n", n.c_str());

  // The router's input: the last agent is preferred, the intent is a skill, the tier and the
  // repeat raise the priority.
  if (absl::Status s = sb::ApplySnapshotToContact(*snap, sb::RoutingInputOptions{}, &call); !s.ok()) {
    return Fail(s);
  }
  std::printf("routing input: preferred agent %s, skill %s, priority %d, language %s\n",
              call.preferred_agent->value().c_str(), call.required_skills[0].name.c_str(),
              call.priority, call.language.c_str());

  // The router offers the call to the agent who already knows Ana (longest-idle alone would pick
  // agent-3).
  absl::StatusOr<std::string> offered_to = RouteCall(&clock, call);
  if (!offered_to.ok()) return Fail(offered_to.status());
  std::printf("offered to %s\n", offered_to->c_str());

  // The journey, in order, across channels.
  absl::StatusOr<sb::Journey> journey = (*merger)->GetJourney(kTenant, *snap->customer);
  if (!journey.ok()) return Fail(journey.status());
  std::printf("journey of %s:", journey->customer.value().c_str());
  for (const sb::TouchpointEvent& e : journey->events) std::printf(" %s", e.id.value().c_str());
  std::printf("\n");
  return 0;
}
