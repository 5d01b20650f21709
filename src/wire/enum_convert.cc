// Enum conversions. Each core enum runs 0..N-1 and its proto enum has UNSPECIFIED = 0 before the
// same values in the same order; the tables below spell the mapping out rather than rely on
// "+1", and the static_asserts fail the build when either side gains a value without the other.
#include <array>
#include <cstddef>

#include "src/internal/str_cat.h"
#include "switchboard/wire/core_convert.h"

namespace switchboard {
namespace {

constexpr std::array<v1::Channel, kChannelCount> kChannels = {
    v1::CHANNEL_VOICE,     v1::CHANNEL_VIDEO,     v1::CHANNEL_CHAT,      v1::CHANNEL_EMAIL,
    v1::CHANNEL_SMS,       v1::CHANNEL_SOCIAL,    v1::CHANNEL_MESSAGING, v1::CHANNEL_CALLBACK,
    v1::CHANNEL_IN_PERSON, v1::CHANNEL_SELF_SERVICE, v1::CHANNEL_WEB};
static_assert(v1::Channel_ARRAYSIZE == kChannelCount + 1);

constexpr std::array<v1::Direction, 2> kDirections = {v1::DIRECTION_INBOUND,
                                                      v1::DIRECTION_OUTBOUND};
static_assert(v1::Direction_ARRAYSIZE == 3);
static_assert(static_cast<int>(Direction::kOutbound) == 1);

constexpr std::array<v1::IdentifierKind, kIdentifierKindCount> kKinds = {
    v1::IDENTIFIER_KIND_PHONE,         v1::IDENTIFIER_KIND_EMAIL,
    v1::IDENTIFIER_KIND_ACCOUNT_ID,    v1::IDENTIFIER_KIND_SOCIAL_HANDLE,
    v1::IDENTIFIER_KIND_DEVICE_ID,     v1::IDENTIFIER_KIND_CHANNEL_OPAQUE,
    v1::IDENTIFIER_KIND_CUSTOM};
static_assert(v1::IdentifierKind_ARRAYSIZE == kIdentifierKindCount + 1);

constexpr std::array<v1::AgentState, 5> kStates = {
    v1::AGENT_STATE_OFFLINE, v1::AGENT_STATE_AVAILABLE, v1::AGENT_STATE_AWAY,
    v1::AGENT_STATE_BUSY, v1::AGENT_STATE_WRAP_UP};
static_assert(v1::AgentState_ARRAYSIZE == 6);
static_assert(static_cast<int>(AgentState::kWrapUp) == 4);

constexpr std::array<v1::QueueOrder, 2> kOrders = {v1::QUEUE_ORDER_FIFO, v1::QUEUE_ORDER_LIFO};
static_assert(v1::QueueOrder_ARRAYSIZE == 3);
static_assert(static_cast<int>(QueueOrder::kLifo) == 1);

constexpr std::array<v1::EventType, kEventTypeCount> kEventTypes = {
    v1::EVENT_TYPE_CONTACT_STARTED, v1::EVENT_TYPE_CONTACT_ENDED,
    v1::EVENT_TYPE_MESSAGE,         v1::EVENT_TYPE_IVR_STEP,
    v1::EVENT_TYPE_BOT_INTENT,      v1::EVENT_TYPE_WEB_VISIT,
    v1::EVENT_TYPE_PURCHASE,        v1::EVENT_TYPE_CAMPAIGN_SENT,
    v1::EVENT_TYPE_SURVEY_RESPONSE, v1::EVENT_TYPE_CASE_OPENED,
    v1::EVENT_TYPE_CASE_RESOLVED,   v1::EVENT_TYPE_AGENT_NOTE};
static_assert(v1::EventType_ARRAYSIZE == kEventTypeCount + 1);

// A core value cast from an out-of-range integer maps to UNSPECIFIED (0), which FromProto rejects.
template <typename Wire, std::size_t N, typename Core>
Wire ToWire(Core value, const std::array<Wire, N>& table) {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? table[index] : static_cast<Wire>(0);
}

template <typename Core, typename Wire, std::size_t N>
absl::StatusOr<Core> FromWire(Wire value, const std::array<Wire, N>& table,
                              std::string_view field, std::string_view what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (table[i] == value) return static_cast<Core>(i);
  }
  if (static_cast<int>(value) == 0) {
    return absl::InvalidArgumentError(internal::StrCat(field, " is unspecified (0)"));
  }
  return absl::InvalidArgumentError(internal::StrCat(field, " is ", static_cast<int>(value),
                                                     ", not a known ", what));
}

}  // namespace

v1::Channel ToProto(Channel channel) { return ToWire(channel, kChannels); }
absl::StatusOr<Channel> FromProto(v1::Channel channel, std::string_view field) {
  return FromWire<Channel>(channel, kChannels, field, "channel");
}

v1::Direction ToProto(Direction direction) { return ToWire(direction, kDirections); }
absl::StatusOr<Direction> FromProto(v1::Direction direction, std::string_view field) {
  return FromWire<Direction>(direction, kDirections, field, "direction");
}

v1::IdentifierKind ToProto(IdentifierKind kind) { return ToWire(kind, kKinds); }
absl::StatusOr<IdentifierKind> FromProto(v1::IdentifierKind kind, std::string_view field) {
  return FromWire<IdentifierKind>(kind, kKinds, field, "identifier kind");
}

v1::AgentState ToProto(AgentState state) { return ToWire(state, kStates); }
absl::StatusOr<AgentState> FromProto(v1::AgentState state, std::string_view field) {
  return FromWire<AgentState>(state, kStates, field, "agent state");
}

v1::QueueOrder ToProto(QueueOrder order) {
  // UNSPECIFIED reads as FIFO, so a value cast from a bad integer cannot go out as it: it goes
  // out shifted as the known values are, a number no schema knows, which FromProto rejects.
  const auto index = static_cast<std::size_t>(order);
  if (index >= kOrders.size()) return static_cast<v1::QueueOrder>(index + 1);
  return kOrders[index];
}
absl::StatusOr<QueueOrder> FromProto(v1::QueueOrder order, std::string_view field) {
  // The schema reads UNSPECIFIED as FIFO, so a sender that never sets the order gets the norm.
  if (order == v1::QUEUE_ORDER_UNSPECIFIED) return QueueOrder::kFifo;
  return FromWire<QueueOrder>(order, kOrders, field, "queue order");
}

v1::EventType ToProto(EventType type) { return ToWire(type, kEventTypes); }
absl::StatusOr<EventType> FromProto(v1::EventType type, std::string_view field) {
  return FromWire<EventType>(type, kEventTypes, field, "event type");
}

}  // namespace switchboard
