// What a simulation run measured: additive counters per queue, per interval and overall, and the
// KPIs derived from them (see docs/harness.md for each definition).
//
// Thread-safety: plain values.
//
//   sim::Kpis k = sim::ComputeKpis(result.overall);
//   fmt::print("SL {:.1%}  ASA {:.1f} s  abandoned {:.1%}\n",
//              k.service_level, k.asa_s, k.abandonment_rate);
#ifndef SWITCHBOARD_SIM_KPI_H_
#define SWITCHBOARD_SIM_KPI_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "switchboard/export.h"

namespace switchboard::sim {

// Sums that add up across queues and intervals. Contacts are counted in the interval and queue
// where they arrived (a transferred contact counts in its first queue); time integrals are split
// across intervals exactly.
struct KpiCounters {
  std::int64_t offered = 0;     // contacts that arrived (after the warm-up)
  std::int64_t answered = 0;    // accepted by an agent
  std::int64_t answered_within_target = 0;  // ... within their queue's service-level threshold
  std::int64_t abandoned = 0;   // hung up while waiting or while offered
  std::int64_t rejected = 0;    // refused by the router (queue full)
  std::int64_t completed = 0;   // service finished
  std::int64_t transfers = 0;   // completed by a transfer to another queue
  std::int64_t first_contacts_completed = 0;  // completed contacts that were a first attempt
  std::int64_t resolved_first_contact = 0;    // ... that also solved the problem
  std::int64_t resolved = 0;                  // completed contacts that solved the problem
  std::int64_t repeat_contacts = 0;           // contacts that were a customer coming back
  std::int64_t offers = 0;      // offers the router made (routing decisions)
  std::int64_t declined = 0;    // offers declined
  std::int64_t missed = 0;      // offers left to expire
  double wait_answered_s = 0;   // total wait of answered contacts
  double wait_abandoned_s = 0;  // total wait of abandoned contacts
  double handle_s = 0;          // total handle time of completed contacts (service + wrap-up)
  double busy_agent_s = 0;      // agent time used, in agent-seconds (capacity units / total)
  double staffed_agent_s = 0;   // agent time on duty, in agent-seconds
  double queue_length_s = 0;    // time integral of the number of contacts waiting
  double span_s = 0;            // the time the integrals cover

  SWITCHBOARD_EXPORT void Add(const KpiCounters& other);
};

// Derived KPIs. A ratio with an empty denominator is 0.
struct Kpis {
  double offered = 0;
  double answered = 0;
  double abandoned = 0;
  // Answered within the threshold over offered (abandoners count as misses): the Erlang C/A
  // definition (ErlangAResult::service_level).
  double service_level = 0;
  double asa_s = 0;              // mean wait of answered contacts
  double abandonment_rate = 0;   // abandoned / offered
  double avg_abandon_wait_s = 0; // mean wait of abandoned contacts
  double occupancy = 0;          // busy agent time / staffed agent time
  double aht_s = 0;              // mean handle time (service + wrap-up) of completed contacts
  double transfers = 0;          // count
  double transfer_rate = 0;      // transfers / completed
  double fcr = 0;                // resolved on first contact / first contacts completed
  double resolution_rate = 0;    // resolved / completed, every attempt (context helps returns)
  double repeat_contacts = 0;    // count of returning contacts
  double repeat_rate = 0;        // repeat contacts / offered
  double avg_queue_length = 0;   // time-average number waiting
  double offers = 0;             // routing decisions
};

SWITCHBOARD_EXPORT Kpis ComputeKpis(const KpiCounters& c);

// The KPIs as (name, getter) pairs, in report order, for tables and JSON.
struct KpiField {
  std::string_view key;    // JSON key: "service_level"
  std::string_view label;  // table header: "SL"
  bool percent;            // print as a percentage
  double Kpis::*value;
};
inline constexpr std::array<KpiField, 17> kKpiFields = {{
    {"offered", "offered", false, &Kpis::offered},
    {"answered", "answered", false, &Kpis::answered},
    {"abandoned", "abandoned", false, &Kpis::abandoned},
    {"service_level", "SL", true, &Kpis::service_level},
    {"asa_s", "ASA s", false, &Kpis::asa_s},
    {"abandonment_rate", "aband.", true, &Kpis::abandonment_rate},
    {"avg_abandon_wait_s", "ab.wait s", false, &Kpis::avg_abandon_wait_s},
    {"occupancy", "occ.", true, &Kpis::occupancy},
    {"aht_s", "AHT s", false, &Kpis::aht_s},
    {"transfers", "transfers", false, &Kpis::transfers},
    {"transfer_rate", "xfer rate", true, &Kpis::transfer_rate},
    {"fcr", "FCR", true, &Kpis::fcr},
    {"resolution_rate", "resolved", true, &Kpis::resolution_rate},
    {"repeat_contacts", "repeats", false, &Kpis::repeat_contacts},
    {"repeat_rate", "repeat rate", true, &Kpis::repeat_rate},
    {"avg_queue_length", "avg queue", false, &Kpis::avg_queue_length},
    {"offers", "offers", false, &Kpis::offers},
}};

}  // namespace switchboard::sim

#endif  // SWITCHBOARD_SIM_KPI_H_
