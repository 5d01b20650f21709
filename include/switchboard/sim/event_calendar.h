// The simulator's event calendar: a binary min-heap of events keyed by (time, sequence). Events
// at the same time come out in the order they were scheduled, so a run never depends on how the
// heap breaks ties: the same scenario and seed replay exactly.
//
// Thread-safety: not thread-safe; one calendar per simulation run.
//
//   sim::EventCalendar calendar;
//   calendar.Schedule(/*time_us=*/5'000'000, /*kind=*/1, /*subject=*/42);
//   while (!calendar.empty()) {
//     sim::SimEvent e = calendar.Pop();
//     ...  // may Schedule() more events at or after e.time_us
//   }
#ifndef SWITCHBOARD_SIM_EVENT_CALENDAR_H_
#define SWITCHBOARD_SIM_EVENT_CALENDAR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "switchboard/export.h"

namespace switchboard::sim {

struct SimEvent {
  std::int64_t time_us = 0;  // simulated microseconds since the start of the run
  std::uint64_t sequence = 0;  // schedule order; breaks ties between equal times
  std::uint32_t kind = 0;      // the caller's event type
  std::uint32_t aux = 0;       // a small extra argument (an attempt or offer number)
  std::uint64_t subject = 0;   // the caller's object: a contact or agent index
};

class SWITCHBOARD_EXPORT EventCalendar {
 public:
  // Adds an event. O(log n).
  void Schedule(std::int64_t time_us, std::uint32_t kind, std::uint64_t subject,
                std::uint32_t aux = 0);
  // The earliest event (ties: the first scheduled). Precondition: !empty().
  const SimEvent& Top() const { return heap_.front(); }
  // Removes and returns the earliest event. Precondition: !empty(). O(log n).
  SimEvent Pop();

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void Reserve(std::size_t n) { heap_.reserve(n); }
  // Events scheduled since construction.
  std::uint64_t scheduled() const { return next_sequence_; }

 private:
  std::vector<SimEvent> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_EVENT_CALENDAR_H_
