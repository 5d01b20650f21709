// A service-level target: `fraction` of contacts answered within `threshold` (the classic
// "80/20": 80% within 20 seconds).
//
// Thread-safety: plain values.
//
//   switchboard::ServiceLevelTarget sl{0.8, absl::Seconds(20)};
#ifndef SWITCHBOARD_SERVICE_LEVEL_H_
#define SWITCHBOARD_SERVICE_LEVEL_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "switchboard/export.h"

namespace switchboard {

struct ServiceLevelTarget {
  double fraction = 0.8;                         // in (0, 1]
  absl::Duration threshold = absl::Seconds(20);  // > 0

  SWITCHBOARD_EXPORT absl::Status Validate(std::string_view field = "service_level") const;
  friend bool operator==(const ServiceLevelTarget&, const ServiceLevelTarget&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_SERVICE_LEVEL_H_
