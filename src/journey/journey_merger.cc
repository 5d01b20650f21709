#include "switchboard/journey_merger.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/touchpoint_event_checks.h"
#include "src/journey/customer_summary.h"
#include "src/journey/identifier_key.h"
#include "src/journey/resolver.h"
#include "src/journey/siphash.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

using journey_internal::Processed;
using journey_internal::Resolver;

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string Truncate(std::string_view text, int max_bytes) {
  size_t n = static_cast<size_t>(max_bytes);
  if (text.size() <= n) return std::string(text);
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n));
}

absl::Status TenantError(const TenantId& tenant) { return tenant.Validate("tenant"); }

}  // namespace

std::string_view IdentifierOutcomeName(IdentifierOutcome outcome) {
  switch (outcome) {
    case IdentifierOutcome::kLinked: return "linked";
    case IdentifierOutcome::kNew: return "new";
    case IdentifierOutcome::kInvalid: return "invalid";
    case IdentifierOutcome::kBlocked: return "blocked";
    case IdentifierOutcome::kShared: return "shared";
    case IdentifierOutcome::kDropped: return "dropped";
    case IdentifierOutcome::kExpired: return "expired";
    case IdentifierOutcome::kNotMatching: return "not_matching";
  }
  return "unknown";
}

absl::Status JourneyMergerOptions::Validate() const {
  SB_RETURN_IF_ERROR(identity.Validate());
  SB_RETURN_IF_ERROR(ValidateTraitRules(traits));
  SB_RETURN_IF_ERROR(snapshot.Validate());
  if (future_tolerance < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("options.future_tolerance is negative");
  }
  if (erasure_salt.empty()) return absl::InvalidArgumentError("options.erasure_salt is empty");
  return absl::OkStatus();
}

class JourneyMerger::Impl {
 public:
  Impl(JourneyMergerOptions options, IdentityNormalizer normalizer, const Clock* clock,
       JourneyStore* store, std::unique_ptr<JourneyStore> owned)
      : options_(std::move(options)),
        normalizer_(std::move(normalizer)),
        clock_(clock),
        owned_(std::move(owned)),
        store_(store != nullptr ? store : owned_.get()),
        resolver_(&options_, &normalizer_, store_),
        sip_key_(journey_internal::SipKeyFromSalt(options_.erasure_salt)) {}

  absl::Status Ingest(const TouchpointEvent& event, IngestResult* result);
  void IngestBatch(absl::Span<const TouchpointEvent> events, std::vector<IngestResult>* results,
                   std::vector<absl::Status>* statuses);
  absl::StatusOr<CustomerId> Resolve(const TenantId& tenant, const CustomerId& id) const;
  std::vector<CustomerId> ListCustomers(const TenantId& tenant) const {
    std::vector<CustomerId> ids;
    for (EventHandle mint : store_->ListCustomers(tenant)) ids.push_back(resolver_.IdOf(tenant, mint));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  absl::StatusOr<Journey> GetJourney(const TenantId& tenant, const CustomerId& id) const;
  absl::StatusOr<CustomerProfile> GetCustomer(const TenantId& tenant, const CustomerId& id) const;
  absl::StatusOr<IdentityMatch> FindByIdentifier(const TenantId& tenant,
                                                 const Identifier& identifier) const;
  absl::StatusOr<MergeRecord> Merge(const TenantId& tenant, const CustomerId& a,
                                    const CustomerId& b, std::string_view reason,
                                    std::string_view actor);
  absl::StatusOr<SplitReport> Split(const TenantId& tenant, std::string_view merge_id,
                                    std::string_view actor);
  absl::StatusOr<ErasureReport> Forget(const TenantId& tenant, const CustomerId& id);
  absl::StatusOr<ErasureReport> Forget(const TenantId& tenant, const Identifier& identifier);
  absl::StatusOr<ContextSnapshot> SnapshotFor(const Contact& contact) const;
  absl::StatusOr<ContextSnapshot> SnapshotOf(const TenantId& tenant, const CustomerId& id,
                                             std::string_view intent, absl::Time now) const;

  const JourneyMergerOptions& options() const { return options_; }
  const JourneyStore& store() const { return *store_; }

 private:
  // What Prepare() learns of an event before reading the store.
  struct Prepared {
    bool verified = false;
    uint32_t repeated = 0;  // bit i: identifier i repeats an earlier one of the event
    // The identifiers to store are slots[0, stored); the slots past them keep their strings'
    // capacity for later events (normalizing into them allocates nothing once warm).
    absl::InlinedVector<NormalizedIdentifier, 4> slots;
    size_t stored = 0;
    absl::Span<const NormalizedIdentifier> normalized() const { return {slots.data(), stored}; }
    absl::InlinedVector<size_t, 8> report_of_stored;  // stored identifier index -> report index
  };
  absl::Status Prepare(const TouchpointEvent& event, IngestResult* result, Prepared* p) const;
  absl::Status Commit(const TouchpointEvent& event, const Prepared& p, IngestResult* result);
  void Hint(const TouchpointEvent& event, const IngestResult& result, const Prepared& p,
            IngestHint* hint) const;

  uint64_t Tombstone(const TenantId& tenant, std::string_view event_id) const {
    return journey_internal::TombstoneHash(sip_key_, tenant.value(), '\0', event_id);
  }
  absl::StatusOr<const CustomerRecord*> FindLive(const TenantId& tenant, const CustomerId& id) const;
  std::optional<MergeRecord> UnrecordedMerge(const TenantId& tenant, std::string_view id) const;
  void FillSnapshot(const TenantId& tenant, const CustomerRecord& c, std::string_view intent,
                    absl::Time now, ContextSnapshot* snap) const;
  // The id minted from event `e` when it was handed out and no longer names a customer (it
  // resolves to the customer `e` belongs to now): a retired id. Nullopt otherwise.
  std::optional<CustomerId> RetiredIdOf(const TenantId& tenant, EventHandle e) const;
  // Adds to `result` each customer of `before` (mint handles) whose id was handed out and no
  // longer names a customer, with the customer it resolves to now.
  void ReportRetired(const TenantId& tenant, absl::InlinedVector<EventHandle, 8>* before,
                     IngestResult* result) const;
  // The ids of the customers minted from `mints` (distinct), ranked for "possibly A or B" and
  // cut to max_candidates: those a non-shared value links first, then more events, then by id.
  std::vector<CustomerId> RankCandidates(const TenantId& tenant,
                                         const std::vector<EventHandle>& mints) const;
  // The live customers whose events carry the value `key`, sorted.
  std::vector<CustomerId> CarriersOf(const TenantId& tenant, std::string_view key) const;
  std::optional<absl::Time> VerifiedAt(const TenantId& tenant, const CustomerRecord& c,
                                       absl::Time now) const;
  // Whether `intent` was seen strictly before `now` within the repeat window.
  bool IsRepeat(const TenantId& tenant, const CustomerRecord& c, std::string_view intent,
                absl::Time now) const;
  // The same, read from the journey's events in the window (for what the summary cannot tell).
  bool IntentInWindow(const TenantId& tenant, const CustomerRecord& c, std::string_view intent,
                      absl::Time now) const;

  JourneyMergerOptions options_;
  IdentityNormalizer normalizer_;
  const Clock* clock_;
  std::unique_ptr<JourneyStore> owned_;
  JourneyStore* store_;
  Resolver resolver_;
  journey_internal::SipKey sip_key_;
  // One event on its way in: reused, so its lists keep their capacity.
  struct BatchSlot {
    Prepared prepared;
    IngestHint hint;
    bool hinting = false;  // more prefetch steps to run (IngestBatch)
  };
  BatchSlot single_;              // Ingest's
  Processed processed_;           // what Commit() learns of its event: reused, as the slots are
  std::vector<BatchSlot> batch_;  // IngestBatch's pipeline
};

// Validates the event and normalizes its identifiers into `p` and `out`'s reports: everything
// Ingest learns without reading the store, so that IngestBatch can do it a few events ahead.
absl::Status JourneyMerger::Impl::Prepare(const TouchpointEvent& event, IngestResult* out,
                                          Prepared* p) const {
  IngestResult& result = *out;
  result.outcome = IngestOutcome::kAccepted;
  result.customer = CustomerId();
  result.merges.clear();
  result.rebuilt = false;
  result.retired.clear();
  p->stored = 0;
  p->report_of_stored.clear();
  p->repeated = 0;
  // Identifiers are judged one by one below (a bad one is reported, not fatal), so the event is
  // validated without them; only their number is a hard limit.
  const std::vector<Identifier>& raw_ids = event.identifiers;
  // Core validation formats messages only on failure, so this costs no allocation when valid.
  absl::Status valid = internal::ValidateEventExceptIdentifiers(event);
  if (valid.ok() && raw_ids.size() > kMaxIdentifiers) {
    valid = absl::InvalidArgumentError(
        internal::StrCat("event '", internal::Printable(event.id.value()), "': has ",
                         raw_ids.size(), " identifiers, more than ", kMaxIdentifiers));
  }
  SB_RETURN_IF_ERROR(valid);
  absl::Time limit = clock_->Now() + options_.future_tolerance;
  if (event.occurred_at > limit) {
    return absl::InvalidArgumentError(
        internal::StrCat("event '", internal::Printable(event.id.value()), "': occurred_at ",
                         absl::FormatTime(event.occurred_at, absl::UTCTimeZone()), " is more than ",
                         absl::FormatDuration(options_.future_tolerance), " in the future"));
  }
  // Normalize every identifier; invalid and blocked ones are reported and left out. Scratch
  // lists are inline (an event carries at most kMaxIdentifiers = 32): no allocation for them.
  static_assert(kMaxIdentifiers <= 32);
  auto verified_it = event.attributes.find(context_attributes::kVerified);
  p->verified = verified_it != event.attributes.end() && verified_it->second == "true";
  result.identifiers.resize(raw_ids.size());
  for (size_t i = 0; i < raw_ids.size(); ++i) {
    IdentifierReport& report = result.identifiers[i];  // may hold an earlier event's report
    report.identifier = raw_ids[i];
    report.key.clear();
    report.outcome = IdentifierOutcome::kNew;
    if (p->slots.size() == p->stored) p->slots.emplace_back();
    NormalizedIdentifier& id = p->slots[p->stored];
    const NormalizeOutcome outcome = normalizer_.NormalizeInto(raw_ids[i], &id, &report.reason);
    if (outcome != NormalizeOutcome::kValid) {
      // Dropped from the recorded event: it keeps its valid identifiers only.
      report.outcome = outcome == NormalizeOutcome::kBlocked ? IdentifierOutcome::kBlocked
                                                             : IdentifierOutcome::kInvalid;
      continue;
    }
    journey_internal::AppendKey(id, &report.key);
    const auto earlier = p->normalized();
    bool seen = std::any_of(earlier.begin(), earlier.end(), [&](const NormalizedIdentifier& x) {
      return x.kind == id.kind && x.value == id.value && x.scope == id.scope;
    });
    if (seen) {  // the same value twice on one event: reported like the first
      p->repeated |= uint32_t{1} << i;
      continue;
    }
    ++p->stored;
    p->report_of_stored.push_back(i);
  }
  return absl::OkStatus();
}

void JourneyMerger::Impl::Hint(const TouchpointEvent& event, const IngestResult& result,
                               const Prepared& p, IngestHint* hint) const {
  hint->tenant = &event.tenant;
  hint->event_id = event.id.value();
  hint->step = 0;
  hint->key_count =
      static_cast<int>(std::min<size_t>(p.report_of_stored.size(), IngestHint::kMaxKeys));
  for (int j = 0; j < hint->key_count; ++j) {
    hint->keys[j] = result.identifiers[p.report_of_stored[j]].key;
  }
}

// Writes into `out`, reusing the storage of its identifier reports (their strings keep their
// capacity from one event to the next). On an error the public wrapper clears it.
// Even alone, the event's prefetch steps run first, back to back: each step still waits for
// the one before, but the misses of one step (every identifier's index slot, then every value's
// record, then the customer's lines) are requested together instead of one by one as the
// commit would reach them.
absl::Status JourneyMerger::Impl::Ingest(const TouchpointEvent& event, IngestResult* out) {
  SB_RETURN_IF_ERROR(Prepare(event, out, &single_.prepared));
  Hint(event, *out, single_.prepared, &single_.hint);
  for (int step = 0; step < IngestHint::kMaxSteps && store_->PrefetchForIngest(&single_.hint);
       ++step) {
  }
  return Commit(event, single_.prepared, out);
}

absl::Status JourneyMerger::Impl::Commit(const TouchpointEvent& event, const Prepared& p,
                                         IngestResult* out) {
  IngestResult& result = *out;
  const std::vector<Identifier>& raw_ids = event.identifiers;
  const TenantId& tenant = event.tenant;
  if (EventHandle dup = store_->FindEvent(tenant, event.id.value()); dup != kNoHandle) {
    result.outcome = IngestOutcome::kDuplicate;
    result.customer = resolver_.IdOf(tenant, store_->Event(tenant, dup).customer);
    result.identifiers.clear();
    return absl::OkStatus();
  }
  // The salted hash only when something was ever erased in the tenant.
  if (store_->HasTombstones(tenant) &&
      store_->HasTombstone(tenant, Tombstone(tenant, event.id.value()))) {
    result.outcome = IngestOutcome::kErased;
    result.identifiers.clear();
    return absl::OkStatus();
  }
  const bool verified = p.verified;
  const uint32_t repeated = p.repeated;
  const absl::Span<const NormalizedIdentifier> normalized = p.normalized();
  const auto& report_of_stored = p.report_of_stored;
  // The recorded event keeps the raw form of the stored identifiers only. Usually that is all of
  // them, and the caller's event is recorded as it is; else a copy without the dropped ones.
  std::optional<TouchpointEvent> trimmed;
  if (report_of_stored.size() != raw_ids.size()) {
    trimmed.emplace(event);
    // Compacted in place: the copy already holds every identifier.
    for (size_t j = 0; j < report_of_stored.size(); ++j) {
      if (report_of_stored[j] != j) {
        trimmed->identifiers[j] = std::move(trimmed->identifiers[report_of_stored[j]]);
      }
    }
    trimmed->identifiers.resize(report_of_stored.size());
  }
  const TouchpointEvent& recorded = trimmed ? *trimmed : event;
  // Each value interned once here and handed to the resolver.
  absl::InlinedVector<ValueHandle, 8> handles(normalized.size());
  uint32_t fresh = 0;  // bit j: value j was interned by this call
  bool full = false;
  for (size_t j = 0; j < normalized.size() && !full; ++j) {
    handles[j] = store_->InternValue(tenant, normalized[j], result.identifiers[report_of_stored[j]].key);
    full = handles[j] == kNoHandle;
    if (!full && store_->Value(tenant, handles[j]).events.empty()) fresh |= uint32_t{1} << j;
  }
  // Read before the event is stored: an event that occurred after every earlier one is in
  // order without IsInOrder's look at each customer its values touch (a store's tablet may
  // have thousands).
  const bool newest = event.occurred_at > store_->LatestOccurredAt(tenant);
  const EventHandle ev = full ? kNoHandle : store_->PutEvent(recorded, handles, verified);
  if (ev == kNoHandle) {
    for (size_t j = 0; j < handles.size(); ++j) {
      if (fresh & (uint32_t{1} << j)) store_->EraseValue(tenant, handles[j]);  // as it was
    }
    return absl::ResourceExhaustedError(internal::StrCat(
        "event '", internal::Printable(event.id.value()), "': the store of tenant '",
        internal::Printable(tenant.value()), "' is full"));
  }
  // Value records keep their addresses until erased (never while ingesting).
  absl::InlinedVector<ValueRecord*, 8> values(handles.size());
  for (size_t j = 0; j < handles.size(); ++j) {
    values[j] = store_->MutableValue(tenant, handles[j]);
    values[j]->events.push_back(ev);
  }

  // The customers this event may have retired (by their mints): in order only a merge retires
  // one, its absorbed customer; a late event may rename every customer of the events it
  // re-resolves. Looked for only then, so the common ingest pays nothing.
  absl::InlinedVector<EventHandle, 8> before;
  Processed& processed = processed_;  // each path below writes it whole
  if (newest || resolver_.IsInOrder(tenant, ev, values)) {
    resolver_.Process(tenant, ev, recorded, values, &processed);
    if (!processed.absorbed.empty()) {
      before.assign(processed.absorbed.begin(), processed.absorbed.end());
    }
  } else if (resolver_.InsertLate(tenant, ev, recorded, values, &processed)) {
    // A late event that changes no other event's resolution: nothing re-resolved, none retired.
  } else {
    result.rebuilt = true;
    resolver_.Rebuild(tenant, {ev}, ev, &processed, &before);
  }
  if (!before.empty()) ReportRetired(tenant, &before, &result);
  // In order, Process() named the customer; a rebuild leaves it on the event.
  result.customer = result.rebuilt ? resolver_.IdOf(tenant, store_->Event(tenant, ev).customer)
                                   : std::move(processed.customer);
  result.merges = std::move(processed.merges);
  for (size_t j = 0; j < handles.size() && j < processed.outcomes.size(); ++j) {
    IdentifierReport& report = result.identifiers[report_of_stored[j]];
    report.outcome = processed.outcomes[j];
    report.reason = std::move(processed.reasons[j]);
  }
  for (size_t i = 0; repeated != 0 && i < result.identifiers.size(); ++i) {
    if (!(repeated & (uint32_t{1} << i))) continue;
    for (size_t j = 0; j < i; ++j) {
      if (!(repeated & (uint32_t{1} << j)) && result.identifiers[j].key == result.identifiers[i].key) {
        result.identifiers[i].outcome = result.identifiers[j].outcome;
        result.identifiers[i].reason = "repeated on the event";
        break;
      }
    }
  }
  return absl::OkStatus();
}

// A batch runs as a pipeline: event i is prepared (validated and normalized) and its first
// prefetch step requested while event i - kLead is committed, and the steps in between are
// spread over the events between them. Each step's requests have about kGap ingests to arrive,
// so the misses of several events are in flight at once. Commit order is the batch's order and
// preparing reads no state that a commit changes, so the outcome is exactly that of Ingest() on
// each event in turn.
void JourneyMerger::Impl::IngestBatch(absl::Span<const TouchpointEvent> events,
                                      std::vector<IngestResult>* results,
                                      std::vector<absl::Status>* statuses) {
  constexpr size_t kSteps = IngestHint::kMaxSteps;
  constexpr size_t kGap = 2;
  constexpr size_t kLead = kSteps * kGap;
  constexpr size_t kRing = 16;  // a power of two above kLead: slots by mask, not division
  static_assert(kRing > kLead && (kRing & (kRing - 1)) == 0);
  const size_t n = events.size();
  results->resize(n);
  statuses->assign(n, absl::OkStatus());
  if (batch_.size() < kRing) batch_.resize(kRing);
  auto slot = [&](size_t i) -> BatchSlot& { return batch_[i & (kRing - 1)]; };
  for (size_t i = 0; i < n + kLead; ++i) {
    if (i < n) {
      BatchSlot& s = slot(i);
      (*statuses)[i] = Prepare(events[i], &(*results)[i], &s.prepared);
      s.hinting = (*statuses)[i].ok();
      if (s.hinting) {
        Hint(events[i], (*results)[i], s.prepared, &s.hint);
        s.hinting = store_->PrefetchForIngest(&s.hint);
      }
    }
    for (size_t step = 1; step < kSteps && step * kGap <= i; ++step) {
      const size_t j = i - step * kGap;
      if (j < n && slot(j).hinting) slot(j).hinting = store_->PrefetchForIngest(&slot(j).hint);
    }
    if (i < kLead) continue;
    const size_t j = i - kLead;
    absl::Status& status = (*statuses)[j];
    if (status.ok()) status = Commit(events[j], slot(j).prepared, &(*results)[j]);
    if (!status.ok()) (*results)[j] = IngestResult();
  }
}

absl::StatusOr<const CustomerRecord*> JourneyMerger::Impl::FindLive(const TenantId& tenant,
                                                                    const CustomerId& id) const {
  SB_RETURN_IF_ERROR(TenantError(tenant));
  // Live ids are minted from their customer's first event; any other minted id is an alias or a
  // retired id, resolved through the customer its event now belongs to. Only an event that
  // minted a customer ever gave out its id: "c-<id>" of one that joined a customer names nobody.
  std::string mint = resolver_.MintEventOf(tenant, id.value());
  if (!mint.empty()) {
    if (EventHandle e = store_->FindEvent(tenant, mint);
        e != kNoHandle && store_->Event(tenant, e).minted) {
      if (const CustomerRecord* c = store_->FindCustomer(tenant, e)) return c;
      EventHandle owner = store_->Event(tenant, e).customer;
      if (owner != kNoHandle) {
        if (const CustomerRecord* c = store_->FindCustomer(tenant, owner)) return c;
      }
    }
  }
  return absl::NotFoundError(internal::StrCat("customer '", internal::Printable(id.value()),
                                              "' is not known in tenant '",
                                              internal::Printable(tenant.value()), "'"));
}

absl::StatusOr<CustomerId> JourneyMerger::Impl::Resolve(const TenantId& tenant,
                                                        const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  return resolver_.IdOf(tenant, c->mint);
}

absl::StatusOr<Journey> JourneyMerger::Impl::GetJourney(const TenantId& tenant,
                                                        const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  Journey j;
  j.tenant = tenant;
  j.customer = resolver_.IdOf(tenant, c->mint);
  j.events.reserve(c->events.size());
  for (EventHandle e : c->events) j.events.push_back(store_->ReadEvent(tenant, e));
  return j;
}

absl::StatusOr<CustomerProfile> JourneyMerger::Impl::GetCustomer(const TenantId& tenant,
                                                                 const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  CustomerProfile p;
  p.tenant = tenant;
  p.id = resolver_.IdOf(tenant, c->mint);
  p.aliases = c->aliases();
  std::sort(p.aliases.begin(), p.aliases.end());
  p.traits = ReconcileTraits(options_.traits, c->traits);
  p.event_count = static_cast<int64_t>(c->events.size());
  if (!c->events.empty()) {
    p.first_seen = store_->Event(tenant, c->events.front()).occurred_at;
    p.last_seen = store_->Event(tenant, c->events.back()).occurred_at;
  }
  p.merges = c->merges();
  std::sort(p.merges.begin(), p.merges.end());
  for (const CustomerValue& v : c->values) {
    const ValueRecord& value = store_->Value(tenant, v.value);
    CustomerIdentifier ci;
    ci.kind = v.kind;
    ci.scope = std::string(value.scope());
    ci.link = v.link;
    ci.verified = v.verified;
    ci.value = std::string(value.value());
    p.identifiers.push_back(std::move(ci));
  }
  // Raw forms: the latest event carrying each value (stops once every value has one). The values
  // still missing one are found by handle, so a customer with many values costs no more per
  // event.
  absl::flat_hash_map<ValueHandle, size_t> missing;
  missing.reserve(c->values.size());
  for (size_t j = 0; j < c->values.size(); ++j) missing.emplace(c->values[j].value, j);
  for (auto k = c->events.rbegin(); k != c->events.rend() && !missing.empty(); ++k) {
    absl::Span<const ValueHandle> handles = store_->EventValues(tenant, *k);
    std::optional<TouchpointEvent> e;  // decoded only when it carries a missing raw form
    for (size_t i = 0; i < handles.size(); ++i) {
      auto it = missing.find(handles[i]);
      if (it == missing.end()) continue;
      if (!e.has_value()) e = store_->ReadEvent(tenant, *k);
      p.identifiers[it->second].raw = e->identifiers[i].value;
      missing.erase(it);
    }
  }
  std::vector<size_t> order(p.identifiers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return store_->Value(tenant, c->values[a].value).key < store_->Value(tenant, c->values[b].value).key;
  });
  std::vector<CustomerIdentifier> sorted;
  for (size_t i : order) sorted.push_back(std::move(p.identifiers[i]));
  p.identifiers = std::move(sorted);
  return p;
}

absl::StatusOr<IdentityMatch> JourneyMerger::Impl::FindByIdentifier(
    const TenantId& tenant, const Identifier& identifier) const {
  SB_RETURN_IF_ERROR(TenantError(tenant));
  NormalizeResult n = normalizer_.Normalize(identifier);
  if (n.outcome != NormalizeOutcome::kValid) return absl::InvalidArgumentError(n.reason);
  std::string key = n.id->Key();
  ValueHandle h = store_->FindValue(tenant, key);
  const ValueRecord* v = h == kNoHandle ? nullptr : &store_->Value(tenant, h);
  IdentityMatch m;
  auto holders = [&] {
    std::vector<CustomerId> ids;
    for (EventHandle holder : v->holders) ids.push_back(resolver_.IdOf(tenant, holder));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  if (v != nullptr && v->shared) {
    // Never a customer, even when one holder is left (the holders were merged): ingest still
    // treats the value as shared, and this answer must not say otherwise.
    m.shared = true;
    m.possible = holders();
    return m;
  }
  if (v != nullptr && v->linked != kNoHandle) {
    m.customer = resolver_.IdOf(tenant, v->linked);
    return m;
  }
  if (v != nullptr && !v->holders.empty()) {
    m.possible = holders();  // carried but never linked (dropped for a limit)
    if (m.possible.size() == 1) m.customer = m.possible.front();
    return m;
  }
  return absl::NotFoundError(internal::StrCat(
      "no customer of tenant '", internal::Printable(tenant.value()), "' holds ", key));
}

absl::StatusOr<MergeRecord> JourneyMerger::Impl::Merge(const TenantId& tenant, const CustomerId& a,
                                                       const CustomerId& b,
                                                       std::string_view reason,
                                                       std::string_view actor) {
  if (actor.empty() || actor.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        internal::StrCat("merge actor must be 1..", kMaxNameLength, " bytes"));
  }
  // Stored provenance, like every text field: at most its length, and UTF-8 (the wire's
  // strings must be).
  SB_RETURN_IF_ERROR(internal::ValidateText(actor, "merge actor", kMaxNameLength));
  SB_RETURN_IF_ERROR(internal::ValidateText(reason, "merge reason", kMaxTextLength));
  SB_ASSIGN_OR_RETURN(const CustomerRecord* ca, FindLive(tenant, a));
  SB_ASSIGN_OR_RETURN(const CustomerRecord* cb, FindLive(tenant, b));
  if (ca == cb) {
    return absl::FailedPreconditionError(
        internal::StrCat("customers '", internal::Printable(a.value()), "' and '",
                         internal::Printable(b.value()), "' are already one ('",
                         internal::Printable(resolver_.IdOf(tenant, ca->mint).value()), "')"));
  }
  LinkConstraint link;
  link.id = internal::StrCat("x-", store_->NextSequence(tenant));
  link.a = EventId(std::string(store_->EventIdOf(tenant, ca->mint)));
  link.b = EventId(std::string(store_->EventIdOf(tenant, cb->mint)));
  link.must_link = true;
  link.actor = std::string(actor);
  link.reason = std::string(reason);
  link.at = clock_->Now();
  std::string id = link.id;
  std::vector<EventHandle> seeds = {ca->mint, cb->mint};
  store_->PutLink(tenant, std::move(link));
  resolver_.Rebuild(tenant, seeds);
  const MergeRecord* m = store_->FindMerge(tenant, id);
  if (m == nullptr)
    return absl::InternalError(
        internal::StrCat("merge '", internal::Printable(id), "' was not applied"));
  return *m;
}

// An explicit merge whose two customers other links joined before it applied (a late event
// bridging them) has no record, yet its constraint still binds them: the record it would have,
// so that Split() can still undo it. Nullopt when `id` names no explicit merge.
std::optional<MergeRecord> JourneyMerger::Impl::UnrecordedMerge(const TenantId& tenant,
                                                                std::string_view id) const {
  const LinkConstraint* link = store_->FindLink(tenant, id);
  if (link == nullptr || !link->must_link) return std::nullopt;
  EventHandle a = store_->FindEvent(tenant, link->a.value());
  EventHandle b = store_->FindEvent(tenant, link->b.value());
  if (a == kNoHandle || b == kNoHandle) return std::nullopt;
  if (store_->EventLess(tenant, b, a)) std::swap(a, b);
  MergeRecord m = journey_internal::ExplicitMergeRecord(*link);
  m.survivor = resolver_.IdOf(tenant, a);
  m.absorbed = resolver_.IdOf(tenant, b);
  m.survivor_anchor = EventId(std::string(store_->EventIdOf(tenant, a)));
  m.absorbed_anchor = EventId(std::string(store_->EventIdOf(tenant, b)));
  return m;
}

absl::StatusOr<SplitReport> JourneyMerger::Impl::Split(const TenantId& tenant,
                                                       std::string_view merge_id,
                                                       std::string_view actor) {
  SB_RETURN_IF_ERROR(TenantError(tenant));
  if (actor.empty() || actor.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        internal::StrCat("split actor must be 1..", kMaxNameLength, " bytes"));
  }
  SB_RETURN_IF_ERROR(internal::ValidateText(actor, "split actor", kMaxNameLength));
  SplitReport report;
  if (const MergeRecord* m = store_->FindMerge(tenant, merge_id)) {
    report.merge = *m;
  } else if (std::optional<MergeRecord> bound = UnrecordedMerge(tenant, merge_id)) {
    report.merge = *std::move(bound);
  } else {
    return absl::NotFoundError(internal::StrCat("merge '", internal::Printable(merge_id),
                                                "' is not known in tenant '",
                                                internal::Printable(tenant.value()), "'"));
  }
  const MergeRecord* found = &report.merge;
  std::vector<EventHandle> seeds = {store_->FindEvent(tenant, found->survivor_anchor.value()),
                                    store_->FindEvent(tenant, found->absorbed_anchor.value())};
  if (seeds[0] == kNoHandle || seeds[1] == kNoHandle) {
    return absl::InternalError(
        internal::StrCat("merge '", internal::Printable(merge_id), "' names a missing event"));
  }
  if (found->kind == MergeKind::kExplicit) {
    store_->EraseLink(tenant, found->id);
  } else {
    LinkConstraint apart;
    apart.id = internal::StrCat("s-", store_->NextSequence(tenant));
    apart.a = found->survivor_anchor;
    apart.b = found->absorbed_anchor;
    apart.must_link = false;
    apart.actor = std::string(actor);
    apart.reason = internal::StrCat("split of ", found->id);
    apart.at = clock_->Now();
    store_->PutLink(tenant, std::move(apart));
  }
  resolver_.Rebuild(tenant, seeds);
  report.survivor = resolver_.IdOf(tenant, store_->Event(tenant, seeds[0]).customer);
  report.restored = resolver_.IdOf(tenant, store_->Event(tenant, seeds[1]).customer);
  return report;
}

absl::StatusOr<ErasureReport> JourneyMerger::Impl::Forget(const TenantId& tenant,
                                                          const CustomerId& id) {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  ErasureReport report;
  int64_t retired_hashed_ids = 0;
  report.customer = resolver_.IdOf(tenant, c->mint);
  report.aliases = c->aliases();
  std::sort(report.aliases.begin(), report.aliases.end());
  for (EventHandle e : c->events) {
    std::optional<CustomerId> retired = RetiredIdOf(tenant, e);
    if (retired && !std::binary_search(report.aliases.begin(), report.aliases.end(), *retired)) {
      report.retired_ids.push_back(*std::move(retired));
    }
  }
  std::sort(report.retired_ids.begin(), report.retired_ids.end());
  report.merges = c->merges();
  std::sort(report.merges.begin(), report.merges.end());
  for (const auto& field : c->traits.fields) report.traits += static_cast<int64_t>(field.size());
  const std::vector<EventHandle> erased = c->events;
  absl::flat_hash_set<EventHandle> erased_set(erased.begin(), erased.end());

  std::vector<EventHandle> component = resolver_.Component(tenant, erased);
  resolver_.ClearDerived(tenant, component);  // `c` is gone from here on
  std::vector<EventHandle> remaining;
  for (EventHandle e : component) {
    if (!erased_set.contains(e)) remaining.push_back(e);
  }
  absl::flat_hash_set<std::string> links;
  // Each value's postings lose the erased events in one pass (a pass per event would be
  // quadratic for a value on many of them), in the order the values were first met.
  std::vector<ValueHandle> touched;
  absl::flat_hash_set<ValueHandle> touched_set;
  for (EventHandle e : erased) {
    const std::string event_id(store_->EventIdOf(tenant, e));
    for (ValueHandle h : store_->EventValues(tenant, e)) {
      if (touched_set.insert(h).second) touched.push_back(h);
    }
    for (const LinkConstraint& l : store_->LinksOf(tenant, event_id)) links.insert(l.id);
    if (resolver_.RetireMintedId(tenant, e)) ++retired_hashed_ids;
  }
  for (ValueHandle h : touched) {
    ValueRecord* v = store_->MutableValue(tenant, h);
    v->events.erase(std::remove_if(v->events.begin(), v->events.end(),
                                   [&](EventHandle e) { return erased_set.contains(e); }),
                    v->events.end());
    if (v->events.empty()) {
      report.identifiers.push_back(std::string(v->key));
      store_->EraseValue(tenant, h);
    }
  }
  for (const std::string& l : links) store_->EraseLink(tenant, l);
  report.links = static_cast<int64_t>(links.size());
  for (EventHandle e : erased) {
    store_->AddTombstone(tenant, Tombstone(tenant, store_->EventIdOf(tenant, e)));
    store_->EraseEvent(tenant, e);  // overwrites its id, contents and identifiers
  }
  report.events = static_cast<int64_t>(erased.size());
  report.tombstones = report.events + retired_hashed_ids;
  std::sort(report.identifiers.begin(), report.identifiers.end());

  resolver_.Replay(tenant, remaining);
  return report;
}

absl::StatusOr<ErasureReport> JourneyMerger::Impl::Forget(const TenantId& tenant,
                                                          const Identifier& identifier) {
  SB_ASSIGN_OR_RETURN(IdentityMatch m, FindByIdentifier(tenant, identifier));
  if (!m.customer.has_value()) {
    return absl::FailedPreconditionError(internal::StrCat(
        "identifier ", IdentifierKindName(identifier.kind), " '",
        internal::Printable(identifier.value), "' is ",
        m.shared ? "shared by " : "carried, linked to none, by ", m.possible.size(),
        " customers; forget them by id"));
  }
  SB_ASSIGN_OR_RETURN(ErasureReport report, Forget(tenant, *m.customer));
  // Found above, so it normalizes.
  report.still_carried_by = CarriersOf(tenant, normalizer_.Normalize(identifier).id->Key());
  return report;
}

std::vector<CustomerId> JourneyMerger::Impl::CarriersOf(const TenantId& tenant,
                                                        std::string_view key) const {
  std::vector<CustomerId> ids;
  const ValueHandle h = store_->FindValue(tenant, key);
  if (h == kNoHandle) return ids;
  for (EventHandle e : store_->Value(tenant, h).events) {
    const EventHandle owner = store_->Event(tenant, e).customer;
    if (owner != kNoHandle) ids.push_back(resolver_.IdOf(tenant, owner));
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void JourneyMerger::Impl::FillSnapshot(const TenantId& tenant, const CustomerRecord& c,
                                       std::string_view intent, absl::Time now,
                                       ContextSnapshot* snap) const {
  const SnapshotOptions& o = options_.snapshot;
  const CustomerSummary& s = c.summary;
  snap->customer = resolver_.IdOf(tenant, c.mint);
  snap->total_touchpoints = static_cast<int64_t>(c.events.size());
  size_t n = std::min(c.events.size(), static_cast<size_t>(o.max_touchpoints));
  snap->recent.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const EventHandle h = c.events[c.events.size() - 1 - i];
    const StoredEvent& e = store_->Event(tenant, h);
    TouchpointSummary t;
    t.event = EventId(std::string(store_->EventIdOf(tenant, h)));
    t.channel = e.channel;
    t.type = e.type;
    t.occurred_at = e.occurred_at;
    // One line for the timeline: the summary, else an agent's note, else the intent (an empty
    // attribute is no value, as in the summary's other fields).
    std::optional<std::string_view> sum;
    for (std::string_view key :
         {context_attributes::kSummary, context_attributes::kNote, context_attributes::kIntent}) {
      sum = store_->EventAttribute(tenant, h, key);
      if (sum && !sum->empty()) break;
    }
    if (sum) t.summary = Truncate(*sum, o.max_summary_bytes);
    snap->recent.push_back(std::move(t));
  }
  const journey_internal::KeyOrder order(store_, &tenant);
  std::vector<const CaseState*> open;
  for (const CaseState& cs : s.cases) {
    // Open when never resolved, or opened again after its latest resolution.
    if (!cs.opened.empty() && (cs.resolved.empty() || order.Less(cs.resolved, cs.last_opened))) {
      open.push_back(&cs);
    }
  }
  std::sort(open.begin(), open.end(),
            [&](const CaseState* a, const CaseState* b) { return order.Less(b->opened, a->opened); });
  for (size_t i = 0; i < open.size() && i < static_cast<size_t>(o.max_open_cases); ++i) {
    snap->open_cases.push_back(
        {open[i]->id, order.TimeOf(open[i]->opened), Truncate(open[i]->summary, o.max_summary_bytes)});
  }
  if (!s.last_agent.value.empty()) snap->last_agent = AgentId(s.last_agent.value);
  if (!s.last_queue.value.empty()) snap->last_queue = QueueId(s.last_queue.value);
  snap->last_intent = s.last_intent.value;
  if (std::optional<absl::Time> verified_at = VerifiedAt(tenant, c, now)) {
    snap->verified_at = *verified_at;
    snap->identity_verified = true;
  }
  for (const KeyedValue& note : s.notes) {
    snap->notes.push_back(Truncate(note.value, o.max_summary_bytes));
  }
  // A repeat needs the contact's own intent (the last intent alone cannot tell a new contact from
  // the one that set it).
  if (!intent.empty()) snap->repeat_contact = IsRepeat(tenant, c, intent, now);
  std::string channel = WinningTraitValue(options_.traits, c.traits, "preferred_channel");
  if (absl::StatusOr<Channel> ch = ParseChannel(channel); ch.ok()) {
    snap->preferred_channel = *ch;
  } else {
    int64_t best = 0;
    for (int i = 0; i < kChannelCount; ++i) {
      if (s.channel_counts[i] > best) {
        best = s.channel_counts[i];
        snap->preferred_channel = static_cast<Channel>(i);
      }
    }
  }
  snap->language = WinningTraitValue(options_.traits, c.traits, "language");
  snap->tier = WinningTraitValue(options_.traits, c.traits, "tier");
}

// The latest verification at or before `now` that is still valid then; nullopt when none. The
// summary keeps only the customer's latest verification, which answers whenever it is not after
// `now`. One after `now` (a snapshot of the past, a contact whose own event carries a later time)
// would hide an earlier one still valid, so then the journey is read back from `now`: it is in
// time order, so the scan stops at the window's start and reads only that window's events
// (their fixed-size records, not their contents), whatever the length of the history.
std::optional<absl::Time> JourneyMerger::Impl::VerifiedAt(const TenantId& tenant,
                                                          const CustomerRecord& c,
                                                          absl::Time now) const {
  if (c.summary.verified.empty()) return std::nullopt;
  // "At most verification_valid_for before now", compared as a gap (as repeat_window is), not as
  // at < now - valid_for: at the infinite future an infinite window's start saturated to the
  // infinite future too, and a verification that never expires read as expired there.
  const absl::Duration valid_for = options_.snapshot.verification_valid_for;
  auto expired = [&](absl::Time at) { return now - at > valid_for; };
  const absl::Time latest = store_->Event(tenant, c.summary.verified.event).occurred_at;
  if (latest <= now) {
    if (expired(latest)) return std::nullopt;
    return latest;
  }
  auto after = std::partition_point(c.events.begin(), c.events.end(), [&](EventHandle h) {
    return store_->Event(tenant, h).occurred_at <= now;
  });
  for (auto it = after; it != c.events.begin();) {
    const StoredEvent& e = store_->Event(tenant, *--it);
    if (expired(e.occurred_at)) break;
    if (e.verified) return e.occurred_at;
  }
  // None in the window, which at the infinite past is empty (a sentinel time there would read
  // as within it).
  return std::nullopt;
}

// The summary keeps each intent's two latest sightings, which answer unless both are at or after
// `now` (a snapshot of the past, or a contact whose own later events carry the intent too), or
// the intent was dropped from a full list. Then the journey is read back from `now` through the
// window, as VerifiedAt does, here reading each event's intent.
//
// Once the list has been full, only the latest sighting is sure. An intent dropped and seen again
// starts its entry afresh, without the sightings before; and a late event older than those can
// then take the earlier slot, though a dropped sighting came after it. (The latest is always
// right: an intent comes back only with a sighting newer than every one that was dropped.)
bool JourneyMerger::Impl::IsRepeat(const TenantId& tenant, const CustomerRecord& c,
                                   std::string_view intent, absl::Time now) const {
  const CustomerSummary& s = c.summary;
  const bool complete = s.intents.size() < journey_internal::kMaxIntentsKept;  // none dropped
  const journey_internal::KeyOrder order(store_, &tenant);
  for (const IntentSightings& seen : s.intents) {
    if (seen.value != intent) continue;
    if (const absl::Time at = order.TimeOf(seen.latest); at < now) {
      return now - at <= options_.snapshot.repeat_window;
    }
    if (complete) {
      if (seen.previous.empty()) return false;  // no sighting before the one at or after `now`
      if (const absl::Time at = order.TimeOf(seen.previous); at < now) {
        return now - at <= options_.snapshot.repeat_window;
      }
    }
    return IntentInWindow(tenant, c, intent, now);  // what the summary cannot tell
  }
  if (complete) return false;  // never seen
  return IntentInWindow(tenant, c, intent, now);
}

bool JourneyMerger::Impl::IntentInWindow(const TenantId& tenant, const CustomerRecord& c,
                                         std::string_view intent, absl::Time now) const {
  auto at_or_after = std::partition_point(c.events.begin(), c.events.end(), [&](EventHandle h) {
    return store_->Event(tenant, h).occurred_at < now;
  });
  for (auto it = at_or_after; it != c.events.begin();) {
    --it;
    if (now - store_->Event(tenant, *it).occurred_at > options_.snapshot.repeat_window) break;
    std::optional<std::string_view> seen =
        store_->EventAttribute(tenant, *it, context_attributes::kIntent);
    if (seen && *seen == intent) return true;
  }
  return false;
}

absl::StatusOr<ContextSnapshot> JourneyMerger::Impl::SnapshotOf(const TenantId& tenant,
                                                                const CustomerId& id,
                                                                std::string_view intent,
                                                                absl::Time now) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  ContextSnapshot snap;
  snap.tenant = tenant;
  snap.built_at = now;
  FillSnapshot(tenant, *c, intent, now, &snap);
  return snap;
}

absl::StatusOr<ContextSnapshot> JourneyMerger::Impl::SnapshotFor(const Contact& contact) const {
  SB_RETURN_IF_ERROR(contact.tenant.Validate("contact.tenant"));
  // The snapshot's time: an infinite one would make every window hold or none (a 30-day cookie
  // read as unexpired at the infinite past).
  SB_RETURN_IF_ERROR(ValidateTime(contact.arrived_at, "contact.arrived_at"));
  const TenantId& tenant = contact.tenant;
  ContextSnapshot snap;
  snap.tenant = tenant;
  snap.built_at = contact.arrived_at;
  // Customers by the handle of the event their id was minted from; with repeats until sorted
  // below (a store's tablet may have thousands of holders: no search per holder).
  std::vector<EventHandle> definite;
  std::vector<EventHandle> possible;
  for (const Identifier& identifier : contact.identifiers) {
    NormalizeResult n = normalizer_.Normalize(identifier);
    if (n.outcome != NormalizeOutcome::kValid) continue;
    ValueHandle h = store_->FindValue(tenant, n.id->Key());
    if (h == kNoHandle) continue;
    const ValueRecord& v = store_->Value(tenant, h);
    const IdentifierRule& rule = normalizer_.RuleFor(n.id->kind, n.id->scope);
    if (v.shared) {
      possible.insert(possible.end(), v.holders.begin(), v.holders.end());
    } else if (v.linked != kNoHandle && rule.matches &&
               contact.arrived_at - v.last_seen <= rule.expiry) {
      definite.push_back(v.linked);
    }
  }
  for (std::vector<EventHandle>* list : {&definite, &possible}) {
    std::sort(list->begin(), list->end());  // RankCandidates orders them by its own keys
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  // Only shared values matched: ambiguous even with one holder left (its holders were merged),
  // as ingest of the same identifiers would not link it either.
  const std::vector<EventHandle>& found = definite.empty() ? possible : definite;
  if (found.size() == 1 && !definite.empty()) {
    SB_ASSIGN_OR_RETURN(const CustomerRecord* c,
                        FindLive(tenant, resolver_.IdOf(tenant, found[0])));
    FillSnapshot(tenant, *c, contact.intent, contact.arrived_at, &snap);
  } else if (!found.empty()) {
    snap.possible_customers = RankCandidates(tenant, found);
    snap.needs_verification = true;
  }
  return snap;
}

void JourneyMerger::Impl::ReportRetired(const TenantId& tenant,
                                        absl::InlinedVector<EventHandle, 8>* before,
                                        IngestResult* result) const {
  std::sort(before->begin(), before->end());
  before->erase(std::unique(before->begin(), before->end()), before->end());
  for (EventHandle mint : *before) {
    if (std::optional<CustomerId> retired = RetiredIdOf(tenant, mint)) {
      result->retired.emplace_back(*std::move(retired),
                                   resolver_.IdOf(tenant, store_->Event(tenant, mint).customer));
    }
  }
  std::sort(result->retired.begin(), result->retired.end());
}

std::optional<CustomerId> JourneyMerger::Impl::RetiredIdOf(const TenantId& tenant,
                                                           EventHandle e) const {
  const StoredEvent& event = store_->Event(tenant, e);
  if (!event.minted || event.customer == e || event.customer == kNoHandle) return std::nullopt;
  return resolver_.IdOf(tenant, e);
}

// Every call from a shared phone alone mints a customer holding only that phone, so such
// callers can outnumber max_candidates; ranked by id alone they pushed out the account holders
// the question is about. Every key is a function of the resolved state, which does not depend
// on the order events arrived in, so neither does the list.
std::vector<CustomerId> JourneyMerger::Impl::RankCandidates(
    const TenantId& tenant, const std::vector<EventHandle>& mints) const {
  struct Ranked {
    bool identified = false;  // holds a value that links it (not only shared or dropped ones)
    size_t events = 0;
    EventHandle mint = kNoHandle;
    // Its id, "c-<event id>", compared through the event id's bytes: a store's tablet may have
    // thousands of holders, and only the kept few need their id built. A long event id mints a
    // hashed id, "c~...", built here; '-' sorts before '~'.
    std::string_view event_id;
    std::optional<std::string> hashed_id;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(mints.size());
  for (EventHandle mint : mints) {
    Ranked r;
    r.mint = mint;
    r.event_id = store_->EventIdOf(tenant, mint);
    if (!Resolver::MintsEmbeddedId(r.event_id)) r.hashed_id = resolver_.IdOf(tenant, mint).value();
    if (const CustomerRecord* c = store_->FindCustomer(tenant, mint)) {
      r.identified = std::any_of(c->values.begin(), c->values.end(), [](const CustomerValue& v) {
        return v.link == ValueLink::kLinked;
      });
      r.events = c->events.size();
    }
    ranked.push_back(std::move(r));
  }
  const size_t keep =
      std::min(ranked.size(), static_cast<size_t>(options_.snapshot.max_candidates));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                    ranked.end(), [](const Ranked& a, const Ranked& b) {
                      if (a.identified != b.identified) return a.identified;
                      if (a.events != b.events) return a.events > b.events;
                      if (a.hashed_id.has_value() != b.hashed_id.has_value()) return !a.hashed_id;
                      return a.hashed_id ? *a.hashed_id < *b.hashed_id : a.event_id < b.event_id;
                    });
  std::vector<CustomerId> out;
  out.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    Ranked& r = ranked[i];
    out.push_back(r.hashed_id ? CustomerId(*std::move(r.hashed_id))
                              : resolver_.IdOf(tenant, r.mint));
  }
  return out;
}

JourneyMerger::JourneyMerger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JourneyMerger::~JourneyMerger() = default;

absl::StatusOr<std::unique_ptr<JourneyMerger>> JourneyMerger::Create(JourneyMergerOptions options,
                                                                     const Clock* clock,
                                                                     JourneyStore* store) {
  if (clock == nullptr) return absl::InvalidArgumentError("journey merger needs a clock");
  SB_RETURN_IF_ERROR(options.Validate());
  SB_ASSIGN_OR_RETURN(IdentityNormalizer normalizer, IdentityNormalizer::Create(options.identity));
  std::unique_ptr<JourneyStore> owned;
  if (store == nullptr) owned = NewInMemoryJourneyStore();
  return std::unique_ptr<JourneyMerger>(new JourneyMerger(std::make_unique<Impl>(
      std::move(options), std::move(normalizer), clock, store, std::move(owned))));
}

absl::StatusOr<IngestResult> JourneyMerger::Ingest(const TouchpointEvent& event) {
  absl::StatusOr<IngestResult> result(absl::in_place);  // filled in place: no move per event
  if (absl::Status status = impl_->Ingest(event, &*result); !status.ok()) result = status;
  return result;
}
absl::Status JourneyMerger::Ingest(const TouchpointEvent& event, IngestResult* result) {
  if (result == nullptr) return absl::InvalidArgumentError("Ingest: the result pointer is null");
  absl::Status status = impl_->Ingest(event, result);
  if (!status.ok()) *result = IngestResult();
  return status;
}
absl::Status JourneyMerger::IngestBatch(absl::Span<const TouchpointEvent> events,
                                        std::vector<IngestResult>* results,
                                        std::vector<absl::Status>* statuses) {
  if (results == nullptr || statuses == nullptr) {
    return absl::InvalidArgumentError("IngestBatch: a result or status vector pointer is null");
  }
  impl_->IngestBatch(events, results, statuses);
  return absl::OkStatus();
}
absl::StatusOr<CustomerId> JourneyMerger::Resolve(const TenantId& tenant,
                                                  const CustomerId& id) const {
  return impl_->Resolve(tenant, id);
}
absl::StatusOr<Journey> JourneyMerger::GetJourney(const TenantId& tenant,
                                                  const CustomerId& id) const {
  return impl_->GetJourney(tenant, id);
}
absl::StatusOr<CustomerProfile> JourneyMerger::GetCustomer(const TenantId& tenant,
                                                           const CustomerId& id) const {
  return impl_->GetCustomer(tenant, id);
}
std::vector<CustomerId> JourneyMerger::ListCustomers(const TenantId& tenant) const {
  return impl_->ListCustomers(tenant);
}
absl::StatusOr<IdentityMatch> JourneyMerger::FindByIdentifier(const TenantId& tenant,
                                                              const Identifier& identifier) const {
  return impl_->FindByIdentifier(tenant, identifier);
}
std::vector<MergeRecord> JourneyMerger::ListMerges(const TenantId& tenant) const {
  return impl_->store().ListMerges(tenant);
}
absl::StatusOr<MergeRecord> JourneyMerger::Merge(const TenantId& tenant, const CustomerId& a,
                                                 const CustomerId& b, std::string_view reason,
                                                 std::string_view actor) {
  return impl_->Merge(tenant, a, b, reason, actor);
}
absl::StatusOr<SplitReport> JourneyMerger::Split(const TenantId& tenant, std::string_view merge_id,
                                                 std::string_view actor) {
  return impl_->Split(tenant, merge_id, actor);
}
absl::StatusOr<ErasureReport> JourneyMerger::Forget(const TenantId& tenant, const CustomerId& id) {
  return impl_->Forget(tenant, id);
}
absl::StatusOr<ErasureReport> JourneyMerger::Forget(const TenantId& tenant,
                                                    const Identifier& identifier) {
  return impl_->Forget(tenant, identifier);
}
absl::StatusOr<ContextSnapshot> JourneyMerger::SnapshotFor(const Contact& contact) const {
  return impl_->SnapshotFor(contact);
}
absl::StatusOr<ContextSnapshot> JourneyMerger::SnapshotOf(const TenantId& tenant,
                                                          const CustomerId& id,
                                                          std::string_view intent,
                                                          absl::Time now) const {
  return impl_->SnapshotOf(tenant, id, intent, now);
}
const JourneyMergerOptions& JourneyMerger::options() const { return impl_->options(); }
const JourneyStore& JourneyMerger::store() const { return impl_->store(); }

}  // namespace switchboard
