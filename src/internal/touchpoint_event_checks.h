// Event validation for the journey merger, which judges identifiers one by one (a bad one is
// reported and dropped, not fatal) and so validates the rest of the event on its own.
#ifndef SWITCHBOARD_SRC_INTERNAL_TOUCHPOINT_EVENT_CHECKS_H_
#define SWITCHBOARD_SRC_INTERNAL_TOUCHPOINT_EVENT_CHECKS_H_

#include "absl/status/status.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard::internal {

// TouchpointEvent::Validate() without the identifier checks (their count included): the same
// codes and messages for every other field.
absl::Status ValidateEventExceptIdentifiers(const TouchpointEvent& event);

}  // namespace switchboard::internal

#endif  // SWITCHBOARD_SRC_INTERNAL_TOUCHPOINT_EVENT_CHECKS_H_
