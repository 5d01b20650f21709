#include "switchboard/ids.h"

#include "src/internal/str_cat.h"
#include "switchboard/limits.h"

namespace switchboard {

absl::Status ValidateIdText(std::string_view text, std::string_view field) {
  if (text.empty()) return absl::InvalidArgumentError(internal::StrCat(field, " is empty"));
  if (text.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(internal::StrCat(field, " is ", text.size(),
                                                   " bytes, more than ", kMaxIdLength));
  }
  for (char c : text) {
    // Printable ASCII without space: ids travel in logs, URLs and SIP headers unescaped.
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(internal::StrCat(
          field, " '", internal::Printable(text), "' has a space, control or non-ASCII character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace switchboard
