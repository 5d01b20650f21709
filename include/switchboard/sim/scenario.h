// A simulator scenario: the queues, agents and traffic of one simulated day (or any horizon),
// and what to compare. Build one in code, or load a protobuf text / JSON file written against
// proto/switchboard/v1/scenario.proto (see docs/harness.md).
//
// Thread-safety: plain value; copy it to share. LoadScenarioFile() is safe to call concurrently.
//
//   absl::StatusOr<sim::Scenario> s = sim::LoadScenarioFile("benchmarks/scenarios/mmn.textproto");
//   // or in code:
//   sim::Scenario s;
//   s.duration_s = 8 * 3600;
//   s.queues.push_back(queue);                  // a switchboard::Queue
//   s.agent_groups.push_back(group);            // count, skills, channels, memberships, shifts
//   s.contact_types.push_back(type);            // queue, channel, rates, service, patience
//   absl::Status ok = s.Validate();
#ifndef SWITCHBOARD_SIM_SCENARIO_H_
#define SWITCHBOARD_SIM_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/agent.h"
#include "switchboard/channel.h"
#include "switchboard/export.h"
#include "switchboard/queue.h"
#include "switchboard/skill.h"
#include "switchboard/sim/distribution.h"
#include "switchboard/sim/trace.h"

namespace switchboard::sim {

// A working period, in seconds from the start of the run.
struct Shift {
  double start_s = 0;
  double end_s = 0;
};

// `count` identical agents, named "<name>-<i>" (i from 1).
struct AgentGroup {
  std::string name;
  int count = 1;
  // The agents' skills, languages, capacities, blending policy and queue memberships. Its id,
  // name, tenant and status are set by the simulator.
  Agent profile;
  std::vector<Shift> shifts;       // empty = on duty for the whole run
  double decline_probability = 0;  // chance an offer is declined
  double miss_probability = 0;     // chance an offer is left to expire
  double answer_delay_s = 0;       // time from offer to the agent's answer
  double no_answer_away_s = 60;    // an agent set away after missed offers returns after this
};

// One stream of contacts with the same route, needs and timing.
struct ContactType {
  std::string name;
  QueueId queue;
  std::optional<Channel> channel;  // default: the queue's first channel
  std::vector<SkillRequirement> required_skills;
  int priority = 0;
  std::string language;
  // Poisson arrivals: rates_per_hour[i] applies to interval i (Scenario::interval_s long);
  // intervals past the end have rate 0. When empty, rate_per_hour applies throughout.
  double rate_per_hour = 0;
  std::vector<double> rates_per_hour;
  Distribution service;                      // handle time before wrap-up; not kNone
  Distribution patience;                     // default kNone: nobody hangs up
  double resolution_probability = 1;         // a completed contact solves the problem
  double transfer_probability = 0;           // after service, transferred to transfer_queue
  // Another queue that serves the type's channel. A transfer into it while it is full is
  // refused: the agent completes the contact instead.
  QueueId transfer_queue;

  // The arrival rate per second in force at `time_s`.
  SWITCHBOARD_EXPORT double RatePerSecondAt(double time_s, double interval_s) const;
};

// Contacts replayed from a file instead of generated.
struct TraceSpec {
  enum class Format : unsigned char { kCsv = 0, kTsv, kAnonymousBank };
  std::string path;  // as written in the scenario; LoadScenarioFile() resolves it
  Format format = Format::kCsv;
  // Anonymous Bank: the day to replay ("990201"); "" = every day, one after another from
  // midnight of the earliest date in the file.
  std::string date;
  std::map<std::string, std::string, std::less<>> type_map;  // trace type -> contact type name
  std::string default_contact_type;
  bool trace_patience = true;  // the record's own patience, else the contact type's
  bool trace_service = true;   // the record's own service time, else the contact type's
  // The records to replay. LoadScenarioFile() reads them; set them directly in code.
  std::vector<TraceRecord> records;
};

// Unresolved contacts come back.
struct ReturnSpec {
  bool enabled = false;
  Distribution delay = Distribution::Exponential(3600);
  int max_attempts = 3;  // contacts per problem, the first included
  // The next agent has the customer's context (a real JourneyMerger holds the earlier contacts).
  bool journeys = false;
  double context_handle_time_factor = 1;  // with journeys on
  std::optional<double> context_resolution_probability;  // with journeys on; default unchanged
  double no_context_handle_time_factor = 1;  // journeys off: re-explaining takes longer
};

struct Scenario {
  std::string name;
  std::string description;
  // Arrivals stop; the run goes on until every contact is done, at most two simulated days
  // more.
  double duration_s = 3600;
  double interval_s = 1800;   // KPI and rate interval
  double warmup_s = 0;        // contacts arriving earlier are simulated but not counted
  std::vector<Queue> queues;  // tenant may be left empty: the simulator sets it
  std::vector<AgentGroup> agent_groups;
  std::vector<ContactType> contact_types;
  std::optional<TraceSpec> trace;  // set: replay instead of Poisson arrivals
  ReturnSpec returns;
  std::vector<std::string> strategies = {"longest-idle"};
  int replications = 5;
  std::uint64_t seed = 1;
  int missed_offers_before_away = 0;  // 0 = the router's default
  absl::Time start = absl::FromUnixSeconds(946'684'800);  // 2000-01-01: the router's clock

  // Number of KPI intervals covering the arrival horizon.
  SWITCHBOARD_EXPORT int IntervalCount() const;
  // Index of the contact type called `name`, or -1.
  SWITCHBOARD_EXPORT int FindContactType(std::string_view name) const;

  // OK, or InvalidArgument naming the first offending object and field: unknown queue
  // references, a contact type whose channel its queue does not serve, bad distributions,
  // probabilities outside [0, 1], shifts out of order, trace types with no contact type, a
  // strategy the router does not know...
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

// OK when `name` is one of the router's built-in strategies (the ones a run can use), else
// InvalidArgument quoting it and listing them.
SWITCHBOARD_EXPORT absl::Status CheckStrategyName(std::string_view name);

struct LoadOptions {
  // What "$SWITCHBOARD_SHARED_DATA" expands to as the whole first component of a trace path
  // ("$SWITCHBOARD_SHARED_DATA/x.tsv", not "$SWITCHBOARD_SHARED_DATA2/x.tsv"). Default: the
  // environment variable of that name, else "<scenario folder>/../../../shared/data" (the
  // repository's neighbour).
  std::string shared_data_dir;
  // Read the trace records (false: only check the file parses).
  bool read_trace = true;
};

// Reads a scenario file: protobuf text format, or JSON when the name ends in ".json". Relative
// trace paths are resolved against the file's folder. NotFound for a missing file,
// InvalidArgument naming the file and field for a parse or validation error.
SWITCHBOARD_EXPORT absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path,
                                                             const LoadOptions& options = {});
// The same from text in memory; `base_dir` resolves relative trace paths.
SWITCHBOARD_EXPORT absl::StatusOr<Scenario> ParseScenarioText(std::string_view text,
                                                              std::string_view base_dir,
                                                              const LoadOptions& options = {});
SWITCHBOARD_EXPORT absl::StatusOr<Scenario> ParseScenarioJson(std::string_view json,
                                                              std::string_view base_dir,
                                                              const LoadOptions& options = {});

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_SCENARIO_H_
