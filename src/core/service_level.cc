#include "switchboard/service_level.h"

#include "src/internal/str_cat.h"

namespace switchboard {

absl::Status ServiceLevelTarget::Validate(std::string_view field) const {
  // `!(x > 0)` also rejects NaN.
  if (!(fraction > 0.0) || fraction > 1.0) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".fraction is ", fraction, ", outside (0, 1]"));
  }
  if (threshold <= absl::ZeroDuration() || threshold == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(internal::StrCat(field, ".threshold is ",
                                                   absl::FormatDuration(threshold),
                                                   ", it must be positive and finite"));
  }
  return absl::OkStatus();
}

}  // namespace switchboard
