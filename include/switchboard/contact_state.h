// Where a contact is in the router's lifecycle, and a read-only view of a routed contact.
//
//   Enqueue ──► kWaiting ──(offer)──► kOffered ──Accept──► kInProgress ──Complete──► kWrapUp ──► gone
//                  ▲                     │ Decline / expiry / Rescind          (wrap-up time over)
//                  └─────────────────────┘
//   Abandon (from kWaiting or kOffered) and Complete with no wrap-up time remove the contact.
//   TransferToQueue moves a waiting, offered or in-progress contact back to kWaiting (or at once
//   to kOffered); TransferToAgent makes a direct offer (kOffered).
//
// Thread-safety: plain values.
//
//   absl::StatusOr<switchboard::ContactInfo> info = router->GetContact(switchboard::ContactId("c1"));
//   if (info.ok() && info->state == switchboard::ContactState::kWaiting) { ... }
#ifndef SWITCHBOARD_CONTACT_STATE_H_
#define SWITCHBOARD_CONTACT_STATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/skill.h"

namespace switchboard {

enum class ContactState : unsigned char {
  kWaiting = 0,  // in its queue, no agent yet
  kOffered,      // one live offer to one agent
  kInProgress,   // accepted; the agent is handling it
  kWrapUp,       // completed; the agent's after-contact work still holds its capacity
};

// "waiting", "offered", "in_progress", "wrap_up".
SWITCHBOARD_EXPORT std::string_view ContactStateName(ContactState state);

struct ContactInfo {
  ContactId id;
  QueueId queue;  // the queue it waits in or was answered from
  Channel channel = Channel::kVoice;
  ContactState state = ContactState::kWaiting;
  AgentId agent;  // empty while kWaiting
  int priority = 0;
  // The contact's own routing data, as enqueued or last updated (Router::UpdateRouting).
  absl::Duration age_adjustment = absl::ZeroDuration();
  std::vector<SkillRequirement> required_skills;  // its own, without the queue's; by name
  std::string language;                           // lower case; empty = any
  // When the contact's wait began (Contact::arrived_at, capped at the time of Enqueue); kept
  // across transfers, so wait statistics count from the customer's first arrival.
  absl::Time arrived_at = absl::UnixEpoch();
  absl::Time queued_at = absl::UnixEpoch();  // when it entered its current queue
  int offers = 0;  // offers made for this contact so far
  // While kWaiting for its preferred agent alone (Contact::preferred_agent_wait): that agent and
  // when the wait ends; empty and InfinitePast() otherwise.
  AgentId reserved_for;
  absl::Time reserved_until = absl::InfinitePast();
};

}  // namespace switchboard

#endif  // SWITCHBOARD_CONTACT_STATE_H_
