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

void AddToSummary(const TouchpointEvent& event, const SnapshotOptions& options,
                  CustomerSummary* summary);
void AbsorbSummary(const CustomerSummary& from, const SnapshotOptions& options,
                   CustomerSummary* into);

}  // namespace switchboard::journey_internal

#endif  // SWITCHBOARD_SRC_JOURNEY_CUSTOMER_SUMMARY_H_
