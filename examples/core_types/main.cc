// The example docs/core-types.md walks through: build each core type, validate it, and read the
// error a bad value produces. Compiled in CI so the guide cannot drift from the API.
#include <cstdio>
#include <string>

#include "switchboard/agent.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/identifier.h"
#include "switchboard/ids.h"
#include "switchboard/journey.h"
#include "switchboard/limits.h"
#include "switchboard/queue.h"
#include "switchboard/service_level.h"
#include "switchboard/skill.h"
#include "switchboard/touchpoint_event.h"

namespace sb = switchboard;

namespace {

void Report(const char* what, const absl::Status& status) {
  std::printf("%-28s %s\n", what, status.ok() ? "ok" : std::string(status.message()).c_str());
}

}  // namespace

int main() {
  // [clock] Time always comes from an injected clock; tests and the simulator drive it by hand.
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));

  // [queue] A queue serving voice and chat, 80% within 20 s, 30 s wrap-up.
  sb::Queue billing;
  billing.id = sb::QueueId("billing");
  billing.tenant = sb::TenantId("acme");
  billing.channels = {sb::Channel::kVoice, sb::Channel::kChat};
  billing.required_skills = {{"billing", 3, /*required=*/true}};
  billing.service_level = sb::ServiceLevelTarget{0.8, absl::Seconds(20)};
  billing.wrap_up = absl::Seconds(30);
  Report("queue billing", billing.Validate());

  // [agent] An agent with skills, languages, per-channel capacity and a routing profile.
  sb::Agent ana;
  ana.id = sb::AgentId("ana");
  ana.tenant = sb::TenantId("acme");
  ana.skills = {{"billing", 8}, {"spanish", 6}};
  ana.languages = {"en", "es"};
  ana.capacities = {sb::DefaultCapacity(sb::Channel::kVoice),
                    sb::DefaultCapacity(sb::Channel::kChat)};
  ana.queues = {{billing.id, /*priority=*/1, /*delay=*/absl::ZeroDuration()}};
  ana.site = "tel-aviv";
  ana.status.state = sb::AgentState::kAvailable;
  Report("agent ana", ana.Validate());

  // [contact] A call from a known phone number that needs billing skill in Spanish.
  sb::Contact call;
  call.id = sb::ContactId("call-0001");
  call.tenant = sb::TenantId("acme");
  call.channel = sb::Channel::kVoice;
  call.identifiers = {{sb::IdentifierKind::kPhone, "+1 415 555 0100", ""}};
  call.attributes = {{"ivr_menu", "2"}};
  call.required_skills = {{"billing", 5, true}};
  call.language = "es";
  call.intent = "dispute_charge";
  call.arrived_at = clock.Now();
  Report("contact call-0001", call.Validate());

  // [event] The e-mail the same customer sent earlier, as a touchpoint event.
  sb::TouchpointEvent email;
  email.id = sb::EventId("mail-42");
  email.tenant = sb::TenantId("acme");
  email.type = sb::EventType::kMessage;
  email.channel = sb::Channel::kEmail;
  email.occurred_at = clock.Now() - absl::Hours(3);
  email.received_at = clock.Now() - absl::Hours(3) + absl::Seconds(2);
  email.identifiers = {{sb::IdentifierKind::kEmail, "Ana@Example.com", ""}};
  email.attributes = {{"summary", "charged twice for March"}};
  email.source_system = "mail-gateway";
  Report("event mail-42", email.Validate());

  // [journey] Events of one customer in occurred-at order.
  sb::Journey journey;
  journey.tenant = sb::TenantId("acme");
  journey.customer = sb::CustomerId("cust-1");
  journey.events = {email};
  Report("journey cust-1", journey.Validate());

  // [errors] Bad input is reported with the field and the id, never by a crash.
  sb::Agent bad_agent = ana;
  bad_agent.capacities[1].max_concurrent = -1;
  Report("agent with negative capacity", bad_agent.Validate());
  sb::Contact early = call;
  early.arrived_at = absl::UnixEpoch() - absl::Seconds(1);
  Report("contact before the epoch", early.Validate());
  auto unknown = sb::ParseChannel("fax");
  Report("channel 'fax'", unknown.status());

  // [traits] What a channel implies for an agent's load.
  for (sb::Channel channel : sb::kAllChannels) {
    const sb::ChannelTraits traits = sb::TraitsOf(channel);
    std::printf("%-13s synchronous=%d exclusive=%d max=%d cost=%d\n",
                std::string(sb::ChannelName(channel)).c_str(), traits.synchronous,
                traits.exclusive, traits.default_max_concurrent, traits.default_cost_units);
  }
  return 0;
}
