// The identity resolver: applies stored events to customers in canonical order under the identity
// rules, and rebuilds a connected part of a tenant from its raw data (events, postings, link
// constraints). Private to the journey merger.
//
// Model: the state of a tenant is what replaying every event in canonical order (occurred-at,
// event id) produces, with each explicit merge applied right after the later of its two anchor
// events. Events, postings and constraints are raw; customers, merge records and the resolution
// fields of values are derived. Events that share no identifier value or constraint do not
// interact, so a part can be rebuilt alone, and an event later than every customer it touches can
// be applied directly on top of the current state.
//
// Thread-safety: not thread-safe; owned by one JourneyMerger.
#ifndef SWITCHBOARD_SRC_JOURNEY_RESOLVER_H_
#define SWITCHBOARD_SRC_JOURNEY_RESOLVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "src/journey/siphash.h"
#include "switchboard/identity.h"
#include "switchboard/journey_merger.h"
#include "switchboard/journey_store.h"

namespace switchboard::journey_internal {

// What Process() decided for one event.
// Inline capacities cover the usual handful of identifiers: no allocation per event.
struct Processed {
  CustomerId customer;
  absl::InlinedVector<IdentifierOutcome, 8> outcomes;  // per identifier of the stored event
  absl::InlinedVector<std::string, 4> reasons;
  std::vector<std::string> merges;
  std::vector<EventHandle> absorbed;  // the mints of the customers merges absorbed

  // Empties every field; the lists keep their capacity, so a reused Processed seldom allocates.
  void Clear() {
    customer = CustomerId();
    outcomes.clear();
    reasons.clear();
    merges.clear();
    absorbed.clear();
  }
};

// The record an explicit merge (a must-link constraint) gets: provenance from the link; the
// customers and anchors are filled in by whoever applies it.
MergeRecord ExplicitMergeRecord(const LinkConstraint& link);

class Resolver {
 public:
  Resolver(const JourneyMergerOptions* options, const IdentityNormalizer* normalizer,
           JourneyStore* store)
      : options_(options),
        normalizer_(normalizer),
        store_(store),
        sip_key_(SipKeyFromSalt(options->erasure_salt)),
        limited_kinds_(LimitedKinds(normalizer->rules())) {}

  // The customer id minted from an event: "c-<event id>", or "c~<hash>" for a long event id
  // (registered with the store so MintEventOf() can find the event again; "c~<hash>~2" and so on
  // when another event's id has the same hash).
  std::string MintId(const TenantId& tenant, std::string_view event_id);
  // The same id without registering it: the one the event minted, or would mint now.
  std::string MintedIdOf(const TenantId& tenant, std::string_view event_id) const;
  // For Forget: a hashed id the event minted names no event any more, but stays taken (a keyed
  // tombstone, like the erased events': the unkeyed hash itself is not kept).
  // True when it retired one.
  bool RetireMintedId(const TenantId& tenant, EventHandle mint);
  // Whether RetireMintedId retired `id`.
  bool IsRetiredMintedId(const TenantId& tenant, std::string_view id) const;
  // The event a customer id would have been minted from; empty when `id` does not have a minted
  // id's form. Whether that event did mint one is StoredEvent::minted.
  std::string MintEventOf(const TenantId& tenant, std::string_view id) const;
  // The id of the customer minted from `mint` (no store write).
  CustomerId IdOf(const TenantId& tenant, EventHandle mint) const;
  // Whether an event with this id mints "c-<event id>" (else a hashed id, "c~...").
  static bool MintsEmbeddedId(std::string_view event_id);

  // True when `event` is later than every customer it touches (their latest events, the events
  // of others that changed how they hold a value, and those their state turned away), so that
  // applying it cannot change how a later event resolved, and Process() on the current state
  // equals a full replay. `values` holds the value record of each of the event's identifiers.
  bool IsInOrder(const TenantId& tenant, EventHandle event,
                 absl::Span<ValueRecord* const> values) const;
  // Resolves one stored event (whose contents are `content`) on top of the current state.
  // `values`, when not empty, holds the value record of each of its identifiers.
  Processed Process(const TenantId& tenant, EventHandle event, const TouchpointEvent& content,
                    absl::Span<ValueRecord* const> values = {});
  // The same into `out`, which is cleared first (its lists keep their capacity).
  void Process(const TenantId& tenant, EventHandle event, const TouchpointEvent& content,
               absl::Span<ValueRecord* const> values, Processed* out);

  // Resolves a late event (one IsInOrder() turned down) without re-resolving its customer when
  // it cannot change how any other event resolved, and says whether it did. That holds for an
  // event whose values were all linked by earlier events to one customer that was already one
  // when the event occurred (with two values or more: no merge since), values of kinds that
  // expire being fresh then and seen linked again at or after it: in journey order the event
  // joins that customer, as it does now, and it links no new value (so it meets no limit and
  // makes no merge), makes no value expire or stop expiring, and, not being verified, proves
  // nothing that a limit decision reads. Tenants with merge or split constraints always
  // re-resolve.
  // `values` is as for IsInOrder(). When it returns true, `out` holds the event's result (cleared
  // first, as Process() does); else `out` is untouched.
  bool InsertLate(const TenantId& tenant, EventHandle event, const TouchpointEvent& content,
                  absl::Span<ValueRecord* const> values, Processed* out);

  // Every event connected to `seeds` through identifier values or link constraints, with every
  // event of each customer met, sorted in canonical order. A value connects through an event
  // only when it was not shared before that event (SharedBefore()).
  std::vector<EventHandle> Component(const TenantId& tenant,
                                     const std::vector<EventHandle>& seeds) const;
  // Erases the derived state of `events` (a Component()): their customers (and those customers'
  // merge records) and the resolution fields of their values, but for a value shared before each
  // of them that carries it, which only loses those customers from its holders.
  void ClearDerived(const TenantId& tenant, const std::vector<EventHandle>& events);
  // Replays `events` (canonical order, derived state cleared) and the explicit merges among them.
  // When `watch` is one of them, its Processed result is stored in `*watched`.
  void Replay(const TenantId& tenant, const std::vector<EventHandle>& events,
              EventHandle watch = kNoHandle, Processed* watched = nullptr);
  // Component + ClearDerived + Replay. `customers_before`, when given, receives the customers
  // (by mint) that the re-resolved events belonged to before.
  void Rebuild(const TenantId& tenant, const std::vector<EventHandle>& seeds,
               EventHandle watch = kNoHandle, Processed* watched = nullptr,
               absl::InlinedVector<EventHandle, 8>* customers_before = nullptr);

 private:
  struct Candidate;
  struct Violation;

  const IdentifierRule& RuleOf(const ValueRecord& value) const {
    return normalizer_->RuleFor(value.kind, value.scope());
  }
  bool Less(const TenantId& tenant, EventHandle a, EventHandle b) const {
    return store_->EventLess(tenant, a, b);
  }
  // Whether the customer's latest event is before event `e` occurring at `at` (true when it has
  // none), reading the event only on a tie in time.
  bool LatestBefore(const TenantId& tenant, const CustomerRecord& c, EventHandle e,
                    absl::Time at) const {
    return Before(tenant, c.latest, c.latest_at, e, at);
  }
  // Whether event `x` (occurring at `x_at`; true when kNoHandle) is before event `e` at `at`.
  bool Before(const TenantId& tenant, EventHandle x, absl::Time x_at, EventHandle e,
              absl::Time at) const {
    if (x == kNoHandle) return true;
    if (x_at != at) return x_at < at;
    return Less(tenant, x, e);
  }
  // Whether `value` was shared by an event before event `e` at `at`. Then, in canonical order,
  // `e` finds the value shared whatever else arrives, and all it does with it is join its
  // holders (which nothing reads in order: only their number until the value is shared, and it
  // never stops being shared). So an event there neither depends on the other holders nor
  // changes them, and need not be re-resolved with them. False when the store did not keep
  // the sharing event (ValueRecord::shared_by).
  bool SharedBefore(const TenantId& tenant, const ValueRecord& value, EventHandle e,
                    absl::Time at) const {
    return value.shared && value.shared_by != kNoHandle &&
           Before(tenant, value.shared_by, store_->Event(tenant, value.shared_by).occurred_at, e,
                  at);
  }
  // Whether nothing after event `e` at `at` changed the customer: its latest event and the
  // latest event that touched it from outside (CustomerLinks::touched) are both before `e`.
  bool UnchangedSince(const TenantId& tenant, const CustomerRecord& c, EventHandle e,
                      absl::Time at) const {
    return LatestBefore(tenant, c, e, at) &&
           (c.links == nullptr || Before(tenant, c.links->touched, c.links->touched_at, e, at));
  }
  // Records that event `e` at `at`, not in the customer's journey, changed how it holds a value
  // or was turned away by its state.
  void Touch(const TenantId& tenant, CustomerRecord* c, EventHandle e, absl::Time at);
  // Whether linking event `event_id` to `customers` breaks a limit or a split; if so, what and
  // which candidates' drop may resolve it.
  bool FindViolation(const TenantId& tenant, std::string_view event_id,
                     absl::Span<CustomerRecord* const> customers,
                     absl::Span<const Candidate> candidates, Violation* violation) const;
  // A split naming event `anchor` of customer `mine` (kNoHandle: the event being resolved, whose
  // customer is not decided yet) and an event of another of `customers`; sets `violation` with
  // the links to either side as the ones whose drop may resolve it.
  bool FindSplitOf(const TenantId& tenant, std::string_view anchor, EventHandle mine,
                   absl::Span<CustomerRecord* const> customers,
                   absl::Span<const Candidate> candidates, Violation* violation) const;
  CustomerRecord* Mint(const TenantId& tenant, EventHandle event);
  // Puts event `ev` (at `at`) into the customer's journey, traits and summary.
  void AddToCustomer(const TenantId& tenant, CustomerRecord* c, EventHandle ev, absl::Time at,
                     const TouchpointEvent& content);
  // Merges the sorted journey `from` into the sorted journey `into`.
  void MergeJourneys(const TenantId& tenant, std::vector<EventHandle>* into,
                     const std::vector<EventHandle>& from) const;
  // Folds `absorbed` into `survivor`, records the merge and erases `absorbed`.
  void MergeInto(const TenantId& tenant, CustomerRecord* survivor, CustomerRecord* absorbed,
                 MergeRecord record, Processed* processed);
  void ApplyMustLink(const TenantId& tenant, const LinkConstraint& link);
  // `ev` at `at` is the event that made it shared.
  void MakeShared(const TenantId& tenant, ValueHandle handle, ValueRecord* value, EventHandle ev,
                  absl::Time at);
  // Records that `customer` holds the candidate's value as `link`: its entry for the value, and
  // in `*fresh` whether the entry is new (valid until the customer's values next grow).
  CustomerValue* UpsertValue(CustomerRecord* customer, const Candidate& candidate, ValueLink link,
                             bool* fresh) const;
  // Takes `customer` (a mint) off the value's holders, with its CustomerValue::holder mark.
  void RemoveHolder(const TenantId& tenant, ValueHandle handle, ValueRecord* value,
                    EventHandle customer) const;
  // Sets how `customer` holds its value `entry`, keeping the customer's value index in step.
  void SetLink(CustomerRecord* customer, CustomerValue* entry, ValueLink link) const;
  // Calls `f` with each value the customer holds linked in a kind that may have a limit (and
  // perhaps others linked), in list order; through its value index when it has many values.
  void ForEachLinkedLimited(CustomerRecord* customer,
                            absl::FunctionRef<void(const CustomerValue&)> f) const;
  // Bit k set: a rule of IdentifierKind k (its own or a custom kind's) has a limit.
  static uint32_t LimitedKinds(const IdentityRules& rules);

  const JourneyMergerOptions* options_;
  const IdentityNormalizer* normalizer_;
  JourneyStore* store_;
  SipKey sip_key_;  // of JourneyMergerOptions::erasure_salt
  uint32_t limited_kinds_;  // LimitedKinds() of the rules
};

}  // namespace switchboard::journey_internal

#endif  // SWITCHBOARD_SRC_JOURNEY_RESOLVER_H_
