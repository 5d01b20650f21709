// Incremental maintenance of CustomerSummary (journey_store.h): what snapshots read without
// scanning the journey. Add() and Absorb() are commutative, so the summary does not depend on the
// order events arrive or customers merge in.
#ifndef SWITCHBOARD_SRC_JOURNEY_CUSTOMER_SUMMARY_H_
#define SWITCHBOARD_SRC_JOURNEY_CUSTOMER_SUMMARY_H_

#include "switchboard/context_snapshot.h"
#include "switchboard/journey_store.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard::journey_internal {

inline constexpr size_t kMaxIntentsKept = 32;
inline constexpr size_t kMaxCasesKept = 64;

// Journey order of summary keys (occurred-at, then event id, from the store); "no event" is
// before every event.
//
// `newest`, when given, is an event known to be later than every other key compared: the
// resolver adds each event to a summary after every event already in it (in-order events are
// later than their customers, replays run in journey order), so adding one compares without
// reading any stored event.
class KeyOrder {
 public:
  KeyOrder(const JourneyStore* store, const TenantId* tenant, EventHandle newest = kNoHandle)
      : store_(store), tenant_(tenant), newest_(newest) {}
  bool Less(const SummaryKey& a, const SummaryKey& b) const {
    if (a.event == b.event) return false;  // the same event, or both empty
    if (a.empty()) return true;
    if (b.empty()) return false;
    if (b.event == newest_) return true;
    if (a.event == newest_) return false;
    return store_->EventLess(*tenant_, a.event, b.event);
  }
  absl::Time TimeOf(const SummaryKey& k) const {
    return store_->Event(*tenant_, k.event).occurred_at;
  }

 private:
  const JourneyStore* store_;
  const TenantId* tenant_;
  EventHandle newest_;
};

// Adds `event`, stored as `handle`. `order` may name `handle` as its newest event only when
// `handle` is later than every event already in `summary`.
void AddToSummary(const TouchpointEvent& event, EventHandle handle, const SnapshotOptions& options,
                  const KeyOrder& order, CustomerSummary* summary);
void AbsorbSummary(const CustomerSummary& from, const SnapshotOptions& options,
                   const KeyOrder& order, CustomerSummary* into);

}  // namespace switchboard::journey_internal

#endif  // SWITCHBOARD_SRC_JOURNEY_CUSTOMER_SUMMARY_H_
