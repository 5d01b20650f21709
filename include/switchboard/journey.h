// A journey: every touchpoint of one resolved customer, in occurred-at order (ties by event id).
// The journey merger builds and owns journeys; hosts read copies.
//
// Thread-safety: plain value.
//
//   switchboard::Journey j;
//   j.tenant = switchboard::TenantId("acme");
//   j.customer = switchboard::CustomerId("cust-1");
//   j.events.push_back(email_event);
//   j.events.push_back(chat_event);
//   absl::Status s = j.Validate();  // also checks order and unique event ids
#ifndef SWITCHBOARD_JOURNEY_H_
#define SWITCHBOARD_JOURNEY_H_

#include <vector>

#include "absl/status/status.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard {

struct Journey {
  TenantId tenant;
  CustomerId customer;
  std::vector<TouchpointEvent> events;  // JourneyOrderLess order, no repeated id

  // OK, or InvalidArgument naming the customer and the first offending event: invalid ids,
  // an event of another tenant, events out of order or repeated.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
  friend bool operator==(const Journey&, const Journey&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_JOURNEY_H_
