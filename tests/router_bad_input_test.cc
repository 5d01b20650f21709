// Every bad call of the issue returns the right canonical code, names the offending id or field,
// emits no event and leaves the router exactly as it was (its full state dump is unchanged).
#include <algorithm>
#include <string>
#include <utility>

#include "switchboard/limits.h"
#include "switchboard/wire/core_convert.h"
#include "tests/proto_garbage.h"
#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::Channel;
using Catch::Matchers::Contains;
using sbt::Harness;
using sbt::MakeAgent;
using sbt::MakeContact;
using sbt::MakeQueue;

namespace {

// A router with some of everything: queues "voice" (voice only, max 2 waiting) and "mixed",
// agents ana (in progress with "talking"), bob (offered "ringing"), cy (away), and a waiting
// contact "waiting".
struct Populated : Harness {
  explicit Populated(sb::SelectionMode mode) : Harness(Options(mode)) {
    sb::Queue voice = MakeQueue("voice", {Channel::kVoice});
    voice.max_waiting = 2;
    REQUIRE(router->AddQueue(voice).ok());
    REQUIRE(router->AddQueue(MakeQueue("mixed")).ok());
    REQUIRE(router->AddAgent(MakeAgent("ana", {"voice", "mixed"})).ok());
    REQUIRE(router->Enqueue(MakeContact("talking"), sb::QueueId("voice")).ok());
    AcceptOffer("talking");
    REQUIRE(router->AddAgent(MakeAgent("bob", {"voice"})).ok());
    REQUIRE(router->Enqueue(MakeContact("ringing"), sb::QueueId("voice")).ok());
    REQUIRE(OfferedTo("ringing") == "bob");
    REQUIRE(router->AddAgent(MakeAgent("cy", {"mixed"}, AgentState::kAway)).ok());
    REQUIRE(router->Enqueue(MakeContact("waiting"), sb::QueueId("voice")).ok());
    REQUIRE(StateOf("waiting") == sb::ContactState::kWaiting);
    CheckInvariants();
  }
  static sb::RouterOptions Options(sb::SelectionMode mode) {
    sb::RouterOptions o = sbt::OptionsFor(mode);
    o.tenant = sb::TenantId("acme");
    return o;
  }
  // Runs a call that must fail with `code` and a message containing `text`, and checks that
  // nothing changed.
  void ExpectRejected(const absl::Status& status_of_call_already_made, absl::StatusCode code,
                      const std::string& text) {
    INFO(status_of_call_already_made);
    CHECK(status_of_call_already_made.code() == code);
    CHECK_THAT(std::string(status_of_call_already_made.message()), Contains(text));
    CHECK(router->DebugString() == before_);
    CHECK(recorder.events.size() == events_before_);
    CheckInvariants();
  }
  void Snapshot() {
    before_ = router->DebugString();
    events_before_ = recorder.events.size();
  }

  std::string before_;
  std::size_t events_before_ = 0;
};

}  // namespace

TEST_CASE("bad queue calls") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  sb::Queue q = MakeQueue("new");
  q.channels.clear();
  h.ExpectRejected(h.router->AddQueue(q), absl::StatusCode::kInvalidArgument, "channels");
  h.ExpectRejected(h.router->AddQueue(MakeQueue("voice")), absl::StatusCode::kAlreadyExists,
                   "voice");
  h.ExpectRejected(h.router->AddQueue(MakeQueue("new"), "ringall"),
                   absl::StatusCode::kInvalidArgument, "ringall");
  sb::Queue other_tenant = MakeQueue("new");
  other_tenant.tenant = sb::TenantId("globex");
  h.ExpectRejected(h.router->AddQueue(other_tenant), absl::StatusCode::kInvalidArgument, "globex");
  h.ExpectRejected(h.router->UpdateQueue(MakeQueue("nope")), absl::StatusCode::kNotFound, "nope");
  sb::Queue chat_only = MakeQueue("voice", {Channel::kChat});
  h.ExpectRejected(h.router->UpdateQueue(chat_only), absl::StatusCode::kFailedPrecondition,
                   "voice");
  h.ExpectRejected(h.router->UpdateQueue(MakeQueue("voice"), "nope"),
                   absl::StatusCode::kInvalidArgument, "nope");
  h.ExpectRejected(h.router->RemoveQueue(sb::QueueId("voice")),
                   absl::StatusCode::kFailedPrecondition, "contact");
  h.ExpectRejected(h.router->RemoveQueue(sb::QueueId("mixed")),
                   absl::StatusCode::kFailedPrecondition, "agent 'ana'");
  h.ExpectRejected(h.router->RemoveQueue(sb::QueueId("nope")), absl::StatusCode::kNotFound,
                   "nope");
}

// With many contacts in the way, the refusal names the earliest, whatever the hash order.
TEST_CASE("a refused channel change names the queue's earliest contact") {
  Harness h;
  REQUIRE(h.router->AddQueue(MakeQueue("voice")).ok());
  for (int i = 0; i < 50; ++i) {
    const std::string id = i == 0 ? "earliest" : "c" + std::to_string(i);
    REQUIRE(h.router->Enqueue(MakeContact(id), sb::QueueId("voice")).ok());
  }
  const absl::Status s = h.router->UpdateQueue(MakeQueue("voice", {Channel::kChat}));
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(s.message()), Catch::Contains("contact 'earliest'"));
}

TEST_CASE("bad agent calls") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  sb::Agent skilled = MakeAgent("dee", {"voice"});
  skilled.skills = {{"billing", 11}};
  h.ExpectRejected(h.router->AddAgent(skilled), absl::StatusCode::kInvalidArgument, "proficiency");
  sb::Agent wide = MakeAgent("dee", {"voice"});
  wide.capacities = {{Channel::kChat, 101, 1}};
  h.ExpectRejected(h.router->AddAgent(wide), absl::StatusCode::kInvalidArgument, "max_concurrent");
  sb::Agent costly = MakeAgent("dee", {"voice"});
  costly.capacities = {{Channel::kChat, 3, 500}};
  h.ExpectRejected(h.router->AddAgent(costly), absl::StatusCode::kInvalidArgument, "cost_units");
  h.ExpectRejected(h.router->AddAgent(MakeAgent("dee", {"nowhere"})), absl::StatusCode::kNotFound,
                   "nowhere");
  h.ExpectRejected(h.router->AddAgent(MakeAgent("ana", {"voice"})),
                   absl::StatusCode::kAlreadyExists, "ana");
  h.ExpectRejected(h.router->AddAgent(MakeAgent("dee", {"voice"}, AgentState::kBusy)),
                   absl::StatusCode::kInvalidArgument, "busy");
  sb::Agent foreign = MakeAgent("dee", {"voice"});
  foreign.tenant = sb::TenantId("globex");
  h.ExpectRejected(h.router->AddAgent(foreign), absl::StatusCode::kInvalidArgument, "globex");
  h.ExpectRejected(h.router->UpdateAgent(MakeAgent("zed", {"voice"})),
                   absl::StatusCode::kNotFound, "zed");
  sb::Agent no_voice = MakeAgent("ana", {"voice", "mixed"});
  no_voice.capacities = {sb::DefaultCapacity(Channel::kChat)};  // ana holds a call
  h.ExpectRejected(h.router->UpdateAgent(no_voice), absl::StatusCode::kFailedPrecondition, "voice");
  sb::Agent small = MakeAgent("ana", {"voice", "mixed"});
  small.capacity_units = 50;
  small.capacities = {{Channel::kVoice, 1, 50}};
  CHECK(h.router->UpdateAgent(small).ok());  // 50 of 50 units: allowed
  h.Snapshot();
  small.capacities = {{Channel::kVoice, 1, 50}, {Channel::kChat, 2, 60}};
  h.ExpectRejected(h.router->UpdateAgent(small), absl::StatusCode::kInvalidArgument, "cost_units");
  h.ExpectRejected(h.router->RemoveAgent(sb::AgentId("ana")),
                   absl::StatusCode::kFailedPrecondition, "holds");
  h.ExpectRejected(h.router->RemoveAgent(sb::AgentId("bob")),
                   absl::StatusCode::kFailedPrecondition, "holds");  // a live offer
  h.ExpectRejected(h.router->RemoveAgent(sb::AgentId("zed")), absl::StatusCode::kNotFound, "zed");
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kBusy),
                   absl::StatusCode::kInvalidArgument, "busy");
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kWrapUp),
                   absl::StatusCode::kInvalidArgument, "wrap_up");
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("zed"), AgentState::kAvailable),
                   absl::StatusCode::kNotFound, "zed");
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kAway,
                                           std::string(sb::kMaxNameLength + 1, 'x')),
                   absl::StatusCode::kInvalidArgument, "reason");
}

TEST_CASE("bad enqueue calls") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  sb::Contact c = MakeContact("new");
  c.priority = -1;
  h.ExpectRejected(h.router->Enqueue(c, sb::QueueId("voice")), absl::StatusCode::kInvalidArgument,
                   "priority");
  c = MakeContact("new");
  c.required_skills = {{"billing", 0, true}};
  h.ExpectRejected(h.router->Enqueue(c, sb::QueueId("voice")), absl::StatusCode::kInvalidArgument,
                   "min_proficiency");
  h.ExpectRejected(h.router->Enqueue(MakeContact("new"), sb::QueueId("nope")),
                   absl::StatusCode::kNotFound, "nope");
  h.ExpectRejected(h.router->Enqueue(MakeContact("talking"), sb::QueueId("mixed")),
                   absl::StatusCode::kAlreadyExists, "talking");
  h.ExpectRejected(h.router->Enqueue(MakeContact("new", Channel::kChat), sb::QueueId("voice")),
                   absl::StatusCode::kInvalidArgument, "does not serve");
  c = MakeContact("new");
  c.tenant = sb::TenantId("globex");
  h.ExpectRejected(h.router->Enqueue(c, sb::QueueId("voice")), absl::StatusCode::kInvalidArgument,
                   "globex");
  // "voice" holds "ringing" (offered) and "waiting": 2 of max_waiting 2.
  h.ExpectRejected(h.router->Enqueue(MakeContact("new"), sb::QueueId("voice")),
                   absl::StatusCode::kResourceExhausted, "full");
}

TEST_CASE("bad offer answers: unknown, expired, foreign, already answered") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  const sb::Offer ringing = *h.router->CurrentOffer(sb::ContactId("ringing")).value();
  const sb::OfferId talking_offer{1};  // the first offer, accepted in setup
  h.Snapshot();
  h.ExpectRejected(h.router->Accept(sb::OfferId{999}), absl::StatusCode::kNotFound, "999");
  h.ExpectRejected(h.router->Accept(sb::OfferId{0}), absl::StatusCode::kNotFound, "never made");
  h.ExpectRejected(h.router->Accept(talking_offer), absl::StatusCode::kFailedPrecondition,
                   "no longer live");
  h.ExpectRejected(h.router->Decline(talking_offer), absl::StatusCode::kFailedPrecondition,
                   "no longer live");
  h.ExpectRejected(h.router->Accept(sb::ContactId("ringing"), sb::AgentId("ana")),
                   absl::StatusCode::kFailedPrecondition, "made to agent 'bob'");
  h.ExpectRejected(h.router->Decline(sb::ContactId("ringing"), sb::AgentId("ana")),
                   absl::StatusCode::kFailedPrecondition, "made to agent 'bob'");
  h.ExpectRejected(h.router->Accept(sb::ContactId("waiting"), sb::AgentId("bob")),
                   absl::StatusCode::kFailedPrecondition, "no live offer");
  h.ExpectRejected(h.router->Accept(sb::ContactId("ghost"), sb::AgentId("bob")),
                   absl::StatusCode::kNotFound, "ghost");
  h.ExpectRejected(h.router->Accept(sb::ContactId("ringing"), sb::AgentId("zed")),
                   absl::StatusCode::kNotFound, "zed");
  // Expired by the clock, before any Tick: the call runs the expiry, which was due, before its
  // own work, and that part stands although the answer is refused.
  h.clock.Advance(absl::Seconds(15));
  const absl::Status late = h.router->Accept(ringing.id);
  CHECK(late.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(late.message()), Contains("no longer live"));
  REQUIRE(h.recorder.events.size() > h.events_before_);
  CHECK(h.recorder.events[h.events_before_].type == sb::RoutingEventType::kExpired);
  CHECK(h.recorder.events[h.events_before_].contact == sb::ContactId("ringing"));
  const std::string after_expiry = h.router->DebugString();
  REQUIRE(h.router->Tick().ok());
  CHECK(h.router->DebugString() == after_expiry);  // nothing was left for Tick
  h.Snapshot();
  h.ExpectRejected(h.router->Accept(ringing.id), absl::StatusCode::kFailedPrecondition,
                   "no longer live");
  h.ExpectRejected(h.router->Decline(ringing.id), absl::StatusCode::kFailedPrecondition,
                   "no longer live");
  h.ExpectRejected(h.router->Accept(sb::ContactId("ringing"), sb::AgentId("bob")),
                   absl::StatusCode::kFailedPrecondition, "ringing");
}

TEST_CASE("bad contact calls: complete, abandon, rescind, transfer in the wrong state") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  h.ExpectRejected(h.router->Complete(sb::ContactId("waiting"), "x"),
                   absl::StatusCode::kFailedPrecondition, "not in progress");
  h.ExpectRejected(h.router->Complete(sb::ContactId("ringing"), "x"),
                   absl::StatusCode::kFailedPrecondition, "offered");
  h.ExpectRejected(h.router->Complete(sb::ContactId("ghost"), "x"), absl::StatusCode::kNotFound,
                   "ghost");
  h.ExpectRejected(h.router->Complete(sb::ContactId("talking"),
                                      std::string(sb::kMaxNameLength + 1, 'x')),
                   absl::StatusCode::kInvalidArgument, "disposition");
  h.ExpectRejected(h.router->Abandon(sb::ContactId("talking")),
                   absl::StatusCode::kFailedPrecondition, "in_progress");
  h.ExpectRejected(h.router->Abandon(sb::ContactId("ghost")), absl::StatusCode::kNotFound, "ghost");
  h.ExpectRejected(h.router->Rescind(sb::ContactId("waiting")),
                   absl::StatusCode::kFailedPrecondition, "no live offer");
  h.ExpectRejected(h.router->Rescind(sb::ContactId("talking")),
                   absl::StatusCode::kFailedPrecondition, "no live offer");
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("waiting"), sb::QueueId("voice"), ""),
                   absl::StatusCode::kFailedPrecondition, "already in queue");
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("waiting"), sb::QueueId("nope"), ""),
                   absl::StatusCode::kNotFound, "nope");
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("ghost"), sb::QueueId("mixed"), ""),
                   absl::StatusCode::kNotFound, "ghost");
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("waiting"), sb::QueueId("mixed"),
                                             std::string(sb::kMaxTextLength + 1, 'x')),
                   absl::StatusCode::kInvalidArgument, "note");
  h.ExpectRejected(h.router->TransferToAgent(sb::ContactId("waiting"), sb::AgentId("cy"), ""),
                   absl::StatusCode::kFailedPrecondition, "cannot take");  // cy is away
  h.ExpectRejected(h.router->TransferToAgent(sb::ContactId("waiting"), sb::AgentId("ana"), ""),
                   absl::StatusCode::kFailedPrecondition, "capacity");  // ana is on a call
  h.ExpectRejected(h.router->TransferToAgent(sb::ContactId("talking"), sb::AgentId("ana"), ""),
                   absl::StatusCode::kFailedPrecondition, "already with");
  h.ExpectRejected(h.router->TransferToAgent(sb::ContactId("waiting"), sb::AgentId("zed"), ""),
                   absl::StatusCode::kNotFound, "zed");
}

TEST_CASE("a full target queue rejects a transfer with ResourceExhausted") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  REQUIRE(h.router->AddQueue(MakeQueue("overflow")).ok());
  h.Snapshot();
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("talking"), sb::QueueId("voice"), ""),
                   absl::StatusCode::kFailedPrecondition, "already in queue");
  REQUIRE(h.router->TransferToQueue(sb::ContactId("talking"), sb::QueueId("mixed"), "").ok());
  h.Snapshot();
  // "mixed" serves voice; back to the full "voice" queue is refused.
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("talking"), sb::QueueId("voice"), ""),
                   absl::StatusCode::kResourceExhausted, "full");
}

TEST_CASE("bad options are refused by Create") {
  sb::ManualClock clock;
  CHECK(sb::Router::Create({}, nullptr, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
  sb::RouterOptions o;
  o.max_missed_offers = -1;
  CHECK(sb::Router::Create(o, &clock, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
  o = {};
  o.strategy = "ringall";
  auto made = sb::Router::Create(o, &clock, nullptr);
  CHECK(made.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(made.status().message()), Contains("ringall"));
  o = {};
  o.tenant = sb::TenantId("has space");
  CHECK(sb::Router::Create(o, &clock, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(sb::Router::Create({}, &clock, nullptr).ok());  // a null listener is allowed
  o = {};
  o.selection = static_cast<sb::SelectionMode>(7);
  CHECK_THAT(std::string(sb::Router::Create(o, &clock, nullptr).status().message()),
             Contains("options.selection is not a known mode"));
  o = {};
  o.index_selectivity = 0;
  CHECK_THAT(std::string(sb::Router::Create(o, &clock, nullptr).status().message()),
             Contains("options.index_selectivity (0) or index_max_walk"));
  o = {};
  o.index_max_walk = -1;
  CHECK_THAT(std::string(sb::Router::Create(o, &clock, nullptr).status().message()),
             Contains("index_max_walk (-1) is out of range"));
  o = {};
  o.index_retire_after = 1000001;
  CHECK_THAT(std::string(sb::Router::Create(o, &clock, nullptr).status().message()),
             Contains("options.index_retire_after (1000001) is outside 0..1000000"));
  o.index_retire_after = 1000000;
  CHECK(sb::Router::Create(o, &clock, nullptr).ok());
}

// An update must fit what the agent already holds: its capacity units, and blending while it
// holds a call beside a chat.
TEST_CASE("an agent update that the contacts it holds would not fit is refused") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  sb::Agent blended = MakeAgent("eve", {"mixed"});
  blended.allow_blending = true;
  blended.capacity_units = 100;
  blended.capacities = {{Channel::kVoice, 1, 40}, {Channel::kChat, 3, 30}};
  REQUIRE(h.router->AddAgent(blended).ok());
  REQUIRE(h.router->Enqueue(MakeContact("call", Channel::kVoice), sb::QueueId("mixed")).ok());
  REQUIRE(h.OfferedTo("call") == "eve");
  h.AcceptOffer("call");
  REQUIRE(h.router->Enqueue(MakeContact("chat", Channel::kChat), sb::QueueId("mixed")).ok());
  REQUIRE(h.OfferedTo("chat") == "eve");
  h.AcceptOffer("chat");  // eve holds 40 + 30 = 70 units
  h.Snapshot();

  sb::Agent fewer_units = blended;
  fewer_units.capacity_units = 60;
  h.ExpectRejected(h.router->UpdateAgent(fewer_units), absl::StatusCode::kFailedPrecondition,
                   "agent 'eve' uses 70 capacity units, more than the new capacity_units 60");
  sb::Agent unblended = blended;
  unblended.allow_blending = false;
  h.ExpectRejected(h.router->UpdateAgent(unblended), absl::StatusCode::kFailedPrecondition,
                   "allow_blending cannot be turned off now");
  fewer_units.capacity_units = 70;  // exactly what it holds: allowed
  CHECK(h.router->UpdateAgent(fewer_units).ok());
  h.CheckInvariants();
}

// The router keeps nanoseconds since the epoch in 64 bits. A clock outside that range was taken:
// at the infinite past Create searched for the first midnight forever, and after 2262 every time
// saturated (one busy interval of 10 s came out as 7,700 years). Such a clock is refused, with
// the range in the message; the ends of the range themselves work. The range began in 1677,
// where a contact stamped with the clock's time was refused (contacts' times start at the Unix
// epoch); it now begins at the epoch.
TEST_CASE("a clock outside the router's time range is refused; its ends work") {
  const absl::Time outside[] = {absl::InfinitePast(), sb::kEarliestRouterTime - absl::Nanoseconds(1),
                                sb::kLatestRouterTime + absl::Nanoseconds(1),
                                absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                                                absl::UTCTimeZone()),
                                absl::InfiniteFuture()};
  for (absl::Time t : outside) {
    INFO(absl::FormatTime(t));
    sb::ManualClock clock(t);
    auto made = sb::Router::Create({}, &clock, nullptr);
    CHECK(made.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(made.status().message()), Contains("outside"));
  }
  // The range in UTC whatever the host's zone (ctest runs this case again with TZ set).
  sb::ManualClock before(sb::kEarliestRouterTime - absl::Nanoseconds(1));
  CHECK_THAT(std::string(sb::Router::Create({}, &before, nullptr).status().message()),
             Contains("reads 1969-12-31T23:59:59.999999999+00:00, outside "
                      "1970-01-01T00:00:00+00:00 .. 2262-04-11T23:47:16.854775807+00:00"));
  sb::ManualClock first(sb::kEarliestRouterTime);
  auto early = sb::Router::Create({}, &first, nullptr);
  REQUIRE(early.ok());
  CHECK((*early)->NextDeadline() ==
        absl::FromCivil(absl::CivilDay(1970, 1, 2), absl::UTCTimeZone()));
  REQUIRE((*early)->AddQueue(sbt::MakeQueue("q")).ok());
  REQUIRE((*early)->AddAgent(sbt::MakeAgent("ana", {"q"})).ok());
  CHECK((*early)
            ->Enqueue(sbt::MakeContact("c0", sb::Channel::kVoice, first.Now()), sb::QueueId("q"))
            .ok());
  // A contact handled in the last minute of the range is accounted exactly.
  sb::ManualClock last(sb::kLatestRouterTime - absl::Minutes(1));
  sbt::Recorder recorder;
  auto late = sb::Router::Create({}, &last, &recorder);
  REQUIRE(late.ok());
  sb::Router& router = **late;
  REQUIRE(router.AddQueue(sbt::MakeQueue("q")).ok());
  REQUIRE(router.AddAgent(sbt::MakeAgent("ana", {"q"})).ok());
  REQUIRE(router.Enqueue(sbt::MakeContact("c1", sb::Channel::kVoice, last.Now()),
                         sb::QueueId("q"))
              .ok());
  REQUIRE(recorder.LastOffer().has_value());
  REQUIRE(router.Accept(recorder.LastOffer()->id).ok());
  last.Advance(absl::Seconds(10));
  REQUIRE(router.Complete(sb::ContactId("c1"), "ok").ok());
  CHECK(router.GetAgentStats(sb::AgentId("ana"))->busy_time == absl::Seconds(10));
}

TEST_CASE("messages quote hostile ids bounded and escaped") {
  // Lookups take ids straight from the caller, unvalidated: the message must not grow with the id
  // or carry its control bytes into whoever's log prints it.
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  const std::string huge(70000, 'z');
  const absl::Status long_id = h.router->SetAgentState(sb::AgentId(huge), AgentState::kAvailable);
  h.ExpectRejected(long_id, absl::StatusCode::kNotFound, "...(70000 bytes)");
  CHECK(long_id.message().size() < 300);
  const absl::Status escape = h.router->Abandon(sb::ContactId("x\x1b[2Jy\n"));
  h.ExpectRejected(escape, absl::StatusCode::kNotFound, "'x\\x1b[2Jy\\x0a'");
  const std::string message(escape.message());
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  // A valid id is quoted exactly as given.
  h.ExpectRejected(h.router->Abandon(sb::ContactId("nobody")), absl::StatusCode::kNotFound,
                   "'nobody'");
  sb::Contact bad = MakeContact("caf\xc3\xa9\xff");  // UTF-8 kept, the stray byte escaped
  h.ExpectRejected(h.router->Enqueue(bad, sb::QueueId("voice")),
                   absl::StatusCode::kInvalidArgument, "'caf\xc3\xa9\\xff'");
  // U+009B, a C1 control some terminals take as the start of a control sequence, is escaped too.
  h.ExpectRejected(h.router->Abandon(sb::ContactId("a\xc2\x9b" "2Jb")),
                   absl::StatusCode::kNotFound, "'a\\xc2\\x9b2Jb'");
}

namespace {

// A valid object damaged a few fields at a time on the wire, as a host decoding untrusted bytes
// would receive it: whatever FromProto lets through reaches the router.
template <typename T>
std::optional<T> Damaged(const T& valid, sb::testing::ProtoGarbage& garbage) {
  auto msg = sb::ToProto(valid);
  garbage.Damage(&msg);
  absl::StatusOr<T> read = sb::FromProto(msg);
  if (!read.ok()) return std::nullopt;
  return *std::move(read);
}

}  // namespace

TEST_CASE("hostile queues, agents and contacts are refused with nothing changed or taken whole") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  const std::uint64_t seed = 20261126;
  INFO("seed " << seed);
  Populated h(mode);
  sb::testing::ProtoGarbage garbage(seed);
  int refused = 0;
  int taken = 0;
  auto judge = [&](const absl::Status& s) {
    if (s.ok()) {
      ++taken;
      h.CheckInvariants();
      return;
    }
    ++refused;
    INFO(s);
    CHECK(s.message().size() < 1000);
    CHECK(h.router->DebugString() == h.before_);
    CHECK(h.recorder.events.size() == h.events_before_);
    h.CheckInvariants();
  };
  for (int round = 0; round < 600; ++round) {
    INFO("round " << round);
    h.Snapshot();
    switch (round % 4) {
      case 0:
        if (auto q = Damaged(MakeQueue("q" + std::to_string(round)), garbage)) {
          judge(h.router->AddQueue(*q));
        }
        break;
      case 1:
        if (auto a = Damaged(MakeAgent("a" + std::to_string(round), {"mixed"}), garbage)) {
          judge(round % 8 == 1 ? h.router->AddAgent(*a) : h.router->UpdateAgent(*a));
        }
        break;
      case 2: {
        sb::Contact valid = MakeContact("c" + std::to_string(round));
        valid.required_skills = {{"billing", 3, false}};
        if (auto c = Damaged(valid, garbage)) {
          judge(h.router->Enqueue(*c, sb::QueueId(round % 3 == 0 ? "voice" : "mixed")));
        }
        break;
      }
      default: {  // hostile text straight from C++ (no wire in between)
        const std::string text = garbage.HostileText();
        judge(h.router->SetAgentState(sb::AgentId(text), AgentState::kAway, text));
        break;
      }
    }
  }
  INFO("refused " << refused << ", taken " << taken);
  CHECK(refused > 100);
  CHECK(taken > 20);
}

// A rejected call must leave no trace, including in time: the router runs overdue timers no
// earlier than its last call (so that events never go back in time), and a call that changed
// nothing must not count as one, or a later Tick would date and decide differently.
TEST_CASE("a rejected call does not move the time overdue timers run at") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  auto run = [mode](bool with_rejected_calls) {
    Harness h(sbt::OptionsFor(mode));
    REQUIRE(h.router->AddQueue(MakeQueue("q")).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("ana", {"q"})).ok());
    REQUIRE(h.router->AddAgent(MakeAgent("bob", {"q"}, AgentState::kOffline)).ok());
    REQUIRE(h.router->Enqueue(MakeContact("c1"), sb::QueueId("q")).ok());  // expires at +15 s
    h.clock.Advance(absl::Seconds(20));
    if (with_rejected_calls) {
      CHECK(h.router->Accept(sb::ContactId("c1"), sb::AgentId("ana")).code() ==
            absl::StatusCode::kFailedPrecondition);  // expired
      CHECK(h.router->Complete(sb::ContactId("c1"), "x").code() ==
            absl::StatusCode::kFailedPrecondition);
    }
    REQUIRE(h.router->Tick().ok());
    REQUIRE(h.router->SetAgentState(sb::AgentId("bob"), AgentState::kAvailable).ok());
    h.CheckInvariants();
    return std::make_pair(h.recorder.events, h.router->DebugString());
  };
  const auto [events, dump] = run(false);
  const auto [events_after_rejections, dump_after_rejections] = run(true);
  const auto expired = std::find_if(events.begin(), events.end(), [](const sb::RoutingEvent& e) {
    return e.type == sb::RoutingEventType::kExpired;
  });
  REQUIRE(expired != events.end());
  CHECK(expired->at == sbt::Start() + absl::Seconds(15));
  CHECK(events_after_rejections == events);
  CHECK(dump_after_rejections == dump);
}

// Free text the router keeps or passes on (an away reason is part of the agent's status, which
// GetAgent returns; dispositions and notes go out in events) must be UTF-8 like every text
// field of the core types, or the agent GetAgent returns fails Agent::Validate and cannot be
// given back to UpdateAgent.
TEST_CASE("reasons, dispositions and notes that are not UTF-8 are refused") {
  const auto mode = GENERATE(sb::SelectionMode::kIndexed, sb::SelectionMode::kLinearScan);
  Populated h(mode);
  h.Snapshot();
  const std::string bad = "lunch \xff";
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kAway, bad),
                   absl::StatusCode::kInvalidArgument, "UTF-8");
  h.ExpectRejected(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kAway, bad),
                   absl::StatusCode::kInvalidArgument, "'cy'");
  h.ExpectRejected(h.router->Complete(sb::ContactId("talking"), "done \xc3"),
                   absl::StatusCode::kInvalidArgument, "disposition");
  h.ExpectRejected(h.router->TransferToQueue(sb::ContactId("waiting"), sb::QueueId("mixed"), bad),
                   absl::StatusCode::kInvalidArgument, "note");
  h.ExpectRejected(h.router->TransferToAgent(sb::ContactId("waiting"), sb::AgentId("cy"), bad),
                   absl::StatusCode::kInvalidArgument, "note");
  sb::RouterOptions o;
  o.no_answer_reason = bad;
  CHECK(sb::Router::Create(o, &h.clock, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);

  // UTF-8 text is taken, and the agent reads back valid.
  REQUIRE(h.router->SetAgentState(sb::AgentId("cy"), AgentState::kAway, "caf\xc3\xa9").ok());
  const absl::StatusOr<sb::Agent> cy = h.router->GetAgent(sb::AgentId("cy"));
  REQUIRE(cy.ok());
  CHECK(cy->Validate().ok());
  CHECK(h.router->UpdateAgent(*cy).ok());
  h.CheckInvariants();
}
