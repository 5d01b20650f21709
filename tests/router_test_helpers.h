// Shared helpers of the router tests: a recording listener, a harness owning a manual clock and a
// router, and builders for valid queues, agents and contacts.
#ifndef SWITCHBOARD_TESTS_ROUTER_TEST_HELPERS_H_
#define SWITCHBOARD_TESTS_ROUTER_TEST_HELPERS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "switchboard/router.h"

namespace sbt {

namespace sb = switchboard;

class Recorder : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override { events.push_back(e); }
  std::vector<sb::RoutingEvent> events;

  std::vector<sb::RoutingEvent> Of(sb::RoutingEventType type) const {
    std::vector<sb::RoutingEvent> out;
    for (const auto& e : events) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  // The most recent offer event, if any.
  std::optional<sb::Offer> LastOffer() const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->type == sb::RoutingEventType::kOffered) return it->offer;
    }
    return std::nullopt;
  }
};

inline absl::Time Start() { return absl::FromUnixSeconds(1'700'000'000); }  // 2023-11-14 22:13Z

inline sb::Queue MakeQueue(const std::string& id,
                           std::vector<sb::Channel> channels = {sb::Channel::kVoice,
                                                                sb::Channel::kChat}) {
  sb::Queue q;
  q.id = sb::QueueId(id);
  q.tenant = sb::TenantId("acme");
  q.channels = std::move(channels);
  q.service_level = {0.8, absl::Seconds(20)};
  q.offer_timeout = absl::Seconds(15);
  return q;
}

inline sb::Agent MakeAgent(const std::string& id, const std::vector<std::string>& queues,
                           sb::AgentState state = sb::AgentState::kAvailable) {
  sb::Agent a;
  a.id = sb::AgentId(id);
  a.tenant = sb::TenantId("acme");
  a.languages = {"en"};
  for (const auto& q : queues) a.queues.push_back({sb::QueueId(q), 1, absl::ZeroDuration()});
  a.status.state = state;
  return a;
}

inline sb::Contact MakeContact(const std::string& id, sb::Channel channel = sb::Channel::kVoice,
                               absl::Time arrived = Start()) {
  sb::Contact c;
  c.id = sb::ContactId(id);
  c.tenant = sb::TenantId("acme");
  c.channel = channel;
  c.arrived_at = arrived;
  return c;
}

struct Harness {
  explicit Harness(sb::RouterOptions options = {}) : clock(Start()) {
    auto made = sb::Router::Create(options, &clock, &recorder);
    REQUIRE(made.ok());
    router = std::move(*made);
  }
  void Advance(absl::Duration d) {
    clock.Advance(d);
    REQUIRE(router->Tick().ok());
  }
  // The agent the contact is offered to, or "" when it has no live offer.
  std::string OfferedTo(const std::string& contact) const {
    auto offer = router->CurrentOffer(sb::ContactId(contact));
    REQUIRE(offer.ok());
    return offer->has_value() ? (*offer)->agent.value() : std::string();
  }
  sb::ContactState StateOf(const std::string& contact) const {
    auto info = router->GetContact(sb::ContactId(contact));
    REQUIRE(info.ok());
    return info->state;
  }
  sb::AgentStats AgentStatsOf(const std::string& agent) const {
    auto s = router->GetAgentStats(sb::AgentId(agent));
    REQUIRE(s.ok());
    return *s;
  }
  sb::QueueStats QueueStatsOf(const std::string& queue) const {
    auto s = router->GetQueueStats(sb::QueueId(queue));
    REQUIRE(s.ok());
    return *s;
  }
  void AcceptOffer(const std::string& contact) {
    auto offer = router->CurrentOffer(sb::ContactId(contact));
    REQUIRE(offer.ok());
    REQUIRE(offer->has_value());
    REQUIRE(router->Accept((*offer)->id).ok());
  }
  void CheckInvariants() const {
    const absl::Status s = router->CheckInvariants();
    INFO(s.message());
    REQUIRE(s.ok());
  }

  sb::ManualClock clock;
  Recorder recorder;
  std::unique_ptr<sb::Router> router;
};

inline const std::vector<sb::SelectionMode>& BothModes() {
  static const std::vector<sb::SelectionMode> kModes = {sb::SelectionMode::kIndexed,
                                                        sb::SelectionMode::kLinearScan};
  return kModes;
}

inline sb::RouterOptions OptionsFor(sb::SelectionMode mode, const std::string& strategy = "") {
  sb::RouterOptions o;
  o.selection = mode;
  if (!strategy.empty()) o.strategy = strategy;
  return o;
}

}  // namespace sbt

#endif  // SWITCHBOARD_TESTS_ROUTER_TEST_HELPERS_H_
