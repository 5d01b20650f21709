#include "switchboard/sim/event_calendar.h"

#include <algorithm>

namespace switchboard::sim {
namespace {

// std heaps are max-heaps: "less" here means "later", so the earliest event is on top.
struct Later {
  bool operator()(const SimEvent& a, const SimEvent& b) const {
    if (a.time_us != b.time_us) return a.time_us > b.time_us;
    return a.sequence > b.sequence;
  }
};

}  // namespace

void EventCalendar::Schedule(std::int64_t time_us, std::uint32_t kind, std::uint64_t subject,
                             std::uint32_t aux) {
  heap_.push_back(SimEvent{time_us, next_sequence_++, kind, aux, subject});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

SimEvent EventCalendar::Pop() {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  SimEvent e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace switchboard::sim
