#include "switchboard/trait_reconciliation.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"

namespace switchboard {
namespace {

constexpr size_t kMaxTraitRules = 64;

int SourceRank(const TraitRule& rule, std::string_view source) {
  for (size_t i = 0; i < rule.source_priority.size(); ++i) {
    if (rule.source_priority[i] == source) return static_cast<int>(i);
  }
  return static_cast<int>(rule.source_priority.size());
}

void Fold(const TraitCandidate& from, TraitCandidate* into) {
  into->count += from.count;
  if (into->first_seen.empty() || from.first_seen < into->first_seen) into->first_seen = from.first_seen;
  if (into->last_seen < from.last_seen) {
    into->last_seen = from.last_seen;
    into->last_source = from.last_source;
  }
  if (from.best_source_rank < into->best_source_rank) {
    into->best_source_rank = from.best_source_rank;
    into->best_source_last_seen = from.best_source_last_seen;
  } else if (from.best_source_rank == into->best_source_rank &&
             into->best_source_last_seen < from.best_source_last_seen) {
    into->best_source_last_seen = from.best_source_last_seen;
  }
}

// True when `a` beats `b` under `rule`.
bool Beats(ReconciliationRule rule, const TraitCandidate& a, const TraitCandidate& b) {
  switch (rule) {
    case ReconciliationRule::kLatest:
      break;
    case ReconciliationRule::kSourcePriority:
      if (a.best_source_rank != b.best_source_rank) return a.best_source_rank < b.best_source_rank;
      // Equally trusted: what that source said last, not what anyone repeated last.
      if (a.best_source_last_seen != b.best_source_last_seen) {
        return b.best_source_last_seen < a.best_source_last_seen;
      }
      break;
    case ReconciliationRule::kFirstSeen:
      return a.first_seen < b.first_seen;
    case ReconciliationRule::kMostFrequent:
      if (a.count != b.count) return a.count > b.count;
      break;
  }
  return b.last_seen < a.last_seen;
}

// Folds `c` into the field, whose first candidate is its winner, and keeps it so. Folding only
// ever strengthens a candidate under every rule (more events, a later latest, an earlier first,
// a better source), so the winner after it is the old one or the candidate just changed: reading
// the winner does not scan the history, however many values a trait has taken.
void AddCandidate(ReconciliationRule rule, const TraitCandidate& c,
                  std::vector<TraitCandidate>* field) {
  auto it = std::find_if(field->begin(), field->end(),
                         [&](const TraitCandidate& existing) { return existing.value == c.value; });
  if (it == field->end()) {
    field->push_back(c);
    it = field->end() - 1;
  } else {
    Fold(c, &*it);
  }
  if (it != field->begin() && Beats(rule, *it, field->front())) std::iter_swap(it, field->begin());
}

const TraitCandidate* Winner(const std::vector<TraitCandidate>& field) {
  return field.empty() ? nullptr : &field.front();
}

}  // namespace

std::string_view ReconciliationRuleName(ReconciliationRule rule) {
  switch (rule) {
    case ReconciliationRule::kLatest: return "latest";
    case ReconciliationRule::kSourcePriority: return "source_priority";
    case ReconciliationRule::kFirstSeen: return "first_seen";
    case ReconciliationRule::kMostFrequent: return "most_frequent";
  }
  return "unknown";
}

std::vector<TraitRule> DefaultTraitRules() {
  return {
      {"name", "", ReconciliationRule::kLatest, true, {}},
      {"language", "", ReconciliationRule::kLatest, true, {}},
      {"preferred_channel", "", ReconciliationRule::kMostFrequent, true, {}},
      {"tier", "", ReconciliationRule::kSourcePriority, true, {"crm"}},
      {"consent_email", "", ReconciliationRule::kLatest, false, {}},
      {"consent_sms", "", ReconciliationRule::kLatest, false, {}},
      {"consent_voice", "", ReconciliationRule::kLatest, false, {}},
  };
}

absl::Status ValidateTraitRules(const std::vector<TraitRule>& rules) {
  if (rules.size() > kMaxTraitRules) {
    return absl::InvalidArgumentError(
        internal::StrCat("traits has ", rules.size(), " rules, more than ", kMaxTraitRules));
  }
  absl::flat_hash_set<std::string_view> fields;
  for (size_t i = 0; i < rules.size(); ++i) {
    const TraitRule& r = rules[i];
    if (r.field.empty()) {
      return absl::InvalidArgumentError(internal::StrCat("traits[", i, "].field is empty"));
    }
    if (!fields.insert(r.field).second) {
      return absl::InvalidArgumentError(internal::StrCat(
          "traits[", i, "].field '", internal::Printable(r.field), "' is listed twice"));
    }
    if (r.rule != ReconciliationRule::kSourcePriority && !r.source_priority.empty()) {
      return absl::InvalidArgumentError(internal::StrCat(
          "traits[", i, "] '", internal::Printable(r.field),
          "' has source_priority but its rule is ", ReconciliationRuleName(r.rule)));
    }
    if (static_cast<int>(r.rule) > static_cast<int>(ReconciliationRule::kMostFrequent)) {
      return absl::InvalidArgumentError(internal::StrCat(
          "traits[", i, "] '", internal::Printable(r.field), "' has an unknown rule"));
    }
  }
  return absl::OkStatus();
}

namespace {

void AddTrait(const std::vector<TraitRule>& rules, size_t i, const TouchpointEvent& event,
              const std::string& value, TraitState* state) {
  const TraitRule& rule = rules[i];
  if (value.empty() && rule.ignore_empty) return;
  TraitCandidate c;
  c.value = value;
  c.count = 1;
  c.first_seen = c.last_seen = KeyOf(event);
  c.last_source = event.source_system;
  c.best_source_rank = SourceRank(rule, event.source_system);
  if (rule.rule == ReconciliationRule::kSourcePriority) c.best_source_last_seen = c.last_seen;
  // Fields are sized on the first trait seen: most customers carry none, and seven empty
  // vectors cost ~180 B per customer.
  if (state->fields.size() < rules.size()) state->fields.resize(rules.size());
  AddCandidate(rule.rule, c, &state->fields[i]);
}

}  // namespace

void AddToTraits(const std::vector<TraitRule>& rules, const TouchpointEvent& event,
                 TraitState* state) {
  // Events carry a few attributes and most are not traits: each attribute is compared with the
  // rules' keys (a length check rejects most) instead of one map search per rule.
  for (const auto& [key, value] : event.attributes) {
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].AttributeKey() == key) AddTrait(rules, i, event, value, state);
    }
  }
}

void AbsorbTraits(const std::vector<TraitRule>& rules, const TraitState& from, TraitState* into) {
  if (into->fields.size() < from.fields.size()) into->fields.resize(from.fields.size());
  for (size_t i = 0; i < from.fields.size() && i < rules.size(); ++i) {
    for (const TraitCandidate& c : from.fields[i]) AddCandidate(rules[i].rule, c, &into->fields[i]);
  }
}

std::vector<Trait> ReconcileTraits(const std::vector<TraitRule>& rules, const TraitState& state) {
  std::vector<Trait> out;
  for (size_t i = 0; i < rules.size() && i < state.fields.size(); ++i) {
    const TraitCandidate* winner = Winner(state.fields[i]);
    if (winner == nullptr) continue;
    Trait t;
    t.field = rules[i].field;
    t.value = winner->value;
    t.rule = rules[i].rule;
    t.history = state.fields[i];
    std::sort(t.history.begin(), t.history.end(),
              [&](const TraitCandidate& a, const TraitCandidate& b) {
                if ((a.value == t.value) != (b.value == t.value)) return a.value == t.value;
                if (a.last_seen != b.last_seen) return b.last_seen < a.last_seen;
                return a.value < b.value;
              });
    out.push_back(std::move(t));
  }
  return out;
}

std::string WinningTraitValue(const std::vector<TraitRule>& rules, const TraitState& state,
                              std::string_view field) {
  for (size_t i = 0; i < rules.size() && i < state.fields.size(); ++i) {
    if (rules[i].field != field) continue;
    const TraitCandidate* winner = Winner(state.fields[i]);
    return winner == nullptr ? std::string() : winner->value;
  }
  return std::string();
}

}  // namespace switchboard
