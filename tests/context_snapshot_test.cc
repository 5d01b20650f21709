// ContextSnapshot: what the next agent sees (touchpoints, cases, last agent, intent, verification,
// notes, repeat contact, preferences, tier), its bounds, and the mapping to routing input.
#include "switchboard/context_snapshot.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "src/internal/str_cat.h"
#include "switchboard/clock.h"
#include "switchboard/journey_merger.h"
#include "switchboard/limits.h"

namespace sb = switchboard;
using Catch::Matchers::Contains;
using K = sb::IdentifierKind;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const sb::TenantId kAcme("acme");

sb::TouchpointEvent Ev(const std::string& id, int64_t minute, sb::EventType type,
                       sb::Channel channel, sb::Attributes attrs) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(id);
  e.tenant = kAcme;
  e.type = type;
  e.channel = channel;
  e.occurred_at = e.received_at = kT0 + absl::Minutes(minute);
  e.identifiers = {{K::kEmail, "ana@example.com", ""}};
  e.attributes = std::move(attrs);
  e.source_system = "crm";
  return e;
}

sb::Contact Call(int64_t minute, std::string intent = "") {
  sb::Contact c;
  c.id = sb::ContactId("call-1");
  c.tenant = kAcme;
  c.channel = sb::Channel::kVoice;
  c.identifiers = {{K::kEmail, "ANA@example.com", ""}};
  c.intent = std::move(intent);
  c.arrived_at = kT0 + absl::Minutes(minute);
  return c;
}

struct Fixture {
  explicit Fixture(sb::JourneyMergerOptions options = {}) : clock(kT0 + absl::Hours(24 * 30)) {
    merger = *sb::JourneyMerger::Create(std::move(options), &clock);
  }
  void Ingest(const sb::TouchpointEvent& e) { REQUIRE(merger->Ingest(e).ok()); }
  sb::ManualClock clock;
  std::unique_ptr<sb::JourneyMerger> merger;
};

using T = sb::EventType;
using C = sb::Channel;

// A resolved customer's snapshot as routing input sees it: last agent, gold tier, a repeat.
sb::ContextSnapshot GoldRepeatSnapshot() {
  sb::ContextSnapshot snap;
  snap.tenant = kAcme;
  snap.customer = sb::CustomerId("c-1");
  snap.last_agent = sb::AgentId("agent-7");
  snap.tier = "gold";
  snap.repeat_contact = true;
  return snap;
}

}  // namespace

TEST_CASE("a snapshot carries the context of the email, chat and call") {
  Fixture f;
  f.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail,
              {{"summary", "Invoice shows a double charge"}, {"intent", "billing"},
               {"language", "es"}, {"tier", "gold"}}));
  f.Ingest(Ev("case-1", 1, T::kCaseOpened, C::kEmail,
              {{"case_id", "CS-9"}, {"summary", "Double charge on March invoice"}}));
  f.Ingest(Ev("case-0", 2, T::kCaseOpened, C::kEmail, {{"case_id", "CS-1"}}));
  f.Ingest(Ev("case-0r", 3, T::kCaseResolved, C::kEmail, {{"case_id", "CS-1"}}));
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat,
              {{"agent_id", "agent-7"}, {"queue_id", "billing"}, {"identity_verified", "true"},
               {"summary", "Refund promised within 3 days"}}));
  f.Ingest(Ev("note-1", 61, T::kAgentNote, C::kChat, {{"note", "Customer prefers Spanish"}}));

  auto snap = f.merger->SnapshotFor(Call(180, "billing"));
  REQUIRE(snap.ok());
  REQUIRE(snap->customer.has_value());
  CHECK(*snap->customer == sb::CustomerId("c-mail-1"));
  CHECK(snap->possible_customers.empty());
  CHECK_FALSE(snap->needs_verification);
  CHECK(snap->total_touchpoints == 6);
  REQUIRE(snap->recent.size() == 6);
  CHECK(snap->recent[0].event == sb::EventId("note-1"));  // newest first
  CHECK(snap->recent[1].summary == "Refund promised within 3 days");
  CHECK(snap->recent[1].channel == C::kChat);
  CHECK(snap->recent[5].summary == "Invoice shows a double charge");
  REQUIRE(snap->open_cases.size() == 1);  // CS-1 was resolved
  CHECK(snap->open_cases[0].id == "CS-9");
  CHECK(snap->open_cases[0].summary == "Double charge on March invoice");
  CHECK(snap->last_agent == sb::AgentId("agent-7"));
  CHECK(snap->last_queue == sb::QueueId("billing"));
  CHECK(snap->last_intent == "billing");
  CHECK(snap->identity_verified);  // the chat verified 2 hours ago
  CHECK(snap->verified_at == kT0 + absl::Minutes(60));
  CHECK(snap->notes == std::vector<std::string>{"Customer prefers Spanish"});
  CHECK(snap->repeat_contact);  // billing again within 72 hours
  CHECK(snap->preferred_channel == C::kEmail);  // most used channel, no explicit preference
  CHECK(snap->language == "es");
  CHECK(snap->tier == "gold");
  CHECK(snap->built_at == kT0 + absl::Minutes(180));

  // Another intent, or the same one long after, is not a repeat; old verification expires.
  CHECK_FALSE(f.merger->SnapshotFor(Call(180, "move"))->repeat_contact);
  auto later = f.merger->SnapshotFor(Call(60 * 24 * 5, "billing"));
  CHECK_FALSE(later->repeat_contact);
  CHECK_FALSE(later->identity_verified);
}

// A stated preference wins over the channel used most; a value that names no channel is not a
// preference, and the most used channel stands.
TEST_CASE("a stated preferred channel wins over the channel used most") {
  Fixture f;
  f.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {}));
  f.Ingest(Ev("mail-2", 1, T::kMessage, C::kEmail, {}));
  f.Ingest(Ev("form-1", 2, T::kMessage, C::kWeb, {{"preferred_channel", "sms"}}));
  auto snap = f.merger->SnapshotFor(Call(10));
  REQUIRE(snap.ok());
  CHECK(snap->preferred_channel == C::kSms);

  Fixture g;
  g.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {}));
  g.Ingest(Ev("mail-2", 1, T::kMessage, C::kEmail, {}));
  g.Ingest(Ev("form-1", 2, T::kMessage, C::kWeb, {{"preferred_channel", "pigeon"}}));
  snap = g.merger->SnapshotFor(Call(10));
  REQUIRE(snap.ok());
  CHECK(snap->preferred_channel == C::kEmail);
}

// The summary keeps the latest verification only; one recorded after the snapshot's time used to
// hide an earlier one still valid then. The snapshot must answer as if only the events up to its
// time existed, in whatever order the events arrived.
TEST_CASE("a verification after the snapshot's time neither hides an earlier one nor counts") {
  const std::vector<sb::TouchpointEvent> events = {
      Ev("chat-1", 60, T::kContactEnded, C::kChat, {{"identity_verified", "true"}}),
      Ev("mail-1", 120, T::kMessage, C::kEmail, {{"summary", "unverified"}}),
      Ev("chat-2", 300, T::kContactEnded, C::kChat, {{"identity_verified", "true"}}),
      Ev("mail-2", 301, T::kMessage, C::kEmail, {{"identity_verified", "false"}}),
      Ev("chat-3", 60 * 60, T::kContactEnded, C::kChat, {{"identity_verified", "true"}}),
  };
  Fixture in_order;
  for (const auto& e : events) in_order.Ingest(e);
  Fixture reversed;
  for (auto e = events.rbegin(); e != events.rend(); ++e) reversed.Ingest(*e);
  struct Expected {
    int64_t minute;
    bool verified;
    int64_t at;  // minute of verified_at; -1: the epoch
  };
  const Expected cases[] = {
      {30, false, -1},             // before any verification (chat-2 and chat-3 are later)
      {60, true, 60},              // at the verification's own time
      {180, true, 60},             // chat-1 still valid; chat-2 is later
      {300, true, 300},
      {60 * 24 + 60, true, 300},   // chat-1 expired, chat-2 not (chat-3 is later)
      {60 * 24 + 301, false, -1},  // chat-2 expired one minute ago; chat-3 later
      {60 * 60, true, 60 * 60},
      {60 * 90, false, -1},        // every verification expired
  };
  for (const Expected& x : cases) {
    INFO("snapshot at minute " << x.minute);
    for (Fixture* f : {&in_order, &reversed}) {
      auto snap = f->merger->SnapshotFor(Call(x.minute));
      REQUIRE(snap.ok());
      REQUIRE(snap->customer.has_value());
      CHECK(snap->identity_verified == x.verified);
      CHECK(snap->verified_at == (x.at < 0 ? absl::UnixEpoch() : kT0 + absl::Minutes(x.at)));
      auto of = f->merger->SnapshotOf(kAcme, *snap->customer, "", kT0 + absl::Minutes(x.minute));
      REQUIRE(of.ok());
      CHECK(of->identity_verified == x.verified);
      CHECK(of->verified_at == snap->verified_at);
    }
  }
}

// A host may ask for a snapshot at either end of time (a contact without an arrival time, a
// "latest" query): nothing is before the infinite past, and every verification is older than the
// window at the infinite future.
TEST_CASE("a snapshot at an infinite time is not verified") {
  Fixture f;
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat,
              {{"identity_verified", "true"}, {"intent", "billing"}}));
  auto id = f.merger->SnapshotFor(Call(60));
  REQUIRE(id.ok());
  REQUIRE(id->customer.has_value());
  for (absl::Time at : {absl::InfinitePast(), absl::InfiniteFuture()}) {
    INFO(absl::FormatTime(at));
    auto snap = f.merger->SnapshotOf(kAcme, *id->customer, "billing", at);
    REQUIRE(snap.ok());
    CHECK_FALSE(snap->identity_verified);
    CHECK(snap->verified_at == absl::UnixEpoch());
    CHECK_FALSE(snap->repeat_contact);
  }
}

// The attribute is a flag with one spelling: a host that writes "True" or "1" has not said that
// the identity was checked, and guessing could skip a check the IVR owed the caller.
TEST_CASE("only identity_verified=true verifies, in that spelling") {
  for (const char* value : {"True", "TRUE", "1", "yes", " true", ""}) {
    INFO("identity_verified='" << value << "'");
    Fixture f;
    f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat, {{"identity_verified", value}}));
    auto snap = f.merger->SnapshotFor(Call(61));
    REQUIRE(snap.ok());
    REQUIRE(snap->customer.has_value());
    CHECK_FALSE(snap->identity_verified);
  }
  Fixture f;
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat, {{"identity_verified", "true"}}));
  CHECK(f.merger->SnapshotFor(Call(61))->identity_verified);
}

// Hosts record the contact's own IVR step before asking for its snapshot: that sighting of the
// intent is the contact itself, and the repeat is the one before it.
TEST_CASE("a contact whose own event carries its intent is still a repeat") {
  Fixture f;
  f.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  f.Ingest(Ev("ivr-1", 600, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));  // this call
  auto snap = f.merger->SnapshotFor(Call(600, "billing"));
  REQUIRE(snap.ok());
  CHECK(snap->repeat_contact);  // billing 10 hours earlier
  CHECK_FALSE(f.merger->SnapshotFor(Call(600, "move"))->repeat_contact);
  // Without the earlier e-mail, the call's own step is no repeat.
  Fixture g;
  g.Ingest(Ev("ivr-1", 600, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  CHECK_FALSE(g.merger->SnapshotFor(Call(600, "billing"))->repeat_contact);
  // Nor is a sighting outside the window.
  Fixture h;
  h.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  h.Ingest(Ev("ivr-1", 60 * 24 * 4, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  CHECK_FALSE(h.merger->SnapshotFor(Call(60 * 24 * 4, "billing"))->repeat_contact);
  // The earlier sighting arriving after the call's own step counts the same, and a still
  // earlier one arriving last does not displace it (the two latest are kept).
  Fixture late;
  late.Ingest(Ev("ivr-1", 600, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  late.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  late.Ingest(Ev("mail-0", -60 * 24 * 3, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  CHECK(late.merger->SnapshotFor(Call(600, "billing"))->repeat_contact);
}

// The summary keeps each intent's two latest sightings; when both are at or after the snapshot's
// time, the sighting that makes the repeat is older than what it keeps.
TEST_CASE("a snapshot of the past finds a repeat seen twice after it") {
  Fixture f;
  f.Ingest(Ev("call-1", 0, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  f.Ingest(Ev("call-2", 60 * 20, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  f.Ingest(Ev("call-3", 60 * 30, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  auto repeat_at = [&](int64_t minute, const char* intent) {
    auto snap = f.merger->SnapshotFor(Call(minute, intent));
    REQUIRE(snap.ok());
    return snap->repeat_contact;
  };
  CHECK(repeat_at(60 * 10, "billing"));     // call-1, 10 h before
  CHECK_FALSE(repeat_at(0, "billing"));     // call-1 is the contact itself
  CHECK_FALSE(repeat_at(60 * 10, "move"));  // never seen
  CHECK(repeat_at(60 * 25, "billing"));     // call-2 (kept), 5 h before
  // Three own events carry the intent at the contact's time; the one before is older.
  Fixture g;
  g.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  g.Ingest(Ev("ivr-1", 600, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  g.Ingest(Ev("ivr-2", 600, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  CHECK(g.merger->SnapshotFor(Call(600, "billing"))->repeat_contact);
  // Outside the window (72 h) it is still no repeat.
  Fixture h;
  h.Ingest(Ev("mail-1", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  h.Ingest(Ev("ivr-1", 60 * 24 * 4, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  h.Ingest(Ev("ivr-2", 60 * 24 * 4, T::kIvrStep, C::kVoice, {{"intent", "billing"}}));
  CHECK_FALSE(h.merger->SnapshotFor(Call(60 * 24 * 4, "billing"))->repeat_contact);
}

// The summary keeps the 32 intents seen last; an intent dropped from it is read from the journey.
TEST_CASE("a repeat of an intent dropped from the summary is still found") {
  Fixture f;
  f.Ingest(Ev("mail-0", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  for (int i = 1; i <= 40; ++i) {
    f.Ingest(Ev(sb::internal::StrCat("mail-", i), i, T::kMessage, C::kEmail,
                {{"intent", sb::internal::StrCat("topic-", i)}}));
  }
  CHECK(f.merger->SnapshotFor(Call(600, "billing"))->repeat_contact);
  CHECK_FALSE(f.merger->SnapshotFor(Call(600, "move"))->repeat_contact);
  CHECK_FALSE(f.merger->SnapshotFor(Call(60 * 24 * 4, "billing"))->repeat_contact);
}

// An intent dropped from the full summary and seen again later starts its entry afresh, without
// the earlier sighting. A snapshot of a time between the two took that for "never seen before"
// (found by a review: no repeat in order, and a repeat in an order where the later sighting came
// first); the journey now answers, the same in every order.
TEST_CASE("a snapshot of the past finds a repeat of an intent dropped and seen again") {
  std::vector<sb::TouchpointEvent> events;
  events.push_back(Ev("mail-00", 0, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  for (int i = 1; i <= 32; ++i) {  // 32 other intents push billing out of the summary
    events.push_back(Ev(sb::internal::StrCat("mail-", i < 10 ? "0" : "", i), i, T::kMessage,
                        C::kEmail, {{"intent", sb::internal::StrCat("topic-", i)}}));
  }
  events.push_back(Ev("mail-99", 100, T::kMessage, C::kEmail, {{"intent", "billing"}}));
  std::vector<std::vector<sb::TouchpointEvent>> orders = {events, events, events};
  std::reverse(orders[1].begin(), orders[1].end());
  std::rotate(orders[2].begin(), orders[2].end() - 1, orders[2].end());  // the later one first
  for (size_t o = 0; o < orders.size(); ++o) {
    INFO("order " << o);
    Fixture f;
    for (const sb::TouchpointEvent& e : orders[o]) f.Ingest(e);
    const sb::CustomerId ana("c-mail-00");
    const absl::Time between = kT0 + absl::Minutes(50);
    CHECK(f.merger->SnapshotOf(kAcme, ana, "billing", between)->repeat_contact);
    CHECK_FALSE(f.merger->SnapshotOf(kAcme, ana, "move", between)->repeat_contact);
    // Before the first sighting there is nothing to repeat; after the second, it is the repeat.
    CHECK_FALSE(f.merger->SnapshotOf(kAcme, ana, "billing", kT0)->repeat_contact);
    CHECK(f.merger->SnapshotOf(kAcme, ana, "billing", kT0 + absl::Minutes(101))->repeat_contact);
  }
}

// An empty attribute is no value (as for notes, agents and intents): an agent note whose form
// sent an empty summary still shows its note on the timeline.
TEST_CASE("an empty summary falls back to the note, then the intent") {
  Fixture f;
  f.Ingest(Ev("note-1", 0, T::kAgentNote, C::kChat,
              {{"summary", ""}, {"note", "Customer prefers Spanish"}}));
  f.Ingest(Ev("ivr-1", 1, T::kIvrStep, C::kVoice, {{"summary", ""}, {"intent", "billing"}}));
  auto snap = f.merger->SnapshotFor(Call(2));
  REQUIRE(snap.ok());
  REQUIRE(snap->recent.size() == 2);
  CHECK(snap->recent[0].summary == "billing");
  CHECK(snap->recent[1].summary == "Customer prefers Spanish");
  CHECK(snap->notes == std::vector<std::string>{"Customer prefers Spanish"});
}

// A case resolved and then opened again (the customer came back) is open, whatever order the
// events arrive in; resolved after its last opening, it is closed.
TEST_CASE("a case opened again after its resolution is open") {
  const std::vector<sb::TouchpointEvent> events = {
      Ev("open-1", 0, T::kCaseOpened, C::kEmail, {{"case_id", "CS-1"}, {"summary", "Refund"}}),
      Ev("done-1", 10, T::kCaseResolved, C::kEmail, {{"case_id", "CS-1"}}),
      Ev("open-2", 20, T::kCaseOpened, C::kVoice, {{"case_id", "CS-1"}, {"summary", "Again"}}),
  };
  for (const std::vector<size_t>& order : {std::vector<size_t>{0, 1, 2}, {2, 1, 0}, {1, 2, 0}}) {
    Fixture f;
    for (size_t i : order) f.Ingest(events[i]);
    auto snap = f.merger->SnapshotFor(Call(30));
    REQUIRE(snap.ok());
    REQUIRE(snap->open_cases.size() == 1);
    CHECK(snap->open_cases[0].id == "CS-1");
    CHECK(snap->open_cases[0].opened_at == kT0);  // opened first at minute 0
    CHECK(snap->open_cases[0].summary == "Refund");
    f.Ingest(Ev("done-2", 25, T::kCaseResolved, C::kVoice, {{"case_id", "CS-1"}}));
    CHECK(f.merger->SnapshotFor(Call(30))->open_cases.empty());
  }
}

// A customer keeps 64 cases. They used to be dropped by first opening, resolved-only cases
// first: a phone-side customer with 64 open cases dropped the resolution of case O, a merge then
// brought O's opening from the e-mail side, and O showed as open, unlike the same events on one
// customer. The kept cases are now the 64 with the latest events, in any order.
TEST_CASE("the cases a snapshot shows do not depend on the order of events and merges") {
  const sb::Identifier phone{K::kPhone, "+14155550100", ""};
  const sb::Identifier email{K::kEmail, "ana@example.com", ""};
  auto event = [](std::string id, int64_t minute, T type, std::vector<sb::Identifier> ids,
                  std::string case_id) {
    sb::TouchpointEvent e = Ev(std::move(id), minute, type, C::kVoice, {{"case_id", case_id}});
    e.identifiers = std::move(ids);
    return e;
  };
  std::vector<sb::TouchpointEvent> events;
  struct Case {
    int64_t opened = -1, resolved = -1, latest = -1;
  };
  std::map<std::string, Case> truth;
  auto add = [&](std::string id, int64_t minute, T type, std::vector<sb::Identifier> ids,
                 std::string case_id) {
    Case& c = truth[case_id];
    if (type == T::kCaseOpened) {
      if (c.opened < 0) c.opened = minute;
    } else {
      c.resolved = std::max(c.resolved, minute);
    }
    c.latest = std::max(c.latest, minute);
    events.push_back(event(std::move(id), minute, type, std::move(ids), std::move(case_id)));
  };
  for (int i = 1; i <= 70; ++i) {  // the phone side: 70 cases, every third one resolved
    const std::string id = sb::internal::StrCat("C", i);
    add(sb::internal::StrCat("p-open-", i), i, T::kCaseOpened, {phone}, id);
    if (i % 3 == 0) add(sb::internal::StrCat("p-done-", i), 100 + i, T::kCaseResolved, {phone}, id);
  }
  add("e-open-O", 175, T::kCaseOpened, {email}, "O");    // the e-mail side opens O ...
  add("p-done-O", 180, T::kCaseResolved, {phone}, "O");  // ... and the phone side resolves it
  add("e-open-P", 5, T::kCaseOpened, {email}, "P");      // an old case, still open
  events.push_back(event("bridge", 200, T::kMessage, {email, phone}, ""));

  // Brute force: the 64 cases with the latest events; open ones newest opening first.
  std::vector<std::pair<int64_t, std::string>> by_latest;
  for (const auto& [id, c] : truth) by_latest.push_back({c.latest, id});
  std::sort(by_latest.rbegin(), by_latest.rend());
  by_latest.resize(64);
  std::vector<std::pair<int64_t, std::string>> open;
  for (const auto& [latest, id] : by_latest) {
    const Case& c = truth[id];
    if (c.opened >= 0 && c.resolved < latest) open.push_back({c.opened, id});
  }
  std::sort(open.rbegin(), open.rend());
  std::vector<std::string> expected;
  for (const auto& [opened, id] : open) expected.push_back(id);
  REQUIRE(expected.size() < 50);

  sb::JourneyMergerOptions options;
  options.snapshot.max_open_cases = 50;
  std::mt19937_64 rng(20261127);
  for (int run = 0; run < 12; ++run) {
    std::vector<size_t> order(events.size());
    std::iota(order.begin(), order.end(), 0);  // run 0: in order, the merge at the end
    if (run > 0) std::shuffle(order.begin(), order.end(), rng);
    INFO("run " << run << " (shuffled with seed 20261127)");
    Fixture f(options);
    for (size_t i : order) f.Ingest(events[i]);
    sb::Contact call = Call(300);
    call.identifiers = {phone};
    auto snap = f.merger->SnapshotFor(call);
    REQUIRE(snap.ok());
    std::vector<std::string> shown;
    for (const sb::OpenCase& c : snap->open_cases) shown.push_back(c.id);
    CHECK(shown == expected);
  }
}

TEST_CASE("a snapshot is bounded") {
  sb::JourneyMergerOptions options;
  options.snapshot.max_touchpoints = 3;
  options.snapshot.max_summary_bytes = 16;
  options.snapshot.max_notes = 2;
  options.snapshot.max_open_cases = 2;
  Fixture f(options);
  for (int i = 0; i < 50; ++i) {
    f.Ingest(Ev("n" + std::to_string(100 + i), i, T::kAgentNote, C::kChat,
                {{"note", "note number " + std::to_string(i) + " with a long tail"}}));
    f.Ingest(Ev("c" + std::to_string(100 + i), i, T::kCaseOpened, C::kChat,
                {{"case_id", "case-" + std::to_string(i)}}));
  }
  f.Ingest(Ev("utf8", 99, T::kMessage, C::kChat, {{"summary", "caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9"}}));
  auto snap = f.merger->SnapshotFor(Call(200));
  REQUIRE(snap.ok());
  CHECK(snap->total_touchpoints == 101);
  CHECK(snap->recent.size() == 3);
  CHECK(snap->recent[0].summary.size() <= 16);
  CHECK(snap->recent[0].summary == "caf\xC3\xA9 caf\xC3\xA9 caf");  // not inside the third é
  REQUIRE(snap->notes.size() == 2);
  CHECK(snap->notes[0] == "note number 49 w");
  CHECK(snap->notes[1] == "note number 48 w");
  REQUIRE(snap->open_cases.size() == 2);
  CHECK(snap->open_cases[0].id == "case-49");
}

TEST_CASE("an unknown contact gives an empty snapshot") {
  Fixture f;
  sb::Contact c = Call(10);
  auto snap = f.merger->SnapshotFor(c);
  REQUIRE(snap.ok());
  CHECK_FALSE(snap->customer.has_value());
  CHECK(snap->possible_customers.empty());
  CHECK(snap->recent.empty());
  c.tenant = sb::TenantId();
  CHECK(f.merger->SnapshotFor(c).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.merger->SnapshotOf(kAcme, sb::CustomerId("c-x"), "", kT0).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("identifiers of two customers on one contact make it ambiguous") {
  Fixture f;
  sb::TouchpointEvent a = Ev("a", 0, T::kMessage, C::kEmail, {});
  sb::TouchpointEvent b = Ev("b", 1, T::kMessage, C::kVoice, {});
  b.identifiers = {{K::kPhone, "4155550100", ""}};
  f.Ingest(a);
  f.Ingest(b);
  sb::Contact c = Call(10);
  c.identifiers.push_back({K::kPhone, "415 555 0100", ""});
  auto snap = f.merger->SnapshotFor(c);
  CHECK_FALSE(snap->customer.has_value());
  CHECK(snap->needs_verification);
  CHECK(snap->possible_customers ==
        std::vector<sb::CustomerId>{sb::CustomerId("c-a"), sb::CustomerId("c-b")});
}

TEST_CASE("a snapshot becomes routing input") {
  sb::ContextSnapshot snap = GoldRepeatSnapshot();
  snap.last_intent = "billing";
  snap.language = "es";

  sb::Contact c = Call(0);
  REQUIRE(sb::ApplySnapshotToContact(snap, {}, &c).ok());
  CHECK(c.preferred_agent == sb::AgentId("agent-7"));
  CHECK(c.preferred_agent_wait == absl::ZeroDuration());
  REQUIRE(c.required_skills.size() == 1);
  CHECK(c.required_skills[0].name == "billing");
  CHECK_FALSE(c.required_skills[0].required);
  CHECK(c.priority == 250);  // gold 200 + repeat 50
  CHECK(c.language == "es");

  // The contact's own intent wins; options shape the mapping; an existing skill is not repeated.
  sb::Contact d = Call(0, "cancel");
  d.preferred_agent = sb::AgentId("agent-1");
  d.language = "en";
  sb::RoutingInputOptions o;
  o.intent_skill_prefix = "intent:";
  o.intent_skill_required = true;
  o.intent_min_proficiency = 3;
  o.tier_priority = {{"gold", 10}};
  o.repeat_priority = 0;
  REQUIRE(sb::ApplySnapshotToContact(snap, o, &d).ok());
  CHECK(d.preferred_agent == sb::AgentId("agent-1"));
  CHECK(d.preferred_agent_wait == absl::ZeroDuration());  // the contact's own preference stays
  CHECK(d.required_skills ==
        std::vector<sb::SkillRequirement>{{"intent:cancel", 3, true}});
  CHECK(d.priority == 10);
  CHECK(d.language == "en");
  REQUIRE(sb::ApplySnapshotToContact(snap, o, &d).ok());
  CHECK(d.required_skills.size() == 1);

  // The last agent may be waited for; a wait out of range is refused, the contact unchanged.
  sb::RoutingInputOptions wait;
  wait.last_agent_wait = absl::Seconds(90);
  sb::Contact w = Call(0);
  REQUIRE(sb::ApplySnapshotToContact(snap, wait, &w).ok());
  CHECK(w.preferred_agent == sb::AgentId("agent-7"));
  CHECK(w.preferred_agent_wait == absl::Seconds(90));
  wait.last_agent_wait = absl::Hours(48);
  sb::Contact too_long = Call(0);
  CHECK(sb::ApplySnapshotToContact(snap, wait, &too_long).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(too_long == Call(0));

  // Priority is capped; an ambiguous snapshot changes nothing; a bad result leaves the contact.
  sb::Contact e = Call(0);
  e.priority = sb::kMaxContactPriority;
  REQUIRE(sb::ApplySnapshotToContact(snap, {}, &e).ok());
  CHECK(e.priority == sb::kMaxContactPriority);
  sb::ContextSnapshot ambiguous;
  ambiguous.tenant = kAcme;
  ambiguous.possible_customers = {sb::CustomerId("c-1"), sb::CustomerId("c-2")};
  sb::Contact g = Call(0);
  REQUIRE(sb::ApplySnapshotToContact(ambiguous, {}, &g).ok());
  CHECK(g == Call(0));
  // A snapshot field that fails its own check is skipped; the rest still apply.
  snap.language = "not a tag!";
  sb::Contact h = Call(0);
  REQUIRE(sb::ApplySnapshotToContact(snap, {}, &h).ok());
  CHECK(h.language.empty());
  CHECK(h.preferred_agent == sb::AgentId("agent-7"));
  CHECK(h.priority == 250);
}

// Snapshot fields come from event attributes, which are checked only as attributes: an agent id
// with a space, a 4,096-byte intent or "en_US" used to fail the whole call, losing the last agent
// and the tier priority with it. Each is now skipped alone.
TEST_CASE("a snapshot field that fails its own check is skipped and the others apply") {
  sb::ContextSnapshot good = GoldRepeatSnapshot();
  good.last_intent = "billing";
  good.language = "es";
  struct Case {
    const char* what;
    void (*spoil)(sb::ContextSnapshot*);
  };
  const Case cases[] = {
      {"agent id with a space",
       [](sb::ContextSnapshot* s) { s->last_agent = sb::AgentId("agent 7"); }},
      {"agent id too long",
       [](sb::ContextSnapshot* s) { s->last_agent = sb::AgentId(std::string(200, 'a')); }},
      {"intent of 4096 bytes",
       [](sb::ContextSnapshot* s) { s->last_intent = std::string(4096, 'i'); }},
      {"intent not UTF-8", [](sb::ContextSnapshot* s) { s->last_intent = "bill\xff"; }},
      {"language en_US", [](sb::ContextSnapshot* s) { s->language = "en_US"; }},
  };
  for (const Case& k : cases) {
    INFO(k.what);
    sb::ContextSnapshot snap = good;
    k.spoil(&snap);
    sb::Contact c = Call(0);
    REQUIRE(sb::ApplySnapshotToContact(snap, {}, &c).ok());
    const bool bad_agent = snap.last_agent != good.last_agent;
    const bool bad_intent = snap.last_intent != good.last_intent;
    const bool bad_language = snap.language != good.language;
    // The spoilt field is left out...
    CHECK(c.preferred_agent ==
          (bad_agent ? std::nullopt : std::optional<sb::AgentId>(sb::AgentId("agent-7"))));
    CHECK(c.required_skills == (bad_intent
                                    ? std::vector<sb::SkillRequirement>{}
                                    : std::vector<sb::SkillRequirement>{{"billing", 1, false}}));
    CHECK(c.language == (bad_language ? "" : "es"));
    // ...and the tier and repeat priority always apply.
    CHECK(c.priority == 250);
    CHECK(c.Validate().ok());
  }

  // An intent that is a valid contact intent but too long as a skill with the prefix: skipped.
  sb::RoutingInputOptions prefixed;
  prefixed.intent_skill_prefix = "intent:";
  sb::Contact own = Call(0, std::string(sb::kMaxNameLength, 'x'));
  REQUIRE(sb::ApplySnapshotToContact(good, prefixed, &own).ok());
  CHECK(own.required_skills.empty());
  CHECK(own.preferred_agent == sb::AgentId("agent-7"));

  // A contact that already holds kMaxSkills requirements gets no more: skipped, not refused.
  sb::Contact full = Call(0);
  for (size_t i = 0; i < sb::kMaxSkills; ++i) {
    full.required_skills.push_back({sb::internal::StrCat("s", i), 1, false});
  }
  REQUIRE(sb::ApplySnapshotToContact(good, {}, &full).ok());
  CHECK(full.required_skills.size() == sb::kMaxSkills);
  CHECK(full.priority == 250);
}

// The same, end to end: the bad values arrive as event attributes the merger accepted.
TEST_CASE("bad attributes on events do not block the routing input of a snapshot") {
  Fixture f;
  f.Ingest(
      Ev("chat-1", 0, T::kContactEnded, C::kChat,
         {{"agent_id", "agent-7"}, {"tier", "gold"}, {"language", "es"}, {"intent", "billing"}}));
  f.Ingest(
      Ev("chat-2", 10, T::kContactEnded, C::kChat,
         {{"agent_id", "agent 9"}, {"intent", std::string(4096, 'i')}, {"language", "en_US"}}));
  auto snap = f.merger->SnapshotFor(Call(20));
  REQUIRE(snap.ok());
  REQUIRE(snap->last_agent.has_value());
  CHECK(snap->last_agent->value() == "agent 9");  // as recorded: the snapshot reports it
  CHECK(snap->language == "en_US");
  sb::Contact c = Call(20);
  REQUIRE(sb::ApplySnapshotToContact(*snap, {}, &c).ok());
  CHECK_FALSE(c.preferred_agent.has_value());
  CHECK(c.required_skills.empty());
  CHECK(c.language.empty());
  CHECK(c.priority == 200);  // the gold tier still counts
}

TEST_CASE("applying a snapshot to no contact is refused, not a crash") {
  sb::ContextSnapshot snap;
  snap.tenant = kAcme;
  snap.customer = sb::CustomerId("c-1");
  CHECK(sb::ApplySnapshotToContact(snap, {}, nullptr).code() ==
        absl::StatusCode::kInvalidArgument);
  sb::ContextSnapshot ambiguous;  // even when it would change nothing
  CHECK(sb::ApplySnapshotToContact(ambiguous, {}, nullptr).code() ==
        absl::StatusCode::kInvalidArgument);
}

// Tenants never mix: another tenant's last agent, intent and tier must not steer this contact.
TEST_CASE("a snapshot of another tenant is not applied to a contact") {
  sb::ContextSnapshot snap;
  snap.tenant = sb::TenantId("globex");
  snap.customer = sb::CustomerId("c-1");
  snap.last_agent = sb::AgentId("agent-7");
  snap.tier = "gold";
  sb::Contact c = Call(0);  // of acme
  absl::Status status = sb::ApplySnapshotToContact(snap, {}, &c);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Contains("globex"));
  CHECK(c == Call(0));
}

// An ambiguous snapshot changes nothing, but the call still answers for its inputs: the answer
// must not depend on whether the merger happened to resolve the customer.
TEST_CASE("an ambiguous snapshot is refused for another tenant or an invalid contact") {
  sb::ContextSnapshot snap;
  snap.tenant = sb::TenantId("globex");
  snap.possible_customers = {sb::CustomerId("c-a"), sb::CustomerId("c-b")};
  snap.needs_verification = true;
  sb::Contact c = Call(0);
  absl::Status status = sb::ApplySnapshotToContact(snap, {}, &c);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Contains("ambiguous") && Contains("globex"));
  snap.tenant = kAcme;
  c.priority = -5;
  status = sb::ApplySnapshotToContact(snap, {}, &c);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Contains("priority"));
  CHECK(c.priority == -5);
  c.priority = 0;
  CHECK(sb::ApplySnapshotToContact(snap, {}, &c).ok());
  CHECK(c == Call(0));
}

TEST_CASE("snapshot options are validated") {
  sb::SnapshotOptions o;
  CHECK(o.Validate().ok());
  o.max_summary_bytes = 8;
  CHECK_THAT(std::string(o.Validate().message()), Contains("max_summary_bytes"));
  o = {};
  o.repeat_window = absl::ZeroDuration();
  CHECK_THAT(std::string(o.Validate().message()), Contains("repeat_window"));
  o = {};
  o.max_candidates = 1;
  CHECK_THAT(std::string(o.Validate().message()), Contains("max_candidates"));
}

// A contact that is already invalid is bad input: clamping its priority into range would hide
// that (the sum with the tier priority used to be clamped whatever the starting value).
TEST_CASE("a contact priority out of range is refused, not clamped into range") {
  sb::ContextSnapshot snap = GoldRepeatSnapshot();
  snap.last_agent.reset();
  for (int start : {-5, sb::kMaxContactPriority + 1, std::numeric_limits<int>::min(),
                    std::numeric_limits<int>::max()}) {
    INFO("contact.priority " << start);
    sb::Contact c = Call(0);
    c.priority = start;
    const sb::Contact before = c;
    absl::Status s = sb::ApplySnapshotToContact(snap, {}, &c);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()), Contains("contact.priority"));
    CHECK(c == before);
  }
}

// Priorities at the ends of int add without overflow and stay within 0..kMaxContactPriority;
// the last agent's wait is taken at both ends of 0..24h and refused past them.
TEST_CASE("routing input at the edges of its ranges") {
  const sb::ContextSnapshot snap = GoldRepeatSnapshot();
  sb::RoutingInputOptions o;
  o.tier_priority = {{"gold", std::numeric_limits<int>::max()}};
  o.repeat_priority = std::numeric_limits<int>::max();
  sb::Contact c = Call(0);
  c.priority = sb::kMaxContactPriority;
  REQUIRE(sb::ApplySnapshotToContact(snap, o, &c).ok());
  CHECK(c.priority == sb::kMaxContactPriority);
  o.tier_priority = {{"gold", std::numeric_limits<int>::min()}};
  o.repeat_priority = std::numeric_limits<int>::min();
  c = Call(0);
  c.priority = 10;
  REQUIRE(sb::ApplySnapshotToContact(snap, o, &c).ok());
  CHECK(c.priority == 0);

  for (absl::Duration w : {absl::ZeroDuration(), absl::Hours(24)}) {
    INFO(absl::FormatDuration(w));
    sb::RoutingInputOptions ow;
    ow.last_agent_wait = w;
    sb::Contact d = Call(0);
    REQUIRE(sb::ApplySnapshotToContact(snap, ow, &d).ok());
    CHECK(d.preferred_agent_wait == w);
  }
  for (absl::Duration w : {absl::Hours(24) + absl::Nanoseconds(1), -absl::Nanoseconds(1),
                           absl::InfiniteDuration(), -absl::InfiniteDuration()}) {
    INFO(absl::FormatDuration(w));
    sb::RoutingInputOptions ow;
    ow.last_agent_wait = w;
    sb::Contact d = Call(0);
    absl::Status s = sb::ApplySnapshotToContact(snap, ow, &d);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(s.message()), Contains("routing_input.last_agent_wait"));
    CHECK(d == Call(0));
  }
}

// Bad routing-input options used to pass unseen until a snapshot used them (a wait of a week
// was accepted for a customer without a last agent, refused for the next one). They are checked
// on every call now, whatever the snapshot.
TEST_CASE("bad routing-input options are refused whatever the snapshot") {
  struct Bad {
    const char* field;
    void (*set)(sb::RoutingInputOptions*);
  };
  const Bad bad[] = {
      {"intent_min_proficiency", [](sb::RoutingInputOptions* o) { o->intent_min_proficiency = 0; }},
      {"intent_min_proficiency", [](sb::RoutingInputOptions* o) { o->intent_min_proficiency = 11; }},
      {"last_agent_wait", [](sb::RoutingInputOptions* o) { o->last_agent_wait = absl::Hours(24 * 7); }},
      {"intent_skill_prefix", [](sb::RoutingInputOptions* o) { o->intent_skill_prefix = "\xff"; }},
      {"intent_skill_prefix",
       [](sb::RoutingInputOptions* o) { o->intent_skill_prefix = std::string(200, 'x'); }},
  };
  sb::ContextSnapshot no_last_agent = GoldRepeatSnapshot();
  no_last_agent.last_agent.reset();
  sb::ContextSnapshot ambiguous;  // no customer
  ambiguous.tenant = kAcme;
  for (const Bad& b : bad) {
    INFO(b.field);
    sb::RoutingInputOptions o;
    b.set(&o);
    CHECK(o.Validate().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(o.Validate().message()), Contains(b.field));
    for (const sb::ContextSnapshot* snap : {&no_last_agent, &ambiguous}) {
      sb::Contact c = Call(0);
      CHECK(sb::ApplySnapshotToContact(*snap, o, &c).code() == absl::StatusCode::kInvalidArgument);
      CHECK(c == Call(0));
    }
  }
  CHECK(sb::RoutingInputOptions{}.Validate().ok());
}

// The contact's arrival is the snapshot's time: one that is no valid time is refused, as
// Contact::Validate() would (at the infinite past a 30-day cookie read as unexpired).
TEST_CASE("a snapshot for a contact without a valid arrival time is refused") {
  Fixture f;
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat, {{"identity_verified", "true"}}));
  for (absl::Time at : {absl::InfinitePast(), absl::UnixEpoch() - absl::Seconds(1),
                        absl::InfiniteFuture()}) {
    INFO(absl::FormatTime(at));
    sb::Contact c = Call(0);
    c.arrived_at = at;
    auto snap = f.merger->SnapshotFor(c);
    CHECK(snap.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(snap.status().message()), Contains("contact.arrived_at"));
  }
  sb::Contact epoch = Call(0);
  epoch.arrived_at = absl::UnixEpoch();  // the default: valid, and before every event
  auto snap = f.merger->SnapshotFor(epoch);
  REQUIRE(snap.ok());
  CHECK_FALSE(snap->identity_verified);
}

// Windows that never close: "within the window before the snapshot's time" holds for every
// earlier event, at the infinite future as well. The verification compared its time with the
// window's start, now - window, which saturates there to the infinite future itself, so a
// verification that never expires read as expired, while repeat_contact (a gap compared with
// the window) said yes.
TEST_CASE("infinite windows hold at every later time, the infinite future included") {
  sb::JourneyMergerOptions options;
  options.snapshot.repeat_window = absl::InfiniteDuration();
  options.snapshot.verification_valid_for = absl::InfiniteDuration();
  Fixture f(options);
  const absl::Time at = kT0 + absl::Minutes(60);
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat,
              {{"identity_verified", "true"}, {"intent", "billing"}}));
  struct Row {
    absl::Time now;
    bool verified, repeat;
  };
  for (const Row& r : {Row{absl::InfinitePast(), false, false}, Row{absl::UnixEpoch(), false, false},
                       Row{at, true, false}, Row{at + absl::Minutes(1), true, true},
                       Row{absl::FromUnixSeconds(253'402'300'799), true, true},
                       Row{absl::InfiniteFuture(), true, true}}) {
    INFO(absl::FormatTime(r.now));
    auto snap = f.merger->SnapshotOf(kAcme, sb::CustomerId("c-chat-1"), "billing", r.now);
    REQUIRE(snap.ok());
    CHECK(snap->identity_verified == r.verified);
    CHECK(snap->verified_at == (r.verified ? at : absl::UnixEpoch()));
    CHECK(snap->repeat_contact == r.repeat);
  }
}

// The smallest windows and bounds: a 1 ns window holds at its two ends only, and a snapshot
// bounded to one touchpoint and no notes or cases lists just the newest touchpoint.
TEST_CASE("the smallest windows and bounds of a snapshot") {
  sb::JourneyMergerOptions options;
  options.snapshot.repeat_window = absl::Nanoseconds(1);
  options.snapshot.verification_valid_for = absl::Nanoseconds(1);
  options.snapshot.max_touchpoints = 1;
  options.snapshot.max_notes = 0;
  options.snapshot.max_open_cases = 0;
  options.snapshot.max_summary_bytes = 16;
  Fixture f(options);
  const absl::Time at = kT0 + absl::Minutes(60);
  f.Ingest(Ev("chat-1", 60, T::kContactEnded, C::kChat,
              {{"identity_verified", "true"}, {"intent", "billing"}}));
  f.Ingest(Ev("note-1", 61, T::kAgentNote, C::kChat, {{"note", "n"}}));
  // Nine two-byte characters: cut to 16 bytes, never inside one.
  f.Ingest(Ev("case-1", 62, T::kCaseOpened, C::kChat,
              {{"case_id", "X"}, {"summary", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                                             "\xC3\xA9\xC3\xA9\xC3\xA9"}}));
  struct Row {
    absl::Time now;
    bool verified, repeat;
  };
  for (const Row& r : {Row{at, true, false}, Row{at + absl::Nanoseconds(1), true, true},
                       Row{at + absl::Nanoseconds(2), false, false}}) {
    INFO(absl::FormatTime(r.now));
    auto snap = f.merger->SnapshotOf(kAcme, sb::CustomerId("c-chat-1"), "billing", r.now);
    REQUIRE(snap.ok());
    CHECK(snap->identity_verified == r.verified);
    CHECK(snap->repeat_contact == r.repeat);
    REQUIRE(snap->recent.size() == 1);
    CHECK(snap->recent[0].event == sb::EventId("case-1"));
    CHECK(snap->recent[0].summary == "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
    CHECK(snap->total_touchpoints == 3);
    CHECK(snap->notes.empty());
    CHECK(snap->open_cases.empty());
  }
  // A customer left with no events by an erasure is unknown, not an empty customer.
  REQUIRE(f.merger->Forget(kAcme, sb::CustomerId("c-chat-1")).ok());
  CHECK(f.merger->SnapshotOf(kAcme, sb::CustomerId("c-chat-1"), "", at).status().code() ==
        absl::StatusCode::kNotFound);
  auto after = f.merger->SnapshotFor(Call(60));
  REQUIRE(after.ok());
  CHECK_FALSE(after->customer.has_value());
  CHECK(after->recent.empty());
}
