#include "switchboard/attributes.h"

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "switchboard/limits.h"

namespace switchboard {

absl::Status ValidateAttributes(const Attributes& attributes, std::string_view field) {
  if (attributes.size() > kMaxAttributes) {
    return absl::InvalidArgumentError(internal::StrCat(field, " has ", attributes.size(),
                                                   " entries, more than ", kMaxAttributes));
  }
  for (const auto& [key, value] : attributes) {
    if (key.empty()) return absl::InvalidArgumentError(internal::StrCat(field, " has an empty key"));
    if (key.size() > kMaxAttributeKeyLength) {
      // Quoted as caller text always is (escaped): the key is the host's input.
      return absl::InvalidArgumentError(
          internal::StrCat(field, " key '", internal::Printable(key.substr(0, 32)),
                           "...' is longer than ", kMaxAttributeKeyLength, " bytes"));
    }
    if (!internal::IsValidUtf8(key)) {
      return absl::InvalidArgumentError(internal::StrCat(
          field, " key '", internal::Printable(key), "' is not UTF-8"));
    }
    // The field name is formatted only for a bad value: events and contacts carry many.
    if (!internal::TextIsValid(value, kMaxAttributeValueLength)) {
      return internal::ValidateText(value,
                                    internal::StrCat(field, "['", internal::Printable(key), "']"),
                                    kMaxAttributeValueLength);
    }
  }
  return absl::OkStatus();
}

}  // namespace switchboard
