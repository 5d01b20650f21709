#include "switchboard/context_snapshot.h"

#include <algorithm>
#include <string>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

absl::Status CheckRange(int value, int lo, int hi, std::string_view field) {
  if (value < lo || value > hi) {
    return absl::InvalidArgumentError(
        internal::StrCat("snapshot.", field, " is ", value, ", outside ", lo, "..", hi));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SnapshotOptions::Validate() const {
  for (absl::Status s : {CheckRange(max_touchpoints, 1, 100, "max_touchpoints"),
                         CheckRange(max_summary_bytes, 16, 4096, "max_summary_bytes"),
                         CheckRange(max_notes, 0, 50, "max_notes"),
                         CheckRange(max_open_cases, 0, 50, "max_open_cases"),
                         CheckRange(max_candidates, 2, 20, "max_candidates")}) {
    if (!s.ok()) return s;
  }
  if (repeat_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("snapshot.repeat_window must be positive");
  }
  if (verification_valid_for <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("snapshot.verification_valid_for must be positive");
  }
  return absl::OkStatus();
}

absl::Status RoutingInputOptions::Validate() const {
  if (intent_min_proficiency < kMinProficiency || intent_min_proficiency > kMaxProficiency) {
    return absl::InvalidArgumentError(internal::StrCat(
        "routing_input.intent_min_proficiency is ", intent_min_proficiency, ", outside ",
        kMinProficiency, "..", kMaxProficiency));
  }
  if (last_agent_wait < absl::ZeroDuration() || last_agent_wait > kMaxPreferredAgentWait) {
    return absl::InvalidArgumentError(
        internal::StrCat("routing_input.last_agent_wait is ",
                         absl::FormatDuration(last_agent_wait), ", outside 0..",
                         absl::FormatDuration(kMaxPreferredAgentWait)));
  }
  return internal::ValidateText(intent_skill_prefix, "routing_input.intent_skill_prefix",
                                kMaxNameLength);
}

absl::Status ApplySnapshotToContact(const ContextSnapshot& snapshot,
                                    const RoutingInputOptions& options, Contact* contact) {
  if (contact == nullptr) {
    return absl::InvalidArgumentError("ApplySnapshotToContact: the contact pointer is null");
  }
  // Checked even when they would not be used (an ambiguous snapshot, no last agent), so that a
  // bad setting shows on the first call rather than on the first customer it applies to.
  SB_RETURN_IF_ERROR(options.Validate());
  const std::string whose =
      snapshot.customer.has_value()
          ? internal::StrCat("customer '", internal::Printable(snapshot.customer->value()), "'")
          : std::string("an ambiguous customer");
  // Tenants never mix: another tenant's agent, intent and tier mean nothing here. Checked, as
  // the contact is, also when the snapshot is ambiguous and would change nothing: the call's
  // answer does not depend on what the merger happened to find.
  if (snapshot.tenant != contact->tenant) {
    return absl::InvalidArgumentError(internal::StrCat(
        "the snapshot of ", whose, " is of tenant '", internal::Printable(snapshot.tenant.value()),
        "', the contact of '", internal::Printable(contact->tenant.value()), "'"));
  }
  if (!snapshot.customer.has_value()) {
    if (absl::Status s = contact->Validate(); !s.ok()) {
      return absl::InvalidArgumentError(
          internal::StrCat("applying the snapshot of ", whose, ": ", s.message()));
    }
    return absl::OkStatus();
  }
  // Snapshot fields are event attributes, checked when ingested only as attribute text: each is
  // applied only when it passes its own type's check, so one bad value (an agent id with a
  // space, a 4 KiB intent, "en_US") is skipped alone instead of costing the whole routing input.
  Contact next = *contact;
  if (options.prefer_last_agent && snapshot.last_agent && !next.preferred_agent &&
      snapshot.last_agent->Validate().ok()) {
    next.preferred_agent = snapshot.last_agent;
    next.preferred_agent_wait = options.last_agent_wait;
  }
  const std::string& intent = next.intent.empty() ? snapshot.last_intent : next.intent;
  if (!intent.empty()) {
    SkillRequirement skill{internal::StrCat(options.intent_skill_prefix, intent),
                           options.intent_min_proficiency, options.intent_skill_required};
    bool present = std::any_of(next.required_skills.begin(), next.required_skills.end(),
                               [&](const SkillRequirement& r) { return r.name == skill.name; });
    // A full list is skipped too: the intent is a hint, the contact's own skills come first.
    if (!present && skill.Validate().ok() && next.required_skills.size() < kMaxSkills) {
      next.required_skills.push_back(std::move(skill));
    }
  }
  // Only a priority in range is raised: clamping one that is already out of range (-5,
  // INT_MAX) would pass bad input off as valid. Left as it is, Validate() below reports it.
  if (next.priority >= 0 && next.priority <= kMaxContactPriority) {
    int64_t priority = next.priority;  // int64: int + int + int cannot overflow it
    if (auto it = options.tier_priority.find(snapshot.tier); it != options.tier_priority.end()) {
      priority += it->second;
    }
    if (snapshot.repeat_contact) priority += options.repeat_priority;
    next.priority = static_cast<int>(std::clamp<int64_t>(priority, 0, kMaxContactPriority));
  }
  if (next.language.empty() && ValidateLanguageTag(snapshot.language, "language").ok()) {
    next.language = snapshot.language;
  }
  // What is left to fail is the contact's own (a priority out of range, a bad id): the snapshot
  // adds only values that passed their checks above.
  if (absl::Status s = next.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(
        internal::StrCat("applying the snapshot of ", whose, ": ", s.message()));
  }
  *contact = std::move(next);
  return absl::OkStatus();
}

}  // namespace switchboard
