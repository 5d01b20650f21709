// The linear-scan reference: every decision looks at every member of the contact's queue (or
// every waiting contact of the agent's queues). It keeps no structure of its own, so it is also
// the benchmark's baseline. Cheap tests come first so that the scan is as fast as a scan can be.
#include <array>

#include "src/routing/selector.h"

namespace switchboard::routing {
namespace {

class ScanSelector final : public Selector {
 public:
  void RebuildSlots(AgentRec&) override {}
  void DropSlots(AgentRec&) override {}
  void Unindex(AgentRec&) override {}
  void Index(AgentRec&) override {}
  void AddWaiting(ContactRec&) override {}
  void RemoveWaiting(ContactRec&) override {}
  void DropQueue(QueueRec&) override {}
  void ForEachSignature(absl::FunctionRef<void(const Signature*)>) const override {}

  std::optional<AgentChoice> SelectAgent(const ContactRec& c, absl::Time now) override {
    const QueueRec& q = *c.queue;
    AgentChooser chooser(q);
    for (const MemberRef& ref : q.members) {
      AgentRec& a = *ref.agent;
      if (!FitsNow(a, a.memberships[ref.membership], c, now)) continue;
      chooser.Offer(&a, ref.membership, RankAgent(a, ref.membership, *c.sig));
    }
    return chooser.Best();
  }

  ContactRec* SelectContact(const AgentRec& a, absl::Time now,
                            std::uint32_t* membership) override {
    std::array<signed char, kChannelCount> can_take;
    can_take.fill(-1);
    ContactRec* best = nullptr;
    std::uint32_t best_m = 0;
    for (std::uint32_t i = 0; i < a.memberships.size(); ++i) {
      const MembershipRec& m = a.memberships[i];
      ContactRec* queue_best = nullptr;
      for (ContactRec* c : m.queue->waiting) {
        if (c->reserved_for != nullptr) continue;  // its agent takes it first (RouteAgent)
        if (!DelayMet(*c, m, now)) continue;
        if (queue_best != nullptr && !(c->key < queue_best->key)) continue;
        auto& take = can_take[static_cast<std::size_t>(c->channel)];
        if (take < 0) take = CanTake(a, c->channel) ? 1 : 0;
        if (take == 0) continue;
        if (Excluded(*c, a)) continue;
        if (!Qualifies(a, *c->sig)) continue;
        queue_best = c;
      }
      if (queue_best == nullptr) continue;
      if (best == nullptr ||
          MakeCrossKey(m, *queue_best) < MakeCrossKey(a.memberships[best_m], *best)) {
        best = queue_best;
        best_m = i;
      }
    }
    *membership = best_m;
    return best;
  }

  absl::Status Check(const std::vector<QueueRec*>&) const override { return absl::OkStatus(); }
};

}  // namespace

std::unique_ptr<Selector> MakeScanSelector() { return std::make_unique<ScanSelector>(); }

}  // namespace switchboard::routing
