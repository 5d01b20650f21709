// The demo `./scripts/setup` runs: builds a few agents, queues and contacts, validates them and
// prints them, then routes a few contacts through the Router and prints the offers.
#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "switchboard/agent.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/queue.h"
#include "switchboard/router.h"

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

  // Route a few contacts: ana and ben serve billing; each offer is printed as it is made.
  struct PrintOffers : sb::RouterListener {
    void OnEvent(const sb::RoutingEvent& e) override {
      if (e.type != sb::RoutingEventType::kOffered) return;
      std::printf("offer %llu: %s -> %s (expires in %s)\n",
                  static_cast<unsigned long long>(e.offer->id.value),
                  e.contact.value().c_str(), e.agent.value().c_str(),
                  absl::FormatDuration(e.offer->expires_at - e.offer->offered_at).c_str());
    }
  } printer;
  auto router = sb::Router::Create({}, &clock, &printer);
  if (!router.ok() || !(*router)->AddQueue(billing).ok()) return 1;
  sb::Agent ben = ana;
  ben.id = sb::AgentId("ben");
  ben.skills = {{"billing", 6}};
  ben.languages = {"en"};
  for (sb::Agent* a : {&ana, &ben}) {
    a->status.state = sb::AgentState::kAvailable;
    if (!(*router)->AddAgent(*a).ok()) return 1;
    clock.Advance(absl::Seconds(1));
  }
  sb::Contact chat = call;
  chat.id = sb::ContactId("chat-1");
  chat.channel = sb::Channel::kChat;
  chat.language = "en";
  sb::Contact call2 = call;
  call2.id = sb::ContactId("call-2");
  for (const sb::Contact& c : {call, chat, call2}) {
    if (!(*router)->Enqueue(c, billing.id).ok()) return 1;
  }
  auto stats = (*router)->GetQueueStats(billing.id);
  if (!stats.ok()) return 1;
  std::printf("billing: %d waiting, %d offered\n", stats->waiting, stats->offered_now);
  return 0;
}
