// The measures a contact center lives by: service level (with its definition variants), ASA,
// abandonment, occupancy, AHT, first-contact resolution, CSAT, NPS, CES, and a confidence
// interval over independent simulation replications.
//
// Units: times in seconds (double), except FCR, which takes absl::Time stamps. Fractions are in
// [0, 1]; survey scores (CSAT, NPS) are percentages, as the field reports them.
//
// Thread-safety: the free functions are pure and safe to call concurrently. QueueMeasures is
// thread-compatible: const methods may run concurrently; Record*() and Merge() need exclusive
// access.
//
//   switchboard::QueueMeasures m;                    // target 20 s, no short-abandon threshold
//   absl::Status s = m.RecordAnswered(12.0, {240.0, 30.0, 45.0});  // wait, {talk, hold, wrap}
//   s.Update(m.RecordAbandoned(50.0));
//   std::optional<double> sl = m.ServiceLevel();     // answered within 20 s / offered = 0.5
//   std::optional<double> asa = m.Asa();             // 12 s
//   std::vector<double> per_replication = {0.81, 0.79, 0.84, 0.80};
//   absl::StatusOr<switchboard::ConfidenceInterval> ci =
//       switchboard::MeanConfidenceInterval(per_replication);  // 95%, Student t
#ifndef SWITCHBOARD_METRICS_H_
#define SWITCHBOARD_METRICS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/export.h"

namespace switchboard {

// How a service level counts abandoned contacts. Answered contacts count as met when their wait
// is <= the target threshold T (inclusive, as ACDs report it).
enum class ServiceLevelDefinition {
  // answered within T / (answered + abandoned). Every abandoner is a miss. The strictest, and
  // the one ErlangA()'s `service_level` computes. Default.
  kAnsweredOverOffered,
  // answered within T / answered. Abandoners are ignored entirely (flatters a center that lets
  // callers hang up).
  kAnsweredOverAnswered,
  // answered within T / (offered - short abandons). Abandons that waited less than the
  // short-abandon threshold (e.g. 5 s: wrong numbers, callers who hang up on the greeting) are
  // dropped from the denominator; later abandons are misses.
  kExcludeShortAbandons,
  // (answered within T + abandoned within T) / offered. Abandons within T count as met (the
  // caller left before the promise was broken).
  kAbandonsWithinTargetMet,
};

// Talk, hold and after-call work (wrap) of one handled contact, seconds, each >= 0.
struct HandleTime {
  double talk = 0.0;
  double hold = 0.0;
  double wrap = 0.0;
  double Total() const { return talk + hold + wrap; }
};

// The largest number of seconds QueueMeasures accepts as a wait, handle-time part or option:
// about 31,700 years. The bound keeps every sum finite (a tally would need 1e296 contacts to
// overflow), so ASA and AHT never read infinite from absurd but finite input.
inline constexpr double kMaxMeasuredSeconds = 1e12;

struct QueueMeasuresOptions {
  // Service-level threshold T in seconds; >= 0 and at most kMaxMeasuredSeconds. Default: 20.
  double target = 20.0;
  // Abandons that waited strictly less than this many seconds are "short abandons": excluded by
  // kExcludeShortAbandons and by ShortAbandonExcludedRate(). >= 0 and at most
  // kMaxMeasuredSeconds. Default: 0 (none).
  double short_abandon = 0.0;

  // InvalidArgument naming "queue_measures.target" or "queue_measures.short_abandon".
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

// Tallies of one queue (or interval, or whole day): offered, answered and abandoned contacts
// with their waits and handle times. Mergeable, so per-interval tallies add up to a day's.
// Thread-compatible: concurrent const calls are safe; Record*() and Merge() need exclusive access.
class SWITCHBOARD_EXPORT QueueMeasures {
 public:
  // Options must be valid (see Create()); the default constructor uses the defaults.
  QueueMeasures() = default;
  static absl::StatusOr<QueueMeasures> Create(const QueueMeasuresOptions& options);

  const QueueMeasuresOptions& options() const { return options_; }

  // An answered contact that waited `wait` seconds and took `handle` to handle.
  // InvalidArgument (and nothing recorded) for a wait or handle part that is negative, NaN or
  // above kMaxMeasuredSeconds.
  absl::Status RecordAnswered(double wait, const HandleTime& handle = {});
  // A contact that hung up after waiting `wait` seconds. InvalidArgument as above.
  absl::Status RecordAbandoned(double wait);
  // Adds another tally. InvalidArgument (nothing merged) if the options differ.
  absl::Status Merge(const QueueMeasures& other);

  int64_t offered() const { return answered_ + abandoned_; }
  int64_t answered() const { return answered_; }
  int64_t answered_within_target() const { return answered_within_; }
  int64_t abandoned() const { return abandoned_; }
  int64_t abandoned_within_target() const { return abandoned_within_; }
  int64_t short_abandoned() const { return short_abandoned_; }

  // The service level under `definition`; nullopt when its denominator is 0.
  std::optional<double> ServiceLevel(
      ServiceLevelDefinition definition = ServiceLevelDefinition::kAnsweredOverOffered) const;
  // Average speed of answer: total wait of answered contacts / answered, seconds.
  std::optional<double> Asa() const;
  // Mean wait over all offered contacts, answered and abandoned, seconds.
  std::optional<double> MeanWait() const;
  // Abandonment rate: abandoned / offered.
  std::optional<double> AbandonmentRate() const;
  // (abandoned - short abandons) / (offered - short abandons).
  std::optional<double> ShortAbandonExcludedRate() const;
  // Average time abandoners waited before hanging up, seconds.
  std::optional<double> MeanAbandonWait() const;
  // Average handle time: (talk + hold + wrap) / answered, seconds; and its parts.
  std::optional<double> Aht() const;
  std::optional<HandleTime> MeanHandleTime() const;
  // Longest wait of any contact, answered or abandoned, seconds (nullopt when empty).
  std::optional<double> MaxWait() const;

 private:
  QueueMeasuresOptions options_;
  int64_t answered_ = 0;
  int64_t answered_within_ = 0;
  int64_t abandoned_ = 0;
  int64_t abandoned_within_ = 0;
  int64_t short_abandoned_ = 0;
  double answered_wait_ = 0.0;
  double abandoned_wait_ = 0.0;
  double max_wait_ = 0.0;
  HandleTime handle_;  // sums
};

// Occupancy: the fraction of staffed time agents spent handling contacts,
// busy / (busy + available idle). Breaks, training and other unavailable time are not staffed
// time. InvalidArgument for negative or non-finite values, busy > staffed, or staffed_seconds
// of 0 (nothing to measure).
SWITCHBOARD_EXPORT absl::StatusOr<double> Occupancy(double busy_seconds, double staffed_seconds);

// One contact for first-contact resolution.
struct FcrContact {
  std::string customer;  // who contacted (any stable key: customer id, phone, account); not empty
  absl::Time time;       // when the contact started
  // Optional reason or topic. A later contact is a repeat of this one unless both give a reason
  // and the reasons differ (an empty reason, on either, matches any).
  std::string reason;
};

struct FcrResult {
  int64_t judged = 0;    // contacts whose whole repeat window lies within the data
  int64_t resolved = 0;  // judged contacts not followed by a repeat within the window
  int64_t repeats = 0;   // contacts that were a repeat of an earlier one within the window
  // resolved / judged; nullopt when nothing could be judged.
  std::optional<double> rate;
};

// First-contact resolution from repeat contacts: a contact is resolved at first contact when
// the same customer (with the same reason, if set) does not contact again within `window` after
// it (a contact exactly `window` later is a repeat). Contacts whose window runs past `data_end`
// cannot be judged (the repeat may still come) and are left out of `judged`; a window that ends
// at `data_end` is judged. Pass absl::InfiniteFuture() to judge every contact. `repeats` counts
// every repeat, `data_end` or not. The input need not be sorted: one customer's contacts at the
// same time are taken in order of reason (byte-wise), so the result does not depend on the
// input order. InvalidArgument for a window <= 0 or infinite, or an empty customer key (naming
// the index).
SWITCHBOARD_EXPORT absl::StatusOr<FcrResult> FirstContactResolution(
    std::span<const FcrContact> contacts, absl::Duration window,
    absl::Time data_end = absl::InfiniteFuture());

// CSAT: the percentage of 1-5 survey answers that are 4 or 5 ("satisfied" or "very
// satisfied"), 0..100. InvalidArgument for an empty input or a score outside 1..5.
SWITCHBOARD_EXPORT absl::StatusOr<double> Csat(std::span<const int> scores);

// Net Promoter Score: % promoters (9-10) minus % detractors (0-6) on the 0-10 "how likely are
// you to recommend" scale, -100..100; passives (7-8) count only in the total.
// InvalidArgument for an empty input or a score outside 0..10.
SWITCHBOARD_EXPORT absl::StatusOr<double> Nps(std::span<const int> scores);

// Customer Effort Score: the mean answer on a 1..scale_max agreement scale ("the company made
// it easy to handle my issue"; commonly 1-7, higher is easier). InvalidArgument for an empty
// input, scale_max < 2, or a score outside [1, scale_max] or NaN.
SWITCHBOARD_EXPORT absl::StatusOr<double> Ces(std::span<const double> scores,
                                              int scale_max = 7);

// A mean with a symmetric confidence interval.
struct ConfidenceInterval {
  double mean = 0.0;
  double half_width = 0.0;  // the interval is mean +- half_width
  int count = 0;            // replications used
  double confidence = 0.95;
  double lower() const { return mean - half_width; }
  double upper() const { return mean + half_width; }
  bool Contains(double x) const { return x >= lower() && x <= upper(); }
};

// The mean of independent replications (one value per replication, e.g. each replication's
// service level) with half-width t_{(1+confidence)/2, k-1} * s / sqrt(k): Student t, so it is
// honest for small k. Any finite values are fine (those near DBL_MAX are scaled first); the
// half-width is +infinity only when the interval is wider than a double can hold.
// InvalidArgument for fewer than 2 values, a non-finite value or confidence outside (0, 1).
SWITCHBOARD_EXPORT absl::StatusOr<ConfidenceInterval> MeanConfidenceInterval(
    std::span<const double> replications, double confidence = 0.95);

// The p-quantile of Student's t distribution with `dof` degrees of freedom (dof > 0 and finite,
// may be fractional; p in (0, 1)), accurate to about 1e-9 at any dof (from 1e5 on by its
// expansion in 1 / dof, which tends to the normal quantile). InvalidArgument otherwise;
// OutOfRange when the quantile's magnitude exceeds kMaxStudentTQuantile (only in far tails at
// small dof: p = 1e-160 at dof 1, or p = 0.975 at dof 0.001, whose quantile exceeds a double).
inline constexpr double kMaxStudentTQuantile = 1e150;
SWITCHBOARD_EXPORT absl::StatusOr<double> StudentTQuantile(double p, double dof);

}  // namespace switchboard

#endif  // SWITCHBOARD_METRICS_H_
