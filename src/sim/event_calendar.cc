#include "switchboard/sim/event_calendar.h"

namespace switchboard::sim {
namespace {

// A 4-ary heap: half the depth of a binary one, and the four children of a node share two
// cache lines. Keys (time, sequence) are unique, so the order of events never depends on the
// heap's shape.
constexpr std::size_t kArity = 4;

bool Earlier(const SimEvent& a, const SimEvent& b) {
  if (a.time_us != b.time_us) return a.time_us < b.time_us;
  return a.sequence < b.sequence;
}

}  // namespace

void EventCalendar::Schedule(std::int64_t time_us, std::uint32_t kind, std::uint64_t subject,
                             std::uint32_t aux) {
  const SimEvent e{time_us, next_sequence_++, kind, aux, subject};
  heap_.push_back(e);
  std::size_t i = heap_.size() - 1;
  while (i > 0) {  // sift the hole up
    const std::size_t parent = (i - 1) / kArity;
    if (!Earlier(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

SimEvent EventCalendar::Pop() {
  const SimEvent top = heap_.front();
  const SimEvent last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return top;
  std::size_t i = 0;
  while (true) {  // sift the hole down, refilled with `last`
    const std::size_t first = i * kArity + 1;
    if (first >= n) break;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (Earlier(heap_[c], heap_[best])) best = c;
    }
    if (!Earlier(heap_[best], last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
  return top;
}

}  // namespace switchboard::sim
