// The example of docs/routing.md: one queue, two agents, a call and a chat through their whole
// lifecycle, printed as the listener sees it, then the queue's live statistics; last, a host
// strategy registered by name.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "switchboard/contact_state.h"
#include "switchboard/router.h"
#include "switchboard/routing_stats.h"
#include "switchboard/routing_strategy.h"

namespace sb = switchboard;

// [listener]
class PrintingListener : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override {
    std::string line = std::string(sb::RoutingEventTypeName(e.type));
    if (!e.contact.empty()) line += " contact=" + e.contact.value();
    if (!e.agent.empty()) line += " agent=" + e.agent.value();
    if (e.type == sb::RoutingEventType::kAgentStateChanged) {
      line += " " + std::string(sb::AgentStateName(e.previous_status.state)) + "->" +
              std::string(sb::AgentStateName(e.agent_status.state));
    }
    std::printf("  %s\n", line.c_str());
  }
};
// [listener]

// [custom-strategy]
// A host strategy: the most senior agent first (a "seniority" attribute), then longest idle.
// Rank() sees views of the agent (id, site, teams, attributes), its queue and membership, and
// the live figures of AgentRankInput; lower ranks are offered first.
class SeniorFirst final : public sb::AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "senior-first"; }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override {
    auto it = in.attributes().find("seniority");
    const std::int64_t seniority = it == in.attributes().end() ? 0 : std::atoll(it->second.c_str());
    return sb::AgentRank{-seniority, 0, absl::ToUnixNanos(in.idle_since)};
  }
};

// Registers it, routes one call through a queue that uses it, returns the agent offered.
std::string RouteWithCustomStrategy() {
  sb::AgentSelectionStrategyRegistry registry;  // starts with the built-ins
  if (!registry.Register("senior-first", [] { return std::make_unique<SeniorFirst>(); }).ok()) {
    return "";
  }
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  sb::RouterOptions options;
  options.strategies = &registry;
  auto router = sb::Router::Create(options, &clock, nullptr);
  if (!router.ok()) return "";
  sb::Queue vip;
  vip.id = sb::QueueId("vip");
  vip.tenant = sb::TenantId("acme");
  vip.channels = {sb::Channel::kVoice};
  if (!(*router)->AddQueue(vip, "senior-first").ok()) return "";
  for (const auto& [id, seniority] : {std::pair{"cy", "2"}, std::pair{"di", "9"}}) {
    sb::Agent agent;
    agent.id = sb::AgentId(id);
    agent.tenant = vip.tenant;
    agent.queues = {{vip.id, 1, absl::ZeroDuration()}};
    agent.attributes = {{"seniority", seniority}};
    agent.status.state = sb::AgentState::kAvailable;
    if (!(*router)->AddAgent(agent).ok()) return "";
  }
  sb::Contact call;
  call.id = sb::ContactId("call-2");
  call.tenant = vip.tenant;
  call.arrived_at = clock.Now();
  if (!(*router)->Enqueue(call, vip.id).ok()) return "";
  const auto offer = (*router)->CurrentOffer(call.id);
  return offer.ok() && offer->has_value() ? (*offer)->agent.value() : "";
}
// [custom-strategy]

// [preferred-wait] A returning customer waits up to a minute for the agent who helped last time,
// although another agent is free; the agent frees up after 20 s and gets the call.
bool WaitForPreferredAgent() {
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto router = sb::Router::Create({}, &clock, nullptr);
  if (!router.ok()) return false;
  sb::Queue support;
  support.id = sb::QueueId("support");
  support.tenant = sb::TenantId("acme");
  support.channels = {sb::Channel::kVoice};
  if (!(*router)->AddQueue(support).ok()) return false;
  for (const char* id : {"eve", "fay"}) {
    sb::Agent agent;
    agent.id = sb::AgentId(id);
    agent.tenant = support.tenant;
    agent.queues = {{support.id, 1, absl::ZeroDuration()}};
    agent.status.state = sb::AgentState::kAvailable;
    if (!(*router)->AddAgent(agent).ok()) return false;
  }
  auto call = [&](const char* id) {
    sb::Contact c;
    c.id = sb::ContactId(id);
    c.tenant = support.tenant;
    c.arrived_at = clock.Now();
    return c;
  };
  if (!(*router)->Enqueue(call("first"), support.id).ok()) return false;  // eve (longest idle)
  if (!(*router)->Accept(sb::ContactId("first"), sb::AgentId("eve")).ok()) return false;

  sb::Contact back = call("back");
  back.preferred_agent = sb::AgentId("eve");      // from the journey's last agent
  back.preferred_agent_wait = absl::Seconds(60);  // worth a minute's wait
  if (!(*router)->Enqueue(back, support.id).ok()) return false;
  const sb::ContactInfo waiting = (*router)->GetContact(back.id).value();
  std::printf("'back' waits for %s until +%s; fay is free but not offered it\n",
              waiting.reserved_for.value().c_str(),
              absl::FormatDuration(waiting.reserved_until - clock.Now()).c_str());

  clock.Advance(absl::Seconds(20));
  if (!(*router)->Complete(sb::ContactId("first"), "resolved").ok()) return false;
  const auto offer = (*router)->CurrentOffer(back.id).value();
  std::printf("eve is free after 20 s: 'back' is offered to %s\n",
              offer ? offer->agent.value().c_str() : "nobody");
  return waiting.state == sb::ContactState::kWaiting && offer && offer->agent.value() == "eve";
}
// [preferred-wait]

// [routing-update] A loan call waits for a loans specialist. After a minute the host widens the
// search (any agent may take it) and raises its priority, as a Genesys bullseye ring or an Amazon
// Connect routing step would: the next free agent gets it ahead of an older general call.
bool WidenAfterAMinute() {
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto router = sb::Router::Create({}, &clock, nullptr);
  if (!router.ok()) return false;
  sb::Queue sales;
  sales.id = sb::QueueId("sales");
  sales.tenant = sb::TenantId("acme");
  sales.channels = {sb::Channel::kVoice};
  if (!(*router)->AddQueue(sales).ok()) return false;
  sb::Agent gus;
  gus.id = sb::AgentId("gus");
  gus.tenant = sales.tenant;
  gus.queues = {{sales.id, 1, absl::ZeroDuration()}};
  gus.status.state = sb::AgentState::kAway;  // on a break; no loans skill
  if (!(*router)->AddAgent(gus).ok()) return false;
  auto call = [&](const char* id) {
    sb::Contact c;
    c.id = sb::ContactId(id);
    c.tenant = sales.tenant;
    c.arrived_at = clock.Now();
    return c;
  };
  if (!(*router)->Enqueue(call("general"), sales.id).ok()) return false;
  sb::Contact loan = call("loan");
  loan.required_skills = {{"loans", 5, true}};
  if (!(*router)->Enqueue(loan, sales.id).ok()) return false;

  clock.Advance(absl::Minutes(1));
  sb::ContactRoutingUpdate widen;
  widen.required_skills = std::vector<sb::SkillRequirement>{};  // no skill of its own now
  widen.priority = 5;
  if (!(*router)->UpdateRouting(loan.id, widen).ok()) return false;
  if (!(*router)->SetAgentState(gus.id, sb::AgentState::kAvailable).ok()) return false;
  const auto offer = (*router)->CurrentOffer(loan.id).value();
  std::printf("after a minute the loan call is widened and raised: offered to %s\n",
              offer ? offer->agent.value().c_str() : "nobody");
  return offer && offer->agent == gus.id;
}
// [routing-update]

int main() {
  // [setup]
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  PrintingListener listener;
  sb::RouterOptions options;  // longest-idle, 2 missed offers -> away, seed 0x5eed
  auto created = sb::Router::Create(options, &clock, &listener);
  if (!created.ok()) return 1;
  sb::Router& router = **created;

  sb::Queue billing;
  billing.id = sb::QueueId("billing");
  billing.tenant = sb::TenantId("acme");
  billing.channels = {sb::Channel::kVoice, sb::Channel::kChat};
  billing.required_skills = {{"billing", 3, true}};
  billing.wrap_up = absl::Seconds(30);
  if (!router.AddQueue(billing).ok()) return 1;

  for (const char* id : {"ana", "ben"}) {
    sb::Agent agent;
    agent.id = sb::AgentId(id);
    agent.tenant = sb::TenantId("acme");
    agent.skills = {{"billing", id[0] == 'a' ? 8 : 5}};
    agent.queues = {{billing.id, /*priority=*/1, /*delay=*/absl::ZeroDuration()}};
    agent.status.state = sb::AgentState::kAvailable;  // capacities: the channel defaults
    if (!router.AddAgent(agent).ok()) return 1;
    clock.Advance(absl::Seconds(1));  // ana has been idle longest
  }
  // [setup]

  // [lifecycle]
  std::printf("a call arrives:\n");
  sb::Contact call;
  call.id = sb::ContactId("call-1");
  call.tenant = sb::TenantId("acme");
  call.channel = sb::Channel::kVoice;
  call.arrived_at = clock.Now();
  if (!router.Enqueue(call, billing.id).ok()) return 1;  // offered to ana (longest idle)

  clock.Advance(absl::Seconds(4));
  std::printf("ana answers after 4 s:\n");
  const std::optional<sb::Offer> offer = router.CurrentOffer(call.id).value();
  if (!offer || !router.Accept(offer->id).ok()) return 1;

  std::printf("a chat arrives while ana is on the call:\n");
  sb::Contact chat = call;
  chat.id = sb::ContactId("chat-1");
  chat.channel = sb::Channel::kChat;
  chat.arrived_at = clock.Now();
  if (!router.Enqueue(chat, billing.id).ok()) return 1;  // voice is exclusive: ben gets it
  if (!router.Decline(chat.id, sb::AgentId("ben")).ok()) return 1;  // ... and declines

  clock.Advance(absl::Minutes(3));
  std::printf("ana completes the call; wrap-up, then the waiting chat:\n");
  if (!router.Complete(call.id, "resolved").ok()) return 1;
  clock.Advance(billing.wrap_up);
  if (!router.Tick().ok()) return 1;  // wrap-up over: ana is offered the chat
  // [lifecycle]

  // [bad-input]
  const absl::Status again = router.Complete(call.id, "twice");
  std::printf("completing it twice: %s\n", again.ToString().c_str());
  // [bad-input]

  // [stats]
  const sb::QueueStats stats = router.GetQueueStats(billing.id).value();
  std::printf("billing: entered=%lld answered=%lld waiting=%d offered_now=%d ASA=%s AHT=%s\n",
              static_cast<long long>(stats.entered), static_cast<long long>(stats.answered),
              stats.waiting, stats.offered_now,
              absl::FormatDuration(stats.average_speed_of_answer).c_str(),
              absl::FormatDuration(stats.average_handle_time).c_str());
  if (stats.service_level) std::printf("service level: %.0f%%\n", 100 * *stats.service_level);

  // Where one contact is (contact_state.h), and what one agent did (routing_stats.h).
  const sb::ContactInfo chat_now = router.GetContact(chat.id).value();
  std::printf("chat-1: %s to %s in %s, %d offers so far\n",
              std::string(sb::ContactStateName(chat_now.state)).c_str(),
              chat_now.agent.value().c_str(), chat_now.queue.value().c_str(), chat_now.offers);
  const sb::AgentStats ana = router.GetAgentStats(sb::AgentId("ana")).value();
  std::printf("ana: handled=%lld busy=%s occupancy=%.2f\n",
              static_cast<long long>(ana.contacts_handled),
              absl::FormatDuration(ana.busy_time).c_str(), ana.occupancy);
  // [stats]
  // The chat was declined by ben, then offered to ana after her wrap-up: its second offer.
  if (chat_now.state != sb::ContactState::kOffered || chat_now.agent != sb::AgentId("ana") ||
      chat_now.offers != 2 || ana.contacts_handled != 1) {
    return 1;
  }

  const std::string senior = RouteWithCustomStrategy();
  std::printf("senior-first offers the vip call to: %s\n", senior.c_str());
  if (senior != "di") return 1;  // di (seniority 9) before cy, although cy was added first
  if (!WaitForPreferredAgent()) return 1;
  if (!WidenAfterAMinute()) return 1;
  return 0;
}
