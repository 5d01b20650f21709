// The default JourneyStore: per-tenant node-based hash maps (stable pointers).
#include <algorithm>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "switchboard/journey_store.h"

namespace switchboard {
namespace {

// Thread-safety: not thread-safe (see JourneyStore).
class InMemoryJourneyStore final : public JourneyStore {
 public:
  std::string_view Name() const override { return "in_memory"; }

  const StoredEvent* FindEvent(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    return t == nullptr ? nullptr : Lookup(t->events, id);
  }
  StoredEvent* MutableEvent(const TenantId& tenant, std::string_view id) override {
    return Lookup(GetTenant(tenant).events, id);
  }
  StoredEvent* PutEvent(StoredEvent event) override {
    Tenant& t = GetTenant(event.event.tenant);
    std::string id = event.event.id.value();
    return &(t.events.insert_or_assign(std::move(id), std::move(event)).first->second);
  }
  bool EraseEvent(const TenantId& tenant, std::string_view id) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.events.find(Av(id));
    if (it == t.events.end()) return false;
    t.events.erase(it);
    return true;
  }

  const ValueRecord* FindValue(const TenantId& tenant, std::string_view key) const override {
    const Tenant* t = FindTenant(tenant);
    return t == nullptr ? nullptr : Lookup(t->values, key);
  }
  ValueRecord* MutableValue(const TenantId& tenant, std::string_view key) override {
    return Lookup(GetTenant(tenant).values, key);
  }
  ValueRecord* PutValue(const TenantId& tenant, ValueRecord value) override {
    std::string key = value.key;
    return &(GetTenant(tenant).values.insert_or_assign(std::move(key), std::move(value)).first->second);
  }
  bool EraseValue(const TenantId& tenant, std::string_view key) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.values.find(Av(key));
    if (it == t.values.end()) return false;
    t.values.erase(it);
    return true;
  }

  const CustomerRecord* FindCustomer(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    return t == nullptr ? nullptr : Lookup(t->customers, id);
  }
  CustomerRecord* MutableCustomer(const TenantId& tenant, std::string_view id) override {
    return Lookup(GetTenant(tenant).customers, id);
  }
  CustomerRecord* PutCustomer(const TenantId& tenant, CustomerRecord customer) override {
    std::string id = customer.id.value();
    return &(GetTenant(tenant).customers.insert_or_assign(std::move(id), std::move(customer))
                 .first->second);
  }
  bool EraseCustomer(const TenantId& tenant, std::string_view id) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.customers.find(Av(id));
    if (it == t.customers.end()) return false;
    t.customers.erase(it);
    return true;
  }
  std::vector<CustomerId> ListCustomers(const TenantId& tenant) const override {
    std::vector<CustomerId> out;
    if (const Tenant* t = FindTenant(tenant)) {
      out.reserve(t->customers.size());
      for (const auto& [id, c] : t->customers) out.push_back(c.id);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  const MergeRecord* FindMerge(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    return t == nullptr ? nullptr : Lookup(t->merges, id);
  }
  void PutMerge(const TenantId& tenant, MergeRecord merge) override {
    std::string id = merge.id;
    GetTenant(tenant).merges.insert_or_assign(std::move(id), std::move(merge));
  }
  bool EraseMerge(const TenantId& tenant, std::string_view id) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.merges.find(Av(id));
    if (it == t.merges.end()) return false;
    t.merges.erase(it);
    return true;
  }
  std::vector<MergeRecord> ListMerges(const TenantId& tenant) const override {
    std::vector<MergeRecord> out;
    if (const Tenant* t = FindTenant(tenant)) {
      for (const auto& [id, m] : t->merges) out.push_back(m);
    }
    std::sort(out.begin(), out.end(),
              [](const MergeRecord& a, const MergeRecord& b) { return a.id < b.id; });
    return out;
  }

  const LinkConstraint* FindLink(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return nullptr;
    auto it = t->links.find(id);
    return it == t->links.end() ? nullptr : &it->second;
  }
  void PutLink(const TenantId& tenant, LinkConstraint link) override {
    Tenant& t = GetTenant(tenant);
    EraseLink(tenant, link.id);
    t.links_by_event[link.a.value()].insert(link.id);
    t.links_by_event[link.b.value()].insert(link.id);
    std::string id = link.id;
    t.links.emplace(std::move(id), std::move(link));
  }
  bool EraseLink(const TenantId& tenant, std::string_view id) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.links.find(id);
    if (it == t.links.end()) return false;
    for (const EventId* e : {&it->second.a, &it->second.b}) {
      auto by = t.links_by_event.find(e->value());
      if (by == t.links_by_event.end()) continue;
      by->second.erase(it->second.id);
      if (by->second.empty()) t.links_by_event.erase(by);
    }
    t.links.erase(it);
    return true;
  }
  std::vector<LinkConstraint> LinksOf(const TenantId& tenant,
                                      std::string_view event_id) const override {
    std::vector<LinkConstraint> out;
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr || t->links_by_event.empty()) return out;  // no hashing in the common case
    auto by = t->links_by_event.find(Av(event_id));
    if (by == t->links_by_event.end()) return out;
    for (const std::string& id : by->second) out.push_back(t->links.find(id)->second);
    return out;
  }

  void AddTombstone(const TenantId& tenant, uint64_t hash) override {
    GetTenant(tenant).tombstones.insert(hash);
  }
  bool HasTombstone(const TenantId& tenant, uint64_t hash) const override {
    const Tenant* t = FindTenant(tenant);
    return t != nullptr && t->tombstones.contains(hash);
  }

  void PutMintedId(const TenantId& tenant, std::string_view customer_id,
                   std::string_view event_id) override {
    GetTenant(tenant).minted[std::string(customer_id)] = std::string(event_id);
  }
  std::string FindMintedId(const TenantId& tenant, std::string_view customer_id) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return std::string();
    auto it = t->minted.find(Av(customer_id));
    return it == t->minted.end() ? std::string() : it->second;
  }

  void EraseMintedId(const TenantId& tenant, std::string_view customer_id) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.minted.find(Av(customer_id));
    if (it != t.minted.end()) t.minted.erase(it);
  }

  int64_t NextSequence(const TenantId& tenant) override { return ++GetTenant(tenant).sequence; }

  Stats GetStats(const TenantId& tenant) const override {
    Stats s;
    if (const Tenant* t = FindTenant(tenant)) {
      s.events = static_cast<int64_t>(t->events.size());
      s.customers = static_cast<int64_t>(t->customers.size());
      s.values = static_cast<int64_t>(t->values.size());
      s.merges = static_cast<int64_t>(t->merges.size());
      s.links = static_cast<int64_t>(t->links.size());
      s.tombstones = static_cast<int64_t>(t->tombstones.size());
    }
    return s;
  }

 private:
  struct Tenant {
    absl::node_hash_map<std::string, StoredEvent> events;
    absl::node_hash_map<std::string, ValueRecord> values;
    absl::node_hash_map<std::string, CustomerRecord> customers;
    absl::node_hash_map<std::string, MergeRecord> merges;
    absl::btree_map<std::string, LinkConstraint, std::less<>> links;
    absl::flat_hash_map<std::string, absl::btree_set<std::string>> links_by_event;
    absl::flat_hash_set<uint64_t> tombstones;
    absl::flat_hash_map<std::string, std::string> minted;
    int64_t sequence = 0;
  };

  template <typename Map>
  static auto Lookup(Map& map, std::string_view key) -> decltype(&map.begin()->second) {
    auto it = map.find(Av(key));
    return it == map.end() ? nullptr : &it->second;
  }
  // Debian's Abseil hashes absl::string_view, not std::string_view, transparently.
  static absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

  // Most calls name the tenant of the previous call: compared, not hashed. The cache is written
  // only by GetTenant (non-const), so concurrent const calls only read it.
  const Tenant* FindTenant(const TenantId& tenant) const {
    if (last_ != nullptr && tenant.value() == last_name_) return last_;
    auto it = tenants_.find(tenant.value());
    return it == tenants_.end() ? nullptr : &it->second;
  }
  Tenant& GetTenant(const TenantId& tenant) {
    if (last_ != nullptr && tenant.value() == last_name_) return *last_;
    last_ = &tenants_[tenant.value()];  // node-based: the address stays valid
    last_name_ = tenant.value();
    return *last_;
  }

  absl::node_hash_map<std::string, Tenant> tenants_;  // never erased
  Tenant* last_ = nullptr;
  std::string last_name_;
};

}  // namespace

std::string_view ValueLinkName(ValueLink link) {
  switch (link) {
    case ValueLink::kLinked: return "linked";
    case ValueLink::kUnlinked: return "unlinked";
    case ValueLink::kShared: return "shared";
    case ValueLink::kExpired: return "expired";
  }
  return "unknown";
}

std::unique_ptr<JourneyStore> NewInMemoryJourneyStore() {
  return std::make_unique<InMemoryJourneyStore>();
}

}  // namespace switchboard
