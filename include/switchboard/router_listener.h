// The router's only way back into the host: every decision and state change becomes one
// RoutingEvent, delivered in the order it happened.
//
// Thread-safety: the router calls OnEvent on the thread that called the router, after the call's
// state change is complete. OnEvent may call back into the router (e.g. Accept an offer at
// once); events that call causes are delivered after the ones already pending, so the listener
// always sees one global order. The event passed stays valid until OnEvent returns, calls back
// included. Queries made from OnEvent see the router after every pending event (the ones not
// yet delivered included). OnEvent must not destroy the router, and a listener whose reactions
// keep causing events (abandoning on every kQueued a contact it re-enqueues on kAbandoned)
// keeps the host's call from returning. OnEvent must not throw; if it does, the exception
// reaches the host's router call (whose state change is already complete) and the events not
// yet delivered come first with the next call's.
//
//   class Log : public switchboard::RouterListener {
//    public:
//     void OnEvent(const switchboard::RoutingEvent& e) override {
//       std::printf("%s %s\n", std::string(RoutingEventTypeName(e.type)).c_str(),
//                   e.contact.value().c_str());
//     }
//   };
#ifndef SWITCHBOARD_ROUTER_LISTENER_H_
#define SWITCHBOARD_ROUTER_LISTENER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/offer.h"

namespace switchboard {

enum class RoutingEventType : unsigned char {
  kQueued = 0,         // contact entered a queue (Enqueue, TransferToQueue)
  kOffered,            // offer made: `offer` is set
  kAccepted,           // offer accepted: `offer` is set
  kDeclined,           // offer declined by the agent: `offer` is set
  kExpired,            // offer not answered before its expiry (reported by the next Tick or
                       // other mutating call): `offer` is set
  kRescinded,          // offer withdrawn by the host or by the agent going away: `offer` is set
  kCompleted,          // Complete(): `text` holds the disposition
  kWrapUpEnded,        // the contact's wrap-up is over (at once, right after kCompleted, when
                       // the queue has none); it leaves the router
  kAbandoned,          // the customer left while waiting or offered
  kTransferred,        // `to_queue` or `to_agent` is set; `text` holds the note
  kAgentStateChanged,  // `agent_status` and `previous_status` are set
};

// "queued", "offered", "accepted", ...
SWITCHBOARD_EXPORT std::string_view RoutingEventTypeName(RoutingEventType type);

// A set of event types, one bit per RoutingEventType.
using RoutingEventMask = std::uint32_t;
constexpr RoutingEventMask EventBit(RoutingEventType type) {
  return RoutingEventMask{1} << static_cast<unsigned>(type);
}
inline constexpr RoutingEventMask kAllRoutingEvents = ~RoutingEventMask{0};

struct RoutingEvent {
  RoutingEventType type = RoutingEventType::kQueued;
  // When it happened: the router's time of the call that caused it, or for the work of a timer
  // (an offer expiry, a wrap-up end, a membership delay) the time the timer fell due.
  absl::Time at = absl::UnixEpoch();
  ContactId contact;                  // empty for kAgentStateChanged
  AgentId agent;                      // empty when no agent is involved
  QueueId queue;                      // the contact's queue (the source queue of a transfer)
  std::optional<Offer> offer;
  QueueId to_queue;
  AgentId to_agent;
  std::string text;  // disposition, transfer note
  AgentStatus agent_status;
  AgentStatus previous_status;

  friend bool operator==(const RoutingEvent&, const RoutingEvent&) = default;
};

// Interface the host implements. See the thread-safety note above.
class SWITCHBOARD_EXPORT RouterListener {
 public:
  virtual ~RouterListener() = default;
  virtual void OnEvent(const RoutingEvent& event) = 0;
  // The event types this listener wants, e.g.
  // `EventBit(RoutingEventType::kOffered) | EventBit(RoutingEventType::kAccepted)`. The router
  // reads it once, when it is created, and does not build the other events at all (each event
  // copies its ids, so a host that needs a few types saves that work). Default: all.
  virtual RoutingEventMask Interests() const { return kAllRoutingEvents; }
};

}  // namespace switchboard

#endif  // SWITCHBOARD_ROUTER_LISTENER_H_
