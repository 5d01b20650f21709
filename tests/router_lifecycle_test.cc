// Scenario tests of the contact lifecycle, capacity and blending, queue delays, contact
// selection order, live statistics and listener delivery. Each runs with both selectors.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;
using sb::ContactState;
using sb::RoutingEventType;
using sbt::Harness;
using sbt::MakeAgent;
using sbt::MakeContact;
using sbt::MakeQueue;

namespace {

// A queue with 30 s of wrap-up, served by one agent, ana.
sb::Queue AddQueueWithAna(Harness& h, const std::string& queue,
                          AgentState ana_state = AgentState::kAvailable) {
  sb::Queue q = MakeQueue(queue);
  q.wrap_up = absl::Seconds(30);
  REQUIRE(h.router->AddQueue(q).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {queue}, ana_state)).ok());
  return q;
}

// Queue "q" in first-in-first-out or, with `lifo`, last-in-first-out order.
void AddQueueQ(Harness& h, bool lifo) {
  sb::Queue q = MakeQueue("q");
  if (lifo) q.order = sb::QueueOrder::kLifo;
  REQUIRE(h.router->AddQueue(q).ok());
}

std::vector<RoutingEventType> Types(const std::vector<sb::RoutingEvent>& events) {
  std::vector<RoutingEventType> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

}  // namespace

// Wrap-up ends at its own time without a host call: a contact that arrives after it, before
// any Tick, goes to the agent at once, and her busy time stops at the wrap-up's end. (Timers
// used to wait for a Tick, which then ran them no earlier than the call in between: the
// contact waited, and the agent's wrap-up lasted until the call.)
TEST_CASE("a call after a wrap-up ended, before any Tick, finds the agent available") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  const sb::Queue billing = AddQueueWithAna(h, "billing");
  REQUIRE(h.router->Enqueue(MakeContact("call-1"), billing.id).ok());
  h.AcceptOffer("call-1");
  h.clock.Advance(absl::Seconds(10));
  REQUIRE(h.router->Complete(sb::ContactId("call-1"), "resolved").ok());
  const absl::Time wrap_up_end = h.clock.Now() + billing.wrap_up;

  h.clock.Advance(absl::Seconds(300));  // no Tick
  REQUIRE(
      h.router->Enqueue(MakeContact("call-2", Channel::kVoice, h.clock.Now()), billing.id).ok());
  CHECK(h.OfferedTo("call-2") == "ana");
  const sb::AgentStats ana = h.AgentStatsOf("ana");
  CHECK(ana.busy_time == absl::Seconds(40));  // 10 s talk + 30 s wrap-up
  const auto& events = h.recorder.events;
  const auto ended = std::find_if(events.begin(), events.end(), [](const sb::RoutingEvent& e) {
    return e.type == RoutingEventType::kWrapUpEnded;
  });
  REQUIRE(ended != events.end());
  CHECK(ended->at == wrap_up_end);
  CHECK(std::find_if(ended, events.end(), [](const sb::RoutingEvent& e) {
          return e.type == RoutingEventType::kQueued;
        }) != events.end());  // the wrap-up ended before call-2 was queued
}

// Queries are const, so they do not run a wrap-up end that fell due: they used to count the
// hour after it as busy (the agent still in wrap-up), and the next Tick took it back (busy
// 1h 0m 40s, then 40 s). They now stop at the due work, so totals only ever grow.
TEST_CASE("statistics stop at due work that no call has run, and never go back") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  const sb::Queue billing = AddQueueWithAna(h, "billing");
  REQUIRE(h.router->Enqueue(MakeContact("call-1"), billing.id).ok());
  h.AcceptOffer("call-1");
  // The answered offer's expiry is moot and does not stop the figures: busy time runs on.
  h.clock.Advance(absl::Seconds(10));
  CHECK(h.AgentStatsOf("ana").busy_time == absl::Seconds(10));
  REQUIRE(h.router->Complete(sb::ContactId("call-1"), "resolved").ok());
  h.clock.Advance(absl::Seconds(20));
  CHECK(h.AgentStatsOf("ana").busy_time == absl::Seconds(30));  // within the wrap-up

  h.clock.Advance(absl::Hours(1));  // the wrap-up ended 59 m 50 s ago; no call since
  const sb::AgentStats before = h.AgentStatsOf("ana");
  CHECK(before.status.state == AgentState::kWrapUp);
  CHECK(before.busy_time == absl::Seconds(40));  // up to the wrap-up's end, not the clock
  CHECK(before.available_time == absl::ZeroDuration());
  REQUIRE(h.router->Tick().ok());
  const sb::AgentStats after = h.AgentStatsOf("ana");
  CHECK(after.status.state == AgentState::kAvailable);
  CHECK(after.busy_time == absl::Seconds(40));
  CHECK(after.available_time == absl::Hours(1) - absl::Seconds(10));
  CHECK(after.occupancy == Approx(40.0 / 3630.0));
}

// A contact's membership-delay check stayed live after the contact was offered and accepted:
// it did nothing when it fell due, but queries stopped there (busy 24 s at +100 s, not 94 s).
// Leaving the waiting list makes it moot; a contact back in waiting gets its check again.
TEST_CASE("a delay check of a contact no longer waiting does not stop the figures") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"}, AgentState::kAway)).ok());
  sb::Agent ben = MakeAgent("ben", {}, AgentState::kAway);
  ben.queues.push_back({sb::QueueId("q"), 1, absl::Seconds(30)});  // overflow after 30 s
  REQUIRE(h.router->AddAgent(ben).ok());
  REQUIRE(h.router->Enqueue(MakeContact("call"), sb::QueueId("q")).ok());  // nobody available
  h.clock.Advance(absl::Seconds(5));
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  REQUIRE(h.OfferedTo("call") == "ana");
  h.clock.Advance(absl::Seconds(1));
  h.AcceptOffer("call");
  h.clock.Advance(absl::Seconds(94));  // +100 s, no call since the accept
  CHECK(h.AgentStatsOf("ana").busy_time == absl::Seconds(94));
  CHECK(h.router->NextDeadline() > h.clock.Now());

  // A contact offered and declined before the delay passes is back in waiting, and still
  // reaches ben when it does.
  REQUIRE(h.router->Complete(sb::ContactId("call"), "done").ok());
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAway, "x").ok());
  REQUIRE(h.router->SetAgentState(sb::AgentId("ben"), AgentState::kAvailable).ok());
  const absl::Time queued = h.clock.Now();
  REQUIRE(h.router->Enqueue(MakeContact("call-2", Channel::kVoice, queued), sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("call-2").empty());  // ben's delay has not passed
  h.Advance(absl::Seconds(5));
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  REQUIRE(h.OfferedTo("call-2") == "ana");
  h.Advance(absl::Seconds(5));
  auto offer = h.router->CurrentOffer(sb::ContactId("call-2"));
  REQUIRE(h.router->Decline((*offer)->id).ok());  // ana is excluded now
  CHECK(h.OfferedTo("call-2").empty());
  CHECK(h.router->NextDeadline() == queued + absl::Seconds(30));
  h.Advance(absl::Seconds(20));
  CHECK(h.OfferedTo("call-2") == "ben");
  h.CheckInvariants();
}

// A completed contact used to leave with kCompleted when its queue had no wrap-up and with
// kWrapUpEnded otherwise, so a listener had to know the queue's wrap-up at that moment (which an
// UpdateQueue can change) to tell when it was gone. It now always ends with kWrapUpEnded.
TEST_CASE("without wrap-up a completed contact still leaves with kWrapUpEnded") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("billing")).ok());  // wrap_up 0
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"billing"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("call-1"), sb::QueueId("billing")).ok());
  h.AcceptOffer("call-1");
  h.clock.Advance(absl::Seconds(10));
  const std::size_t before = h.recorder.events.size();
  REQUIRE(h.router->Complete(sb::ContactId("call-1"), "resolved").ok());
  const std::vector<sb::RoutingEvent> events(h.recorder.events.begin() + before,
                                             h.recorder.events.end());
  CHECK(Types(events) == std::vector<RoutingEventType>{RoutingEventType::kCompleted,
                                                       RoutingEventType::kWrapUpEnded,
                                                       RoutingEventType::kAgentStateChanged});
  REQUIRE(events.size() >= 2);
  CHECK(events[1].contact == sb::ContactId("call-1"));
  CHECK(events[1].agent == sb::AgentId("ana"));
  CHECK(events[1].at == h.clock.Now());
  CHECK(h.router->GetContact(sb::ContactId("call-1")).status().code() ==
        absl::StatusCode::kNotFound);
  h.CheckInvariants();
}

TEST_CASE("enqueue, offer, accept, complete, wrap-up, available again") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  const sb::Queue billing = AddQueueWithAna(h, "billing");

  REQUIRE(h.router->Enqueue(MakeContact("call-1"), billing.id).ok());
  REQUIRE(Types(h.recorder.events) ==
          std::vector<RoutingEventType>{RoutingEventType::kQueued, RoutingEventType::kOffered});
  const sb::Offer offer = *h.recorder.LastOffer();
  CHECK(offer.agent == sb::AgentId("ana"));
  CHECK(offer.queue == billing.id);
  CHECK(offer.expires_at == sbt::Start() + absl::Seconds(15));
  CHECK(offer.attempt == 1);
  CHECK_FALSE(offer.direct);
  CHECK(h.StateOf("call-1") == ContactState::kOffered);
  CHECK(h.AgentStatsOf("ana").used_units == 100);  // the offer reserves the voice capacity

  CHECK(h.router->NextDeadline() == offer.expires_at);
  h.Advance(absl::Seconds(5));
  REQUIRE(h.router->Accept(offer.id).ok());
  CHECK(h.StateOf("call-1") == ContactState::kInProgress);
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kBusy);
  // The answered offer's expiry is moot: the next deadline is the daily counter reset.
  CHECK(h.router->NextDeadline() > offer.expires_at + absl::Hours(1));
  // Dropping that moot timer changes the router, so the call is not offered on a const router,
  // where a host's reader lock would let two threads race on the timer heap.
  static_assert(!std::is_invocable_v<decltype(&sb::Router::NextDeadline), const sb::Router&>);

  h.Advance(absl::Seconds(60));
  REQUIRE(h.router->Complete(sb::ContactId("call-1"), "resolved").ok());
  CHECK(h.StateOf("call-1") == ContactState::kWrapUp);
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kWrapUp);
  CHECK(h.router->NextDeadline() <= sbt::Start() + absl::Seconds(95));

  h.Advance(absl::Seconds(29));
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kWrapUp);
  h.Advance(absl::Seconds(1));
  CHECK(h.router->GetContact(sb::ContactId("call-1")).status().code() ==
        absl::StatusCode::kNotFound);
  const sb::AgentStats ana = h.AgentStatsOf("ana");
  CHECK(ana.status.state == AgentState::kAvailable);
  CHECK(ana.contacts_handled == 1);
  CHECK(ana.used_units == 0);
  CHECK(ana.busy_time == absl::Seconds(90));       // 60 s talk + 30 s wrap-up
  CHECK(ana.available_time == absl::Seconds(5));   // ringing counts as available
  CHECK(ana.occupancy == Approx(90.0 / 95.0));
  CHECK(ana.talk_time_today == absl::Seconds(60));

  const sb::QueueStats q = h.QueueStatsOf("billing");
  CHECK(q.entered == 1);
  CHECK(q.answered == 1);
  CHECK(q.answered_within_threshold == 1);
  CHECK(q.completed == 1);
  CHECK(q.offers_made == 1);
  CHECK(q.average_speed_of_answer == absl::Seconds(5));
  CHECK(q.average_handle_time == absl::Seconds(90));
  REQUIRE(q.service_level.has_value());
  CHECK(*q.service_level == 1.0);

  const auto types = Types(h.recorder.events);
  const std::vector<RoutingEventType> expected = {
      RoutingEventType::kQueued,    RoutingEventType::kOffered,
      RoutingEventType::kAccepted,  RoutingEventType::kAgentStateChanged,
      RoutingEventType::kCompleted, RoutingEventType::kAgentStateChanged,
      RoutingEventType::kWrapUpEnded, RoutingEventType::kAgentStateChanged};
  CHECK(types == expected);
  CHECK(h.recorder.events[4].text == "resolved");
  h.CheckInvariants();
}

TEST_CASE("a waiting contact is offered when an agent becomes available") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"}, AgentState::kOffline)).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  CHECK(h.QueueStatsOf("q").waiting == 1);
  h.Advance(absl::Seconds(12));
  CHECK(h.QueueStatsOf("q").longest_wait == absl::Seconds(12));
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  CHECK(h.OfferedTo("c1") == "ana");
  h.CheckInvariants();
}

TEST_CASE("a declined contact goes to another agent and never back to the decliner") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  h.Advance(absl::Seconds(1));
  REQUIRE(h.router->AddAgent(MakeAgent("bob", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c1") == "ana");  // longest idle
  REQUIRE(h.router->Decline(sb::ContactId("c1"), sb::AgentId("ana")).ok());
  CHECK(h.OfferedTo("c1") == "bob");
  CHECK(h.AgentStatsOf("ana").offers_declined == 1);
  REQUIRE(h.router->Decline(sb::ContactId("c1"), sb::AgentId("bob")).ok());
  // Both declined: it waits although both are available.
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  CHECK(h.QueueStatsOf("q").offers_declined == 2);
  // A new contact still reaches them.
  REQUIRE(h.router->Enqueue(MakeContact("c2"), sb::QueueId("q")).ok());
  CHECK_FALSE(h.OfferedTo("c2").empty());
  h.CheckInvariants();
}

TEST_CASE("unanswered offers expire on Tick and N misses in a row make the agent away") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  const sb::Offer first = *h.recorder.LastOffer();
  h.clock.Advance(absl::Seconds(15));
  // Expired by time, before any Tick: it cannot be accepted (the call runs the expiry first).
  CHECK(h.router->Accept(first.id).code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(h.router->Tick().ok());
  CHECK(h.recorder.Of(RoutingEventType::kExpired).size() == 1);
  CHECK(h.StateOf("c1") == ContactState::kWaiting);  // ana missed it: not offered again
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 1);
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);

  REQUIRE(h.router->Enqueue(MakeContact("c2"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c2") == "ana");
  h.Advance(absl::Seconds(16));
  const sb::AgentStats ana = h.AgentStatsOf("ana");
  CHECK(ana.status.state == AgentState::kAway);
  CHECK(ana.status.away_reason == "no answer");
  CHECK(ana.offers_missed == 2);
  CHECK(h.QueueStatsOf("q").offers_expired == 2);
  const auto changes = h.recorder.Of(RoutingEventType::kAgentStateChanged);
  REQUIRE_FALSE(changes.empty());
  CHECK(changes.back().agent_status.away_reason == "no answer");
  h.CheckInvariants();
}

TEST_CASE("an accepted offer resets the missed-offer count; 0 disables the rule") {
  sb::RouterOptions options;
  options.max_missed_offers = 0;
  Harness h(options);
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  for (int i = 0; i < 5; ++i) {
    const sb::Contact c = MakeContact(std::string("c").append(std::to_string(i)));
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    h.Advance(absl::Seconds(15));
  }
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 5);
}

// A decline is an answer: it does not count as missed, and it ends a run of missed offers, so
// miss, decline, miss leaves the agent available (default: 2 misses in a row make it away).
TEST_CASE("a decline ends a run of missed offers and is reported as kDeclined") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(
      h.router->Enqueue(MakeContact("c1", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(15));  // missed
  REQUIRE(h.AgentStatsOf("ana").consecutive_missed_offers == 1);
  REQUIRE(
      h.router->Enqueue(MakeContact("c2", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  const sb::Offer declined = *h.recorder.LastOffer();
  REQUIRE(declined.contact == sb::ContactId("c2"));
  REQUIRE(h.router->Decline(declined.id).ok());
  const auto declines = h.recorder.Of(RoutingEventType::kDeclined);
  REQUIRE(declines.size() == 1);
  CHECK(declines[0].contact == sb::ContactId("c2"));
  CHECK(declines[0].agent == sb::AgentId("ana"));
  CHECK(declines[0].queue == sb::QueueId("q"));
  REQUIRE(declines[0].offer.has_value());
  CHECK(declines[0].offer->id == declined.id);
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 0);
  CHECK(h.AgentStatsOf("ana").offers_declined == 1);
  REQUIRE(
      h.router->Enqueue(MakeContact("c3", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c3") == "ana");
  h.Advance(absl::Seconds(15));  // missed again: one in a row since the decline
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 1);
  CHECK(h.AgentStatsOf("ana").offers_missed == 2);
  h.CheckInvariants();
}

// Being set available resets the count of missed offers even when the agent already is: the
// host confirms that it is there (docs/routing.md, "no answer").
TEST_CASE("setting an available agent available again resets its missed-offer count") {
  Harness h;  // max_missed_offers 2
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(
      h.router->Enqueue(MakeContact("c1", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(15));  // the offer expires
  REQUIRE(h.AgentStatsOf("ana").consecutive_missed_offers == 1);
  REQUIRE(h.router->Abandon(sb::ContactId("c1")).ok());  // it waited: ana missed it once
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 0);
  REQUIRE(
      h.router->Enqueue(MakeContact("c2", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c2") == "ana");
  h.Advance(absl::Seconds(15));  // one miss since the reset: still available
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);
  CHECK(h.AgentStatsOf("ana").consecutive_missed_offers == 1);
}

TEST_CASE("rescind returns the contact to the queue and offers it to someone else") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("bob", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c1") == "ana");
  REQUIRE(h.router->Rescind(sb::ContactId("c1")).ok());
  CHECK(h.recorder.Of(RoutingEventType::kRescinded).size() == 1);
  CHECK(h.OfferedTo("c1") == "bob");
  CHECK(h.QueueStatsOf("q").offers_rescinded == 1);
  h.CheckInvariants();
}

TEST_CASE("going away with a live offer rescinds it without excluding the agent") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAway, "lunch").ok());
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  CHECK(h.AgentStatsOf("ana").status.away_reason == "lunch");
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  CHECK(h.OfferedTo("c1") == "ana");
  h.CheckInvariants();
}

// Every status change is reported once, with the status before it, reasons included; busy and
// wrap-up carry no reason even when the agent asked to go away meanwhile.
TEST_CASE("agent state events carry the previous status and its reason") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  AddQueueWithAna(h, "q", AgentState::kAway);
  const sb::AgentId ana("ana");
  using Status = sb::AgentStatus;
  std::vector<std::pair<Status, Status>> expected;
  auto changes = [&h] {
    std::vector<std::pair<Status, Status>> out;
    for (const auto& e : h.recorder.Of(RoutingEventType::kAgentStateChanged)) {
      out.emplace_back(e.previous_status, e.agent_status);
    }
    return out;
  };
  const Status available{AgentState::kAvailable, ""};
  const Status busy{AgentState::kBusy, ""};
  const Status wrap_up{AgentState::kWrapUp, ""};
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "break").ok());
  expected.push_back({{AgentState::kAway, ""}, {AgentState::kAway, "break"}});
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "lunch").ok());
  expected.push_back({{AgentState::kAway, "break"}, {AgentState::kAway, "lunch"}});
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "lunch").ok());  // no change
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAvailable).ok());
  expected.push_back({{AgentState::kAway, "lunch"}, available});
  // With a live offer: going away rescinds it, and the report still names the old status.
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c1") == "ana");
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "meeting").ok());
  expected.push_back({available, {AgentState::kAway, "meeting"}});
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAvailable).ok());
  expected.push_back({{AgentState::kAway, "meeting"}, available});
  // Busy and wrap-up hide the reason the agent asks for meanwhile; it shows once they end.
  h.AcceptOffer("c1");
  expected.push_back({available, busy});
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "training").ok());
  REQUIRE(h.router->Complete(sb::ContactId("c1"), "done").ok());
  expected.push_back({busy, wrap_up});
  REQUIRE(h.router->SetAgentState(ana, AgentState::kAway, "coaching").ok());
  h.Advance(absl::Seconds(30));
  expected.push_back({wrap_up, {AgentState::kAway, "coaching"}});
  auto text = [](const std::vector<std::pair<Status, Status>>& v) {
    std::string out;
    for (const auto& [from, to] : v) {
      out += std::string(sb::AgentStateName(from.state)) + "(" + from.away_reason + ")->" +
             std::string(sb::AgentStateName(to.state)) + "(" + to.away_reason + ") ";
    }
    return out;
  };
  CHECK(text(changes()) == text(expected));
  CHECK(h.AgentStatsOf("ana").status == Status{AgentState::kAway, "coaching"});
  h.CheckInvariants();
}

TEST_CASE("abandons while waiting and while offered, and the service level") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());  // threshold 20 s
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"}, AgentState::kOffline)).ok());
  REQUIRE(h.router->Enqueue(MakeContact("short"), sb::QueueId("q")).ok());
  REQUIRE(h.router->Enqueue(MakeContact("long"), sb::QueueId("q")).ok());
  REQUIRE(h.router->Enqueue(MakeContact("late"), sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(10));
  REQUIRE(h.router->Abandon(sb::ContactId("short")).ok());  // within 20 s: a short abandon
  h.Advance(absl::Seconds(20));
  REQUIRE(h.router->Abandon(sb::ContactId("long")).ok());   // after 30 s
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  REQUIRE(h.OfferedTo("late") == "ana");
  h.AcceptOffer("late");                                    // answered after 30 s
  REQUIRE(h.router->Enqueue(MakeContact("quick", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  REQUIRE(h.router->Complete(sb::ContactId("late"), "done").ok());
  REQUIRE(h.OfferedTo("quick") == "ana");
  h.AcceptOffer("quick");                                   // answered at once
  REQUIRE(h.router->Complete(sb::ContactId("quick"), "done").ok());
  REQUIRE(h.router->Enqueue(MakeContact("gone", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  REQUIRE(h.OfferedTo("gone") == "ana");
  REQUIRE(h.router->Abandon(sb::ContactId("gone")).ok());   // hung up while ringing
  const auto abandoned = h.recorder.Of(RoutingEventType::kAbandoned);
  REQUIRE(abandoned.size() == 3);
  CHECK(abandoned.back().agent == sb::AgentId("ana"));
  CHECK(abandoned.back().offer.has_value());
  CHECK(h.AgentStatsOf("ana").contacts_held == 0);

  const sb::QueueStats q = h.QueueStatsOf("q");
  CHECK(q.abandoned == 3);
  CHECK(q.short_abandoned == 2);  // "short" and "gone"
  CHECK(q.answered == 2);
  CHECK(q.answered_within_threshold == 1);
  // 1 answered in time / (2 answered + 3 abandoned - 2 short abandoned)
  REQUIRE(q.service_level.has_value());
  CHECK(*q.service_level == Approx(1.0 / 3.0));
  CHECK(q.average_speed_of_answer == absl::Seconds(15));  // (30 + 0) / 2
  h.CheckInvariants();
}

// A contact's wait ends once, when it is answered: hanging up later, during a transfer to an
// agent of the same queue, does not also count it as abandoned (it counted as both, and the
// service level fell to 0.5 with every contact answered in time).
TEST_CASE("a contact abandoned after its answer, during a transfer, counts once as answered") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());  // threshold 20 s
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {})).ok());
  const bool declined_first = GENERATE(false, true);
  REQUIRE(
      h.router->Enqueue(MakeContact("c1", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(5));
  h.AcceptOffer("c1");
  h.Advance(absl::Seconds(60));
  REQUIRE(h.router->TransferToAgent(sb::ContactId("c1"), sb::AgentId("eve"), "warm").ok());
  if (declined_first) {  // then it is routed in its queue again, answered already
    REQUIRE(h.router->Decline(sb::ContactId("c1"), sb::AgentId("eve")).ok());
  }
  h.Advance(absl::Seconds(3));
  REQUIRE(h.router->Abandon(sb::ContactId("c1")).ok());
  const sb::QueueStats q = h.QueueStatsOf("q");
  CHECK(q.answered == 1);
  CHECK(q.answered_within_threshold == 1);
  CHECK(q.abandoned == 0);
  CHECK(q.short_abandoned == 0);
  REQUIRE(q.service_level.has_value());
  CHECK(*q.service_level == 1.0);
  CHECK(h.recorder.Of(RoutingEventType::kAbandoned).size() == 1);  // the event still says so
  h.CheckInvariants();
}

TEST_CASE("transfer to a queue keeps the original arrival time for wait statistics") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("sales")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("billing")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"sales"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("bob", {"billing"}, AgentState::kOffline)).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("sales")).ok());
  h.Advance(absl::Seconds(10));
  h.AcceptOffer("c1");
  h.Advance(absl::Seconds(60));
  REQUIRE(h.router->TransferToQueue(sb::ContactId("c1"), sb::QueueId("billing"), "wants a refund")
              .ok());
  const auto transfers = h.recorder.Of(RoutingEventType::kTransferred);
  REQUIRE(transfers.size() == 1);
  CHECK(transfers[0].to_queue == sb::QueueId("billing"));
  CHECK(transfers[0].queue == sb::QueueId("sales"));
  CHECK(transfers[0].agent == sb::AgentId("ana"));
  CHECK(transfers[0].text == "wants a refund");
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);  // no wrap-up
  auto info = h.router->GetContact(sb::ContactId("c1"));
  REQUIRE(info.ok());
  CHECK(info->queue == sb::QueueId("billing"));
  CHECK(info->arrived_at == sbt::Start());
  CHECK(info->queued_at == sbt::Start() + absl::Seconds(70));
  CHECK(h.QueueStatsOf("sales").transferred_out == 1);
  CHECK(h.QueueStatsOf("billing").entered == 1);

  h.Advance(absl::Seconds(30));
  REQUIRE(h.router->SetAgentState(sb::AgentId("bob"), AgentState::kAvailable).ok());
  h.AcceptOffer("c1");
  const sb::QueueStats billing = h.QueueStatsOf("billing");
  CHECK(billing.answered == 1);
  CHECK(billing.average_speed_of_answer == absl::Seconds(100));  // from the first arrival
  CHECK(billing.answered_within_threshold == 0);
  h.CheckInvariants();
}

// The listener contract names TransferToQueue as a source of kQueued: a host that tracks
// contacts by queue from the events must see the contact enter its new queue.
TEST_CASE("a transfer to a queue reports the contact queued in its new queue") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("sales")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("billing")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("bob", {"billing"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("sales")).ok());  // nobody serves it
  h.recorder.events.clear();
  REQUIRE(h.router->TransferToQueue(sb::ContactId("c1"), sb::QueueId("billing"), "refund").ok());
  REQUIRE(Types(h.recorder.events) ==
          std::vector<RoutingEventType>{RoutingEventType::kTransferred, RoutingEventType::kQueued,
                                        RoutingEventType::kOffered});
  CHECK(h.recorder.events[0].queue == sb::QueueId("sales"));
  CHECK(h.recorder.events[1].queue == sb::QueueId("billing"));
  CHECK(h.recorder.events[1].contact == sb::ContactId("c1"));
  CHECK(h.recorder.events[1].agent.empty());
  h.CheckInvariants();
}

// A transfer to a queue frees the contact's agent and the contact at once. The agent must take
// the best waiting contact it fits, as any freed agent does: an older contact of the target queue
// comes before the one it just let go (before, the moved contact was offered to it at once).
TEST_CASE("an agent a transfer releases takes an older contact before the moved one") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const bool answered = GENERATE(false, true);
  INFO((answered ? "in progress" : "offered") << " when transferred");
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q0")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("q1")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q0", "q1"})).ok());
  h.Advance(absl::Seconds(10));
  REQUIRE(h.router->Enqueue(MakeContact("moved", Channel::kVoice, h.clock.Now()), sb::QueueId("q0"))
              .ok());
  REQUIRE(h.OfferedTo("moved") == "ana");
  if (answered) h.AcceptOffer("moved");
  // Arrived 10 s before "moved"; waits, ana being taken.
  REQUIRE(h.router->Enqueue(MakeContact("older"), sb::QueueId("q1")).ok());
  REQUIRE(h.StateOf("older") == ContactState::kWaiting);
  REQUIRE(h.router->TransferToQueue(sb::ContactId("moved"), sb::QueueId("q1"), "to q1").ok());
  CHECK(h.OfferedTo("older") == "ana");
  CHECK(h.StateOf("moved") == ContactState::kWaiting);
  h.CheckInvariants();
}

// The contact still goes to the agent its queue's strategy picks: under longest-idle, an agent
// idle for longer takes it, and the released agent stays free.
TEST_CASE("a contact moved by a transfer goes to the longest-idle agent, not the released one") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q0")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("q1")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q0", "q1"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("moved"), sb::QueueId("q0")).ok());
  REQUIRE(h.OfferedTo("moved") == "ana");
  h.AcceptOffer("moved");
  h.Advance(absl::Seconds(5));
  REQUIRE(h.router->AddAgent(MakeAgent("ben", {"q1"})).ok());  // idle since now
  h.Advance(absl::Seconds(5));
  REQUIRE(h.router->TransferToQueue(sb::ContactId("moved"), sb::QueueId("q1"), "to q1").ok());
  CHECK(h.OfferedTo("moved") == "ben");
  CHECK(h.AgentStatsOf("ana").status.state == AgentState::kAvailable);
  h.CheckInvariants();
}

TEST_CASE("transfer to an agent makes a direct offer; a decline returns it to its queue") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {"other"})).ok());  // not a member of q
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  h.AcceptOffer("c1");
  REQUIRE(h.router->TransferToAgent(sb::ContactId("c1"), sb::AgentId("eve"), "vip").ok());
  const sb::Offer offer = *h.recorder.LastOffer();
  CHECK(offer.agent == sb::AgentId("eve"));
  CHECK(offer.direct);
  CHECK(offer.queue == sb::QueueId("q"));
  CHECK(h.AgentStatsOf("ana").contacts_held == 0);
  REQUIRE(h.router->Decline(offer.id).ok());
  // Back in q, and ana (free again) takes it.
  CHECK(h.OfferedTo("c1") == "ana");
  CHECK(h.QueueStatsOf("q").answered == 1);  // answered once, not twice
  h.CheckInvariants();
}

TEST_CASE("per-channel capacity: three chats at once, the fourth waits") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());  // default capacities
  for (int i = 1; i <= 4; ++i) {
    const std::string id = std::string("chat-").append(std::to_string(i));
    REQUIRE(h.router->Enqueue(MakeContact(id, Channel::kChat), sb::QueueId("q")).ok());
  }
  // One offer at a time: accepting each lets the next one through.
  for (int i = 1; i <= 3; ++i) {
    const std::string id = std::string("chat-").append(std::to_string(i));
    REQUIRE(h.OfferedTo(id) == "ana");
    h.AcceptOffer(id);
  }
  CHECK(h.StateOf("chat-4") == ContactState::kWaiting);
  CHECK(h.AgentStatsOf("ana").used_units == 99);
  REQUIRE(h.router->Complete(sb::ContactId("chat-2"), "ok").ok());
  CHECK(h.OfferedTo("chat-4") == "ana");
  h.CheckInvariants();
}

TEST_CASE("voice is not offered alongside a chat unless the agent allows blending") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent ana = MakeAgent("ana", {"q"});
  REQUIRE(h.router->AddAgent(ana).ok());
  REQUIRE(h.router->Enqueue(MakeContact("chat", Channel::kChat), sb::QueueId("q")).ok());
  h.AcceptOffer("chat");
  REQUIRE(h.router->Enqueue(MakeContact("call", Channel::kVoice), sb::QueueId("q")).ok());
  CHECK(h.StateOf("call") == ContactState::kWaiting);
  // Blending with room for both: voice 100 + chat 33 within 200 units.
  ana.allow_blending = true;
  ana.capacity_units = 200;
  REQUIRE(h.router->UpdateAgent(ana).ok());
  CHECK(h.OfferedTo("call") == "ana");
  h.AcceptOffer("call");
  // Holding voice (exclusive) and blending: one more chat fits in the remaining 67 units.
  REQUIRE(h.router->Enqueue(MakeContact("chat-2", Channel::kChat), sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("chat-2") == "ana");
  h.CheckInvariants();
}

TEST_CASE("an agent holding a call gets no chat without blending") {
  Harness h;
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("call"), sb::QueueId("q")).ok());
  h.AcceptOffer("call");
  REQUIRE(h.router->Enqueue(MakeContact("chat", Channel::kChat), sb::QueueId("q")).ok());
  CHECK(h.StateOf("chat") == ContactState::kWaiting);
}

// Default capacities stand in for ones the host could have listed and meet the same rule: a
// default cost above capacity_units (voice takes 100) is refused, not accepted as a channel
// that can never be offered and a configuration GetAgent returns but UpdateAgent refuses.
TEST_CASE("default capacities must fit the agent's capacity units") {
  Harness h;
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent small = MakeAgent("small", {"q"});
  small.capacity_units = 50;
  REQUIRE(small.Validate().ok());  // fine on its own: the defaults are the router's
  const std::string before = h.router->DebugString();
  const std::size_t events_before = h.recorder.events.size();
  const absl::Status added = h.router->AddAgent(small);
  CHECK(added.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(added.message()), Catch::Contains("'small'") &&
                                               Catch::Contains("capacity_units is 50") &&
                                               Catch::Contains("voice"));
  CHECK(h.router->DebugString() == before);
  CHECK(h.recorder.events.size() == events_before);

  small.capacity_units = 100;  // fits every default
  REQUIRE(h.router->AddAgent(small).ok());
  const sb::Agent held = h.router->GetAgent(small.id).value();
  CHECK(held.Validate().ok());
  CHECK(h.router->UpdateAgent(held).ok());
  small.capacity_units = 99;
  CHECK(h.router->UpdateAgent(small).code() == absl::StatusCode::kInvalidArgument);
  small.capacities = {{Channel::kChat, 1, 33}};  // listed: its own rule, met
  CHECK(h.router->UpdateAgent(small).ok());
  h.CheckInvariants();
}

TEST_CASE("a channel missing from the agent's capacities is never offered") {
  Harness h;
  REQUIRE(h.router->AddQueue(MakeQueue("q", {Channel::kVoice, Channel::kEmail})).ok());
  sb::Agent ana = MakeAgent("ana", {"q"});
  ana.capacities = {sb::DefaultCapacity(Channel::kVoice)};
  REQUIRE(h.router->AddAgent(ana).ok());
  REQUIRE(h.router->Enqueue(MakeContact("mail", Channel::kEmail), sb::QueueId("q")).ok());
  CHECK(h.StateOf("mail") == ContactState::kWaiting);
}

TEST_CASE("queue delay: an agent sees a contact only after it waited the membership delay") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent overflow = MakeAgent("overflow", {"q"});
  overflow.queues[0].delay = absl::Seconds(30);
  REQUIRE(h.router->AddAgent(overflow).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  CHECK(h.router->NextDeadline() == sbt::Start() + absl::Seconds(30));
  h.Advance(absl::Seconds(29));
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  h.Advance(absl::Seconds(1));
  CHECK(h.OfferedTo("c1") == "overflow");
  h.CheckInvariants();
}

// An overflow agent frees up while the contacts at the front of its queue are younger than its
// delay, or declined by it: it takes the best contact that has waited the delay out, however far
// back that one is (eleven waiting, enough for the indexed selector's delayed view). A contact
// that arrived long ago ranks by its arrival but counts its wait from when it entered the queue.
TEST_CASE("a delayed agent takes the best contact that waited its delay past younger ones") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const bool lifo = GENERATE(false, true);
  Harness h(sbt::OptionsFor(mode));
  AddQueueQ(h, lifo);
  sb::Agent overflow = MakeAgent("overflow", {"q"}, AgentState::kAway);
  overflow.queues[0].delay = absl::Seconds(60);
  REQUIRE(h.router->AddAgent(overflow).ok());
  auto enqueue = [&](const std::string& id, int priority, absl::Time arrived) {
    sb::Contact c = MakeContact(id, Channel::kVoice, arrived);
    c.priority = priority;
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
  };
  enqueue("vip", 9, h.clock.Now());
  for (const char* id : {"old1", "old2", "old3"}) enqueue(id, 0, h.clock.Now());
  h.Advance(absl::Seconds(20));
  enqueue("early", 0, sbt::Start() - absl::Seconds(100));  // first of all by arrival
  h.Advance(absl::Seconds(10));
  for (int i = 1; i <= 6; ++i) enqueue("hot" + std::to_string(i), 5, h.clock.Now());
  h.Advance(absl::Seconds(40));  // 70 s: only old1..old3 have waited 60 s in the queue
  REQUIRE(h.router->SetAgentState(sb::AgentId("overflow"), AgentState::kAvailable).ok());
  CHECK(h.OfferedTo("vip") == "overflow");
  // Declined, the old front stays first in the queue, and the agent looks past it.
  REQUIRE(h.router->Decline(sb::ContactId("vip"), sb::AgentId("overflow")).ok());
  const std::vector<std::string> olds = lifo ? std::vector<std::string>{"old3", "old2", "old1"}
                                             : std::vector<std::string>{"old1", "old2", "old3"};
  for (const std::string& id : olds) {
    INFO(id);
    CHECK(h.OfferedTo(id) == "overflow");
    h.CheckInvariants();
    REQUIRE(h.router->Abandon(sb::ContactId(id)).ok());  // frees the agent for the next one
  }
  CHECK(h.StateOf("early") == ContactState::kWaiting);  // in the queue for 50 s only
  h.Advance(absl::Seconds(10));
  CHECK(h.OfferedTo("early") == "overflow");
  REQUIRE(h.router->Abandon(sb::ContactId("early")).ok());
  CHECK(h.StateOf("hot1") == ContactState::kWaiting);
  h.Advance(absl::Seconds(10));  // 90 s: the priority contacts have waited 60 s
  CHECK(h.OfferedTo(lifo ? "hot6" : "hot1") == "overflow");
  h.CheckInvariants();
}

TEST_CASE("a late Tick decides as if it had run on time") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent overflow = MakeAgent("overflow", {"q"});
  overflow.queues[0].delay = absl::Seconds(30);
  REQUIRE(h.router->AddAgent(overflow).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(100));  // one Tick: offer at 30 s, expiry at 45 s, ...
  const auto offers = h.recorder.Of(RoutingEventType::kOffered);
  REQUIRE(offers.size() == 1);
  CHECK(offers[0].at == sbt::Start() + absl::Seconds(30));
  const auto expired = h.recorder.Of(RoutingEventType::kExpired);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].at == sbt::Start() + absl::Seconds(45));
}

TEST_CASE("contact selection: membership priority, then contact priority, then FIFO or LIFO") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("first")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("second")).ok());
  sb::Queue lifo = MakeQueue("lifo");
  lifo.order = sb::QueueOrder::kLifo;
  REQUIRE(h.router->AddQueue(lifo).ok());
  sb::Agent ana = MakeAgent("ana", {}, AgentState::kOffline);
  ana.queues = {{sb::QueueId("second"), 2, absl::ZeroDuration()},
                {sb::QueueId("first"), 1, absl::ZeroDuration()},
                {sb::QueueId("lifo"), 3, absl::ZeroDuration()}};
  REQUIRE(h.router->AddAgent(ana).ok());
  auto enqueue = [&](const std::string& id, const std::string& queue, int priority) {
    sb::Contact c = MakeContact(id, Channel::kVoice, h.clock.Now());
    c.priority = priority;
    REQUIRE(h.router->Enqueue(c, sb::QueueId(queue)).ok());
    h.Advance(absl::Seconds(1));
  };
  enqueue("second-old", "second", 0);
  enqueue("first-low", "first", 0);
  enqueue("first-high", "first", 5);
  enqueue("first-low-2", "first", 0);
  enqueue("lifo-1", "lifo", 0);
  enqueue("lifo-2", "lifo", 0);
  auto wait = h.router->WaitingContacts(sb::QueueId("first"));
  REQUIRE(wait.ok());
  CHECK(*wait == std::vector<sb::ContactId>{sb::ContactId("first-high"),
                                            sb::ContactId("first-low"),
                                            sb::ContactId("first-low-2")});
  const std::vector<std::string> expected = {"first-high", "first-low", "first-low-2",
                                             "second-old", "lifo-2",    "lifo-1"};
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  for (const std::string& id : expected) {
    REQUIRE(h.OfferedTo(id) == "ana");
    h.AcceptOffer(id);
    REQUIRE(h.router->Complete(sb::ContactId(id), "ok").ok());
  }
  h.CheckInvariants();
}

// LIFO at the router's earliest time (now the Unix epoch, an arrival of 0 ns; when the range
// began in 1677 the arrival was the int64 floor, and a LIFO key that negated it overflowed).
// The order must still be newest first, across queues. (A clock before that time is refused by
// Create: see router_bad_input_test.)
TEST_CASE("LIFO order holds at the router's earliest time") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::ManualClock clock(sb::kEarliestRouterTime);
  auto router = sb::Router::Create(sbt::OptionsFor(mode), &clock, nullptr).value();
  sb::Queue lifo = MakeQueue("lifo");
  lifo.order = sb::QueueOrder::kLifo;
  REQUIRE(router->AddQueue(lifo).ok());
  REQUIRE(router->AddQueue(MakeQueue("fifo")).ok());
  sb::Agent ana = MakeAgent("ana", {}, AgentState::kOffline);
  ana.queues = {{sb::QueueId("lifo"), 1, absl::ZeroDuration()},
                {sb::QueueId("fifo"), 1, absl::ZeroDuration()}};
  REQUIRE(router->AddAgent(ana).ok());
  for (const char* id : {"lifo-1", "lifo-2"}) {
    REQUIRE(router->Enqueue(MakeContact(id), sb::QueueId("lifo")).ok());
    clock.Advance(absl::Seconds(1));
  }
  auto waiting = router->WaitingContacts(sb::QueueId("lifo"));
  REQUIRE(waiting.ok());
  CHECK(*waiting == std::vector<sb::ContactId>{sb::ContactId("lifo-2"), sb::ContactId("lifo-1")});
  REQUIRE(router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  auto offer = router->CurrentOffer(sb::ContactId("lifo-2"));
  REQUIRE(offer.ok());
  REQUIRE(offer->has_value());
  CHECK((*offer)->agent == sb::AgentId("ana"));
  CHECK(router->CheckInvariants().ok());
}

// Across queues an agent's contacts follow the same order as within one: newest first among
// LIFO queues' contacts, and (at equal priorities) FIFO queues' contacts before LIFO ones. The
// cross-queue key used to compare raw arrivals, which gave two LIFO queues neither order.
TEST_CASE("across queues, LIFO contacts come newest first, after FIFO contacts") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  for (const char* id : {"lifo-a", "lifo-b"}) {
    sb::Queue q = MakeQueue(id);
    q.order = sb::QueueOrder::kLifo;
    REQUIRE(h.router->AddQueue(q).ok());
  }
  REQUIRE(h.router->AddQueue(MakeQueue("fifo")).ok());
  auto enqueue = [&](const std::string& id, const std::string& queue) {
    REQUIRE(h.router->Enqueue(MakeContact(id, Channel::kVoice, h.clock.Now()), sb::QueueId(queue))
                .ok());
    h.Advance(absl::Seconds(10));
  };
  enqueue("a-t0", "lifo-a");
  enqueue("b-t10", "lifo-b");
  enqueue("a-t20", "lifo-a");
  enqueue("fifo-t30", "fifo");
  enqueue("fifo-t40", "fifo");
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"lifo-a", "lifo-b", "fifo"})).ok());
  for (const char* id : {"fifo-t30", "fifo-t40", "a-t20", "b-t10", "a-t0"}) {
    INFO(id);
    REQUIRE(h.OfferedTo(id) == "ana");
    h.AcceptOffer(id);
    REQUIRE(h.router->Complete(sb::ContactId(id), "ok").ok());
  }
  h.CheckInvariants();
}

// Contacts reserved for one agent in a LIFO queue go to it newest first, as the queue lists them.
TEST_CASE("contacts reserved in a LIFO queue go to their agent newest first") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  sb::Queue q = MakeQueue("q");
  q.order = sb::QueueOrder::kLifo;
  REQUIRE(h.router->AddQueue(q).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("busy", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  h.AcceptOffer("busy");
  for (const char* id : {"old", "new"}) {
    sb::Contact c = MakeContact(id, Channel::kVoice, h.clock.Now());
    c.preferred_agent = sb::AgentId("eve");
    c.preferred_agent_wait = absl::Seconds(120);
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    h.Advance(absl::Seconds(5));
  }
  CHECK(h.router->WaitingContacts(sb::QueueId("q")).value() ==
        std::vector<sb::ContactId>{sb::ContactId("new"), sb::ContactId("old")});
  REQUIRE(h.router->Complete(sb::ContactId("busy"), "ok").ok());
  CHECK(h.OfferedTo("new") == "eve");
  CHECK(h.OfferedTo("old").empty());
  h.CheckInvariants();
}

// docs/routing.md, "Choosing an agent's contact": the enqueue order breaks what ties remain, the
// later enqueued first in a kLifo queue, and "the same order picks among several contacts
// reserved for the agent". Two contacts that arrived at the same instant (a whole-second clock)
// are reserved for eve; the one WaitingContacts lists first is the one she is offered.
TEST_CASE("contacts reserved in a LIFO queue with one arrival go to their agent newest first") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  sb::Queue q = MakeQueue("q");
  q.order = sb::QueueOrder::kLifo;
  REQUIRE(h.router->AddQueue(q).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("busy"), sb::QueueId("q")).ok());
  h.AcceptOffer("busy");
  const absl::Time arrival = h.clock.Now();
  for (const char* id : {"old", "new"}) {
    sb::Contact c = MakeContact(id, Channel::kVoice, arrival);
    c.preferred_agent = sb::AgentId("eve");
    c.preferred_agent_wait = absl::Seconds(120);
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
  }
  CHECK(h.router->WaitingContacts(sb::QueueId("q")).value() ==
        std::vector<sb::ContactId>{sb::ContactId("new"), sb::ContactId("old")});
  h.clock.Advance(absl::Seconds(5));
  REQUIRE(h.router->Complete(sb::ContactId("busy"), "ok").ok());
  CHECK(h.OfferedTo("new") == "eve");
  CHECK(h.OfferedTo("old").empty());
  h.CheckInvariants();
}

TEST_CASE("eligibility: required skills at their minimum, optional skills and language") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  sb::Queue q = MakeQueue("q");
  q.required_skills = {{"billing", 3, true}};
  REQUIRE(h.router->AddQueue(q).ok());
  sb::Agent novice = MakeAgent("novice", {"q"});
  novice.skills = {{"billing", 2}};
  sb::Agent junior = MakeAgent("junior", {"q"});
  junior.skills = {{"billing", 4}};
  sb::Agent senior = MakeAgent("senior", {"q"});
  senior.skills = {{"billing", 9}};
  senior.languages = {"en", "es"};
  for (const auto& a : {novice, junior, senior}) REQUIRE(h.router->AddAgent(a).ok());

  sb::Contact c = MakeContact("hard");
  c.required_skills = {{"billing", 6, true}, {"retention", 5, false}};
  REQUIRE(h.router->Enqueue(c, q.id).ok());
  CHECK(h.OfferedTo("hard") == "senior");

  sb::Contact easy = MakeContact("easy");  // the queue's billing>=3 still applies
  REQUIRE(h.router->Enqueue(easy, q.id).ok());
  CHECK(h.OfferedTo("easy") == "junior");

  sb::Contact spanish = MakeContact("spanish");
  spanish.language = "es";
  REQUIRE(h.router->Enqueue(spanish, q.id).ok());
  CHECK(h.StateOf("spanish") == ContactState::kWaiting);  // only senior speaks it; busy
  REQUIRE(h.router->Decline(sb::ContactId("hard"), sb::AgentId("senior")).ok());
  // senior is free: the spanish contact (priority equal, waiting) or "hard" (excluded) ...
  CHECK(h.OfferedTo("spanish") == "senior");
  CHECK(h.StateOf("hard") == ContactState::kWaiting);
  h.CheckInvariants();
}

// Language tags are case-insensitive (BCP 47): a contact asking "ES" or "es" fits an agent that
// speaks "Es", and the router reports the agent's languages in lower case. Tags still match
// whole: "es-MX" is another tag than "es".
TEST_CASE("eligibility: language tags match whatever their case, but whole") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent ana = MakeAgent("ana", {"q"}, AgentState::kAway);
  ana.languages = {"en", "Es"};
  REQUIRE(h.router->AddAgent(ana).ok());
  CHECK(h.router->GetAgent(sb::AgentId("ana")).value().languages ==
        std::vector<std::string>{"en", "es"});
  for (const char* tag : {"ES", "es-MX"}) {
    sb::Contact c = MakeContact(tag);
    c.language = tag;
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
  }
  REQUIRE(h.router->SetAgentState(sb::AgentId("ana"), AgentState::kAvailable).ok());
  CHECK(h.OfferedTo("ES") == "ana");
  CHECK(h.StateOf("es-MX") == ContactState::kWaiting);
  h.CheckInvariants();
}

TEST_CASE("eligibility stays exact when skill and language names outnumber the summary bits") {
  // The router summarizes an agent's skills and languages in one word (48 skill bits, 16
  // language bits) to rule agents out cheaply; names past those counts share bits, and an agent
  // with a skill sharing the required one's bit must still not qualify.
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  // Interns skills s0..s48 (ids 1..49: s48 shares s0's bit) and languages en, l1..l16 (l16
  // shares en's bit), then goes away so that it takes nothing.
  sb::Agent filler = MakeAgent("filler", {"q"}, AgentState::kAway);
  for (int i = 0; i <= 48; ++i) filler.skills.push_back({"s" + std::to_string(i), 5});
  for (int i = 1; i <= 16; ++i) filler.languages.push_back("l" + std::to_string(i));
  REQUIRE(h.router->AddAgent(filler).ok());
  // Added first, so the better-ranked of equals: each is offered what only the other fits.
  sb::Agent near_skill = MakeAgent("near-skill", {"q"});
  near_skill.skills = {{"s0", 9}};
  sb::Agent near_language = MakeAgent("near-language", {"q"});
  sb::Agent right_skill = MakeAgent("right-skill", {"q"});
  right_skill.skills = {{"s48", 1}};
  sb::Agent right_language = MakeAgent("right-language", {"q"});
  right_language.languages = {"l16"};
  for (const auto& a : {near_skill, near_language, right_skill, right_language}) {
    REQUIRE(h.router->AddAgent(a).ok());
  }

  sb::Contact skill = MakeContact("needs-s48");
  skill.required_skills = {{"s48", 1, true}};
  REQUIRE(h.router->Enqueue(skill, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("needs-s48") == "right-skill");

  sb::Contact language = MakeContact("speaks-l16");
  language.language = "l16";
  REQUIRE(h.router->Enqueue(language, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("speaks-l16") == "right-language");
  h.CheckInvariants();
}

TEST_CASE("the listener may call back into the router; events keep one order") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  struct AutoAccept : sb::RouterListener {
    sb::Router* router = nullptr;
    std::vector<sb::RoutingEvent> events;
    void OnEvent(const sb::RoutingEvent& e) override {
      events.push_back(e);
      if (e.type == RoutingEventType::kOffered) REQUIRE(router->Accept(e.offer->id).ok());
    }
  } listener;
  sb::ManualClock clock(sbt::Start());
  auto made = sb::Router::Create(sbt::OptionsFor(mode), &clock, &listener);
  REQUIRE(made.ok());
  listener.router = made->get();
  REQUIRE((*made)->AddQueue(MakeQueue("q")).ok());
  REQUIRE((*made)->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE((*made)->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  CHECK(Types(listener.events) ==
        std::vector<RoutingEventType>{RoutingEventType::kQueued, RoutingEventType::kOffered,
                                      RoutingEventType::kAccepted,
                                      RoutingEventType::kAgentStateChanged});
  CHECK((*made)->CheckInvariants().ok());
}

// A listener must not throw; one that does still leaves the router usable, and the events it
// had not yet seen arrive, in order, with the next call's.
TEST_CASE("a listener that throws leaves the router delivering, nothing lost") {
  struct ThrowsOnQueued : sb::RouterListener {
    std::vector<sb::RoutingEvent> events;
    void OnEvent(const sb::RoutingEvent& e) override {
      events.push_back(e);
      if (e.type == RoutingEventType::kQueued) throw std::runtime_error("host bug");
    }
  } listener;
  sb::ManualClock clock(sbt::Start());
  auto router = sb::Router::Create({}, &clock, &listener).value();
  REQUIRE(router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(router->AddAgent(MakeAgent("ana", {"q"})).ok());
  listener.events.clear();
  // The throw reaches the host's call after the state change: the contact is offered.
  CHECK_THROWS_AS(router->Enqueue(MakeContact("c1"), sb::QueueId("q")), std::runtime_error);
  CHECK(Types(listener.events) == std::vector<RoutingEventType>{RoutingEventType::kQueued});
  auto offer = router->CurrentOffer(sb::ContactId("c1"));
  REQUIRE(offer.ok());
  REQUIRE(offer->has_value());
  // The offer the listener missed comes first with the next call's events.
  REQUIRE(router->Accept((*offer)->id).ok());
  CHECK(Types(listener.events) ==
        std::vector<RoutingEventType>{RoutingEventType::kQueued, RoutingEventType::kOffered,
                                      RoutingEventType::kAccepted,
                                      RoutingEventType::kAgentStateChanged});
  CHECK(router->CheckInvariants().ok());
}

// Agent ana of queue q handles contact c1 for three minutes, from Start().
void HandleOneContact(Harness& h) {
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  h.AcceptOffer("c1");
  h.Advance(absl::Minutes(3));
  REQUIRE(h.router->Complete(sb::ContactId("c1"), "ok").ok());
}

TEST_CASE("daily counters restart at midnight in the configured zone") {
  Harness h;
  HandleOneContact(h);
  CHECK(h.AgentStatsOf("ana").handled_today == 1);
  CHECK(h.AgentStatsOf("ana").talk_time_today == absl::Minutes(3));
  h.Advance(absl::Hours(2));  // Start() is 22:13 UTC: past midnight now
  CHECK(h.AgentStatsOf("ana").handled_today == 0);
  CHECK(h.AgentStatsOf("ana").talk_time_today == absl::ZeroDuration());
  CHECK(h.AgentStatsOf("ana").contacts_handled == 1);
}

// A host that ticks now and then may make calls after midnight before its next Tick. Those
// belong to the new day: the counters restart before the call's own effects, not at the next
// Tick, which used to erase a contact completed in between. The restart is due work, as a
// timer is: it stands even when the call then fails, and the next Tick finds nothing to do.
TEST_CASE("a contact completed after midnight, before the next Tick, counts for the new day") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  const absl::Time midnight = absl::FromCivil(absl::CivilDay(2023, 11, 15), absl::UTCTimeZone());
  h.clock.Set(midnight - absl::Minutes(2));  // Start() is 22:13 UTC the day before
  REQUIRE(h.router->Tick().ok());
  REQUIRE(h.router->Enqueue(MakeContact("before", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  h.AcceptOffer("before");
  REQUIRE(h.router->Complete(sb::ContactId("before"), "ok").ok());
  REQUIRE(
      h.router->Enqueue(MakeContact("c1", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.clock.Advance(absl::Seconds(10));  // wrap-up is 0: ana took c1 at once
  h.AcceptOffer("c1");
  REQUIRE(h.AgentStatsOf("ana").handled_today == 1);
  CHECK(h.router->NextDeadline() == midnight);

  h.clock.Set(midnight + absl::Seconds(10));  // no Tick since 23:58
  CHECK(h.router->Complete(sb::ContactId("unknown"), "ok").code() == absl::StatusCode::kNotFound);
  CHECK(h.AgentStatsOf("ana").handled_today == 0);  // the failed call ran the restart first
  const std::string after_failed_call = h.router->DebugString();
  REQUIRE(h.router->Tick().ok());
  CHECK(h.router->DebugString() == after_failed_call);  // and nothing else: Tick finds it done
  REQUIRE(h.router->Complete(sb::ContactId("c1"), "ok").ok());
  CHECK(h.AgentStatsOf("ana").handled_today == 1);  // c1 alone: "before" was yesterday
  CHECK(h.AgentStatsOf("ana").talk_time_today == absl::Seconds(120));  // credited at completion
  CHECK(h.AgentStatsOf("ana").contacts_handled == 2);
  h.Advance(absl::Seconds(1));  // the Tick finds the reset done
  CHECK(h.AgentStatsOf("ana").handled_today == 1);
  CHECK(h.router->NextDeadline() == midnight + absl::Hours(24));
  h.CheckInvariants();
}

// A host's clock may jump far ahead (an unset clock at start-up, then synchronized): the
// counters restart once, and Tick does not walk every midnight in between, even to the
// infinite future, where no midnight follows.
TEST_CASE("daily counters restart once when the clock jumps years ahead") {
  Harness h;
  HandleOneContact(h);
  REQUIRE(h.AgentStatsOf("ana").handled_today == 1);
  h.clock.Set(absl::FromCivil(absl::CivilSecond(2200, 6, 1, 12, 0, 0), absl::UTCTimeZone()));
  REQUIRE(h.router->Tick().ok());
  CHECK(h.AgentStatsOf("ana").handled_today == 0);
  CHECK(h.router->NextDeadline() ==
        absl::FromCivil(absl::CivilDay(2200, 6, 2), absl::UTCTimeZone()));
  REQUIRE(h.router->Enqueue(MakeContact("c2", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  h.AcceptOffer("c2");
  REQUIRE(h.router->Complete(sb::ContactId("c2"), "ok").ok());
  CHECK(h.AgentStatsOf("ana").handled_today == 1);

  h.clock.Set(absl::InfiniteFuture());
  REQUIRE(h.router->Tick().ok());  // returns
  CHECK(h.AgentStatsOf("ana").handled_today == 0);
  CHECK(h.router->NextDeadline() == std::nullopt);
  CHECK(h.AgentStatsOf("ana").contacts_handled == 2);
  h.CheckInvariants();
}

// Time accounting in integer nanoseconds must not overflow across the router's whole range
// (from the epoch to the last nanosecond an int64 holds; when the range began in 1677 a clock
// could span twice that): the agent's available time stays positive and huge, not negative.
TEST_CASE("agent time accounting survives a clock spanning the router's whole range") {
  sb::ManualClock clock(sb::kEarliestRouterTime);
  auto router = sb::Router::Create({}, &clock, nullptr).value();
  REQUIRE(router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(router->AddAgent(MakeAgent("ana", {"q"})).ok());
  clock.Set(sb::kLatestRouterTime);
  REQUIRE(router->SetAgentState(sb::AgentId("ana"), AgentState::kOffline).ok());
  const sb::AgentStats ana = router->GetAgentStats(sb::AgentId("ana")).value();
  CHECK(ana.available_time >= absl::Hours(24 * 365 * 290));  // an int64 of ns: 292 years
  CHECK(ana.busy_time == absl::ZeroDuration());
  CHECK(ana.occupancy == 0);
  CHECK(router->CheckInvariants().ok());
}

// In America/St_Johns the clocks went back from 00:01 to 23:01 on 1987-10-25: for the hour
// after, the civil day is the 24th again, and the start of the 25th has already passed. The
// next reset must still lie ahead, or Tick would run it and reschedule it forever.
TEST_CASE("the daily reset stays ahead when the zone turns its clocks back across midnight") {
  absl::TimeZone st_johns;
  if (!absl::LoadTimeZone("America/St_Johns", &st_johns)) {
    WARN("no time zone data for America/St_Johns: not checked");
    return;
  }
  sb::RouterOptions options;
  options.day_zone = st_johns;
  const absl::Time back_to_the_24th =
      absl::FromCivil(absl::CivilSecond(1987, 10, 25, 3, 0, 0), absl::UTCTimeZone());
  REQUIRE(absl::ToCivilDay(back_to_the_24th, st_johns) == absl::CivilDay(1987, 10, 24));
  sb::ManualClock clock(back_to_the_24th);
  auto router = sb::Router::Create(options, &clock, nullptr).value();
  REQUIRE(router->NextDeadline().has_value());
  CHECK(*router->NextDeadline() > clock.Now());
  clock.Advance(absl::Minutes(10));
  REQUIRE(router->Tick().ok());  // returns
  CHECK(*router->NextDeadline() > clock.Now());
  clock.Advance(absl::Hours(1));  // the 25th has begun (again)
  REQUIRE(router->Tick().ok());
  CHECK(*router->NextDeadline() ==
        absl::FromCivil(absl::CivilDay(1987, 10, 26), st_johns));
}

TEST_CASE("queue statistics count agents by state") {
  Harness h;
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("a1", {"q"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("a2", {"q"}, AgentState::kOffline)).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("a3", {"q"}, AgentState::kAway)).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("a4", {"q"})).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  h.AcceptOffer("c1");
  const sb::QueueStats s = h.QueueStatsOf("q");
  CHECK(s.agents == sb::AgentStateCounts{1, 1, 1, 1, 0});
  CHECK(s.in_progress == 1);
}

TEST_CASE("UpdateQueue re-routes waiting contacts under the new requirements") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  sb::Queue q = MakeQueue("q");
  q.required_skills = {{"billing", 8, true}};
  REQUIRE(h.router->AddQueue(q).ok());
  sb::Agent ana = MakeAgent("ana", {"q"});
  ana.skills = {{"billing", 5}};
  REQUIRE(h.router->AddAgent(ana).ok());
  REQUIRE(h.router->Enqueue(MakeContact("c1"), q.id).ok());
  CHECK(h.StateOf("c1") == ContactState::kWaiting);
  q.required_skills = {{"billing", 5, true}};
  REQUIRE(h.router->UpdateQueue(q).ok());
  CHECK(h.OfferedTo("c1") == "ana");
  h.CheckInvariants();
}

TEST_CASE("GetAgent returns the configuration as given, rebuilt from the compact forms") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("billing")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("sales")).ok());

  // Skills, languages and capacities deliberately out of their interned or channel order.
  sb::Agent ana = MakeAgent("ana", {"sales", "billing"}, AgentState::kAway);
  ana.status.away_reason = "lunch";
  ana.name = "Ana";
  ana.site = "lisbon";
  ana.teams = {"tier-2"};
  ana.attributes = {{"seniority", "7"}};
  ana.skills = {{"zulu", 4}, {"billing", 9}, {"alpha", 2}};
  ana.languages = {"pt", "en", "es"};
  ana.capacities = {{Channel::kEmail, 4, 10}, {Channel::kVoice, 1, 100}, {Channel::kChat, 0, 30}};
  ana.capacity_units = 150;
  ana.allow_blending = true;
  ana.queues[0].priority = 3;
  ana.queues[1].delay = absl::Milliseconds(1500) + absl::Nanoseconds(1) / 4;  // below a ns
  REQUIRE(h.router->AddAgent(ana).ok());
  auto got = h.router->GetAgent(ana.id);
  REQUIRE(got.ok());
  CHECK(*got == ana);

  // Empty capacities come back as the defaults of every channel (the documented normalization).
  sb::Agent bo = MakeAgent("bo", {"billing"});
  bo.skills = {{"billing", 5}};
  REQUIRE(h.router->AddAgent(bo).ok());
  got = h.router->GetAgent(bo.id);
  REQUIRE(got.ok());
  std::vector<sb::ChannelCapacity> defaults;
  for (Channel ch : sb::kAllChannels) defaults.push_back(sb::DefaultCapacity(ch));
  CHECK(got->capacities == defaults);
  sb::Agent expected = bo;
  expected.capacities = defaults;
  CHECK(*got == expected);

  // UpdateAgent replaces all of it, and details that become empty read back empty.
  ana.skills = {{"billing", 3}};
  ana.languages = {"en"};
  ana.capacities = {{Channel::kChat, 2, 50}};
  ana.queues = {{sb::QueueId("billing"), 1, absl::ZeroDuration()}};
  ana.name.clear();
  ana.site.clear();
  ana.teams.clear();
  ana.attributes.clear();
  REQUIRE(h.router->UpdateAgent(ana).ok());
  got = h.router->GetAgent(ana.id);
  REQUIRE(got.ok());
  CHECK(*got == ana);
}

// A listener that names its interests gets exactly those event types, in the same order as a
// listener of everything sees them; the routing itself does not change.
TEST_CASE("a listener receives only the event types it asks for") {
  class OffersAndStates : public sbt::Recorder {
   public:
    sb::RoutingEventMask Interests() const override {
      return sb::EventBit(RoutingEventType::kOffered) |
             sb::EventBit(RoutingEventType::kAgentStateChanged);
    }
  };
  auto run = [](sb::RouterListener* listener) {
    sb::ManualClock clock(sbt::Start());
    auto router = sb::Router::Create({}, &clock, listener).value();
    REQUIRE(router->AddQueue(MakeQueue("q")).ok());
    REQUIRE(router->AddAgent(MakeAgent("a", {"q"})).ok());
    REQUIRE(router->Enqueue(MakeContact("c1", Channel::kVoice, clock.Now()), sb::QueueId("q")).ok());
    REQUIRE(router->Accept(sb::ContactId("c1"), sb::AgentId("a")).ok());
    clock.Advance(absl::Seconds(30));
    REQUIRE(router->Complete(sb::ContactId("c1"), "done").ok());
    return router->GetAgentStats(sb::AgentId("a")).value();
  };
  sbt::Recorder all;
  OffersAndStates some;
  const sb::AgentStats with_all = run(&all);
  const sb::AgentStats with_some = run(&some);
  const sb::AgentStats with_none = run(nullptr);
  std::vector<sb::RoutingEvent> expected;
  for (const sb::RoutingEvent& e : all.events) {
    if (e.type == RoutingEventType::kOffered || e.type == RoutingEventType::kAgentStateChanged) {
      expected.push_back(e);
    }
  }
  CHECK(all.events.size() > expected.size());  // queued, accepted, completed... were left out
  CHECK(some.events == expected);
  CHECK(with_some.contacts_handled == 1);
  CHECK(with_none.contacts_handled == with_all.contacts_handled);
  CHECK(with_none.busy_time == with_all.busy_time);
}

// A queue with no contacts and no members can be removed; the router forgets it (and the
// orderings it kept for it) and routes the other queues as before. Its id can be added again.
TEST_CASE("removing an unused queue forgets it and leaves the other queues routing") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("old")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("kept")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"old", "kept"})).ok());
  // Pools of "old" exist once a contact has used it.
  REQUIRE(h.router->Enqueue(MakeContact("first"), sb::QueueId("old")).ok());
  REQUIRE(h.router->Abandon(sb::ContactId("first")).ok());
  sb::Agent ana = MakeAgent("ana", {"kept"});
  REQUIRE(h.router->UpdateAgent(ana).ok());
  REQUIRE(h.router->RemoveQueue(sb::QueueId("old")).ok());
  h.CheckInvariants();
  CHECK(h.router->GetQueue(sb::QueueId("old")).status().code() == absl::StatusCode::kNotFound);
  CHECK(h.router->Enqueue(MakeContact("lost"), sb::QueueId("old")).code() ==
        absl::StatusCode::kNotFound);
  REQUIRE(h.router->Enqueue(MakeContact("second"), sb::QueueId("kept")).ok());
  CHECK(h.OfferedTo("second") == "ana");
  REQUIRE(h.router->AddQueue(MakeQueue("old")).ok());
  CHECK(h.router->GetQueue(sb::QueueId("old")).ok());
  h.CheckInvariants();
}

// A removed agent's internal slot is reused by the next agent added; the orderings must not
// mistake the entries the removed agent left for the new one.
TEST_CASE("an agent added after a removal is routed as itself") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("bob", {"q"})).ok());
  // ana is in the orderings of "q" (built by a first contact), then removed.
  REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c1") == "ana");
  REQUIRE(h.router->Abandon(sb::ContactId("c1")).ok());
  REQUIRE(h.router->RemoveAgent(sb::AgentId("ana")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("cy", {"other"})).ok());  // takes ana's slot
  h.CheckInvariants();
  REQUIRE(h.router->Enqueue(MakeContact("c2"), sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("c2") == "bob");  // not cy, who does not serve "q"
  REQUIRE(h.router->Enqueue(MakeContact("c3"), sb::QueueId("other")).ok());
  CHECK(h.OfferedTo("c3") == "cy");
  REQUIRE(h.router->Enqueue(MakeContact("c4"), sb::QueueId("q")).ok());
  CHECK(h.StateOf("c4") == ContactState::kWaiting);  // bob and cy are busy; nobody else serves q
  h.CheckInvariants();
}

// A contact reserved for its preferred agent, whose membership delay has not passed yet, is
// offered to that agent once it has, without a host call.
TEST_CASE("a contact reserved for an agent in its membership delay is offered when it ends") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent late = MakeAgent("late", {"q"});
  late.queues[0].delay = absl::Seconds(10);
  REQUIRE(h.router->AddAgent(late).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("other", {"q"}, AgentState::kAway)).ok());
  sb::Contact c = MakeContact("vip", Channel::kVoice, h.clock.Now());
  c.preferred_agent = sb::AgentId("late");
  c.preferred_agent_wait = absl::Seconds(60);
  REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
  CHECK(h.StateOf("vip") == ContactState::kWaiting);
  h.Advance(absl::Seconds(9));
  CHECK(h.StateOf("vip") == ContactState::kWaiting);
  h.Advance(absl::Seconds(1));
  CHECK(h.OfferedTo("vip") == "late");
  h.CheckInvariants();
}

// Membership delays are timers: the next call applies one that has passed, whatever the call
// (here, adding a queue), before its own effects, as a Tick would have at the delay's end.
TEST_CASE("a delay that passed since the last Tick is applied by the next call") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent late = MakeAgent("late", {"q"});
  late.queues[0].delay = absl::Seconds(10);
  REQUIRE(h.router->AddAgent(late).ok());
  REQUIRE(
      h.router->Enqueue(MakeContact("c1", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.clock.Advance(absl::Seconds(20));
  REQUIRE(h.router->AddQueue(MakeQueue("other")).ok());
  CHECK(h.OfferedTo("c1") == "late");
  CHECK(h.router->CurrentOffer(sb::ContactId("c1")).value()->offered_at ==
        h.clock.Now() - absl::Seconds(10));  // at the delay's end, not at the call
  h.CheckInvariants();
}

// At the infinite future an offer cannot expire later than it was made. With re-offers to
// more agents than a contact's exclusions hold and the no-answer rule off, a Tick used to
// re-offer forever; each Tick now ends the offers that were live when it began.
TEST_CASE("Tick returns at the infinite future, one round of offers at a time") {
  sb::RouterOptions options;
  options.max_missed_offers = 0;
  Harness h(options);
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  for (int i = 0; i < 20; ++i) {
    REQUIRE(h.router->AddAgent(MakeAgent("a" + std::to_string(i), {"q"})).ok());
  }
  REQUIRE(h.router->Enqueue(MakeContact("c"), sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("c") == "a0");
  h.clock.Set(absl::InfiniteFuture());
  for (int round = 1; round <= 3; ++round) {
    const std::size_t events_before = h.recorder.events.size();
    REQUIRE(h.router->Tick().ok());
    CHECK(h.OfferedTo("c") == "a" + std::to_string(round));  // a0's offer expired, a1's...
    CHECK(h.recorder.events.size() - events_before < 10);
    h.CheckInvariants();
  }
}

// ---- contacts that become routable at one moment go in contact order ---------------------------
// Timers due at one instant run first; the contacts they free are then routed together, and the
// agent that would take one chooses by its own contact order. Before, the timer set first won.

TEST_CASE("contacts whose membership delay passes at one instant go in contact order") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const bool lifo = GENERATE(false, true);
  Harness h(sbt::OptionsFor(mode));
  AddQueueQ(h, lifo);
  sb::Agent bob = MakeAgent("bob", {});
  bob.queues.push_back({sb::QueueId("q"), 1, absl::Seconds(10)});  // overflow agent
  REQUIRE(h.router->AddAgent(bob).ok());
  // Both queued now (the delay counts from then); the older arrived a second earlier.
  const sb::Contact older = MakeContact("older", Channel::kVoice, h.clock.Now() - absl::Seconds(1));
  REQUIRE(h.router->Enqueue(older, sb::QueueId("q")).ok());
  REQUIRE(h.router->Enqueue(MakeContact("newer", Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
              .ok());
  sb::Contact high = MakeContact("high", Channel::kVoice, h.clock.Now());
  high.priority = 5;
  REQUIRE(h.router->Enqueue(high, sb::QueueId("q")).ok());
  REQUIRE(h.router->WaitingContacts(sb::QueueId("q"))->front() == sb::ContactId("high"));
  h.Advance(absl::Seconds(10));  // all three have waited bob's delay
  CHECK(h.OfferedTo("high") == "bob");
  h.CheckInvariants();
  REQUIRE(h.router->Abandon(sb::ContactId("high")).ok());
  // Next in the queue's own order: the older under FIFO, the newer under LIFO.
  CHECK(h.OfferedTo(lifo ? "newer" : "older") == "bob");
  h.CheckInvariants();
}

TEST_CASE("contacts whose offers ring out at one instant go in contact order") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  sb::RouterOptions o = sbt::OptionsFor(mode);
  o.max_missed_offers = 0;
  Harness h(o);
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent x = MakeAgent("x", {"q"});
  x.skills = {{"a", 5}};
  sb::Agent y = MakeAgent("y", {"q"});
  y.skills = {{"b", 5}};
  sb::Agent z = MakeAgent("z", {"q"}, AgentState::kAway);
  z.skills = {{"a", 5}, {"b", 5}};
  REQUIRE(h.router->AddAgent(x).ok());
  REQUIRE(h.router->AddAgent(y).ok());
  REQUIRE(h.router->AddAgent(z).ok());
  sb::Contact low = MakeContact("low", Channel::kVoice, h.clock.Now());
  low.required_skills = {{"a", 1, true}};
  sb::Contact high = MakeContact("high", Channel::kVoice, h.clock.Now());
  high.required_skills = {{"b", 1, true}};
  high.priority = 5;
  REQUIRE(h.router->Enqueue(low, sb::QueueId("q")).ok());   // offered to x
  REQUIRE(h.router->Enqueue(high, sb::QueueId("q")).ok());  // offered to y
  REQUIRE(h.router->SetAgentState(sb::AgentId("z"), AgentState::kAvailable).ok());
  h.Advance(absl::Seconds(15));  // both offers expire together; only z may take either now
  CHECK(h.OfferedTo("high") == "z");
  CHECK(h.StateOf("low") == ContactState::kWaiting);
  h.CheckInvariants();
}

TEST_CASE("reservations that run out at one instant go in contact order") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {"q"}, AgentState::kAway)).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("fay", {"q"})).ok());
  sb::Contact low = MakeContact("low", Channel::kVoice, h.clock.Now());
  low.preferred_agent = sb::AgentId("eve");
  low.preferred_agent_wait = absl::Seconds(30);
  sb::Contact high = low;
  high.id = sb::ContactId("high");
  high.priority = 5;
  REQUIRE(h.router->Enqueue(low, sb::QueueId("q")).ok());
  REQUIRE(h.router->Enqueue(high, sb::QueueId("q")).ok());
  h.Advance(absl::Seconds(30));
  CHECK(h.OfferedTo("high") == "fay");
  CHECK(h.StateOf("low") == ContactState::kWaiting);
  h.CheckInvariants();
}

TEST_CASE("reservations ended by removing or updating their agent go in contact order") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const bool remove = GENERATE(true, false);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  REQUIRE(h.router->AddQueue(MakeQueue("r")).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("eve", {"q", "r"}, AgentState::kAway)).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("fay", {"q"})).ok());
  sb::Contact low = MakeContact("low", Channel::kVoice, h.clock.Now());
  low.preferred_agent = sb::AgentId("eve");
  low.preferred_agent_wait = absl::Seconds(60);
  REQUIRE(h.router->Enqueue(low, sb::QueueId("q")).ok());
  h.clock.Advance(absl::Seconds(1));
  sb::Contact high = low;
  high.id = sb::ContactId("high");
  high.priority = 5;
  high.arrived_at = h.clock.Now();
  REQUIRE(h.router->Enqueue(high, sb::QueueId("q")).ok());
  if (remove) {
    REQUIRE(h.router->RemoveAgent(sb::AgentId("eve")).ok());
  } else {
    REQUIRE(h.router->UpdateAgent(MakeAgent("eve", {"r"}, AgentState::kAway)).ok());  // off q
  }
  CHECK(h.OfferedTo("high") == "fay");
  CHECK(h.StateOf("low") == ContactState::kWaiting);
  h.CheckInvariants();
}

// A preferred agent without any capacity for the contact's channel can never take it: the wait
// is ignored, as for an agent that does not serve the queue (before, the call waited it out).
TEST_CASE("a preferred agent with no capacity for the channel reserves nothing") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
  sb::Agent chat_only = MakeAgent("chat-only", {"q"}, AgentState::kAway);
  chat_only.capacities = {{Channel::kChat, 3, 1}};
  REQUIRE(h.router->AddAgent(chat_only).ok());
  REQUIRE(h.router->AddAgent(MakeAgent("fay", {"q"})).ok());
  sb::Contact call = MakeContact("call", Channel::kVoice, h.clock.Now());
  call.preferred_agent = sb::AgentId("chat-only");
  call.preferred_agent_wait = absl::Seconds(120);
  REQUIRE(h.router->Enqueue(call, sb::QueueId("q")).ok());
  CHECK(h.OfferedTo("call") == "fay");
  h.CheckInvariants();
}

// An agent freed at the instant another contact's offer rings out chooses after that contact
// is back: w's wrap-up timer was set first, and used to hand it the low contact.
TEST_CASE("an agent freed at one instant with a returning contact chooses among both") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Harness h(sbt::OptionsFor(mode));
  sb::Queue q = MakeQueue("q");
  q.wrap_up = absl::Seconds(15);  // = offer_timeout
  REQUIRE(h.router->AddQueue(q).ok());
  sb::Agent w = MakeAgent("w", {"q"});
  w.skills = {{"a", 5}, {"b", 5}};
  sb::Agent x = MakeAgent("x", {"q"}, AgentState::kAway);
  x.skills = {{"a", 5}};
  REQUIRE(h.router->AddAgent(w).ok());
  REQUIRE(h.router->AddAgent(x).ok());
  REQUIRE(
      h.router->Enqueue(MakeContact("c0", Channel::kVoice, h.clock.Now()), sb::QueueId("q")).ok());
  h.AcceptOffer("c0");
  REQUIRE(h.router->Complete(sb::ContactId("c0"), "").ok());  // w wraps up until +15 s
  sb::Contact low = MakeContact("low", Channel::kVoice, h.clock.Now());
  low.required_skills = {{"b", 1, true}};  // only w
  REQUIRE(h.router->Enqueue(low, sb::QueueId("q")).ok());
  REQUIRE(h.router->SetAgentState(sb::AgentId("x"), AgentState::kAvailable).ok());
  sb::Contact high = MakeContact("high", Channel::kVoice, h.clock.Now());
  high.required_skills = {{"a", 1, true}};
  high.priority = 5;
  REQUIRE(h.router->Enqueue(high, sb::QueueId("q")).ok());
  REQUIRE(h.OfferedTo("high") == "x");  // rings out at +15 s, when w's wrap-up ends
  h.Advance(absl::Seconds(15));
  CHECK(h.OfferedTo("high") == "w");
  CHECK(h.StateOf("low") == ContactState::kWaiting);
  h.CheckInvariants();
}

// Timers of offers answered long before their expiry do nothing when they come up; behind a
// timer that still matters (an offer left ringing for a day) they used to stay in the heap until
// their own time, so memory grew with the offer rate times the timeout. They are swept out.
TEST_CASE("the timers of answered offers do not pile up behind one that still matters") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    sb::Queue inbox = MakeQueue("inbox", {Channel::kEmail});
    inbox.offer_timeout = absl::Hours(24);
    REQUIRE(h.router->AddQueue(inbox).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("idle", {"inbox"})).ok());
    REQUIRE(h.router->Enqueue(MakeContact("left-ringing", Channel::kEmail), inbox.id).ok());
    REQUIRE(h.OfferedTo("left-ringing") == "idle");
    REQUIRE(h.router->AddAgent(MakeAgent("quick", {"inbox"})).ok());
    const auto timers = [&h] {
      const std::string dump = h.router->DebugString();
      const std::size_t at = dump.find("timers=") + 7;
      return std::stoul(dump.substr(at, dump.find('\n') - at));
    };
    std::size_t most = 0;
    for (int i = 0; i < 10'000; ++i) {
      const std::string id = "mail-" + std::to_string(i);
      REQUIRE(h.router->Enqueue(MakeContact(id, Channel::kEmail, h.clock.Now()), inbox.id).ok());
      REQUIRE(h.OfferedTo(id) == "quick");
      h.AcceptOffer(id);
      REQUIRE(h.router->Complete(sb::ContactId(id), "sent").ok());
      h.clock.Advance(absl::Seconds(1));
      most = std::max(most, timers());
    }
    CHECK(most <= 2048);  // 10,000 answered offers; a few live timers at any time
    CHECK(h.OfferedTo("left-ringing") == "idle");
    h.Advance(absl::Hours(24));                     // the one that mattered still runs
    CHECK(h.OfferedTo("left-ringing") == "quick");  // rang out at idle, then offered on
    h.CheckInvariants();
  }
}

// The sweep of moot timers keeps the delay check of a contact still in the router: it comes back
// to life when the contact waits again. Its twin, set then, runs at the same instant, except at
// the infinite future, where a Tick runs only the timers set before it; there the contact must
// still reach the delayed agent, whether or not a sweep ran in between.
TEST_CASE("a sweep of moot timers keeps a delay check that can come back to life") {
  const auto run = [](int answered_offers) {
    Harness h;
    sb::Queue q = MakeQueue("q", {Channel::kVoice});
    q.offer_timeout = absl::Seconds(10);
    REQUIRE(h.router->AddQueue(q).ok());
    REQUIRE(h.router->AddQueue(MakeQueue("q2", {Channel::kChat})).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("x", {"q"}, AgentState::kAway)).ok());
    sb::Agent late = MakeAgent("late", {"q"});
    late.queues[0].delay = absl::Seconds(60);
    REQUIRE(h.router->AddAgent(late).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("y", {"q2"})).ok());
    REQUIRE(h.router->Enqueue(MakeContact("c", Channel::kVoice, h.clock.Now()), q.id).ok());
    h.clock.Advance(absl::Seconds(1));
    REQUIRE(h.router->SetAgentState(sb::AgentId("x"), AgentState::kAvailable).ok());
    REQUIRE(h.OfferedTo("c") == "x");  // its delay check is moot while offered
    for (int i = 0; i < answered_offers; ++i) {
      const std::string id = "f" + std::to_string(i);
      REQUIRE(h.router->Enqueue(MakeContact(id, Channel::kChat, h.clock.Now()), sb::QueueId("q2"))
                  .ok());
      h.AcceptOffer(id);
      REQUIRE(h.router->Complete(sb::ContactId(id), "ok").ok());
    }
    h.clock.Set(absl::InfiniteFuture());
    REQUIRE(h.router->Tick().ok());  // x's offer rings out, c waits again, late's delay passes
    h.CheckInvariants();
    return h.OfferedTo("c");
  };
  CHECK(run(100) == "late");   // the heap stays under the sweep size
  CHECK(run(1100) == "late");  // swept while the check was moot
}
