// Contacts read from a file, for trace replay: a generic CSV/TSV reader and a reader for the
// Technion "Anonymous Bank" call log (one month of an Israeli bank's calls, February 1999; see
// ../shared/data/anonymous_bank/README.md).
//
// Thread-safety: pure functions; safe to call concurrently.
//
//   absl::StatusOr<std::vector<sim::TraceRecord>> day = sim::ReadAnonymousBank(
//       "/data/anonymous_bank/february_1999.tsv", /*date=*/"990201");
//   // day->front().arrival_s: seconds after midnight when the call entered the queue
#ifndef SWITCHBOARD_SIM_TRACE_H_
#define SWITCHBOARD_SIM_TRACE_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "switchboard/export.h"

namespace switchboard::sim {

// One recorded contact.
struct TraceRecord {
  double arrival_s = 0;  // when the contact joined the queue, seconds from the start of the day
  std::string type;      // mapped to a contact type by the scenario
  double service_s = 0;  // recorded handle time (0 when the contact was not served)
  // Recorded time the customer waited before hanging up; +infinity when the customer was served
  // (patience is then only known to exceed the wait, so it is treated as unlimited).
  double patience_s = std::numeric_limits<double>::infinity();
  std::string customer;  // "" when unknown
  int priority = 0;      // 0..kMaxContactPriority (switchboard/contact.h)
  // A channel name as ParseChannel (switchboard/channel.h) spells it; the contact is routed on
  // this channel, which its contact type's queue must serve. "" = the contact type's channel.
  std::string channel;
  std::string day;       // the record's date as written in the file ("" when the file has none)
  // 1-based line in the file, for error messages (0 when not from a file). 64 bits: a file
  // may have more than 2^31 lines.
  std::int64_t line = 0;
};

// A delimited file with a header line naming the columns (any order): arrival_s (seconds, or
// H:MM:SS), type, service_s, and optionally patience_s (empty or "inf" = unlimited), customer,
// priority, channel, day; other names and unnamed columns are ignored. `delimiter` is ',' or
// '\t'. A UTF-8 byte order mark at the start is skipped; a field may be double-quoted (RFC 4180:
// it may hold the delimiter, "" is a quote; it cannot span lines); unquoted fields are trimmed
// of spaces; a row shorter than the header leaves the last columns empty. Records are returned
// sorted by arrival (stable). InvalidArgument naming the line and column for a malformed value
// (including a priority that is not a whole number in 0..kMaxContactPriority and an unknown
// channel name), naming the line for a row with more fields than the header or a broken quote,
// naming the column for a header that names one twice or lacks a required one; NotFound when
// the file cannot be opened, InvalidArgument for a directory or an empty path, DataLoss for a
// read error.
SWITCHBOARD_EXPORT absl::StatusOr<std::vector<TraceRecord>> ReadTrace(const std::string& path,
                                                                      char delimiter);

// The Anonymous Bank TSV. For each call: arrival = q_start when the call queued, else
// vru_exit; service_s = ser_time for outcome AGENT; patience_s = q_time for outcome HANG;
// type = the `type` column (PS, PE, IN, NE, NW, TT); customer = customer_id (empty for 0);
// priority = priority; day = date. PHANTOM calls are dropped. `date` ("990201") keeps one day;
// "" keeps all, one day after another: arrival_s counts from midnight of the earliest date in
// the file, so a call at 7:00 on the third day arrives at 2 * 86400 + 25200. The first line
// must be the data set's header (its 17 column names in order; more columns are ignored).
// InvalidArgument naming the line for a malformed row (including a date that is not YYMMDD and
// a priority outside 0..kMaxContactPriority), for an empty file or a wrong header, for a `date`
// that is not YYMMDD and for a `date` that keeps no call; NotFound for a file that cannot be
// opened, InvalidArgument for a directory or an empty path.
SWITCHBOARD_EXPORT absl::StatusOr<std::vector<TraceRecord>> ReadAnonymousBank(
    const std::string& path, std::string_view date = "");

// Seconds from "H:MM:SS" or "HH:MM:SS" (or a plain number of seconds >= 0), surrounding spaces
// ignored. Hours may exceed 23 (a file of several days); minutes and seconds must be below 60,
// no part may carry a sign (not even "-0") and the total must be finite. InvalidArgument
// otherwise, quoting the text and saying which part is wrong.
SWITCHBOARD_EXPORT absl::StatusOr<double> ParseClockTime(std::string_view text);

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_TRACE_H_
