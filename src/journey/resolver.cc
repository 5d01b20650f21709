#include "src/journey/resolver.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "src/internal/str_cat.h"
#include "src/journey/customer_summary.h"
#include "src/journey/siphash.h"
#include "switchboard/limits.h"

namespace switchboard::journey_internal {
namespace {


// Precedence when one customer ends up holding a value twice (after a merge).
int Rank(ValueLink link) {
  switch (link) {
    case ValueLink::kShared: return 3;
    case ValueLink::kLinked: return 2;
    case ValueLink::kUnlinked: return 1;
    case ValueLink::kExpired: return 0;
  }
  return 0;
}

// Makes `customer`, whose entry for the value is `entry`, one of the value's holders. Every
// holder has an entry (its own events carry the value), so a `fresh` entry needs no search of
// the holders, which a store's tablet may count by the thousand, and neither does an entry
// marked as a holder. Else the search runs from the newest holder: a customer's events tend to
// come together, and a replay puts the customers it rebuilds last.
void AddHolder(ValueRecord* value, EventHandle customer, CustomerValue* entry, bool fresh) {
  if (entry->holder) return;
  if (fresh || std::find(value->holders.rbegin(), value->holders.rend(), customer) ==
                   value->holders.rend()) {
    value->holders.push_back(customer);
  }
  entry->holder = true;
}

// From this many values on, a customer's values are found through its CustomerValueIndex:
// below, a scan of the list is as fast and costs no memory.
constexpr size_t kIndexValuesFrom = 32;

bool IsLimitedKind(uint32_t limited_kinds, IdentifierKind kind) {
  return (limited_kinds >> static_cast<int>(kind)) & 1;
}

// The customer's value index, brought up to date with its values: the values appended since it
// was last used are added, and an index that does not match the list (a store that did not
// keep it, a record rebuilt in place) is made anew. `limited_kinds` is Resolver::LimitedKinds().
CustomerValueIndex& ValueIndexOf(CustomerRecord& customer, uint32_t limited_kinds) {
  if (customer.value_index == nullptr)
    customer.value_index = std::make_unique<CustomerValueIndex>();
  CustomerValueIndex& index = *customer.value_index;
  const std::vector<CustomerValue>& values = customer.values;
  size_t done = index.position.size();
  if (done > values.size() || (done > 0 && values[done - 1].value != index.last)) {
    index.position.clear();
    index.limited_linked.clear();
    done = 0;
  }
  for (size_t i = done; i < values.size(); ++i) {
    index.position.emplace(values[i].value, static_cast<uint32_t>(i));
    if (values[i].link == ValueLink::kLinked && IsLimitedKind(limited_kinds, values[i].kind)) {
      index.limited_linked.push_back(static_cast<uint32_t>(i));
    }
  }
  if (!values.empty()) index.last = values.back().value;
  return index;
}

CustomerValue* FindEntry(CustomerRecord* customer, ValueHandle value, uint32_t limited_kinds) {
  std::vector<CustomerValue>& values = customer->values;
  if (values.size() < kIndexValuesFrom) {
    for (CustomerValue& v : values) {
      if (v.value == value) return &v;
    }
    return nullptr;
  }
  const CustomerValueIndex& index = ValueIndexOf(*customer, limited_kinds);
  auto it = index.position.find(value);
  return it != index.position.end() ? &values[it->second] : nullptr;
}

std::string GroupName(IdentifierKind kind, std::string_view scope) {
  if (scope.empty()) return std::string(IdentifierKindName(kind));
  return internal::StrCat(IdentifierKindName(kind), "/", scope);
}

bool IsEmbeddable(std::string_view event_id) { return event_id.size() + 2 <= kMaxIdLength; }

// The keyed tombstone of a retired hashed id, apart from those of erased events ('\0').
uint64_t MintTombstone(const SipKey& key, const TenantId& tenant, std::string_view id) {
  return TombstoneHash(key, tenant.value(), '\x01', id);
}

}  // namespace

struct Resolver::Candidate {
  size_t index = 0;  // into the event's identifiers
  ValueHandle handle = kNoHandle;
  ValueRecord* value = nullptr;
  IdentifierKind kind = IdentifierKind::kPhone;
  std::string_view scope;  // of value->key
  bool verified = false;
  const IdentifierRule* rule = nullptr;
  IdentifierOutcome outcome = IdentifierOutcome::kNew;
  bool active = true;  // still takes part in linking (kLinked, kNew, kExpired)
};

struct Resolver::Violation {
  std::string what;
  std::vector<size_t> helpful;  // candidates whose drop may resolve it
};

std::string Resolver::MintedIdOf(const TenantId& tenant, std::string_view event_id) const {
  if (IsEmbeddable(event_id)) {
    std::string out;  // appended, not formatted: one per new customer
    out.reserve(event_id.size() + 2);
    return out.append("c-").append(event_id);
  }
  // FNV-1a is stable across processes but not collision resistant: ids can be made to collide
  // on purpose. A colliding event takes the next free id of the chain, so that no two customers
  // ever share one (Forget by id erases the customer the id was given to).
  const std::string base = fmt::format("c~{:016x}", Fnv1a64(event_id));
  for (int n = 1;; ++n) {
    std::string id = n == 1 ? base : internal::StrCat(base, "~", n);
    const std::string owner = store_->FindMintedId(tenant, id);
    if (owner == event_id) return id;                                // this event's own
    if (owner.empty() && !IsRetiredMintedId(tenant, id)) return id;  // free
  }
}

bool Resolver::IsRetiredMintedId(const TenantId& tenant, std::string_view id) const {
  return store_->HasTombstones(tenant) &&
         store_->HasTombstone(tenant, MintTombstone(sip_key_, tenant, id));
}

std::string Resolver::MintId(const TenantId& tenant, std::string_view event_id) {
  std::string out = MintedIdOf(tenant, event_id);
  if (!IsEmbeddable(event_id)) store_->PutMintedId(tenant, out, event_id);  // hashed
  return out;
}

bool Resolver::RetireMintedId(const TenantId& tenant, EventHandle mint) {
  const std::string_view event_id = store_->EventIdOf(tenant, mint);
  if (IsEmbeddable(event_id)) return false;  // "c-<id>": the event's tombstone keeps it taken
  const std::string id = MintedIdOf(tenant, event_id);
  if (store_->FindMintedId(tenant, id) != event_id) return false;  // it minted none
  store_->EraseMintedId(tenant, id);
  store_->AddTombstone(tenant, MintTombstone(sip_key_, tenant, id));
  return true;
}

bool Resolver::MintsEmbeddedId(std::string_view event_id) { return IsEmbeddable(event_id); }

CustomerId Resolver::IdOf(const TenantId& tenant, EventHandle mint) const {
  if (mint == kNoHandle) return CustomerId();
  return CustomerId(MintedIdOf(tenant, store_->EventIdOf(tenant, mint)));
}

std::string Resolver::MintEventOf(const TenantId& tenant, std::string_view id) const {
  // Longer, the event's id was minted as a hash (MintedIdOf): "c-<id>" was never handed out.
  if (id.substr(0, 2) == "c-" && id.size() <= kMaxIdLength) return std::string(id.substr(2));
  if (id.substr(0, 2) == "c~") return store_->FindMintedId(tenant, id);
  return std::string();
}

bool Resolver::IsInOrder(const TenantId& tenant, EventHandle event,
                         absl::Span<ValueRecord* const> values) const {
  const absl::Time at = store_->Event(tenant, event).occurred_at;
  for (const ValueRecord* value : values) {
    if (!RuleOf(*value).matches || SharedBefore(tenant, *value, event, at)) continue;
    for (EventHandle holder : value->holders) {
      const CustomerRecord* c = store_->FindCustomer(tenant, holder);
      if (c != nullptr && !UnchangedSince(tenant, *c, event, at)) return false;
    }
  }
  return true;
}

bool Resolver::FindSplitOf(const TenantId& tenant, std::string_view anchor, EventHandle mine,
                           absl::Span<CustomerRecord* const> customers,
                           absl::Span<const Candidate> candidates, Violation* violation) const {
  for (const LinkConstraint& link : store_->LinksOf(tenant, anchor)) {
    if (link.must_link) continue;
    const EventId& other = link.a.value() == anchor ? link.b : link.a;
    const EventHandle oe = store_->FindEvent(tenant, other.value());
    if (oe == kNoHandle) continue;
    const EventHandle owner = store_->Event(tenant, oe).customer;
    if (owner == mine) continue;
    const bool in_union = std::any_of(customers.begin(), customers.end(),
                                      [&](const CustomerRecord* u) { return u->mint == owner; });
    if (!in_union) continue;
    const std::string other_id = IdOf(tenant, owner).value();
    violation->what = mine == kNoHandle
                          ? internal::StrCat("split '", internal::Printable(link.id),
                                             "' keeps event '", internal::Printable(anchor),
                                             "' apart from '", internal::Printable(other_id), "'")
                          : internal::StrCat("split '", internal::Printable(link.id), "' keeps '",
                                             internal::Printable(IdOf(tenant, mine).value()),
                                             "' and '", internal::Printable(other_id), "' apart");
    // Only a link to one of the two sides kept apart can cause it.
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (c.active && c.outcome == IdentifierOutcome::kLinked &&
          (c.value->linked == mine || c.value->linked == owner)) {
        violation->helpful.push_back(i);
      }
    }
    return true;
  }
  return false;
}

bool Resolver::FindViolation(const TenantId& tenant, std::string_view event_id,
                             absl::Span<CustomerRecord* const> customers,
                             absl::Span<const Candidate> candidates, Violation* violation) const {
  // The event is part of the union too: it may itself be named by a split, when a late event
  // brought the customer of the split's other event to it (a check between the linked
  // customers alone would never see it).
  if (!customers.empty() && store_->HasLinks(tenant) &&
      FindSplitOf(tenant, event_id, kNoHandle, customers, candidates, violation)) {
    return true;
  }
  auto scope_of = [&](const CustomerValue& v) {
    return IdentifierKindHasScope(v.kind) ? store_->Value(tenant, v.value).scope()
                                          : std::string_view();
  };
  // Fast path (most events): at most one customer and every value either unlimited or already
  // linked to it cannot break a limit, and a split constraint needs two customers.
  if (customers.size() <= 1) {
    bool may_grow = false;
    for (const Candidate& c : candidates) {
      if (!c.active || c.rule->Limit() <= 0) continue;
      if (customers.empty() || c.outcome != IdentifierOutcome::kLinked) {
        may_grow = true;
        break;
      }
    }
    if (!may_grow) return false;
    // Still no violation when, in every limited group a candidate is in, the customer's linked
    // values plus the event's candidates fit the limit (an upper bound of the distinct values).
    bool fits = true;
    for (const Candidate& c : candidates) {
      if (!c.active) continue;
      const int limit = c.rule->Limit();
      if (limit <= 0) continue;
      int bound = 0;
      for (const Candidate& o : candidates) {
        if (o.active && o.kind == c.kind && o.scope == c.scope) ++bound;
      }
      for (CustomerRecord* r : customers) {
        ForEachLinkedLimited(r, [&](const CustomerValue& v) {
          if (v.kind == c.kind && scope_of(v) == c.scope) ++bound;
        });
      }
      if (bound > limit) {
        fits = false;
        break;
      }
    }
    if (fits) return false;
  }
  // Groups stay few and small (a limit's worth of values from each customer), so they are
  // plain lists: this runs for every event that finds a customer at a limit.
  struct Group {
    IdentifierKind kind = IdentifierKind::kPhone;
    std::string_view scope;
    int limit = 0;
    absl::InlinedVector<ValueHandle, 24> keys;  // its values by handle; repeats removed below
    int max_single = 0;
    absl::InlinedVector<EventHandle, 4> holders;  // mints of the customers with values in it
  };
  absl::InlinedVector<Group, 4> groups;
  auto group_of = [&](IdentifierKind kind, std::string_view scope) -> Group* {
    for (Group& g : groups) {
      if (g.kind == kind && g.scope == scope) return &g;
    }
    int limit = normalizer_->RuleFor(kind, scope).Limit();
    if (limit <= 0) return nullptr;
    Group& added = groups.emplace_back();  // built in place: a moved InlinedVector trips GCC
    added.kind = kind;
    added.scope = scope;
    added.limit = limit;
    return &added;
  };
  for (CustomerRecord* c : customers) {
    // Values a customer holds in each group (group by position: `groups` may grow meanwhile).
    absl::InlinedVector<std::pair<size_t, int>, 4> counts;
    ForEachLinkedLimited(c, [&](const CustomerValue& v) {
      Group* g = group_of(v.kind, scope_of(v));
      if (g == nullptr) return;
      g->keys.push_back(v.value);
      const size_t at = static_cast<size_t>(g - groups.data());
      auto it = std::find_if(counts.begin(), counts.end(), [&](auto& p) { return p.first == at; });
      if (it == counts.end()) {
        counts.push_back({at, 1});
      } else {
        ++it->second;
      }
    });
    for (auto& [at, n] : counts) {
      groups[at].max_single = std::max(groups[at].max_single, n);
      groups[at].holders.push_back(c->mint);
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (!c.active) continue;
    if (Group* g = group_of(c.kind, c.scope)) g->keys.push_back(c.handle);
  }
  for (Group& g : groups) {  // a value two customers hold, or an event repeats, counts once
    std::sort(g.keys.begin(), g.keys.end());
    g.keys.erase(std::unique(g.keys.begin(), g.keys.end()), g.keys.end());
  }
  std::vector<size_t> linking;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].active && candidates[i].outcome == IdentifierOutcome::kLinked) {
      linking.push_back(i);
    }
  }
  for (const Group& g : groups) {
    int n = static_cast<int>(g.keys.size());
    if (n <= std::max(g.limit, g.max_single)) continue;
    violation->what = internal::StrCat("the link would give one customer ", n, " ",
                                       GroupName(g.kind, g.scope), " values (limit ", g.limit, ")");
    // What could cause it: a link to a customer with values in the group, or a new value in it.
    // A link to a customer without any cannot, and dropping it would split that customer off.
    for (size_t i : linking) {
      if (std::find(g.holders.begin(), g.holders.end(), candidates[i].value->linked) !=
          g.holders.end()) {
        violation->helpful.push_back(i);
      }
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (c.active && c.outcome != IdentifierOutcome::kLinked && c.kind == g.kind &&
          c.scope == g.scope) {
        violation->helpful.push_back(i);
      }
    }
    return true;
  }
  if (customers.size() < 2) return false;
  // Split constraints: two customers an earlier Split() separated stay apart.
  for (const CustomerRecord* c : customers) {
    for (const EventId& anchor : c->constrained_anchors()) {
      if (FindSplitOf(tenant, anchor.value(), c->mint, customers, candidates, violation)) {
        return true;
      }
    }
  }
  return false;
}

CustomerRecord* Resolver::Mint(const TenantId& tenant, EventHandle event) {
  CustomerRecord r;
  // Only an id too long to embed needs the store (to find its event again); others are pure.
  std::string_view event_id = store_->EventIdOf(tenant, event);
  if (!IsEmbeddable(event_id)) MintId(tenant, event_id);
  // The id is handed out from here on: it keeps naming whoever owns the event (FindLive), also
  // after a rebuild mints the customer from another event.
  store_->MutableEvent(tenant, event)->minted = true;
  r.mint = event;
  return store_->PutCustomer(tenant, std::move(r));
}

CustomerValue* Resolver::UpsertValue(CustomerRecord* customer, const Candidate& c, ValueLink link,
                                     bool* fresh) const {
  *fresh = false;
  if (CustomerValue* v = FindEntry(customer, c.handle, limited_kinds_)) {
    if (Rank(link) > Rank(v->link) || link == ValueLink::kShared) SetLink(customer, v, link);
    v->verified = v->verified || c.verified;
    return v;
  }
  *fresh = true;
  customer->values.push_back(CustomerValue{c.handle, c.kind, link, c.verified});
  return &customer->values.back();
}

void Resolver::RemoveHolder(const TenantId& tenant, ValueHandle handle, ValueRecord* value,
                            EventHandle customer) const {
  auto it = std::find(value->holders.begin(), value->holders.end(), customer);
  if (it == value->holders.end()) return;
  value->holders.erase(it);
  if (CustomerRecord* c = store_->MutableCustomer(tenant, customer)) {
    if (CustomerValue* entry = FindEntry(c, handle, limited_kinds_)) entry->holder = false;
  }
}

void Resolver::SetLink(CustomerRecord* customer, CustomerValue* entry, ValueLink link) const {
  const bool was_linked = entry->link == ValueLink::kLinked;
  entry->link = link;
  if (was_linked == (link == ValueLink::kLinked) || customer->value_index == nullptr ||
      !IsLimitedKind(limited_kinds_, entry->kind)) {
    return;
  }
  CustomerValueIndex& index = *customer->value_index;
  const auto position = static_cast<uint32_t>(entry - customer->values.data());
  // A value the index has not reached yet is added with its link when it is (ValueIndexOf).
  if (position >= index.position.size()) return;
  std::vector<uint32_t>& linked = index.limited_linked;
  auto it = std::lower_bound(linked.begin(), linked.end(), position);
  if (!was_linked) {
    linked.insert(it, position);
  } else if (it != linked.end() && *it == position) {
    linked.erase(it);
  }
}

void Resolver::ForEachLinkedLimited(CustomerRecord* customer,
                                    absl::FunctionRef<void(const CustomerValue&)> f) const {
  const std::vector<CustomerValue>& values = customer->values;
  if (values.size() < kIndexValuesFrom) {
    for (const CustomerValue& v : values) {
      if (v.link == ValueLink::kLinked) f(v);
    }
    return;
  }
  for (uint32_t position : ValueIndexOf(*customer, limited_kinds_).limited_linked) {
    if (values[position].link == ValueLink::kLinked) f(values[position]);
  }
}

uint32_t Resolver::LimitedKinds(const IdentityRules& rules) {
  uint32_t kinds = 0;
  for (int k = 0; k < kIdentifierKindCount; ++k) {
    if (rules.kinds[k].Limit() > 0) kinds |= 1u << k;
  }
  for (const CustomKindRule& custom : rules.custom_kinds) {
    if (custom.rule.Limit() > 0) kinds |= 1u << static_cast<int>(IdentifierKind::kCustom);
  }
  return kinds;
}

void Resolver::Touch(const TenantId& tenant, CustomerRecord* c, EventHandle e, absl::Time at) {
  // Nothing to record when its own journey already reaches past `e` (the usual case of the
  // event's own customer) or an earlier touch does.
  if (!UnchangedSince(tenant, *c, e, at)) return;
  CustomerLinks& links = c->MutableLinks();
  links.touched = e;
  links.touched_at = at;
}

void Resolver::MakeShared(const TenantId& tenant, ValueHandle handle, ValueRecord* value,
                          EventHandle ev, absl::Time at) {
  value->shared = true;
  value->shared_by = ev;
  value->linked = kNoHandle;
  value->linked_by = kNoHandle;
  for (EventHandle h : value->holders) {
    if (CustomerRecord* c = store_->MutableCustomer(tenant, h)) {
      if (CustomerValue* v = FindEntry(c, handle, limited_kinds_)) {
        SetLink(c, v, ValueLink::kShared);
      }
      // The value stops counting toward its limits: an event before `ev` must not see that.
      Touch(tenant, c, ev, at);
    }
  }
}

void Resolver::MergeJourneys(const TenantId& tenant, std::vector<EventHandle>* into,
                             const std::vector<EventHandle>& from) const {
  const auto less = [&](EventHandle x, EventHandle y) { return Less(tenant, x, y); };
  // A small journey joining a long one (a one-event customer absorbed by a hub, merge after
  // merge) is inserted by binary search: comparisons, which read events, grow with the log of
  // the long one, not with its length.
  if (from.size() * 16 < into->size()) {
    auto pos = into->begin();
    for (EventHandle e : from) {
      pos = into->insert(std::upper_bound(pos, into->end(), e, less), e) + 1;
    }
    return;
  }
  std::vector<EventHandle> events;
  events.reserve(into->size() + from.size());
  std::merge(into->begin(), into->end(), from.begin(), from.end(), std::back_inserter(events),
             less);
  *into = std::move(events);
}

void Resolver::MergeInto(const TenantId& tenant, CustomerRecord* s, CustomerRecord* a,
                         MergeRecord record, Processed* processed) {
  record.survivor = IdOf(tenant, s->mint);
  record.absorbed = IdOf(tenant, a->mint);
  record.survivor_anchor = EventId(std::string(store_->EventIdOf(tenant, s->mint)));
  record.absorbed_anchor = EventId(std::string(store_->EventIdOf(tenant, a->mint)));
  for (EventHandle h : a->events) store_->MutableEvent(tenant, h)->customer = s->mint;
  MergeJourneys(tenant, &s->events, a->events);
  for (const CustomerValue& v : a->values) {
    ValueRecord* value = store_->MutableValue(tenant, v.value);
    if (value->linked == a->mint) value->linked = s->mint;
    // The survivor takes the absorbed customer's place among the holders, only if it had one:
    // a value it carried without holding (a kind that does not match, a cookie that expired
    // and went to another customer) gains no holder, as in Process().
    auto it = std::find(value->holders.begin(), value->holders.end(), a->mint);
    const bool held = it != value->holders.end();
    if (held) value->holders.erase(it);
    CustomerValue* mine = FindEntry(s, v.value, limited_kinds_);
    const bool fresh = mine == nullptr;
    if (fresh) {
      s->values.push_back(v);
      mine = &s->values.back();
      mine->holder = false;  // the survivor holds it only by the line below
    } else {
      if (Rank(v.link) > Rank(mine->link)) SetLink(s, mine, v.link);
      mine->verified = mine->verified || v.verified;
    }
    if (held) AddHolder(value, s->mint, mine, fresh);
    if (value->shared) SetLink(s, mine, ValueLink::kShared);
  }
  CustomerLinks& links = s->MutableLinks();
  links.aliases.push_back(record.absorbed);
  links.aliases.insert(links.aliases.end(), a->aliases().begin(), a->aliases().end());
  links.merges.insert(links.merges.end(), a->merges().begin(), a->merges().end());
  links.merges.push_back(record.id);
  links.constrained_anchors.insert(links.constrained_anchors.end(),
                                   a->constrained_anchors().begin(),
                                   a->constrained_anchors().end());
  AbsorbTraits(options_->traits, a->traits, &s->traits);
  AbsorbSummary(a->summary, options_->snapshot, KeyOrder(store_, &tenant), &s->summary);
  if (a->latest != kNoHandle && LatestBefore(tenant, *s, a->latest, a->latest_at)) {
    s->latest = a->latest;
    s->latest_at = a->latest_at;
  }
  if (a->links != nullptr && a->links->touched != kNoHandle) {
    Touch(tenant, s, a->links->touched, a->links->touched_at);
  }
  EventHandle absorbed = a->mint;
  if (processed != nullptr) {
    processed->merges.push_back(record.id);
    processed->absorbed.push_back(absorbed);
  }
  store_->PutMerge(tenant, std::move(record));
  store_->EraseCustomer(tenant, absorbed);
}

Processed Resolver::Process(const TenantId& tenant, EventHandle ev,
                            const TouchpointEvent& content,
                            absl::Span<ValueRecord* const> values) {
  Processed out;
  Process(tenant, ev, content, values, &out);
  return out;
}

void Resolver::Process(const TenantId& tenant, EventHandle ev, const TouchpointEvent& content,
                       absl::Span<ValueRecord* const> values, Processed* processed) {
  Processed& out = *processed;
  out.Clear();
  const StoredEvent& rec = store_->Event(tenant, ev);  // no event is added or erased below
  const absl::Time at = rec.occurred_at;
  const absl::Span<const ValueHandle> handles = store_->EventValues(tenant, ev);
  out.outcomes.assign(handles.size(), IdentifierOutcome::kNew);
  out.reasons.assign(handles.size(), std::string());

  absl::InlinedVector<Candidate, 4> cands(handles.size());
  for (size_t i = 0; i < handles.size(); ++i) {
    Candidate& c = cands[i];
    c.index = i;
    c.handle = handles[i];
    c.value = !values.empty() ? values[i] : store_->MutableValue(tenant, handles[i]);
    c.kind = c.value->kind;
    c.scope = c.value->scope();
    c.verified = rec.verified;
    c.rule = &RuleOf(*c.value);
    if (!c.rule->matches) {
      c.outcome = IdentifierOutcome::kNotMatching;
      c.active = false;
    } else if (c.value->shared) {
      c.outcome = IdentifierOutcome::kShared;
      c.active = false;
      out.reasons[i] = internal::StrCat("shared by ", c.value->holders.size(), " customers");
    } else if (c.value->linked != kNoHandle) {
      if (at - c.value->last_seen > c.rule->expiry) {
        c.outcome = IdentifierOutcome::kExpired;
        out.reasons[i] = internal::StrCat("last seen ", absl::FormatDuration(at - c.value->last_seen),
                                          " earlier, past its expiry");
      } else {
        c.outcome = IdentifierOutcome::kLinked;
      }
    }
  }

  auto linked_customers = [&]() {
    absl::InlinedVector<CustomerRecord*, 4> customers;
    for (const Candidate& c : cands) {
      if (!c.active || c.outcome != IdentifierOutcome::kLinked) continue;
      CustomerRecord* r = store_->MutableCustomer(tenant, c.value->linked);
      if (r != nullptr && std::find(customers.begin(), customers.end(), r) == customers.end()) {
        customers.push_back(r);
      }
    }
    std::sort(customers.begin(), customers.end(),
              [&](const CustomerRecord* a, const CustomerRecord* b) {
                return Less(tenant, a->mint, b->mint);
              });
    return customers;
  };

  absl::InlinedVector<CustomerRecord*, 4> customers = linked_customers();
  absl::InlinedVector<CustomerRecord*, 4> consulted;  // before a limit turned links away
  for (Violation v; FindViolation(tenant, content.id.value(), customers, cands, &v);
       customers = linked_customers()) {
    if (v.helpful.empty()) break;
    if (consulted.empty()) consulted = customers;
    // Drop the least trusted: largest priority number, unverified first (proven on this event or
    // earlier on the customer it links), then a value that links nothing yet before one already
    // linked (the established link is kept; in canonical order both stay a function of the
    // events, not of their arrival), then largest key.
    auto proven = [&](const Candidate& c) {
      if (c.verified) return true;
      if (c.outcome != IdentifierOutcome::kLinked) return false;
      CustomerRecord* holder = store_->MutableCustomer(tenant, c.value->linked);
      const CustomerValue* entry =
          holder != nullptr ? FindEntry(holder, c.handle, limited_kinds_) : nullptr;
      return entry != nullptr && entry->verified;
    };
    size_t pick = *std::max_element(v.helpful.begin(), v.helpful.end(), [&](size_t x, size_t y) {
      const Candidate& a = cands[x];
      const Candidate& b = cands[y];
      if (a.rule->priority != b.rule->priority) return a.rule->priority < b.rule->priority;
      const bool a_proven = proven(a);
      const bool b_proven = proven(b);
      if (a_proven != b_proven) return a_proven;
      const bool a_linked = a.outcome == IdentifierOutcome::kLinked;
      const bool b_linked = b.outcome == IdentifierOutcome::kLinked;
      if (a_linked != b_linked) return a_linked;
      return a.value->key < b.value->key;
    });
    cands[pick].active = false;
    cands[pick].outcome = IdentifierOutcome::kDropped;
    out.reasons[pick] = std::move(v.what);
    v = Violation();
  }
  // A customer whose limits or splits turned this event away did not change, but the outcome
  // read its state: an earlier event that changes it later (makes one of its values shared, say)
  // must re-resolve this one, so it is marked touched here (IsInOrder).
  for (CustomerRecord* c : consulted) {
    const bool kept = std::find(customers.begin(), customers.end(), c) != customers.end();
    if (!kept) Touch(tenant, c, ev, at);
  }

  CustomerRecord* target = nullptr;
  if (customers.empty()) {
    target = Mint(tenant, ev);
  } else {
    target = customers.front();
    for (size_t k = 1; k < customers.size(); ++k) {
      MergeRecord record;
      record.id = internal::StrCat("m-", IdOf(tenant, customers[k]->mint).value());
      record.kind = MergeKind::kAutomatic;
      record.rule = "shared identifier";
      for (const Candidate& c : cands) {
        if (c.active && c.outcome == IdentifierOutcome::kLinked &&
            c.value->linked == customers[k]->mint) {
          record.identifier_key = std::string(c.value->key);
          break;
        }
      }
      record.evidence = content.id;
      record.at = at;
      record.actor = "auto";
      MergeInto(tenant, target, customers[k], std::move(record), &out);
    }
  }

  // `ev` is later than every event of `target` (see IsInOrder and Replay).
  AddToCustomer(tenant, target, ev, at, content);
  if (store_->HasLinks(tenant)) {
    for (const LinkConstraint& link : store_->LinksOf(tenant, content.id.value())) {
      if (!link.must_link) {
        target->MutableLinks().constrained_anchors.push_back(content.id);
        break;
      }
    }
  }

  for (Candidate& c : cands) {
    ValueRecord* value = c.value;
    // How the customer holds the value; it becomes a holder but for a kind that does not match.
    ValueLink link = ValueLink::kUnlinked;
    switch (c.outcome) {
      case IdentifierOutcome::kLinked:
        value->last_seen = std::max(value->last_seen, at);
        link = ValueLink::kLinked;
        break;
      case IdentifierOutcome::kExpired:
        if (CustomerRecord* old = store_->MutableCustomer(tenant, value->linked);
            old != nullptr && old != target) {
          if (CustomerValue* entry = FindEntry(old, c.handle, limited_kinds_)) {
            SetLink(old, entry, ValueLink::kExpired);
          }
          Touch(tenant, old, ev, at);  // the value stops counting toward its limits
        }
        // Only the holder whose value expired stops counting toward shared_after; the others
        // carried it within the expiry and still do.
        RemoveHolder(tenant, c.handle, value, value->linked);
        [[fallthrough]];
      case IdentifierOutcome::kNew:
        value->linked = target->mint;
        value->linked_by = ev;
        value->last_seen = at;
        link = ValueLink::kLinked;
        break;
      case IdentifierOutcome::kShared:
        link = ValueLink::kShared;
        break;
      default:  // kDropped, and kNotMatching (a contact point only): kUnlinked
        break;
    }
    bool fresh = false;
    CustomerValue* entry = UpsertValue(target, c, link, &fresh);
    if (c.outcome != IdentifierOutcome::kNotMatching) AddHolder(value, target->mint, entry, fresh);
    out.outcomes[c.index] = c.outcome;
    if (c.rule->matches && !value->shared && c.rule->shared_after > 0 &&
        static_cast<int>(value->holders.size()) >= c.rule->shared_after) {
      MakeShared(tenant, c.handle, value, ev, at);
    }
  }
  store_->MutableEvent(tenant, ev)->customer = target->mint;
  out.customer = IdOf(tenant, target->mint);
}

void Resolver::AddToCustomer(const TenantId& tenant, CustomerRecord* c, EventHandle ev,
                             absl::Time at, const TouchpointEvent& content) {
  std::vector<EventHandle>& journey = c->events;
  const bool last = LatestBefore(tenant, *c, ev, at);
  if (last) {  // the usual case: the journey's new last event
    journey.push_back(ev);
    c->latest = ev;
    c->latest_at = at;
  } else {
    journey.insert(
        std::upper_bound(journey.begin(), journey.end(), ev,
                         [&](EventHandle x, EventHandle y) { return Less(tenant, x, y); }),
        ev);
  }
  AddToTraits(options_->traits, content, &c->traits);
  // The summary compares without reading events when `ev` is later than all it holds.
  AddToSummary(content, ev, options_->snapshot, KeyOrder(store_, &tenant, last ? ev : kNoHandle),
               &c->summary);
}

bool Resolver::InsertLate(const TenantId& tenant, EventHandle ev, const TouchpointEvent& content,
                          absl::Span<ValueRecord* const> values, Processed* out) {
  if (values.empty() || store_->HasLinks(tenant)) return false;
  const StoredEvent& rec = store_->Event(tenant, ev);
  if (rec.verified) return false;
  const absl::Time at = rec.occurred_at;
  for (const ValueRecord* value : values) {
    const IdentifierRule& rule = RuleOf(*value);
    if (!rule.matches || value->shared || value->linked == kNoHandle ||
        value->linked != values[0]->linked || value->linked_by == kNoHandle) {
      return false;
    }
    const absl::Time linked_at = store_->Event(tenant, value->linked_by).occurred_at;
    if (!Before(tenant, value->linked_by, linked_at, ev, at)) return false;
    // A kind that expires: the value must have been seen linked at or after the event. It was
    // not linked again since `linked_by`, so no sighting up to that one found it expired (one
    // that did would have linked it again or, dropped by a limit, left every later sighting
    // expired). So the event finds it fresh and closes no gap that was too long, and sightings
    // after that last linked one already had a later sighting before them than the event.
    if (rule.expiry != absl::InfiniteDuration() && value->last_seen < at) return false;
  }
  CustomerRecord* c = store_->MutableCustomer(tenant, values[0]->linked);
  if (c == nullptr) return false;
  // Each value linked, when the event occurred, the customer that has become `c` or one since
  // merged into it; with two values or more, one customer only if every merge was earlier.
  if (values.size() > 1) {
    for (const std::string& id : c->merges()) {
      const MergeRecord* m = store_->FindMerge(tenant, id);
      if (m == nullptr || m->at >= at) return false;
    }
  }
  // Its customer's first event is at or before each `linked_by`, so the event renames nobody.
  AddToCustomer(tenant, c, ev, at, content);
  for (ValueRecord* value : values) value->last_seen = std::max(value->last_seen, at);
  store_->MutableEvent(tenant, ev)->customer = c->mint;
  out->Clear();
  out->customer = IdOf(tenant, c->mint);
  out->outcomes.assign(values.size(), IdentifierOutcome::kLinked);
  out->reasons.assign(values.size(), std::string());
  return true;
}

MergeRecord ExplicitMergeRecord(const LinkConstraint& link) {
  MergeRecord record;
  record.id = link.id;
  record.kind = MergeKind::kExplicit;
  record.rule = "explicit";
  record.at = link.at;
  record.actor = link.actor;
  record.reason = link.reason;
  return record;
}

void Resolver::ApplyMustLink(const TenantId& tenant, const LinkConstraint& link) {
  EventHandle ea = store_->FindEvent(tenant, link.a.value());
  EventHandle eb = store_->FindEvent(tenant, link.b.value());
  if (ea == kNoHandle || eb == kNoHandle) return;
  EventHandle ma = store_->Event(tenant, ea).customer;
  EventHandle mb = store_->Event(tenant, eb).customer;
  if (ma == mb) return;
  CustomerRecord* ca = store_->MutableCustomer(tenant, ma);
  CustomerRecord* cb = store_->MutableCustomer(tenant, mb);
  if (ca == nullptr || cb == nullptr) return;
  if (Less(tenant, cb->mint, ca->mint)) std::swap(ca, cb);
  MergeInto(tenant, ca, cb, ExplicitMergeRecord(link), nullptr);
}

std::vector<EventHandle> Resolver::Component(const TenantId& tenant,
                                             const std::vector<EventHandle>& seeds) const {
  std::vector<EventHandle> out;
  absl::flat_hash_set<EventHandle> seen_events;
  absl::flat_hash_set<ValueHandle> seen_values;
  absl::flat_hash_set<EventHandle> seen_customers;
  std::deque<EventHandle> queue;
  auto visit = [&](EventHandle e) {
    if (e == kNoHandle || !seen_events.insert(e).second) return;
    queue.push_back(e);
  };
  for (EventHandle s : seeds) visit(s);
  const bool links = store_->HasLinks(tenant);
  while (!queue.empty()) {
    EventHandle e = queue.front();
    queue.pop_front();
    out.push_back(e);
    const StoredEvent& rec = store_->Event(tenant, e);
    // Every event of each customer met, which ClearDerived() erases. Each joined it through a
    // value not yet shared then, which connects it below, so this adds nothing to a consistent
    // state; it keeps a replay from leaving an event with an erased customer even if not.
    if (rec.customer != kNoHandle && seen_customers.insert(rec.customer).second) {
      if (const CustomerRecord* c = store_->FindCustomer(tenant, rec.customer)) {
        for (EventHandle other : c->events) visit(other);
      }
    }
    const absl::Time at = rec.occurred_at;
    for (ValueHandle h : store_->EventValues(tenant, e)) {
      const ValueRecord& value = store_->Value(tenant, h);
      // A value shared before `e` connects nothing through it (SharedBefore()).
      if (!RuleOf(value).matches || SharedBefore(tenant, value, e, at) ||
          !seen_values.insert(h).second) {
        continue;
      }
      for (EventHandle other : value.events) visit(other);
    }
    if (!links) continue;
    for (const LinkConstraint& link : store_->LinksOf(tenant, store_->EventIdOf(tenant, e))) {
      visit(store_->FindEvent(tenant, link.a.value()));
      visit(store_->FindEvent(tenant, link.b.value()));
    }
  }
  std::sort(out.begin(), out.end(),
            [&](EventHandle a, EventHandle b) { return Less(tenant, a, b); });
  return out;
}

void Resolver::ClearDerived(const TenantId& tenant, const std::vector<EventHandle>& events) {
  absl::flat_hash_set<EventHandle> customers;
  for (EventHandle e : events) {
    EventHandle c = store_->Event(tenant, e).customer;
    if (c != kNoHandle) customers.insert(c);
  }
  // Values Component() did not cross (shared before every event of `events` carrying them)
  // keep their state; they only lose the holders erased here, which the replay adds again.
  absl::flat_hash_set<ValueHandle> crossed;
  absl::flat_hash_set<ValueHandle> kept;
  for (EventHandle e : events) {
    const absl::Time at = store_->Event(tenant, e).occurred_at;
    for (ValueHandle h : store_->EventValues(tenant, e)) {
      if (SharedBefore(tenant, store_->Value(tenant, h), e, at)) {
        kept.insert(h);
      } else {
        crossed.insert(h);
      }
    }
  }
  for (EventHandle mint : customers) {
    if (const CustomerRecord* c = store_->FindCustomer(tenant, mint)) {
      for (const std::string& m : c->merges()) store_->EraseMerge(tenant, m);
      store_->EraseCustomer(tenant, mint);
    }
  }
  for (ValueHandle h : crossed) {
    ValueRecord* v = store_->MutableValue(tenant, h);
    v->linked = kNoHandle;
    v->linked_by = kNoHandle;
    v->holders.clear();
    v->shared = false;
    v->shared_by = kNoHandle;
    v->last_seen = absl::InfinitePast();
  }
  for (ValueHandle h : kept) {
    if (crossed.contains(h)) continue;
    ValueRecord* v = store_->MutableValue(tenant, h);
    // Usually a customer or two among thousands of holders: a plain pass for each is cheaper
    // than a hash lookup per holder.
    if (customers.size() <= 4) {
      for (EventHandle mint : customers) {
        auto it = std::find(v->holders.begin(), v->holders.end(), mint);
        if (it != v->holders.end()) v->holders.erase(it);
      }
      continue;
    }
    v->holders.erase(std::remove_if(v->holders.begin(), v->holders.end(),
                                    [&](EventHandle c) { return customers.contains(c); }),
                     v->holders.end());
  }
  for (EventHandle e : events) store_->MutableEvent(tenant, e)->customer = kNoHandle;
}

void Resolver::Replay(const TenantId& tenant, const std::vector<EventHandle>& events,
                      EventHandle watch, Processed* watched) {
  struct Pending {
    EventHandle at;  // the later of its two events
    LinkConstraint link;
  };
  std::vector<Pending> links;
  if (store_->HasLinks(tenant)) {
    absl::flat_hash_set<std::string> seen;
    for (EventHandle e : events) {
      for (LinkConstraint& link : store_->LinksOf(tenant, store_->EventIdOf(tenant, e))) {
        if (!link.must_link || !seen.insert(link.id).second) continue;
        EventHandle ea = store_->FindEvent(tenant, link.a.value());
        EventHandle eb = store_->FindEvent(tenant, link.b.value());
        if (ea == kNoHandle || eb == kNoHandle) continue;
        links.push_back(Pending{Less(tenant, ea, eb) ? eb : ea, std::move(link)});
      }
    }
    std::sort(links.begin(), links.end(), [&](const Pending& x, const Pending& y) {
      if (x.at != y.at) return Less(tenant, x.at, y.at);
      return x.link.id < y.link.id;
    });
  }
  size_t next_link = 0;
  for (EventHandle e : events) {
    TouchpointEvent content = store_->ReadEvent(tenant, e);
    Processed p = Process(tenant, e, content);
    if (watched != nullptr && e == watch) *watched = std::move(p);
    while (next_link < links.size() && !Less(tenant, e, links[next_link].at)) {
      ApplyMustLink(tenant, links[next_link].link);
      ++next_link;
    }
  }
  for (; next_link < links.size(); ++next_link) ApplyMustLink(tenant, links[next_link].link);
}

void Resolver::Rebuild(const TenantId& tenant, const std::vector<EventHandle>& seeds,
                       EventHandle watch, Processed* watched,
                       absl::InlinedVector<EventHandle, 8>* customers_before) {
  std::vector<EventHandle> events = Component(tenant, seeds);
  if (customers_before != nullptr) {
    for (EventHandle e : events) {
      const EventHandle customer = store_->Event(tenant, e).customer;
      if (customer != kNoHandle) customers_before->push_back(customer);
    }
  }
  ClearDerived(tenant, events);
  Replay(tenant, events, watch, watched);
}

}  // namespace switchboard::journey_internal
