// The default JourneyStore: per tenant, event ids and identifier values interned as dense
// handles; events as fixed records plus one byte arena of encoded contents.
#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/base/attributes.h"
#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "switchboard/journey_store.h"

namespace switchboard {
namespace {

// Debian's Abseil hashes absl::string_view, not std::string_view, transparently.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Encoded event contents (one run of bytes per event in the tenant's arena):
//   varint total size (of what follows), u8 id size, id,
//   received_at - occurred_at: varint zigzag whole seconds, varint zigzag quarter nanoseconds
//     (absl::Time's resolution, so exact; both 0 in the usual case),
//   varint source index, varint contact size, contact,
//   u8 raw form count, per raw form: u8 identifier index, varint scope size, scope,
//     varint value size, value,
//   varint attribute count, per attribute: varint key size, key, varint value size, value.
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

const absl::Duration kQuarterNs = absl::Nanoseconds(1) / 4;

// Writes the encoding into a buffer the caller sized with room to spare (see PutEvent), so no
// write checks capacity.
class Writer {
 public:
  static constexpr size_t kMaxVarint = 10;
  explicit Writer(char* p) : p_(p) {}
  void Byte(uint8_t b) { *p_++ = static_cast<char>(b); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void Bytes(std::string_view s) {
    Varint(s.size());
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // Exact: absl::Duration's resolution is a quarter nanosecond.
  void Duration(absl::Duration d) {
    if (d == absl::ZeroDuration()) {  // the usual case
      Byte(0);
      Byte(0);
      return;
    }
    absl::Duration rem;
    int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rem);
    int64_t quarters = absl::IDivDuration(rem, kQuarterNs, &rem);
    Varint(ZigZag(seconds));
    Varint(ZigZag(quarters));
  }
  char* pos() const { return p_; }

 private:
  char* p_;
};

// Reads the encoding above; the arena was written by this file, so it is trusted.
class Reader {
 public:
  explicit Reader(const char* p) : p_(p) {}
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      auto b = static_cast<unsigned char>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
  }
  uint8_t Byte() { return static_cast<uint8_t>(*p_++); }
  std::string_view Bytes(size_t n) {
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view Sized() { return Bytes(Varint()); }
  absl::Duration Duration() {
    int64_t seconds = UnZigZag(Varint());
    int64_t quarters = UnZigZag(Varint());
    return absl::Seconds(seconds) + kQuarterNs * quarters;
  }
  const char* pos() const { return p_; }

 private:
  const char* p_;
};

// Fixed-size pages instead of one growing buffer: growth never copies the data nor leaves up to
// half of a doubled buffer unused (at 10M events that was a third of the store).
template <typename T, int kShift>
class PagedVector {
 public:
  static constexpr size_t kPage = size_t{1} << kShift;
  T& operator[](size_t i) { return pages_[i >> kShift][i & (kPage - 1)]; }
  const T& operator[](size_t i) const { return pages_[i >> kShift][i & (kPage - 1)]; }
  size_t size() const { return size_; }
  void push_back(const T& v) { emplace_back() = v; }
  // The new element, default-constructed (pages are built whole).
  T& emplace_back() {
    if (size_ == pages_.size() * kPage) pages_.push_back(std::make_unique<T[]>(kPage));
    return (*this)[size_++];
  }

 private:
  std::vector<std::unique_ptr<T[]>> pages_;
  size_t size_ = 0;
};

// Appends runs of T that never straddle a page, addressed by one 32-bit offset
// (page << kShift | position). A run longer than a page, or a pool of more than 2^32 entries,
// is refused (kNoHandle).
template <typename T, int kShift>
class RunPool {
 public:
  static constexpr size_t kPage = size_t{1} << kShift;
  uint32_t Append(const T* data, size_t n) { return Append(data, n, nullptr, 0); }
  // Two pieces as one run.
  uint32_t Append(const T* data, size_t n, const T* more, size_t m) {
    if (n + m > kPage) return kNoHandle;
    if (pages_.empty() || used_ + n + m > kPage) {
      if (((pages_.size() + 1) << kShift) > (size_t{1} << 32)) return kNoHandle;
      pages_.push_back(std::unique_ptr<T[]>(new T[kPage]));
      used_ = 0;
    }
    uint32_t at = static_cast<uint32_t>(((pages_.size() - 1) << kShift) | used_);
    std::copy(data, data + n, pages_.back().get() + used_);
    if (m > 0) std::copy(more, more + m, pages_.back().get() + used_ + n);
    used_ += n + m;
    appended_ += n + m;
    return at;
  }
  T* At(uint32_t offset) { return pages_[offset >> kShift].get() + (offset & (kPage - 1)); }
  const T* At(uint32_t offset) const {
    return pages_[offset >> kShift].get() + (offset & (kPage - 1));
  }
  size_t appended() const { return appended_; }  // entries written since creation

 private:
  std::vector<std::unique_ptr<T[]>> pages_;
  size_t used_ = 0;  // in the last page
  size_t appended_ = 0;
};

// Thread-safety: const methods may run concurrently; a mutating call must run alone (see
// JourneyStore).
class InMemoryJourneyStore final : public JourneyStore {
 public:
  std::string_view Name() const override { return "in_memory"; }

  // ---- events
  EventHandle FindEvent(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return kNoHandle;
    auto it = t->event_ids.find(Av(id));
    return it == t->event_ids.end() ? kNoHandle : *it;
  }
  EventHandle PutEvent(const TouchpointEvent& event, absl::Span<const ValueHandle> values,
                       bool verified) override;
  absl::Time LatestOccurredAt(const TenantId& tenant) const override {
    const Tenant* t = FindTenant(tenant);
    return t != nullptr ? t->latest_at : absl::InfinitePast();
  }
  bool EraseEvent(const TenantId& tenant, EventHandle event) override;
  const StoredEvent& Event(const TenantId& tenant, EventHandle event) const override {
    return FindTenant(tenant)->events[event];
  }
  StoredEvent* MutableEvent(const TenantId& tenant, EventHandle event) override {
    return &GetTenant(tenant).events[event];
  }
  std::string_view EventIdOf(const TenantId& tenant, EventHandle event) const override {
    return FindTenant(tenant)->IdOf(event);
  }
  absl::Span<const ValueHandle> EventValues(const TenantId& tenant,
                                            EventHandle event) const override {
    const Tenant* t = FindTenant(tenant);
    const StoredEvent& e = t->events[event];
    return absl::MakeConstSpan(t->value_pool.At(e.values), e.value_count);
  }
  TouchpointEvent ReadEvent(const TenantId& tenant, EventHandle event) const override;
  std::optional<std::string_view> EventAttribute(const TenantId& tenant, EventHandle event,
                                                 std::string_view key) const override;
  bool EventLess(const TenantId& tenant, EventHandle a, EventHandle b) const override {
    const Tenant* t = FindTenant(tenant);
    const StoredEvent& x = t->events[a];
    const StoredEvent& y = t->events[b];
    if (x.occurred_at != y.occurred_at) return x.occurred_at < y.occurred_at;
    return t->IdOf(a) < t->IdOf(b);
  }

  // ---- values
  ValueHandle FindValue(const TenantId& tenant, std::string_view key) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return kNoHandle;
    auto it = t->value_keys.find(Av(key));
    return it == t->value_keys.end() ? kNoHandle : *it;
  }
  ValueHandle InternValue(const TenantId& tenant, const NormalizedIdentifier& id,
                          std::string_view key) override;
  const ValueRecord& Value(const TenantId& tenant, ValueHandle value) const override {
    return FindTenant(tenant)->values[value];
  }
  ValueRecord* MutableValue(const TenantId& tenant, ValueHandle value) override {
    return &GetTenant(tenant).values[value];
  }
  bool EraseValue(const TenantId& tenant, ValueHandle value) override {
    Tenant& t = GetTenant(tenant);
    if (value >= t.values.size() || t.values[value].key.empty()) return false;
    t.value_keys.erase(value);
    ValueRecord& v = t.values[value];
    std::memset(const_cast<char*>(v.key.data()), 0, v.key.size());  // the arena's own bytes
    t.dead_key_bytes += v.key.size();
    ++t.erased_values;
    // Field by field (assigning a fresh record trips GCC 12's maybe-uninitialized on the inline
    // holders); the postings are freed.
    v.key = std::string_view();
    v.events.clear();
    v.events.shrink_to_fit();
    v.holders.clear();
    v.holders.shrink_to_fit();
    v.last_seen = absl::InfinitePast();
    v.linked = kNoHandle;
    v.linked_by = kNoHandle;
    v.shared_by = kNoHandle;
    v.shared = false;
    v.kind = IdentifierKind::kPhone;
    v.scope_size = 0;
    t.free_values.push_back(value);
    MaybeCompactKeys(t);
    return true;
  }

  // ---- customers
  const CustomerRecord* FindCustomer(const TenantId& tenant, EventHandle mint) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return nullptr;
    auto it = t->customers.find(mint);
    return it == t->customers.end() ? nullptr : &it->second;
  }
  CustomerRecord* MutableCustomer(const TenantId& tenant, EventHandle mint) override {
    Tenant& t = GetTenant(tenant);
    auto it = t.customers.find(mint);
    return it == t.customers.end() ? nullptr : &it->second;
  }
  CustomerRecord* PutCustomer(const TenantId& tenant, CustomerRecord customer) override {
    EventHandle mint = customer.mint;
    return &(GetTenant(tenant).customers.insert_or_assign(mint, std::move(customer)).first->second);
  }
  bool EraseCustomer(const TenantId& tenant, EventHandle mint) override {
    return GetTenant(tenant).customers.erase(mint) > 0;
  }
  std::vector<EventHandle> ListCustomers(const TenantId& tenant) const override {
    std::vector<EventHandle> out;
    if (const Tenant* t = FindTenant(tenant)) {
      out.reserve(t->customers.size());
      for (const auto& [mint, c] : t->customers) out.push_back(mint);
    }
    return out;
  }

  // ---- merges
  const MergeRecord* FindMerge(const TenantId& tenant, std::string_view id) const override {
    const Tenant* t = FindTenant(tenant);
    if (t == nullptr) return nullptr;
    auto it = t->merges.find(Av(id));
    return it == t->merges.end() ? nullptr : &it->second;
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

  // ---- link constraints
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
  bool HasLinks(const TenantId& tenant) const override {
    const Tenant* t = FindTenant(tenant);
    return t != nullptr && !t->links.empty();
  }

  // ---- tombstones, minted ids, sequence
  void AddTombstone(const TenantId& tenant, uint64_t hash) override {
    GetTenant(tenant).tombstones.insert(hash);
  }
  bool HasTombstones(const TenantId& tenant) const override {
    const Tenant* t = FindTenant(tenant);
    return t != nullptr && !t->tombstones.empty();
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

  bool PrefetchForIngest(IngestHint* hint) const override;

  Stats GetStats(const TenantId& tenant) const override {
    Stats s;
    if (const Tenant* t = FindTenant(tenant)) {
      s.events = static_cast<int64_t>(t->event_ids.size());
      s.customers = static_cast<int64_t>(t->customers.size());
      s.values = static_cast<int64_t>(t->value_keys.size());
      s.merges = static_cast<int64_t>(t->merges.size());
      s.links = static_cast<int64_t>(t->links.size());
      s.tombstones = static_cast<int64_t>(t->tombstones.size());
      s.payload_bytes = static_cast<int64_t>(t->payload.appended());
      s.dead_bytes = static_cast<int64_t>(t->dead_bytes);
      s.key_bytes = static_cast<int64_t>(t->keys.appended());
    }
    return s;
  }

 private:
  struct Tenant;

  // The indexes hold only handles and are searched by bytes (absl's heterogeneous lookup). Each
  // handle's 32-bit hash is kept beside it, so growing an index rehashes without reading a single
  // id or key (at 10M events, reading them made rehashing a quarter of ingest).
  static uint32_t Hash32(absl::string_view s) {
    return static_cast<uint32_t>(absl::Hash<absl::string_view>{}(s));
  }
  // Spreads the 32 bits over the word absl splits into probe position and tag.
  static size_t Expand(uint32_t h) { return static_cast<size_t>(h * 0x9E3779B97F4A7C15ull); }
  struct Probe {  // bytes with their Hash32, hashed once by the caller
    absl::string_view bytes;
    uint32_t hash;
  };
  // A lookup that matches nothing: it notes the first handle whose slot tag matches `hash`,
  // reading only the index's own memory (a real lookup would also read the candidate's bytes).
  struct Candidate {
    uint32_t hash;
    uint32_t* first;
  };
  // One hash/equality pair serves both indexes; the policy says where a handle's Hash32 and bytes
  // live (Tenant is complete by the time these bodies are instantiated).
  struct EventIds {
    using Handle = EventHandle;
    static uint32_t HashOf(const Tenant& t, EventHandle h) { return t.id_hash[h]; }
    static absl::string_view BytesOf(const Tenant& t, EventHandle h) { return Av(t.IdOf(h)); }
  };
  struct ValueKeys {
    using Handle = ValueHandle;
    static uint32_t HashOf(const Tenant& t, ValueHandle h) { return t.key_hash[h]; }
    static absl::string_view BytesOf(const Tenant& t, ValueHandle h) { return Av(t.values[h].key); }
  };
  template <typename Policy>
  struct HandleHash {
    using is_transparent = void;
    const Tenant* t;
    size_t operator()(absl::string_view s) const { return Expand(Hash32(s)); }
    size_t operator()(const Probe& p) const { return Expand(p.hash); }
    size_t operator()(const Candidate& c) const { return Expand(c.hash); }
    size_t operator()(typename Policy::Handle h) const { return Expand(Policy::HashOf(*t, h)); }
  };
  template <typename Policy>
  struct HandleEq {
    using is_transparent = void;
    const Tenant* t;
    absl::string_view Bytes(typename Policy::Handle h) const { return Policy::BytesOf(*t, h); }
    static absl::string_view Bytes(absl::string_view s) { return s; }
    static absl::string_view Bytes(const Probe& p) { return p.bytes; }
    bool operator()(typename Policy::Handle a, typename Policy::Handle b) const {
      return a == b;  // ids and keys are unique
    }
    // Abseil calls eq(element, key).
    bool operator()(typename Policy::Handle h, const Candidate& c) const {
      if (*c.first == kNoHandle) *c.first = h;
      return false;
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const { return Bytes(a) == Bytes(b); }
  };
  // Customers by mint. Transparent so that a prefetch can learn a record's address from the
  // index without reading the record (a MintCandidate never matches; it notes the key's address).
  struct MintCandidate {
    EventHandle mint;
    const EventHandle** first;
  };
  struct MintHash {
    using is_transparent = void;
    size_t operator()(EventHandle h) const { return absl::Hash<EventHandle>{}(h); }
    size_t operator()(const MintCandidate& c) const { return absl::Hash<EventHandle>{}(c.mint); }
  };
  struct MintEq {
    using is_transparent = void;
    bool operator()(EventHandle a, EventHandle b) const { return a == b; }
    // Abseil calls eq(element, key).
    bool operator()(const EventHandle& key, const MintCandidate& c) const {
      if (*c.first == nullptr) *c.first = &key;  // the address only: the node is not read
      return false;
    }
  };
  using IdHash = HandleHash<EventIds>;
  using IdEq = HandleEq<EventIds>;
  using KeyHash = HandleHash<ValueKeys>;
  using KeyEq = HandleEq<ValueKeys>;

  // Constructed in place in a node map (the indexes keep `this`); never moved.
  struct Tenant {
    Tenant()
        : event_ids(0, IdHash{this}, IdEq{this}), value_keys(0, KeyHash{this}, KeyEq{this}) {}
    Tenant(const Tenant&) = delete;
    Tenant& operator=(const Tenant&) = delete;

    std::string_view IdOf(EventHandle h) const {
      Reader r(payload.At(events[h].payload));
      r.Varint();
      return r.Bytes(r.Byte());
    }

    PagedVector<StoredEvent, 12> events;  // by handle; free slots have no payload
    std::vector<EventHandle> free_events;
    RunPool<char, 20> payload;             // encoded contents, see PutVarint above
    RunPool<ValueHandle, 16> value_pool;   // each event's value handles, contiguous
    size_t dead_bytes = 0;               // overwritten payload bytes
    size_t dead_values = 0;              // overwritten value_pool slots
    size_t erased_events = 0;            // since the last compaction
    absl::flat_hash_set<EventHandle, IdHash, IdEq> event_ids;
    PagedVector<uint32_t, 14> id_hash;   // Hash32 of each event handle's id
    absl::Time latest_at = absl::InfinitePast();  // LatestOccurredAt: only ever raised
    std::vector<std::string> sources;    // interned source systems (few per tenant)
    uint32_t last_source = 0;
    absl::flat_hash_map<std::string, uint32_t> source_index;

    // By handle; stable addresses; dead ones have no key. Paged, not a deque: a deque's blocks
    // hold five records, so at scale its block map alone was a cache miss on every lookup.
    PagedVector<ValueRecord, 10> values;
    RunPool<char, 16> keys;              // the values' keys
    size_t dead_key_bytes = 0;           // overwritten keys
    size_t erased_values = 0;            // since the last compaction of the keys
    std::vector<ValueHandle> free_values;
    absl::flat_hash_set<ValueHandle, KeyHash, KeyEq> value_keys;
    PagedVector<uint32_t, 12> key_hash;  // Hash32 of each value handle's key

    absl::node_hash_map<EventHandle, CustomerRecord, MintHash, MintEq> customers;
    absl::node_hash_map<std::string, MergeRecord> merges;
    absl::btree_map<std::string, LinkConstraint, std::less<>> links;
    absl::flat_hash_map<std::string, absl::btree_set<std::string>> links_by_event;
    absl::flat_hash_set<uint64_t> tombstones;
    absl::flat_hash_map<std::string, std::string> minted;
    int64_t sequence = 0;
  };

  // Moves live events' contents to fresh buffers once erasure has left enough holes.
  static void MaybeCompact(Tenant& t);
  // The same for the values' keys.
  static void MaybeCompactKeys(Tenant& t);
  // Copies the live event contents to fresh arenas (MaybeCompact decides when).
  static void Compact(Tenant& t);
  static size_t PayloadSize(const Tenant& t, const StoredEvent& e) {
    const char* start = t.payload.At(e.payload);
    Reader r(start);
    uint64_t n = r.Varint();
    return static_cast<size_t>(r.pos() - start) + n;
  }

  // Most calls name the tenant of the previous call: compared, not hashed. The cache is written
  // only by GetTenant (non-const), so concurrent const calls only read it.
  // Tenant names are short: compared with two overlapping word loads, not a memcmp call (this
  // runs on every call of the store).
  template <typename Word>
  static Word Load(const char* p) {
    Word w;
    std::memcpy(&w, p, sizeof(w));
    return w;
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE static bool SameName(const std::string& a, const std::string& b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    if (n >= 8 && n <= 16) {
      return Load<uint64_t>(x) == Load<uint64_t>(y) &&
             Load<uint64_t>(x + n - 8) == Load<uint64_t>(y + n - 8);
    }
    if (n >= 4 && n < 8) {
      return Load<uint32_t>(x) == Load<uint32_t>(y) &&
             Load<uint32_t>(x + n - 4) == Load<uint32_t>(y + n - 4);
    }
    return std::memcmp(x, y, n) == 0;
  }
  // The cached case inline, the lookup out of line: an ingest makes about ten of these calls,
  // and with the lookup in the same function every call paid its register saves.
  ABSL_ATTRIBUTE_ALWAYS_INLINE const Tenant* FindTenant(const TenantId& tenant) const {
    if (last_ != nullptr && SameName(tenant.value(), last_name_)) return last_;
    return LookUpTenant(tenant);
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Tenant& GetTenant(const TenantId& tenant) {
    if (last_ != nullptr && SameName(tenant.value(), last_name_)) return *last_;
    return AddTenant(tenant);
  }
  ABSL_ATTRIBUTE_NOINLINE const Tenant* LookUpTenant(const TenantId& tenant) const {
    auto it = tenants_.find(tenant.value());
    return it == tenants_.end() ? nullptr : &it->second;
  }
  ABSL_ATTRIBUTE_NOINLINE Tenant& AddTenant(const TenantId& tenant) {
    last_ = &tenants_[tenant.value()];  // node-based: the address stays valid
    last_name_ = tenant.value();
    return *last_;
  }

  absl::node_hash_map<std::string, Tenant> tenants_;  // never erased
  Tenant* last_ = nullptr;
  std::string last_name_;
  std::string scratch_;  // one event's encoding, reused
};

EventHandle InMemoryJourneyStore::PutEvent(const TouchpointEvent& event,
                                           absl::Span<const ValueHandle> values, bool verified) {
  Tenant& t = GetTenant(event.tenant);
  const std::string& id = event.id.value();
  if (id.size() > 255 || values.size() > 255 || values.size() != event.identifiers.size()) {
    return kNoHandle;
  }
  if (t.free_events.empty() && t.events.size() + 1 >= kNoHandle) return kNoHandle;
  // Source systems repeat (usually one per feed): an index instead of the name, the last one
  // compared before hashing.
  uint32_t source = 0;
  if (t.last_source < t.sources.size() && t.sources[t.last_source] == event.source_system) {
    source = t.last_source;
  } else if (auto it = t.source_index.find(event.source_system); it != t.source_index.end()) {
    source = it->second;
    t.last_source = source;
  } else {
    source = static_cast<uint32_t>(t.sources.size());
    t.sources.push_back(event.source_system);
    t.source_index.emplace(event.source_system, source);
    t.last_source = source;
  }
  // An upper bound of the encoding, then one pass of unchecked writes.
  constexpr size_t kV = Writer::kMaxVarint;
  size_t bound = 1 + id.size() + 2 * kV + kV + kV + event.contact.value().size() + 1 + kV;
  for (const Identifier& raw : event.identifiers) {
    bound += 1 + 2 * kV + raw.scope.size() + raw.value.size();
  }
  for (const auto& [key, value] : event.attributes) bound += 2 * kV + key.size() + value.size();
  std::string& body = scratch_;
  if (body.size() < bound) body.resize(std::max(bound, 2 * body.size()));
  Writer w(body.data());
  w.Byte(static_cast<uint8_t>(id.size()));
  std::memcpy(w.pos(), id.data(), id.size());
  w = Writer(w.pos() + id.size());
  w.Duration(event.received_at - event.occurred_at);
  w.Varint(source);
  w.Bytes(event.contact.value());
  // Raw forms only where they differ from the normalized value (most identifiers: none).
  char* raw_count_at = w.pos();
  w.Byte(0);
  uint8_t raw_count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const ValueRecord& v = t.values[values[i]];
    const Identifier& raw = event.identifiers[i];
    // The normalizer keeps the kind, so only the scope and value can differ.
    if (raw.value == v.value() && raw.scope == v.scope()) continue;
    w.Byte(static_cast<uint8_t>(i));
    w.Bytes(raw.scope);
    w.Bytes(raw.value);
    ++raw_count;
  }
  *raw_count_at = static_cast<char>(raw_count);
  w.Varint(event.attributes.size());
  for (const auto& [key, value] : event.attributes) {
    w.Bytes(key);
    w.Bytes(value);
  }
  const size_t body_size = static_cast<size_t>(w.pos() - body.data());
  char size[Writer::kMaxVarint];
  Writer sw(size);
  sw.Varint(body_size);
  const size_t prefix = static_cast<size_t>(sw.pos() - size);
  const size_t run_size = prefix + body_size;
  StoredEvent e;
  e.occurred_at = event.occurred_at;
  e.type = event.type;
  e.channel = event.channel;
  e.verified = verified;
  e.value_count = static_cast<uint8_t>(values.size());
  // One hash of the id finds a duplicate or the slot to fill. The new entry's handle is set
  // before its bytes exist: nothing compares it until they do.
  const EventHandle h = t.free_events.empty() ? static_cast<EventHandle>(t.events.size())
                                              : t.free_events.back();
  const Probe probe{Av(id), Hash32(Av(id))};
  if (h < t.id_hash.size()) {
    t.id_hash[h] = probe.hash;
  } else {
    t.id_hash.push_back(probe.hash);
  }
  bool fresh = false;
  auto slot = t.event_ids.lazy_emplace(probe, [&](const auto& construct) {
    construct(h);
    fresh = true;
  });
  if (!fresh) return kNoHandle;  // a stored id
  const auto append = [&] {
    e.payload = t.payload.Append(size, prefix, body.data(), body_size);
    e.values =
        e.payload == kNoHandle ? kNoHandle : t.value_pool.Append(values.data(), values.size());
  };
  append();
  if (e.values == kNoHandle && (t.dead_bytes > 0 || t.dead_values > 0)) {
    // Full with erased contents not yet compacted away: compact now and try again.
    if (e.payload != kNoHandle) std::memset(t.payload.At(e.payload), 0, run_size);
    Compact(t);
    append();
  }
  if (e.values == kNoHandle) {  // the tenant's storage is full
    if (e.payload != kNoHandle) {
      std::memset(t.payload.At(e.payload), 0, run_size);  // written, never stored
      t.dead_bytes += run_size;
    }
    t.event_ids.erase(slot);  // by position
    return kNoHandle;
  }
  if (!t.free_events.empty()) {
    t.free_events.pop_back();
    t.events[h] = e;
  } else {
    t.events.push_back(e);
  }
  t.latest_at = std::max(t.latest_at, e.occurred_at);
  return h;
}

bool InMemoryJourneyStore::EraseEvent(const TenantId& tenant, EventHandle event) {
  Tenant& t = GetTenant(tenant);
  if (event >= t.events.size() || t.events[event].payload == kNoHandle) return false;
  t.event_ids.erase(event);
  StoredEvent& e = t.events[event];
  size_t size = PayloadSize(t, e);
  std::memset(t.payload.At(e.payload), 0, size);
  t.dead_bytes += size;
  std::fill_n(t.value_pool.At(e.values), e.value_count, kNoHandle);
  t.dead_values += e.value_count;
  ++t.erased_events;
  e = StoredEvent();  // times, type and customer overwritten too
  t.free_events.push_back(event);
  MaybeCompact(t);
  return true;
}

// A compaction walks every event slot, as many as the store ever held at once. Besides half of
// the arena dead, it waits for erasures worth an eighth of the slots or dead bytes worth 64 per
// slot, so that after a mass erasure each small erasure does not pay a walk of them all, while
// large erased events still compact soon (the bytes are zeroed at erasure either way).
void InMemoryJourneyStore::MaybeCompact(Tenant& t) {
  if (t.dead_bytes < 4096 || t.dead_bytes * 2 < t.payload.appended()) return;
  if (t.erased_events * 8 < t.events.size() && t.dead_bytes < 64 * t.events.size()) return;
  Compact(t);
}

void InMemoryJourneyStore::Compact(Tenant& t) {
  RunPool<char, 20> payload;
  RunPool<ValueHandle, 16> pool;
  for (size_t h = 0; h < t.events.size(); ++h) {
    StoredEvent& e = t.events[h];
    if (e.payload == kNoHandle) continue;  // a free slot
    // Never fails: the live contents already fitted in the same page sizes.
    e.payload = payload.Append(t.payload.At(e.payload), PayloadSize(t, e));
    e.values = pool.Append(t.value_pool.At(e.values), e.value_count);
  }
  // The old pages held only zeros where erased data was; they are freed here.
  t.payload = std::move(payload);
  t.value_pool = std::move(pool);
  t.dead_bytes = 0;
  t.dead_values = 0;
  t.erased_events = 0;
}

void InMemoryJourneyStore::MaybeCompactKeys(Tenant& t) {  // as MaybeCompact, over value slots
  if (t.dead_key_bytes < 4096 || t.dead_key_bytes * 2 < t.keys.appended()) return;
  if (t.erased_values * 8 < t.values.size() && t.dead_key_bytes < 64 * t.values.size()) return;
  RunPool<char, 16> keys;
  for (size_t h = 0; h < t.values.size(); ++h) {
    ValueRecord& v = t.values[h];
    if (v.key.empty()) continue;  // a free slot
    v.key = std::string_view(keys.At(keys.Append(v.key.data(), v.key.size())), v.key.size());
  }
  t.keys = std::move(keys);  // the old pages held only zeros where erased keys were
  t.dead_key_bytes = 0;
  t.erased_values = 0;
}

// Each step requests what the next one reads, so only the first step's requests are misses the
// caller waits for, and it waits for none of them: the merger runs the steps of one event while
// it ingests the events before it. Notes: [0, k) key hashes, [k, 2k) value handles, [2k, 3k)
// the values' customers, 3k the id's hash (k = IngestHint::kMaxKeys); store_tenant is the
// Tenant (never erased, so it outlives the hint).
bool InMemoryJourneyStore::PrefetchForIngest(IngestHint* hint) const {
  constexpr int k = IngestHint::kMaxKeys;
  static_assert(IngestHint::kMaxSteps >= 5, "the steps below need five calls");
  if (hint->step == 0) {
    hint->store_tenant = hint->tenant != nullptr ? FindTenant(*hint->tenant) : nullptr;
  }
  const auto* t = static_cast<const Tenant*>(hint->store_tenant);
  if (t == nullptr) return false;
  auto& notes = hint->notes;
  const int n = std::min(hint->key_count, k);
  switch (hint->step++) {
    case 0: {  // the index slots of the id and of each value
      const absl::string_view id = Av(hint->event_id);
      notes[3 * k] = Hash32(id);
      t->event_ids.prefetch(Probe{id, notes[3 * k]});
      for (int i = 0; i < n; ++i) {
        const absl::string_view key = Av(hint->keys[i]);
        notes[i] = Hash32(key);
        t->value_keys.prefetch(Probe{key, notes[i]});
      }
      return true;
    }
    case 1: {  // each value's record, and the event a tag match of the id names (usually none)
      EventHandle id_match = kNoHandle;
      t->event_ids.find(Candidate{notes[3 * k], &id_match});
      if (id_match != kNoHandle) __builtin_prefetch(&t->events[id_match]);
      for (int i = 0; i < n; ++i) {
        notes[k + i] = kNoHandle;
        t->value_keys.find(Candidate{notes[i], &notes[k + i]});
        if (notes[k + i] == kNoHandle) continue;
        const char* v = reinterpret_cast<const char*>(&t->values[notes[k + i]]);
        __builtin_prefetch(v);
        __builtin_prefetch(v + sizeof(ValueRecord) - 1);
      }
      return true;
    }
    case 2:  // each value's key bytes, postings' end and customer slot
      for (int i = 0; i < n; ++i) {
        notes[2 * k + i] = kNoHandle;
        if (notes[k + i] == kNoHandle) continue;
        const ValueRecord& v = t->values[notes[k + i]];
        __builtin_prefetch(v.key.data());
        __builtin_prefetch(v.events.data() + v.events.size());
        if (v.linked == kNoHandle) continue;
        notes[2 * k + i] = v.linked;
        t->customers.prefetch(v.linked);
        __builtin_prefetch(&t->events[v.linked]);  // the customer's id is minted from it
      }
      return true;
    case 3:  // each customer's record
      for (int i = 0; i < n; ++i) {
        if (notes[2 * k + i] == kNoHandle) continue;
        const EventHandle* key = nullptr;
        t->customers.find(MintCandidate{notes[2 * k + i], &key});
        if (key == nullptr) continue;
        const char* c = reinterpret_cast<const char*>(key);
        for (size_t at = 0; at < sizeof(std::pair<const EventHandle, CustomerRecord>); at += 64) {
          __builtin_prefetch(c + at);
        }
        // The bytes of the mint event's id, which names the customer.
        const StoredEvent& mint = t->events[notes[2 * k + i]];
        if (mint.payload != kNoHandle) __builtin_prefetch(t->payload.At(mint.payload));
      }
      return true;
    case 4:  // what each customer record points to
      for (int i = 0; i < n; ++i) {
        if (notes[2 * k + i] == kNoHandle) continue;
        auto it = t->customers.find(notes[2 * k + i]);
        if (it == t->customers.end()) continue;
        const CustomerRecord& c = it->second;
        __builtin_prefetch(c.events.data() + c.events.size());
        __builtin_prefetch(c.values.data());
        const char* intents = reinterpret_cast<const char*>(c.summary.intents.data());
        for (size_t at = 0; at < c.summary.intents.size() * sizeof(IntentSightings); at += 64) {
          __builtin_prefetch(intents + at);
        }
      }
      return false;
    default:
      return false;
  }
}

TouchpointEvent InMemoryJourneyStore::ReadEvent(const TenantId& tenant, EventHandle event) const {
  const Tenant& t = *FindTenant(tenant);
  const StoredEvent& e = t.events[event];
  TouchpointEvent out;
  out.tenant = tenant;
  out.type = e.type;
  out.channel = e.channel;
  out.occurred_at = e.occurred_at;
  Reader r(t.payload.At(e.payload));
  r.Varint();
  out.id = EventId(std::string(r.Bytes(r.Byte())));
  out.received_at = e.occurred_at + r.Duration();
  out.source_system = t.sources[r.Varint()];
  out.contact = ContactId(std::string(r.Sized()));
  out.identifiers.resize(e.value_count);
  for (size_t i = 0; i < e.value_count; ++i) {
    const ValueRecord& v = t.values[t.value_pool.At(e.values)[i]];
    out.identifiers[i] = Identifier{v.kind, std::string(v.value()), std::string(v.scope())};
  }
  for (uint8_t n = r.Byte(); n > 0; --n) {
    Identifier& id = out.identifiers[r.Byte()];
    id.scope = std::string(r.Sized());
    id.value = std::string(r.Sized());
  }
  for (uint64_t n = r.Varint(); n > 0; --n) {
    std::string_view key = r.Sized();
    std::string_view value = r.Sized();
    out.attributes.emplace_hint(out.attributes.end(), key, value);  // written in key order
  }
  return out;
}

std::optional<std::string_view> InMemoryJourneyStore::EventAttribute(
    const TenantId& tenant, EventHandle event, std::string_view key) const {
  const Tenant& t = *FindTenant(tenant);
  Reader r(t.payload.At(t.events[event].payload));
  r.Varint();
  r.Bytes(r.Byte());
  r.Duration();
  r.Varint();
  r.Sized();
  for (uint8_t n = r.Byte(); n > 0; --n) {
    r.Byte();
    r.Sized();
    r.Sized();
  }
  for (uint64_t n = r.Varint(); n > 0; --n) {
    std::string_view k = r.Sized();
    std::string_view v = r.Sized();
    if (k == key) return v;
  }
  return std::nullopt;
}

ValueHandle InMemoryJourneyStore::InternValue(const TenantId& tenant, const NormalizedIdentifier& id,
                                              std::string_view key) {
  Tenant& t = GetTenant(tenant);
  const Probe probe{Av(key), Hash32(Av(key))};
  if (auto it = t.value_keys.find(probe); it != t.value_keys.end()) return *it;
  ValueHandle h;
  if (!t.free_values.empty()) {
    h = t.free_values.back();
    t.free_values.pop_back();
  } else {
    h = static_cast<ValueHandle>(t.values.size());
    t.values.emplace_back();
  }
  uint32_t at = t.keys.Append(key.data(), key.size());
  if (at == kNoHandle) {
    t.free_values.push_back(h);
    return kNoHandle;  // the tenant's storage is full
  }
  ValueRecord& v = t.values[h];
  v.key = std::string_view(t.keys.At(at), key.size());
  v.kind = id.kind;
  v.scope_size = static_cast<uint16_t>(id.scope.size());
  if (h < t.key_hash.size()) {
    t.key_hash[h] = probe.hash;
  } else {
    t.key_hash.push_back(probe.hash);
  }
  t.value_keys.insert(h);
  return h;
}

}  // namespace

std::string_view ValueRecord::scope() const {
  if (scope_size == 0) return {};
  return std::string_view(key).substr(IdentifierKindName(kind).size() + 1, scope_size);
}

std::string_view ValueRecord::value() const {
  size_t at = IdentifierKindName(kind).size() + (scope_size == 0 ? 0 : scope_size + 1u) + 1;
  return std::string_view(key).substr(std::min(at, key.size()));
}

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
