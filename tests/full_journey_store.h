// A JourneyStore that forwards every call to an in-memory store and, on demand, answers as a full
// one: PutEvent or InternValue return kNoHandle. It forwards PrefetchForIngest only when
// `forward_hints` is set, so it also stands for a store that ignores the ingest hints (the
// journey benchmark compares the two, both paying this store's forwarding). The in-memory store is
// full only at 4 GiB of encoded events or keys, too large for a test; this lets tests reach the
// merger's rollback. With `forward_latest` unset it stands for a store that does not track its
// latest event.
#ifndef SWITCHBOARD_TESTS_FULL_JOURNEY_STORE_H_
#define SWITCHBOARD_TESTS_FULL_JOURNEY_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/journey_store.h"

namespace sbt {

namespace sb = switchboard;

class FullJourneyStore final : public sb::JourneyStore {
 public:
  bool events_full = false;  // PutEvent refuses
  bool values_full = false;  // InternValue refuses a value it does not hold yet
  std::string refused_event;  // PutEvent refuses the event with this id (when not empty)
  bool forward_hints = false;  // PrefetchForIngest reaches the in-memory store
  bool forward_latest = true;  // LatestOccurredAt does (else unknown: the interface's default)
  int64_t erased_customers = 0;  // EraseCustomer calls: how many customers a rebuild re-resolved
  // Calls of the mutating methods: the merger's const calls must make none (journey_store.h).
  int64_t mutating_calls = 0;

  std::string_view Name() const override { return "full_on_demand"; }

  sb::EventHandle FindEvent(const sb::TenantId& t, std::string_view id) const override {
    return inner_->FindEvent(t, id);
  }
  sb::EventHandle PutEvent(const sb::TouchpointEvent& event,
                           absl::Span<const sb::ValueHandle> values, bool verified) override {
    ++mutating_calls;
    const bool refused =
        events_full || (!refused_event.empty() && event.id.value() == refused_event);
    return refused ? sb::kNoHandle : inner_->PutEvent(event, values, verified);
  }
  absl::Time LatestOccurredAt(const sb::TenantId& t) const override {
    return forward_latest ? inner_->LatestOccurredAt(t) : JourneyStore::LatestOccurredAt(t);
  }
  bool EraseEvent(const sb::TenantId& t, sb::EventHandle e) override {
    ++mutating_calls;
    return inner_->EraseEvent(t, e);
  }
  const sb::StoredEvent& Event(const sb::TenantId& t, sb::EventHandle e) const override {
    return inner_->Event(t, e);
  }
  sb::StoredEvent* MutableEvent(const sb::TenantId& t, sb::EventHandle e) override {
    ++mutating_calls;
    return inner_->MutableEvent(t, e);
  }
  std::string_view EventIdOf(const sb::TenantId& t, sb::EventHandle e) const override {
    return inner_->EventIdOf(t, e);
  }
  absl::Span<const sb::ValueHandle> EventValues(const sb::TenantId& t,
                                                sb::EventHandle e) const override {
    return inner_->EventValues(t, e);
  }
  sb::TouchpointEvent ReadEvent(const sb::TenantId& t, sb::EventHandle e) const override {
    return inner_->ReadEvent(t, e);
  }
  std::optional<std::string_view> EventAttribute(const sb::TenantId& t, sb::EventHandle e,
                                                 std::string_view key) const override {
    return inner_->EventAttribute(t, e, key);
  }
  bool EventLess(const sb::TenantId& t, sb::EventHandle a, sb::EventHandle b) const override {
    return inner_->EventLess(t, a, b);
  }

  sb::ValueHandle FindValue(const sb::TenantId& t, std::string_view key) const override {
    return inner_->FindValue(t, key);
  }
  sb::ValueHandle InternValue(const sb::TenantId& t, const sb::NormalizedIdentifier& id,
                              std::string_view key) override {
    ++mutating_calls;
    if (values_full && inner_->FindValue(t, key) == sb::kNoHandle) return sb::kNoHandle;
    return inner_->InternValue(t, id, key);
  }
  const sb::ValueRecord& Value(const sb::TenantId& t, sb::ValueHandle v) const override {
    return inner_->Value(t, v);
  }
  sb::ValueRecord* MutableValue(const sb::TenantId& t, sb::ValueHandle v) override {
    ++mutating_calls;
    return inner_->MutableValue(t, v);
  }
  bool EraseValue(const sb::TenantId& t, sb::ValueHandle v) override {
    ++mutating_calls;
    return inner_->EraseValue(t, v);
  }

  const sb::CustomerRecord* FindCustomer(const sb::TenantId& t,
                                         sb::EventHandle mint) const override {
    return inner_->FindCustomer(t, mint);
  }
  sb::CustomerRecord* MutableCustomer(const sb::TenantId& t, sb::EventHandle mint) override {
    ++mutating_calls;
    return inner_->MutableCustomer(t, mint);
  }
  sb::CustomerRecord* PutCustomer(const sb::TenantId& t, sb::CustomerRecord c) override {
    ++mutating_calls;
    return inner_->PutCustomer(t, std::move(c));
  }
  bool EraseCustomer(const sb::TenantId& t, sb::EventHandle mint) override {
    ++mutating_calls;
    ++erased_customers;
    return inner_->EraseCustomer(t, mint);
  }
  std::vector<sb::EventHandle> ListCustomers(const sb::TenantId& t) const override {
    return inner_->ListCustomers(t);
  }

  const sb::MergeRecord* FindMerge(const sb::TenantId& t, std::string_view id) const override {
    return inner_->FindMerge(t, id);
  }
  void PutMerge(const sb::TenantId& t, sb::MergeRecord m) override {
    ++mutating_calls;
    inner_->PutMerge(t, std::move(m));
  }
  bool EraseMerge(const sb::TenantId& t, std::string_view id) override {
    ++mutating_calls;
    return inner_->EraseMerge(t, id);
  }
  std::vector<sb::MergeRecord> ListMerges(const sb::TenantId& t) const override {
    return inner_->ListMerges(t);
  }

  const sb::LinkConstraint* FindLink(const sb::TenantId& t, std::string_view id) const override {
    return inner_->FindLink(t, id);
  }
  void PutLink(const sb::TenantId& t, sb::LinkConstraint l) override {
    ++mutating_calls;
    inner_->PutLink(t, std::move(l));
  }
  bool EraseLink(const sb::TenantId& t, std::string_view id) override {
    ++mutating_calls;
    return inner_->EraseLink(t, id);
  }
  std::vector<sb::LinkConstraint> LinksOf(const sb::TenantId& t,
                                          std::string_view event_id) const override {
    return inner_->LinksOf(t, event_id);
  }
  bool HasLinks(const sb::TenantId& t) const override { return inner_->HasLinks(t); }

  void AddTombstone(const sb::TenantId& t, uint64_t hash) override {
    ++mutating_calls;
    inner_->AddTombstone(t, hash);
  }
  bool HasTombstone(const sb::TenantId& t, uint64_t hash) const override {
    return inner_->HasTombstone(t, hash);
  }
  bool HasTombstones(const sb::TenantId& t) const override { return inner_->HasTombstones(t); }

  void PutMintedId(const sb::TenantId& t, std::string_view customer_id,
                   std::string_view event_id) override {
    ++mutating_calls;
    inner_->PutMintedId(t, customer_id, event_id);
  }
  std::string FindMintedId(const sb::TenantId& t, std::string_view customer_id) const override {
    return inner_->FindMintedId(t, customer_id);
  }
  void EraseMintedId(const sb::TenantId& t, std::string_view customer_id) override {
    ++mutating_calls;
    inner_->EraseMintedId(t, customer_id);
  }

  int64_t NextSequence(const sb::TenantId& t) override {
    ++mutating_calls;
    return inner_->NextSequence(t);
  }
  bool PrefetchForIngest(sb::IngestHint* hint) const override {
    return forward_hints && inner_->PrefetchForIngest(hint);
  }
  Stats GetStats(const sb::TenantId& t) const override { return inner_->GetStats(t); }

 private:
  std::unique_ptr<sb::JourneyStore> inner_ = sb::NewInMemoryJourneyStore();
};

}  // namespace sbt

#endif  // SWITCHBOARD_TESTS_FULL_JOURNEY_STORE_H_
