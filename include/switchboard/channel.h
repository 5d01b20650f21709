// The media a contact arrives on, and what each medium implies for routing.
//
// Thread-safety: free functions over immutable tables; safe to call concurrently.
//
//   auto channel = switchboard::ParseChannel("chat");          // StatusOr<Channel>
//   switchboard::ChannelTraits t = switchboard::TraitsOf(*channel);
//   // t.synchronous == true, t.default_max_concurrent == 3
#ifndef SWITCHBOARD_CHANNEL_H_
#define SWITCHBOARD_CHANNEL_H_

#include <array>
#include <ostream>
#include <string_view>

#include "absl/status/statusor.h"
#include "switchboard/export.h"

namespace switchboard {

enum class Channel : unsigned char {
  kVoice = 0,
  kVideo,
  kChat,
  kEmail,
  kSms,
  kSocial,
  kMessaging,    // WhatsApp, Messenger, in-app: asynchronous threads
  kCallback,     // an outbound call the customer asked for
  kInPerson,     // a branch desk or store counter
  kSelfService,  // IVR, bot: served without an agent unless escalated
  kWeb,          // web forms, co-browse requests
};

inline constexpr int kChannelCount = 11;

inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kVoice, Channel::kVideo,     Channel::kChat,     Channel::kEmail,
    Channel::kSms,   Channel::kSocial,    Channel::kMessaging, Channel::kCallback,
    Channel::kInPerson, Channel::kSelfService, Channel::kWeb};

// What a channel implies for an agent's load.
struct ChannelTraits {
  // The customer waits on the line for each reply (voice, video, chat, in person).
  bool synchronous;
  // Holding one of these rules out any other contact unless the agent allows blending.
  bool exclusive;
  // How many contacts of this channel an agent holds at once unless configured otherwise.
  int default_max_concurrent;
  // Capacity units one contact of this channel takes from an agent's total, out of
  // kDefaultAgentCapacityUnits, unless configured otherwise.
  int default_cost_units;
};

// An agent's default total capacity; a voice call takes all of it.
inline constexpr int kDefaultAgentCapacityUnits = 100;

SWITCHBOARD_EXPORT ChannelTraits TraitsOf(Channel channel);

// Lower-case wire name: "voice", "in_person", "self_service", ...
SWITCHBOARD_EXPORT std::string_view ChannelName(Channel channel);

// Inverse of ChannelName. InvalidArgument naming the text for an unknown channel.
SWITCHBOARD_EXPORT absl::StatusOr<Channel> ParseChannel(std::string_view name);

// True for the values of the enum; false for a value cast from an out-of-range integer.
SWITCHBOARD_EXPORT bool IsKnownChannel(Channel channel);

inline std::ostream& operator<<(std::ostream& os, Channel channel) {
  return os << ChannelName(channel);
}

}  // namespace switchboard

#endif  // SWITCHBOARD_CHANNEL_H_
