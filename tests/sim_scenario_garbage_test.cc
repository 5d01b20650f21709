// Hostile scenario files: the bundled scenarios with a few fields damaged, and scenarios filled
// with garbage, written out as text and read back by ParseScenarioText. Each must load as a
// scenario that validates, or fail with InvalidArgument (NotFound for a trace file that is not
// there) and a readable message; nothing may crash or hang. Accepted scenarios small enough to
// simulate quickly are run as well: the simulator must finish them or return an error.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>

#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"
#include "switchboard/v1/scenario.pb.h"
#include "tests/proto_garbage.h"

namespace sim = switchboard::sim;
namespace v1 = switchboard::v1;

namespace {

constexpr std::uint64_t kSeed = 20261126;
constexpr int kRounds = 1500;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

v1::Scenario Bundled(const char* name) {
  const std::string text =
      ReadFile(std::string(SWITCHBOARD_SOURCE_DIR) + "/benchmarks/scenarios/" + name);
  v1::Scenario msg;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &msg));
  return msg;
}

struct Tally {
  int accepted = 0;
  int rejected = 0;
  int simulated = 0;
};

// Shortens `s` to about 500 arrivals so that it simulates in milliseconds (garbage can ask for
// billions). False when it still would not be small, or no longer validates.
bool MakeSmall(sim::Scenario* s) {
  if (s->trace) return false;
  double rate_per_s = 0;
  for (const sim::ContactType& t : s->contact_types) {
    double rate = t.rate_per_hour;
    for (double r : t.rates_per_hour) rate = std::max(rate, r);
    rate_per_s += rate / 3600;
  }
  int agents = 0;
  for (const sim::AgentGroup& g : s->agent_groups) agents += g.count;
  if (agents > 200) return false;
  if (rate_per_s * s->duration_s > 500) s->duration_s = 500 / rate_per_s;
  s->warmup_s = std::min(s->warmup_s, s->duration_s / 2);
  return s->Validate().ok();
}

void Judge(const v1::Scenario& msg, Tally* tally) {
  std::string text;
  {
    google::protobuf::LogSilencer quiet;  // printing logs strings that are not UTF-8
    REQUIRE(google::protobuf::TextFormat::PrintToString(msg, &text));
  }
  absl::StatusOr<sim::Scenario> loaded = [&] {
    google::protobuf::LogSilencer quiet;  // parsing does too; the status says what was wrong
    return sim::ParseScenarioText(text, "/nonexistent-scenario-dir");
  }();
  if (!loaded.ok()) {
    INFO(loaded.status().ToString());
    const absl::StatusCode code = loaded.status().code();
    REQUIRE((code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kNotFound));
    const std::string_view m(loaded.status().message().data(), loaded.status().message().size());
    REQUIRE(m.size() > 5);
    REQUIRE(m.size() < 1500);
    REQUIRE(std::none_of(m.begin(), m.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 && c != '\n';  // text-format errors span lines
    }));
    ++tally->rejected;
    return;
  }
  INFO("accepted:\n" << text.substr(0, 3000));
  REQUIRE(loaded->Validate().ok());
  ++tally->accepted;
  if (!MakeSmall(&*loaded)) return;
  sim::RunOptions run;
  run.strategy = loaded->strategies.empty() ? "longest-idle" : loaded->strategies.front();
  absl::StatusOr<sim::RunResult> result = sim::RunScenario(*loaded, run);
  if (!result.ok()) {  // e.g. a strategy name the registry does not know
    INFO(result.status().ToString());
    CHECK(result.status().message().size() < 1500);
    return;
  }
  ++tally->simulated;
}

}  // namespace

TEST_CASE("hostile scenarios load as valid scenarios or fail with a readable message") {
  switchboard::testing::ProtoGarbage garbage(kSeed);
  const v1::Scenario bases[] = {Bundled("mmn.textproto"), Bundled("journeys.textproto")};
  Tally tally;
  for (int round = 0; round < kRounds; ++round) {
    INFO("seed " << kSeed << ", round " << round);
    v1::Scenario msg;
    if (round % 4 == 0) {
      garbage.Fill(&msg);
    } else {
      msg = bases[round % 2];
      garbage.Damage(&msg);
    }
    Judge(msg, &tally);
  }
  INFO("accepted " << tally.accepted << ", rejected " << tally.rejected << ", simulated "
                    << tally.simulated);
  CHECK(tally.accepted > kRounds / 20);  // damage often misses what matters: both answers occur
  CHECK(tally.rejected > kRounds / 10);
  CHECK(tally.simulated > kRounds / 10);
}
