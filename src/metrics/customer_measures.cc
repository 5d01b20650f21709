// Occupancy, first-contact resolution and the survey scores (CSAT, NPS, CES).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "src/internal/str_cat.h"
#include "switchboard/metrics.h"

namespace switchboard {
namespace {

absl::Status CheckNotEmpty(size_t n, const char* what) {
  if (n == 0) {
    return absl::InvalidArgumentError(internal::StrCat(what, " has no scores to measure"));
  }
  return absl::OkStatus();
}

absl::Status CheckIntScores(std::span<const int> scores, int lo, int hi, const char* what) {
  if (absl::Status s = CheckNotEmpty(scores.size(), what); !s.ok()) return s;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] < lo || scores[i] > hi) {
      return absl::InvalidArgumentError(internal::StrCat(what, "[", i, "] is ", scores[i],
                                                         ", outside the ", lo, "..", hi,
                                                         " scale"));
    }
  }
  return absl::OkStatus();
}

// Whether `later` counts as a repeat of `earlier`: same customer (grouped by the caller) and,
// when both give a reason, the same reason.
bool SameIssue(const FcrContact& earlier, const FcrContact& later) {
  return earlier.reason.empty() || later.reason.empty() || earlier.reason == later.reason;
}

}  // namespace

absl::StatusOr<double> Occupancy(double busy_seconds, double staffed_seconds) {
  if (!(busy_seconds >= 0.0) || !std::isfinite(busy_seconds)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "occupancy.busy_seconds is ", busy_seconds, ", it must be zero or positive and finite"));
  }
  if (!(staffed_seconds > 0.0) || !std::isfinite(staffed_seconds)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "occupancy.staffed_seconds is ", staffed_seconds, ", it must be positive and finite"));
  }
  if (busy_seconds > staffed_seconds) {
    return absl::InvalidArgumentError(internal::StrCat(
        "occupancy.busy_seconds (", busy_seconds, ") exceeds occupancy.staffed_seconds (",
        staffed_seconds, ")"));
  }
  return busy_seconds / staffed_seconds;
}

absl::StatusOr<FcrResult> FirstContactResolution(std::span<const FcrContact> contacts,
                                                 absl::Duration window, absl::Time data_end) {
  if (window <= absl::ZeroDuration() || window == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(internal::StrCat(
        "fcr.window is ", absl::FormatDuration(window), ", it must be positive and finite"));
  }
  absl::flat_hash_map<std::string, std::vector<size_t>> by_customer;
  for (size_t i = 0; i < contacts.size(); ++i) {
    if (contacts[i].customer.empty()) {
      return absl::InvalidArgumentError(
          internal::StrCat("fcr.contacts[", i, "].customer is empty"));
    }
    by_customer[contacts[i].customer].push_back(i);
  }
  FcrResult r;
  for (auto& [customer, idx] : by_customer) {
    // Contacts at the same time are taken in order of reason: which of them is the later one
    // decides the counts, and input order must not (equal time and reason are interchangeable).
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
      return std::tie(contacts[x].time, contacts[x].reason) <
             std::tie(contacts[y].time, contacts[y].reason);
    });
    std::vector<bool> is_repeat(idx.size(), false);
    for (size_t a = 0; a < idx.size(); ++a) {
      const FcrContact& first = contacts[idx[a]];
      bool repeated = false;
      for (size_t b = a + 1; b < idx.size(); ++b) {
        const FcrContact& next = contacts[idx[b]];
        if (next.time - first.time > window) break;
        if (SameIssue(first, next)) {
          repeated = true;
          is_repeat[b] = true;
        }
      }
      if (first.time + window <= data_end) {
        ++r.judged;
        if (!repeated) ++r.resolved;
      }
    }
    r.repeats += std::count(is_repeat.begin(), is_repeat.end(), true);
  }
  if (r.judged > 0) r.rate = static_cast<double>(r.resolved) / static_cast<double>(r.judged);
  return r;
}

absl::StatusOr<double> Csat(std::span<const int> scores) {
  if (absl::Status s = CheckIntScores(scores, 1, 5, "csat.scores"); !s.ok()) return s;
  const auto satisfied = std::count_if(scores.begin(), scores.end(), [](int x) { return x >= 4; });
  return 100.0 * static_cast<double>(satisfied) / static_cast<double>(scores.size());
}

absl::StatusOr<double> Nps(std::span<const int> scores) {
  if (absl::Status s = CheckIntScores(scores, 0, 10, "nps.scores"); !s.ok()) return s;
  const auto promoters = std::count_if(scores.begin(), scores.end(), [](int x) { return x >= 9; });
  const auto detractors =
      std::count_if(scores.begin(), scores.end(), [](int x) { return x <= 6; });
  return 100.0 * static_cast<double>(promoters - detractors) /
         static_cast<double>(scores.size());
}

absl::StatusOr<double> Ces(std::span<const double> scores, int scale_max) {
  if (scale_max < 2) {
    return absl::InvalidArgumentError(
        internal::StrCat("ces.scale_max is ", scale_max, ", it must be at least 2"));
  }
  if (absl::Status s = CheckNotEmpty(scores.size(), "ces.scores"); !s.ok()) return s;
  double sum = 0.0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!(scores[i] >= 1.0) || !(scores[i] <= scale_max)) {  // also rejects NaN
      return absl::InvalidArgumentError(internal::StrCat(
          "ces.scores[", i, "] is ", scores[i], ", outside the 1..", scale_max, " scale"));
    }
    sum += scores[i];
  }
  return sum / static_cast<double>(scores.size());
}

}  // namespace switchboard
