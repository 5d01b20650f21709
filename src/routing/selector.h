// How the router finds an agent for a contact and a contact for an agent. Two implementations
// share the rules of model.h: IndexedSelector (ordered indexes, O(log n) per decision) and
// ScanSelector (the linear-scan reference, also the benchmark baseline).
//
// Protocol with the router core: every change to an agent's routing inputs (presence, offer,
// held contacts, counters, tickets, configuration) happens between Unindex(agent) and
// Index(agent); configuration changes also call RebuildSlots between them. A waiting contact is
// announced with AddWaiting (its signature and key set) and withdrawn with RemoveWaiting.
//
// Thread-safety: none (owned by one Router).
#ifndef SWITCHBOARD_SRC_ROUTING_SELECTOR_H_
#define SWITCHBOARD_SRC_ROUTING_SELECTOR_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/routing/model.h"

namespace switchboard::routing {

class Selector {
 public:
  virtual ~Selector() = default;

  virtual void RebuildSlots(AgentRec& agent) = 0;  // agent unindexed; memberships set
  virtual void DropSlots(AgentRec& agent) = 0;     // agent unindexed
  virtual void Unindex(AgentRec& agent) = 0;
  virtual void Index(AgentRec& agent) = 0;

  virtual void AddWaiting(ContactRec& contact) = 0;
  virtual void RemoveWaiting(ContactRec& contact) = 0;
  // Forgets every ordering kept for `queue` (its waiting contacts must have been removed).
  virtual void DropQueue(QueueRec& queue) = 0;

  // The agent the contact (waiting, or about to wait, with `sig` set) should be offered to.
  virtual std::optional<AgentChoice> SelectAgent(const ContactRec& contact, absl::Time now) = 0;
  // The waiting contact a routable agent should be offered; `membership` receives the index of
  // the agent's membership of the contact's queue.
  virtual ContactRec* SelectContact(const AgentRec& agent, absl::Time now,
                                    std::uint32_t* membership) = 0;

  // Calls `f` with every signature the selector's own structures refer to.
  virtual void ForEachSignature(absl::FunctionRef<void(const Signature*)> f) const = 0;

  // Internal consistency of the selector's own structures against the records.
  virtual absl::Status Check(const std::vector<QueueRec*>& queues) const = 0;
};

std::unique_ptr<Selector> MakeIndexedSelector(int selectivity, int max_walk, int retire_after);
std::unique_ptr<Selector> MakeScanSelector();

}  // namespace switchboard::routing

#endif  // SWITCHBOARD_SRC_ROUTING_SELECTOR_H_
