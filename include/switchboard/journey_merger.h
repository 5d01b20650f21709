// The journey-context merger: ingests TouchpointEvents from any channel and keeps one Journey per
// resolved customer, per tenant. Identifiers are normalized and matched under IdentityRules
// (identity.h); traits are reconciled per field (trait_reconciliation.h); every merge is recorded
// with its provenance and can be undone exactly with Split(); Forget() erases a customer and
// leaves a salted-hash tombstone so a replay cannot bring it back; SnapshotFor() gives the next
// agent the context (context_snapshot.h). State lives in a JourneyStore (journey_store.h).
//
// Determinism: identity is a pure function of the accepted events and the explicit Merge/Split
// calls, evaluated in canonical order (occurred-at, then event id). An event that arrives in
// order is applied incrementally; a late one rebuilds only the events connected to it. Feeding
// the same events in any order, with duplicates, yields the same customers, ids, journeys and
// traits. A customer's id is minted from its earliest event ("c-" + event id; a hash of a long
// one, where colliding hashes are numbered in the order they minted: see docs/journeys.md), so
// the survivor of a merge is the customer with the earliest event; the other id stays an alias.
//
// Thread-safety: not thread-safe. Calls must not overlap; const methods may run concurrently with
// each other but not with a mutating call.
//
//   switchboard::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
//   auto merger = switchboard::JourneyMerger::Create(switchboard::JourneyMergerOptions{}, &clock);
//   absl::StatusOr<switchboard::IngestResult> r = (*merger)->Ingest(email_event);
//   // r->customer == CustomerId("c-mail-1"); r->identifiers says which identifiers linked
//   auto journey = (*merger)->GetJourney(switchboard::TenantId("acme"), r->customer);
//   auto snapshot = (*merger)->SnapshotFor(incoming_call);  // what the agent sees
#ifndef SWITCHBOARD_JOURNEY_MERGER_H_
#define SWITCHBOARD_JOURNEY_MERGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/context_snapshot.h"
#include "switchboard/export.h"
#include "switchboard/identifier.h"
#include "switchboard/identity.h"
#include "switchboard/ids.h"
#include "switchboard/journey.h"
#include "switchboard/journey_store.h"
#include "switchboard/touchpoint_event.h"
#include "switchboard/trait_reconciliation.h"

namespace switchboard {

struct JourneyMergerOptions {
  // Normalization and matching rules. Default: IdentityRules::Defaults().
  IdentityRules identity = IdentityRules::Defaults();
  // Reconciled traits. Default: DefaultTraitRules().
  std::vector<TraitRule> traits = DefaultTraitRules();
  // Bounds of SnapshotFor(). Default: SnapshotOptions{}.
  SnapshotOptions snapshot;
  // An event whose occurred_at is later than the clock's now plus this is rejected. Default: 5 min.
  absl::Duration future_tolerance = absl::Minutes(5);
  // Salt of the erasure tombstones (a hash of tenant and event id, or of a hashed customer id,
  // keyed by it). Set a secret per
  // deployment and keep it stable: with another salt old tombstones stop matching.
  // Default: "switchboard".
  std::string erasure_salt = "switchboard";

  // InvalidArgument naming the field.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

// What became of one identifier of an ingested event.
enum class IdentifierOutcome : unsigned char {
  kLinked = 0,   // matched a known customer
  // A value that linked no customer (not seen before, or carried only where a limit or a split
  // dropped it from a link), now held by the event's customer.
  kNew,
  kInvalid,      // malformed: dropped from the event's identifiers
  kBlocked,      // a blocked value: dropped
  kShared,       // a shared value: recorded as context, never merges
  kDropped,      // not linked because a limit or a split forbids the link (see reason)
  kExpired,      // a weak identifier past its expiry: starts a new holder
  kNotMatching,  // the kind does not link (IdentifierRule::matches == false)
};

SWITCHBOARD_EXPORT std::string_view IdentifierOutcomeName(IdentifierOutcome outcome);

struct IdentifierReport {
  Identifier identifier;  // as received
  std::string key;        // normalized key; empty when invalid or blocked
  IdentifierOutcome outcome = IdentifierOutcome::kNew;
  std::string reason;
};

enum class IngestOutcome : unsigned char {
  kAccepted = 0,
  kDuplicate,  // the event id was already stored: nothing changed
  kErased,     // the event id belongs to an erased customer (tombstone): nothing stored
};

struct IngestResult {
  IngestOutcome outcome = IngestOutcome::kAccepted;
  CustomerId customer;  // the event's customer (empty when kErased)
  // One per identifier of the event, in its order; empty for kDuplicate and kErased, whose
  // identifiers are not looked at.
  std::vector<IdentifierReport> identifiers;
  // Merge records made at this event. Merges that a late event causes further on, when later
  // events are re-resolved (their evidence is another event), are not listed; the ids they
  // retire are (`retired`).
  std::vector<std::string> merges;
  // The event was late and its connected events were re-resolved (a late event that could not
  // change how another event resolved joins its customer directly: see journeys.md, "Cost").
  bool rebuilt = false;
  // Ids of customers that this event retired, each with the id of the customer it resolves to
  // now (sorted by the old id; an id retired earlier is not listed again). A merge retires the
  // absorbed customer's id; a late event that becomes a customer's first event renames it, since
  // ids are minted from first events so that any arrival order gives the same ids. Retired ids stay
  // aliases (Resolve() follows them); a host that stores customer ids can update them from here.
  std::vector<std::pair<CustomerId, CustomerId>> retired;
};

// One identifier value of a customer, with the raw form last received.
struct CustomerIdentifier {
  IdentifierKind kind = IdentifierKind::kPhone;
  std::string scope;
  std::string value;  // normalized
  std::string raw;    // as received on the customer's latest event carrying it
  ValueLink link = ValueLink::kLinked;
  bool verified = false;
  friend bool operator==(const CustomerIdentifier&, const CustomerIdentifier&) = default;
};

struct CustomerProfile {
  TenantId tenant;
  CustomerId id;
  std::vector<CustomerId> aliases;               // sorted
  std::vector<CustomerIdentifier> identifiers;   // contact points, kept not reconciled; by key
  std::vector<Trait> traits;                     // reconciled, with the losers in history
  int64_t event_count = 0;
  absl::Time first_seen = absl::UnixEpoch();
  absl::Time last_seen = absl::UnixEpoch();
  std::vector<std::string> merges;  // ids of the merges that built this customer, sorted
  friend bool operator==(const CustomerProfile&, const CustomerProfile&) = default;
};

// Who an identifier belongs to.
struct IdentityMatch {
  // The customer the value links, or, when it links nobody, its only carrier (see
  // JourneyMerger::FindByIdentifier); unset when shared or carried by several.
  std::optional<CustomerId> customer;
  // Holders of a shared value ("possibly A or B"), or the carriers of a value that links nobody
  // (a limit or a split dropped it); sorted.
  std::vector<CustomerId> possible;
  bool shared = false;
};

struct SplitReport {
  MergeRecord merge;     // the record undone (it no longer exists)
  CustomerId survivor;   // the customer that now holds the survivor's first event
  CustomerId restored;   // the customer that now holds the absorbed customer's first event
};

struct ErasureReport {
  CustomerId customer;
  std::vector<CustomerId> aliases;
  // Other ids this customer was handed out under, which resolved to it until now: a late event
  // that became its first event renamed it, and the ids given out before stayed aliases of it.
  // Unlike the rest of the report, which of them exist depends on the order the events arrived
  // in. Sorted; none of them is in `aliases`.
  std::vector<CustomerId> retired_ids;
  int64_t events = 0;
  std::vector<std::string> identifiers;  // keys no longer held by anyone
  int64_t traits = 0;                    // trait values removed
  std::vector<std::string> merges;       // merge records removed
  int64_t links = 0;                     // explicit merge / split constraints removed
  int64_t tombstones = 0;  // tombstones written: one per event, one per hashed customer id
  // Forget(tenant, identifier) only: other customers whose events still carry the forgotten
  // identifier (it was dropped from their link, or linked them before it expired), sorted. They
  // are not erased; see Forget(). Empty after Forget(tenant, id).
  std::vector<CustomerId> still_carried_by;
};

// Every call that names a tenant returns InvalidArgument for an invalid tenant id (the lists
// are empty for one), besides the errors given with each call.
class SWITCHBOARD_EXPORT JourneyMerger {
 public:
  // InvalidArgument when `options` are invalid or `clock` is null. `store` must outlive the
  // merger; when null the merger owns a NewInMemoryJourneyStore().
  static absl::StatusOr<std::unique_ptr<JourneyMerger>> Create(JourneyMergerOptions options,
                                                               const Clock* clock,
                                                               JourneyStore* store = nullptr);
  ~JourneyMerger();
  JourneyMerger(const JourneyMerger&) = delete;
  JourneyMerger& operator=(const JourneyMerger&) = delete;

  // Records `event` and resolves it to a customer. InvalidArgument (nothing stored) when the
  // event fails TouchpointEvent::Validate() (missing tenant or id, oversized attributes...) or
  // occurred_at is beyond now + future_tolerance. Malformed or blocked identifiers do not fail
  // the call: they are dropped and reported in IngestResult::identifiers. A repeated event id is
  // kDuplicate and an erased one kErased; neither changes anything. ResourceExhausted (nothing
  // stored) when the store is full. The event is read, not kept: the caller may reuse or destroy
  // it after the call (a host decoding a stream can parse every event into one object).
  absl::StatusOr<IngestResult> Ingest(const TouchpointEvent& event);
  // The same, written into `*result` (the same outcome and effects): a host ingesting a stream
  // can keep one result and one event object, and the reports' strings keep their capacity from
  // one call to the next instead of being allocated for every event. `*result` is overwritten
  // whatever it held; after an error it is empty. InvalidArgument when `result` is null.
  //
  //   switchboard::IngestResult result;
  //   for (const switchboard::TouchpointEvent& e : batch) {
  //     if (absl::Status s = merger->Ingest(e, &result); !s.ok()) { /* log s, go on */ }
  //   }
  absl::Status Ingest(const TouchpointEvent& event, IngestResult* result);
  // Ingests `events` in order, with the outcomes and effects of Ingest(events[i], &(*results)[i])
  // for each i in turn; (*statuses)[i] is that call's status. Both vectors are resized to the
  // batch (keep them from one batch to the next: the reports' strings keep their capacity).
  // Faster than one call per event when the tenant's data is larger than the CPU caches: while
  // an event is ingested, the store is asked for the memory of the next few
  // (JourneyStore::PrefetchForIngest), so their cache misses overlap. InvalidArgument, and
  // nothing ingested, when `results` or `statuses` is null.
  //
  //   std::vector<switchboard::IngestResult> results;
  //   std::vector<absl::Status> statuses;
  //   merger->IngestBatch(decoded_events, &results, &statuses).IgnoreError();  // both non-null
  //   for (size_t i = 0; i < statuses.size(); ++i) { /* log statuses[i] if not ok */ }
  absl::Status IngestBatch(absl::Span<const TouchpointEvent> events,
                           std::vector<IngestResult>* results, std::vector<absl::Status>* statuses);

  // The live customer id for `id`, which may be an alias or a retired id. NotFound otherwise,
  // also for an id never handed out: "c-<event id>" names a customer only when one was minted
  // from that event (when it was ingested or re-resolved), not when the event joined one.
  absl::StatusOr<CustomerId> Resolve(const TenantId& tenant, const CustomerId& id) const;
  // The customer's events in journey order. NotFound for an unknown customer.
  absl::StatusOr<Journey> GetJourney(const TenantId& tenant, const CustomerId& id) const;
  absl::StatusOr<CustomerProfile> GetCustomer(const TenantId& tenant, const CustomerId& id) const;
  std::vector<CustomerId> ListCustomers(const TenantId& tenant) const;
  // InvalidArgument for a malformed or blocked identifier; NotFound when nobody holds it. A value
  // of a kind that does not match (IdentifierRule::matches false) links nobody: it is only a
  // contact point of the customers carrying it (CustomerProfile::identifiers), and NotFound here.
  // A value a limit or a split dropped from its only carrier's link names that carrier here
  // (whose events hold it: what an erasure by value must find), but identifies nobody: only a
  // link does, so SnapshotFor() and later events treat it as unknown (kNew on the next event).
  absl::StatusOr<IdentityMatch> FindByIdentifier(const TenantId& tenant,
                                                 const Identifier& identifier) const;
  // Every merge record of the tenant, sorted by id; automatic ones are "m-<absorbed id>",
  // explicit ones "x-<n>".
  std::vector<MergeRecord> ListMerges(const TenantId& tenant) const;

  // Merges two customers regardless of identity rules (a split's constraint included) and records
  // it. The merge binds the two customers' first events at the time of the call, and applies in
  // canonical order right after the later of them: an event that arrives later but is earlier
  // than both is resolved before the merge applies. Re-resolving connected customers may
  // retire other ids too (a value shared only by the two stops counting as shared for a third);
  // Resolve() follows them. NotFound for an unknown customer, FailedPrecondition when they are
  // already one, InvalidArgument for an empty or oversized actor, an oversized reason, or either
  // not UTF-8.
  absl::StatusOr<MergeRecord> Merge(const TenantId& tenant, const CustomerId& a,
                                    const CustomerId& b, std::string_view reason,
                                    std::string_view actor);
  // Undoes a merge exactly: both customers are rebuilt from their events as if the link had never
  // been made (an automatic merge's link stays forbidden afterwards, also for late events). For
  // an automatic merge, the value that bridged them is then dropped from the bridging event's
  // link and, carried by both, usually becomes shared: later events carrying only it are
  // ambiguous, and start customers of their own. An id minted while the merge
  // stood stays resolvable, as every id handed out does (see Resolve()). NotFound for an unknown
  // id; InvalidArgument for an actor that is empty, oversized or not UTF-8.
  // An explicit merge whose customers a late event joined before it applied has no record in
  // ListMerges() but still binds them; its id still splits it (the report rebuilds its record).
  absl::StatusOr<SplitReport> Split(const TenantId& tenant, std::string_view merge_id,
                                    std::string_view actor);

  // Erases a customer: events, identifiers, traits, aliases, merge records and constraints, and
  // writes a tombstone per event so a replay is ignored. Other customers connected to it are
  // re-resolved without it. NotFound for an unknown customer, an id never handed out included
  // (see Resolve()): nothing is erased then.
  absl::StatusOr<ErasureReport> Forget(const TenantId& tenant, const CustomerId& id);
  // Forgets the one customer holding `identifier` (as FindByIdentifier() finds it), exactly as
  // Forget(tenant, id) does, and nothing else. InvalidArgument for a malformed or blocked
  // identifier; NotFound when nobody holds it (a kind that does not match included);
  // FailedPrecondition when it is shared or carried by several customers
  // none of whom it links (forget the candidates by id instead); nothing changes on an error.
  //
  // Other customers whose events carry the same value keep those events and the value: it was
  // dropped from their link (a limit, a unique id, a split), or linked them before it expired.
  // They are other people, and the value may be theirs as much as the requester's (a family
  // e-mail, a reused device), so an erasure request naming a value does not edit their records.
  // They are re-resolved as if the erased events had never been ingested, so one of them may
  // now hold the value: FindByIdentifier() and later events carrying it resolve to that
  // customer. ErasureReport::still_carried_by lists them (and ErasureReport::identifiers leaves
  // the value out) so the host can review them and forget them by id.
  absl::StatusOr<ErasureReport> Forget(const TenantId& tenant, const Identifier& identifier);

  // The context for `contact` (its tenant, identifiers, intent and arrived_at). An unknown
  // customer gives an empty snapshot; an ambiguous one lists the candidates and needs
  // verification. InvalidArgument when the contact's tenant is invalid or its arrived_at is not
  // a valid time (ValidateTime(): infinite, before the Unix epoch or after 9999).
  absl::StatusOr<ContextSnapshot> SnapshotFor(const Contact& contact) const;
  // The context of a known customer at time `now` for a contact with `intent` (may be empty).
  absl::StatusOr<ContextSnapshot> SnapshotOf(const TenantId& tenant, const CustomerId& id,
                                             std::string_view intent, absl::Time now) const;

  const JourneyMergerOptions& options() const;
  const JourneyStore& store() const;

 private:
  class Impl;
  explicit JourneyMerger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_JOURNEY_MERGER_H_
