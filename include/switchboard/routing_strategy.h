// Agent-selection strategies: when several agents fit a waiting contact, the queue's strategy
// ranks them and the router offers the contact to the lowest rank. Built-in strategies are made
// by name; hosts add their own through an AgentSelectionStrategyRegistry.
//
// Built-in names (see docs/routing.md for the exact order of each):
//   "longest-idle" (default)  earliest idle_since first
//   "least-occupied"          lowest used_units / capacity_units, then longest idle
//   "round-robin"             fixed order (the order agents were added), resuming after the
//                             agent last offered a contact from the same queue (rrmemory,
//                             kept while the queue uses round-robin)
//   "fewest-contacts"         fewest contacts completed today, then longest idle
//   "least-talk-time"         least talk time today, then longest idle
//   "linear"                  fixed order (the order agents were added), always from the start
//   "random"                  seeded: every fitting agent equally likely
//   "weighted-random"         seeded: likelihood proportional to 1 / membership priority
//   "best-skill"              highest summed proficiency on the contact's and queue's required
//                             skills, then on the optional ones met, then longest idle
// Every strategy breaks remaining ties by the order agents were added (earlier first).
//
// Thread-safety: a strategy must be immutable after construction: Rank() and TicketWeight() are
// const and may be called from any thread. The registry is not thread-safe while Register() runs.
//
//   switchboard::AgentSelectionStrategyRegistry registry;  // holds the built-ins
//   absl::Status s = registry.Register("senior-first", [] {
//     return std::make_unique<SeniorFirst>();  // a class deriving AgentSelectionStrategy
//   });
//   switchboard::RouterOptions options;
//   options.strategies = &registry;
//   options.strategy = "senior-first";
#ifndef SWITCHBOARD_ROUTING_STRATEGY_H_
#define SWITCHBOARD_ROUTING_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/attributes.h"
#include "switchboard/export.h"
#include "switchboard/queue.h"

namespace switchboard {

namespace routing {
struct AgentRec;
struct RankInputAccess;
}  // namespace routing

// What a strategy may look at to rank one agent for one queue. The router recomputes an agent's
// rank whenever one of these changes, so Rank() must depend on nothing else.
struct AgentRankInput {
  // Who the agent is, as configured, read on demand (the built-in strategies never look, and
  // the router keeps no full Agent per agent). Views valid during the call; empty on an input
  // the router did not make.
  SWITCHBOARD_EXPORT std::string_view agent_id() const;
  SWITCHBOARD_EXPORT std::string_view site() const;
  SWITCHBOARD_EXPORT const std::vector<std::string>& teams() const;
  SWITCHBOARD_EXPORT const Attributes& attributes() const;
  // The agent's membership of `queue` (QueueMembership::priority and ::delay); 1 and zero on an
  // input the router did not make.
  SWITCHBOARD_EXPORT int membership_priority() const;
  SWITCHBOARD_EXPORT absl::Duration membership_delay() const;

  int capacity_units = 1;  // Agent::capacity_units
  const Queue* queue = nullptr;
  absl::Time idle_since = absl::UnixEpoch();    // AgentStats::idle_since
  int used_units = 0;                           // capacity units in use
  int contacts_held = 0;
  std::int64_t handled_today = 0;
  absl::Duration talk_time_today = absl::ZeroDuration();
  // Sum of the agent's proficiency over the skills the contact (and its queue) asks for;
  // optional skills count only when the agent meets their minimum. Filled only for a strategy
  // whose Traits() sets uses_skill_score (0 otherwise), as is required_skill_score.
  int skill_score = 0;
  // The part of skill_score that comes from the required skills.
  int required_skill_score = 0;
  // For strategies with StrategyTraits::uses_tickets: the agent's turn ticket in this queue.
  double ticket = 0;

 private:
  friend struct routing::RankInputAccess;
  const routing::AgentRec* agent_ = nullptr;  // what the accessors read
  std::uint32_t membership_ = 0;
};

// Lower ranks are offered first. Compared field by field (primary, then fraction, then
// secondary); the router adds the final tie-break (the order agents were added). The router
// reads a NaN fraction as +infinity; operator< below is the plain field order and expects none.
struct AgentRank {
  std::int64_t primary = 0;
  double fraction = 0;  // a NaN is read by the router as +infinity (after every number)
  std::int64_t secondary = 0;

  friend bool operator==(const AgentRank&, const AgentRank&) = default;
};

inline bool operator<(const AgentRank& a, const AgentRank& b) {
  if (a.primary != b.primary) return a.primary < b.primary;
  if (a.fraction != b.fraction) return a.fraction < b.fraction;
  return a.secondary < b.secondary;
}

// How the router uses a strategy's ranks.
struct StrategyTraits {
  // Round robin: the router offers the first fitting agent, in rank order, that comes after the
  // agent it last chose for the same queue, wrapping around (Asterisk's rrmemory).
  bool round_robin = false;
  // Exponential race: the router keeps a ticket per (agent, queue). Rank() should order by
  // `ticket`; when an agent is chosen its ticket advances by an Exp(1) step / TicketWeight(),
  // drawn from the router's seeded generator, so that each fitting agent's chance is
  // proportional to its weight. A ticket the race has passed (the agent could not run while
  // others won) is drawn afresh from the last winning ticket when its agent comes first.
  bool uses_tickets = false;
  // The strategy reads AgentRankInput::skill_score (the router then keeps a separate ordering
  // per distinct set of contact skill requirements, including optional ones).
  bool uses_skill_score = false;
  // Ranks follow time: an agent that becomes available ranks after every agent already waiting
  // for work, as when the rank is the time the agent became idle. The router then keeps the
  // queue's orderings as sorted arrays that newcomers join at the back and chosen agents leave
  // from the front, which costs less than a balanced tree. A hint only: decisions are the same
  // either way, but a strategy that sets it and ranks newcomers elsewhere pays a linear insert.
  bool ranks_follow_time = false;
};

// Thread-safety: see the file comment.
class SWITCHBOARD_EXPORT AgentSelectionStrategy {
 public:
  virtual ~AgentSelectionStrategy() = default;

  // The registry name, e.g. "longest-idle".
  virtual std::string_view Name() const = 0;
  virtual StrategyTraits Traits() const { return {}; }
  // A pure function of `input`.
  virtual AgentRank Rank(const AgentRankInput& input) const = 0;
  // Only with uses_tickets: the agent's weight, > 0 and finite. Default 1.
  virtual double TicketWeight(const AgentRankInput& /*input*/) const { return 1.0; }
};

using AgentSelectionStrategyFactory = std::function<std::unique_ptr<AgentSelectionStrategy>()>;

// The names of the built-in strategies, in the order of the file comment.
SWITCHBOARD_EXPORT std::vector<std::string> BuiltInAgentSelectionStrategyNames();

// A built-in strategy by name; InvalidArgument naming `name` when there is none.
SWITCHBOARD_EXPORT absl::StatusOr<std::unique_ptr<AgentSelectionStrategy>>
CreateAgentSelectionStrategy(std::string_view name);

// Name → factory. Starts with the built-ins. Not thread-safe while Register() runs; Create() is
// const and may be called concurrently otherwise.
class SWITCHBOARD_EXPORT AgentSelectionStrategyRegistry {
 public:
  AgentSelectionStrategyRegistry();

  // AlreadyExists when `name` is taken (built-ins included); InvalidArgument for an empty name or
  // an empty factory.
  absl::Status Register(std::string name, AgentSelectionStrategyFactory factory);
  // InvalidArgument naming `name` when it is not registered, or when the factory returns null or
  // a strategy whose Name() differs from `name`.
  absl::StatusOr<std::unique_ptr<AgentSelectionStrategy>> Create(std::string_view name) const;
  std::vector<std::string> Names() const;  // sorted

 private:
  std::map<std::string, AgentSelectionStrategyFactory, std::less<>> factories_;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_ROUTING_STRATEGY_H_
