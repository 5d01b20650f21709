// Where the journey merger keeps its state: accepted events, identifier values, customers, merge
// records, link constraints and erasure tombstones, all per tenant. The merger works only through
// this interface; the in-memory store is the default. Durable and shared stores implement the
// same interface later.
//
// Records split into raw data (events, their identifier postings, link constraints, tombstones)
// and derived data (customers, merge records, the resolution fields of a value). The merger can
// always rebuild derived data from raw data; that is how Split() and late events stay exact.
//
// Thread-safety: implementations need not be thread-safe; the merger calls its store from one
// thread at a time. Pointers returned by Find*/Mutable*/Put* stay valid until that record is
// erased or the store is destroyed (the in-memory store uses node-based maps for this).
//
//   std::unique_ptr<switchboard::JourneyStore> store = switchboard::NewInMemoryJourneyStore();
//   auto merger = switchboard::JourneyMerger::Create(options, &clock, store.get());
//   ...
//   switchboard::JourneyStore::Stats st = store->GetStats(switchboard::TenantId("acme"));
#ifndef SWITCHBOARD_JOURNEY_STORE_H_
#define SWITCHBOARD_JOURNEY_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "switchboard/channel.h"
#include "switchboard/event_key.h"
#include "switchboard/export.h"
#include "switchboard/identity.h"
#include "switchboard/ids.h"
#include "switchboard/touchpoint_event.h"
#include "switchboard/trait_reconciliation.h"

namespace switchboard {

// An accepted event with its identifiers normalized once (valid, unblocked ones only).
// event.identifiers keeps the raw form of exactly those, in the same order: identifiers[i] is the
// normalized event.identifiers[i].
struct StoredEvent {
  TouchpointEvent event;
  std::vector<NormalizedIdentifier> identifiers;
  CustomerId customer;  // derived: the customer the event resolved to
};

// How a customer holds one identifier value.
enum class ValueLink : unsigned char {
  kLinked = 0,  // links events to this customer and counts toward the kind's limit
  kUnlinked,    // carried, but dropped from linking (a limit or a split forbade it)
  kShared,      // the value became shared: context only, never identity
  kExpired,     // a weak identifier that expired before it was seen again
};

SWITCHBOARD_EXPORT std::string_view ValueLinkName(ValueLink link);

struct CustomerValue {
  std::string key;  // NormalizedIdentifier::Key()
  IdentifierKind kind = IdentifierKind::kPhone;
  std::string scope;
  ValueLink link = ValueLink::kLinked;
  bool verified = false;
};

// One identifier value of a tenant.
struct ValueRecord {
  std::string key;
  std::vector<EventId> events;  // raw: every stored event carrying the value
  // Derived by resolution:
  CustomerId linked;                // the customer it links to; empty when none
  std::vector<CustomerId> holders;  // distinct customers carrying it, oldest first
  bool shared = false;
  absl::Time last_seen = absl::InfinitePast();  // latest event linked through it
};

// Latest-wins value with the event that set it.
struct KeyedValue {
  EventKey key;
  std::string value;
  friend bool operator==(const KeyedValue&, const KeyedValue&) = default;
};

struct CaseState {
  std::string id;
  EventKey opened;    // empty when only the resolution was seen
  EventKey resolved;  // empty while open
  std::string summary;
  friend bool operator==(const CaseState&, const CaseState&) = default;
};

// What snapshots need, kept incrementally so a snapshot never scans the journey. Every field is a
// commutative aggregate (latest, top-k, sets, counts), so merge order does not matter.
struct CustomerSummary {
  KeyedValue last_agent;
  KeyedValue last_queue;
  KeyedValue last_intent;
  EventKey verified;                 // latest event with identity_verified=true
  std::vector<KeyedValue> notes;     // newest first, at most SnapshotOptions::max_notes
  std::vector<KeyedValue> intents;   // latest sighting per intent, newest first, at most 32
  std::vector<CaseState> cases;      // by case id, at most 64 (oldest dropped)
  std::array<int64_t, kChannelCount> channel_counts{};
  friend bool operator==(const CustomerSummary&, const CustomerSummary&) = default;
};

struct CustomerRecord {
  CustomerId id;
  EventId mint_event;  // the earliest event; the id was minted from it
  EventKey mint_key;
  EventKey latest;
  std::vector<EventKey> events;  // journey order
  std::vector<CustomerValue> values;
  std::vector<CustomerId> aliases;          // ids of customers merged into this one
  std::vector<std::string> merges;          // merge records made while building this customer
  std::vector<EventId> constrained_anchors;  // its events named by a cannot-link constraint
  TraitState traits;
  CustomerSummary summary;
};

enum class MergeKind : unsigned char { kAutomatic = 0, kExplicit };

// Provenance of one merge.
struct MergeRecord {
  std::string id;
  CustomerId survivor;
  CustomerId absorbed;  // remains an alias of the survivor
  MergeKind kind = MergeKind::kAutomatic;
  std::string rule;            // "shared identifier" (automatic) or "explicit"
  std::string identifier_key;  // the identifier that linked them (automatic)
  EventId evidence;            // the event that linked them (automatic)
  absl::Time at = absl::UnixEpoch();  // evidence time, or the clock when Merge() was called
  std::string actor;           // "auto" or who called Merge()
  std::string reason;
  EventId survivor_anchor;  // the events the two customers were minted from
  EventId absorbed_anchor;
  friend bool operator==(const MergeRecord&, const MergeRecord&) = default;
};

// A raw constraint between the customers of two events: joined (explicit Merge) or kept apart
// (Split of an automatic merge).
struct LinkConstraint {
  std::string id;
  EventId a;
  EventId b;
  bool must_link = true;
  std::string actor;
  std::string reason;
  absl::Time at = absl::UnixEpoch();
  friend bool operator==(const LinkConstraint&, const LinkConstraint&) = default;
};

class SWITCHBOARD_EXPORT JourneyStore {
 public:
  virtual ~JourneyStore() = default;
  virtual std::string_view Name() const = 0;

  // Events, keyed by (tenant, event id). PutEvent replaces a record with the same id.
  virtual const StoredEvent* FindEvent(const TenantId& tenant, std::string_view id) const = 0;
  virtual StoredEvent* MutableEvent(const TenantId& tenant, std::string_view id) = 0;
  virtual StoredEvent* PutEvent(StoredEvent event) = 0;
  virtual bool EraseEvent(const TenantId& tenant, std::string_view id) = 0;

  // Identifier values, keyed by (tenant, key).
  virtual const ValueRecord* FindValue(const TenantId& tenant, std::string_view key) const = 0;
  virtual ValueRecord* MutableValue(const TenantId& tenant, std::string_view key) = 0;
  virtual ValueRecord* PutValue(const TenantId& tenant, ValueRecord value) = 0;
  virtual bool EraseValue(const TenantId& tenant, std::string_view key) = 0;

  // Customers, keyed by (tenant, id). ListCustomers is sorted by id.
  virtual const CustomerRecord* FindCustomer(const TenantId& tenant, std::string_view id) const = 0;
  virtual CustomerRecord* MutableCustomer(const TenantId& tenant, std::string_view id) = 0;
  virtual CustomerRecord* PutCustomer(const TenantId& tenant, CustomerRecord customer) = 0;
  virtual bool EraseCustomer(const TenantId& tenant, std::string_view id) = 0;
  virtual std::vector<CustomerId> ListCustomers(const TenantId& tenant) const = 0;

  // Merge records, keyed by (tenant, id). ListMerges is sorted by id.
  virtual const MergeRecord* FindMerge(const TenantId& tenant, std::string_view id) const = 0;
  virtual void PutMerge(const TenantId& tenant, MergeRecord merge) = 0;
  virtual bool EraseMerge(const TenantId& tenant, std::string_view id) = 0;
  virtual std::vector<MergeRecord> ListMerges(const TenantId& tenant) const = 0;

  // Link constraints, keyed by (tenant, id) and findable by either event.
  virtual const LinkConstraint* FindLink(const TenantId& tenant, std::string_view id) const = 0;
  virtual void PutLink(const TenantId& tenant, LinkConstraint link) = 0;
  virtual bool EraseLink(const TenantId& tenant, std::string_view id) = 0;
  // Constraints naming `event_id`, sorted by id.
  virtual std::vector<LinkConstraint> LinksOf(const TenantId& tenant,
                                              std::string_view event_id) const = 0;

  // Erasure tombstones: salted hashes of erased event ids.
  virtual void AddTombstone(const TenantId& tenant, uint64_t hash) = 0;
  virtual bool HasTombstone(const TenantId& tenant, uint64_t hash) const = 0;

  // Customer ids minted as a hash (event id too long to embed) -> the event they came from.
  virtual void PutMintedId(const TenantId& tenant, std::string_view customer_id,
                           std::string_view event_id) = 0;
  virtual std::string FindMintedId(const TenantId& tenant, std::string_view customer_id) const = 0;
  virtual void EraseMintedId(const TenantId& tenant, std::string_view customer_id) = 0;

  // A per-tenant counter (explicit merge ids); starts at 1.
  virtual int64_t NextSequence(const TenantId& tenant) = 0;

  struct Stats {
    int64_t events = 0;
    int64_t customers = 0;
    int64_t values = 0;
    int64_t merges = 0;
    int64_t links = 0;
    int64_t tombstones = 0;
  };
  virtual Stats GetStats(const TenantId& tenant) const = 0;
};

// The default store: everything in memory, per tenant, lost when destroyed.
SWITCHBOARD_EXPORT std::unique_ptr<JourneyStore> NewInMemoryJourneyStore();

}  // namespace switchboard

#endif  // SWITCHBOARD_JOURNEY_STORE_H_
