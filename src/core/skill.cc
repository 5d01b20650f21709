#include "switchboard/skill.h"

#include <optional>

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

// Field names are formatted only once a check has failed: contacts are validated on every
// Enqueue, so the success path must not allocate.
absl::Status ValidateSkillName(std::string_view name, std::string_view field) {
  if (name.empty()) return absl::InvalidArgumentError(internal::StrCat(field, ".name is empty"));
  if (internal::TextIsValid(name, kMaxNameLength)) return absl::OkStatus();
  return internal::ValidateText(name, internal::StrCat(field, ".name"), kMaxNameLength);
}

absl::Status ValidateProficiency(int value, std::string_view field, std::string_view suffix,
                                 std::string_view name) {
  if (value < kMinProficiency || value > kMaxProficiency) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, suffix, " of skill '", internal::Printable(name), "' is ", value,
                         ", outside ", kMinProficiency, "..", kMaxProficiency));
  }
  return absl::OkStatus();
}

// Short lists (the usual case) are checked for repeats without allocating a set.
constexpr size_t kMaxListForPairwiseCheck = 16;

template <typename T>
std::optional<size_t> FirstRepeat(const std::vector<T>& items) {
  if (items.size() <= kMaxListForPairwiseCheck) {
    for (size_t i = 1; i < items.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (items[j].name == items[i].name) return i;
      }
    }
    return std::nullopt;
  }
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!seen.insert(items[i].name).second) return i;
  }
  return std::nullopt;
}

template <typename T, typename ValidateOne>
absl::Status ValidateNamedList(const std::vector<T>& items, std::string_view field,
                               ValidateOne validate_one) {
  if (items.size() > kMaxSkills) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, " has ", items.size(), " entries, more than ", kMaxSkills));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (!validate_one(items[i], field).ok()) {
      return validate_one(items[i], internal::StrCat(field, "[", i, "]"));
    }
  }
  if (std::optional<size_t> repeat = FirstRepeat(items)) {
    return absl::InvalidArgumentError(internal::StrCat(
        field, "[", *repeat, "] repeats skill '", internal::Printable(items[*repeat].name), "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Skill::Validate(std::string_view field) const {
  SB_RETURN_IF_ERROR(ValidateSkillName(name, field));
  return ValidateProficiency(proficiency, field, ".proficiency", name);
}

absl::Status SkillRequirement::Validate(std::string_view field) const {
  SB_RETURN_IF_ERROR(ValidateSkillName(name, field));
  return ValidateProficiency(min_proficiency, field, ".min_proficiency", name);
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
