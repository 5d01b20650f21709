// Hostile wire input for every core type: messages filled with garbage, valid messages with a
// few fields damaged, and random or corrupted bytes. FromProto must answer each with either a
// value that passes its own Validate() and survives another trip unchanged, or InvalidArgument
// with a message that says what was wrong. Nothing may crash (the sanitize preset runs this too).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <google/protobuf/stubs/logging.h>

#include "switchboard/wire/core_convert.h"
#include "tests/core_examples.h"
#include "tests/proto_garbage.h"

namespace sb = switchboard;
namespace v1 = switchboard::v1;

namespace {

constexpr std::uint64_t kSeed = 20261126;
constexpr int kRounds = 3000;

// Lead bytes and continuation bytes in place (the test's own check, independent of the library's).
bool WellFormedUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80            ? 1
                          : (b >> 5) == 0x6  ? 2
                          : (b >> 4) == 0xE  ? 3
                          : (b >> 3) == 0x1E ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// A message quotes what was wrong, but bounded and printable whatever the input was: at most a
// few quoted values of kMaxPrintableBytes each, no control bytes, valid UTF-8.
void RequireReadable(absl::string_view message) {
  const std::string_view m(message.data(), message.size());
  INFO("message: " << m.substr(0, 2000));
  REQUIRE(m.size() < 1000);
  REQUIRE(std::none_of(m.begin(), m.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7F;
  }));
  REQUIRE(WellFormedUtf8(m));
}

struct Tally {
  int accepted = 0;
  int rejected = 0;
};

// One input through FromProto, judged. `what` names the input in a failure's report.
template <typename Message>
void Judge(const Message& msg, std::string_view what, Tally* tally) {
  auto result = sb::FromProto(msg);
  if (!result.ok()) {
    INFO(what << ": " << result.status().ToString());
    REQUIRE(result.status().code() == absl::StatusCode::kInvalidArgument);
    REQUIRE(result.status().message().size() > 5);  // says something, not just "bad"
    RequireReadable(result.status().message());
    ++tally->rejected;
    return;
  }
  INFO(what << ": accepted as\n" << sb::ToProto(*result).DebugString());
  REQUIRE(result->Validate().ok());
  auto again = sb::FromProto(sb::ToProto(*result));
  REQUIRE(again.ok());
  REQUIRE(*again == *result);
  ++tally->accepted;
}

// kRounds inputs of one type: a third filled with garbage, a third a valid message with a few
// fields damaged, a third bytes (random, or the valid encoding corrupted) that happen to parse.
template <typename Message, typename Value>
Tally Attack(const Value& valid, std::uint64_t seed) {
  sb::testing::ProtoGarbage garbage(seed);
  const Message valid_msg = sb::ToProto(valid);
  const std::string valid_bytes = valid_msg.SerializeAsString();
  Tally tally;
  for (int round = 0; round < kRounds; ++round) {
    Message msg;
    std::string what;
    switch (round % 3) {
      case 0:
        garbage.Fill(&msg);
        what = "garbage";
        break;
      case 1:
        msg = valid_msg;
        garbage.Damage(&msg);
        what = "damaged";
        break;
      default: {
        // Parsing logs each string that is not UTF-8; the test judges what FromProto does.
        google::protobuf::LogSilencer quiet;
        if (!msg.ParseFromString(garbage.Bytes(valid_bytes))) continue;
        what = "bytes";
        break;
      }
    }
    INFO("seed " << seed << ", round " << round);
    Judge(msg, what, &tally);
  }
  return tally;
}

// Both answers must occur: an attack that every input fails (or passes) tests nothing.
void RequireBothAnswers(const Tally& t) {
  INFO("accepted " << t.accepted << ", rejected " << t.rejected);
  CHECK(t.accepted > kRounds / 100);
  CHECK(t.rejected > kRounds / 10);
}

}  // namespace

TEST_CASE("hostile contacts are rejected or read back whole") {
  RequireBothAnswers(Attack<v1::Contact>(sbt::FullContact(), kSeed));
}

TEST_CASE("hostile agents are rejected or read back whole") {
  RequireBothAnswers(Attack<v1::Agent>(sbt::FullAgent(), kSeed + 1));
}

TEST_CASE("hostile queues are rejected or read back whole") {
  RequireBothAnswers(Attack<v1::Queue>(sbt::FullQueue(), kSeed + 2));
}

TEST_CASE("hostile touchpoint events are rejected or read back whole") {
  RequireBothAnswers(
      Attack<v1::TouchpointEvent>(sbt::FullEvent("e-1", sbt::kT0Micros), kSeed + 3));
}

TEST_CASE("hostile journeys are rejected or read back whole") {
  RequireBothAnswers(Attack<v1::Journey>(sbt::FullJourney(), kSeed + 4));
}
