// A contact: one customer interaction that needs an agent (a call, a chat, an e-mail...).
//
// Thread-safety: plain value; copy it to share.
//
//   switchboard::Contact c;
//   c.id = switchboard::ContactId("call-0001");
//   c.tenant = switchboard::TenantId("acme");
//   c.channel = switchboard::Channel::kVoice;
//   c.identifiers.push_back({switchboard::IdentifierKind::kPhone, "+14155550100"});
//   c.required_skills.push_back({"billing", 5, true});
//   c.arrived_at = clock.Now();
//   if (absl::Status s = c.Validate(); !s.ok()) { /* s.message() names the field and id */ }
#ifndef SWITCHBOARD_CONTACT_H_
#define SWITCHBOARD_CONTACT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/identifier.h"
#include "switchboard/ids.h"
#include "switchboard/service_level.h"
#include "switchboard/skill.h"

namespace switchboard {

enum class Direction : unsigned char { kInbound = 0, kOutbound };

SWITCHBOARD_EXPORT std::string_view DirectionName(Direction direction);

// Contact priority: larger is more urgent (as in Twilio TaskRouter). Range 0..kMaxContactPriority.
inline constexpr int kMaxContactPriority = 1'000'000;
// The longest a contact may wait for its preferred agent alone (Contact::preferred_agent_wait).
inline constexpr absl::Duration kMaxPreferredAgentWait = absl::Hours(24);
// The most a contact's place may be moved by ContactRoutingUpdate::age_adjustment, either way.
inline constexpr absl::Duration kMaxAgeAdjustment = absl::Hours(24);

struct Contact {
  ContactId id;
  TenantId tenant;
  Channel channel = Channel::kVoice;
  Direction direction = Direction::kInbound;
  std::vector<Identifier> identifiers;  // as seen on this channel
  Attributes attributes;
  std::vector<SkillRequirement> required_skills;
  std::string language;  // BCP-47 tag ("en", "he-IL"); empty = any
  std::string intent;    // from the IVR, bot or web form; empty = unknown
  int priority = 0;      // 0..kMaxContactPriority, larger first
  absl::Time arrived_at = absl::UnixEpoch();
  std::optional<ServiceLevelTarget> service_level;  // overrides the queue's target
  // Offered this agent first when it can take the contact as it enters its queue (a preference:
  // an unknown, busy or unfit agent leaves the choice to the queue's strategy).
  std::optional<AgentId> preferred_agent;
  // How long the contact waits for its preferred agent alone when that agent serves the queue
  // and fits its requirements but cannot take it on arrival (busy, away, at capacity): no other
  // agent is offered it meanwhile, and the preferred agent gets it as soon as it can. Then, or
  // at once when zero, the queue's strategy chooses. 0..24h; needs preferred_agent.
  // Default: zero (no waiting).
  absl::Duration preferred_agent_wait = absl::ZeroDuration();

  // OK, or InvalidArgument naming the first offending field and this contact's id.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
  friend bool operator==(const Contact&, const Contact&) = default;
};

// A change to how a contact not yet answered is routed (Router::UpdateRouting), as with Amazon
// Connect's UpdateContactRoutingData or a Genesys in-queue flow: an IVR that identifies a
// high-value customer raises the priority, a host that widens the search after a minute drops a
// specialty skill. Fields left unset keep their value.
//
//   switchboard::ContactRoutingUpdate u;
//   u.priority = 10;
//   u.required_skills = std::vector<switchboard::SkillRequirement>{};  // no skill of its own
//   if (absl::Status s = router->UpdateRouting(switchboard::ContactId("call-0001"), u); !s.ok()) {}
struct ContactRoutingUpdate {
  std::optional<int> priority;  // 0..kMaxContactPriority, larger first
  // Ranks the contact as if it had arrived this much earlier (negative: later) among contacts
  // of its priority, within -kMaxAgeAdjustment..kMaxAgeAdjustment. Its wait statistics still
  // count from its real arrival. Replaces an earlier adjustment; zero removes it.
  std::optional<absl::Duration> age_adjustment;
  // The contact's own requirements, replacing Contact::required_skills (the queue's apply as
  // before).
  std::optional<std::vector<SkillRequirement>> required_skills;
  std::optional<std::string> language;  // replaces Contact::language; empty = any

  // OK, or InvalidArgument naming the first offending field.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
  friend bool operator==(const ContactRoutingUpdate&, const ContactRoutingUpdate&) = default;
};

// Checks a language tag: empty, or 2..35 letters, digits and '-' starting with a letter.
SWITCHBOARD_EXPORT absl::Status ValidateLanguageTag(std::string_view tag, std::string_view field);

// Checks a time is finite, not before the Unix epoch and not after 9999-12-31T23:59:59Z.
SWITCHBOARD_EXPORT absl::Status ValidateTime(absl::Time t, std::string_view field);

}  // namespace switchboard

#endif  // SWITCHBOARD_CONTACT_H_
