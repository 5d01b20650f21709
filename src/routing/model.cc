#include "src/routing/model.h"

#include <cmath>
#include <limits>

#include "switchboard/contact.h"

namespace switchboard::routing {

std::uint32_t Interner::Intern(std::string_view name) {
  auto it = ids_.find(absl::string_view(name.data(), name.size()));
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

std::optional<std::uint32_t> Interner::Find(std::string_view name) const {
  auto it = ids_.find(absl::string_view(name.data(), name.size()));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

const AgentDetails& NoDetails() {
  static const AgentDetails* const kNone = new AgentDetails();  // immutable; never destroyed
  return *kNone;
}

bool CanTake(const AgentRec& a, Channel channel) {
  const auto ch = static_cast<std::size_t>(channel);
  if (a.held[ch] >= a.max_concurrent[ch]) return false;  // also rules out a disabled channel
  if (a.used_units + a.cost[ch] > a.capacity_units) return false;
  if (!a.allow_blending) {
    if (a.exclusive_held > 0) return false;
    if (TraitsOf(channel).exclusive && a.held_count > 0) return false;
  }
  return true;
}

namespace {

// Proficiency of `skill` (0 if absent), by binary search over the sorted skills.
int ProficiencyOf(const AgentRec& a, std::uint32_t skill) {
  std::size_t lo = 0;
  std::size_t hi = a.skills.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (a.skills[mid].skill < skill) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < a.skills.size() && a.skills[lo].skill == skill ? a.skills[lo].proficiency : 0;
}

bool SpeaksLanguage(const AgentRec& a, std::uint32_t language) {
  if (language == 0) return true;
  for (std::uint32_t l : a.languages) {
    if (l == language) return true;
  }
  return false;
}

}  // namespace

bool Qualifies(const AgentRec& a, const Signature& sig) {
  if ((sig.filter & ~a.qualify_bits) != 0) return false;  // lacks a skill or the language
  if (!SpeaksLanguage(a, sig.language)) return false;
  // Both lists are sorted by skill id: one merge pass.
  std::size_t j = 0;
  for (const Requirement& r : sig.reqs) {
    if (!r.required) continue;
    while (j < a.skills.size() && a.skills[j].skill < r.skill) ++j;
    if (j == a.skills.size() || a.skills[j].skill != r.skill ||
        a.skills[j].proficiency < r.min) {
      return false;
    }
  }
  return true;
}

SkillScores ScoreSkills(const AgentRec& a, const Signature& sig) {
  SkillScores scores;
  for (const Requirement& r : sig.reqs) {
    const int p = ProficiencyOf(a, r.skill);
    if (r.required) scores.required += p;
    if (r.required || p >= r.min) scores.total += p;
  }
  return scores;
}

AgentKey RankAgent(const AgentRec& a, std::uint32_t membership, const Signature& sig) {
  const AgentRankInput in = MakeRankInput(a, membership, &sig);
  AgentRank rank = a.memberships[membership].queue->strategy->Rank(in);
  // A NaN (a host strategy's slip) is unordered against everything and would corrupt the
  // ordered indexes: it ranks last instead, as documented in routing_strategy.h.
  if (std::isnan(rank.fraction)) rank.fraction = std::numeric_limits<double>::infinity();
  return AgentKey{rank, a.ordinal};
}

void AgentChooser::Offer(AgentRec* a, std::uint32_t membership, const AgentKey& key) {
  AgentChoice c{a, membership, key};
  if (!best_any_ || key < best_any_->key) best_any_ = c;
  if (q_.traits.round_robin && AfterMemory(q_, key) &&
      (!best_after_ || key < best_after_->key)) {
    best_after_ = c;
  }
}

std::optional<AgentChoice> AgentChooser::Best() const {
  if (q_.traits.round_robin && best_after_) return best_after_;
  return best_any_;
}

namespace {

// The arrival a contact ranks by: its own, moved earlier by its age adjustment, then shifted
// by the largest adjustment so that no sum overflows. Arrivals are 0..INT64_MAX nanoseconds and
// adjustments within +-kMaxAgeAdjustment, so the key spans -2 days..INT64_MAX. Saturating
// instead tied every contact ranked past 2262-04-11, and enqueue order decided.
std::int64_t RankedArrival(const ContactRec& c) {
  const std::int64_t shift = absl::ToInt64Nanoseconds(kMaxAgeAdjustment);
  return absl::ToUnixNanos(c.arrived_at) - shift - c.age_adjustment_ns;
}

}  // namespace

ContactKey MakeContactKey(const QueueRec& q, const ContactRec& c, std::uint64_t seq) {
  const std::int64_t arrival = RankedArrival(c);
  const auto s = static_cast<std::int64_t>(seq);
  // LIFO reverses arrival and sequence by complement, not negation: ~x reverses the order of
  // every int64, the floor included (which negation overflows), and undoes itself.
  if (q.config.order == QueueOrder::kLifo) return ContactKey{-c.priority, ~arrival, ~s};
  return ContactKey{-c.priority, arrival, s};
}

CrossKey MakeCrossKey(const MembershipRec& m, const ContactRec& c) {
  const QueueRec& q = *m.queue;
  const bool lifo = q.lifo;
  const std::int64_t arrival = RankedArrival(c);
  return CrossKey{m.priority, q.config.priority,         -c.priority,
                  lifo,       lifo ? ~arrival : arrival, q.ordinal};
}

double ExponentialFromBits(std::uint64_t bits) {
  // u in (0, 1]: 53 random bits, never 0, so the log is finite.
  const double u = static_cast<double>((bits >> 11) + 1) * 0x1.0p-53;
  return -std::log(u);
}

}  // namespace switchboard::routing

namespace switchboard {

using routing::DetailsOf;
using routing::NoDetails;

std::string_view AgentRankInput::agent_id() const {
  return agent_ != nullptr ? std::string_view(agent_->id.value()) : std::string_view();
}
std::string_view AgentRankInput::site() const {
  return agent_ != nullptr ? DetailsOf(*agent_).site : NoDetails().site;
}
const std::vector<std::string>& AgentRankInput::teams() const {
  return agent_ != nullptr ? DetailsOf(*agent_).teams : NoDetails().teams;
}
const Attributes& AgentRankInput::attributes() const {
  return agent_ != nullptr ? DetailsOf(*agent_).attributes : NoDetails().attributes;
}
int AgentRankInput::membership_priority() const {
  return agent_ != nullptr ? agent_->memberships[membership_].priority : 1;
}
absl::Duration AgentRankInput::membership_delay() const {
  return agent_ != nullptr ? routing::DelayOf(agent_->memberships[membership_])
                           : absl::ZeroDuration();
}

}  // namespace switchboard
