// The one place Switchboard reads time. Every component takes a Clock so that tests and the
// simulator drive time by hand and the same inputs give the same decisions.
//
// Thread-safety: RealClock is safe to share. ManualClock is safe to read concurrently but
// Advance()/Set() must not race with readers (drive it from the thread that owns the router).
//
//   switchboard::ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
//   clock.Advance(absl::Seconds(20));
//   absl::Time now = clock.Now();
#ifndef SWITCHBOARD_CLOCK_H_
#define SWITCHBOARD_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "switchboard/export.h"

namespace switchboard {

class SWITCHBOARD_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// Wall-clock time from absl::Now(). It can step back (an NTP correction); the router then keeps
// its latest time until the clock catches up, and contacts stamped meanwhile show the step in
// their wait (docs/routing.md, "Guarantees").
class SWITCHBOARD_EXPORT RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// Time that moves only when told to. Never moves backwards: Advance() ignores a negative step
// and Set() ignores a time earlier than Now().
class SWITCHBOARD_EXPORT ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration step) {
    if (step > absl::ZeroDuration()) now_ += step;
  }
  void Set(absl::Time t) {
    if (t > now_) now_ = t;
  }

 private:
  absl::Time now_;
};

}  // namespace switchboard

#endif  // SWITCHBOARD_CLOCK_H_
