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

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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

void AddHolder(ValueRecord* value, const CustomerId& customer) {
  if (std::find(value->holders.begin(), value->holders.end(), customer) == value->holders.end()) {
    value->holders.push_back(customer);
  }
}

CustomerValue* FindEntry(CustomerRecord* customer, std::string_view key) {
  for (CustomerValue& v : customer->values) {
    if (v.key == key) return &v;
  }
  return nullptr;
}

// NormalizedIdentifier::Key() into a reused buffer: no allocation once the buffer has grown.
const std::string& KeyInto(const NormalizedIdentifier& id, std::string* out) {
  std::string_view name = IdentifierKindName(id.kind);
  out->clear();
  out->append(name.data(), name.size());
  if (!id.scope.empty()) out->append("/").append(id.scope);
  out->append(":").append(id.value);
  return *out;
}

std::string GroupName(IdentifierKind kind, std::string_view scope) {
  if (scope.empty()) return std::string(IdentifierKindName(kind));
  return internal::StrCat(IdentifierKindName(kind), "/", scope);
}

}  // namespace

struct Resolver::Candidate {
  size_t index = 0;  // into StoredEvent::identifiers
  const NormalizedIdentifier* id = nullptr;
  const IdentifierRule* rule = nullptr;
  ValueRecord* value = nullptr;
  std::string_view key;  // value->key
  IdentifierOutcome outcome = IdentifierOutcome::kNew;
  bool active = true;  // still takes part in linking (kLinked, kNew, kExpired)
};

struct Resolver::Violation {
  std::string what;
  std::vector<size_t> helpful;  // candidates whose drop may resolve it
};

std::string Resolver::MintId(const TenantId& tenant, const std::string& event_id) {
  if (event_id.size() + 2 <= kMaxIdLength) {
    std::string id;  // appended, not formatted: one per new customer
    id.reserve(event_id.size() + 2);
    return id.append("c-").append(event_id);
  }
  std::string id = fmt::format("c~{:016x}", Fnv1a64(event_id));
  store_->PutMintedId(tenant, id, event_id);
  return id;
}

std::string Resolver::MintEventOf(const TenantId& tenant, std::string_view id) const {
  if (id.substr(0, 2) == "c-") return std::string(id.substr(2));
  if (id.substr(0, 2) == "c~") return store_->FindMintedId(tenant, id);
  return std::string();
}

bool Resolver::IsInOrder(const TenantId& tenant, const StoredEvent& event,
                         const std::vector<ValueRecord*>* values) const {
  const absl::Time at = event.event.occurred_at;
  const std::string& id = event.event.id.value();
  std::string scratch;
  for (size_t i = 0; i < event.identifiers.size(); ++i) {
    if (!RuleOf(event.identifiers[i]).matches) continue;
    const ValueRecord* value = values != nullptr
                                   ? (*values)[i]
                                   : store_->FindValue(tenant, KeyInto(event.identifiers[i], &scratch));
    if (value == nullptr) continue;
    for (const CustomerId& holder : value->holders) {
      const CustomerRecord* c = store_->FindCustomer(tenant, holder.value());
      // !(c->latest < key), without copying the event id into an EventKey.
      if (c != nullptr && (c->latest.at > at || (c->latest.at == at && !(c->latest.id < id)))) {
        return false;
      }
    }
  }
  return true;
}

bool Resolver::FindViolation(const TenantId& tenant, const std::vector<CustomerRecord*>& customers,
                             const std::vector<Candidate>& candidates,
                             Violation* violation) const {
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
        if (o.active && o.id->kind == c.id->kind && o.id->scope == c.id->scope) ++bound;
      }
      for (const CustomerRecord* r : customers) {
        for (const CustomerValue& v : r->values) {
          if (v.link == ValueLink::kLinked && v.kind == c.id->kind && v.scope == c.id->scope) ++bound;
        }
      }
      if (bound > limit) {
        fits = false;
        break;
      }
    }
    if (fits) return false;
  }
  struct Group {
    IdentifierKind kind;
    std::string scope;
    int limit;
    absl::flat_hash_set<std::string> keys;
    int max_single = 0;
  };
  std::deque<Group> groups;  // stable addresses: counts below point into it
  auto group_of = [&](IdentifierKind kind, std::string_view scope) -> Group* {
    for (Group& g : groups) {
      if (g.kind == kind && g.scope == scope) return &g;
    }
    int limit = normalizer_->RuleFor(kind, scope).Limit();
    if (limit <= 0) return nullptr;
    groups.push_back(Group{kind, std::string(scope), limit, {}, 0});
    return &groups.back();
  };
  for (const CustomerRecord* c : customers) {
    std::vector<std::pair<Group*, int>> counts;
    for (const CustomerValue& v : c->values) {
      if (v.link != ValueLink::kLinked) continue;
      Group* g = group_of(v.kind, v.scope);
      if (g == nullptr) continue;
      g->keys.insert(v.key);
      auto it = std::find_if(counts.begin(), counts.end(), [&](auto& p) { return p.first == g; });
      if (it == counts.end()) {
        counts.push_back({g, 1});
      } else {
        ++it->second;
      }
    }
    for (auto& [g, n] : counts) g->max_single = std::max(g->max_single, n);
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (!c.active) continue;
    if (Group* g = group_of(c.id->kind, c.id->scope)) g->keys.insert(std::string(c.key));
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
    violation->helpful = linking;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (c.active && c.outcome != IdentifierOutcome::kLinked && c.id->kind == g.kind &&
          c.id->scope == g.scope) {
        violation->helpful.push_back(i);
      }
    }
    return true;
  }
  if (customers.size() < 2) return false;
  // Split constraints: two customers an earlier Split() separated stay apart.
  for (const CustomerRecord* c : customers) {
    for (const EventId& anchor : c->constrained_anchors) {
      for (const LinkConstraint& link : store_->LinksOf(tenant, anchor.value())) {
        if (link.must_link) continue;
        const EventId& other = link.a == anchor ? link.b : link.a;
        const StoredEvent* oe = store_->FindEvent(tenant, other.value());
        if (oe == nullptr || oe->customer == c->id) continue;
        bool in_union = std::any_of(customers.begin(), customers.end(),
                                    [&](const CustomerRecord* u) { return u->id == oe->customer; });
        if (!in_union) continue;
        violation->what = internal::StrCat("split '", link.id, "' keeps '", c->id.value(),
                                           "' and '", oe->customer.value(), "' apart");
        violation->helpful = linking;
        return true;
      }
    }
  }
  return false;
}

CustomerRecord* Resolver::Mint(const TenantId& tenant, const StoredEvent& event) {
  CustomerRecord r;
  r.id = CustomerId(MintId(tenant, event.event.id.value()));
  r.mint_event = event.event.id;
  r.mint_key = KeyOf(event.event);
  return store_->PutCustomer(tenant, std::move(r));
}

void Resolver::UpsertValue(CustomerRecord* customer, const NormalizedIdentifier& id,
                           std::string_view key, ValueLink link) {
  if (CustomerValue* v = FindEntry(customer, key)) {
    if (Rank(link) > Rank(v->link) || link == ValueLink::kShared) v->link = link;
    v->verified = v->verified || id.verified;
    return;
  }
  customer->values.push_back(CustomerValue{std::string(key), id.kind, id.scope, link, id.verified});
}

void Resolver::MakeShared(const TenantId& tenant, ValueRecord* value) {
  value->shared = true;
  value->linked = CustomerId();
  for (const CustomerId& h : value->holders) {
    if (CustomerRecord* c = store_->MutableCustomer(tenant, h.value())) {
      if (CustomerValue* v = FindEntry(c, value->key)) v->link = ValueLink::kShared;
    }
  }
}

void Resolver::MergeInto(const TenantId& tenant, CustomerRecord* s, CustomerRecord* a,
                         MergeRecord record, Processed* processed) {
  record.survivor = s->id;
  record.absorbed = a->id;
  record.survivor_anchor = s->mint_event;
  record.absorbed_anchor = a->mint_event;
  for (const EventKey& k : a->events) {
    if (StoredEvent* e = store_->MutableEvent(tenant, k.id)) e->customer = s->id;
  }
  std::vector<EventKey> events;
  events.reserve(s->events.size() + a->events.size());
  std::merge(s->events.begin(), s->events.end(), a->events.begin(), a->events.end(),
             std::back_inserter(events));
  s->events = std::move(events);
  for (const CustomerValue& v : a->values) {
    ValueRecord* value = store_->MutableValue(tenant, v.key);
    if (value != nullptr) {
      if (value->linked == a->id) value->linked = s->id;
      auto it = std::find(value->holders.begin(), value->holders.end(), a->id);
      if (it != value->holders.end()) value->holders.erase(it);
      AddHolder(value, s->id);
    }
    CustomerValue* mine = FindEntry(s, v.key);
    if (mine == nullptr) {
      s->values.push_back(v);
      mine = &s->values.back();
    } else {
      if (Rank(v.link) > Rank(mine->link)) mine->link = v.link;
      mine->verified = mine->verified || v.verified;
    }
    if (value != nullptr && value->shared) mine->link = ValueLink::kShared;
  }
  s->aliases.push_back(a->id);
  s->aliases.insert(s->aliases.end(), a->aliases.begin(), a->aliases.end());
  s->merges.insert(s->merges.end(), a->merges.begin(), a->merges.end());
  s->merges.push_back(record.id);
  s->constrained_anchors.insert(s->constrained_anchors.end(), a->constrained_anchors.begin(),
                                a->constrained_anchors.end());
  AbsorbTraits(a->traits, &s->traits);
  AbsorbSummary(a->summary, options_->snapshot, &s->summary);
  if (s->latest < a->latest) s->latest = a->latest;
  if (processed != nullptr) processed->merges.push_back(record.id);
  std::string absorbed_id = a->id.value();
  store_->PutMerge(tenant, std::move(record));
  store_->EraseCustomer(tenant, absorbed_id);
}

Processed Resolver::Process(const TenantId& tenant, StoredEvent* ev,
                            const std::vector<ValueRecord*>* values) {
  Processed out;
  const std::vector<NormalizedIdentifier>& ids = ev->identifiers;
  const absl::Time at = ev->event.occurred_at;
  out.outcomes.assign(ids.size(), IdentifierOutcome::kNew);
  out.reasons.assign(ids.size(), std::string());

  std::vector<Candidate> cands(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    Candidate& c = cands[i];
    c.index = i;
    c.id = &ids[i];
    c.rule = &RuleOf(ids[i]);
    if (values != nullptr) {
      c.value = (*values)[i];
    } else {
      std::string key = ids[i].Key();
      c.value = store_->MutableValue(tenant, key);
      if (c.value == nullptr) {
        ValueRecord fresh;
        fresh.key = std::move(key);
        c.value = store_->PutValue(tenant, std::move(fresh));
      }
    }
    c.key = c.value->key;
    if (!c.rule->matches) {
      c.outcome = IdentifierOutcome::kNotMatching;
      c.active = false;
    } else if (c.value->shared) {
      c.outcome = IdentifierOutcome::kShared;
      c.active = false;
      out.reasons[i] = internal::StrCat("shared by ", c.value->holders.size(), " customers");
    } else if (!c.value->linked.empty()) {
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
    std::vector<CustomerRecord*> customers;
    for (const Candidate& c : cands) {
      if (!c.active || c.outcome != IdentifierOutcome::kLinked) continue;
      CustomerRecord* r = store_->MutableCustomer(tenant, c.value->linked.value());
      if (r != nullptr && std::find(customers.begin(), customers.end(), r) == customers.end()) {
        customers.push_back(r);
      }
    }
    std::sort(customers.begin(), customers.end(),
              [](const CustomerRecord* a, const CustomerRecord* b) { return a->mint_key < b->mint_key; });
    return customers;
  };

  std::vector<CustomerRecord*> customers = linked_customers();
  for (Violation v; FindViolation(tenant, customers, cands, &v); customers = linked_customers()) {
    if (v.helpful.empty()) break;
    // Drop the least trusted: largest priority number, unverified first, then largest key.
    size_t pick = *std::max_element(v.helpful.begin(), v.helpful.end(), [&](size_t x, size_t y) {
      const Candidate& a = cands[x];
      const Candidate& b = cands[y];
      if (a.rule->priority != b.rule->priority) return a.rule->priority < b.rule->priority;
      if (a.id->verified != b.id->verified) return a.id->verified && !b.id->verified;
      return a.key < b.key;
    });
    cands[pick].active = false;
    cands[pick].outcome = IdentifierOutcome::kDropped;
    out.reasons[pick] = std::move(v.what);
    v = Violation();
  }

  CustomerRecord* target = nullptr;
  if (customers.empty()) {
    target = Mint(tenant, *ev);
  } else {
    target = customers.front();
    for (size_t k = 1; k < customers.size(); ++k) {
      MergeRecord record;
      record.id = internal::StrCat("m-", customers[k]->id.value());
      record.kind = MergeKind::kAutomatic;
      record.rule = "shared identifier";
      for (const Candidate& c : cands) {
        if (c.active && c.outcome == IdentifierOutcome::kLinked &&
            c.value->linked == customers[k]->id) {
          record.identifier_key = std::string(c.key);
          break;
        }
      }
      record.evidence = ev->event.id;
      record.at = at;
      record.actor = "auto";
      MergeInto(tenant, target, customers[k], std::move(record), &out);
    }
  }

  EventKey key = KeyOf(ev->event);
  if (target->events.empty() || target->events.back() < key) {
    target->events.push_back(key);
  } else {
    target->events.insert(std::upper_bound(target->events.begin(), target->events.end(), key), key);
  }
  if (target->latest < key) target->latest = key;
  AddToTraits(options_->traits, ev->event, &target->traits);
  AddToSummary(ev->event, options_->snapshot, &target->summary);
  for (const LinkConstraint& link : store_->LinksOf(tenant, ev->event.id.value())) {
    if (!link.must_link) {
      target->constrained_anchors.push_back(ev->event.id);
      break;
    }
  }

  for (Candidate& c : cands) {
    ValueRecord* value = c.value;
    switch (c.outcome) {
      case IdentifierOutcome::kLinked:
        value->last_seen = std::max(value->last_seen, at);
        AddHolder(value, target->id);
        UpsertValue(target, *c.id, c.key, ValueLink::kLinked);
        break;
      case IdentifierOutcome::kExpired:
        if (CustomerRecord* old = store_->MutableCustomer(tenant, value->linked.value());
            old != nullptr && old != target) {
          if (CustomerValue* entry = FindEntry(old, c.key)) entry->link = ValueLink::kExpired;
        }
        value->holders.clear();
        [[fallthrough]];
      case IdentifierOutcome::kNew:
        value->linked = target->id;
        value->last_seen = at;
        AddHolder(value, target->id);
        UpsertValue(target, *c.id, c.key, ValueLink::kLinked);
        break;
      case IdentifierOutcome::kShared:
        AddHolder(value, target->id);
        UpsertValue(target, *c.id, c.key, ValueLink::kShared);
        break;
      case IdentifierOutcome::kDropped:
        AddHolder(value, target->id);
        UpsertValue(target, *c.id, c.key, ValueLink::kUnlinked);
        break;
      default:  // kNotMatching: a contact point only
        UpsertValue(target, *c.id, c.key, ValueLink::kUnlinked);
        break;
    }
    out.outcomes[c.index] = c.outcome;
    if (c.rule->matches && !value->shared && c.rule->shared_after > 0 &&
        static_cast<int>(value->holders.size()) >= c.rule->shared_after) {
      MakeShared(tenant, value);
    }
  }
  ev->customer = target->id;
  out.customer = target->id;
  return out;
}

void Resolver::ApplyMustLink(const TenantId& tenant, const LinkConstraint& link) {
  const StoredEvent* ea = store_->FindEvent(tenant, link.a.value());
  const StoredEvent* eb = store_->FindEvent(tenant, link.b.value());
  if (ea == nullptr || eb == nullptr || ea->customer == eb->customer) return;
  CustomerRecord* ca = store_->MutableCustomer(tenant, ea->customer.value());
  CustomerRecord* cb = store_->MutableCustomer(tenant, eb->customer.value());
  if (ca == nullptr || cb == nullptr) return;
  if (cb->mint_key < ca->mint_key) std::swap(ca, cb);
  MergeRecord record;
  record.id = link.id;
  record.kind = MergeKind::kExplicit;
  record.rule = "explicit";
  record.at = link.at;
  record.actor = link.actor;
  record.reason = link.reason;
  MergeInto(tenant, ca, cb, std::move(record), nullptr);
}

std::vector<const StoredEvent*> Resolver::Component(const TenantId& tenant,
                                                    const std::vector<std::string>& seeds) const {
  std::vector<const StoredEvent*> out;
  absl::flat_hash_set<std::string> seen_events;
  absl::flat_hash_set<std::string> seen_values;
  std::deque<const StoredEvent*> queue;
  auto visit = [&](std::string_view id) {
    if (seen_events.contains(Av(id))) return;
    const StoredEvent* e = store_->FindEvent(tenant, id);
    if (e == nullptr) return;
    seen_events.insert(std::string(id));
    queue.push_back(e);
  };
  for (const std::string& s : seeds) visit(s);
  while (!queue.empty()) {
    const StoredEvent* e = queue.front();
    queue.pop_front();
    out.push_back(e);
    for (const NormalizedIdentifier& id : e->identifiers) {
      if (!RuleOf(id).matches) continue;
      std::string key = id.Key();
      if (!seen_values.insert(key).second) continue;
      if (const ValueRecord* value = store_->FindValue(tenant, key)) {
        for (const EventId& other : value->events) visit(other.value());
      }
    }
    for (const LinkConstraint& link : store_->LinksOf(tenant, e->event.id.value())) {
      visit(link.a.value());
      visit(link.b.value());
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredEvent* a, const StoredEvent* b) {
    return JourneyOrderLess(a->event, b->event);
  });
  return out;
}

void Resolver::ClearDerived(const TenantId& tenant, const std::vector<const StoredEvent*>& events) {
  absl::flat_hash_set<std::string> customers;
  for (const StoredEvent* e : events) {
    if (!e->customer.empty()) customers.insert(e->customer.value());
  }
  for (const std::string& id : customers) {
    if (const CustomerRecord* c = store_->FindCustomer(tenant, id)) {
      for (const std::string& m : c->merges) store_->EraseMerge(tenant, m);
      store_->EraseCustomer(tenant, id);
    }
  }
  for (const StoredEvent* e : events) {
    for (const NormalizedIdentifier& id : e->identifiers) {
      if (ValueRecord* v = store_->MutableValue(tenant, id.Key())) {
        v->linked = CustomerId();
        v->holders.clear();
        v->shared = false;
        v->last_seen = absl::InfinitePast();
      }
    }
    if (StoredEvent* me = store_->MutableEvent(tenant, e->event.id.value())) me->customer = CustomerId();
  }
}

void Resolver::Replay(const TenantId& tenant, const std::vector<const StoredEvent*>& events,
                      std::string_view watch, Processed* watched) {
  std::vector<std::pair<EventKey, LinkConstraint>> links;
  absl::flat_hash_set<std::string> seen;
  for (const StoredEvent* e : events) {
    for (LinkConstraint& link : store_->LinksOf(tenant, e->event.id.value())) {
      if (!link.must_link || !seen.insert(link.id).second) continue;
      const StoredEvent* ea = store_->FindEvent(tenant, link.a.value());
      const StoredEvent* eb = store_->FindEvent(tenant, link.b.value());
      if (ea == nullptr || eb == nullptr) continue;
      EventKey pos = std::max(KeyOf(ea->event), KeyOf(eb->event));
      links.emplace_back(std::move(pos), std::move(link));
    }
  }
  std::sort(links.begin(), links.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return x.second.id < y.second.id;
  });
  size_t next_link = 0;
  for (const StoredEvent* e : events) {
    StoredEvent* me = store_->MutableEvent(tenant, e->event.id.value());
    Processed p = Process(tenant, me);
    if (watched != nullptr && me->event.id.value() == watch) *watched = std::move(p);
    EventKey key = KeyOf(me->event);
    while (next_link < links.size() && !(key < links[next_link].first)) {
      ApplyMustLink(tenant, links[next_link].second);
      ++next_link;
    }
  }
  for (; next_link < links.size(); ++next_link) ApplyMustLink(tenant, links[next_link].second);
}

void Resolver::Rebuild(const TenantId& tenant, const std::vector<std::string>& seeds,
                       std::string_view watch, Processed* watched) {
  std::vector<const StoredEvent*> events = Component(tenant, seeds);
  ClearDerived(tenant, events);
  Replay(tenant, events, watch, watched);
}

}  // namespace switchboard::journey_internal
