// An offer (a "reservation" in Twilio TaskRouter): the router proposes one contact to one agent
// and waits for the host to accept or decline it before `expires_at`.
//
// Thread-safety: plain values.
//
//   // in RouterListener::OnEvent, for RoutingEventType::kOffered:
//   const switchboard::Offer& offer = *event.offer;
//   ring(offer.agent, offer.contact);               // host-side UI
//   router->Accept(offer.id);                       // later, when the agent answers
#ifndef SWITCHBOARD_OFFER_H_
#define SWITCHBOARD_OFFER_H_

#include <compare>
#include <cstdint>
#include <ostream>

#include "absl/time/time.h"
#include "switchboard/channel.h"
#include "switchboard/ids.h"

namespace switchboard {

// Names one offer of one router. Allocated by the router from 1 upwards, never reused.
struct OfferId {
  std::uint64_t value = 0;

  friend bool operator==(const OfferId&, const OfferId&) = default;
  friend auto operator<=>(const OfferId&, const OfferId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const OfferId& id) {
    return H::combine(std::move(h), id.value);
  }
  friend std::ostream& operator<<(std::ostream& os, const OfferId& id) {
    return os << "offer-" << id.value;
  }
};

struct Offer {
  OfferId id;
  ContactId contact;
  AgentId agent;
  QueueId queue;  // the queue the contact waits in (its current queue for a direct transfer)
  Channel channel = Channel::kVoice;
  absl::Time offered_at = absl::UnixEpoch();
  // The offer expires at this time (offered_at + the queue's offer_timeout when the offer was
  // made; a later UpdateQueue does not move it). From then on Accept
  // and Decline fail with FailedPrecondition; the next Router::Tick() or other mutating call (an
  // Accept of this offer included) reports kExpired first.
  absl::Time expires_at = absl::UnixEpoch();
  int attempt = 1;      // 1 for the contact's first offer, 2 for its second...
  bool direct = false;  // made by TransferToAgent, not chosen by the strategy

  friend bool operator==(const Offer&, const Offer&) = default;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_OFFER_H_
