#include "switchboard/sim/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"

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
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '"')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

absl::Status LineError(const std::string& path, int line, std::string_view column,
                       std::string_view value, std::string_view why) {
  return absl::InvalidArgumentError(internal::StrCat(path, ":", line, ": column '",
                                                     internal::Printable(column), "' value '",
                                                     internal::Printable(value), "' ", why));
}

absl::StatusOr<std::ifstream> Open(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(
        internal::StrCat("cannot open trace file '", internal::Printable(path), "'"));
  return in;
}

void SortByArrival(std::vector<TraceRecord>& records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const TraceRecord& a, const TraceRecord& b) {
                     return a.arrival_s < b.arrival_s;
                   });
}

// Column positions of a generic trace, from its header.
struct Columns {
  absl::flat_hash_map<std::string, size_t> index;
  std::optional<size_t> Find(const std::string& name) const {
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
};

absl::Status ParseGenericRow(const std::string& path, int line_no, const Columns& columns,
                             const std::vector<std::string_view>& fields, TraceRecord& r) {
  auto get = [&](const char* name) -> std::string_view {
    std::optional<size_t> i = columns.Find(name);
    if (!i || *i >= fields.size()) return {};
    return Trim(fields[*i]);
  };
  std::string_view arrival = get("arrival_s");
  absl::StatusOr<double> at = ParseClockTime(arrival);
  if (!at.ok()) return LineError(path, line_no, "arrival_s", arrival, "is not a time");
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
    std::optional<double> p = ParseNumber(priority);
    if (!p || *p < 0) return LineError(path, line_no, "priority", priority, "is not >= 0");
    r.priority = static_cast<int>(*p);
  }
  r.channel = std::string(get("channel"));
  r.day = std::string(get("day"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> ParseClockTime(std::string_view text) {
  text = Trim(text);
  if (text.find(':') == std::string_view::npos) {
    std::optional<double> v = ParseNumber(text);
    if (!v || *v < 0) {
      return absl::InvalidArgumentError(
          internal::StrCat("'", internal::Printable(text), "' is not a time"));
    }
    return *v;
  }
  std::vector<std::string_view> parts = Split(text, ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        internal::StrCat("'", internal::Printable(text), "' is not H:MM:SS"));
  }
  double total = 0;
  for (std::string_view part : parts) {
    std::optional<double> v = ParseNumber(part);
    if (!v || *v < 0) {
      return absl::InvalidArgumentError(
          internal::StrCat("'", internal::Printable(text), "' is not H:MM:SS"));
    }
    total = total * 60 + *v;
  }
  return total;
}

absl::StatusOr<std::vector<TraceRecord>> ReadTrace(const std::string& path, char delimiter) {
  SB_ASSIGN_OR_RETURN(std::ifstream in, Open(path));
  std::string line;
  if (!std::getline(in, line)) {
    return absl::InvalidArgumentError(internal::StrCat(path, ": empty file, no header"));
  }
  Columns columns;
  std::vector<std::string_view> header = Split(line, delimiter);
  for (size_t i = 0; i < header.size(); ++i) columns.index[std::string(Trim(header[i]))] = i;
  for (const char* required : {"arrival_s", "type", "service_s"}) {
    if (!columns.Find(required)) {
      return absl::InvalidArgumentError(
          internal::StrCat(path, ": header has no '", internal::Printable(required), "' column"));
    }
  }
  std::vector<TraceRecord> records;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (Trim(line).empty()) continue;
    TraceRecord r;
    SB_RETURN_IF_ERROR(ParseGenericRow(path, line_no, columns, Split(line, delimiter), r));
    records.push_back(std::move(r));
  }
  SortByArrival(records);
  return records;
}

absl::StatusOr<std::vector<TraceRecord>> ReadAnonymousBank(const std::string& path,
                                                           std::string_view date) {
  SB_ASSIGN_OR_RETURN(std::ifstream in, Open(path));
  std::string line;
  std::getline(in, line);  // header
  // Fixed columns, as documented in the data set's README.
  enum { kCustomer = 2, kPriority = 3, kType = 4, kDate = 5, kVruExit = 7, kQStart = 9,
         kQTime = 11, kOutcome = 12, kSerTime = 15, kColumns = 17 };
  std::vector<TraceRecord> records;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (Trim(line).empty()) continue;
    std::vector<std::string_view> f = Split(line, '\t');
    if (f.size() < kColumns) {
      return LineError(path, line_no, "*", "", internal::StrCat("has ", f.size(),
                                                               " columns, expected 17"));
    }
    std::string_view outcome = Trim(f[kOutcome]);
    if (outcome == "PHANTOM") continue;
    if (!date.empty() && Trim(f[kDate]) != date) continue;
    if (outcome != "AGENT" && outcome != "HANG") {
      return LineError(path, line_no, "outcome", outcome, "is not AGENT, HANG or PHANTOM");
    }
    TraceRecord r;
    std::string_view q_start = Trim(f[kQStart]);
    absl::StatusOr<double> arrival =
        ParseClockTime(q_start == "0:00:00" ? Trim(f[kVruExit]) : q_start);
    if (!arrival.ok()) return LineError(path, line_no, "q_start", q_start, "is not a time");
    r.arrival_s = *arrival;
    r.type = std::string(Trim(f[kType]));
    r.day = std::string(Trim(f[kDate]));
    std::string_view customer = Trim(f[kCustomer]);
    if (customer != "0") r.customer = std::string(customer);
    std::optional<double> priority = ParseNumber(Trim(f[kPriority]));
    if (!priority) return LineError(path, line_no, "priority", f[kPriority], "is not a number");
    r.priority = static_cast<int>(*priority);
    std::optional<double> q_time = ParseNumber(Trim(f[kQTime]));
    std::optional<double> ser_time = ParseNumber(Trim(f[kSerTime]));
    if (!q_time || *q_time < 0) return LineError(path, line_no, "q_time", f[kQTime], "is bad");
    if (!ser_time || *ser_time < 0) {
      return LineError(path, line_no, "ser_time", f[kSerTime], "is bad");
    }
    if (outcome == "AGENT") {
      r.service_s = *ser_time;
    } else {
      r.patience_s = *q_time;
    }
    records.push_back(std::move(r));
  }
  SortByArrival(records);
  return records;
}

}  // namespace switchboard::sim
