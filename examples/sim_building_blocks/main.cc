// The simulator's building blocks, usable on their own: service-time distributions
// (sim/distribution.h), the event calendar (sim/event_calendar.h) and trace files
// (sim/trace.h). docs/harness.md quotes it; CI runs it, and it exits non-zero if any result
// differs from what the comments say.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "switchboard/sim/distribution.h"
#include "switchboard/sim/event_calendar.h"
#include "switchboard/sim/random.h"
#include "switchboard/sim/trace.h"

namespace sim = switchboard::sim;

namespace {

int failures = 0;

void Expect(bool ok, const char* what) {
  std::printf("%-52s %s\n", what, ok ? "ok" : "UNEXPECTED");
  if (!ok) ++failures;
}

}  // namespace

int main() {
  // [distribution] Handle times with a long right tail, drawn from a seeded stream.
  sim::Distribution service = sim::Distribution::LogNormal(/*mean_s=*/240, /*stddev_s=*/180);
  if (absl::Status s = service.Validate("service", /*allow_none=*/false); !s.ok()) return 1;
  sim::RandomStream rng(42);
  double total = 0;
  for (int i = 0; i < 100000; ++i) total += service.Sample(rng);
  std::printf("%s: sample mean %.1f s\n", service.Describe().c_str(), total / 100000);
  // [distribution]
  Expect(std::abs(total / 100000 - service.Mean()) < 5, "sample mean within 5 s of 240 s");
  Expect(!sim::Distribution::Exponential(0).Validate("patience", false).ok(),
         "a zero exponential mean is refused");

  // [calendar] Events come out by time; equal times in the order they were scheduled.
  sim::EventCalendar calendar;
  calendar.Schedule(/*time_us=*/5'000'000, /*kind=*/1, /*subject=*/42);
  calendar.Schedule(/*time_us=*/2'000'000, /*kind=*/2, /*subject=*/7);
  calendar.Schedule(/*time_us=*/5'000'000, /*kind=*/3, /*subject=*/9);
  std::vector<std::uint32_t> kinds;
  while (!calendar.empty()) kinds.push_back(calendar.Pop().kind);
  // [calendar]
  Expect(kinds == std::vector<std::uint32_t>{2, 1, 3}, "order 2, 1, 3 (the tie by schedule)");

  // [trace] A recorded day: arrival as H:MM:SS, service and patience in seconds.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "switchboard_sim_building_blocks.csv";
  std::ofstream(path) << "arrival_s,type,service_s,patience_s\n"
                      << "9:00:05,billing,310,\n"
                      << "9:00:01,sales,0,45\n";
  absl::StatusOr<std::vector<sim::TraceRecord>> day = sim::ReadTrace(path.string(), ',');
  std::filesystem::remove(path);
  // [trace]
  Expect(day.ok() && day->size() == 2, "two records read");
  Expect(day.ok() && (*day)[0].type == "sales" && (*day)[0].arrival_s == 9 * 3600 + 1 &&
             (*day)[0].patience_s == 45,
         "sorted by arrival; the hang-up after 45 s");
  Expect(day.ok() && std::isinf((*day)[1].patience_s) && (*day)[1].service_s == 310,
         "served call: patience unlimited");
  const absl::StatusOr<double> half_past_one = sim::ParseClockTime("1:30:00");
  Expect(half_past_one.ok() && *half_past_one == 5400 && !sim::ParseClockTime("noon").ok(),
         "H:MM:SS parses to seconds; words do not");

  return failures == 0 ? 0 : 1;
}
