#include "switchboard/sim/kpi.h"

namespace switchboard::sim {
namespace {

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

void KpiCounters::Add(const KpiCounters& o) {
  offered += o.offered;
  answered += o.answered;
  answered_within_target += o.answered_within_target;
  abandoned += o.abandoned;
  rejected += o.rejected;
  completed += o.completed;
  transfers += o.transfers;
  first_contacts_completed += o.first_contacts_completed;
  resolved_first_contact += o.resolved_first_contact;
  resolved += o.resolved;
  repeat_contacts += o.repeat_contacts;
  offers += o.offers;
  declined += o.declined;
  missed += o.missed;
  wait_answered_s += o.wait_answered_s;
  wait_abandoned_s += o.wait_abandoned_s;
  handle_s += o.handle_s;
  busy_agent_s += o.busy_agent_s;
  staffed_agent_s += o.staffed_agent_s;
  queue_length_s += o.queue_length_s;
  span_s += o.span_s;
}

Kpis ComputeKpis(const KpiCounters& c) {
  Kpis k;
  k.offered = static_cast<double>(c.offered);
  k.answered = static_cast<double>(c.answered);
  k.abandoned = static_cast<double>(c.abandoned);
  k.service_level = Ratio(static_cast<double>(c.answered_within_target), k.offered);
  k.asa_s = Ratio(c.wait_answered_s, k.answered);
  k.abandonment_rate = Ratio(k.abandoned, k.offered);
  k.avg_abandon_wait_s = Ratio(c.wait_abandoned_s, k.abandoned);
  k.occupancy = Ratio(c.busy_agent_s, c.staffed_agent_s);
  k.aht_s = Ratio(c.handle_s, static_cast<double>(c.completed));
  k.transfers = static_cast<double>(c.transfers);
  k.transfer_rate = Ratio(k.transfers, static_cast<double>(c.completed));
  k.fcr = Ratio(static_cast<double>(c.resolved_first_contact),
                static_cast<double>(c.first_contacts_completed));
  k.resolution_rate =
      Ratio(static_cast<double>(c.resolved), static_cast<double>(c.completed));
  k.repeat_contacts = static_cast<double>(c.repeat_contacts);
  k.repeat_rate = Ratio(k.repeat_contacts, k.offered);
  k.avg_queue_length = Ratio(c.queue_length_s, c.span_s);
  k.offers = static_cast<double>(c.offers);
  return k;
}

}  // namespace switchboard::sim
