// Skills an agent has and skills a contact needs. Proficiency runs from kMinProficiency (1,
// novice) to kMaxProficiency (10, expert): a finer scale than the 1..5 levels of Genesys Cloud
// and Amazon Connect.
//
// Thread-safety: plain values.
//
//   switchboard::Skill billing{"billing", 7};
//   switchboard::SkillRequirement need{"billing", /*min_proficiency=*/5, /*required=*/true};
//   bool ok = need.IsMetBy(billing);  // true
#ifndef SWITCHBOARD_SKILL_H_
#define SWITCHBOARD_SKILL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "switchboard/export.h"

namespace switchboard {

// A skill an agent holds, with its proficiency.
struct Skill {
  std::string name;
  int proficiency = 1;  // kMinProficiency..kMaxProficiency

  // InvalidArgument naming `field` for an empty or oversized name or proficiency out of range.
  SWITCHBOARD_EXPORT absl::Status Validate(std::string_view field = "skill") const;
  friend bool operator==(const Skill&, const Skill&) = default;
};

// A skill a contact or queue asks for. A required skill must be met for the agent to be
// eligible; an optional one only raises the agent's score in scored strategies.
struct SkillRequirement {
  std::string name;
  int min_proficiency = 1;  // kMinProficiency..kMaxProficiency
  bool required = true;

  SWITCHBOARD_EXPORT absl::Status Validate(std::string_view field = "skill_requirement") const;
  bool IsMetBy(const Skill& skill) const {
    return skill.name == name && skill.proficiency >= min_proficiency;
  }
  friend bool operator==(const SkillRequirement&, const SkillRequirement&) = default;
};

// Validates each entry and rejects a name that appears twice. `field` prefixes the error, which
// names the index: "agent.skills[3].proficiency ...".
SWITCHBOARD_EXPORT absl::Status ValidateSkills(const std::vector<Skill>& skills,
                                               std::string_view field);
SWITCHBOARD_EXPORT absl::Status ValidateSkillRequirements(
    const std::vector<SkillRequirement>& requirements, std::string_view field);

}  // namespace switchboard

#endif  // SWITCHBOARD_SKILL_H_
