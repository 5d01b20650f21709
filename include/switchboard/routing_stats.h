// Live statistics of a queue and of an agent, as plain structs the router fills on request.
//
// Service level: a contact counts once, when its wait ends. It is "answered within target" when
// it was accepted no later than its threshold (the contact's own ServiceLevelTarget, else the
// queue's) after Contact::arrived_at. A contact abandoned within its threshold is a "short
// abandon" and counts neither for nor against the queue:
//
//   service_level = answered_within_threshold / (answered + abandoned - short_abandoned)
//
// Both describe the router at one instant: the clock's time, or, when work fell due that no call
// has run yet (the router's NextDeadline() has passed), the time of that work. Time after it is
// counted once a call or Tick() has applied it, so running totals such as busy_time never go
// back (unless the clock itself steps back between queries: see docs/routing.md).
//
// Thread-safety: plain values.
//
//   auto stats = router->GetQueueStats(switchboard::QueueId("billing"));
//   if (stats.ok() && stats->service_level) std::printf("SL %.1f%%\n", 100 *
//   *stats->service_level);
#ifndef SWITCHBOARD_ROUTING_STATS_H_
#define SWITCHBOARD_ROUTING_STATS_H_

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/ids.h"

namespace switchboard {

// How many agents are in each state (the agent's reported AgentStatus).
struct AgentStateCounts {
  int offline = 0;
  int available = 0;
  int away = 0;
  int busy = 0;
  int wrap_up = 0;
  friend bool operator==(const AgentStateCounts&, const AgentStateCounts&) = default;
};

struct QueueStats {
  QueueId queue;
  // Right now.
  int waiting = 0;      // contacts in kWaiting
  int offered_now = 0;  // contacts with a live offer
  int in_progress = 0;  // accepted and not yet completed
  // The oldest waiting contact's wait, from arrived_at. Contacts ringing at an agent are not
  // waiting (offered_now counts them): one whose offer expires waits again, its wait intact.
  absl::Duration longest_wait = absl::ZeroDuration();
  AgentStateCounts agents;  // members of the queue by state
  // Since the queue was added (UpdateQueue keeps them; a queue removed and added again starts
  // over). "entered" counts Enqueue and transfers in.
  std::int64_t entered = 0;
  // Contacts answered: the first accepted offer of each stay in this queue (an offer accepted
  // again after a TransferToAgent does not count twice).
  std::int64_t answered = 0;
  std::int64_t answered_within_threshold = 0;
  std::int64_t abandoned = 0;
  std::int64_t short_abandoned = 0;  // abandoned within the threshold
  std::int64_t transferred_out = 0;  // contacts moved to another queue, in whatever state
  std::int64_t completed = 0;
  std::int64_t offers_made = 0;
  std::int64_t offers_declined = 0;
  std::int64_t offers_expired = 0;
  // Withdrawn without an answer: Rescind, the agent going offline or away, a transfer, or the
  // customer abandoning while offered.
  std::int64_t offers_rescinded = 0;
  // nullopt until the denominator (see the file comment) is positive.
  std::optional<double> service_level;
  absl::Duration average_speed_of_answer = absl::ZeroDuration();  // arrival to accept
  // Accept to Complete plus the queue's wrap-up time, over completed contacts.
  absl::Duration average_handle_time = absl::ZeroDuration();
  absl::Duration total_answer_wait = absl::ZeroDuration();
  absl::Duration total_handle_time = absl::ZeroDuration();

  friend bool operator==(const QueueStats&, const QueueStats&) = default;
};

struct AgentStats {
  AgentId agent;
  AgentStatus status;
  int contacts_held = 0;  // offered, in progress or in wrap-up
  int used_units = 0;     // capacity units taken by held contacts (live offers included)
  int capacity_units = 0;
  std::int64_t contacts_handled = 0;  // completed, since the agent was added
  std::int64_t handled_today = 0;     // completed since the start of the day (fewest-contacts)
  // Accept to complete, or to a transfer away (least-talk-time).
  absl::Duration talk_time_today = absl::ZeroDuration();
  // Time spent busy or in wrap-up, and time available (idle), since the agent was added.
  absl::Duration busy_time = absl::ZeroDuration();
  absl::Duration available_time = absl::ZeroDuration();
  // busy_time / (busy_time + available_time); 0 before any such time has passed.
  double occupancy = 0;
  int consecutive_missed_offers = 0;
  std::int64_t offers_missed = 0;  // expired
  std::int64_t offers_declined = 0;
  // The agent's last change of held contacts (an offer, a release) or of presence to available:
  // longest-idle orders by this.
  absl::Time idle_since = absl::UnixEpoch();

  friend bool operator==(const AgentStats&, const AgentStats&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_ROUTING_STATS_H_
