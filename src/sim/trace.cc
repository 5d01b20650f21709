#include "switchboard/sim/trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/sim/input_file.h"
#include "switchboard/channel.h"
#include "switchboard/contact.h"

namespace switchboard::sim {
namespace {

std::vector<std::string_view> Split(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(delimiter, start);
    if (end == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Spreadsheets start their exports with a UTF-8 byte order mark; it is not part of the first
// column's name.
std::string_view WithoutBom(std::string_view line) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
  return line;
}

std::optional<double> ParseNumber(std::string_view s) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

absl::Status LineError(const std::string& path, std::int64_t line, std::string_view column,
                       std::string_view value, std::string_view why) {
  return absl::InvalidArgumentError(internal::StrCat(path, ":", line, ": column '",
                                                     internal::Printable(column), "' value '",
                                                     internal::Printable(value), "' ", why));
}

// The router takes priorities as ints in 0..kMaxContactPriority. Checked before the cast: a
// value beyond int is undefined behaviour there, and one beyond the router's range would only
// fail mid-run, after the loader promised the scenario was good.
absl::StatusOr<int> ParsePriority(const std::string& path, std::int64_t line,
                                  std::string_view text) {
  std::optional<double> p = ParseNumber(text);
  if (!p || *p < 0 || *p > kMaxContactPriority || *p != std::floor(*p)) {
    return LineError(path, line, "priority", text,
                     internal::StrCat("is not a whole number in 0..", kMaxContactPriority));
  }
  return static_cast<int>(*p);
}

// An Anonymous Bank date, YYMMDD ("990201"), as a civil day. absl's %y is the POSIX rule
// (69..99 are 19xx, 00..68 20xx), and a day the month does not have is refused, not rolled over.
std::optional<absl::CivilDay> ParseYymmdd(std::string_view text) {
  // Exactly six digits: %y%m%d alone would take "99021" as 1999-02-01.
  if (text.size() != 6 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%y%m%d", absl::string_view(text.data(), text.size()), absl::UTCTimeZone(),
                       &t, &error)) {
    return std::nullopt;
  }
  return absl::ToCivilDay(t, absl::UTCTimeZone());
}

// An empty path would name the scenario's folder.
absl::StatusOr<std::ifstream> Open(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("trace path is empty");
  return internal_sim::OpenInputFile(path, "trace file");
}

// getline() stops alike at the end of the file and on a read error: tell them apart, so that a
// failing disk does not pass for a short file.
absl::Status CheckRead(const std::ifstream& in, const std::string& path) {
  if (!in.bad()) return absl::OkStatus();
  return absl::DataLossError(
      internal::StrCat("error reading trace file '", internal::Printable(path), "'"));
}

void SortByArrival(std::vector<TraceRecord>& records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const TraceRecord& a, const TraceRecord& b) {
                     return a.arrival_s < b.arrival_s;
                   });
}

// Seconds from a trimmed "H:MM:SS" or plain number of seconds; on failure, InvalidArgument whose
// message says why, after the value ("is not a time: ..."), for the callers to place. A sign is
// refused even on zero ("-0:00:01" would otherwise read as 1 s), minutes and seconds must be
// below 60 ("0:61:00" is a typo, not 1:01:00), and the total must be finite ("1e308:00:00").
absl::StatusOr<double> ClockSeconds(std::string_view text) {
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(internal::StrCat("is not a time", why));
  };
  auto number = [](std::string_view s) -> std::optional<double> {
    if (!s.empty() && s.front() == '-') return std::nullopt;
    return ParseNumber(s);
  };
  if (text.find(':') == std::string_view::npos) {
    std::optional<double> v = number(text);
    if (!v) return bad(" (seconds >= 0, or H:MM:SS)");
    return *v;
  }
  std::vector<std::string_view> parts = Split(text, ':');
  if (parts.size() != 3) return bad(" (H:MM:SS)");
  constexpr const char* kParts[] = {"hours", "minutes", "seconds"};
  double total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::optional<double> v = number(parts[i]);
    if (!v) return bad(internal::StrCat(": its ", kParts[i], " are not a number >= 0"));
    if (i > 0 && *v >= 60) return bad(internal::StrCat(": its ", kParts[i], " are not below 60"));
    total = total * 60 + *v;
  }
  if (!std::isfinite(total)) return bad(": too large");
  return total;
}

std::string_view Why(const absl::Status& s) {
  return std::string_view(s.message().data(), s.message().size());
}

// ---- CSV / TSV ------------------------------------------------------------------------------

// A quoted field from just after its opening quote: the text up to the closing quote, "" being
// one quote. Returns the position after the closing quote, or nullopt when the line ends first.
std::optional<size_t> ReadQuoted(std::string_view line, size_t i, std::string& out) {
  while (i < line.size()) {
    if (line[i] != '"') {
      out += line[i++];
    } else if (i + 1 < line.size() && line[i + 1] == '"') {
      out += '"';
      i += 2;
    } else {
      return i + 1;
    }
  }
  return std::nullopt;
}

// The fields of one line (without its line ending), RFC 4180 style: a field whose first non-space
// character is '"' runs to the closing quote and may hold the delimiter ("Smith, J") and ""
// for a quote; other fields run to the next delimiter and are trimmed of spaces (a '"' inside
// one is data). A quoted field cannot span lines: the reader counts lines for its messages.
absl::StatusOr<std::vector<std::string>> SplitFields(const std::string& path, std::int64_t line_no,
                                                     std::string_view line, char delimiter) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    const size_t start = i;
    while (i < line.size() && line[i] == ' ') ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      std::optional<size_t> end = ReadQuoted(line, i + 1, field);
      if (!end) {
        return absl::InvalidArgumentError(
            internal::StrCat(path, ":", line_no, ": field ", fields.size() + 1,
                             " has no closing quote (a quoted field cannot span lines)"));
      }
      for (i = *end; i < line.size() && line[i] == ' ';) ++i;
      if (i < line.size() && line[i] != delimiter) {
        return absl::InvalidArgumentError(internal::StrCat(path, ":", line_no, ": field ",
                                                           fields.size() + 1,
                                                           " has text after its closing quote"));
      }
    } else {
      i = std::min(line.find(delimiter, start), line.size());
      field = std::string(Trim(line.substr(start, i - start)));
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // past the delimiter
  }
}

std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Column positions of a generic trace, from its header.
struct Columns {
  absl::flat_hash_map<std::string, size_t> index;
  size_t count = 0;  // fields in the header
  std::optional<size_t> Find(const std::string& name) const {
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
};

// A column named twice is refused: either value could be the one meant. Unnamed columns (a
// trailing delimiter) and names the reader does not know are ignored.
absl::StatusOr<Columns> ParseHeader(const std::string& path, std::string_view line,
                                    char delimiter) {
  SB_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      SplitFields(path, 1, WithoutCr(WithoutBom(line)), delimiter));
  Columns columns;
  columns.count = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    if (!columns.index.emplace(names[i], i).second) {
      return absl::InvalidArgumentError(internal::StrCat(
          path, ":1: column '", internal::Printable(names[i]), "' is named twice in the header"));
    }
  }
  for (const char* required : {"arrival_s", "type", "service_s"}) {
    if (!columns.Find(required)) {
      return absl::InvalidArgumentError(
          internal::StrCat(path, ": header has no '", internal::Printable(required), "' column"));
    }
  }
  return columns;
}

// Fewer fields than the header are empty values (an optional last column may be left out); more
// are a damaged row (an unquoted delimiter in a value), not extra data to drop.
absl::Status CheckFieldCount(const std::string& path, std::int64_t line_no, const Columns& columns,
                             const std::vector<std::string>& fields) {
  if (fields.size() <= columns.count) return absl::OkStatus();
  return absl::InvalidArgumentError(internal::StrCat(path, ":", line_no, ": row has ",
                                                     fields.size(), " fields, more than the ",
                                                     columns.count, " of the header"));
}

absl::Status ParseGenericRow(const std::string& path, std::int64_t line_no, const Columns& columns,
                             const std::vector<std::string>& fields, TraceRecord& r) {
  auto get = [&](const char* name) -> std::string_view {
    std::optional<size_t> i = columns.Find(name);
    if (!i || *i >= fields.size()) return {};
    return fields[*i];  // trimmed by SplitFields unless quoted
  };
  std::string_view arrival = get("arrival_s");
  absl::StatusOr<double> at = ClockSeconds(arrival);
  if (!at.ok()) return LineError(path, line_no, "arrival_s", arrival, Why(at.status()));
  r.arrival_s = *at;
  r.type = std::string(get("type"));
  std::string_view service = get("service_s");
  std::optional<double> s = ParseNumber(service);
  if (!s || *s < 0) return LineError(path, line_no, "service_s", service, "is not >= 0");
  r.service_s = *s;
  std::string_view patience = get("patience_s");
  if (!patience.empty() && patience != "inf") {
    std::optional<double> p = ParseNumber(patience);
    if (!p || *p < 0) return LineError(path, line_no, "patience_s", patience, "is not >= 0");
    r.patience_s = *p;
  }
  r.customer = std::string(get("customer"));
  std::string_view priority = get("priority");
  if (!priority.empty()) {
    SB_ASSIGN_OR_RETURN(r.priority, ParsePriority(path, line_no, priority));
  }
  std::string_view channel = get("channel");
  if (!channel.empty() && !ParseChannel(channel).ok()) {
    return LineError(path, line_no, "channel", channel, "is not a known channel");
  }
  r.channel = std::string(channel);
  r.day = std::string(get("day"));
  return absl::OkStatus();
}

// ---- Anonymous Bank -------------------------------------------------------------------------

// The data set's 17 columns, as its README documents them; the header must name them in this
// order (a file without its header would otherwise lose its first call without a word).
constexpr std::array<std::string_view, 17> kBankColumns = {
    "vru+line",  "call_id",   "customer_id", "priority", "type",   "date",
    "vru_entry", "vru_exit",  "vru_time",    "q_start",  "q_exit", "q_time",
    "outcome",   "ser_start", "ser_exit",    "ser_time", "server"};
enum BankColumn : size_t {
  kCustomer = 2,
  kPriority = 3,
  kType = 4,
  kDate = 5,
  kVruExit = 7,
  kQStart = 9,
  kQTime = 11,
  kOutcome = 12,
  kSerTime = 15,
};

absl::Status CheckBankHeader(const std::string& path, std::string_view line) {
  std::vector<std::string_view> names = Split(line, '\t');
  for (size_t i = 0; i < kBankColumns.size(); ++i) {
    const std::string_view name = i < names.size() ? Trim(names[i]) : std::string_view();
    if (name != kBankColumns[i]) {
      return absl::InvalidArgumentError(
          internal::StrCat(path, ":1: not the Anonymous Bank header: column ", i + 1, " is '",
                           internal::Printable(name), "', expected '", kBankColumns[i], "'"));
    }
  }
  return absl::OkStatus();
}

// The `date` filter is checked like the file's dates: one that is not YYMMDD ("1999-02-01") or
// does not exist ("990231") would otherwise match no call and replay an empty day.
absl::Status CheckBankDate(const std::string& path, std::string_view date) {
  if (date.empty() || ParseYymmdd(date)) return absl::OkStatus();
  return absl::InvalidArgumentError(internal::StrCat(
      path, ": date filter '", internal::Printable(date), "' is not a date YYMMDD (e.g. 990201)"));
}

// A column that must hold a number of seconds >= 0.
absl::StatusOr<double> BankSeconds(const std::string& path, std::int64_t line_no,
                                   const std::vector<std::string_view>& f, BankColumn column) {
  const std::string_view text = Trim(f[column]);
  std::optional<double> v = ParseNumber(text);
  if (!v || *v < 0) return LineError(path, line_no, kBankColumns[column], text, "is not >= 0");
  return *v;
}

// One AGENT or HANG call of a row with all 17 columns, and its date.
absl::Status ParseBankCall(const std::string& path, std::int64_t line_no,
                           const std::vector<std::string_view>& f, TraceRecord& r,
                           absl::CivilDay& day) {
  r.line = line_no;
  // A call that did not queue has q_start 0:00:00 and arrives at vru_exit: the column read is
  // the one blamed.
  const BankColumn at = Trim(f[kQStart]) != "0:00:00" ? kQStart : kVruExit;
  absl::StatusOr<double> arrival = ClockSeconds(Trim(f[at]));
  if (!arrival.ok()) {
    return LineError(path, line_no, kBankColumns[at], Trim(f[at]), Why(arrival.status()));
  }
  r.arrival_s = *arrival;
  r.type = std::string(Trim(f[kType]));
  r.day = std::string(Trim(f[kDate]));
  std::optional<absl::CivilDay> parsed = ParseYymmdd(r.day);
  if (!parsed) return LineError(path, line_no, "date", r.day, "is not a date YYMMDD");
  day = *parsed;
  std::string_view customer = Trim(f[kCustomer]);
  if (customer != "0") r.customer = std::string(customer);
  SB_ASSIGN_OR_RETURN(r.priority, ParsePriority(path, line_no, Trim(f[kPriority])));
  SB_ASSIGN_OR_RETURN(double q_time, BankSeconds(path, line_no, f, kQTime));
  SB_ASSIGN_OR_RETURN(double ser_time, BankSeconds(path, line_no, f, kSerTime));
  if (Trim(f[kOutcome]) == "AGENT") {
    r.service_s = ser_time;
  } else {
    r.patience_s = q_time;
  }
  return absl::OkStatus();
}

// The file's times are clock times of their own day: several days run one after the other,
// from midnight of the earliest date, so that a month is a month and not 28 days on day one.
void SpreadDays(const std::vector<absl::CivilDay>& days, std::vector<TraceRecord>& records) {
  if (days.empty()) return;
  const absl::CivilDay first = *std::min_element(days.begin(), days.end());
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].arrival_s += static_cast<double>(days[i] - first) * 86400.0;
  }
}

}  // namespace

absl::StatusOr<double> ParseClockTime(std::string_view text) {
  text = Trim(text);
  absl::StatusOr<double> seconds = ClockSeconds(text);
  if (seconds.ok()) return seconds;
  return absl::InvalidArgumentError(
      internal::StrCat("'", internal::Printable(text), "' ", seconds.status().message()));
}

absl::StatusOr<std::vector<TraceRecord>> ReadTrace(const std::string& path, char delimiter) {
  SB_ASSIGN_OR_RETURN(std::ifstream in, Open(path));
  const std::string name = internal_sim::ShownPath(path);  // for messages
  std::string line;
  if (!std::getline(in, line)) {
    return absl::InvalidArgumentError(internal::StrCat(name, ": empty file, no header"));
  }
  SB_ASSIGN_OR_RETURN(Columns columns, ParseHeader(name, line, delimiter));
  std::vector<TraceRecord> records;
  std::int64_t line_no = 1;  // 64 bits: a trace may have more than 2^31 lines
  while (std::getline(in, line)) {
    ++line_no;
    if (Trim(line).empty()) continue;
    SB_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                        SplitFields(name, line_no, WithoutCr(line), delimiter));
    SB_RETURN_IF_ERROR(CheckFieldCount(name, line_no, columns, fields));
    TraceRecord r;
    r.line = line_no;
    SB_RETURN_IF_ERROR(ParseGenericRow(name, line_no, columns, fields, r));
    records.push_back(std::move(r));
  }
  SB_RETURN_IF_ERROR(CheckRead(in, path));
  SortByArrival(records);
  return records;
}

absl::StatusOr<std::vector<TraceRecord>> ReadAnonymousBank(const std::string& path,
                                                           std::string_view date) {
  const std::string name = internal_sim::ShownPath(path);  // for messages
  SB_RETURN_IF_ERROR(CheckBankDate(name, date));
  SB_ASSIGN_OR_RETURN(std::ifstream in, Open(path));
  std::string line;
  if (!std::getline(in, line)) {  // the header; a file without one is truncated, not a quiet day
    return absl::InvalidArgumentError(internal::StrCat(name, ": empty file, no header"));
  }
  SB_RETURN_IF_ERROR(CheckBankHeader(name, WithoutBom(line)));
  std::vector<TraceRecord> records;
  std::vector<absl::CivilDay> days;  // parallel to records
  std::int64_t line_no = 1;          // 64 bits: a trace may have more than 2^31 lines
  while (std::getline(in, line)) {
    ++line_no;
    if (Trim(line).empty()) continue;
    std::vector<std::string_view> f = Split(line, '\t');
    if (f.size() < kBankColumns.size()) {
      return LineError(
          name, line_no, "*", "",
          internal::StrCat("has ", f.size(), " columns, expected ", kBankColumns.size()));
    }
    std::string_view outcome = Trim(f[kOutcome]);
    if (outcome == "PHANTOM") continue;
    if (!date.empty() && Trim(f[kDate]) != date) continue;
    if (outcome != "AGENT" && outcome != "HANG") {
      return LineError(name, line_no, "outcome", outcome, "is not AGENT, HANG or PHANTOM");
    }
    TraceRecord r;
    absl::CivilDay day;
    SB_RETURN_IF_ERROR(ParseBankCall(name, line_no, f, r, day));
    records.push_back(std::move(r));
    days.push_back(day);
  }
  SB_RETURN_IF_ERROR(CheckRead(in, path));
  // A day the file does not have is a wrong date, not a quiet day to simulate.
  if (!date.empty() && records.empty()) {
    return absl::InvalidArgumentError(internal::StrCat(
        name, ": no call on date '", internal::Printable(date), "' (PHANTOM calls not counted)"));
  }
  SpreadDays(days, records);
  SortByArrival(records);
  return records;
}

}  // namespace switchboard::sim
