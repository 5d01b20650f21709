// Private helpers shared by the wire conversions: time units, attribute maps and error prefixes.
#ifndef SWITCHBOARD_SRC_WIRE_CONVERT_INTERNAL_H_
#define SWITCHBOARD_SRC_WIRE_CONVERT_INTERNAL_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "src/internal/str_cat.h"
#include "switchboard/attributes.h"

namespace switchboard::wire_internal {

// Unix microseconds; absl rounds a time down and saturates an infinite one to the int64 limits.
inline int64_t TimeToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time MicrosToTime(int64_t micros) { return absl::FromUnixMicros(micros); }
// The whole nanoseconds of `t` past TimeToMicros(t): 0..999, and 0 for a time beyond the range
// of int64 microseconds (held at its ends, as TimeToMicros does).
inline int32_t NanosPastMicros(absl::Time t) {
  const absl::Duration past = t - MicrosToTime(TimeToMicros(t));
  if (past < absl::ZeroDuration() || past >= absl::Microseconds(1)) return 0;
  return static_cast<int32_t>(absl::ToInt64Nanoseconds(past));
}
// Microseconds, truncated toward zero.
inline int64_t DurationToMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }
inline absl::Duration MicrosToDuration(int64_t micros) { return absl::Microseconds(micros); }

inline void AttributesToProto(const Attributes& attributes,
                              google::protobuf::Map<std::string, std::string>* out) {
  for (const auto& [key, value] : attributes) (*out)[key] = value;
}

inline Attributes AttributesFromProto(const google::protobuf::Map<std::string, std::string>& in) {
  // Attributes is ordered, so the result does not depend on the map's iteration order.
  return Attributes(in.begin(), in.end());
}

// `status` with `prefix` in front of its message, so errors name the object they come from.
inline absl::Status Prefixed(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat(prefix, status.message()));
}

}  // namespace switchboard::wire_internal

#endif  // SWITCHBOARD_SRC_WIRE_CONVERT_INTERNAL_H_
