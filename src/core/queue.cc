#include "switchboard/queue.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

absl::Status ValidateChannels(const std::vector<Channel>& channels) {
  if (channels.empty()) return absl::InvalidArgumentError("queue.channels is empty");
  absl::flat_hash_set<Channel> seen;
  for (size_t i = 0; i < channels.size(); ++i) {
    if (!IsKnownChannel(channels[i])) {
      return absl::InvalidArgumentError(internal::StrCat("queue.channels[", i, "] ",
                                                     static_cast<int>(channels[i]),
                                                     " is not a known channel"));
    }
    if (!seen.insert(channels[i]).second) {
      return absl::InvalidArgumentError(
          internal::StrCat("queue.channels[", i, "] repeats ", ChannelName(channels[i])));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDurations(const Queue& q) {
  if (q.wrap_up < absl::ZeroDuration() || q.wrap_up > absl::Hours(1)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queue.wrap_up is ", absl::FormatDuration(q.wrap_up), ", outside 0..1h"));
  }
  if (q.offer_timeout <= absl::ZeroDuration() || q.offer_timeout > absl::Hours(24)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "queue.offer_timeout is ", absl::FormatDuration(q.offer_timeout), ", outside (0, 24h]"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFields(const Queue& q) {
  SB_RETURN_IF_ERROR(q.id.Validate("queue.id"));
  SB_RETURN_IF_ERROR(q.tenant.Validate("queue.tenant"));
  SB_RETURN_IF_ERROR(internal::ValidateText(q.name, "queue.name", kMaxNameLength));
  SB_RETURN_IF_ERROR(ValidateChannels(q.channels));
  SB_RETURN_IF_ERROR(ValidateSkillRequirements(q.required_skills, "queue.required_skills"));
  if (q.priority < 1 || q.priority > 100) {
    return absl::InvalidArgumentError(
        internal::StrCat("queue.priority is ", q.priority, ", outside 1..100"));
  }
  SB_RETURN_IF_ERROR(q.service_level.Validate("queue.service_level"));
  if (q.max_waiting < 0) {
    return absl::InvalidArgumentError(
        internal::StrCat("queue.max_waiting is ", q.max_waiting, ", it must not be negative"));
  }
  SB_RETURN_IF_ERROR(ValidateDurations(q));
  if (q.order != QueueOrder::kFifo && q.order != QueueOrder::kLifo) {
    return absl::InvalidArgumentError("queue.order is not fifo or lifo");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Queue::Validate() const {
  absl::Status status = ValidateFields(*this);
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat("queue '", internal::Printable(id.value()),
                                                      "': ", status.message()));
}

bool Queue::Serves(Channel channel) const {
  return std::find(channels.begin(), channels.end(), channel) != channels.end();
}

}  // namespace switchboard
