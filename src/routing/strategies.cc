// The built-in agent-selection strategies and the name registry.
#include <memory>
#include <string>
#include <utility>

#include "src/internal/str_cat.h"
#include "switchboard/routing_strategy.h"

namespace switchboard {
namespace {

std::int64_t Nanos(absl::Time t) { return absl::ToUnixNanos(t); }

class LongestIdle final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "longest-idle"; }
  StrategyTraits Traits() const override { return {.ranks_follow_time = true}; }
  AgentRank Rank(const AgentRankInput& in) const override {
    return AgentRank{Nanos(in.idle_since), 0, 0};
  }
};

class LeastOccupied final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "least-occupied"; }
  AgentRank Rank(const AgentRankInput& in) const override {
    // A correctly rounded quotient: equal ratios give equal doubles, and with at most 10,000
    // units distinct ratios stay distinct.
    const double load = static_cast<double>(in.used_units) / in.capacity_units;
    return AgentRank{0, load, Nanos(in.idle_since)};
  }
};

class RoundRobin final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "round-robin"; }
  StrategyTraits Traits() const override { return {.round_robin = true}; }
  AgentRank Rank(const AgentRankInput&) const override { return {}; }
};

class FewestContacts final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "fewest-contacts"; }
  AgentRank Rank(const AgentRankInput& in) const override {
    return AgentRank{in.handled_today, 0, Nanos(in.idle_since)};
  }
};

class LeastTalkTime final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "least-talk-time"; }
  AgentRank Rank(const AgentRankInput& in) const override {
    return AgentRank{absl::ToInt64Nanoseconds(in.talk_time_today), 0, Nanos(in.idle_since)};
  }
};

class Linear final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "linear"; }
  AgentRank Rank(const AgentRankInput&) const override { return {}; }
};

class Random final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "random"; }
  StrategyTraits Traits() const override { return {.uses_tickets = true}; }
  AgentRank Rank(const AgentRankInput& in) const override { return AgentRank{0, in.ticket, 0}; }
};

class WeightedRandom final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "weighted-random"; }
  StrategyTraits Traits() const override { return {.uses_tickets = true}; }
  AgentRank Rank(const AgentRankInput& in) const override { return AgentRank{0, in.ticket, 0}; }
  // Priority 1 has weight 1, priority 2 weight 1/2...: as in Asterisk's wrandom, a larger
  // penalty makes an agent less likely.
  double TicketWeight(const AgentRankInput& in) const override {
    return 1.0 / in.membership_priority();
  }
};

class BestSkill final : public AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "best-skill"; }
  StrategyTraits Traits() const override { return {.uses_skill_score = true}; }
  AgentRank Rank(const AgentRankInput& in) const override {
    // The required skills decide; the optional ones met only break their ties.
    const int optional = in.skill_score - in.required_skill_score;
    return AgentRank{-static_cast<std::int64_t>(in.required_skill_score),
                     -static_cast<double>(optional), Nanos(in.idle_since)};
  }
};

template <typename T>
AgentSelectionStrategyFactory FactoryOf() {
  return [] { return std::make_unique<T>(); };
}

std::vector<std::pair<std::string, AgentSelectionStrategyFactory>> BuiltIns() {
  return {{"longest-idle", FactoryOf<LongestIdle>()},
          {"least-occupied", FactoryOf<LeastOccupied>()},
          {"round-robin", FactoryOf<RoundRobin>()},
          {"fewest-contacts", FactoryOf<FewestContacts>()},
          {"least-talk-time", FactoryOf<LeastTalkTime>()},
          {"linear", FactoryOf<Linear>()},
          {"random", FactoryOf<Random>()},
          {"weighted-random", FactoryOf<WeightedRandom>()},
          {"best-skill", FactoryOf<BestSkill>()}};
}

}  // namespace

std::vector<std::string> BuiltInAgentSelectionStrategyNames() {
  std::vector<std::string> names;
  for (auto& [name, factory] : BuiltIns()) names.push_back(name);
  return names;
}

absl::StatusOr<std::unique_ptr<AgentSelectionStrategy>> CreateAgentSelectionStrategy(
    std::string_view name) {
  for (auto& [n, factory] : BuiltIns()) {
    if (n == name) return factory();
  }
  return absl::InvalidArgumentError(
      internal::StrCat("unknown agent-selection strategy '", internal::Printable(name), "'"));
}

AgentSelectionStrategyRegistry::AgentSelectionStrategyRegistry() {
  for (auto& [name, factory] : BuiltIns()) factories_.emplace(name, std::move(factory));
}

absl::Status AgentSelectionStrategyRegistry::Register(std::string name,
                                                      AgentSelectionStrategyFactory factory) {
  if (name.empty()) return absl::InvalidArgumentError("strategy name is empty");
  if (!factory) {
    return absl::InvalidArgumentError(
        internal::StrCat("strategy '", internal::Printable(name), "' has an empty factory"));
  }
  if (factories_.count(name) > 0) {
    return absl::AlreadyExistsError(
        internal::StrCat("strategy '", internal::Printable(name), "' is already registered"));
  }
  factories_.emplace(std::move(name), std::move(factory));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AgentSelectionStrategy>> AgentSelectionStrategyRegistry::Create(
    std::string_view name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    return absl::InvalidArgumentError(
        internal::StrCat("unknown agent-selection strategy '", internal::Printable(name), "'"));
  }
  std::unique_ptr<AgentSelectionStrategy> strategy = it->second();
  if (strategy == nullptr) {
    return absl::InvalidArgumentError(internal::StrCat(
        "the factory of strategy '", internal::Printable(name), "' returned null"));
  }
  if (strategy->Name() != name) {
    return absl::InvalidArgumentError(
        internal::StrCat("the factory of strategy '", internal::Printable(name),
                         "' made a strategy named '", internal::Printable(strategy->Name()), "'"));
  }
  return strategy;
}

std::vector<std::string> AgentSelectionStrategyRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_) names.push_back(name);
  return names;
}

}  // namespace switchboard
