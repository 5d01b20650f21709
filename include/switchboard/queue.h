// A queue: where contacts wait for an agent. Agents join queues through their
// QueueMembership; the queue says which channels it serves and what it asks of agents.
//
// Thread-safety: plain value.
//
//   switchboard::Queue q;
//   q.id = switchboard::QueueId("billing");
//   q.tenant = switchboard::TenantId("acme");
//   q.channels = {switchboard::Channel::kVoice, switchboard::Channel::kChat};
//   q.required_skills = {{"billing", 3, true}};
//   q.service_level = {0.8, absl::Seconds(20)};
//   q.wrap_up = absl::Seconds(30);
//   absl::Status s = q.Validate();
#ifndef SWITCHBOARD_QUEUE_H_
#define SWITCHBOARD_QUEUE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/service_level.h"
#include "switchboard/skill.h"

namespace switchboard {

enum class QueueOrder : unsigned char {
  kFifo = 0,  // longest wait first (the norm)
  kLifo,      // newest first: back-office work where fresh items are worth more
};

struct Queue {
  QueueId id;
  TenantId tenant;
  std::string name;
  std::vector<Channel> channels;  // at least one
  std::vector<SkillRequirement> required_skills;  // asked of every agent, for every contact
  int priority = 1;  // among queues, 1 = most important; 1..100
  ServiceLevelTarget service_level;
  int max_waiting = 0;  // 0 = unlimited; a full queue rejects with ResourceExhausted
  absl::Duration wrap_up = absl::ZeroDuration();  // after-contact work; 0..1 hour
  // How long an offer waits for an answer before it expires; more than 0, at most 24 hours.
  absl::Duration offer_timeout = absl::Seconds(15);
  QueueOrder order = QueueOrder::kFifo;

  // OK, or InvalidArgument naming the first offending field and this queue's id.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
  SWITCHBOARD_EXPORT bool Serves(Channel channel) const;

  friend bool operator==(const Queue&, const Queue&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_QUEUE_H_
