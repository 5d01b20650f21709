// Private: the simulator's use of the real JourneyMerger. Each completed contact becomes a
// kContactEnded touchpoint of its customer (one e-mail identifier per customer); a returning
// contact asks the merger for its ContextSnapshot, which decides whether the next agent has the
// context and becomes routing input through ApplySnapshotToContact (a repeat gets priority).
//
// Thread-safety: not thread-safe; owned by one run.
#ifndef SWITCHBOARD_SRC_SIM_JOURNEY_CONTEXT_H_
#define SWITCHBOARD_SRC_SIM_JOURNEY_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/ids.h"
#include "switchboard/journey_merger.h"

namespace switchboard::sim::internal_sim {

class JourneyContext {
 public:
  static absl::StatusOr<std::unique_ptr<JourneyContext>> Create(const Clock* clock);

  // The identifier the simulator gives the customer with this key.
  static Identifier CustomerIdentifier(std::string_view customer_key);

  // Records that a contact of the customer `who` ended at `at` with `agent` in `queue`.
  absl::Status RecordEnded(const ContactId& contact, Channel channel, const Identifier& who,
                           const AgentId& agent, const QueueId& queue, std::string_view intent,
                           bool resolved, absl::Time at);

  // Whether the merger knows earlier touchpoints of the contact's customer; on true, also
  // applies the snapshot to `contact` as routing input.
  absl::StatusOr<bool> ApplyContext(Contact& contact);

  std::int64_t events() const { return events_; }

 private:
  explicit JourneyContext(std::unique_ptr<JourneyMerger> merger) : merger_(std::move(merger)) {}

  std::unique_ptr<JourneyMerger> merger_;
  std::int64_t events_ = 0;
};

}  // namespace switchboard::sim::internal_sim

#endif  // SWITCHBOARD_SRC_SIM_JOURNEY_CONTEXT_H_
