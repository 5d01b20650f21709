#include "src/sim/accounting.h"

#include <algorithm>
#include <cmath>

namespace switchboard::sim::internal_sim {

Accounting::Accounting(int queues, int intervals, double interval_s, double warmup_s,
                       double horizon_s)
    : interval_s_(interval_s),
      warmup_s_(warmup_s),
      horizon_s_(horizon_s),
      per_queue_(static_cast<size_t>(queues)),
      per_interval_(static_cast<size_t>(intervals)) {}

int Accounting::IntervalOf(double time_s) const {
  const int last = static_cast<int>(per_interval_.size()) - 1;
  if (time_s <= 0) return 0;
  return std::min(last, static_cast<int>(time_s / interval_s_));
}

double Accounting::Overlap(double a, double b) const {
  return std::max(0.0, std::min(b, horizon_s_) - std::max(a, warmup_s_));
}

void Accounting::AddSpan(double start_s, double end_s, double weight,
                         double KpiCounters::*field, int queue) {
  start_s = std::max(start_s, warmup_s_);
  end_s = std::min(end_s, horizon_s_);
  if (!(end_s > start_s) || weight == 0) return;
  overall_.*field += weight * (end_s - start_s);
  if (queue >= 0) per_queue_[static_cast<size_t>(queue)].*field += weight * (end_s - start_s);
  const int first = IntervalOf(start_s);
  for (int i = first; i < static_cast<int>(per_interval_.size()); ++i) {
    const double lo = std::max(start_s, i * interval_s_);
    const double hi = std::min(end_s, (i + 1) * interval_s_);
    if (hi <= lo) break;
    per_interval_[static_cast<size_t>(i)].*field += weight * (hi - lo);
  }
}

void Accounting::AddSpanToQueue(double start_s, double end_s, double weight,
                                double KpiCounters::*field, int queue) {
  per_queue_[static_cast<size_t>(queue)].*field += weight * Overlap(start_s, end_s);
}

void Accounting::Finish() {
  const double window = std::max(0.0, horizon_s_ - warmup_s_);
  overall_.span_s = window;
  for (KpiCounters& q : per_queue_) q.span_s = window;
  for (size_t i = 0; i < per_interval_.size(); ++i) {
    per_interval_[i].span_s = Overlap(static_cast<double>(i) * interval_s_,
                                      static_cast<double>(i + 1) * interval_s_);
  }
}

}  // namespace switchboard::sim::internal_sim
