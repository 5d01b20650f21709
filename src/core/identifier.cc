#include "switchboard/identifier.h"

#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

constexpr std::string_view kKindNames[kIdentifierKindCount] = {
    "phone", "email", "account_id", "social_handle", "device_id", "channel_opaque", "custom"};

bool IsKnownKind(IdentifierKind kind) {
  return static_cast<int>(kind) < kIdentifierKindCount;
}

bool NeedsScope(IdentifierKind kind) {
  return kind == IdentifierKind::kSocialHandle || kind == IdentifierKind::kCustom;
}

}  // namespace

std::string_view IdentifierKindName(IdentifierKind kind) {
  return IsKnownKind(kind) ? kKindNames[static_cast<int>(kind)] : "unknown";
}

absl::StatusOr<IdentifierKind> ParseIdentifierKind(std::string_view name) {
  for (int i = 0; i < kIdentifierKindCount; ++i) {
    if (kKindNames[i] == name) return static_cast<IdentifierKind>(i);
  }
  return absl::InvalidArgumentError(internal::StrCat("unknown identifier kind '", name, "'"));
}

absl::Status Identifier::Validate(std::string_view field) const {
  if (!IsKnownKind(kind)) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".kind ", static_cast<int>(kind), " is not a known kind"));
  }
  if (value.empty()) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, " (", IdentifierKindName(kind), ") has an empty value"));
  }
  SB_RETURN_IF_ERROR(internal::ValidateText(
      value, internal::StrCat(field, " (", IdentifierKindName(kind), ")"), kMaxIdentifierLength));
  if (NeedsScope(kind) && scope.empty()) {
    return absl::InvalidArgumentError(internal::StrCat(field, " (", IdentifierKindName(kind),
                                                   ") needs a scope (platform or kind name)"));
  }
  return internal::ValidateText(scope, internal::StrCat(field, ".scope"), kMaxNameLength);
}

absl::Status ValidateIdentifiers(const std::vector<Identifier>& identifiers,
                                 std::string_view field) {
  if (identifiers.size() > kMaxIdentifiers) {
    return absl::InvalidArgumentError(internal::StrCat(field, " has ", identifiers.size(),
                                                   " entries, more than ", kMaxIdentifiers));
  }
  for (size_t i = 0; i < identifiers.size(); ++i) {
    SB_RETURN_IF_ERROR(identifiers[i].Validate(internal::StrCat(field, "[", i, "]")));
  }
  return absl::OkStatus();
}

}  // namespace switchboard
