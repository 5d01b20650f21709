// The demo `./scripts/setup` runs: builds a few agents, queues and contacts, validates them and
// prints them. It grows into a routing demo as the router lands.
#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "switchboard/agent.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/queue.h"

namespace sb = switchboard;

int main() {
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));

  sb::Queue billing;
  billing.id = sb::QueueId("billing");
  billing.tenant = sb::TenantId("acme");
  billing.channels = {sb::Channel::kVoice, sb::Channel::kChat};
  billing.required_skills = {{"billing", 3, true}};

  sb::Agent ana;
  ana.id = sb::AgentId("ana");
  ana.tenant = sb::TenantId("acme");
  ana.skills = {{"billing", 8}};
  ana.languages = {"en", "es"};
  ana.capacities = {sb::DefaultCapacity(sb::Channel::kVoice),
                    sb::DefaultCapacity(sb::Channel::kChat)};
  ana.queues = {{billing.id, 1, absl::ZeroDuration()}};

  sb::Contact call;
  call.id = sb::ContactId("call-1");
  call.tenant = sb::TenantId("acme");
  call.channel = sb::Channel::kVoice;
  call.identifiers = {{sb::IdentifierKind::kPhone, "+14155550100", ""}};
  call.required_skills = {{"billing", 5, true}};
  call.language = "es";
  call.arrived_at = clock.Now();

  sb::Contact bad = call;
  bad.required_skills[0].min_proficiency = 11;

  for (const absl::Status& s : {billing.Validate(), ana.Validate(), call.Validate()}) {
    if (!s.ok()) {
      std::printf("unexpected: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  std::printf("queue %s serves voice and chat, needs billing>=3\n", billing.id.value().c_str());
  std::printf("agent %s speaks %s, billing proficiency %d\n", ana.id.value().c_str(),
              absl::StrJoin(ana.languages, ",").c_str(), ana.ProficiencyIn("billing"));
  std::printf("contact %s on %s wants billing>=5 in %s\n", call.id.value().c_str(),
              std::string(sb::ChannelName(call.channel)).c_str(), call.language.c_str());
  std::printf("a contact asking for proficiency 11 is rejected: %s\n",
              std::string(bad.Validate().message()).c_str());
  return 0;
}
