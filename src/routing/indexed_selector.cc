// Indexed selection. For every (queue, channel, signature) that a contact has needed, a Pool
// keeps the waiting contacts with that signature in queue order. A "dedicated" pool also keeps
// the routable agents that qualify, bucketed by their membership delay and ordered by the
// queue's strategy rank. Pools are built lazily, on the first contact that needs one (one pass
// over the queue's members), and then maintained incrementally: an agent lists the dedicated
// pools it qualifies for (its slots) and re-enters just those when its state changes.
//
// Which pools are dedicated: the queue's base signature (no contact requirements of its own),
// every signature of a skill-scored strategy, and selective signatures (at most 1 in
// `selectivity` members qualify when the pool is built). Any other signature is served by
// walking its queue's base pool in rank order and skipping agents that do not qualify: at least
// 1 in `selectivity` does, so the walk is short, and a walk longer than `max_walk` (the
// qualifying agents are all busy) promotes the pool to dedicated for good. This keeps an agent's
// upkeep to a few ordered sets while no decision degrades to a scan: one decision reads the
// first entries of a few ordered sets, O(log n) instead of the scan's O(n).
//
// A pool nobody uses is retired: once a pool without waiting contacts has cost, since it was last
// used, as much upkeep as rebuilding it would (agents re-entering its orderings, or agent-free
// selections passing it in the walked list: one per member of its queue, plus `retire_after`),
// it becomes retirable, and the next contact that needs it builds it again. This is the
// rent-or-buy rule: what an idle pool costs stays within a small factor of what an oracle knowing
// the future would pay, however many requirement sets a router meets over its life. Retiring
// drops the slots agents keep for a pool, which takes a pass over the slots of its queue's
// members, so retirable pools (still maintained, and used again at no cost if a contact needs
// one) are retired together once they are a quarter of all pools: a pass then costs at most
// about four slots per retired pool on average. Base pools are never retired (walked pools read
// them; a queue has one per channel). Pools that cost nothing to keep (no agent of theirs changes
// state, nobody waits in their queue) would still hold memory, so whenever the number of pools
// doubles, those that no contact needed since the previous such sweep are retired as well.
//
// Removal is lazy. An agent that stops being routable (an offer, a contact, a state change)
// only bumps its generation (AgentRec::sel_gen): the entries it leaves behind read as stale and
// are dropped when a selection meets them at the front of an ordering, or by a compaction once
// stale entries could make up half of one. Whether an entry is stale is read from a dense
// array of generations (see EntryRef), not from the agent's record; an agent's entries are
// purged when its slots are dropped (update, removal), so none outlives it. Erasing them at
// once would search every ordering the agent is in, on cold nodes, on the path of every offer;
// popping them from the front touches only the nodes that selections keep hot. An agent that
// re-enters with an unchanged rank revives its old entry in place. Decisions are unaffected:
// selections skip stale entries.
//
// An ordering is a B-tree (AgentSet), or, when the queue's strategy ranks by time
// (StrategyTraits::ranks_follow_time, as longest idle does), a sorted array (AgentArray): there
// agents join at the back and leave from the front, which the array does by moving an index,
// where the tree shifts a leaf and rebalances it with its neighbour.
#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "src/internal/str_cat.h"
#include "src/routing/delayed_view.h"
#include "src/routing/selector.h"

namespace switchboard::routing {

// Who an ordering entry stands for. `gen` is the low 16 bits of the agent's selector generation
// when the entry was (re)written; the entry is live while the agent's current generation has
// the same low bits, which the selector keeps in a dense array by AgentRec::dense. Checking an
// entry thus reads 2 bytes of an array that stays in cache, not the agent's record, which at
// scale is a miss to memory, and a selection meets a few stale entries for each live one.
// Within one agent's 65,536 generations the low bits tell entries apart; when they wrap, the
// agent's entries are purged (BumpGeneration), so an old one can never read as live again.
// Entries never outlive their agent either: DropSlots purges them.
struct EntryRef {
  AgentRec* agent = nullptr;
  std::uint32_t dense = 0;  // = agent->dense
  std::uint16_t gen = 0;
  std::uint16_t membership = 0;
};
static_assert(sizeof(EntryRef) == 16);

// absl::btree_map with nodes of about 1 KiB instead of 256 bytes: an entry is 48 bytes, so the
// default node holds 4 of them and a set of 1,000 agents is 5 levels deep, each a likely cache
// miss at scale; wide nodes hold about 20 and make it 3. (absl exposes the node size only
// through this internal template.)
class AgentSet : public absl::container_internal::btree_map_container<
                     absl::container_internal::btree<absl::container_internal::map_params<
                         AgentKey, EntryRef, std::less<AgentKey>,
                         std::allocator<std::pair<const AgentKey, EntryRef>>,
                         /*TargetNodeSize=*/1024, /*IsMulti=*/false>>> {
  using Base = typename AgentSet::btree_map_container;

 public:
  using Base::Base;
};

// Erases the entries of `set` that `pred` selects: absl's bulk erase (one rebalance per leaf),
// which absl::erase_if offers for absl::btree_map only.
template <typename Pred>
void EraseIf(AgentSet& set, Pred pred) {
  absl::container_internal::btree_access::erase_if(set, std::move(pred));
}

// An ordering kept as a sorted array whose live part starts at `head_`: dropping entries at the
// front moves the index, and an entry ranked after every other is appended. Anywhere else an
// insert or erase moves the entries after it, so the selector leaves stale entries that are not
// at the front for compaction (DropStaleRun). The dropped front is reclaimed when the array is
// full and at least half of it is dropped, so appends stay amortized O(1).
class AgentArray {
 public:
  using value_type = std::pair<AgentKey, EntryRef>;
  using iterator = value_type*;
  using const_iterator = const value_type*;

  iterator begin() { return items_.data() + head_; }
  iterator end() { return items_.data() + items_.size(); }
  const_iterator begin() const { return items_.data() + head_; }
  const_iterator end() const { return items_.data() + items_.size(); }
  std::size_t size() const { return items_.size() - head_; }

  iterator upper_bound(const AgentKey& key) {
    return std::upper_bound(begin(), end(), key,
                            [](const AgentKey& k, const value_type& v) { return k < v.first; });
  }
  const_iterator find(const AgentKey& key) const {
    const_iterator it = LowerBound(begin(), end(), key);
    return it != end() && !(key < it->first) ? it : end();
  }
  // As absl's hinted try_emplace: the entry with `key`, inserted with `ref` if there was none.
  iterator try_emplace(const_iterator /*hint*/, const AgentKey& key, const EntryRef& ref) {
    std::size_t at = items_.size();  // index into items_
    if (size() != 0 && !(items_.back().first < key)) {
      iterator it = LowerBound(begin(), end(), key);
      if (it != end() && !(key < it->first)) return it;
      at = static_cast<std::size_t>(it - items_.data());
    }
    if (items_.size() == items_.capacity()) {
      if (2 * head_ >= items_.size()) {
        at -= head_;
        ReclaimFront();
      } else {
        items_.reserve(items_.size() + items_.size() / 2 + 4);  // not doubled: memory per agent
      }
    }
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(at), value_type{key, ref});
    return items_.data() + at;
  }
  iterator try_emplace(const AgentKey& key, const EntryRef& ref) {
    return try_emplace(end(), key, ref);
  }
  iterator erase(iterator first, iterator last) {
    if (first != begin()) {
      const std::ptrdiff_t at = first - items_.data();
      items_.erase(items_.begin() + at, items_.begin() + (last - items_.data()));
      return items_.data() + at;
    }
    head_ += static_cast<std::size_t>(last - first);
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    }
    return begin();
  }
  // Erases the entries `pred` selects, and the dropped front; gives back memory the array no
  // longer needs (after a burst of available agents).
  template <typename Pred>
  void EraseIf(Pred pred) {
    ReclaimFront();
    std::erase_if(items_, std::move(pred));
    if (items_.capacity() > 4 * items_.size() + 16) items_.shrink_to_fit();
  }

 private:
  template <typename It>
  static It LowerBound(It first, It last, const AgentKey& key) {
    return std::lower_bound(first, last, key,
                            [](const value_type& v, const AgentKey& k) { return v.first < k; });
  }
  void ReclaimFront() {
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }

  std::vector<value_type> items_;
  std::size_t head_ = 0;
};

template <typename Pred>
void EraseIf(AgentArray& set, Pred pred) {
  set.EraseIf(std::move(pred));
}

// Drops the run of stale entries [it, last) that a selection met, moves `it` to where it goes
// on, and returns how many stale entries it left in place. A tree drops the run anywhere; an
// array only at its front (cheap there, linear elsewhere), and leaves the others to
// MaybeCompact.
std::size_t DropStaleRun(AgentSet& set, AgentSet::iterator& it, AgentSet::iterator last) {
  it = set.erase(it, last);
  return 0;
}
std::size_t DropStaleRun(AgentArray& set, AgentArray::iterator& it, AgentArray::iterator last) {
  if (it == set.begin()) {
    it = set.erase(it, last);
    return 0;
  }
  const auto kept = static_cast<std::size_t>(last - it);
  it = last;
  return kept;
}

// The agents of one membership delay, in one of two orderings. (Both are members rather than a
// std::variant, which GCC 12 at -O3 wrongly reports as freeing the tree's static empty node.)
struct Bucket {
  absl::Duration delay;
  bool arrayed = false;  // the agents are in `array`, else in `tree`
  AgentSet tree;
  AgentArray array;
  std::size_t compact_at = 0;  // compact when the set reaches this size (MaybeCompact)

  // Calls f with the ordering in use.
  template <typename F>
  decltype(auto) Visit(F&& f) {
    return arrayed ? f(array) : f(tree);
  }
  template <typename F>
  decltype(auto) Visit(F&& f) const {
    return arrayed ? f(array) : f(tree);
  }
  std::size_t size() const { return arrayed ? array.size() : tree.size(); }
};

struct Pool {
  // The first of `contacts` and its key (null while empty), kept beside each other so that an
  // agent-free selection reads one line per pool instead of descending the tree: an agent
  // looks at every pool of its slots, and at scale each node on the way is a cache miss.
  ContactRec* front = nullptr;
  ContactKey front_key;
  QueueRec* queue = nullptr;
  Channel channel = Channel::kVoice;
  const Signature* sig = nullptr;
  bool dedicated = false;  // keeps its own agent buckets
  bool arrays = false;     // its buckets are AgentArrays (the strategy's ranks follow time)
  bool is_base = false;    // the queue's base signature: never retired
  bool retirable = false;  // outlived its use: retired with the next batch (MaybeRetire)
  bool retiring = false;   // being retired (Retire): its slots are being dropped
  // Upkeep this pool has caused while empty since a contact last needed it (see the top).
  std::uint32_t idle_upkeep = 0;
  std::uint32_t used_epoch = 0;  // the selector's epoch_ when a contact last needed it
  Pool* base = nullptr;    // not dedicated: the queue's base pool for this channel
  std::vector<Bucket> buckets;  // sorted by delay; usually one (delay 0)
  ContactMap contacts;
  // Views of `contacts` for delayed agents, made when one first needs it (ContactsPast), dropped
  // when unread for long or when the pool empties (FollowInViews).
  std::vector<DelayedView> delayed;

  Bucket& BucketFor(absl::Duration delay) {
    if (!buckets.empty() && buckets.front().delay == delay) return buckets.front();  // usual
    auto it = buckets.begin();
    while (it != buckets.end() && it->delay < delay) ++it;
    if (it == buckets.end() || it->delay != delay) {
      Bucket b;
      b.delay = delay;
      b.arrayed = arrays;
      it = buckets.insert(it, std::move(b));
    }
    return *it;
  }
};

namespace {

struct PoolKey {
  const QueueRec* queue;
  Channel channel;
  const Signature* sig;
  friend bool operator==(const PoolKey&, const PoolKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const PoolKey& k) {
    return H::combine(std::move(h), k.queue, k.channel, k.sig);
  }
};

// Whether the agent can take each channel, computed once per channel per call.
class TakeCache {
 public:
  explicit TakeCache(const AgentRec& a) : a_(a) { cache_.fill(-1); }
  bool operator()(Channel ch) {
    auto& v = cache_[static_cast<std::size_t>(ch)];
    if (v < 0) v = CanTake(a_, ch) ? 1 : 0;
    return v == 1;
  }

 private:
  const AgentRec& a_;
  std::array<signed char, kChannelCount> cache_;
};

// Rank of an agent per slot. When the queue's strategy does not read skill scores the rank
// depends only on the membership, so it is computed once per membership and shared by that
// membership's pools (whatever order the slots come in).
class RankCache {
 public:
  explicit RankCache(const AgentRec& a) : a_(a), keys_(a.memberships.size()) {}
  AgentKey operator()(const PoolSlot& s) {
    const QueueRec& q = *a_.memberships[s.membership].queue;
    if (q.traits.uses_skill_score) return RankAgent(a_, s.membership, *s.pool->sig);
    std::optional<AgentKey>& key = keys_[s.membership];
    if (!key) key = RankAgent(a_, s.membership, *s.pool->sig);
    return *key;
  }

 private:
  const AgentRec& a_;
  absl::InlinedVector<std::optional<AgentKey>, 8> keys_;
};

// One membership's best candidate in an agent-free selection (SelectContact), which sets each
// field before reading it. No initializers: a whole array cleared with wide stores and then read
// field by field stalls on store forwarding.
struct MembershipBest {
  ContactRec* contact;
  std::int64_t neg_priority;  // its ContactKey (Key(), Set())
  std::int64_t arrival;
  std::int64_t seq;
  bool waiting;  // anyone waits in the membership's queue

  ContactKey Key() const { return ContactKey{neg_priority, arrival, seq}; }
  void Set(ContactRec* c, const ContactKey& key) {
    contact = c;
    neg_priority = key.neg_priority;
    arrival = key.arrival;
    seq = key.seq;
  }
};

class IndexedSelector final : public Selector {
 public:
  IndexedSelector(int selectivity, int max_walk, int retire_after)
      : selectivity_(static_cast<std::size_t>(selectivity)),
        max_walk_(max_walk),
        retire_after_(static_cast<std::size_t>(retire_after)) {}

  void RebuildSlots(AgentRec& a) override {
    StoreGeneration(a);
    a.slots.clear();
    for (std::uint32_t i = 0; i < a.memberships.size(); ++i) {
      for (Pool* p : a.memberships[i].queue->pools) {
        if (p->dedicated && Qualifies(a, *p->sig)) a.slots.push_back(PoolSlot{p, 0, i});
      }
    }
    a.slots.shrink_to_fit();  // kept for the agent's lifetime: no growth slack
  }

  void DropSlots(AgentRec& a) override {
    // Every entry naming `a` is in a pool of its slots (Index and Dedicate write only there, and
    // DropQueue takes slot and pool together), so purging those leaves none behind: the record
    // may be freed next (RemoveAgent). A pass over each set: agents leave rarely.
    PurgeEntries(a);
    a.slots.clear();
    BumpGeneration(a);
  }

  void Index(AgentRec& a) override {
    if (!Routable(a)) return;
    TakeCache take(a);
    RankCache rank(a);
    const std::uint64_t gen = a.sel_gen;
    for (PoolSlot& s : a.slots) {
      Pool& p = *s.pool;
      if (s.gen == gen || !take(p.channel)) continue;  // idempotent
      CountIdleUpkeep(p);
      Bucket& b = p.BucketFor(DelayOf(a.memberships[s.membership]));
      const EntryRef ref = RefOf(a, s.membership);
      // Hinted at the end: under time-based strategies (longest idle, least talk time) an agent
      // coming back usually ranks last, and the hint then saves the descent.
      const AgentKey key = rank(s);
      const bool added = b.Visit([&](auto& set) {
        const std::size_t before = set.size();
        auto it = set.try_emplace(set.end(), key, ref);
        if (set.size() > before) return true;
        it->second = ref;  // the agent's own stale entry (the ordinal is in the key): revived
        return false;
      });
      if (added) MaybeCompact(b);
      s.gen = gen;
    }
    MaybeRetire();
  }

  void Unindex(AgentRec& a) override {
    BumpGeneration(a);  // its entries and slots read as stale from now on
  }

  void AddWaiting(ContactRec& c) override {
    MaybeSweep();
    Pool& p = EnsurePool(*c.queue, c.channel, c.sig);
    p.contacts.emplace(c.key, &c);
    if (!p.delayed.empty()) FollowInViews(p, c, /*joins=*/true);
    if (p.front == nullptr || c.key < p.front_key) SetFront(p, &c);
    c.pool = &p;
  }

  void RemoveWaiting(ContactRec& c) override {
    if (c.pool == nullptr) return;
    Pool& p = *c.pool;
    // The front (what an agent that frees up takes) is erased without a search, and the next
    // one's key is read from the map rather than from its record.
    const bool front = p.front == &c;
    if (front) {
      p.contacts.erase(p.contacts.begin());
    } else {
      p.contacts.erase(c.key);
    }
    if (!p.delayed.empty()) FollowInViews(p, c, /*joins=*/false);
    if (front) {
      if (p.contacts.empty()) {
        SetFront(p, nullptr);
      } else {
        p.front = p.contacts.begin()->second;
        p.front_key = p.contacts.begin()->first;
      }
    }
    c.pool = nullptr;
  }

  void DropQueue(QueueRec& q) override {
    for (const MemberRef& ref : q.members) {
      auto& slots = ref.agent->slots;
      std::erase_if(slots, [&q](const PoolSlot& s) { return s.pool->queue == &q; });
    }
    for (Pool* p : q.pools) {
      for (auto& [key, c] : p->contacts) c->pool = nullptr;
      if (p->retirable) --retirable_;
      pools_.erase(PoolKey{&q, p->channel, p->sig});
    }
    q.pools.clear();
    q.walked_pools.clear();
  }

  std::optional<AgentChoice> SelectAgent(const ContactRec& c, absl::Time now) override {
    MaybeSweep();
    Pool& p = EnsurePool(*c.queue, c.channel, c.sig);
    if (!p.dedicated) {
      std::optional<AgentChoice> walked;
      if (Walk(p, c, now, &walked)) return walked;
      Dedicate(p);  // the walk was too long: keep this signature's own ordering from now on
    }
    const QueueRec& q = *c.queue;
    AgentChooser chooser(q);
    for (Bucket& b : p.buckets) {
      if (!DelayMet(c, b.delay, now)) break;  // buckets are sorted by delay
      b.Visit([&](auto& set) {
        if (q.traits.round_robin && q.rr_valid) {
          OfferFirst(set, set.upper_bound(AgentKey{q.rr_rank, q.rr_ordinal}), c, chooser);
        }
        OfferFirst(set, set.begin(), c, chooser);
      });
    }
    return chooser.Best();
  }

  ContactRec* SelectContact(const AgentRec& a, absl::Time now,
                            std::uint32_t* membership) override {
    // The best waiting contact per membership. The dedicated pools the agent qualifies for are
    // exactly its slots, so only walked pools need a qualification check: the agent's side of
    // the index bounds the pools looked at, however many signatures its queues have seen.
    // Plain arrays, not InlinedVectors, and whether each queue has anyone waiting read once: at
    // scale an agent passes a dozen pools or more, and this is most of the call's instructions.
    const std::size_t n = a.memberships.size();
    std::array<MembershipBest, 8> local;  // most agents serve a few queues
    std::vector<MembershipBest> spill;
    MembershipBest* best = local.data();
    if (n > local.size()) {
      spill.resize(n);
      best = spill.data();
    }
    bool any_waiting = false;  // the common case is nobody waiting in any of its queues
    for (std::size_t i = 0; i < n; ++i) {
      best[i].contact = nullptr;
      best[i].waiting = !a.memberships[i].queue->waiting.empty();
      any_waiting |= best[i].waiting;
    }
    if (!any_waiting) return nullptr;
    // The front contacts of the agent's pools are read below one after another; at scale each
    // is a cache miss, so request them all first.
    for (const PoolSlot& s : a.slots) {
      if (s.pool->front != nullptr) __builtin_prefetch(&s.pool->front->excluded);  // Excluded()
    }
    TakeCache take(a);
    auto consider = [&](Pool& p, std::uint32_t i) {
      const MembershipRec& m = a.memberships[i];
      MembershipBest& queue_best = best[i];
      if (queue_best.contact != nullptr && !(p.front_key < queue_best.Key())) return;
      if (DelayMet(*p.front, m, now) && !Excluded(*p.front, a)) {  // the usual case
        queue_best.Set(p.front, p.front_key);
        return;
      }
      ConsiderPastFront(p, a, m, now, queue_best);
    };
    for (const PoolSlot& s : a.slots) {
      if (!best[s.membership].waiting) continue;
      Pool& p = *s.pool;
      if (p.front != nullptr && take(p.channel)) consider(p, s.membership);
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!best[i].waiting) continue;
      for (Pool* p : a.memberships[i].queue->walked_pools) {
        if (p->front == nullptr) {
          CountIdleUpkeep(*p);
          continue;
        }
        if (!take(p->channel) || !Qualifies(a, *p->sig)) continue;
        consider(*p, i);
      }
    }
    MaybeRetire();  // after the walk over the lists it may shorten
    ContactRec* winner = nullptr;
    std::uint32_t winner_m = 0;
    CrossKey winner_key;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (best[i].contact == nullptr) continue;
      const CrossKey key = MakeCrossKey(a.memberships[i], best[i].Key());
      if (winner == nullptr || key < winner_key) {
        winner = best[i].contact;
        winner_m = i;
        winner_key = key;
      }
    }
    *membership = winner_m;
    return winner;
  }

  // For SelectContact, when `a` may not take the front of `p` (too young for its delay, or
  // declined): the first contact past it that is old enough and not declined, if it beats
  // `best`. For a delayed agent, only those that have waited the delay are read. Out of line:
  // rare, and the caller's loop over the agent's pools stays small.
  ABSL_ATTRIBUTE_NOINLINE void ConsiderPastFront(Pool& p, const AgentRec& a,
                                                 const MembershipRec& m, absl::Time now,
                                                 MembershipBest& best) {
    const ContactMap& candidates =
        m.delay == nullptr ? p.contacts : ContactsPast(p, *m.delay, now);
    for (const auto& [key, c] : candidates) {
      if (best.contact != nullptr && !(key < best.Key())) break;
      if (!DelayMet(*c, m, now) || Excluded(*c, a)) continue;
      best.Set(c, key);
      break;
    }
  }

  void ForEachSignature(absl::FunctionRef<void(const Signature*)> f) const override {
    for (const auto& [key, p] : pools_) f(key.sig);
  }

  absl::Status Check(const std::vector<QueueRec*>& queues) const override;

 private:
  // Below this size a set is never compacted: stale entries there cost little.
  static constexpr std::size_t kMinCompactSize = 64;

  // Below this many contacts a pool is passed one by one when its front is too young for an
  // agent's delay; from it on, through a DelayedView (which doubles the pool's contact entries).
  static constexpr std::size_t kMinDelayedView = 8;

  // The contacts of `p` that an agent with membership `delay` may take at `now` by their wait,
  // in queue order; or all of them, for the caller to check (small pools, or time set back).
  const ContactMap& ContactsPast(Pool& p, absl::Duration delay, absl::Time now) {
    if (p.contacts.size() < kMinDelayedView) return p.contacts;
    DelayedView* view = nullptr;
    for (DelayedView& v : p.delayed) {
      if (v.delay() == delay) view = &v;
    }
    if (view == nullptr) view = &p.delayed.emplace_back(delay, now, p.contacts);
    const ContactMap* ready = view->ReadyAt(now);
    return ready != nullptr ? *ready : p.contacts;
  }

  // Keeps p's delayed views up to date with a contact that joins or leaves it, and drops the
  // views whose upkeep since they were last read has passed what rebuilding one would cost (rent
  // or buy, as for pools): a view no agent reads, such as one of a delay no member has any more
  // or of an agent away all day, costs its pool's joins and leaves only for a while. An empty
  // pool keeps none.
  static void FollowInViews(Pool& p, ContactRec& c, bool joins) {
    for (DelayedView& v : p.delayed) joins ? v.Add(c) : v.Remove(c);
    std::erase_if(p.delayed, [&p](const DelayedView& v) {
      return p.contacts.empty() || v.upkeep() > p.contacts.size() + kMinDelayedView;
    });
  }

  static void SetFront(Pool& p, ContactRec* c) {
    p.front = c;
    if (c != nullptr) p.front_key = c->key;
  }

  // Generations wrap within kGenerationMask and skip 0, which marks a slot never indexed.
  static std::uint64_t NextGeneration(std::uint64_t gen) {
    gen = (gen + 1) & kGenerationMask;
    return gen == 0 ? 1 : gen;
  }

  static std::uint16_t Low16(std::uint64_t gen) { return static_cast<std::uint16_t>(gen); }

  // A new generation for `a`: every entry and slot written before reads as stale. When the low
  // bits wrap (every 65,536 generations), the agent's entries are erased first, so that none
  // written in an earlier round of the low bits can match a later generation.
  void BumpGeneration(AgentRec& a) {
    const std::uint64_t next = NextGeneration(a.sel_gen);
    if (Low16(next) <= Low16(a.sel_gen)) PurgeEntries(a);
    a.sel_gen = next;
    StoreGeneration(a);
  }

  // Records the low bits of a's generation where Live() reads them.
  void StoreGeneration(const AgentRec& a) {
    if (a.dense >= gens_.size()) gens_.resize(a.dense + 1);
    gens_[a.dense] = Low16(a.sel_gen);
  }

  // Erases every entry naming `a`. Each is in a pool of its slots (Index and Dedicate write only
  // there, and DropQueue takes slot and pool together). A pass over each set: this runs when an
  // agent leaves or changes, and once in 65,536 generations.
  void PurgeEntries(const AgentRec& a) {
    for (const PoolSlot& s : a.slots) {
      for (Bucket& b : s.pool->buckets) {
        b.Visit([&a](auto& set) {
          EraseIf(set, [&a](const auto& e) { return e.second.agent == &a; });
        });
      }
    }
  }

  EntryRef RefOf(const AgentRec& a, std::uint32_t membership) const {
    return EntryRef{const_cast<AgentRec*>(&a), a.dense, Low16(a.sel_gen),
                    static_cast<std::uint16_t>(membership)};
  }

  // The agent an entry stands for, or null when the entry is stale.
  AgentRec* Live(const AgentKey&, const EntryRef& ref) const {
    return gens_[ref.dense] == ref.gen ? ref.agent : nullptr;
  }

  // Drops a set's stale entries once they may make up half of it, so that stale entries cost
  // at most a constant factor in memory and in the amortized time of inserts.
  void MaybeCompact(Bucket& b) const {
    if (b.size() < b.compact_at) return;
    b.Visit([this](auto& set) {
      EraseIf(set, [this](const auto& e) { return Live(e.first, e.second) == nullptr; });
    });
    b.compact_at = std::max(kMinCompactSize, 2 * b.size());
  }

  // The agent of the first live entry from `it` on, `it` left on it; stale entries met on the
  // way are dropped where the set allows, and those it keeps are added to `*kept_stale`. Null
  // at the end of the set.
  template <typename Set>
  AgentRec* SkipStale(Set& set, typename Set::iterator& it,
                      std::size_t* kept_stale = nullptr) const {
    while (it != set.end()) {
      if (AgentRec* a = Live(it->first, it->second)) return a;
      // Stale entries come in runs: dropped as one range.
      auto last = std::next(it);
      while (last != set.end() && Live(last->first, last->second) == nullptr) ++last;
      const std::size_t kept = DropStaleRun(set, it, last);
      if (kept_stale != nullptr) *kept_stale += kept;
    }
    return nullptr;
  }

  // Offers the chooser the first live entry from `it` on that may take `c`.
  template <typename Set>
  void OfferFirst(Set& set, typename Set::iterator it, const ContactRec& c,
                  AgentChooser& chooser) const {
    for (; AgentRec* a = SkipStale(set, it); ++it) {
      if (!Excluded(c, it->first.ordinal)) {
        PrefetchRecord(a);
        chooser.Offer(a, it->second.membership, it->first);
        return;
      }
    }
  }

  // Serves a non-dedicated pool from its base pool. False when the walk grew too long: the
  // live agents it passed and the stale entries it had to leave in place (in the middle of a
  // sorted array, behind live agents that do not qualify) both count, since a later walk would
  // pass them again; the pool then gets its own buckets. Stale entries dropped on the way do
  // not count.
  bool Walk(const Pool& p, const ContactRec& c, absl::Time now,
            std::optional<AgentChoice>* out) const {
    const QueueRec& q = *c.queue;
    AgentChooser chooser(q);
    std::size_t steps = 0;
    const auto max_steps = static_cast<std::size_t>(max_walk_);
    auto first = [&](auto& set, auto it) {
      for (; AgentRec* a = SkipStale(set, it, &steps); ++it) {
        if (++steps > max_steps) return false;
        if (!Excluded(c, it->first.ordinal) && Qualifies(*a, *p.sig)) {
          PrefetchRecord(a);
          chooser.Offer(a, it->second.membership, it->first);
          return true;
        }
      }
      return steps <= max_steps;  // stale entries left at the end count too
    };
    for (Bucket& b : p.base->buckets) {
      if (!DelayMet(c, b.delay, now)) break;
      const bool short_enough = b.Visit([&](auto& set) {
        if (q.traits.round_robin && q.rr_valid &&
            !first(set, set.upper_bound(AgentKey{q.rr_rank, q.rr_ordinal}))) {
          return false;
        }
        return first(set, set.begin());
      });
      if (!short_enough) return false;
    }
    *out = chooser.Best();
    return true;
  }

  // Gives a pool its own agent buckets: one pass over the queue's members.
  void Dedicate(Pool& p) {
    if (!p.dedicated) std::erase(p.queue->walked_pools, &p);
    p.dedicated = true;
    p.base = nullptr;
    // Members come in no rank order: an array takes its entries sorted, each then appended,
    // where inserting them one by one would shift the array for each.
    std::vector<std::tuple<absl::Duration, AgentKey, EntryRef>> staged;
    for (const MemberRef& ref : p.queue->members) {
      AgentRec& a = *ref.agent;
      if (!Qualifies(a, *p.sig)) continue;
      PoolSlot slot{&p, 0, ref.membership};
      if (Routable(a) && CanTake(a, p.channel)) {
        const absl::Duration delay = DelayOf(a.memberships[ref.membership]);
        const AgentKey key = RankAgent(a, ref.membership, *p.sig);
        const EntryRef entry = RefOf(a, ref.membership);
        if (p.arrays) {
          staged.emplace_back(delay, key, entry);
        } else {
          p.BucketFor(delay).tree.try_emplace(key, entry);
        }
        slot.gen = a.sel_gen;
      }
      // Grown by a quarter, not doubled: slots stay for the agent's lifetime, and an agent gains
      // them one dedicated pool at a time.
      if (a.slots.size() == a.slots.capacity()) a.slots.reserve(a.slots.size() * 5 / 4 + 1);
      a.slots.push_back(slot);
    }
    std::sort(staged.begin(), staged.end(), [](const auto& x, const auto& y) {
      if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) < std::get<0>(y);
      return std::get<1>(x) < std::get<1>(y);
    });
    for (const auto& [delay, key, entry] : staged) p.BucketFor(delay).array.try_emplace(key, entry);
    for (Bucket& b : p.buckets) b.compact_at = std::max(kMinCompactSize, 2 * b.size());
  }

  // Counts one unit of upkeep that `p` caused while empty; marks it retirable once that has cost
  // as much since its last use as rebuilding it would.
  void CountIdleUpkeep(Pool& p) {
    if (!MayRetire(p) || p.retirable) return;
    if (++p.idle_upkeep > p.queue->members.size() + retire_after_) {
      p.retirable = true;
      ++retirable_;
    }
  }

  // Retires the retirable pools once they are a quarter of all pools (see the top). Runs after
  // the loops over slots and lists that a retirement changes.
  void MaybeRetire() {
    if (retirable_ == 0 || 4 * retirable_ < pools_.size()) return;
    std::vector<Pool*> doomed;
    doomed.reserve(retirable_);
    for (const auto& [key, p] : pools_) {
      if (p->retirable) doomed.push_back(p.get());
    }
    Retire(doomed);
  }

  // Retires the pools no contact needed since the previous sweep, once the pool count doubled.
  // Runs at the top of a selection, where no pool is in hand.
  void MaybeSweep() {
    if (!pool_sweep_.Due(pools_.size())) return;
    std::vector<Pool*> unused;
    for (const auto& [key, p] : pools_) {
      if (MayRetire(*p) && p->used_epoch != epoch_) unused.push_back(p.get());
    }
    Retire(unused);
    ++epoch_;
    pool_sweep_.Swept(pools_.size());
  }

  // Whether `p` may be retired at all: no contact waits in it, and it is no base pool.
  static bool MayRetire(const Pool& p) { return p.front == nullptr && !p.is_base; }

  // Drops pools (each once, all MayRetire) with the slots agents keep for them, in one batch:
  // one pass over the lists of each queue concerned and over the slots of each member of a queue
  // that loses a dedicated pool.
  void Retire(const std::vector<Pool*>& doomed) {
    for (Pool* p : doomed) {
      p->retiring = true;
      if (p->retirable) --retirable_;
    }
    absl::flat_hash_set<QueueRec*> queues;
    absl::flat_hash_set<QueueRec*> losing_slots;  // queues losing a dedicated pool
    for (Pool* p : doomed) {
      queues.insert(p->queue);
      if (p->dedicated) losing_slots.insert(p->queue);
    }
    absl::flat_hash_set<AgentRec*> agents;  // each once, whatever its queues
    for (QueueRec* q : losing_slots) {
      for (const MemberRef& ref : q->members) agents.insert(ref.agent);
    }
    auto retiring = [](const Pool* p) { return p->retiring; };
    for (QueueRec* q : queues) {
      std::erase_if(q->pools, retiring);
      std::erase_if(q->walked_pools, retiring);
    }
    for (AgentRec* a : agents) {
      std::vector<PoolSlot>& slots = a->slots;
      if (std::erase_if(slots, [](const PoolSlot& s) { return s.pool->retiring; }) != 0 &&
          slots.capacity() > 2 * slots.size() + 4) {
        slots.shrink_to_fit();
      }
    }
    for (Pool* p : doomed) pools_.erase(PoolKey{p->queue, p->channel, p->sig});  // frees them
  }

  Pool& EnsurePool(QueueRec& q, Channel channel, const Signature* sig) {
    auto [it, inserted] = pools_.try_emplace(PoolKey{&q, channel, sig});
    if (!inserted) {
      Pool& p = *it->second;  // in use
      p.idle_upkeep = 0;
      p.used_epoch = epoch_;
      if (p.retirable) {
        p.retirable = false;  // still maintained: nothing to rebuild
        --retirable_;
      }
      return p;
    }
    it->second = std::make_unique<Pool>();
    Pool& p = *it->second;
    p.used_epoch = epoch_;
    p.is_base = sig == q.base_sig;  // a queue's base signature changes only after DropQueue
    p.queue = &q;
    p.channel = channel;
    p.sig = sig;
    p.arrays = q.traits.ranks_follow_time;
    q.pools.push_back(&p);
    bool dedicated = p.is_base || q.traits.uses_skill_score;
    if (!dedicated) {
      std::size_t qualifying = 0;
      for (const MemberRef& ref : q.members) qualifying += Qualifies(*ref.agent, *sig) ? 1 : 0;
      dedicated = qualifying * selectivity_ <= q.members.size();
    }
    if (dedicated) {
      p.dedicated = true;  // never walked
      Dedicate(p);
    } else {
      q.walked_pools.push_back(&p);
      p.base = &EnsurePool(q, channel, q.base_sig);
    }
    return p;
  }

  absl::Status CheckPool(const Pool& p) const;

  std::size_t selectivity_;
  int max_walk_;
  std::size_t retire_after_;
  SweepSchedule pool_sweep_{1024};  // below 1,024 pools, memory is no concern
  std::uint32_t epoch_ = 0;
  std::size_t retirable_ = 0;        // pools with `retirable` set
  std::vector<std::uint16_t> gens_;  // low bits of each agent's sel_gen, by AgentRec::dense
  absl::flat_hash_map<PoolKey, std::unique_ptr<Pool>> pools_;
};

absl::Status IndexedSelector::CheckPool(const Pool& p) const {
  const QueueRec& q = *p.queue;
  std::size_t expected = 0;
  if (!p.dedicated && (p.base == nullptr || !p.base->dedicated || !p.buckets.empty())) {
    return absl::InternalError(
        internal::StrCat("a walked pool of queue ", q.config.id.value(), " is malformed"));
  }
  for (const MemberRef& ref : q.members) {
    if (!p.dedicated) {
      for (const PoolSlot& s : ref.agent->slots) {
        if (s.pool == &p) return absl::InternalError("an agent has a slot in a walked pool");
      }
      continue;
    }
    const AgentRec& a = *ref.agent;
    int slots = 0;
    bool indexed = false;
    for (const PoolSlot& s : a.slots) {
      if (s.pool != &p) continue;
      ++slots;
      indexed = s.gen == a.sel_gen;
      if (s.membership != ref.membership) {
        return absl::InternalError(internal::StrCat("agent ", a.id.value(),
                                                    " has a slot with the wrong membership"));
      }
    }
    const bool qualifies = Qualifies(a, *p.sig);
    if (slots != (qualifies ? 1 : 0)) {
      return absl::InternalError(internal::StrCat("agent ", a.id.value(), " has ", slots,
                                                  " slots for a pool of queue ",
                                                  q.config.id.value()));
    }
    const bool should = qualifies && Routable(a) && CanTake(a, p.channel);
    if (should != indexed) {
      return absl::InternalError(internal::StrCat("agent ", a.id.value(), " indexed=",
                                                  indexed, " should be ", should, " in queue ",
                                                  q.config.id.value()));
    }
    if (!should) continue;
    ++expected;
    const AgentKey key = RankAgent(a, ref.membership, *p.sig);
    bool found = false;
    for (const Bucket& b : p.buckets) {
      b.Visit([&](const auto& set) {
        auto it = set.find(key);
        if (it != set.end() && Live(it->first, it->second) == &a &&
            it->second.membership == ref.membership) {
          found = b.delay == DelayOf(a.memberships[ref.membership]);
        }
      });
    }
    if (!found) {
      return absl::InternalError(internal::StrCat("agent ", a.id.value(),
                                                  " missing or stale in an index of queue ",
                                                  q.config.id.value()));
    }
  }
  std::size_t live = 0;
  bool sorted = true;
  for (const Bucket& b : p.buckets) {
    b.Visit([&](const auto& set) {
      for (const auto& [key, ref] : set) live += Live(key, ref) != nullptr ? 1 : 0;
      if (!std::is_sorted(set.begin(), set.end(),
                          [](const auto& x, const auto& y) { return x.first < y.first; })) {
        sorted = false;
      }
    });
    if (b.arrayed != p.arrays) sorted = false;
  }
  if (!sorted) {
    return absl::InternalError(internal::StrCat("an ordering of queue ", q.config.id.value(),
                                                " is out of order or of the wrong kind"));
  }
  if (live != expected) {
    return absl::InternalError(internal::StrCat("a pool of queue ", q.config.id.value(), " holds ",
                                                live, " live agents, expected ", expected));
  }
  std::size_t contacts = 0;
  for (const ContactRec* c : q.waiting) {
    if (c->channel != p.channel || c->sig != p.sig || c->reserved_for != nullptr) continue;
    ++contacts;
    auto it = p.contacts.find(c->key);
    if (it == p.contacts.end() || it->second != c || c->pool != &p) {
      return absl::InternalError(
          internal::StrCat("waiting contact ", c->id.value(), " missing from its pool"));
    }
  }
  if (p.front != (p.contacts.empty() ? nullptr : p.contacts.begin()->second) ||
      (p.front != nullptr && !(p.front_key == p.front->key))) {
    return absl::InternalError(internal::StrCat("a pool of queue ", q.config.id.value(),
                                                " has a stale front contact"));
  }
  for (const DelayedView& v : p.delayed) {
    if (absl::Status s = v.Check(p.contacts); !s.ok()) return s;
  }
  if (contacts != p.contacts.size()) {
    return absl::InternalError(internal::StrCat("a pool of queue ", q.config.id.value(),
                                                " holds ", p.contacts.size(),
                                                " contacts, expected ", contacts));
  }
  return absl::OkStatus();
}

absl::Status IndexedSelector::Check(const std::vector<QueueRec*>& queues) const {
  std::size_t pools = 0;
  for (const QueueRec* q : queues) {
    std::size_t walked = 0;
    for (const Pool* p : q->pools) {
      ++pools;
      if (absl::Status s = CheckPool(*p); !s.ok()) return s;
      if (p->dedicated) continue;
      ++walked;
      if (std::find(q->walked_pools.begin(), q->walked_pools.end(), p) == q->walked_pools.end()) {
        return absl::InternalError(internal::StrCat("a walked pool of queue ", q->config.id.value(),
                                                    " is missing from its walked list"));
      }
    }
    if (walked != q->walked_pools.size()) {
      return absl::InternalError(internal::StrCat("the walked list of queue ", q->config.id.value(),
                                                  " holds ", q->walked_pools.size(),
                                                  " pools, expected ", walked));
    }
  }
  if (pools != pools_.size()) {
    return absl::InternalError("pool count differs between queues and the pool map");
  }
  std::size_t retirable = 0;
  for (const auto& [key, p] : pools_) retirable += p->retirable ? 1 : 0;
  if (retirable != retirable_) {
    return absl::InternalError(internal::StrCat("the selector counts ", retirable_,
                                                " retirable pools, there are ", retirable));
  }
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<Selector> MakeIndexedSelector(int selectivity, int max_walk, int retire_after) {
  return std::make_unique<IndexedSelector>(selectivity, max_walk, retire_after);
}

}  // namespace switchboard::routing
