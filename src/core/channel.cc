#include "switchboard/channel.h"

#include "src/internal/str_cat.h"

namespace switchboard {
namespace {

struct ChannelInfo {
  std::string_view name;
  ChannelTraits traits;
};

// Indexed by the enum's value. Costs are out of kDefaultAgentCapacityUnits (100): a voice call
// fills an agent, three chats fill one, and so on, matching the default concurrency.
constexpr ChannelInfo kChannelInfo[kChannelCount] = {
    {"voice", {true, true, 1, 100}},
    {"video", {true, true, 1, 100}},
    {"chat", {true, false, 3, 33}},
    {"email", {false, false, 5, 20}},
    {"sms", {false, false, 4, 25}},
    {"social", {false, false, 4, 25}},
    {"messaging", {false, false, 4, 25}},
    {"callback", {true, true, 1, 100}},
    {"in_person", {true, true, 1, 100}},
    {"self_service", {false, false, 1, 100}},
    {"web", {false, false, 5, 20}},
};

}  // namespace

bool IsKnownChannel(Channel channel) {
  return static_cast<int>(channel) < kChannelCount;
}

ChannelTraits TraitsOf(Channel channel) {
  if (!IsKnownChannel(channel)) return ChannelTraits{false, true, 0, kDefaultAgentCapacityUnits};
  return kChannelInfo[static_cast<int>(channel)].traits;
}

std::string_view ChannelName(Channel channel) {
  if (!IsKnownChannel(channel)) return "unknown";
  return kChannelInfo[static_cast<int>(channel)].name;
}

absl::StatusOr<Channel> ParseChannel(std::string_view name) {
  for (int i = 0; i < kChannelCount; ++i) {
    if (kChannelInfo[i].name == name) return static_cast<Channel>(i);
  }
  return absl::InvalidArgumentError(
      internal::StrCat("unknown channel '", internal::Printable(name), "'"));
}

}  // namespace switchboard
