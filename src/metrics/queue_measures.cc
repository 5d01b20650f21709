// QueueMeasures: per-queue tallies and the service-level, ASA, abandonment and AHT measures.
#include <algorithm>
#include <cmath>

#include "src/internal/str_cat.h"
#include "switchboard/metrics.h"

namespace switchboard {
namespace {

absl::Status CheckSeconds(double x, const char* field) {
  if (!(x >= 0.0 && x <= kMaxMeasuredSeconds)) {  // also rejects NaN and infinities
    return absl::InvalidArgumentError(internal::StrCat(
        field, " is ", x, " seconds, it must be from 0 to ", kMaxMeasuredSeconds));
  }
  return absl::OkStatus();
}

std::optional<double> Ratio(double num, double den) {
  if (den <= 0.0) return std::nullopt;
  return num / den;
}

}  // namespace

absl::Status QueueMeasuresOptions::Validate() const {
  if (absl::Status s = CheckSeconds(target, "queue_measures.target"); !s.ok()) return s;
  return CheckSeconds(short_abandon, "queue_measures.short_abandon");
}

absl::StatusOr<QueueMeasures> QueueMeasures::Create(const QueueMeasuresOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  QueueMeasures m;
  m.options_ = options;
  return m;
}

absl::Status QueueMeasures::RecordAnswered(double wait, const HandleTime& handle) {
  if (absl::Status s = CheckSeconds(wait, "answered.wait"); !s.ok()) return s;
  if (absl::Status s = CheckSeconds(handle.talk, "answered.handle.talk"); !s.ok()) return s;
  if (absl::Status s = CheckSeconds(handle.hold, "answered.handle.hold"); !s.ok()) return s;
  if (absl::Status s = CheckSeconds(handle.wrap, "answered.handle.wrap"); !s.ok()) return s;
  ++answered_;
  if (wait <= options_.target) ++answered_within_;
  answered_wait_ += wait;
  max_wait_ = std::max(max_wait_, wait);
  handle_.talk += handle.talk;
  handle_.hold += handle.hold;
  handle_.wrap += handle.wrap;
  return absl::OkStatus();
}

absl::Status QueueMeasures::RecordAbandoned(double wait) {
  if (absl::Status s = CheckSeconds(wait, "abandoned.wait"); !s.ok()) return s;
  ++abandoned_;
  if (wait <= options_.target) ++abandoned_within_;
  if (wait < options_.short_abandon) ++short_abandoned_;
  abandoned_wait_ += wait;
  max_wait_ = std::max(max_wait_, wait);
  return absl::OkStatus();
}

absl::Status QueueMeasures::Merge(const QueueMeasures& other) {
  if (other.options_.target != options_.target ||
      other.options_.short_abandon != options_.short_abandon) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queue_measures.options differ: target ", options_.target, " s / short_abandon ",
        options_.short_abandon, " s cannot merge target ", other.options_.target,
        " s / short_abandon ", other.options_.short_abandon, " s"));
  }
  answered_ += other.answered_;
  answered_within_ += other.answered_within_;
  abandoned_ += other.abandoned_;
  abandoned_within_ += other.abandoned_within_;
  short_abandoned_ += other.short_abandoned_;
  answered_wait_ += other.answered_wait_;
  abandoned_wait_ += other.abandoned_wait_;
  max_wait_ = std::max(max_wait_, other.max_wait_);
  handle_.talk += other.handle_.talk;
  handle_.hold += other.handle_.hold;
  handle_.wrap += other.handle_.wrap;
  return absl::OkStatus();
}

std::optional<double> QueueMeasures::ServiceLevel(ServiceLevelDefinition definition) const {
  const double within = static_cast<double>(answered_within_);
  switch (definition) {
    case ServiceLevelDefinition::kAnsweredOverOffered:
      return Ratio(within, static_cast<double>(offered()));
    case ServiceLevelDefinition::kAnsweredOverAnswered:
      return Ratio(within, static_cast<double>(answered_));
    case ServiceLevelDefinition::kExcludeShortAbandons:
      return Ratio(within, static_cast<double>(offered() - short_abandoned_));
    case ServiceLevelDefinition::kAbandonsWithinTargetMet:
      return Ratio(within + static_cast<double>(abandoned_within_),
                   static_cast<double>(offered()));
  }
  return std::nullopt;
}

std::optional<double> QueueMeasures::Asa() const {
  return Ratio(answered_wait_, static_cast<double>(answered_));
}

std::optional<double> QueueMeasures::MeanWait() const {
  return Ratio(answered_wait_ + abandoned_wait_, static_cast<double>(offered()));
}

std::optional<double> QueueMeasures::AbandonmentRate() const {
  return Ratio(static_cast<double>(abandoned_), static_cast<double>(offered()));
}

std::optional<double> QueueMeasures::ShortAbandonExcludedRate() const {
  return Ratio(static_cast<double>(abandoned_ - short_abandoned_),
               static_cast<double>(offered() - short_abandoned_));
}

std::optional<double> QueueMeasures::MeanAbandonWait() const {
  return Ratio(abandoned_wait_, static_cast<double>(abandoned_));
}

std::optional<double> QueueMeasures::Aht() const {
  return Ratio(handle_.Total(), static_cast<double>(answered_));
}

std::optional<HandleTime> QueueMeasures::MeanHandleTime() const {
  if (answered_ == 0) return std::nullopt;
  const double n = static_cast<double>(answered_);
  return HandleTime{handle_.talk / n, handle_.hold / n, handle_.wrap / n};
}

std::optional<double> QueueMeasures::MaxWait() const {
  if (offered() == 0) return std::nullopt;
  return max_wait_;
}

}  // namespace switchboard
