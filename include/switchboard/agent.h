// An agent: a person (or a bot seat) who handles contacts, with skills, languages, per-channel
// capacity and the queues it serves (an Amazon Connect "routing profile").
//
// Thread-safety: plain value; copy it to share.
//
//   switchboard::Agent a;
//   a.id = switchboard::AgentId("agent-7");
//   a.tenant = switchboard::TenantId("acme");
//   a.skills = {{"billing", 8}, {"spanish", 6}};
//   a.languages = {"en", "es"};
//   a.capacities = {{switchboard::Channel::kVoice, 1, 100}, {switchboard::Channel::kChat, 3, 33}};
//   a.queues = {{switchboard::QueueId("billing"), /*priority=*/1, absl::ZeroDuration()}};
//   absl::Status s = a.Validate();
#ifndef SWITCHBOARD_AGENT_H_
#define SWITCHBOARD_AGENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/skill.h"

namespace switchboard {

enum class AgentState : unsigned char {
  kOffline = 0,
  kAvailable,
  kAway,    // with a reason: break, meeting, training, "no answer"
  kBusy,    // holds at least one accepted contact, whether or not it has room for more
  kWrapUp,  // after-contact work; ends by itself after the queue's wrap-up time
};

SWITCHBOARD_EXPORT std::string_view AgentStateName(AgentState state);

struct AgentStatus {
  AgentState state = AgentState::kOffline;
  std::string away_reason;  // only for kAway
  friend bool operator==(const AgentStatus&, const AgentStatus&) = default;
};

// Bounds Agent::Validate() enforces on the fields below (and FromProto on each part alone).
inline constexpr int kMaxConcurrentPerChannel = 100;   // ChannelCapacity::max_concurrent
inline constexpr int kMaxAgentCapacityUnits = 10'000;  // Agent::capacity_units
inline constexpr int kMaxMembershipPriority = 100;     // QueueMembership::priority

// How much of one channel an agent takes at once.
struct ChannelCapacity {
  Channel channel = Channel::kVoice;
  // 0 disables the channel for this agent; at most kMaxConcurrentPerChannel.
  int max_concurrent = 1;
  // Capacity units one contact takes from Agent::capacity_units; 1..capacity_units.
  int cost_units = kDefaultAgentCapacityUnits;
  friend bool operator==(const ChannelCapacity&, const ChannelCapacity&) = default;
};

// The default per-channel limits: voice 1 (exclusive), chat 3, email 5, messaging 4, ...
SWITCHBOARD_EXPORT ChannelCapacity DefaultCapacity(Channel channel);

// The longest QueueMembership::delay. Contacts do not wait days for an agent, and a waiting
// contact keeps a timer for its next delay until then, so a longer one would only hold memory.
inline constexpr absl::Duration kMaxMembershipDelay = absl::Hours(24);

// One queue the agent serves, as in a routing profile.
struct QueueMembership {
  QueueId queue;
  int priority = 1;  // 1 = served first; 1..kMaxMembershipPriority
  // The agent is offered a contact from this queue only after it has waited this long;
  // 0..kMaxMembershipDelay.
  absl::Duration delay = absl::ZeroDuration();
  friend bool operator==(const QueueMembership&, const QueueMembership&) = default;
};

struct Agent {
  AgentId id;
  TenantId tenant;
  std::string name;
  std::vector<Skill> skills;
  std::vector<std::string> languages;  // BCP-47 tags
  // Channels the agent handles; a channel not listed is not offered to the agent. An empty list
  // means DefaultCapacity() of every channel unless RouterOptions::default_capacities_when_empty
  // is false.
  std::vector<ChannelCapacity> capacities;
  int capacity_units = kDefaultAgentCapacityUnits;  // across channels; 1..kMaxAgentCapacityUnits
  // Allows an exclusive channel (voice) alongside others. Off: one exclusive contact at a time.
  bool allow_blending = false;
  std::vector<QueueMembership> queues;
  std::string site;  // location, for location routing and bullseye rings
  std::vector<std::string> teams;
  Attributes attributes;
  AgentStatus status;

  // OK, or InvalidArgument naming the first offending field and this agent's id: empty ids,
  // proficiency out of range, negative capacity, a channel listed twice, a queue listed twice...
  SWITCHBOARD_EXPORT absl::Status Validate() const;

  // The capacity entry for `channel`, or nullopt if the agent does not handle it.
  SWITCHBOARD_EXPORT std::optional<ChannelCapacity> CapacityFor(Channel channel) const;
  // The agent's proficiency in `skill`, or 0 if it lacks the skill.
  SWITCHBOARD_EXPORT int ProficiencyIn(std::string_view skill) const;
  SWITCHBOARD_EXPORT bool SpeaksLanguage(std::string_view language) const;

  friend bool operator==(const Agent&, const Agent&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_AGENT_H_
