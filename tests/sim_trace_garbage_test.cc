// Damaged trace files through the C++ API: sim::ReadTrace (CSV/TSV with named columns),
// sim::ReadAnonymousBank (the Technion call log), sim::ParseClockTime and the scenario loader's
// handling of trace paths. Every file is written into a fresh temporary folder by the test (no
// fixture is committed); the real Anonymous Bank header is spelled out below, its data is never
// copied. Each damaged input must either load as documented or fail with InvalidArgument (or
// NotFound for a file that cannot be opened) naming the file, the line and the column.
//
// tests/sim_scenario_garbage_test.cc damages scenarios; tests/sim_core_test.cc has the reader's
// happy paths.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"
#include "switchboard/sim/trace.h"

namespace sim = switchboard::sim;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace std::string_literals;

namespace {

// A folder of its own per test process, removed at exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sb_trace_garbage_XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` exactly (binary: NULs, BOMs and CRs survive) and returns the path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TempDir& Dir() {
  static TempDir dir;
  return dir;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// The error of a CSV trace made of `text`, checked to be a readable InvalidArgument.
std::string CsvError(const std::string& name, const std::string& text) {
  auto records = sim::ReadTrace(Dir().Write(name, text), ',');
  INFO(name);
  REQUIRE_FALSE(records.ok());
  CHECK(records.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string m = Message(records.status());
  CHECK_THAT(m, Contains(name));
  CHECK(m.size() < 1500);
  return m;
}

std::vector<sim::TraceRecord> CsvOk(const std::string& name, const std::string& text) {
  auto records = sim::ReadTrace(Dir().Write(name, text), ',');
  INFO(name << ": " << records.status().message());
  REQUIRE(records.ok());
  return *records;
}

// The header of the Anonymous Bank file (17 tab-separated columns, see its README).
const std::string kBankHeader =
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n";

// One row; an invented call shaped like the file's (no data is copied from it).
std::string BankRow(const std::string& date = "990201", const std::string& vru_exit = "7:00:10",
                    const std::string& q_start = "7:00:12", const std::string& outcome = "AGENT") {
  return "AA0101\t1\t0\t0\tPS\t" + date + "\t7:00:00\t" + vru_exit + "\t10\t" + q_start +
         "\t7:00:20\t8\t" + outcome + "\t7:00:20\t7:02:00\t100\tDORIT\n";
}

std::string BankError(const std::string& name, const std::string& text,
                      std::string_view date = "") {
  auto records = sim::ReadAnonymousBank(Dir().Write(name, text), date);
  INFO(name);
  REQUIRE_FALSE(records.ok());
  CHECK(records.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string m = Message(records.status());
  CHECK_THAT(m, Contains(name));
  return m;
}

// A one-queue scenario replaying `trace_line` (a `trace { ... }` block).
std::string ScenarioWith(const std::string& trace_line) {
  return R"(duration_s: 3600 interval_s: 1800 replications: 1 seed: 1
      queues { id: "q" channels: "voice" }
      agent_groups { name: "a" count: 2 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" service { kind: KIND_CONSTANT mean_s: 60 } }
      )" +
         trace_line;
}

}  // namespace

TEST_CASE("trace files that are empty, header-only or without a required column") {
  CHECK_THAT(CsvError("empty.csv", ""), Contains("empty file, no header"));
  CHECK(CsvOk("header_only.csv", "arrival_s,type,service_s\n").empty());
  CHECK(CsvOk("header_no_newline.csv", "arrival_s,type,service_s").empty());
  for (const char* missing : {"arrival_s", "type", "service_s"}) {
    std::string header = "arrival_s,type,service_s";
    header.erase(header.find(missing), std::string(missing).size());
    CHECK_THAT(CsvError(std::string("no_") + missing + ".csv", header + "\n1,a,2\n"),
               Contains(std::string("header has no '") + missing + "' column"));
  }
  // A TSV read as CSV: one column named after the whole line.
  CHECK_THAT(CsvError("tab_as_csv.csv", "arrival_s\ttype\tservice_s\n1\ta\t2\n"),
             Contains("header has no 'arrival_s' column"));
}

TEST_CASE("trace rows that are short, NUL-laden, very long or out of order") {
  CHECK_THAT(CsvError("short_row.csv", "arrival_s,type,service_s\n10,a\n"),
             Contains(":2: column 'service_s' value ''"));
  CHECK_THAT(CsvError("nul.csv", "arrival_s,type,service_s\n1\0,a,5\n"s),
             Contains(":2: column 'arrival_s' value '1\\x00'"));
  // A NUL inside a free-text column is kept as data, not a terminator.
  const auto nul_type = CsvOk("nul_type.csv", "arrival_s,type,service_s\n1,a\0b,5\n"s);
  REQUIRE(nul_type.size() == 1);
  CHECK(nul_type[0].type == "a\0b"s);
  // 4 MB in one field.
  const auto wide = CsvOk(
      "wide.csv", "arrival_s,type,service_s,customer\n1,a,5," + std::string(4 << 20, 'x') + "\n");
  REQUIRE(wide.size() == 1);
  CHECK(wide[0].customer.size() == std::size_t{4} << 20);
  // Arrivals in any order come back sorted, equal arrivals in file order.
  const auto sorted =
      CsvOk("unsorted.csv", "arrival_s,type,service_s\n30,c,1\n10,a,1\n0:00:30,d,1\n20,b,1\n");
  REQUIRE(sorted.size() == 4);
  CHECK(sorted[0].type == "a");
  CHECK(sorted[1].type == "b");
  CHECK(sorted[2].type == "c");
  CHECK(sorted[3].type == "d");
  CHECK(sorted[3].line == 4);
  // 50,000 tiny records keep their lines.
  std::string many = "arrival_s,type,service_s\n";
  for (int i = 0; i < 50'000; ++i) many += "1,a,1\n";
  const auto lots = CsvOk("many.csv", many);
  REQUIRE(lots.size() == 50'000u);
  CHECK(lots.back().line == 50'001);
  // Line numbers are 64-bit: a file of more than 2^31 lines (too big to write here) must not
  // overflow the counter.
  static_assert(std::is_same_v<decltype(sim::TraceRecord::line), std::int64_t>);
}

TEST_CASE("trace line endings and spaces: CRLF and padded fields read like LF") {
  const auto crlf =
      CsvOk("crlf.csv", "arrival_s,type,service_s,patience_s\r\n10,a,5,\r\n20,b,6,inf\r\n\r\n");
  REQUIRE(crlf.size() == 2);
  CHECK(crlf[0].service_s == 5);
  CHECK(std::isinf(crlf[0].patience_s));
  CHECK(crlf[1].type == "b");
  auto tsv = sim::ReadTrace(
      Dir().Write("padded.tsv", "arrival_s\ttype\tservice_s\n 10 \t b \t 5 \n"), '\t');
  REQUIRE(tsv.ok());
  REQUIRE(tsv->size() == 1);
  CHECK((*tsv)[0].type == "b");
}

TEST_CASE("trace numbers: non-finite, hexadecimal and signed values are refused") {
  const std::string header = "arrival_s,type,service_s,patience_s\n";
  for (const char* bad : {"0x10", "nan", "inf", "-1", "1e400", "+5", "5s", ""}) {
    INFO(bad);
    CHECK_THAT(CsvError("svc.csv", header + "1,a," + bad + ",\n"),
               Contains(":2: column 'service_s'"));
  }
  for (const char* bad : {"0x10", "nan", "-inf", "Infinity", "-3"}) {
    INFO(bad);
    CHECK_THAT(CsvError("pat.csv", header + "1,a,5," + bad + "\n"),
               Contains(":2: column 'patience_s'"));
  }
  for (const char* bad :
       {"0x10", "nan", "inf", "-1", "1e400", "::", "1:2", "0:00:00:00", "a:b:c"}) {
    INFO(bad);
    CHECK_THAT(CsvError("arr.csv", header + bad + ",a,5,\n"), Contains(":2: column 'arrival_s'"));
  }
}

TEST_CASE("H:MM:SS: well-formed clock times and plain seconds") {
  CHECK(sim::ParseClockTime("0:00:00").value() == 0);
  CHECK(sim::ParseClockTime("9:00:05").value() == 32405);
  CHECK(sim::ParseClockTime("23:59:59").value() == 86399);
  CHECK(sim::ParseClockTime("47:00:00").value() == 47 * 3600);  // several days in one file
  CHECK(sim::ParseClockTime(" 7:02:56 ").value() == 25376);
  CHECK(sim::ParseClockTime("12.5").value() == 12.5);
  for (const char* bad : {"", ":", "1:2", "1:2:3:4", "x:00:00", "1:00:", "nan", "-5"}) {
    INFO(bad);
    auto t = sim::ParseClockTime(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

// H:MM:SS is a clock reading: no sign (not even on zero), minutes and seconds below 60, and a
// total that is finite. A reader names the file, line, column and value, and says which part is
// wrong.
TEST_CASE("H:MM:SS: a sign, minutes or seconds past 59, or an overflow are refused") {
  for (const char* bad : {"-0:00:01", "0:-0:01", "0:00:-0", "-0", "0:61:00", "0:00:61", "0:60:00",
                          "25:61:61", "1e308:00:00", "0:1e308:00"}) {
    absl::StatusOr<double> t = sim::ParseClockTime(bad);
    INFO(bad << (t.ok() ? " read as " + std::to_string(*t) : std::string()));
    CHECK_FALSE(t.ok());
  }
  CHECK(sim::ParseClockTime("0:59:59.5").value() == 3599.5);
  CHECK_THAT(Message(sim::ParseClockTime("0:61:00").status()),
             Contains("'0:61:00' is not a time: its minutes are not below 60"));
  // Through the reader: the line and column are named, and the value is not called negative.
  CHECK_THAT(CsvError("overflow.csv", "arrival_s,type,service_s\n1e308:00:00,a,5\n"),
             Contains(":2: column 'arrival_s' value '1e308:00:00' is not a time: too large"));
  CHECK_THAT(CsvError("minus.csv", "arrival_s,type,service_s\n-0:00:01,a,5\n"),
             Contains(":2: column 'arrival_s' value '-0:00:01' is not a time: its hours"));
  CHECK_THAT(BankError("bank_secs.tsv", kBankHeader + BankRow("990201", "7:00:10", "7:00:61")),
             Contains(":2: column 'q_start' value '7:00:61' is not a time: its seconds"));
}

// A column named twice is refused, naming it: either value could be the one meant. Unnamed
// columns (a trailing delimiter) are ignored.
TEST_CASE("a trace header naming a column twice is refused") {
  CHECK_THAT(CsvError("dup.csv", "arrival_s,type,service_s,service_s\n10,a,5,7\n"),
             Contains("dup.csv:1: column 'service_s' is named twice in the header"));
  CHECK_THAT(CsvError("dup_quoted.csv", "arrival_s,type,service_s,\"type\"\n10,a,5,b\n"),
             Contains(":1: column 'type' is named twice"));
  const auto unnamed = CsvOk("unnamed.csv", "arrival_s,type,service_s,,\n10,a,5,,\n");
  REQUIRE(unnamed.size() == 1);
  CHECK(unnamed[0].service_s == 5);
}

// Spreadsheet exports start with a UTF-8 byte order mark: it is skipped, not read as part of
// the first column's name. The Anonymous Bank reader skips it too.
TEST_CASE("a trace starting with a UTF-8 byte order mark") {
  const auto records = CsvOk("bom.csv",
                             "\xEF\xBB\xBF"
                             "arrival_s,type,service_s\n10,a,5\n");
  REQUIRE(records.size() == 1);
  CHECK(records[0].arrival_s == 10);
  auto bank =
      sim::ReadAnonymousBank(Dir().Write("bank_bom.tsv", "\xEF\xBB\xBF" + kBankHeader + BankRow()));
  INFO(bank.status().message());
  REQUIRE(bank.ok());
  CHECK(bank->size() == 1);
  // Only at the very start: a BOM later in the header is part of a name.
  CHECK_THAT(CsvError("bom_late.csv",
                      "type,\xEF\xBB\xBF"
                      "arrival_s,service_s\n"),
             Contains("header has no 'arrival_s' column"));
}

// Quoted fields follow RFC 4180 within a line: a quoted field may hold the delimiter and writes
// a quote as "", spaces inside quotes are kept, spaces around a field are not. An unterminated
// quote (a field cannot span lines) and text after a closing quote are errors naming the line.
// A row with more fields than the header is damaged (an unquoted delimiter in a value) and is
// refused naming the file and line; fewer fields leave the last columns empty.
TEST_CASE("quoted trace fields and rows longer than the header") {
  const auto quoted = CsvOk("quoted.csv",
                            "\"arrival_s\",type,service_s,customer\n"
                            "10,a,5,\"Smith, J\"\n"
                            " \"20\" , \"b\"\"c\" ,6, \" padded \" \n"
                            "30,\"\",7,\"\"\"\"\n");
  REQUIRE(quoted.size() == 3);
  CHECK(quoted[0].customer == "Smith, J");
  CHECK(quoted[1].arrival_s == 20);
  CHECK(quoted[1].type == "b\"c");
  CHECK(quoted[1].customer == " padded ");
  CHECK(quoted[2].type.empty());
  CHECK(quoted[2].customer == "\"");
  // Tab-separated files quote the same way.
  auto tsv = sim::ReadTrace(
      Dir().Write("quoted.tsv", "arrival_s\ttype\tservice_s\tcustomer\n10\ta\t5\t\"x\ty\"\n"),
      '\t');
  REQUIRE(tsv.ok());
  CHECK(tsv->front().customer == "x\ty");
  // A quote inside an unquoted field is data.
  CHECK(CsvOk("inner_quote.csv", "arrival_s,type,service_s,customer\n10,a,5,O\"Brien\n")
            .front()
            .customer == "O\"Brien");
  CHECK_THAT(CsvError("open_quote.csv", "arrival_s,type,service_s,customer\n10,a,5,\"Smith\n"),
             Contains("open_quote.csv:2: field 4 has no closing quote"));
  CHECK_THAT(CsvError("after_quote.csv", "arrival_s,type,service_s\n10,\"a\"b,5\n"),
             Contains("after_quote.csv:2: field 2 has text after its closing quote"));
  CHECK_THAT(CsvError("extra.csv", "arrival_s,type,service_s\n10,a,5,surplus,fields\n"),
             Contains("extra.csv:2: row has 5 fields, more than the 3 of the header"));
  CHECK_THAT(CsvError("unquoted_comma.csv", "arrival_s,type,service_s,customer\n10,a,5,Smith, J\n"),
             Contains("unquoted_comma.csv:2: row has 5 fields"));
  const auto shorter = CsvOk("shorter.csv", "arrival_s,type,service_s,patience_s\n10,a,5\n");
  REQUIRE(shorter.size() == 1);
  CHECK(std::isinf(shorter[0].patience_s));
}

TEST_CASE("trace paths: missing file, the scenario itself, unset shared data") {
  const std::string csv = Dir().Write("ok.csv", "arrival_s,type,service_s\n10,call,5\n");
  const std::string dir = Dir().path().string();

  auto missing = sim::ParseScenarioText(ScenarioWith(R"(trace { path: "no_such.csv" })"), dir);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(Message(missing.status()), Contains("no_such.csv"));

  // A scenario whose trace is the scenario file itself.
  const std::string self =
      Dir().Write("self.textproto", ScenarioWith(R"(trace { path: "self.textproto" })"));
  auto s = sim::LoadScenarioFile(self);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(Message(s.status()), Contains("self.textproto") && Contains("arrival_s"));
  const std::string bank_self = Dir().Write(
      "bank_self.textproto",
      ScenarioWith(R"(trace { path: "bank_self.textproto" format: FORMAT_ANONYMOUS_BANK })"));
  auto b = sim::LoadScenarioFile(bank_self);
  REQUIRE_FALSE(b.ok());
  CHECK_THAT(Message(b.status()), Contains("bank_self.textproto:1: not the Anonymous Bank header"));

  // $SWITCHBOARD_SHARED_DATA: the option, else the environment, else next to the scenario.
  const std::string shared = ScenarioWith(R"(trace { path: "$SWITCHBOARD_SHARED_DATA/ok.csv" })");
  sim::LoadOptions here;
  here.shared_data_dir = dir;
  CHECK(sim::ParseScenarioText(shared, "/nonexistent", here).ok());
  sim::LoadOptions nowhere;
  nowhere.shared_data_dir = "/nonexistent-shared-data";
  auto far = sim::ParseScenarioText(shared, dir, nowhere);
  REQUIRE_FALSE(far.ok());
  CHECK_THAT(Message(far.status()), Contains("/nonexistent-shared-data/ok.csv"));
  const char* saved = std::getenv("SWITCHBOARD_SHARED_DATA");
  const std::string saved_value = saved != nullptr ? saved : "";
  unsetenv("SWITCHBOARD_SHARED_DATA");
  auto unset = sim::ParseScenarioText(shared, "/nonexistent/a/b/c");
  if (saved != nullptr) setenv("SWITCHBOARD_SHARED_DATA", saved_value.c_str(), 1);
  REQUIRE_FALSE(unset.ok());
  CHECK(unset.status().code() == absl::StatusCode::kNotFound);
  // The message says the default was used because neither the option nor the variable is set.
  CHECK_THAT(Message(unset.status()), Contains("shared/data/ok.csv") &&
                                          Contains("neither --shared-data") &&
                                          Contains("SWITCHBOARD_SHARED_DATA is set"));
  // Given either, a missing file is only that: no hint.
  CHECK_THAT(Message(far.status()), !Contains("neither"));

  // The variable is only a whole first path component: "$SWITCHBOARD_SHARED_DATAX/ok.csv" is a
  // folder of that name next to the scenario.
  fs::create_directories(Dir().path() / "$SWITCHBOARD_SHARED_DATAX");
  Dir().Write("$SWITCHBOARD_SHARED_DATAX/ok.csv", "arrival_s,type,service_s\n10,call,5\n");
  auto literal = sim::ParseScenarioText(
      ScenarioWith(R"(trace { path: "$SWITCHBOARD_SHARED_DATAX/ok.csv" })"), dir, nowhere);
  INFO(literal.status().message());
  CHECK(literal.ok());
}

// Proto3 enums are open, so text format takes any number: an unknown trace format is refused
// instead of being read as CSV.
TEST_CASE("a trace format that is not one of the enum's values is refused") {
  const std::string dir = Dir().path().string();
  Dir().Write("fmt.csv", "arrival_s,type,service_s\n10,call,5\n");
  auto s = sim::ParseScenarioText(ScenarioWith(R"(trace { path: "fmt.csv" format: 99 })"), dir);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(Message(s.status()), Contains("trace: format 99 is not FORMAT_CSV"));
  CHECK(sim::ParseScenarioText(ScenarioWith(R"(trace { path: "fmt.csv" format: FORMAT_CSV })"), dir)
            .ok());
}

// The same for a distribution's kind: `patience { kind: 99 }` must not read as KIND_NONE (a
// caller who never hangs up).
TEST_CASE("a distribution kind that is not one of the enum's values is refused") {
  const std::string base = R"(duration_s: 3600 replications: 1 seed: 1
      queues { id: "q" }
      agent_groups { name: "a" count: 2 queues { queue: "q" } }
      contact_types { name: "call" queue: "q" rate_per_hour: 10
                      service { kind: KIND_CONSTANT mean_s: 60 } )";
  auto s = sim::ParseScenarioText(base + "patience { kind: 99 mean_s: 60 } }", ".");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(Message(s.status()), Contains("contact type 'call' patience: kind 99"));
  auto r = sim::ParseScenarioText(base + "} returns { enabled: true delay { kind: 7 } }", ".");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(Message(r.status()), Contains("returns delay: kind 7"));
  CHECK(sim::ParseScenarioText(base + "patience { kind: KIND_NONE } }", ".").ok());
}

// A directory opens as a stream that reads nothing: it is named as a directory, not reported
// as an empty file (a trace) or a scenario without duration_s. An empty trace path, which would
// resolve to the scenario's own folder, is refused as such.
TEST_CASE("a directory given as trace or scenario file is named as such") {
  const std::string dir = Dir().path().string();
  fs::create_directories(Dir().path() / "folder.csv");
  auto trace = sim::ReadTrace(dir + "/folder.csv", ',');
  REQUIRE_FALSE(trace.ok());
  INFO(trace.status().message());
  CHECK_THAT(Message(trace.status()), Contains("folder.csv' is a directory"));
  auto bank = sim::ReadAnonymousBank(dir + "/folder.csv");
  REQUIRE_FALSE(bank.ok());
  CHECK_THAT(Message(bank.status()), Contains("folder.csv' is a directory"));
  CHECK_THAT(Message(sim::ReadTrace("", ',').status()), Contains("trace path is empty"));

  auto empty_path = sim::ParseScenarioText(ScenarioWith(R"(trace { path: "" })"), dir);
  REQUIRE_FALSE(empty_path.ok());
  INFO(empty_path.status().message());
  CHECK_THAT(Message(empty_path.status()), Contains("trace: path is empty"));

  fs::create_directories(Dir().path() / "folder.textproto");
  auto scenario = sim::LoadScenarioFile(dir + "/folder.textproto");
  REQUIRE_FALSE(scenario.ok());
  INFO(scenario.status().message());
  CHECK_THAT(Message(scenario.status()), Contains("folder.textproto' is a directory"));
}

// docs/harness.md: nothing a file or an argument holds reaches the terminal as a control code.
// A file name is shown with \xNN escapes in every message, whole (not cut like a long value:
// the name is at its end).
TEST_CASE("file names with control characters or bytes that are not UTF-8 are escaped") {
  const std::string odd = "odd\x1b[2J\xff";
  const std::string shown = "odd\\x1b[2J\\xff";
  auto no_raw_bytes = [](const std::string& m) {
    INFO(m);
    CHECK(m.find('\x1b') == std::string::npos);
    CHECK(m.find('\xff') == std::string::npos);
  };
  auto csv = sim::ReadTrace(Dir().Write(odd + ".csv", "arrival_s,type,service_s\n0:61:00,c,5\n"),
                            ',');
  REQUIRE_FALSE(csv.ok());
  no_raw_bytes(Message(csv.status()));
  CHECK_THAT(Message(csv.status()), Contains(shown + ".csv:2: column 'arrival_s'"));
  auto header = sim::ReadTrace(Dir().Write(odd + "_header.csv", "arrival_s,type\n"), ',');
  REQUIRE_FALSE(header.ok());
  no_raw_bytes(Message(header.status()));
  auto bank = sim::ReadAnonymousBank(Dir().Write(odd + ".tsv", "not the header\n"));
  REQUIRE_FALSE(bank.ok());
  no_raw_bytes(Message(bank.status()));
  CHECK_THAT(Message(bank.status()), Contains(shown + ".tsv:1: not the Anonymous Bank header"));
  auto day = sim::ReadAnonymousBank(Dir().Write(odd + "_day.tsv", kBankHeader + BankRow()),
                                    "990202");
  REQUIRE_FALSE(day.ok());
  no_raw_bytes(Message(day.status()));

  const std::string scenario = Dir().Write(odd + ".textproto", "duration_s: -1");
  auto loaded = sim::LoadScenarioFile(scenario);
  REQUIRE_FALSE(loaded.ok());
  no_raw_bytes(Message(loaded.status()));
  CHECK_THAT(Message(loaded.status()), Contains(shown + ".textproto: scenario duration_s"));
  const std::string with_trace = Dir().Write(
      odd + "_trace.textproto", ScenarioWith(R"(trace { path: "odd\x1b[2J\xff.csv" })"));
  auto replay = sim::LoadScenarioFile(with_trace);
  REQUIRE_FALSE(replay.ok());
  no_raw_bytes(Message(replay.status()));
}

TEST_CASE("Anonymous Bank damage: truncated rows, bad fields, CRLF, extra columns") {
  CHECK_THAT(BankError("bank_empty.tsv", ""), Contains("empty file, no header"));
  std::string row = BankRow();
  CHECK_THAT(BankError("bank_trunc.tsv", kBankHeader + row.substr(0, 30) + "\n"),
             Contains(":2: column '*'") && Contains("expected 17"));
  CHECK_THAT(BankError("bank_trunc_nonl.tsv", kBankHeader + BankRow() + row.substr(0, 50)),
             Contains(":3: column '*'"));
  for (const char* date : {"991301", "990229", "99020x", "9902011", "", "-90201"}) {
    INFO(date);
    CHECK_THAT(BankError("bank_date.tsv", kBankHeader + BankRow(date)),
               Contains(":2: column 'date'"));
  }
  CHECK_THAT(
      BankError("bank_outcome.tsv", kBankHeader + BankRow("990201", "7:00:10", "7:00:12", "agent")),
      Contains(":2: column 'outcome' value 'agent'"));
  CHECK_THAT(BankError("bank_qstart.tsv", kBankHeader + BankRow("990201", "7:00:10", "7:xx:12")),
             Contains(":2: column 'q_start' value '7:xx:12'"));
  // CRLF, like LF; extra trailing columns are ignored.
  std::string crlf = kBankHeader + BankRow() + BankRow("990202");
  for (size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) {
    crlf.insert(at, "\r");
  }
  auto c = sim::ReadAnonymousBank(Dir().Write("bank_crlf.tsv", crlf));
  INFO(c.status().message());
  REQUIRE(c.ok());
  REQUIRE(c->size() == 2);
  CHECK((*c)[1].arrival_s == 86400 + 7 * 3600 + 12);
  CHECK((*c)[0].service_s == 100);
  // Header only: no calls (not an error).
  auto h = sim::ReadAnonymousBank(Dir().Write("bank_header.tsv", kBankHeader));
  REQUIRE(h.ok());
  CHECK(h->empty());
}

// A call that did not queue (q_start 0:00:00) arrives at vru_exit: a bad vru_exit is named as
// such, with its value; a bad q_start of a call that queued is named as q_start.
TEST_CASE("Anonymous Bank: a bad vru_exit is named as vru_exit") {
  const std::string m =
      BankError("bank_vru.tsv", kBankHeader + BankRow("990201", "7:xx:10", "0:00:00"));
  CHECK_THAT(m, Contains(":2: column 'vru_exit' value '7:xx:10'"));
  // A bad vru_exit of a call that queued is not read, so not blamed.
  auto queued = sim::ReadAnonymousBank(
      Dir().Write("bank_vru_unused.tsv", kBankHeader + BankRow("990201", "7:xx:10", "7:00:12")));
  CHECK(queued.ok());
}

// The `date` filter is checked like the file's dates (YYMMDD, a day that exists), and a filter
// that keeps no call is an error naming the date rather than an empty day to replay. The first
// line must be the data set's header, so that a file without one is not short of its first call.
TEST_CASE("Anonymous Bank: a malformed date filter or a missing header is refused") {
  const std::string path = Dir().Write("bank_two.tsv", kBankHeader + BankRow() + BankRow("990202"));
  REQUIRE(sim::ReadAnonymousBank(path, "990201").value().size() == 1);
  for (const char* date : {"1999-02-01", "990231", "99021", "9902011", "+90201"}) {
    INFO(date);
    auto day = sim::ReadAnonymousBank(path, date);
    REQUIRE_FALSE(day.ok());
    CHECK_THAT(Message(day.status()),
               Contains("bank_two.tsv: date filter '" + std::string(date) + "' is not a date"));
  }
  CHECK_THAT(BankError("bank_two.tsv", kBankHeader + BankRow() + BankRow("990202"), "990203"),
             Contains("no call on date '990203'"));
  CHECK_THAT(BankError("bank_header_day.tsv", kBankHeader, "990201"),
             Contains("no call on date '990201'"));
  CHECK_THAT(BankError("bank_headless.tsv", BankRow() + BankRow()),
             Contains("bank_headless.tsv:1: not the Anonymous Bank header: column 1 is 'AA0101'"));
  std::string renamed = kBankHeader;
  renamed.replace(renamed.find("q_start"), 7, "q_begin");
  CHECK_THAT(BankError("bank_renamed.tsv", renamed + BankRow()),
             Contains(":1: not the Anonymous Bank header: column 10 is 'q_begin', expected "
                      "'q_start'"));
}

TEST_CASE("damaged traces reach the scenario loader as load errors, never a run") {
  const std::string dir = Dir().path().string();
  Dir().Write("unknown_type.csv", "arrival_s,type,service_s\n10,nobody,5\n");
  auto unknown = sim::ParseScenarioText(ScenarioWith(R"(trace { path: "unknown_type.csv" })"), dir);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(Message(unknown.status()), Contains("unknown_type.csv:2") && Contains("'nobody'"));

  // Huge but finite values load and run: the record past duration_s is skipped, the one with
  // an endless service and patience ends the run at its horizon.
  Dir().Write("huge.csv",
              "arrival_s,type,service_s,patience_s\n1e300,call,1e300,1e300\n"
              "10,call,1e300,1e300\n20,call,1,\n");
  auto huge = sim::ParseScenarioText(ScenarioWith(R"(trace { path: "huge.csv" })"), dir);
  INFO(huge.status().message());
  REQUIRE(huge.ok());
  sim::RunOptions run;
  run.strategy = "longest-idle";
  auto result = sim::RunScenario(*huge, run);
  INFO(result.status().message());
  REQUIRE(result.ok());
  CHECK(result->trace_records_skipped == 1);
  CHECK(result->overall.answered == 2);
}
