// Protobuf conversions of the core types: hand-built full objects and every enum value survive a
// trip through serialized bytes; a randomized round-trip covers generated valid objects; bad wire
// input is rejected with InvalidArgument naming the field.
#include "switchboard/wire/core_convert.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "src/internal/str_cat.h"
#include "switchboard/limits.h"
#include "tests/core_examples.h"

namespace sb = switchboard;
namespace v1 = switchboard::v1;
using Catch::Matchers::Contains;
using sbt::FullAgent;
using sbt::FullContact;
using sbt::FullEvent;
using sbt::FullJourney;
using sbt::FullQueue;
using sbt::kT0Micros;
using sbt::T;

namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// ToProto, serialize, parse, FromProto: the path real bytes take.
template <typename T>
absl::StatusOr<T> ThroughBytes(const T& value) {
  const auto msg = sb::ToProto(value);
  std::string bytes;
  REQUIRE(msg.SerializeToString(&bytes));
  decltype(sb::ToProto(value)) parsed;
  REQUIRE(parsed.ParseFromString(bytes));
  return sb::FromProto(parsed);
}

template <typename T>
void CheckRoundTrip(const T& value) {
  REQUIRE(value.Validate().ok());
  absl::StatusOr<T> back = ThroughBytes(value);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CHECK(*back == value);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

TEST_CASE("a full contact round-trips, with and without its optional fields") {
  sb::Contact c = FullContact();
  CheckRoundTrip(c);

  c.service_level.reset();
  c.preferred_agent.reset();
  c.preferred_agent_wait = absl::ZeroDuration();
  const v1::Contact msg = sb::ToProto(c);
  CHECK_FALSE(msg.has_service_level());
  CHECK_FALSE(msg.has_preferred_agent());
  CheckRoundTrip(c);
}

TEST_CASE("contact fields land in the schema's fields and units") {
  const v1::Contact msg = sb::ToProto(FullContact());
  CHECK(msg.id() == "call-0001");
  CHECK(msg.channel() == v1::CHANNEL_CHAT);
  CHECK(msg.direction() == v1::DIRECTION_OUTBOUND);
  CHECK(msg.arrived_at_micros() == kT0Micros + 123'456);
  CHECK(msg.service_level().threshold_micros() == 30'000'000);
  CHECK(msg.identifiers(1).kind() == v1::IDENTIFIER_KIND_SOCIAL_HANDLE);
  CHECK(msg.identifiers(1).scope() == "x");
  CHECK(msg.attributes().at("account_type") == "gold");
  CHECK(msg.required_skills(1).min_proficiency() == 3);
  CHECK_FALSE(msg.required_skills(1).required());
  CHECK(msg.preferred_agent() == "ana");
  CHECK(msg.preferred_agent_wait_micros() == 45'000'000);
}

TEST_CASE("the out-parameter form clears a reused message") {
  v1::Contact msg = sb::ToProto(FullContact());
  sb::Contact small;
  small.id = sb::ContactId("c2");
  small.tenant = sb::TenantId("acme");
  sb::ToProto(small, &msg);
  CHECK(msg.identifiers_size() == 0);
  CHECK(msg.attributes().empty());
  CHECK_FALSE(msg.has_service_level());
  absl::StatusOr<sb::Contact> back = sb::FromProto(msg);
  REQUIRE(back.ok());
  CHECK(*back == small);
}

TEST_CASE("times and durations keep whole microseconds and drop the rest, but for nanoseconds") {
  sb::Contact c = FullContact();
  c.arrived_at = T(kT0Micros) + absl::Nanoseconds(999);
  CHECK(sb::ToProto(c).arrived_at_micros() == kT0Micros);
  // A contact's arrival keeps its nanoseconds, as event times do: a snapshot compares them, and a
  // verification stamped at the same instant as the contact came out after it.
  CHECK(sb::ToProto(c).arrived_at_nanos() == 999);
  CHECK(sb::FromProto(sb::ToProto(c))->arrived_at == c.arrived_at);
  auto bad = sb::ToProto(c);
  bad.set_arrived_at_nanos(1000);
  CHECK(Message(sb::FromProto(bad).status()) ==
        "contact 'call-0001': contact.arrived_at_nanos is 1000, not 0..999");
  sb::Queue q = FullQueue();
  q.wrap_up = absl::Microseconds(1500) + absl::Nanoseconds(700);
  CHECK(sb::ToProto(q).wrap_up_micros() == 1500);
}

TEST_CASE("every channel round-trips and matches the schema's name") {
  std::vector<int> seen;
  for (sb::Channel channel : sb::kAllChannels) {
    const v1::Channel wire = sb::ToProto(channel);
    CHECK(v1::Channel_Name(wire) == "CHANNEL_" + Upper(sb::ChannelName(channel)));
    seen.push_back(wire);
    absl::StatusOr<sb::Channel> back = sb::FromProto(wire);
    REQUIRE(back.ok());
    CHECK(*back == channel);

    sb::Contact c = FullContact();
    c.channel = channel;
    CheckRoundTrip(c);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(std::unique(seen.begin(), seen.end()) == seen.end());
}

TEST_CASE("every direction, identifier kind, agent state and event type round-trips") {
  for (sb::Direction d : {sb::Direction::kInbound, sb::Direction::kOutbound}) {
    CHECK(v1::Direction_Name(sb::ToProto(d)) == "DIRECTION_" + Upper(sb::DirectionName(d)));
    sb::Contact c = FullContact();
    c.direction = d;
    CheckRoundTrip(c);
  }
  for (int i = 0; i < sb::kIdentifierKindCount; ++i) {
    const auto kind = static_cast<sb::IdentifierKind>(i);
    CHECK(v1::IdentifierKind_Name(sb::ToProto(kind)) ==
          "IDENTIFIER_KIND_" + Upper(sb::IdentifierKindName(kind)));
    const sb::Identifier id{kind, "v-1", "scope"};
    absl::StatusOr<sb::Identifier> back = sb::FromProto(sb::ToProto(id));
    REQUIRE(back.ok());
    CHECK(*back == id);
  }
  for (int i = 0; i <= static_cast<int>(sb::AgentState::kWrapUp); ++i) {
    const auto state = static_cast<sb::AgentState>(i);
    CHECK(v1::AgentState_Name(sb::ToProto(state)) == "AGENT_STATE_" + Upper(sb::AgentStateName(state)));
    sb::Agent a = FullAgent();
    a.status = {state, state == sb::AgentState::kAway ? "training" : ""};
    CheckRoundTrip(a);
  }
  for (int i = 0; i < sb::kEventTypeCount; ++i) {
    const auto type = static_cast<sb::EventType>(i);
    CHECK(v1::EventType_Name(sb::ToProto(type)) == "EVENT_TYPE_" + Upper(sb::EventTypeName(type)));
    sb::TouchpointEvent e = FullEvent("e-1", kT0Micros);
    e.type = type;
    CheckRoundTrip(e);
  }
}

TEST_CASE("a full agent round-trips") { CheckRoundTrip(FullAgent()); }

TEST_CASE("a full queue round-trips in both orders; an unspecified order reads as FIFO") {
  sb::Queue q = FullQueue();
  CHECK(sb::ToProto(q).order() == v1::QUEUE_ORDER_LIFO);
  CheckRoundTrip(q);
  q.order = sb::QueueOrder::kFifo;
  CHECK(sb::ToProto(q).order() == v1::QUEUE_ORDER_FIFO);
  CheckRoundTrip(q);

  v1::Queue msg = sb::ToProto(FullQueue());
  msg.clear_order();
  absl::StatusOr<sb::Queue> back = sb::FromProto(msg);
  REQUIRE(back.ok());
  CHECK(back->order == sb::QueueOrder::kFifo);
}

TEST_CASE("a full event and a journey round-trip") {
  CheckRoundTrip(FullEvent("e-1", kT0Micros));
  sb::TouchpointEvent no_contact = FullEvent("e-2", kT0Micros);
  no_contact.contact = sb::ContactId();
  CheckRoundTrip(no_contact);
  CheckRoundTrip(FullJourney());
  sb::Journey empty;
  empty.tenant = sb::TenantId("acme");
  empty.customer = sb::CustomerId("cust-2");
  CheckRoundTrip(empty);
}

// Event times travelled in whole microseconds, but journeys order events by time, then id: two
// events 300 ns apart whose ids sort the other way came back out of order, so FromProto refused a
// journey the merger had returned, and a replayed event log minted other customer ids. Event
// times now carry their nanoseconds past the microsecond.
TEST_CASE("event times keep their nanoseconds, so a journey's order survives the wire") {
  sb::Journey j;
  j.tenant = sb::TenantId("acme");
  j.customer = sb::CustomerId("c-b");
  sb::TouchpointEvent b = FullEvent("b", kT0Micros);
  b.occurred_at = T(kT0Micros) + absl::Nanoseconds(100);
  b.received_at = T(kT0Micros) + absl::Nanoseconds(999);
  sb::TouchpointEvent a = FullEvent("a", kT0Micros);
  a.occurred_at = T(kT0Micros) + absl::Nanoseconds(400);  // after b, though "a" < "b"
  j.events = {b, a};
  REQUIRE(j.Validate().ok());
  CHECK(sb::ToProto(b).occurred_at_micros() == kT0Micros);
  CHECK(sb::ToProto(b).occurred_at_nanos() == 100);
  CHECK(sb::ToProto(b).received_at_nanos() == 999);
  CheckRoundTrip(b);
  CheckRoundTrip(j);
  // Below a nanosecond (absl::Time has quarter nanoseconds) is dropped.
  sb::TouchpointEvent quarter = FullEvent("q", kT0Micros);
  quarter.occurred_at = T(kT0Micros) + absl::Nanoseconds(5) + absl::Nanoseconds(1) / 4;
  CHECK(sb::FromProto(sb::ToProto(quarter))->occurred_at == T(kT0Micros) + absl::Nanoseconds(5));
  // A message from a sender that knows only microseconds reads as whole microseconds.
  auto msg = sb::ToProto(b);
  msg.clear_occurred_at_nanos();
  CHECK(sb::FromProto(msg)->occurred_at == T(kT0Micros));
  for (int bad : {-1, 1000}) {
    msg.set_occurred_at_nanos(bad);
    const auto back = sb::FromProto(msg);
    CHECK(back.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(Message(back.status()) ==
          sb::internal::StrCat("event 'b': event.occurred_at_nanos is ", bad, ", not 0..999"));
  }
  auto jmsg = sb::ToProto(j);
  jmsg.mutable_events(1)->set_received_at_nanos(5000);
  CHECK(Message(sb::FromProto(jmsg).status()) ==
        "journey of customer 'c-b': journey.events[1].received_at_nanos is 5000, not 0..999");
}

TEST_CASE("parts round-trip on their own") {
  const sb::Skill skill{"billing", 10};
  CHECK(*sb::FromProto(sb::ToProto(skill)) == skill);
  const sb::SkillRequirement need{"billing", 1, false};
  CHECK(*sb::FromProto(sb::ToProto(need)) == need);
  const sb::ServiceLevelTarget sl{0.25, absl::Milliseconds(1500)};
  CHECK(*sb::FromProto(sb::ToProto(sl)) == sl);
  const sb::ChannelCapacity cap{sb::Channel::kSms, 0, 5};
  CHECK(*sb::FromProto(sb::ToProto(cap)) == cap);
  const sb::QueueMembership m{sb::QueueId("q"), 3, absl::Seconds(5)};
  CHECK(*sb::FromProto(sb::ToProto(m)) == m);
  const sb::AgentStatus status{sb::AgentState::kBusy, ""};
  CHECK(*sb::FromProto(sb::ToProto(status)) == status);
}

// ---- bad wire input ----

TEST_CASE("an unknown channel number in the bytes is rejected naming the field and id") {
  std::string bytes = sb::ToProto(FullContact()).SerializeAsString();
  bytes += std::string("\x18\x63", 2);  // field 3 (channel), varint 99: the last value wins
  v1::Contact msg;
  REQUIRE(msg.ParseFromString(bytes));
  absl::StatusOr<sb::Contact> back = sb::FromProto(msg);
  REQUIRE(back.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(back.status()), Contains("contact.channel is 99"));
  CHECK_THAT(Message(back.status()), Contains("call-0001"));
}

TEST_CASE("UNSPECIFIED enums are rejected naming the field") {
  v1::Contact contact = sb::ToProto(FullContact());
  contact.clear_direction();
  CHECK_THAT(Message(sb::FromProto(contact).status()), Contains("contact.direction is unspecified"));

  v1::Agent agent = sb::ToProto(FullAgent());
  agent.clear_status();
  CHECK_THAT(Message(sb::FromProto(agent).status()), Contains("agent.status.state is unspecified"));
  agent = sb::ToProto(FullAgent());
  agent.mutable_capacities(1)->set_channel(v1::CHANNEL_UNSPECIFIED);
  CHECK_THAT(Message(sb::FromProto(agent).status()), Contains("agent.capacities[1].channel"));

  v1::Queue queue = sb::ToProto(FullQueue());
  queue.set_channels(2, v1::CHANNEL_UNSPECIFIED);
  CHECK_THAT(Message(sb::FromProto(queue).status()), Contains("queue.channels[2] is unspecified"));

  v1::TouchpointEvent event = sb::ToProto(FullEvent("e-1", kT0Micros));
  event.mutable_identifiers(1)->set_kind(v1::IDENTIFIER_KIND_UNSPECIFIED);
  CHECK_THAT(Message(sb::FromProto(event).status()),
             Contains("event.identifiers[1].kind is unspecified"));

  v1::Journey journey = sb::ToProto(FullJourney());
  journey.mutable_events(1)->clear_type();
  absl::Status s = sb::FromProto(journey).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(s), Contains("journey.events[1].type is unspecified"));
  CHECK_THAT(Message(s), Contains("cust-1"));
}

TEST_CASE("a core enum value out of range goes out as UNSPECIFIED and does not come back") {
  sb::Contact c = FullContact();
  c.channel = static_cast<sb::Channel>(200);
  const v1::Contact msg = sb::ToProto(c);
  CHECK(msg.channel() == v1::CHANNEL_UNSPECIFIED);
  CHECK_FALSE(sb::FromProto(msg).ok());
}

// QUEUE_ORDER_UNSPECIFIED reads as FIFO, so a queue whose order was cast from a bad integer went
// out as UNSPECIFIED and came back as a valid FIFO queue.
TEST_CASE("a queue order out of range does not come back as FIFO") {
  sb::Queue q = FullQueue();
  q.order = static_cast<sb::QueueOrder>(7);
  REQUIRE_FALSE(q.Validate().ok());
  const v1::Queue msg = sb::ToProto(q);
  CHECK(msg.order() != v1::QUEUE_ORDER_UNSPECIFIED);
  const absl::Status s = sb::FromProto(msg).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(s), Contains("queue.order is 8, not a known queue order"));
}

// A value no enum of this version knows (a newer peer's, or garbage) is refused naming the
// field, as is an away reason longer than the core type allows.
TEST_CASE("unknown enum values and an oversized away reason are rejected naming the field") {
  v1::Contact contact = sb::ToProto(FullContact());
  contact.set_direction(static_cast<v1::Direction>(77));
  CHECK_THAT(Message(sb::FromProto(contact).status()),
             Contains("contact.direction is 77, not a known"));

  v1::AgentStatus status;
  status.set_state(v1::AGENT_STATE_AWAY);
  status.set_away_reason(std::string(sb::kMaxNameLength, 'x'));
  CHECK(sb::FromProto(status, "agent.status").ok());
  status.set_away_reason(std::string(sb::kMaxNameLength + 1, 'x'));
  const absl::Status s = sb::FromProto(status, "agent.status").status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(s), Contains("agent.status.away_reason is 129 bytes, more than 128"));
}

// The parts read alone (a host may exchange them outside an Agent) were checked only for their
// signs: a priority of 500, 1,000 chats at once or a non-UTF-8 away reason came back as valid
// values, though Agent::Validate refuses each.
TEST_CASE("parts read alone are held to the same bounds as inside an agent") {
  v1::QueueMembership membership;
  membership.set_queue("billing");
  membership.set_priority(sb::kMaxMembershipPriority);
  CHECK(sb::FromProto(membership, "m").ok());
  membership.set_priority(sb::kMaxMembershipPriority + 1);
  CHECK_THAT(Message(sb::FromProto(membership, "m").status()),
             Contains("m.priority is 101, outside 1..100"));

  v1::ChannelCapacity capacity;
  capacity.set_channel(v1::CHANNEL_CHAT);
  capacity.set_cost_units(10);
  capacity.set_max_concurrent(sb::kMaxConcurrentPerChannel);
  CHECK(sb::FromProto(capacity, "c").ok());
  capacity.set_max_concurrent(sb::kMaxConcurrentPerChannel + 1);
  CHECK_THAT(Message(sb::FromProto(capacity, "c").status()),
             Contains("c.max_concurrent is 101, outside 0..100"));

  v1::AgentStatus status;
  status.set_state(v1::AGENT_STATE_AWAY);
  status.set_away_reason("lunch \xff");
  const absl::Status s = sb::FromProto(status, "agent.status").status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(s), Contains("agent.status.away_reason is not valid UTF-8"));
}

TEST_CASE("negative or out-of-range proficiency is rejected") {
  v1::Agent agent = sb::ToProto(FullAgent());
  agent.mutable_skills(1)->set_proficiency(-3);
  absl::Status s = sb::FromProto(agent).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(s), Contains("agent.skills[1].proficiency"));
  CHECK_THAT(Message(s), Contains("-3"));

  v1::Skill skill;
  skill.set_name("billing");
  skill.set_proficiency(-1);
  CHECK_THAT(Message(sb::FromProto(skill).status()), Contains("skill.proficiency"));
  v1::SkillRequirement need;
  need.set_name("billing");
  need.set_min_proficiency(11);
  CHECK_THAT(Message(sb::FromProto(need).status()), Contains("min_proficiency"));
}

TEST_CASE("missing ids are rejected naming the field") {
  v1::Contact contact = sb::ToProto(FullContact());
  contact.clear_id();
  CHECK_THAT(Message(sb::FromProto(contact).status()), Contains("contact.id is empty"));
  v1::Agent agent = sb::ToProto(FullAgent());
  agent.clear_tenant();
  CHECK_THAT(Message(sb::FromProto(agent).status()), Contains("agent.tenant is empty"));
  agent = sb::ToProto(FullAgent());
  agent.mutable_queues(0)->clear_queue();
  CHECK_THAT(Message(sb::FromProto(agent).status()), Contains("agent.queues[0].queue is empty"));
  v1::Queue queue = sb::ToProto(FullQueue());
  queue.clear_id();
  CHECK_THAT(Message(sb::FromProto(queue).status()), Contains("queue.id is empty"));
  v1::TouchpointEvent event = sb::ToProto(FullEvent("e-1", kT0Micros));
  event.clear_id();
  CHECK_THAT(Message(sb::FromProto(event).status()), Contains("event.id is empty"));
  v1::Journey journey = sb::ToProto(FullJourney());
  journey.clear_customer();
  CHECK_THAT(Message(sb::FromProto(journey).status()), Contains("journey.customer is empty"));
  v1::QueueMembership m;
  CHECK_THAT(Message(sb::FromProto(m).status()), Contains("queue_membership.queue is empty"));
}

TEST_CASE("other bad values are rejected by the type's own rules") {
  v1::Queue queue = sb::ToProto(FullQueue());
  queue.clear_service_level();
  CHECK_THAT(Message(sb::FromProto(queue).status()), Contains("queue.service_level is missing"));

  v1::Contact contact = sb::ToProto(FullContact());
  contact.set_arrived_at_micros(-1);
  CHECK_THAT(Message(sb::FromProto(contact).status()), Contains("before the Unix epoch"));
  contact = sb::ToProto(FullContact());
  contact.mutable_service_level()->set_fraction(1.5);
  CHECK_THAT(Message(sb::FromProto(contact).status()), Contains("contact.service_level.fraction"));

  v1::Agent agent = sb::ToProto(FullAgent());
  agent.mutable_capacities(0)->set_max_concurrent(-1);
  CHECK_THAT(Message(sb::FromProto(agent).status()), Contains("agent.capacities[0].max_concurrent"));
  v1::ChannelCapacity cap = sb::ToProto(sb::ChannelCapacity{});
  cap.set_cost_units(0);
  CHECK_THAT(Message(sb::FromProto(cap).status()), Contains("channel_capacity.cost_units is 0"));

  v1::QueueMembership m = sb::ToProto(sb::QueueMembership{sb::QueueId("q"), 1, absl::Seconds(1)});
  m.set_delay_micros(-5);
  CHECK_THAT(Message(sb::FromProto(m).status()), Contains("queue_membership.delay"));
  m.set_delay_micros(absl::ToInt64Microseconds(sb::kMaxMembershipDelay) + 1);
  CHECK_THAT(Message(sb::FromProto(m).status()),
             Contains("queue_membership.delay is 24h0.000001s, outside 0..24h"));

  v1::Journey journey = sb::ToProto(FullJourney());
  journey.mutable_events()->SwapElements(0, 2);
  CHECK_THAT(Message(sb::FromProto(journey).status()), Contains("out of order"));
}

TEST_CASE("text that is not UTF-8 never reaches the wire: validation rejects it") {
  // proto3 strings must be UTF-8; the core types check it so a valid object always travels.
  sb::Contact c = FullContact();
  c.attributes["raw"] = "\xff\xfe";
  CHECK_THAT(Message(c.Validate()), Contains("is not valid UTF-8"));
  v1::Contact msg = sb::ToProto(FullContact());
  (*msg.mutable_attributes())["raw"] = "\xff\xfe";
  CHECK_THAT(Message(sb::FromProto(msg).status()), Contains("is not valid UTF-8"));
}

// ---- randomized round-trip ----

namespace {

// Deterministic generator of valid objects. Uniform draws use modulo on mt19937_64's output,
// which is the same on every platform (std distributions are not).
class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Bool() { return (rng_() & 1) != 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Int(0, static_cast<int64_t>(items.size()) - 1))];
  }

  // Printable ASCII without spaces, as ids require.
  std::string Id() {
    std::string out(static_cast<size_t>(Int(1, 24)), 'x');
    for (char& c : out) c = static_cast<char>(Int('!', '~'));
    return out;
  }
  // Valid UTF-8 with spaces and multi-byte characters, at most `max_bytes`.
  std::string Text(size_t min_bytes, size_t max_bytes) {
    static const std::vector<std::string> kPieces = {"a", "Z", "7", " ", "-", "_", "\xc3\xa9",
                                                     "\xe4\xb8\xad", "\xf0\x9f\x98\x80"};
    const auto target = static_cast<size_t>(Int(static_cast<int64_t>(min_bytes),
                                                static_cast<int64_t>(std::min<size_t>(max_bytes, 40))));
    std::string out;
    while (out.size() < target) {
      const std::string& piece = Pick(kPieces);
      if (out.size() + piece.size() > max_bytes) break;
      out += piece;
    }
    if (out.size() < min_bytes) out.append(min_bytes - out.size(), 'a');
    return out;
  }
  std::string Name() { return Text(1, 128); }
  absl::Time Time() { return absl::FromUnixMicros(Int(0, 4'000'000'000'000'000)); }
  std::string Language() { return Pick<std::string>({"en", "es", "he-IL", "pt-BR", "zh-Hant-TW"}); }

  sb::Attributes Attrs() {
    sb::Attributes out;
    for (int64_t n = Int(0, 4); n > 0; --n) out[Text(1, 128)] = Text(0, 4096);
    return out;
  }
  std::vector<sb::Identifier> Identifiers() {
    std::vector<sb::Identifier> out(static_cast<size_t>(Int(0, 4)));
    for (sb::Identifier& id : out) {
      id.kind = static_cast<sb::IdentifierKind>(Int(0, sb::kIdentifierKindCount - 1));
      id.value = Text(1, 320);
      const bool needs_scope =
          id.kind == sb::IdentifierKind::kSocialHandle || id.kind == sb::IdentifierKind::kCustom;
      id.scope = needs_scope || Bool() ? Name() : "";
    }
    return out;
  }
  // Up to `max_count` names, distinct by their numbered prefix.
  std::vector<std::string> DistinctNames(int64_t max_count) {
    std::vector<std::string> out;
    for (int64_t n = Int(0, max_count); n > 0; --n) {
      out.push_back("n" + std::to_string(out.size()) + Text(0, 20));
    }
    return out;
  }
  std::vector<sb::SkillRequirement> Requirements() {
    std::vector<sb::SkillRequirement> out;
    for (std::string& name : DistinctNames(4)) {
      out.push_back({std::move(name), static_cast<int>(Int(1, 10)), Bool()});
    }
    return out;
  }
  sb::Channel AnyChannel() { return sb::kAllChannels[static_cast<size_t>(Int(0, sb::kChannelCount - 1))]; }
  // A random subset of the channels, each once.
  std::vector<sb::Channel> Channels(size_t min_count) {
    std::vector<sb::Channel> out;
    for (sb::Channel c : sb::kAllChannels) {
      if (Int(0, 2) == 0) out.push_back(c);
    }
    if (out.size() < min_count) out.push_back(sb::Channel::kWeb);
    return out;
  }
  sb::ServiceLevelTarget ServiceLevel() {
    return {static_cast<double>(Int(1, 1000)) / 1000.0, absl::Microseconds(Int(1, 600'000'000))};
  }

  sb::Contact Contact() {
    sb::Contact c;
    c.id = sb::ContactId(Id());
    c.tenant = sb::TenantId(Id());
    c.channel = AnyChannel();
    c.direction = Bool() ? sb::Direction::kInbound : sb::Direction::kOutbound;
    c.identifiers = Identifiers();
    c.attributes = Attrs();
    c.required_skills = Requirements();
    c.language = Bool() ? Language() : "";
    c.intent = Text(0, 128);
    c.priority = static_cast<int>(Int(0, sb::kMaxContactPriority));
    c.arrived_at = Time();
    if (Bool()) c.service_level = ServiceLevel();
    if (Bool()) {
      c.preferred_agent = sb::AgentId(Id());
      if (Bool()) c.preferred_agent_wait = absl::Microseconds(Int(0, 86'400'000'000));
    }
    return c;
  }

  sb::Agent Agent() {
    sb::Agent a;
    a.id = sb::AgentId(Id());
    a.tenant = sb::TenantId(Id());
    a.name = Text(0, 128);
    for (std::string& name : DistinctNames(5)) a.skills.push_back({name, static_cast<int>(Int(1, 10))});
    for (int64_t n = Int(0, 3); n > 0; --n) a.languages.push_back(Language());
    a.capacity_units = static_cast<int>(Int(1, 10'000));
    for (sb::Channel c : Channels(0)) {
      a.capacities.push_back({c, static_cast<int>(Int(0, 100)),
                              static_cast<int>(Int(1, a.capacity_units))});
    }
    a.allow_blending = Bool();
    for (int64_t n = Int(0, 3); n > 0; --n) {
      a.queues.push_back({sb::QueueId("q" + std::to_string(a.queues.size()) + Id()),
                          static_cast<int>(Int(1, 100)), absl::Microseconds(Int(0, 1'000'000'000))});
    }
    a.site = Text(0, 128);
    for (int64_t n = Int(0, 3); n > 0; --n) a.teams.push_back(Name());
    a.attributes = Attrs();
    a.status.state = static_cast<sb::AgentState>(Int(0, 4));
    if (a.status.state == sb::AgentState::kAway) a.status.away_reason = Text(0, 128);
    return a;
  }

  sb::Queue Queue() {
    sb::Queue q;
    q.id = sb::QueueId(Id());
    q.tenant = sb::TenantId(Id());
    q.name = Text(0, 128);
    q.channels = Channels(1);
    q.required_skills = Requirements();
    q.priority = static_cast<int>(Int(1, 100));
    q.service_level = ServiceLevel();
    q.max_waiting = static_cast<int>(Int(0, 100'000));
    q.wrap_up = absl::Microseconds(Int(0, 3'600'000'000));
    q.offer_timeout = absl::Microseconds(Int(1, 86'400'000'000));
    q.order = Bool() ? sb::QueueOrder::kFifo : sb::QueueOrder::kLifo;
    return q;
  }

  sb::TouchpointEvent Event(const sb::TenantId& tenant, std::string id) {
    sb::TouchpointEvent e;
    e.id = sb::EventId(std::move(id));
    e.tenant = tenant;
    e.type = static_cast<sb::EventType>(Int(0, sb::kEventTypeCount - 1));
    e.channel = AnyChannel();
    e.occurred_at = Time();
    e.received_at = Time();
    e.identifiers = Identifiers();
    e.attributes = Attrs();
    e.source_system = Text(0, 128);
    if (Bool()) e.contact = sb::ContactId(Id());
    return e;
  }

  sb::Journey Journey() {
    sb::Journey j;
    j.tenant = sb::TenantId(Id());
    j.customer = sb::CustomerId(Id());
    for (int64_t n = Int(0, 5); n > 0; --n) {
      j.events.push_back(Event(j.tenant, "e" + std::to_string(j.events.size()) + Id()));
    }
    std::sort(j.events.begin(), j.events.end(), sb::JourneyOrderLess);
    return j;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("randomized round-trip of generated valid objects") {
  const uint64_t seed = 20261125;
  INFO("seed " << seed);
  Gen gen(seed);
  for (int i = 0; i < 200; ++i) {
    INFO("iteration " << i);
    CheckRoundTrip(gen.Contact());
    CheckRoundTrip(gen.Agent());
    CheckRoundTrip(gen.Queue());
    CheckRoundTrip(gen.Event(sb::TenantId(gen.Id()), gen.Id()));
    CheckRoundTrip(gen.Journey());
  }
}
