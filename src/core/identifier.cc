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
  return absl::InvalidArgumentError(
      internal::StrCat("unknown identifier kind '", internal::Printable(name), "'"));
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
  if (!internal::TextIsValid(value, kMaxIdentifierLength)) {
    return internal::ValidateText(value, internal::StrCat(field, " (", IdentifierKindName(kind), ")"),
                                  kMaxIdentifierLength);
  }
  if (NeedsScope(kind) && scope.empty()) {
    return absl::InvalidArgumentError(internal::StrCat(field, " (", IdentifierKindName(kind),
                                                   ") needs a scope (platform or kind name)"));
  }
  if (!internal::TextIsValid(scope, kMaxNameLength)) {
    return internal::ValidateText(scope, internal::StrCat(field, ".scope"), kMaxNameLength);
  }
  return absl::OkStatus();
}

absl::Status ValidateIdentifiers(const std::vector<Identifier>& identifiers,
                                 std::string_view field) {
  if (identifiers.size() > kMaxIdentifiers) {
    return absl::InvalidArgumentError(internal::StrCat(field, " has ", identifiers.size(),
                                                   " entries, more than ", kMaxIdentifiers));
  }
  for (size_t i = 0; i < identifiers.size(); ++i) {
    // The indexed field name is formatted only for the message of a bad entry.
    if (!identifiers[i].Validate(field).ok()) {
      return identifiers[i].Validate(internal::StrCat(field, "[", i, "]"));
    }
  }
  return absl::OkStatus();
}

}  // namespace switchboard
