#include "switchboard/skill.h"

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

absl::Status ValidateSkillName(std::string_view name, std::string_view field) {
  if (name.empty()) return absl::InvalidArgumentError(internal::StrCat(field, ".name is empty"));
  return internal::ValidateText(name, internal::StrCat(field, ".name"), kMaxNameLength);
}

absl::Status ValidateProficiency(int value, std::string_view field, std::string_view name) {
  if (value < kMinProficiency || value > kMaxProficiency) {
    return absl::InvalidArgumentError(internal::StrCat(field, " of skill '", name, "' is ", value,
                                                   ", outside ", kMinProficiency, "..",
                                                   kMaxProficiency));
  }
  return absl::OkStatus();
}

template <typename T, typename ValidateOne>
absl::Status ValidateNamedList(const std::vector<T>& items, std::string_view field,
                               ValidateOne validate_one) {
  if (items.size() > kMaxSkills) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, " has ", items.size(), " entries, more than ", kMaxSkills));
  }
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string element = internal::StrCat(field, "[", i, "]");
    SB_RETURN_IF_ERROR(validate_one(items[i], element));
    if (!seen.insert(items[i].name).second) {
      return absl::InvalidArgumentError(
          internal::StrCat(element, " repeats skill '", items[i].name, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Skill::Validate(std::string_view field) const {
  SB_RETURN_IF_ERROR(ValidateSkillName(name, field));
  return ValidateProficiency(proficiency, internal::StrCat(field, ".proficiency"), name);
}

absl::Status SkillRequirement::Validate(std::string_view field) const {
  SB_RETURN_IF_ERROR(ValidateSkillName(name, field));
  return ValidateProficiency(min_proficiency, internal::StrCat(field, ".min_proficiency"), name);
}

absl::Status ValidateSkills(const std::vector<Skill>& skills, std::string_view field) {
  return ValidateNamedList(skills, field, [](const Skill& s, std::string_view f) {
    return s.Validate(f);
  });
}

absl::Status ValidateSkillRequirements(const std::vector<SkillRequirement>& requirements,
                                       std::string_view field) {
  return ValidateNamedList(requirements, field,
                           [](const SkillRequirement& r, std::string_view f) {
                             return r.Validate(f);
                           });
}

}  // namespace switchboard
