// The canonical position of an event in a journey: occurred-at, ties broken by event id. The
// journey merger evaluates every rule in this order, which is what makes its results independent
// of the order events arrive in.
//
// Thread-safety: plain value.
//
//   switchboard::EventKey a{absl::FromUnixSeconds(10), "mail-1"};
//   switchboard::EventKey b = switchboard::KeyOf(chat_event);
//   bool earlier = a < b;
#ifndef SWITCHBOARD_EVENT_KEY_H_
#define SWITCHBOARD_EVENT_KEY_H_

#include <string>

#include "absl/time/time.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard {

struct EventKey {
  absl::Time at = absl::InfinitePast();  // InfinitePast() = "no event"
  std::string id;

  bool empty() const { return at == absl::InfinitePast(); }
  friend bool operator==(const EventKey&, const EventKey&) = default;
  friend bool operator<(const EventKey& a, const EventKey& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.id < b.id;
  }
};

inline EventKey KeyOf(const TouchpointEvent& e) { return EventKey{e.occurred_at, e.id.value()}; }

}  // namespace switchboard

#endif  // SWITCHBOARD_EVENT_KEY_H_
