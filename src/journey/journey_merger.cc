#include "switchboard/journey_merger.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/status_macros.h"
#include "src/internal/text.h"
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

// The checks ValidateAttributes() makes, without building messages.
bool PlainlyValidAttributes(const Attributes& attributes) {
  if (attributes.size() > kMaxAttributes) return false;
  for (const auto& [key, value] : attributes) {
    if (key.empty() || key.size() > kMaxAttributeKeyLength || !internal::IsValidUtf8(key)) {
      return false;
    }
    if (value.size() > kMaxAttributeValueLength || !internal::IsValidUtf8(value)) return false;
  }
  return true;
}

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

  absl::StatusOr<IngestResult> Ingest(TouchpointEvent event);
  absl::StatusOr<CustomerId> Resolve(const TenantId& tenant, const CustomerId& id) const;
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
  uint64_t Tombstone(const TenantId& tenant, std::string_view event_id) const {
    // Built by hand, not formatted: this runs once per ingested event.
    std::string data;
    data.reserve(tenant.value().size() + 1 + event_id.size());
    data.append(tenant.value());
    data.push_back('\0');
    data.append(event_id.data(), event_id.size());
    return journey_internal::SipHash24(sip_key_, data);
  }
  absl::StatusOr<const CustomerRecord*> FindLive(const TenantId& tenant, const CustomerId& id) const;
  void FillSnapshot(const TenantId& tenant, const CustomerRecord& c, std::string_view intent,
                    absl::Time now, ContextSnapshot* snap) const;

  JourneyMergerOptions options_;
  IdentityNormalizer normalizer_;
  const Clock* clock_;
  std::unique_ptr<JourneyStore> owned_;
  JourneyStore* store_;
  Resolver resolver_;
  journey_internal::SipKey sip_key_;
};

absl::StatusOr<IngestResult> JourneyMerger::Impl::Ingest(TouchpointEvent event) {
  // Identifiers are judged one by one below (a bad one is reported, not fatal), so the event is
  // validated without them; only their number is a hard limit.
  std::vector<Identifier> raw_ids = std::move(event.identifiers);
  event.identifiers.clear();
  absl::Status valid;
  if (PlainlyValidAttributes(event.attributes)) {
    // Validate() formats a field name per attribute even when all is well; with attributes that
    // pass the same checks, validating the event without them gives the same result.
    Attributes attributes = std::move(event.attributes);
    event.attributes.clear();
    valid = event.Validate();
    event.attributes = std::move(attributes);
  } else {
    valid = event.Validate();  // for the exact message
  }
  if (valid.ok() && raw_ids.size() > kMaxIdentifiers) {
    valid = absl::InvalidArgumentError(internal::StrCat("event '", event.id.value(), "': has ",
                                                        raw_ids.size(), " identifiers, more than ",
                                                        kMaxIdentifiers));
  }
  SB_RETURN_IF_ERROR(valid);
  absl::Time limit = clock_->Now() + options_.future_tolerance;
  if (event.occurred_at > limit) {
    return absl::InvalidArgumentError(internal::StrCat(
        "event '", event.id.value(), "': occurred_at ", absl::FormatTime(event.occurred_at),
        " is more than ", absl::FormatDuration(options_.future_tolerance), " in the future"));
  }
  const TenantId tenant = event.tenant;
  IngestResult result;
  if (const StoredEvent* dup = store_->FindEvent(tenant, event.id.value())) {
    result.outcome = IngestOutcome::kDuplicate;
    result.customer = dup->customer;
    return result;
  }
  if (store_->HasTombstone(tenant, Tombstone(tenant, event.id.value()))) {
    result.outcome = IngestOutcome::kErased;
    return result;
  }

  // Normalize every identifier; invalid and blocked ones are reported and left out.
  auto verified_it = event.attributes.find(context_attributes::kVerified);
  bool verified = verified_it != event.attributes.end() && verified_it->second == "true";
  StoredEvent stored;
  stored.identifiers.reserve(raw_ids.size());
  event.identifiers.reserve(raw_ids.size());
  result.identifiers.resize(raw_ids.size());
  std::vector<bool> repeated(raw_ids.size(), false);
  for (size_t i = 0; i < raw_ids.size(); ++i) {
    IdentifierReport& report = result.identifiers[i];
    report.identifier = raw_ids[i];
    NormalizeResult n = normalizer_.Normalize(raw_ids[i]);
    if (n.outcome != NormalizeOutcome::kValid) {
      // Dropped from the recorded event: it keeps its valid identifiers only.
      report.outcome = n.outcome == NormalizeOutcome::kBlocked ? IdentifierOutcome::kBlocked
                                                               : IdentifierOutcome::kInvalid;
      report.reason = std::move(n.reason);
      continue;
    }
    n.id->verified = verified;
    report.key = n.id->Key();
    const NormalizedIdentifier& id = *n.id;
    bool seen = std::any_of(stored.identifiers.begin(), stored.identifiers.end(),
                            [&](const NormalizedIdentifier& x) {
                              return x.kind == id.kind && x.value == id.value && x.scope == id.scope;
                            });
    if (seen) {
      repeated[i] = true;  // the same value twice on one event: reported like the first
      continue;
    }
    stored.identifiers.push_back(*std::move(n.id));
    event.identifiers.push_back(std::move(raw_ids[i]));  // the report holds its own copy
  }
  std::vector<size_t> report_of_stored;  // StoredEvent::identifiers index -> report index
  for (size_t i = 0; i < raw_ids.size(); ++i) {
    if (!repeated[i] && !result.identifiers[i].key.empty()) report_of_stored.push_back(i);
  }
  stored.event = std::move(event);
  StoredEvent* ev = store_->PutEvent(std::move(stored));
  // Looked up once here and handed to the resolver (records are never erased while ingesting).
  std::vector<ValueRecord*> values(ev->identifiers.size());
  for (size_t j = 0; j < ev->identifiers.size(); ++j) {
    const std::string& key = result.identifiers[report_of_stored[j]].key;
    ValueRecord* value = store_->MutableValue(tenant, key);
    if (value == nullptr) {
      ValueRecord fresh;
      fresh.key = key;
      value = store_->PutValue(tenant, std::move(fresh));
    }
    value->events.push_back(ev->event.id);
    values[j] = value;
  }

  Processed processed;
  if (resolver_.IsInOrder(tenant, *ev, &values)) {
    processed = resolver_.Process(tenant, ev, &values);
  } else {
    result.rebuilt = true;
    resolver_.Rebuild(tenant, {ev->event.id.value()}, ev->event.id.value(), &processed);
  }
  result.customer = store_->FindEvent(tenant, ev->event.id.value())->customer;
  result.merges = std::move(processed.merges);
  for (size_t j = 0; j < ev->identifiers.size() && j < processed.outcomes.size(); ++j) {
    IdentifierReport& report = result.identifiers[report_of_stored[j]];
    report.outcome = processed.outcomes[j];
    report.reason = processed.reasons[j];
  }
  for (size_t i = 0; i < result.identifiers.size(); ++i) {
    if (!repeated[i]) continue;
    for (size_t j = 0; j < i; ++j) {
      if (!repeated[j] && result.identifiers[j].key == result.identifiers[i].key) {
        result.identifiers[i].outcome = result.identifiers[j].outcome;
        result.identifiers[i].reason = "repeated on the event";
        break;
      }
    }
  }
  return result;
}

absl::StatusOr<const CustomerRecord*> JourneyMerger::Impl::FindLive(const TenantId& tenant,
                                                                    const CustomerId& id) const {
  SB_RETURN_IF_ERROR(TenantError(tenant));
  if (const CustomerRecord* c = store_->FindCustomer(tenant, id.value())) return c;
  std::string mint = resolver_.MintEventOf(tenant, id.value());
  if (!mint.empty()) {
    if (const StoredEvent* e = store_->FindEvent(tenant, mint)) {
      if (const CustomerRecord* c = store_->FindCustomer(tenant, e->customer.value())) return c;
    }
  }
  return absl::NotFoundError(internal::StrCat("customer '", id.value(), "' is not known in tenant '",
                                              tenant.value(), "'"));
}

absl::StatusOr<CustomerId> JourneyMerger::Impl::Resolve(const TenantId& tenant,
                                                        const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  return c->id;
}

absl::StatusOr<Journey> JourneyMerger::Impl::GetJourney(const TenantId& tenant,
                                                        const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  Journey j;
  j.tenant = tenant;
  j.customer = c->id;
  j.events.reserve(c->events.size());
  for (const EventKey& k : c->events) {
    if (const StoredEvent* e = store_->FindEvent(tenant, k.id)) j.events.push_back(e->event);
  }
  return j;
}

absl::StatusOr<CustomerProfile> JourneyMerger::Impl::GetCustomer(const TenantId& tenant,
                                                                 const CustomerId& id) const {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  CustomerProfile p;
  p.tenant = tenant;
  p.id = c->id;
  p.aliases = c->aliases;
  std::sort(p.aliases.begin(), p.aliases.end());
  p.traits = ReconcileTraits(options_.traits, c->traits);
  p.event_count = static_cast<int64_t>(c->events.size());
  if (!c->events.empty()) {
    p.first_seen = c->events.front().at;
    p.last_seen = c->events.back().at;
  }
  p.merges = c->merges;
  std::sort(p.merges.begin(), p.merges.end());
  for (const CustomerValue& v : c->values) {
    CustomerIdentifier ci;
    ci.kind = v.kind;
    ci.scope = v.scope;
    ci.link = v.link;
    ci.verified = v.verified;
    size_t colon = v.key.find(':');
    ci.value = v.key.substr(colon + 1);
    p.identifiers.push_back(std::move(ci));
  }
  // Raw forms: the latest event carrying each value (stops once every value has one).
  size_t missing = p.identifiers.size();
  for (auto k = c->events.rbegin(); k != c->events.rend() && missing > 0; ++k) {
    const StoredEvent* e = store_->FindEvent(tenant, k->id);
    if (e == nullptr) continue;
    for (size_t i = 0; i < e->identifiers.size(); ++i) {
      std::string key = e->identifiers[i].Key();
      for (size_t j = 0; j < p.identifiers.size(); ++j) {
        CustomerIdentifier& ci = p.identifiers[j];
        if (ci.raw.empty() && c->values[j].key == key) {
          ci.raw = e->event.identifiers[i].value;
          --missing;
        }
      }
    }
  }
  std::vector<size_t> order(p.identifiers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return c->values[a].key < c->values[b].key; });
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
  const ValueRecord* v = store_->FindValue(tenant, key);
  IdentityMatch m;
  if (v != nullptr && v->shared) {
    m.shared = true;
    m.possible = v->holders;
    std::sort(m.possible.begin(), m.possible.end());
    if (m.possible.size() == 1) m.customer = m.possible.front();
    return m;
  }
  if (v != nullptr && !v->linked.empty()) {
    m.customer = v->linked;
    return m;
  }
  if (v != nullptr && !v->holders.empty()) {
    m.possible = v->holders;  // carried but never linked (dropped for a limit)
    std::sort(m.possible.begin(), m.possible.end());
    if (m.possible.size() == 1) m.customer = m.possible.front();
    return m;
  }
  return absl::NotFoundError(internal::StrCat("no customer of tenant '", tenant.value(),
                                              "' holds ", key));
}

absl::StatusOr<MergeRecord> JourneyMerger::Impl::Merge(const TenantId& tenant, const CustomerId& a,
                                                       const CustomerId& b,
                                                       std::string_view reason,
                                                       std::string_view actor) {
  if (actor.empty() || actor.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        internal::StrCat("merge actor must be 1..", kMaxNameLength, " bytes"));
  }
  if (reason.size() > kMaxTextLength) {
    return absl::InvalidArgumentError(
        internal::StrCat("merge reason is longer than ", kMaxTextLength, " bytes"));
  }
  SB_ASSIGN_OR_RETURN(const CustomerRecord* ca, FindLive(tenant, a));
  SB_ASSIGN_OR_RETURN(const CustomerRecord* cb, FindLive(tenant, b));
  if (ca == cb) {
    return absl::FailedPreconditionError(internal::StrCat(
        "customers '", a.value(), "' and '", b.value(), "' are already one ('", ca->id.value(), "')"));
  }
  LinkConstraint link;
  link.id = internal::StrCat("x-", store_->NextSequence(tenant));
  link.a = ca->mint_event;
  link.b = cb->mint_event;
  link.must_link = true;
  link.actor = std::string(actor);
  link.reason = std::string(reason);
  link.at = clock_->Now();
  std::string id = link.id;
  std::vector<std::string> seeds = {link.a.value(), link.b.value()};
  store_->PutLink(tenant, std::move(link));
  resolver_.Rebuild(tenant, seeds);
  const MergeRecord* m = store_->FindMerge(tenant, id);
  if (m == nullptr) return absl::InternalError(internal::StrCat("merge '", id, "' was not applied"));
  return *m;
}

absl::StatusOr<SplitReport> JourneyMerger::Impl::Split(const TenantId& tenant,
                                                       std::string_view merge_id,
                                                       std::string_view actor) {
  SB_RETURN_IF_ERROR(TenantError(tenant));
  if (actor.empty() || actor.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        internal::StrCat("split actor must be 1..", kMaxNameLength, " bytes"));
  }
  const MergeRecord* found = store_->FindMerge(tenant, merge_id);
  if (found == nullptr) {
    return absl::NotFoundError(internal::StrCat("merge '", merge_id, "' is not known in tenant '",
                                                tenant.value(), "'"));
  }
  SplitReport report;
  report.merge = *found;
  std::vector<std::string> seeds = {found->survivor_anchor.value(), found->absorbed_anchor.value()};
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
  report.survivor = store_->FindEvent(tenant, seeds[0])->customer;
  report.restored = store_->FindEvent(tenant, seeds[1])->customer;
  return report;
}

absl::StatusOr<ErasureReport> JourneyMerger::Impl::Forget(const TenantId& tenant,
                                                          const CustomerId& id) {
  SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, id));
  ErasureReport report;
  report.customer = c->id;
  report.aliases = c->aliases;
  std::sort(report.aliases.begin(), report.aliases.end());
  report.merges = c->merges;
  std::sort(report.merges.begin(), report.merges.end());
  for (const auto& field : c->traits.fields) report.traits += static_cast<int64_t>(field.size());
  std::vector<std::string> erased;
  for (const EventKey& k : c->events) erased.push_back(k.id);
  absl::flat_hash_set<std::string> erased_set(erased.begin(), erased.end());

  std::vector<const StoredEvent*> component = resolver_.Component(tenant, erased);
  resolver_.ClearDerived(tenant, component);
  std::vector<const StoredEvent*> remaining;  // built now: erased events' pointers die below
  for (const StoredEvent* e : component) {
    if (!erased_set.contains(e->event.id.value())) remaining.push_back(e);
  }
  absl::flat_hash_set<std::string> links;
  for (const std::string& e : erased) {
    const StoredEvent* ev = store_->FindEvent(tenant, e);
    for (const NormalizedIdentifier& nid : ev->identifiers) {
      std::string key = nid.Key();
      ValueRecord* v = store_->MutableValue(tenant, key);
      if (v == nullptr) continue;
      v->events.erase(std::remove(v->events.begin(), v->events.end(), ev->event.id), v->events.end());
      if (v->events.empty()) {
        store_->EraseValue(tenant, key);
        report.identifiers.push_back(std::move(key));
      }
    }
    for (const LinkConstraint& l : store_->LinksOf(tenant, e)) links.insert(l.id);
    std::string minted = resolver_.MintId(tenant, e);
    if (minted.substr(0, 2) == "c~") store_->EraseMintedId(tenant, minted);
  }
  for (const std::string& l : links) store_->EraseLink(tenant, l);
  report.links = static_cast<int64_t>(links.size());
  for (const std::string& e : erased) {
    store_->AddTombstone(tenant, Tombstone(tenant, e));
    store_->EraseEvent(tenant, e);
  }
  report.events = static_cast<int64_t>(erased.size());
  report.tombstones = report.events;
  std::sort(report.identifiers.begin(), report.identifiers.end());

  resolver_.Replay(tenant, remaining);
  return report;
}

absl::StatusOr<ErasureReport> JourneyMerger::Impl::Forget(const TenantId& tenant,
                                                          const Identifier& identifier) {
  SB_ASSIGN_OR_RETURN(IdentityMatch m, FindByIdentifier(tenant, identifier));
  if (!m.customer.has_value()) {
    return absl::FailedPreconditionError(internal::StrCat(
        "identifier ", IdentifierKindName(identifier.kind), " '", identifier.value,
        "' is shared by ", m.possible.size(), " customers; forget them by id"));
  }
  return Forget(tenant, *m.customer);
}

void JourneyMerger::Impl::FillSnapshot(const TenantId& tenant, const CustomerRecord& c,
                                       std::string_view intent, absl::Time now,
                                       ContextSnapshot* snap) const {
  const SnapshotOptions& o = options_.snapshot;
  const CustomerSummary& s = c.summary;
  snap->customer = c.id;
  snap->total_touchpoints = static_cast<int64_t>(c.events.size());
  size_t n = std::min(c.events.size(), static_cast<size_t>(o.max_touchpoints));
  snap->recent.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const EventKey& k = c.events[c.events.size() - 1 - i];
    const StoredEvent* e = store_->FindEvent(tenant, k.id);
    if (e == nullptr) continue;
    TouchpointSummary t;
    t.event = e->event.id;
    t.channel = e->event.channel;
    t.type = e->event.type;
    t.occurred_at = e->event.occurred_at;
    // One line for the timeline: the summary, else an agent's note, else the intent.
    auto sum = e->event.attributes.find(context_attributes::kSummary);
    if (sum == e->event.attributes.end()) sum = e->event.attributes.find(context_attributes::kNote);
    if (sum == e->event.attributes.end()) sum = e->event.attributes.find(context_attributes::kIntent);
    if (sum != e->event.attributes.end()) t.summary = Truncate(sum->second, o.max_summary_bytes);
    snap->recent.push_back(std::move(t));
  }
  std::vector<const CaseState*> open;
  for (const CaseState& cs : s.cases) {
    if (!cs.opened.empty() && cs.resolved.empty()) open.push_back(&cs);
  }
  std::sort(open.begin(), open.end(),
            [](const CaseState* a, const CaseState* b) { return b->opened < a->opened; });
  for (size_t i = 0; i < open.size() && i < static_cast<size_t>(o.max_open_cases); ++i) {
    snap->open_cases.push_back(
        {open[i]->id, open[i]->opened.at, Truncate(open[i]->summary, o.max_summary_bytes)});
  }
  if (!s.last_agent.value.empty()) snap->last_agent = AgentId(s.last_agent.value);
  if (!s.last_queue.value.empty()) snap->last_queue = QueueId(s.last_queue.value);
  snap->last_intent = s.last_intent.value;
  if (!s.verified.empty()) {
    snap->verified_at = s.verified.at;
    snap->identity_verified = s.verified.at <= now && now - s.verified.at <= o.verification_valid_for;
  }
  for (const KeyedValue& note : s.notes) {
    snap->notes.push_back(Truncate(note.value, o.max_summary_bytes));
  }
  // A repeat needs the contact's own intent: the same need seen strictly before it, within the
  // window (the last intent alone cannot tell a new contact from the one that set it).
  if (!intent.empty()) {
    for (const KeyedValue& seen : s.intents) {
      if (seen.value != intent) continue;
      snap->repeat_contact = seen.key.at < now && now - seen.key.at <= o.repeat_window;
      break;
    }
  }
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
  const TenantId& tenant = contact.tenant;
  ContextSnapshot snap;
  snap.tenant = tenant;
  snap.built_at = contact.arrived_at;
  std::vector<CustomerId> definite;
  std::vector<CustomerId> possible;
  auto add = [](std::vector<CustomerId>* list, const CustomerId& id) {
    if (std::find(list->begin(), list->end(), id) == list->end()) list->push_back(id);
  };
  for (const Identifier& identifier : contact.identifiers) {
    NormalizeResult n = normalizer_.Normalize(identifier);
    if (n.outcome != NormalizeOutcome::kValid) continue;
    const ValueRecord* v = store_->FindValue(tenant, n.id->Key());
    if (v == nullptr) continue;
    const IdentifierRule& rule = normalizer_.RuleFor(n.id->kind, n.id->scope);
    if (v->shared) {
      for (const CustomerId& h : v->holders) add(&possible, h);
    } else if (!v->linked.empty() && rule.matches &&
               contact.arrived_at - v->last_seen <= rule.expiry) {
      add(&definite, v->linked);
    }
  }
  std::vector<CustomerId> candidates = definite.empty() ? possible : definite;
  std::sort(candidates.begin(), candidates.end());
  if (candidates.size() == 1) {
    SB_ASSIGN_OR_RETURN(const CustomerRecord* c, FindLive(tenant, candidates.front()));
    FillSnapshot(tenant, *c, contact.intent, contact.arrived_at, &snap);
  } else if (candidates.size() > 1) {
    size_t limit = static_cast<size_t>(options_.snapshot.max_candidates);
    if (candidates.size() > limit) candidates.resize(limit);
    snap.possible_customers = std::move(candidates);
    snap.needs_verification = true;
  }
  return snap;
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

absl::StatusOr<IngestResult> JourneyMerger::Ingest(TouchpointEvent event) {
  return impl_->Ingest(std::move(event));
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
  return impl_->store().ListCustomers(tenant);
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
