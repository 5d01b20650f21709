// Private: one simulation run (see switchboard/sim/simulator.h for the model).
//
// Thread-safety: not thread-safe; one run on one thread.
#ifndef SWITCHBOARD_SRC_SIM_SIMULATION_H_
#define SWITCHBOARD_SRC_SIM_SIMULATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/sim/accounting.h"
#include "src/sim/journey_context.h"
#include "switchboard/clock.h"
#include "switchboard/router.h"
#include "switchboard/router_listener.h"
#include "switchboard/sim/event_calendar.h"
#include "switchboard/sim/random.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"

namespace switchboard::sim::internal_sim {

// The tenant of every object the simulator creates.
inline constexpr std::string_view kSimTenant = "sim";
// Sub-stream numbers inside one contact's key, so each purpose gets its own draws.
inline constexpr std::uint64_t kSubsPerAttempt = 4096;
inline constexpr std::uint64_t kTransferDraw = 4095;
inline std::uint64_t SubStream(std::uint32_t attempt, std::uint64_t draw) {
  return static_cast<std::uint64_t>(attempt) * kSubsPerAttempt + draw;
}

class Simulation final : public RouterListener {
 public:
  Simulation(const Scenario& scenario, const RunOptions& options);
  absl::StatusOr<RunResult> Run();
  void OnEvent(const RoutingEvent& event) override;
  // The types OnEvent handles; the router builds no others.
  RoutingEventMask Interests() const override {
    return EventBit(RoutingEventType::kOffered) | EventBit(RoutingEventType::kAccepted) |
           EventBit(RoutingEventType::kDeclined) | EventBit(RoutingEventType::kExpired) |
           EventBit(RoutingEventType::kRescinded) | EventBit(RoutingEventType::kAgentStateChanged);
  }

 private:
  enum EventKind : std::uint32_t {
    kArrival = 0,     // subject: contact type (Poisson)
    kTraceArrival,    // subject: trace record
    kReturn,          // subject: the unresolved contact that comes back
    kAnswer,          // subject: contact; aux: offer number
    kDecline,         // subject: contact; aux: offer number
    kComplete,        // subject: contact
    kPatience,        // subject: contact
    kTick,            // the router's next deadline
    kShiftStart,      // subject: agent
    kShiftEnd,        // subject: agent
    kAgentBack,       // subject: agent (back from away after missed offers)
  };
  enum class ContactPhase : unsigned char { kWaiting, kOffered, kInService, kDone };

  struct SimContact {
    std::uint64_t key = 0;  // CRN key: the same across strategies for the same customer problem
    std::int64_t arrival_us = 0;
    std::int64_t accepted_us = 0;
    double trace_service_s = -1;  // < 0: sample from the contact type
    std::uint32_t offers = 0;
    std::uint32_t agent = 0;
    std::int32_t type = 0;
    std::int32_t first_queue = 0;
    std::int32_t queue = 0;
    std::int32_t interval = 0;
    std::int32_t customer = -1;  // index into customers_, -1 = anonymous
    std::uint16_t attempt = 1;
    Channel channel = Channel::kVoice;  // the type's, or the trace record's when it names one
    ContactPhase phase = ContactPhase::kWaiting;
    bool counted = false;
    bool answered = false;
    bool transferred = false;
    bool has_context = false;
  };
  struct SimAgent {
    AgentId id;
    std::uint32_t group = 0;
    bool on_shift = false;
    // Staffed time already added outside the group's shifts (AddOvertime): in order, disjoint.
    std::vector<Shift> overtime;
  };

  absl::Status Setup();
  absl::Status AddAgents();
  void ScheduleFirstArrivals();
  absl::Status Dispatch(const SimEvent& e);
  absl::Status ScheduleRouterTimer();

  // Arrivals and contact creation.
  void ScheduleNextPoisson(std::uint32_t type, double after_s);
  absl::Status OnArrival(std::uint32_t type);
  absl::Status OnTraceArrival(std::uint64_t record);
  absl::Status OnReturn(std::uint64_t previous);
  absl::Status StartContact(SimContact contact, const TraceRecord* record);

  // Router-facing actions.
  absl::Status OnAnswer(std::uint64_t c, std::uint32_t offer_no);
  absl::Status OnDecline(std::uint64_t c, std::uint32_t offer_no);
  absl::Status OnComplete(std::uint64_t c);
  absl::StatusOr<bool> Transfer(std::uint64_t c, double talk_s);
  absl::Status OnPatience(std::uint64_t c);
  absl::Status OnShift(std::uint64_t a, bool start);
  absl::Status OnAgentBack(std::uint64_t a);
  absl::Status Resolve(std::uint64_t c);
  std::string CustomerKey(const SimContact& contact) const;

  // Listener handlers.
  void OnOffered(const Offer& offer);
  void OnAccepted(const Offer& offer);
  void OnOfferEnded(const RoutingEvent& e);
  void OnAgentStateChanged(const RoutingEvent& e);

  // Helpers.
  double NowS() const { return static_cast<double>(now_us_) * 1e-6; }
  // The KPI interval of a contact arriving now, and whether it is measured: decided in whole
  // microseconds, as the clock runs, so that one arriving exactly at warmup_s or on a boundary
  // (60.1 s, whose NowS() is a hair below 60.1) is measured and in the later interval.
  int ArrivalInterval() const;
  bool ArrivesMeasured() const { return now_us_ >= ToUs(scenario_.warmup_s); }
  static std::int64_t ToUs(double s);
  // now + s in microseconds, saturating at "never" (INT64_MAX).
  std::int64_t AfterUs(double s) const;
  ContactId IdOf(std::uint64_t c) const;
  std::optional<std::uint64_t> ContactIndex(const ContactId& id) const;
  std::optional<std::uint32_t> AgentIndex(const AgentId& id) const;
  void ChangeWaiting(int queue, int delta);
  double SampleService(const SimContact& contact) const;
  double BusyWeight(const SimAgent& agent, Channel channel) const;
  void AddStaffedTime();
  void AddStaffedSpan(std::uint32_t group, double from, double to, double agents);
  void AddOvertime(SimAgent& agent, double start_s, double end_s);
  absl::Status Fail(const absl::Status& status, std::string_view what) const;

  const Scenario& scenario_;
  RunOptions options_;
  ManualClock clock_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<JourneyContext> journeys_;  // with returning customers and journeys on
  EventCalendar calendar_;
  Accounting accounting_;
  std::vector<Channel> type_channel_;
  std::vector<int> type_queue_;  // index of each contact type's queue
  // Per agent group and channel: the share of the agent one contact of that channel occupies.
  std::vector<double> busy_weight_;
  std::vector<double> queue_wrap_s_;  // each queue's wrap-up time in seconds
  std::vector<std::vector<int>> group_queues_;  // per agent group: indexes of its queues
  std::vector<RandomStream> arrival_streams_;
  std::vector<std::uint64_t> arrival_counts_;  // per contact type: the CRN key sequence
  absl::flat_hash_map<QueueId, int> queue_index_;
  std::vector<int> waiting_;                   // per queue: contacts waiting for an answer
  std::vector<std::int64_t> waiting_since_us_; // per queue: last change of waiting_
  std::vector<SimContact> contacts_;
  std::vector<SimAgent> agents_;
  absl::flat_hash_map<std::string, std::uint32_t> agent_index_;
  std::vector<std::string> customers_;
  absl::flat_hash_map<std::string, std::int32_t> customer_index_;
  std::vector<std::int32_t> customer_last_agent_;  // per customer: context holder (journeys)
  std::int64_t now_us_ = 0;
  std::int64_t stop_us_ = 0;
  std::int64_t next_tick_us_ = -1;  // -1: none scheduled
  std::int64_t active_contacts_ = 0;
  std::int64_t pending_arrivals_ = 0;
  // Trace records [0, trace_end_) arrive before duration_s and are replayed; the rest are not.
  std::size_t trace_end_ = 0;
  std::int64_t routing_decisions_ = 0;
  std::int64_t router_calls_ = 0;
  std::int64_t events_ = 0;
  double last_progress_ = -1;
  absl::Status listener_error_;  // a router call made from OnEvent failed
};

}  // namespace switchboard::sim::internal_sim

#endif  // SWITCHBOARD_SRC_SIM_SIMULATION_H_
