// Where the journey merger keeps its state: accepted events, identifier values, customers, merge
// records, link constraints and erasure tombstones, all per tenant. The merger works only through
// this interface; the in-memory store is the default. Durable and shared stores implement the
// same interface later.
//
// Records split into raw data (events, their identifier postings, link constraints, tombstones)
// and derived data (customers, merge records, the resolution fields of a value). The merger can
// always rebuild derived data from raw data; that is how Split() and late events stay exact.
//
// Compact layout: the store interns event ids and identifier values per tenant as dense 32-bit
// handles (EventHandle, ValueHandle). An event is a small fixed record (its occurred-at time,
// type and channel as bytes, its customer as a handle) plus its identifiers' value handles; its
// variable contents (id, received-at, source system, contact, raw identifier forms where they
// differ from the normalized ones, attributes) are encoded by the store and decoded on demand
// (ReadEvent, EventAttribute). A customer is keyed by the handle of the event its id was minted
// from, and keeps its journey as event handles. Handles are only meaningful inside their tenant
// and store; the handle of an erased event or value may be reused, and nothing outside the store
// may order by handles (journey order is always occurred-at, then event id: EventLess()).
//
// Thread-safety: the merger never overlaps a mutating call with any other call, but its const
// methods may run concurrently (journey_merger.h), and they call the store's const methods: an
// implementation's const methods must be safe to call concurrently with each other (the
// in-memory store's are); the mutating ones need no locking. References and pointers returned
// by Event()/MutableEvent() stay valid until the next PutEvent/EraseEvent of the tenant; those of
// Value()/MutableValue() and FindCustomer()/MutableCustomer()/PutCustomer() until that record is
// erased; string_views and spans until the next mutating call of the tenant.
//
//   std::unique_ptr<switchboard::JourneyStore> store = switchboard::NewInMemoryJourneyStore();
//   auto merger = switchboard::JourneyMerger::Create(options, &clock, store.get());
//   ...
//   const switchboard::TenantId acme("acme");
//   switchboard::EventHandle e = store->FindEvent(acme, "mail-1");  // kNoHandle when unknown
//   if (e != switchboard::kNoHandle) {
//     const switchboard::StoredEvent& rec = store->Event(acme, e);
//     const switchboard::CustomerRecord* c = store->FindCustomer(acme, rec.customer);
//   }
//   switchboard::JourneyStore::Stats st = store->GetStats(acme);
#ifndef SWITCHBOARD_JOURNEY_STORE_H_
#define SWITCHBOARD_JOURNEY_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "switchboard/channel.h"
#include "switchboard/event_key.h"
#include "switchboard/export.h"
#include "switchboard/identity.h"
#include "switchboard/ids.h"
#include "switchboard/touchpoint_event.h"
#include "switchboard/trait_reconciliation.h"

namespace switchboard {

// Dense per-tenant handles; kNoHandle means "none".
using EventHandle = uint32_t;
using ValueHandle = uint32_t;
inline constexpr uint32_t kNoHandle = 0xFFFFFFFFu;

// The fixed part of an accepted event. Its identifiers (valid, unblocked ones only, normalized,
// in the order received) are EventValues(); the rest of its contents is read with ReadEvent().
struct StoredEvent {
  // Kept exact (absl::Time), not rounded to microseconds: journey order and ReadEvent() must
  // give back exactly what was ingested. received_at is part of the encoded contents (usually
  // as "same as occurred_at").
  absl::Time occurred_at = absl::UnixEpoch();
  EventHandle customer = kNoHandle;  // derived: the mint event of the event's customer
  uint32_t payload = kNoHandle;      // store-private: where the contents are (none: free slot)
  uint32_t values = 0;               // store-private: where the value handles are
  EventType type = EventType::kMessage;
  Channel channel = Channel::kVoice;
  uint8_t value_count = 0;
  bool verified : 1 = false;  // the event carried identity_verified=true
  // A customer id was minted from the event (set when it first minted one, never cleared): only
  // such an event's "c-<id>" was ever handed out, so only it names a customer (an alias once
  // the event belongs to another). Bit-fields: the record stays 32 bytes.
  bool minted : 1 = false;
};
// Most of the store's memory per event (benchmarks/RESULTS.md, heap per event). At most, not
// exactly: Abseil releases whose absl::Time is 4-byte aligned make it 28.
static_assert(sizeof(StoredEvent) <= 32, "StoredEvent must not grow past 32 bytes");

// How a customer holds one identifier value.
enum class ValueLink : unsigned char {
  kLinked = 0,  // links events to this customer and counts toward the kind's limit
  kUnlinked,    // carried, not linking: a limit or a split dropped it, or its kind does not
                // match (IdentifierRule::matches false)
  kShared,      // the value became shared: context only, never identity
  kExpired,     // a weak identifier that expired before it was seen again
};

SWITCHBOARD_EXPORT std::string_view ValueLinkName(ValueLink link);

// One identifier value a customer holds.
struct CustomerValue {
  ValueHandle value = kNoHandle;
  IdentifierKind kind = IdentifierKind::kPhone;
  ValueLink link = ValueLink::kLinked;
  bool verified = false;
  // Derived: true only while the customer is among the value's holders (ValueRecord::holders),
  // so its next event with the value need not search them; false says nothing (a search does).
  bool holder = false;
};

// One identifier value of a tenant.
struct ValueRecord {
  // NormalizedIdentifier::Key(): "<kind>[/<scope>]:<value>"; the bytes are the store's, valid
  // until the tenant's next EraseValue (which may compact every key).
  std::string_view key;
  // Raw: every stored event carrying the value. Most values are carried by a few events: up to
  // four are held in the record itself (in the 24 bytes a std::vector takes), with no heap block.
  absl::InlinedVector<EventHandle, 4> events;
  // Derived by resolution:
  // Distinct customers holding it for matching (what shared_after counts), in no set order: not
  // for a kind that does not match, and not customers whose link to it expired.
  absl::InlinedVector<EventHandle, 2> holders;
  absl::Time last_seen = absl::InfinitePast();  // latest event linked through it
  EventHandle linked = kNoHandle;               // the customer it links to (its mint event)
  // The event that linked it (to `linked`, or to a customer since merged into it): a late event
  // after that one may find it linked already (Resolver::InsertLate).
  EventHandle linked_by = kNoHandle;
  // When shared: the event that made it shared. Events after that one in journey order see it
  // shared whatever else arrives, so a late event there need not re-resolve the other holders.
  EventHandle shared_by = kNoHandle;
  bool shared = false;
  // Raw again (fields ordered to avoid padding):
  IdentifierKind kind = IdentifierKind::kPhone;
  uint16_t scope_size = 0;

  std::string_view scope() const;
  std::string_view value() const;  // the normalized value
};

// A position in journey order kept by a summary: the event's handle (4 bytes, where an EventKey
// with the id would take 48). Its time and id, which order it, are read from the store.
struct SummaryKey {
  EventHandle event = kNoHandle;  // kNoHandle = "no event"

  bool empty() const { return event == kNoHandle; }
  friend bool operator==(const SummaryKey&, const SummaryKey&) = default;
};

// Latest-wins value with the event that set it.
struct KeyedValue {
  SummaryKey key;
  std::string value;
  friend bool operator==(const KeyedValue&, const KeyedValue&) = default;
};

// An intent's two latest sightings. The latest may be the contact a snapshot is built for (its
// own IVR step), whose repeat is the sighting before; both fit where one KeyedValue did.
struct IntentSightings {
  SummaryKey latest;
  SummaryKey previous;  // empty when seen once
  std::string value;
  friend bool operator==(const IntentSightings&, const IntentSightings&) = default;
};

struct CaseState {
  std::string id;
  SummaryKey opened;       // the first opening; empty when only a resolution was seen
  SummaryKey resolved;     // the latest resolution; empty while never resolved
  SummaryKey last_opened;  // the latest opening: after `resolved`, the case was opened again
  std::string summary;     // of the first opening (kept since: see docs/journeys.md, limits)
  friend bool operator==(const CaseState&, const CaseState&) = default;
};

// What snapshots need, kept incrementally so a snapshot never scans the journey. Every field is a
// commutative aggregate (latest, top-k, sets, counts), so merge order does not matter.
struct CustomerSummary {
  KeyedValue last_agent;
  KeyedValue last_queue;
  KeyedValue last_intent;
  SummaryKey verified;               // latest event with identity_verified=true
  std::vector<KeyedValue> notes;     // newest first, at most SnapshotOptions::max_notes
  // One entry per intent with its two latest sightings, by latest sighting newest first, at
  // most 32 intents.
  std::vector<IntentSightings> intents;
  std::vector<CaseState> cases;      // by case id, at most 64 (oldest dropped)
  // Unsigned 32 bits: a handle is 32 bits, so a tenant holds fewer than 2^32 events and a count
  // never wraps.
  std::array<uint32_t, kChannelCount> channel_counts{};
  friend bool operator==(const CustomerSummary&, const CustomerSummary&) = default;
};

// What only merged, split or touched customers have: kept out of line, absent for most customers.
struct CustomerLinks {
  std::vector<CustomerId> aliases;           // ids of customers merged into this one
  std::vector<std::string> merges;           // merge records made while building this customer
  std::vector<EventId> constrained_anchors;  // its events named by a cannot-link constraint
  // Derived: the latest event outside its journey that changed how it holds a value (made one
  // shared, expired one) or that its limits or splits turned away (the event read its state),
  // when later than its own latest event. An event before it cannot be applied on top of the
  // current state: the customer no longer looks as it did then, or a later outcome depends on it.
  EventHandle touched = kNoHandle;
  absl::Time touched_at = absl::InfinitePast();
};

// Where each value of a customer with many values sits in CustomerRecord::values: the merger's
// cache, so that finding one costs a hash lookup rather than a scan. A store moves it with the
// record and need not persist it: the merger rebuilds it when it does not match `values`.
struct CustomerValueIndex {
  absl::flat_hash_map<ValueHandle, uint32_t> position;  // of the first position.size() values
  ValueHandle last = kNoHandle;                         // values[position.size() - 1].value
  // Ascending positions, among those, of the values linked in a kind that may have a limit:
  // what a limit check counts, however many unlinked or unlimited values the customer has.
  std::vector<uint32_t> limited_linked;
};

// A customer's id is not stored: it is minted from its first event's id ("c-<event id>", see
// journey_merger.h), which `mint` names.
struct CustomerRecord {
  EventHandle mint = kNoHandle;    // the earliest event; the id was minted from it (the key)
  EventHandle latest = kNoHandle;  // the latest event in journey order (events.back())
  // Its occurred-at, kept here: most order checks against a customer's latest event are settled
  // by time without reading the event.
  absl::Time latest_at = absl::InfinitePast();
  std::vector<EventHandle> events;  // journey order
  std::vector<CustomerValue> values;     // each value once; only ever appended to
  std::unique_ptr<CustomerLinks> links;  // null: no alias, merge or constraint
  std::unique_ptr<CustomerValueIndex> value_index;  // null until it has many values
  TraitState traits;
  CustomerSummary summary;

  const std::vector<CustomerId>& aliases() const { return LinksOrNone().aliases; }
  const std::vector<std::string>& merges() const { return LinksOrNone().merges; }
  const std::vector<EventId>& constrained_anchors() const {
    return LinksOrNone().constrained_anchors;
  }
  CustomerLinks& MutableLinks() {
    if (links == nullptr) links = std::make_unique<CustomerLinks>();
    return *links;
  }

 private:
  const CustomerLinks& LinksOrNone() const {
    static const CustomerLinks kNone;  // immutable
    return links != nullptr ? *links : kNone;
  }
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

// What the merger says of an event it is about to ingest, so that the store can request the
// memory that ingest will read. See JourneyStore::PrefetchForIngest.
struct IngestHint {
  static constexpr int kMaxKeys = 4;   // identifiers past the fourth get no hint
  static constexpr int kMaxSteps = 5;  // PrefetchForIngest calls per event, at most

  const TenantId* tenant = nullptr;
  std::string_view event_id;
  std::array<std::string_view, kMaxKeys> keys;  // NormalizedIdentifier::Key() of each
  int key_count = 0;
  int step = 0;  // calls of PrefetchForIngest so far; the store advances it
  // The store's own notes from one step to the next (hashes and handles found so far, and
  // where it keeps the tenant).
  std::array<uint32_t, 3 * kMaxKeys + 1> notes{};
  const void* store_tenant = nullptr;
};

class SWITCHBOARD_EXPORT JourneyStore {
 public:
  virtual ~JourneyStore() = default;
  virtual std::string_view Name() const = 0;

  // Events, interned by (tenant, event id).
  // kNoHandle when the tenant holds no event with that id.
  virtual EventHandle FindEvent(const TenantId& tenant, std::string_view id) const = 0;
  // Stores `event` (its tenant names the tenant) as a new event and returns its handle.
  // event.identifiers are the raw forms of `values`, in the same order (values[i] is the
  // normalized event.identifiers[i]); the store keeps a raw form only where it differs from the
  // normalized value. The customer starts as kNoHandle. kNoHandle when the id is already stored
  // or the tenant's storage is full (nothing is stored then).
  virtual EventHandle PutEvent(const TouchpointEvent& event, absl::Span<const ValueHandle> values,
                               bool verified) = 0;
  // No event the tenant ever stored, erased ones included, occurred after this. An event that
  // occurred later is the newest so far, so the merger resolves it without checking its
  // customers' histories. The default, InfiniteFuture, means unknown and skips that shortcut.
  virtual absl::Time LatestOccurredAt(const TenantId& tenant) const {
    (void)tenant;
    return absl::InfiniteFuture();
  }
  // Removes the event and overwrites its contents (id, attributes, raw identifiers); its handle
  // may be reused. The caller first removes it from the postings of its values.
  virtual bool EraseEvent(const TenantId& tenant, EventHandle event) = 0;
  // `event` must be a live handle of the tenant.
  virtual const StoredEvent& Event(const TenantId& tenant, EventHandle event) const = 0;
  virtual StoredEvent* MutableEvent(const TenantId& tenant, EventHandle event) = 0;
  virtual std::string_view EventIdOf(const TenantId& tenant, EventHandle event) const = 0;
  virtual absl::Span<const ValueHandle> EventValues(const TenantId& tenant,
                                                    EventHandle event) const = 0;
  // The event as ingested, minus the identifiers that were dropped (invalid, blocked, repeated).
  virtual TouchpointEvent ReadEvent(const TenantId& tenant, EventHandle event) const = 0;
  // One attribute of the event; nullopt when absent.
  virtual std::optional<std::string_view> EventAttribute(const TenantId& tenant, EventHandle event,
                                          std::string_view key) const = 0;
  // Journey order: occurred-at, then event id.
  virtual bool EventLess(const TenantId& tenant, EventHandle a, EventHandle b) const = 0;

  // Identifier values, interned by (tenant, key).
  virtual ValueHandle FindValue(const TenantId& tenant, std::string_view key) const = 0;
  // Finds or adds the value of `id` (whose Key() is `key`); kNoHandle when the tenant's storage
  // is full.
  virtual ValueHandle InternValue(const TenantId& tenant, const NormalizedIdentifier& id,
                                  std::string_view key) = 0;
  virtual const ValueRecord& Value(const TenantId& tenant, ValueHandle value) const = 0;
  virtual ValueRecord* MutableValue(const TenantId& tenant, ValueHandle value) = 0;
  virtual bool EraseValue(const TenantId& tenant, ValueHandle value) = 0;

  // Customers, keyed by (tenant, the handle of the event their id was minted from).
  virtual const CustomerRecord* FindCustomer(const TenantId& tenant, EventHandle mint) const = 0;
  virtual CustomerRecord* MutableCustomer(const TenantId& tenant, EventHandle mint) = 0;
  // Replaces a record with the same mint.
  virtual CustomerRecord* PutCustomer(const TenantId& tenant, CustomerRecord customer) = 0;
  virtual bool EraseCustomer(const TenantId& tenant, EventHandle mint) = 0;
  // The mint of every customer, in no particular order.
  virtual std::vector<EventHandle> ListCustomers(const TenantId& tenant) const = 0;

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
  // False when the tenant has no constraint at all (lets callers skip building an id).
  virtual bool HasLinks(const TenantId& tenant) const = 0;

  // Erasure tombstones: salted hashes of erased event ids and of erased hashed customer ids.
  virtual void AddTombstone(const TenantId& tenant, uint64_t hash) = 0;
  virtual bool HasTombstone(const TenantId& tenant, uint64_t hash) const = 0;
  // False when the tenant has no tombstone at all (lets callers skip computing a hash).
  virtual bool HasTombstones(const TenantId& tenant) const = 0;

  // Customer ids minted as a hash (event id too long to embed) -> the event they came from.
  // FindMintedId returns "" for an id not put (or erased).
  virtual void PutMintedId(const TenantId& tenant, std::string_view customer_id,
                           std::string_view event_id) = 0;
  virtual std::string FindMintedId(const TenantId& tenant, std::string_view customer_id) const = 0;
  virtual void EraseMintedId(const TenantId& tenant, std::string_view customer_id) = 0;

  // A per-tenant counter (the ids of explicit merges, "x-<n>", and of split constraints,
  // "s-<n>", share it); starts at 1.
  virtual int64_t NextSequence(const TenantId& tenant) = 0;

  // Ingest hints (optional): requests, without waiting for it, the memory that ingesting the
  // hinted event will read, one more step of it per call; a step may read what the previous
  // one requested. The merger calls it at most IngestHint::kMaxSteps times an event: back to
  // back before an Ingest commits the event, or, in IngestBatch, two events apart for events
  // several places ahead, so that cache misses overlap instead of following one another. It changes
  // nothing a caller can observe and may be called for an event that will never be stored; a store
  // that keeps nothing in memory ignores it (the default). Returns false once there is nothing more
  // to do.
  virtual bool PrefetchForIngest(IngestHint* hint) const {
    (void)hint;
    return false;
  }

  struct Stats {
    int64_t events = 0;
    int64_t customers = 0;
    int64_t values = 0;
    int64_t merges = 0;
    int64_t links = 0;
    int64_t tombstones = 0;
    int64_t payload_bytes = 0;  // encoded event contents held (live and not yet compacted)
    int64_t dead_bytes = 0;     // of which overwritten by erasure, awaiting compaction
    int64_t key_bytes = 0;      // identifier value keys held (live and not yet compacted)
  };
  virtual Stats GetStats(const TenantId& tenant) const = 0;
};

// The default store: everything in memory, per tenant, lost when destroyed.
SWITCHBOARD_EXPORT std::unique_ptr<JourneyStore> NewInMemoryJourneyStore();

}  // namespace switchboard

#endif  // SWITCHBOARD_JOURNEY_STORE_H_
