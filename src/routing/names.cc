// Printable names of the routing enums.
#include "switchboard/contact_state.h"
#include "switchboard/router_listener.h"

namespace switchboard {

std::string_view ContactStateName(ContactState state) {
  switch (state) {
    case ContactState::kWaiting: return "waiting";
    case ContactState::kOffered: return "offered";
    case ContactState::kInProgress: return "in_progress";
    case ContactState::kWrapUp: return "wrap_up";
  }
  return "unknown";
}

std::string_view RoutingEventTypeName(RoutingEventType type) {
  switch (type) {
    case RoutingEventType::kQueued: return "queued";
    case RoutingEventType::kOffered: return "offered";
    case RoutingEventType::kAccepted: return "accepted";
    case RoutingEventType::kDeclined: return "declined";
    case RoutingEventType::kExpired: return "expired";
    case RoutingEventType::kRescinded: return "rescinded";
    case RoutingEventType::kCompleted: return "completed";
    case RoutingEventType::kWrapUpEnded: return "wrap_up_ended";
    case RoutingEventType::kAbandoned: return "abandoned";
    case RoutingEventType::kTransferred: return "transferred";
    case RoutingEventType::kAgentStateChanged: return "agent_state_changed";
  }
  return "unknown";
}

}  // namespace switchboard
