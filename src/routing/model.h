// The router's internal records and the eligibility and ordering rules shared by the indexed
// selector and the linear-scan reference. Both selectors read the same records and use the same
// comparisons, which is what makes them choose exactly the same agent and contact.
//
// Thread-safety: none (owned by one Router).
#ifndef SWITCHBOARD_SRC_ROUTING_MODEL_H_
#define SWITCHBOARD_SRC_ROUTING_MODEL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/contact_state.h"
#include "switchboard/limits.h"
#include "switchboard/offer.h"
#include "switchboard/queue.h"
#include "switchboard/routing_strategy.h"

namespace switchboard::routing {

struct AgentRec;
struct QueueRec;
struct ContactRec;
struct Pool;

// Names (skills, languages) interned to small integers so that eligibility checks compare
// integers. Id 0 is never issued (it means "none" for languages).
class Interner {
 public:
  std::uint32_t Intern(std::string_view name);
  std::optional<std::uint32_t> Find(std::string_view name) const;
  const std::string& Name(std::uint32_t id) const { return names_[id]; }

 private:
  absl::flat_hash_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_{""};
};

struct Requirement {
  std::uint32_t skill = 0;
  int min = 1;
  bool required = true;
  friend bool operator==(const Requirement&, const Requirement&) = default;
};

// What a contact asks of agents in one queue: the queue's and the contact's skill requirements
// merged (sorted by skill id) and a language. Interned: contacts with equal signatures share one.
struct Signature {
  std::vector<Requirement> reqs;
  std::uint32_t language = 0;  // 0 = any
  std::string key;             // canonical text, the interning key
  std::uint64_t filter = 0;    // qualify bits of the language and the required skills
};

// A one-word summary of what an agent offers (skill and language ids hashed to bits), kept in
// the record's first cache line. An agent whose bits lack one of a signature's cannot qualify,
// which rules out most agents of a selective signature without reading their skill and language
// lists (at scale, two more cache misses each). Ids past the bit counts share bits, so a match
// is only a maybe: the exact check follows.
inline constexpr int kSkillQualifyBits = 48;
inline constexpr int kLanguageQualifyBits = 64 - kSkillQualifyBits;
inline std::uint64_t SkillQualifyBit(std::uint32_t skill) {
  return std::uint64_t{1} << (skill % kSkillQualifyBits);
}
inline std::uint64_t LanguageQualifyBit(std::uint32_t language) {
  if (language == 0) return 0;  // any language
  return std::uint64_t{1} << (kSkillQualifyBits + language % kLanguageQualifyBits);
}

// One agent skill, kept sorted by skill id; `given` is its place in Agent::skills as configured
// (GetAgent restores that order), so the record needs no second list.
struct AgentSkill {
  std::uint32_t skill = 0;
  std::uint16_t proficiency = 0;  // kMinProficiency..kMaxProficiency
  std::uint16_t given = 0;        // < kMaxSkills
};

// What an agent is, beyond what routing reads: kept behind a pointer that stays null while all
// of it is empty (the usual case at scale), since only GetAgent and host strategies read it.
struct AgentDetails {
  std::string name;
  std::string site;
  std::vector<std::string> teams;
  Attributes attributes;
};

// One of an agent's queues (24 bytes: an agent has one per queue it serves). The delay lives in
// the queue's `delays` map and the ticket in its `tickets`, which only ticket queues fill.
struct MembershipRec {
  QueueRec* queue = nullptr;
  const absl::Duration* delay = nullptr;  // a key of queue->delays; null for no delay (usual)
  int priority = 1;
  std::uint32_t pos = 0;  // index in queue->members (and queue->tickets)
};
static_assert(sizeof(MembershipRec) == 24);

inline absl::Duration DelayOf(const MembershipRec& m) {
  return m.delay == nullptr ? absl::ZeroDuration() : *m.delay;
}

// Selector generations (AgentRec::sel_gen) wrap at 48 bits so that slots and ordering entries
// pack into 16 bytes. (A stale entry would read as live again only after 2^48 departures of
// one agent.)
inline constexpr std::uint64_t kGenerationMask = (std::uint64_t{1} << 48) - 1;
static_assert(kMaxAgentQueues <= (1 << 16));

// An (agent, pool) pair the agent statically qualifies for (indexed mode only).
struct PoolSlot {
  Pool* pool = nullptr;
  // In the pool's agent set while this equals the agent's sel_gen (so that leaving every set
  // at once is one increment, not a pass over the slots).
  std::uint64_t gen : 48;
  std::uint64_t membership : 16;  // index in AgentRec::memberships
};
static_assert(sizeof(PoolSlot) == 16);

// Capacity order packing (see AgentRec::capacity_order).
static_assert(kChannelCount <= 15);

struct AgentRec {
  // ---- Hot: what every selection, offer and answer reads or writes, kept in the first cache
  // lines of the record (at 100,000 agents a record is almost always a cache miss).
  std::uint64_t ordinal = 0;      // order of AddAgent: the final tie-break and the linear order
  // Indexed mode: bumped whenever the agent leaves every ordering at once (its entries there
  // and its slots carry the generation they were written at; older ones are stale).
  std::uint64_t sel_gen = 1;
  std::uint64_t qualify_bits = 0;  // of `skills` and `languages` (SkillQualifyBit, ...)
  ContactRec* offered = nullptr;  // the contact of the agent's live offer
  AgentState presence = AgentState::kOffline;
  AgentState reported_state = AgentState::kOffline;  // last reported (AgentStateChanged)
  // Whether that report carried away_reason (as it was then; see Router::Impl::RefreshReported).
  bool reported_reason = false;
  bool allow_blending = false;  // = Agent::allow_blending
  int capacity_units = 0;       // = Agent::capacity_units
  // Held contacts: offered (reserved), in progress and in wrap-up.
  int used_units = 0;
  int held_count = 0;
  int exclusive_held = 0;
  int active = 0;    // in progress
  int wrapping = 0;  // in wrap-up
  std::array<std::uint8_t, kChannelCount> held{};
  std::array<std::uint8_t, kChannelCount> max_concurrent{};
  std::array<std::uint16_t, kChannelCount> cost{};
  // A small number of its own among the router's agents (reused after a removal), for arrays
  // indexed by agent (the indexed selector's generations).
  std::uint32_t dense = 0;
  absl::Time idle_since = absl::UnixEpoch();
  std::int64_t state_since_ns = 0;  // Unix nanoseconds
  std::vector<PoolSlot> slots;
  std::vector<MembershipRec> memberships;  // in the order of Agent::queues

  // ---- Configuration and counters. Agent::skills, languages, capacities and queues live only
  // in the compact forms below and in `memberships`; GetAgent rebuilds them.
  AgentId id;
  std::unique_ptr<const AgentDetails> details;  // null while every field would be empty
  std::vector<AgentSkill> skills;        // sorted by skill id
  std::vector<std::uint32_t> languages;  // as configured (few: searched linearly)
  // The configured capacities' channels in order, 4 bits each from the lowest; the count in
  // the top 4 bits.
  std::uint64_t capacity_order = 0;
  std::string away_reason;
  std::int64_t handled_total = 0;
  std::int64_t handled_today = 0;
  std::int64_t talk_today_ns = 0;  // integer nanoseconds, like busy_ns
  std::int64_t missed = 0;
  std::int64_t declined = 0;
  std::int64_t busy_ns = 0;  // time busy or in wrap-up before state_since
  std::int64_t available_ns = 0;
  int consecutive_missed = 0;
  std::uint32_t tenant = 0;  // interned (Router::Impl::tenants_)
};

// Requests every cache line of `bytes` bytes from `data` (a hint: no fault, no effect on results).
inline void PrefetchBytes(const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
}

// Requests every cache line of an agent's record once it is known to be needed (picked by a
// selection, named by a state change): an offer reads most of them, and at scale each is a
// miss; requested together they cost about one.
inline void PrefetchRecord(const AgentRec* a) { PrefetchBytes(a, sizeof(AgentRec)); }

// Requests an agent's slot and membership lists, which a state change reads after the record
// (SelectContact): separate blocks, so a second miss that can overlap the first's use.
inline void PrefetchLists(const AgentRec& a) {
  PrefetchBytes(a.slots.data(), a.slots.size() * sizeof(PoolSlot));
  PrefetchBytes(a.memberships.data(), a.memberships.size() * sizeof(MembershipRec));
}

struct MemberRef {
  AgentRec* agent = nullptr;
  std::uint32_t membership = 0;
};

// Order of waiting contacts inside one queue: priority (larger first), then arrival (FIFO: oldest
// first; LIFO: newest first), then enqueue sequence.
struct ContactKey {
  std::int64_t neg_priority = 0;
  std::int64_t arrival = 0;
  std::int64_t seq = 0;
  friend bool operator==(const ContactKey&, const ContactKey&) = default;
  friend auto operator<=>(const ContactKey&, const ContactKey&) = default;
};

struct QueueStatsCounters {
  std::int64_t entered = 0;
  std::int64_t answered = 0;
  std::int64_t answered_within_threshold = 0;
  std::int64_t abandoned = 0;
  std::int64_t short_abandoned = 0;
  std::int64_t transferred_out = 0;
  std::int64_t completed = 0;
  std::int64_t offers_made = 0;
  std::int64_t offers_declined = 0;
  std::int64_t offers_expired = 0;
  std::int64_t offers_rescinded = 0;
  absl::Duration total_answer_wait = absl::ZeroDuration();
  absl::Duration total_handle_time = absl::ZeroDuration();
};

struct QueueRec {
  // ---- Hot: what an agent-free selection reads of each of the agent's queues, kept in the
  // record's first line (at scale each line is a cache miss, and an agent serves ~5 queues).
  std::vector<ContactRec*> waiting;  // kWaiting contacts, unordered
  std::uint64_t ordinal = 0;
  int priority = 1;   // = config.priority (ApplyQueueConfig)
  bool lifo = false;  // = config.order == QueueOrder::kLifo (ApplyQueueConfig)

  Queue config;
  std::string strategy_name;
  std::shared_ptr<const AgentSelectionStrategy> strategy;
  StrategyTraits traits;
  std::vector<Requirement> reqs;  // the queue's own, normalized
  const Signature* base_sig = nullptr;  // what a contact with no requirements of its own asks
  std::vector<MemberRef> members;
  // Ticket strategies only (else empty): members[i]'s exponential-race ticket is tickets[i].
  std::vector<double> tickets;
  // Membership delay -> how many members. Node-based: memberships point at their key.
  std::map<absl::Duration, int> delays;
  int offered_now = 0;
  int in_progress = 0;
  int contacts = 0;  // contacts of any state whose queue this is
  double virtual_time = 0;  // the last winning ticket (ticket strategies)
  bool rr_valid = false;    // round robin memory
  AgentRank rr_rank;
  std::uint64_t rr_ordinal = 0;
  std::vector<Pool*> pools;  // indexed mode: owned by the selector
  std::vector<Pool*> walked_pools;  // those of `pools` without agent orderings of their own
  QueueStatsCounters stats;
};

// Fields ordered largest first so that the record carries no padding between them.
struct ContactRec {
  ContactId id;
  std::uint64_t seq = 0;
  absl::Time arrived_at = absl::UnixEpoch();
  absl::Time queued_at = absl::UnixEpoch();
  absl::Time accepted_at = absl::UnixEpoch();
  absl::Time wrapup_until = absl::InfiniteFuture();
  absl::Time next_delay_check = absl::InfiniteFuture();
  std::optional<absl::Duration> sl_threshold;  // the contact's own target, if any
  std::vector<Requirement> own_reqs;            // the contact's own, normalized
  const Signature* sig = nullptr;  // for `queue`
  QueueRec* queue = nullptr;
  AgentRec* agent = nullptr;
  // The live offer, none while offer_id is 0. The contact, agent and queue it names are this
  // record's, and its attempt is `offers`, so only the rest is kept (Router::Impl::OfferOf).
  std::uint64_t offer_id = 0;
  absl::Time offered_at = absl::UnixEpoch();
  absl::Time offer_expires_at = absl::UnixEpoch();
  bool offer_direct = false;
  absl::InlinedVector<std::uint64_t, 2> excluded;  // ordinals of agents not to offer it again
  std::uint64_t offer_epoch = 0;  // the router's configuration epoch when last offered
  ContactKey key;
  Pool* pool = nullptr;  // indexed mode, while waiting
  // Waiting for this agent alone (Contact::preferred_agent_wait; until when is kept with the
  // agent's reservations, as few contacts have one): in its queue's waiting list but in no
  // selector ordering, so no other agent sees it.
  AgentRec* reserved_for = nullptr;
  std::uint32_t language = 0;
  std::uint32_t waiting_pos = 0;
  int priority = 0;
  int offers = 0;
  // ContactRoutingUpdate::age_adjustment: ranks as if it arrived this much earlier.
  std::int64_t age_adjustment_ns = 0;
  Channel channel = Channel::kVoice;
  ContactState state = ContactState::kWaiting;
  bool answered = false;  // accepted since it entered its current queue
};

// When to sweep a structure that keeps dead entries (moot timers, unused pools or signatures):
// once it has grown to twice its size after the last sweep, and to at least `min`, so that a
// sweep's O(size) pass costs O(1) per insertion over time.
class SweepSchedule {
 public:
  explicit SweepSchedule(std::size_t min) : min_(min), at_(min) {}
  bool Due(std::size_t size) const { return size >= at_; }
  void Swept(std::size_t size) { at_ = std::max(min_, 2 * size); }

 private:
  std::size_t min_;
  std::size_t at_;
};

// ---- Rules shared by both selectors --------------------------------------------------------

// The agent's details, or empty ones when it has none.
const AgentDetails& NoDetails();
inline const AgentDetails& DetailsOf(const AgentRec& a) {
  return a.details != nullptr ? *a.details : NoDetails();
}

// a + b, held at the int64 limits instead of overflowing (talk time over concurrent contacts
// can exceed the elapsed time, and a host's clock may jump by centuries).
inline std::int64_t AddSaturating(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

inline bool Routable(const AgentRec& a) {
  return a.presence == AgentState::kAvailable && a.offered == nullptr;
}

// Capacity and blending: can the agent hold one more contact of `channel` now?
bool CanTake(const AgentRec& a, Channel channel);

// Skills and language (static: they change only with the agent's configuration).
bool Qualifies(const AgentRec& a, const Signature& sig);

// Sums of proficiencies over the signature's requirements: `total` counts the optional ones
// where met, `required` only the required ones.
struct SkillScores {
  int total = 0;
  int required = 0;
};
SkillScores ScoreSkills(const AgentRec& a, const Signature& sig);

inline bool Excluded(const ContactRec& c, std::uint64_t agent_ordinal) {
  for (std::uint64_t o : c.excluded) {
    if (o == agent_ordinal) return true;
  }
  return false;
}
inline bool Excluded(const ContactRec& c, const AgentRec& a) { return Excluded(c, a.ordinal); }

// Whether `c` has waited `delay` in its queue. Zero (the usual case) is settled inline: a shared
// Abseil adds Times and Durations out of line.
inline bool DelayMet(const ContactRec& c, absl::Duration delay, absl::Time now) {
  return delay == absl::ZeroDuration() || c.queued_at + delay <= now;
}

// The delay rule of a routing profile: the contact has waited long enough in its queue.
inline bool DelayMet(const ContactRec& c, const MembershipRec& m, absl::Time now) {
  return m.delay == nullptr || DelayMet(c, *m.delay, now);
}

// The index of the agent's membership of `q` (an agent serves a queue at most once).
inline std::optional<std::uint32_t> MembershipOf(const AgentRec& a, const QueueRec* q) {
  for (std::uint32_t i = 0; i < a.memberships.size(); ++i) {
    if (a.memberships[i].queue == q) return i;
  }
  return std::nullopt;
}

// The agent's ticket in a ticket queue (QueueRec::tickets).
inline double& TicketOf(const MembershipRec& m) { return m.queue->tickets[m.pos]; }

// Whether `a`, serving c's queue through `m`, could take `c` now (cheapest tests first).
inline bool FitsNow(const AgentRec& a, const MembershipRec& m, const ContactRec& c,
                    absl::Time now) {
  return Routable(a) && DelayMet(c, m, now) && CanTake(a, c.channel) && !Excluded(c, a) &&
         Qualifies(a, *c.sig);
}

// An agent's place in one queue's strategy order.
struct AgentKey {
  AgentRank rank;
  std::uint64_t ordinal = 0;
};

inline bool operator<(const AgentKey& a, const AgentKey& b) {
  if (a.rank < b.rank) return true;
  if (b.rank < a.rank) return false;
  return a.ordinal < b.ordinal;
}

// Lets the router bind a rank input to the agent record its accessors read.
struct RankInputAccess {
  static void Bind(AgentRankInput& in, const AgentRec& a, std::uint32_t membership) {
    in.agent_ = &a;
    in.membership_ = membership;
  }
};

// What the strategy sees of `a` in its `membership`-th queue. `sig` may be null when the
// strategy does not use skill scores.
inline AgentRankInput MakeRankInput(const AgentRec& a, std::uint32_t membership,
                                    const Signature* sig) {
  const MembershipRec& m = a.memberships[membership];
  const QueueRec& q = *m.queue;
  AgentRankInput in;
  RankInputAccess::Bind(in, a, membership);  // identity and membership, read on demand
  in.capacity_units = a.capacity_units;
  in.queue = &q.config;
  in.idle_since = a.idle_since;
  in.used_units = a.used_units;
  in.contacts_held = a.held_count;
  in.handled_today = a.handled_today;
  in.talk_time_today = absl::Nanoseconds(a.talk_today_ns);
  if (q.traits.uses_skill_score && sig != nullptr) {
    const SkillScores scores = ScoreSkills(a, *sig);
    in.skill_score = scores.total;
    in.required_skill_score = scores.required;
  }
  in.ticket = q.traits.uses_tickets ? TicketOf(m) : 0;
  return in;
}

// `membership` indexes AgentRec::memberships (in the order of Agent::queues).
AgentKey RankAgent(const AgentRec& a, std::uint32_t membership, const Signature& sig);

// Round robin: is `k` after the queue's memory?
inline bool AfterMemory(const QueueRec& q, const AgentKey& k) {
  return !q.rr_valid || AgentKey{q.rr_rank, q.rr_ordinal} < k;
}

// The winner among candidates of one queue, given the queue's traits.
struct AgentChoice {
  AgentRec* agent = nullptr;
  std::uint32_t membership = 0;
  AgentKey key;
};

// Keeps the best candidate as they come (both selectors feed it).
class AgentChooser {
 public:
  explicit AgentChooser(const QueueRec& q) : q_(q) {}
  void Offer(AgentRec* a, std::uint32_t membership, const AgentKey& key);
  std::optional<AgentChoice> Best() const;

 private:
  const QueueRec& q_;
  std::optional<AgentChoice> best_any_;
  std::optional<AgentChoice> best_after_;
};

ContactKey MakeContactKey(const QueueRec& q, const ContactRec& c, std::uint64_t seq);

// Compares two contacts one agent could take (the best of two queues, or two reserved for it):
// membership priority, queue priority, contact priority (larger first), then FIFO queues'
// contacts by longest wait before LIFO queues' contacts by newest first, then queue order. So
// two contacts of one queue compare as that queue orders them, and the order is total.
struct CrossKey {
  int membership_priority = 0;
  int queue_priority = 0;
  std::int64_t neg_priority = 0;
  bool lifo = false;
  std::int64_t arrived = 0;  // complemented under LIFO (see MakeContactKey)
  std::uint64_t queue_ordinal = 0;
  friend auto operator<=>(const CrossKey&, const CrossKey&) = default;
};

CrossKey MakeCrossKey(const MembershipRec& m, const ContactRec& c);
// The same from the contact's queue key (ContactRec::key, set while it waits), so that the
// indexed selection, which holds the key, need not read the record (the linear-scan oracle
// uses the form above, which checks this one). Inline: an agent-free selection makes one per
// membership with a candidate.
inline CrossKey MakeCrossKey(const MembershipRec& m, const ContactKey& k) {
  // The queue key holds the priority and the arrival, complemented under LIFO as here.
  const QueueRec& q = *m.queue;
  return CrossKey{m.priority, q.priority, k.neg_priority, q.lifo, k.arrival, q.ordinal};
}

// Exp(1) from a 64-bit uniform draw, with our own code so results do not depend on the
// standard library's distributions.
double ExponentialFromBits(std::uint64_t bits);

}  // namespace switchboard::routing

#endif  // SWITCHBOARD_SRC_ROUTING_MODEL_H_
