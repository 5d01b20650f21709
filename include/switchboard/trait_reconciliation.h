// Per-field reconciliation of customer traits (name, language, preferred channel, tier, consent
// flags...). Each event may carry a trait as an attribute; every value ever seen stays in the
// trait's history and one wins by the field's rule. The aggregates are commutative, so the winner
// does not depend on the order events arrive in. Contact points (phones, e-mails) are identifiers,
// not traits: they are all kept, never reconciled.
//
// Thread-safety: plain values and pure functions.
//
//   std::vector<switchboard::TraitRule> rules = switchboard::DefaultTraitRules();
//   rules.push_back({"plan", "plan_code", switchboard::ReconciliationRule::kSourcePriority,
//                    true, {"billing", "crm"}});
//   switchboard::TraitState state;
//   switchboard::AddToTraits(rules, event, &state);
//   for (const switchboard::Trait& t : switchboard::ReconcileTraits(rules, state)) { ... }
#ifndef SWITCHBOARD_TRAIT_RECONCILIATION_H_
#define SWITCHBOARD_TRAIT_RECONCILIATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "switchboard/event_key.h"
#include "switchboard/export.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard {

enum class ReconciliationRule : unsigned char {
  kLatest = 0,      // the value of the latest event (occurred-at, then event id)
  kSourcePriority,  // the value from the most trusted source system; ties: the one that
                    // source stated latest
  kFirstSeen,       // the value of the earliest event
  kMostFrequent,    // the value seen in most events; ties: latest
};

SWITCHBOARD_EXPORT std::string_view ReconciliationRuleName(ReconciliationRule rule);

struct TraitRule {
  std::string field;      // trait name, e.g. "language"
  std::string attribute;  // event attribute carrying it; empty = same as field
  ReconciliationRule rule = ReconciliationRule::kLatest;
  // Skip empty values (an empty form field does not erase a known language). Default: true.
  bool ignore_empty = true;
  // For kSourcePriority: source systems, most trusted first; unlisted sources rank after all.
  std::vector<std::string> source_priority;

  std::string_view AttributeKey() const { return attribute.empty() ? field : attribute; }
  friend bool operator==(const TraitRule&, const TraitRule&) = default;
};

// name (latest), language (latest), preferred_channel (most frequent), tier (source priority:
// "crm" first), consent_email / consent_sms / consent_voice (latest, empty not ignored: an empty
// value withdraws consent).
SWITCHBOARD_EXPORT std::vector<TraitRule> DefaultTraitRules();

// InvalidArgument naming the field: empty or repeated field, an unknown rule, a source priority
// list on another rule; and (naming no field) more than 64 rules.
SWITCHBOARD_EXPORT absl::Status ValidateTraitRules(const std::vector<TraitRule>& rules);

// One value a trait has taken, with the evidence for it.
struct TraitCandidate {
  std::string value;
  int64_t count = 0;    // events that carried it
  EventKey first_seen;  // earliest event with this value
  EventKey last_seen;   // latest event with this value
  std::string last_source;  // source system of last_seen
  int best_source_rank = 0;  // smallest rank of its sources (see TraitRule::source_priority)
  // kSourcePriority only (else empty): the latest event from a source of that rank, so that a
  // less trusted source repeating a value does not make it the trusted source's latest word.
  EventKey best_source_last_seen;
  friend bool operator==(const TraitCandidate&, const TraitCandidate&) = default;
};

// The aggregate state of every trait of one customer: candidates per rule, in rule order, each
// field's winner first (AddToTraits and AbsorbTraits keep it there, so reading a winner costs the
// same however many values the trait has taken; build a TraitState only through them).
struct TraitState {
  std::vector<std::vector<TraitCandidate>> fields;
  friend bool operator==(const TraitState&, const TraitState&) = default;
};

// A reconciled trait: the winner and every value that competed (winner included), winner first
// then by last_seen, newest first.
struct Trait {
  std::string field;
  std::string value;
  ReconciliationRule rule = ReconciliationRule::kLatest;
  std::vector<TraitCandidate> history;
  friend bool operator==(const Trait&, const Trait&) = default;
};

// Adds the traits `event` carries. Each event must be added once.
SWITCHBOARD_EXPORT void AddToTraits(const std::vector<TraitRule>& rules, const TouchpointEvent& event,
                                    TraitState* state);
// Folds `from` into `into` (two customers merged), both built with `rules`. Commutative with
// AddToTraits.
SWITCHBOARD_EXPORT void AbsorbTraits(const std::vector<TraitRule>& rules, const TraitState& from,
                                     TraitState* into);
// The winners; fields with no value seen are left out.
SWITCHBOARD_EXPORT std::vector<Trait> ReconcileTraits(const std::vector<TraitRule>& rules,
                                                      const TraitState& state);
// The winning value of one field, or "" when none. Cheaper than ReconcileTraits.
SWITCHBOARD_EXPORT std::string WinningTraitValue(const std::vector<TraitRule>& rules,
                                                 const TraitState& state, std::string_view field);

}  // namespace switchboard

#endif  // SWITCHBOARD_TRAIT_RECONCILIATION_H_
