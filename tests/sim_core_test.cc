// The simulator's building blocks: event calendar order, seeded streams, distributions, trace
// readers (a generic CSV and the real Anonymous Bank file), scenario files and KPI arithmetic.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "switchboard/contact.h"
#include "switchboard/sim/distribution.h"
#include "switchboard/sim/event_calendar.h"
#include "switchboard/sim/kpi.h"
#include "switchboard/sim/random.h"
#include "switchboard/sim/report.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"
#include "switchboard/sim/trace.h"

namespace sim = switchboard::sim;
using Catch::Matchers::Contains;

namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                     "/switchboard_sim_core_test_" + name;
  std::ofstream(path) << text;
  return path;
}

std::string ScenarioDir() { return std::string(SWITCHBOARD_SOURCE_DIR) + "/benchmarks/scenarios"; }

std::string AnonymousBankPath() {
  const char* shared = std::getenv("SWITCHBOARD_SHARED_DATA");
  std::string dir = shared != nullptr && *shared != 0
                        ? shared
                        : std::string(SWITCHBOARD_SOURCE_DIR) + "/../shared/data";
  return dir + "/anonymous_bank/february_1999.tsv";
}

double SampleMean(const sim::Distribution& d, std::uint64_t seed, int n) {
  sim::RandomStream rng(seed);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += d.Sample(rng);
  return sum / n;
}

}  // namespace

TEST_CASE("event calendar pops by time, then in schedule order") {
  sim::EventCalendar calendar;
  calendar.Schedule(30, 1, 100);
  calendar.Schedule(10, 2, 200);
  calendar.Schedule(30, 3, 300);
  calendar.Schedule(10, 4, 400);
  calendar.Schedule(20, 5, 500);
  std::vector<std::uint64_t> order;
  while (!calendar.empty()) order.push_back(calendar.Pop().subject);
  CHECK(order == std::vector<std::uint64_t>{200, 400, 500, 100, 300});
  CHECK(calendar.scheduled() == 5);
}

TEST_CASE("event calendar matches a sorted reference on random input") {
  const std::uint64_t seed = 77;
  INFO("seed " << seed);
  sim::RandomStream rng(seed);
  sim::EventCalendar calendar;
  std::vector<std::pair<std::int64_t, std::uint64_t>> reference;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const auto t = static_cast<std::int64_t>(rng.Next() * 100);  // many equal times
    calendar.Schedule(t, 0, i);
    reference.emplace_back(t, i);
  }
  std::stable_sort(reference.begin(), reference.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, subject] : reference) {
    sim::SimEvent e = calendar.Pop();
    REQUIRE(e.time_us == t);
    REQUIRE(e.subject == subject);
  }
}

TEST_CASE("streams are deterministic, independent per key, and in (0, 1)") {
  sim::RandomStream a(5), b(5), c(6);
  std::vector<double> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a.Next());
    vb.push_back(b.Next());
    vc.push_back(c.Next());
  }
  CHECK(va == vb);
  CHECK(va != vc);
  for (double v : va) {
    CHECK(v > 0);
    CHECK(v < 1);
  }
  sim::KeyedStream k1(1, sim::StreamId::kService, 42), k2(1, sim::StreamId::kService, 42);
  sim::KeyedStream k3(1, sim::StreamId::kPatience, 42), k4(1, sim::StreamId::kService, 43);
  const double x = k1.Next();
  CHECK(x == k2.Next());
  CHECK(x != k3.Next());
  CHECK(x != k4.Next());
  CHECK(sim::DeriveSeed(1, sim::StreamId::kArrivals, 0) !=
        sim::DeriveSeed(1, sim::StreamId::kArrivals, 1));
}

TEST_CASE("distributions have the documented means") {
  const int n = 200'000;
  CHECK(SampleMean(sim::Distribution::Exponential(180), 1, n) == Approx(180).epsilon(0.01));
  CHECK(SampleMean(sim::Distribution::LogNormal(240, 180), 2, n) == Approx(240).epsilon(0.015));
  CHECK(SampleMean(sim::Distribution::Constant(7), 3, 10) == 7);
  CHECK(SampleMean(sim::Distribution::Empirical({10, 20, 60}), 4, n) == Approx(30).epsilon(0.01));
  sim::RandomStream rng(9);
  CHECK(std::isinf(sim::Distribution::None().Sample(rng)));
  // The lognormal's standard deviation, too.
  sim::RandomStream r2(10);
  const sim::Distribution ln = sim::Distribution::LogNormal(240, 180);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double v = ln.Sample(r2);
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / n;
  CHECK(std::sqrt(sum2 / n - mean * mean) == Approx(180).epsilon(0.03));
}

TEST_CASE("distribution validation names the field") {
  CHECK_THAT(std::string(sim::Distribution::Exponential(0).Validate("svc", false).message()),
             Contains("svc"));
  CHECK_FALSE(sim::Distribution::None().Validate("svc", false).ok());
  CHECK(sim::Distribution::None().Validate("patience", true).ok());
  CHECK_FALSE(sim::Distribution::Empirical({}).Validate("e", false).ok());
  CHECK_FALSE(sim::Distribution::Empirical({1, -2}).Validate("e", false).ok());
  CHECK_FALSE(sim::Distribution::LogNormal(10, NAN).Validate("l", false).ok());
}

TEST_CASE("generic CSV trace: columns by header, times as H:MM:SS or seconds, sorted") {
  const std::string path = WriteTemp("trace.csv",
                                     "type,arrival_s,service_s,patience_s,customer\n"
                                     "billing,0:01:00,120,,ana\n"
                                     "sales,30,60,45,\n"
                                     "billing,10,90,inf,bob\n");
  auto records = sim::ReadTrace(path, ',');
  REQUIRE(records.ok());
  REQUIRE(records->size() == 3);
  CHECK((*records)[0].arrival_s == 10);
  CHECK((*records)[0].customer == "bob");
  CHECK(std::isinf((*records)[0].patience_s));
  CHECK((*records)[1].type == "sales");
  CHECK((*records)[1].patience_s == 45);
  CHECK((*records)[2].arrival_s == 60);
  CHECK((*records)[2].service_s == 120);

  const std::string bad = WriteTemp("bad.csv", "arrival_s,type,service_s\n10,a,-3\n");
  auto error = sim::ReadTrace(bad, ',');
  REQUIRE_FALSE(error.ok());
  CHECK_THAT(std::string(error.status().message()), Contains(":2: column 'service_s'"));
  CHECK(sim::ReadTrace("/no/such/file.csv", ',').status().code() ==
        absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(sim::ReadTrace(WriteTemp("empty.csv", ""), ',').status().message()),
             Contains("empty file, no header"));
  const std::string no_header = WriteTemp("nohdr.csv", "a,b\n1,2\n");
  CHECK_THAT(std::string(sim::ReadTrace(no_header, ',').status().message()),
             Contains("arrival_s"));
}

TEST_CASE("Anonymous Bank reader: one day of the real file, PHANTOM dropped") {
  const std::string path = AnonymousBankPath();
  INFO("data file " << path);
  auto all = sim::ReadAnonymousBank(path);
  REQUIRE(all.ok());  // the data set is part of the CI environment
  // README: 33,344 records, of which 278 PHANTOM (counted with awk on the file).
  CHECK(all->size() == 33'344u - 278u);
  auto day = sim::ReadAnonymousBank(path, "990201");
  REQUIRE(day.ok());
  CHECK(day->size() == 1567u - 16u);  // 990201 has 1,567 records, 16 of them PHANTOM
  int hung_up = 0;
  for (const sim::TraceRecord& r : *day) {
    CHECK(r.day == "990201");
    if (std::isfinite(r.patience_s)) ++hung_up;
  }
  CHECK(hung_up == 197);  // outcome HANG on 990201
  // First call of the file: 7:02:56 entry to the queue (vru_exit, it did not wait), 166 s.
  const sim::TraceRecord& first = day->front();
  CHECK(first.arrival_s < 8 * 3600.0);
  CHECK(std::is_sorted(day->begin(), day->end(), [](const auto& a, const auto& b) {
    return a.arrival_s < b.arrival_s;
  }));
}

TEST_CASE("shipped scenarios load and validate") {
  for (const char* name : {"mmn.textproto", "mmn.json", "mmn_m.textproto", "blended.textproto",
                           "journeys.textproto", "anonymous_bank_day.textproto"}) {
    INFO(name);
    auto s = sim::LoadScenarioFile(ScenarioDir() + "/" + name);
    REQUIRE(s.ok());
    CHECK_FALSE(s->queues.empty());
  }
  auto bank = sim::LoadScenarioFile(ScenarioDir() + "/anonymous_bank_day.textproto");
  REQUIRE(bank.ok());
  REQUIRE(bank->trace.has_value());
  CHECK(bank->trace->records.size() == 1551u);
}

TEST_CASE("scenario JSON and text give the same scenario") {
  const std::string text = R"(
    name: "t" duration_s: 3600
    queues { id: "q" channels: "chat" }
    agent_groups { name: "a" count: 3 capacities { channel: "chat" max_concurrent: 2 }
                   queues { queue: "q" } }
    contact_types { name: "c" queue: "q" rate_per_hour: 10
                    service { kind: KIND_EXPONENTIAL mean_s: 60 } })";
  const std::string json = R"({"name": "t", "durationS": 3600,
    "queues": [{"id": "q", "channels": ["chat"]}],
    "agentGroups": [{"name": "a", "count": 3,
                     "capacities": [{"channel": "chat", "maxConcurrent": 2}],
                     "queues": [{"queue": "q"}]}],
    "contactTypes": [{"name": "c", "queue": "q", "ratePerHour": 10,
                      "service": {"kind": "KIND_EXPONENTIAL", "meanS": 60}}]})";
  auto a = sim::ParseScenarioText(text, ".");
  auto b = sim::ParseScenarioJson(json, ".");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->agent_groups[0].profile == b->agent_groups[0].profile);
  CHECK(a->agent_groups[0].profile.capacities[0].max_concurrent == 2);
  CHECK(a->queues == b->queues);
  CHECK(a->contact_types[0].service.mean_s == 60);
  CHECK(b->contact_types[0].service.kind == sim::Distribution::Kind::kExponential);

  const auto not_json = sim::ParseScenarioJson(R"({"name": "t", "durationS": )", ".");
  CHECK(not_json.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(not_json.status().message()), Contains("scenario: not valid JSON"));
}

TEST_CASE("bad scenarios are rejected with the offending object named") {
  const std::string base = R"(duration_s: 3600 queues { id: "q" channels: "voice" }
    agent_groups { name: "a" count: 1 queues { queue: "q" } } )";
  struct Case {
    std::string extra;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"(contact_types { name: "c" queue: "nope" service { kind: KIND_CONSTANT mean_s: 1 } })",
       "queue 'nope' is not defined"},
      {R"(contact_types { name: "c" queue: "q" channel: "email"
                          service { kind: KIND_CONSTANT mean_s: 1 } })",
       "channel email is not served"},
      {R"(contact_types { name: "c" queue: "q" })", "service"},
      {R"(contact_types { name: "c" queue: "q" service { kind: KIND_CONSTANT mean_s: 1 }
                          resolution_probability: 1.5 })",
       "resolution_probability"},
      {R"(contact_types { name: "c" queue: "q" channel: "fax" })", "unknown channel 'fax'"},
      {R"(contact_types { name: "c" queue: "q" service { kind: KIND_CONSTANT mean_s: 1 } }
          agent_groups { name: "b" queues { queue: "zz" } })",
       "unknown queue 'zz'"},
  };
  for (const Case& c : cases) {
    INFO(c.extra);
    auto s = sim::ParseScenarioText(base + c.extra, ".");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.status().message()), Contains(c.message));
  }
  CHECK_FALSE(sim::ParseScenarioText("this is { not proto", ".").ok());
  CHECK(sim::LoadScenarioFile("/no/such/scenario.textproto").status().code() ==
        absl::StatusCode::kNotFound);
}

// docs/harness.md: the loader checks everything before anything runs. A strategy name the
// router does not know would otherwise fail only when its turn came, after every replication of
// the strategies before it had run.
TEST_CASE("unknown strategy names are refused before any run") {
  const std::string base = R"(duration_s: 3600 replications: 2 queues { id: "q" }
    agent_groups { name: "a" count: 2 queues { queue: "q" } }
    contact_types { name: "c" queue: "q" rate_per_hour: 60
                    service { kind: KIND_CONSTANT mean_s: 60 } } )";
  auto bad = sim::ParseScenarioText(base + R"(strategies: "longest-idle" strategies: "nope")", ".");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  INFO(bad.status().message());
  CHECK_THAT(std::string(bad.status().message()),
             Contains("strategies[1]: strategy 'nope' is not one of the router's"));

  auto good = sim::ParseScenarioText(base, ".");
  REQUIRE(good.ok());
  sim::ExperimentOptions options;
  options.strategies = {"longest-idle", "nope"};
  int progress_calls = 0;
  options.progress = [&](double, int) { ++progress_calls; };
  auto e = sim::RunExperiment(*good, options);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(e.status().message()), Contains("'nope'"));
  CHECK(progress_calls == 0);  // nothing ran
}

// docs/harness.md: the JSON escapes control characters, as the tables do: C0, DEL and the C1
// controls (U+0080..U+009F; some terminals obey U+009B as CSI), which --json prints to a
// terminal.
TEST_CASE("ExperimentToJson escapes every control character of a name") {
  sim::Experiment e;
  e.scenario_name = "n\x01\x7f\xc2\x9b[2J\xc2\xa0x";  // C0, DEL, C1, then U+00A0 (not a control)
  const std::string json = sim::ExperimentToJson(e);
  INFO(json);
  CHECK_THAT(json, Contains("\"scenario\":\"n\\u0001\\u007f\\u009b[2J\xc2\xa0x\""));
  CHECK(json.find('\x7f') == std::string::npos);
  CHECK(json.find("\xc2\x9b") == std::string::npos);
}

// docs/harness.md: the loader checks everything. 0 (proto3's "not set") means the documented
// default, but a negative value is a mistake to name, not another way to ask for the default.
TEST_CASE("negative values in a scenario file are refused; 0 is the default") {
  const std::string type =
      R"( contact_types { name: "c" queue: "q" service { kind: KIND_CONSTANT mean_s: 1 } } )";
  auto with = [&](const std::string& top, const std::string& queue, const std::string& group,
                  const std::string& returns) {
    return "duration_s: 3600 " + top + " queues { id: \"q\" " + queue +
           " } agent_groups { name: \"a\" count: 1 queues { queue: \"q\" } " + group + " }" +
           type + returns;
  };
  const std::string on = " returns { enabled: true ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with("interval_s: -1800", "", "", ""), "interval_s"},
      {with("replications: -3", "", "", ""), "replications"},
      {with("start_unix_s: -86400", "", "", ""), "before the Unix epoch"},
      {with("", "service_level_fraction: -0.8", "", ""), "service_level"},
      {with("", "service_level_threshold_s: -20", "", ""), "service_level"},
      {with("", "offer_timeout_s: -15", "", ""), "offer_timeout"},
      {with("", "", "capacity_units: -100", ""), "capacity_units"},
      {with("", "", R"(capacities { channel: "voice" max_concurrent: -1 })", ""),
       "max_concurrent"},
      {with("", "", R"(capacities { channel: "voice" cost_units: -100 })", ""), "cost_units"},
      {with("", "", "no_answer_away_s: -60", ""), "no_answer_away_s"},
      {with("", "", "", on + "max_attempts: -2 }"), "max_attempts"},
      {with("", "", "", on + "context_handle_time_factor: -0.8 }"), "handle time factors"},
      {with("", "", "", on + "no_context_handle_time_factor: -1.2 }"), "handle time factors"},
  };
  for (const auto& [text, field] : cases) {
    INFO(text);
    auto s = sim::ParseScenarioText(text, ".");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.status().message()), Contains(field));
  }
  // 0 is still the default.
  auto zero = sim::ParseScenarioText(with("interval_s: 0 replications: 0",
                                          "service_level_fraction: 0 offer_timeout_s: 0",
                                          "capacity_units: 0 no_answer_away_s: 0",
                                          on + "max_attempts: 0 }"),
                                     ".");
  INFO(zero.status().message());
  REQUIRE(zero.ok());
  CHECK(zero->interval_s == 1800);
  CHECK(zero->replications == 5);
  CHECK(zero->returns.max_attempts == 3);
}

TEST_CASE("KPIs from counters") {
  sim::KpiCounters c;
  c.offered = 10;
  c.answered = 8;
  c.answered_within_target = 6;
  c.abandoned = 2;
  c.wait_answered_s = 80;
  c.wait_abandoned_s = 30;
  c.completed = 8;
  c.handle_s = 1600;
  c.busy_agent_s = 450;
  c.staffed_agent_s = 600;
  c.first_contacts_completed = 8;
  c.resolved_first_contact = 6;
  c.resolved = 7;
  c.queue_length_s = 100;
  c.span_s = 50;
  sim::Kpis k = sim::ComputeKpis(c);
  CHECK(k.service_level == Approx(0.6));
  CHECK(k.asa_s == Approx(10));
  CHECK(k.abandonment_rate == Approx(0.2));
  CHECK(k.avg_abandon_wait_s == Approx(15));
  CHECK(k.aht_s == Approx(200));
  CHECK(k.occupancy == Approx(0.75));
  CHECK(k.fcr == Approx(0.75));
  CHECK(k.resolution_rate == Approx(7.0 / 8));
  CHECK(k.avg_queue_length == Approx(2));
  sim::KpiCounters twice = c;
  twice.Add(c);
  CHECK(sim::ComputeKpis(twice).service_level == Approx(0.6));
  CHECK(twice.offered == 20);
  CHECK(sim::ComputeKpis(sim::KpiCounters{}).asa_s == 0);
}

TEST_CASE("CSV trace replay uses the recorded service times and patience by default") {
  const std::string path = WriteTemp("replay.csv",
                                     "arrival_s,type,service_s,patience_s\n"
                                     "0,call,100,\n"
                                     "10,call,50,5\n"
                                     "20,call,30,\n");
  const std::string text = R"(duration_s: 3600 interval_s: 1800
    queues { id: "q" channels: "voice" }
    agent_groups { name: "a" count: 1 queues { queue: "q" } }
    contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 999 } }
    trace { path: ")" + path + R"(" format: FORMAT_CSV })";
  auto s = sim::ParseScenarioText(text, ".");
  INFO(s.status().message());
  REQUIRE(s.ok());
  REQUIRE(s->trace.has_value());
  CHECK(s->trace->trace_service);
  CHECK(s->trace->trace_patience);
  auto r = sim::RunScenario(*s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  // One agent: the first call (100 s) blocks the second, which hangs up after its recorded 5 s;
  // the third waits 80 s and takes its recorded 30 s.
  CHECK(r->overall.offered == 3);
  CHECK(r->overall.abandoned == 1);
  CHECK(r->overall.wait_abandoned_s == Approx(5));
  CHECK(r->overall.completed == 2);
  CHECK(r->overall.handle_s == Approx(130));
  CHECK(r->overall.wait_answered_s == Approx(80));
}

// A served call's recorded service time is used even when it is 0 s (the Anonymous Bank has
// AGENT calls whose service began and ended in the same second); only a call that hung up in
// reality (service_s 0 with a finite patience_s) has none, and gets the type's distribution.
TEST_CASE("trace replay: a served call's recorded 0 s service is kept") {
  const std::string path = WriteTemp("zero_service.csv",
                                     "arrival_s,type,service_s,patience_s\n"
                                     "0,call,0,\n"
                                     "100,call,0,45\n");
  const std::string text = R"(duration_s: 3600 interval_s: 1800
    queues { id: "q" channels: "voice" }
    agent_groups { name: "a" count: 1 queues { queue: "q" } }
    contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 999 } }
    trace { path: ")" + path + R"(" })";
  auto s = sim::ParseScenarioText(text, ".");
  INFO(s.status().message());
  REQUIRE(s.ok());
  auto r = sim::RunScenario(*s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  // Both answered at once: the served call takes its recorded 0 s, the one that hung up in
  // reality the distribution's 999 s.
  CHECK(r->overall.completed == 2);
  CHECK(r->overall.handle_s == Approx(999));
}

TEST_CASE("trace priority is checked at load: a whole number in 0..kMaxContactPriority") {
  for (const char* bad : {"2000000", "1e20", "1.5", "-1", "inf", "nan"}) {
    INFO(bad);
    const std::string path = WriteTemp("prio_bad.csv", std::string("arrival_s,type,service_s,"
                                                                   "priority\n0,a,1,0\n5,a,1,") +
                                                           bad + "\n");
    auto records = sim::ReadTrace(path, ',');
    REQUIRE_FALSE(records.ok());
    CHECK(records.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(records.status().message()), Contains(":3: column 'priority'"));
  }
  const std::string top = WriteTemp("prio_top.csv",
                                    "arrival_s,type,service_s,priority\n"
                                    "0,a,1,1000000\n");
  auto records = sim::ReadTrace(top, ',');
  REQUIRE(records.ok());
  CHECK(records->front().priority == switchboard::kMaxContactPriority);

  // The loader fails before anything runs (it used to fail mid-run with INTERNAL).
  const std::string big = WriteTemp("prio_big.csv",
                                    "arrival_s,type,service_s,priority\n"
                                    "0,call,1,2000000\n");
  auto s = sim::ParseScenarioText(R"(duration_s: 3600 queues { id: "q" channels: "voice" }
      agent_groups { name: "a" count: 1 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 1 } }
      trace { path: ")" + big + R"(" format: FORMAT_CSV })",
                                  ".");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(std::string(s.status().message()), Contains("prio_big.csv:2: column 'priority'"));

  // Records set in code are checked by Validate().
  auto ok = sim::ParseScenarioText(R"(duration_s: 3600 queues { id: "q" channels: "voice" }
      agent_groups { name: "a" count: 1 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 1 } })",
                                   ".");
  REQUIRE(ok.ok());
  ok->trace.emplace();
  ok->trace->records.push_back({});
  ok->trace->records[0].type = "call";
  ok->trace->records[0].priority = switchboard::kMaxContactPriority + 1;
  CHECK_THAT(std::string(ok->Validate().message()), Contains("record 0 priority 1000001"));
}

TEST_CASE("trace channel column: checked at load and used for the contact") {
  const std::string bogus = WriteTemp("chan_bad.csv",
                                      "arrival_s,type,service_s,channel\n"
                                      "10,t,60,chat\n"
                                      "40,t,60,bogus-channel\n");
  auto records = sim::ReadTrace(bogus, ',');
  REQUIRE_FALSE(records.ok());
  CHECK_THAT(std::string(records.status().message()),
             Contains(":3: column 'channel' value 'bogus-channel'"));

  // The contact type is voice; only chat agents are on duty. Chat records reach them; the voice
  // record (empty channel = the type's) finds nobody and hangs up.
  const std::string path = WriteTemp("chan.csv",
                                     "arrival_s,type,service_s,patience_s,channel\n"
                                     "10,t,60,30,chat\n"
                                     "20,t,60,30,chat\n"
                                     "30,t,60,30,\n");
  const std::string base = R"(duration_s: 3600 interval_s: 1800
      queues { id: "q" channels: "voice" channels: "chat" }
      agent_groups { name: "chatter" count: 3 capacities { channel: "chat" } queues { queue: "q" } }
      contact_types { name: "t" queue: "q" channel: "voice"
                      service { kind: KIND_CONSTANT mean_s: 60 } }
  )";
  auto s = sim::ParseScenarioText(base + R"(trace { path: ")" + path + R"(" })", ".");
  INFO(s.status().message());
  REQUIRE(s.ok());
  auto r = sim::RunScenario(*s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  CHECK(r->overall.offered == 3);
  CHECK(r->overall.answered == 2);
  CHECK(r->overall.abandoned == 1);

  // A channel the type's queue does not serve is an error naming the file and line.
  const std::string email = WriteTemp("chan_email.csv",
                                      "arrival_s,type,service_s,channel\n"
                                      "10,t,60,email\n");
  auto e = sim::ParseScenarioText(base + R"(trace { path: ")" + email + R"(" })", ".");
  REQUIRE_FALSE(e.ok());
  CHECK_THAT(std::string(e.status().message()), Contains("chan_email.csv:2)"));
  CHECK_THAT(std::string(e.status().message()), Contains("channel email is not served"));
}

TEST_CASE("trace arrivals stop at duration_s; later records are counted as skipped") {
  const std::string path = WriteTemp("late.csv",
                                     "arrival_s,type,service_s\n"
                                     "10,call,5\n"
                                     "3599,call,5\n"
                                     "3600,call,5\n"
                                     "5000,call,5\n");
  auto s = sim::ParseScenarioText(R"(duration_s: 3600 interval_s: 1800
      queues { id: "q" channels: "voice" }
      agent_groups { name: "a" count: 1 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 5 } }
      trace { path: ")" + path + R"(" })",
                                  ".");
  INFO(s.status().message());
  REQUIRE(s.ok());
  auto r = sim::RunScenario(*s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  CHECK(r->contacts_simulated == 2);
  CHECK(r->overall.offered == 2);
  CHECK(r->trace_records_skipped == 2);
  REQUIRE(r->per_interval.size() == 2);
  CHECK(r->per_interval[1].offered == 1);  // only 3599: 3600 and 5000 are past the horizon
}

// docs/harness.md: a contact arriving exactly at warmup_s is measured, and one arriving exactly
// on an interval boundary belongs to the later interval, also when the boundary is not a whole
// number of seconds (60.1 s is 60100000 us, whose double 60100000 * 1e-6 is a hair below 60.1).
TEST_CASE("a contact arriving exactly at warmup_s or on a decimal interval boundary") {
  const std::string path = WriteTemp("boundary.csv",
                                     "arrival_s,type,service_s\n"
                                     "60.1,call,5\n"
                                     "120.2,call,5\n");
  auto s = sim::ParseScenarioText(R"(duration_s: 600 interval_s: 60.1 warmup_s: 60.1
      queues { id: "q" channels: "voice" }
      agent_groups { name: "a" count: 1 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 5 } }
      trace { path: ")" + path + R"(" })",
                                  ".");
  INFO(s.status().message());
  REQUIRE(s.ok());
  auto r = sim::RunScenario(*s, {"longest-idle", 1, {}});
  REQUIRE(r.ok());
  CHECK(r->overall.offered == 2);
  REQUIRE(r->per_interval.size() == 10);
  CHECK(r->per_interval[0].offered == 0);
  CHECK(r->per_interval[1].offered == 1);
  CHECK(r->per_interval[2].offered == 1);
}

TEST_CASE("Anonymous Bank reader, every day: days follow one another from the first date") {
  // Two calls on 990203 and one on 990201 (file order is not date order), 17 columns each.
  auto row = [](const char* date, const char* q_start) {
    return std::string("AA0101\t1\t0\t0\tPS\t") + date + "\t7:00:00\t7:00:10\t10\t" + q_start +
           "\t0:00:00\t5\tAGENT\t0:00:00\t0:00:00\t100\tDORIT\n";
  };
  const std::string header =
      "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\t"
      "vru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\t"
      "ser_exit\tser_time\tserver\n";
  const std::string path =
      WriteTemp("bank_days.tsv", header + row("990203", "7:00:00") + row("990201", "8:00:00") +
                                     row("990203", "6:00:00"));
  auto all = sim::ReadAnonymousBank(path);
  INFO(all.status().message());
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].arrival_s == 8 * 3600.0);
  CHECK((*all)[0].day == "990201");
  CHECK((*all)[1].arrival_s == 2 * 86400.0 + 6 * 3600);
  CHECK((*all)[2].arrival_s == 2 * 86400.0 + 7 * 3600);
  // One day keeps its clock times.
  auto day = sim::ReadAnonymousBank(path, "990203");
  REQUIRE(day.ok());
  CHECK(day->front().arrival_s == 6 * 3600.0);

  const std::string bad_date = WriteTemp("bank_bad_date.tsv", header + row("990230", "7:00:00"));
  CHECK_THAT(std::string(sim::ReadAnonymousBank(bad_date).status().message()),
             Contains(":2: column 'date'"));
  std::string bad_priority = row("990201", "7:00:00");
  bad_priority.replace(bad_priority.find("\t0\t0\t") + 3, 1, "1e20");
  const std::string prio = WriteTemp("bank_bad_prio.tsv", header + bad_priority);
  CHECK_THAT(std::string(sim::ReadAnonymousBank(prio).status().message()),
             Contains(":2: column 'priority'"));
  auto error_of = [&header](const char* name, const std::string& body) {
    return std::string(sim::ReadAnonymousBank(WriteTemp(name, header + body)).status().message());
  };
  CHECK_THAT(error_of("bank_short.tsv", "AA0101\t1\t0\n"),
             Contains(":2: column '*'") && Contains("has 3 columns, expected 17"));
  std::string bad_outcome = row("990201", "7:00:00");
  bad_outcome.replace(bad_outcome.find("AGENT"), 5, "LOST");
  CHECK_THAT(error_of("bank_outcome.tsv", bad_outcome),
             Contains(":2: column 'outcome'") && Contains("is not AGENT, HANG or PHANTOM"));
  std::string bad_service = row("990201", "7:00:00");
  bad_service.replace(bad_service.find("\t100\t"), 5, "\t-1\t");
  CHECK_THAT(error_of("bank_service.tsv", bad_service), Contains(":2: column 'ser_time'"));
  CHECK_THAT(
      std::string(sim::ReadAnonymousBank(WriteTemp("bank_empty.tsv", "")).status().message()),
      Contains("empty file, no header"));

  // The real month spreads over its 28 days.
  auto month = sim::ReadAnonymousBank(AnonymousBankPath());
  REQUIRE(month.ok());
  CHECK(month->front().arrival_s < 86400);
  CHECK(month->back().arrival_s > 27 * 86400.0);
}
