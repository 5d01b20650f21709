#include "switchboard/journey.h"

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/status_macros.h"

namespace switchboard {
namespace {

absl::Status ValidateFields(const Journey& j) {
  SB_RETURN_IF_ERROR(j.tenant.Validate("journey.tenant"));
  SB_RETURN_IF_ERROR(j.customer.Validate("journey.customer"));
  absl::flat_hash_set<std::string_view> ids;
  for (size_t i = 0; i < j.events.size(); ++i) {
    const TouchpointEvent& e = j.events[i];
    SB_RETURN_IF_ERROR(e.Validate());
    if (!ids.insert(e.id.value()).second) {
      return absl::InvalidArgumentError(internal::StrCat("journey.events[", i, "] repeats event '",
                                                         internal::Printable(e.id.value()), "'"));
    }
    if (e.tenant != j.tenant) {
      return absl::InvalidArgumentError(
          internal::StrCat("journey.events[", i, "] '", internal::Printable(e.id.value()),
                           "' belongs to tenant '", internal::Printable(e.tenant.value()), "'"));
    }
    if (i > 0 && !JourneyOrderLess(j.events[i - 1], e)) {
      return absl::InvalidArgumentError(internal::StrCat(
          "journey.events[", i, "] '", internal::Printable(e.id.value()), "' is out of order"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Journey::Validate() const {
  absl::Status status = ValidateFields(*this);
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat("journey of customer '",
                                                      internal::Printable(customer.value()),
                                                      "': ", status.message()));
}

}  // namespace switchboard
