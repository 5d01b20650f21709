// Private: where the simulator puts what it measures. Contact counts go to the contact's queue,
// its arrival interval and the overall counters; time integrals (busy, staffed, queue length)
// are clipped to the measured window [warmup, horizon] and split exactly across intervals.
//
// Thread-safety: not thread-safe; owned by one run.
#ifndef SWITCHBOARD_SRC_SIM_ACCOUNTING_H_
#define SWITCHBOARD_SRC_SIM_ACCOUNTING_H_

#include <vector>

#include "switchboard/sim/kpi.h"

namespace switchboard::sim::internal_sim {

class Accounting {
 public:
  Accounting(int queues, int intervals, double interval_s, double warmup_s, double horizon_s);

  // The interval a contact arriving at `time_s` belongs to (the last one past the horizon).
  int IntervalOf(double time_s) const;

  // Applies `f` to the counters of `queue`, of `interval` and to the overall counters.
  template <typename F>
  void Count(int queue, int interval, F f) {
    f(per_queue_[queue]);
    f(per_interval_[interval]);
    f(overall_);
  }

  // Adds weight * (overlap of [start_s, end_s) with the window) to `field` of the intervals it
  // covers and of the overall counters; also of `queue` unless it is < 0. `queue_weight` lets a
  // caller add the same span to several queues without counting it twice overall.
  void AddSpan(double start_s, double end_s, double weight, double KpiCounters::*field,
               int queue);
  void AddSpanToQueue(double start_s, double end_s, double weight, double KpiCounters::*field,
                      int queue);

  // Sets span_s of every counter set to the time it covers.
  void Finish();

  KpiCounters& overall() { return overall_; }
  std::vector<KpiCounters>& per_queue() { return per_queue_; }
  std::vector<KpiCounters>& per_interval() { return per_interval_; }

 private:
  double Overlap(double a, double b) const;

  double interval_s_;
  double warmup_s_;
  double horizon_s_;
  KpiCounters overall_;
  std::vector<KpiCounters> per_queue_;
  std::vector<KpiCounters> per_interval_;
};

}  // namespace switchboard::sim::internal_sim

#endif  // SWITCHBOARD_SRC_SIM_ACCOUNTING_H_
