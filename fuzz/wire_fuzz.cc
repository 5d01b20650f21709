// Fuzz target: untrusted bytes through the wire gate (include/switchboard/wire/core_convert.h).
// The first byte picks a message type; the rest is parsed as that message. Promises checked:
//   - FromProto never crashes, and a rejection says what was wrong (a non-empty message);
//   - what FromProto accepts is valid (the type's Validate(), where it has one, passes);
//   - what it accepts comes back the same through ToProto and FromProto again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_target.h"
#include "google/protobuf/stubs/logging.h"
#include "switchboard/wire/core_convert.h"
#include "tests/core_examples.h"

namespace sb = switchboard;

namespace {

template <typename T>
auto ValidateIfAny(const T& value, int) -> decltype(value.Validate()) {
  return value.Validate();
}
template <typename T>
absl::Status ValidateIfAny(const T&, long) {  // a part without a Validate() of its own
  return absl::OkStatus();
}

template <typename Message>
void RoundTrip(const std::uint8_t* data, std::size_t size) {
  Message msg;
  if (!msg.ParseFromArray(data, static_cast<int>(size))) return;
  const auto first = sb::FromProto(msg);
  if (!first.ok()) {
    FUZZ_CHECK(switchboard_fuzz::Explained(first.status()),
               "FromProto rejected a " + msg.GetTypeName() + " without saying why");
    return;
  }
  const absl::Status valid = ValidateIfAny(*first, 0);
  FUZZ_CHECK(valid.ok(), "FromProto accepted an invalid " + msg.GetTypeName() + ": " +
                             std::string(valid.message()));
  const auto second = sb::FromProto(sb::ToProto(*first));
  FUZZ_CHECK(second.ok(), "a " + msg.GetTypeName() + " FromProto accepted fails its round trip: " +
                              std::string(second.status().message()));
  FUZZ_CHECK(*second == *first,
             "a " + msg.GetTypeName() + " changed in a round trip: " + msg.ShortDebugString());
}

using Reader = void (*)(const std::uint8_t*, std::size_t);
constexpr Reader kReaders[] = {
    RoundTrip<sb::v1::Contact>,
    RoundTrip<sb::v1::Agent>,
    RoundTrip<sb::v1::Queue>,
    RoundTrip<sb::v1::TouchpointEvent>,
    RoundTrip<sb::v1::Journey>,
    RoundTrip<sb::v1::Identifier>,
    RoundTrip<sb::v1::Skill>,
    RoundTrip<sb::v1::SkillRequirement>,
    RoundTrip<sb::v1::ServiceLevelTarget>,
    RoundTrip<sb::v1::ChannelCapacity>,
    RoundTrip<sb::v1::QueueMembership>,
    RoundTrip<sb::v1::AgentStatus>,
};
constexpr std::size_t kKinds = sizeof(kReaders) / sizeof(kReaders[0]);

std::string Tagged(std::size_t kind, const google::protobuf::MessageLite& msg) {
  return std::string(1, static_cast<char>(kind)) + msg.SerializeAsString();
}

}  // namespace

namespace switchboard_fuzz {

// One full object of each type, every field set, and each part on its own.
std::vector<std::string> Seeds() {
  const sb::Agent agent = sbt::FullAgent();
  const sb::Queue queue = sbt::FullQueue();
  const sb::Contact contact = sbt::FullContact();
  std::vector<std::string> seeds = {
      Tagged(0, sb::ToProto(contact)),
      Tagged(1, sb::ToProto(agent)),
      Tagged(2, sb::ToProto(queue)),
      Tagged(3, sb::ToProto(sbt::FullEvent("e-1", sbt::kT0Micros))),
      Tagged(4, sb::ToProto(sbt::FullJourney())),
      Tagged(11, sb::ToProto(agent.status)),
  };
  for (const auto& id : sbt::FullEvent("e-1", sbt::kT0Micros).identifiers) {
    seeds.push_back(Tagged(5, sb::ToProto(id)));
  }
  for (const auto& skill : agent.skills) seeds.push_back(Tagged(6, sb::ToProto(skill)));
  for (const auto& need : contact.required_skills) seeds.push_back(Tagged(7, sb::ToProto(need)));
  seeds.push_back(Tagged(8, sb::ToProto(queue.service_level)));
  for (const auto& cap : agent.capacities) seeds.push_back(Tagged(9, sb::ToProto(cap)));
  for (const auto& m : agent.queues) seeds.push_back(Tagged(10, sb::ToProto(m)));
  return seeds;
}

}  // namespace switchboard_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Protobuf logs every string field that is not UTF-8; FromProto's answer is what is checked.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  kReaders[data[0] % kKinds](data + 1, size - 1);
  return 0;
}
