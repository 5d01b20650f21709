// The waiting contacts of one pool as agents with one membership delay see them: those that
// have waited the delay out in their queue, in queue order, and the rest by the time they
// entered the queue. An agent-free selection whose pool front is too young for the agent reads
// the first of the former, instead of passing the young contacts one by one.
//
// Queue order ranks by priority and arrival (moved by any age adjustment), not by the time a
// contact entered this queue (a transfer keeps the arrival), so the contacts old enough for a
// delay are not a prefix of queue order, and passing them was a scan. Here each contact moves
// from `pending` to `ready` once, when the delay has passed, at O(log n).
//
// Thread-safety: none (owned by one pool of the indexed selector).
#ifndef SWITCHBOARD_SRC_ROUTING_DELAYED_VIEW_H_
#define SWITCHBOARD_SRC_ROUTING_DELAYED_VIEW_H_

#include <cstddef>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/internal/str_cat.h"
#include "src/routing/model.h"

namespace switchboard::routing {

using ContactMap = absl::btree_map<ContactKey, ContactRec*>;

class DelayedView {
 public:
  // A view of `contacts` (a pool's, every key and queued_at set) as of `now`.
  DelayedView(absl::Duration delay, absl::Time now, const ContactMap& contacts)
      : delay_(delay), as_of_(now) {
    for (const auto& [key, c] : contacts) Add(*c);
  }

  absl::Duration delay() const { return delay_; }

  // Joins and leaves the view followed since it was last read: once they pass the pool's size,
  // keeping it has cost about what rebuilding it would (each is O(log n), a rebuild
  // O(n log n)), and its pool drops it.
  std::size_t upkeep() const { return upkeep_; }

  // A contact joins or leaves the pool (its key and queued_at as when it joined).
  void Add(ContactRec& c) {
    ++upkeep_;
    if (DelayMet(c, delay_, as_of_)) {
      ready_.emplace(c.key, &c);
    } else {
      pending_.emplace(PendingKey{c.queued_at, c.key}, &c);
    }
  }
  void Remove(const ContactRec& c) {
    ++upkeep_;
    if (ready_.erase(c.key) == 0) pending_.erase(PendingKey{c.queued_at, c.key});
  }

  // The contacts that have waited the delay by `now`, in queue order; null when `now` is before
  // an earlier call's, which the view cannot undo (the router's time never goes back; the view
  // does not rely on it).
  const ContactMap* ReadyAt(absl::Time now) {
    if (now < as_of_) return nullptr;
    as_of_ = now;
    upkeep_ = 0;
    while (!pending_.empty() && DelayMet(*pending_.begin()->second, delay_, now)) {
      ContactRec* c = pending_.begin()->second;
      pending_.erase(pending_.begin());
      ready_.emplace(c->key, c);
    }
    return &ready_;
  }

  // The view holds exactly the pool's `contacts`, each on the side its wait puts it.
  absl::Status Check(const ContactMap& contacts) const {
    if (ready_.size() + pending_.size() != contacts.size()) {
      return absl::InternalError(internal::StrCat("a delayed view holds ",
                                                  ready_.size() + pending_.size(),
                                                  " contacts, its pool ", contacts.size()));
    }
    for (const auto& [key, c] : ready_) {
      if (!InPool(contacts, key, c) || !DelayMet(*c, delay_, as_of_)) {
        return absl::InternalError(
            internal::StrCat("contact ", c->id.value(), " is ready in a delayed view wrongly"));
      }
    }
    for (const auto& [key, c] : pending_) {
      if (!InPool(contacts, key.key, c) || !(key.queued_at == c->queued_at) ||
          DelayMet(*c, delay_, as_of_)) {
        return absl::InternalError(
            internal::StrCat("contact ", c->id.value(), " is pending in a delayed view wrongly"));
      }
    }
    return absl::OkStatus();
  }

 private:
  struct PendingKey {
    absl::Time queued_at;
    ContactKey key;  // unique, so that equal times keep both contacts
    friend bool operator<(const PendingKey& x, const PendingKey& y) {
      if (x.queued_at != y.queued_at) return x.queued_at < y.queued_at;
      return x.key < y.key;
    }
  };

  static bool InPool(const ContactMap& contacts, const ContactKey& key, const ContactRec* c) {
    auto it = contacts.find(key);
    return it != contacts.end() && it->second == c && c->key == key;
  }

  absl::Duration delay_;
  absl::Time as_of_;  // ready_ holds the contacts that had waited delay_ by then
  std::size_t upkeep_ = 0;
  ContactMap ready_;
  absl::btree_map<PendingKey, ContactRec*> pending_;
};

}  // namespace switchboard::routing

#endif  // SWITCHBOARD_SRC_ROUTING_DELAYED_VIEW_H_
