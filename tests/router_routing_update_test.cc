// Router::UpdateRouting: a waiting or offered contact's priority, age adjustment, own skills and
// language change, in both selection modes.
#include <string>
#include <vector>

#include "tests/router_test_helpers.h"

namespace sb = switchboard;
using sb::AgentState;
using sb::RoutingEventType;
using sbt::Harness;

namespace {

std::vector<std::string> Waiting(const Harness& h, const std::string& queue) {
  auto ids = h.router->WaitingContacts(sb::QueueId(queue));
  REQUIRE(ids.ok());
  std::vector<std::string> out;
  for (const sb::ContactId& id : *ids) out.emplace_back(id.value());
  return out;
}

absl::Status Update(Harness& h, const std::string& contact, const sb::ContactRoutingUpdate& u) {
  return h.router->UpdateRouting(sb::ContactId(contact), u);
}

sb::ContactRoutingUpdate Priority(int p) {
  sb::ContactRoutingUpdate u;
  u.priority = p;
  return u;
}

sb::ContactRoutingUpdate Age(absl::Duration d) {
  sb::ContactRoutingUpdate u;
  u.age_adjustment = d;
  return u;
}

sb::ContactRoutingUpdate Skills(std::vector<sb::SkillRequirement> skills) {
  sb::ContactRoutingUpdate u;
  u.required_skills = std::move(skills);
  return u;
}

// One queue "q", agent "a1" away; contacts c1 (arrived at Start) and c2 (30 s later) waiting.
void TwoWaiting(Harness& h) {
  REQUIRE(h.router->AddQueue(sbt::MakeQueue("q")).ok());
  REQUIRE(h.router->AddAgent(sbt::MakeAgent("a1", {"q"}, AgentState::kAway)).ok());
  REQUIRE(h.router->Enqueue(sbt::MakeContact("c1"), sb::QueueId("q")).ok());
  h.clock.Advance(absl::Seconds(30));
  REQUIRE(
      h.router
          ->Enqueue(sbt::MakeContact("c2", sb::Channel::kVoice, h.clock.Now()), sb::QueueId("q"))
          .ok());
}

}  // namespace

TEST_CASE("a raised priority puts a waiting contact first") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    TwoWaiting(h);
    REQUIRE(Waiting(h, "q") == std::vector<std::string>{"c1", "c2"});
    const std::size_t events = h.recorder.events.size();
    REQUIRE(Update(h, "c2", Priority(5)).ok());
    CHECK(h.recorder.events.size() == events);  // no event of its own
    CHECK(Waiting(h, "q") == std::vector<std::string>{"c2", "c1"});
    CHECK(h.router->GetContact(sb::ContactId("c2"))->priority == 5);
    REQUIRE(h.router->SetAgentState(sb::AgentId("a1"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("c2") == "a1");
    CHECK(h.OfferedTo("c1").empty());
    h.CheckInvariants();
  }
}

TEST_CASE("an age adjustment moves the place, not the wait statistics") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    TwoWaiting(h);
    REQUIRE(Update(h, "c2", Age(absl::Seconds(31))).ok());  // as if it came 1 s before c1
    CHECK(Waiting(h, "q") == std::vector<std::string>{"c2", "c1"});
    CHECK(h.router->GetContact(sb::ContactId("c2"))->age_adjustment == absl::Seconds(31));
    CHECK(h.router->GetContact(sb::ContactId("c2"))->arrived_at ==
          sbt::Start() + absl::Seconds(30));
    CHECK(h.QueueStatsOf("q").longest_wait == absl::Seconds(30));  // c1's real wait
    REQUIRE(Update(h, "c2", Age(absl::Seconds(29))).ok());         // replaces, not adds: after c1
    CHECK(Waiting(h, "q") == std::vector<std::string>{"c1", "c2"});
    REQUIRE(Update(h, "c1", Age(absl::Seconds(-60))).ok());  // negative: later
    CHECK(Waiting(h, "q") == std::vector<std::string>{"c2", "c1"});
    REQUIRE(Update(h, "c1", Priority(1)).ok());  // priority still comes before age
    CHECK(Waiting(h, "q") == std::vector<std::string>{"c1", "c2"});
    // The agent answers c1 after it really waited 40 s: the speed of answer counts that.
    h.clock.Advance(absl::Seconds(10));
    REQUIRE(h.router->SetAgentState(sb::AgentId("a1"), AgentState::kAvailable).ok());
    REQUIRE(h.OfferedTo("c1") == "a1");
    h.AcceptOffer("c1");
    CHECK(h.QueueStatsOf("q").average_speed_of_answer == absl::Seconds(40));
    h.CheckInvariants();
  }
}

TEST_CASE("an age adjustment orders LIFO queues and agents' choices across queues") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    sb::Queue lifo = sbt::MakeQueue("lifo");
    lifo.order = sb::QueueOrder::kLifo;
    REQUIRE(h.router->AddQueue(lifo).ok());
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("fifo")).ok());
    REQUIRE(h.router->AddAgent(sbt::MakeAgent("a1", {"lifo"}, AgentState::kAway)).ok());
    REQUIRE(h.router->AddAgent(sbt::MakeAgent("a2", {"fifo"}, AgentState::kAway)).ok());
    REQUIRE(h.router->Enqueue(sbt::MakeContact("old"), sb::QueueId("lifo")).ok());
    h.clock.Advance(absl::Seconds(10));
    REQUIRE(h.router
                ->Enqueue(sbt::MakeContact("new", sb::Channel::kVoice, h.clock.Now()),
                          sb::QueueId("lifo"))
                .ok());
    REQUIRE(Waiting(h, "lifo") == std::vector<std::string>{"new", "old"});
    // In a LIFO queue the newest goes first: making "old" look 20 s younger puts it first.
    REQUIRE(Update(h, "old", Age(absl::Seconds(-20))).ok());
    CHECK(Waiting(h, "lifo") == std::vector<std::string>{"old", "new"});
    REQUIRE(h.router->SetAgentState(sb::AgentId("a1"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("old") == "a1");

    // An agent of two FIFO queues of equal priority takes the contact that ranks older.
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("fifo2")).ok());
    REQUIRE(h.router
                ->Enqueue(sbt::MakeContact("x", sb::Channel::kVoice, h.clock.Now()),
                          sb::QueueId("fifo"))
                .ok());
    h.clock.Advance(absl::Seconds(5));
    REQUIRE(h.router
                ->Enqueue(sbt::MakeContact("y", sb::Channel::kVoice, h.clock.Now()),
                          sb::QueueId("fifo2"))
                .ok());
    REQUIRE(Update(h, "y", Age(absl::Seconds(6))).ok());
    REQUIRE(h.router->UpdateAgent(sbt::MakeAgent("a2", {"fifo", "fifo2"})).ok());
    REQUIRE(h.router->SetAgentState(sb::AgentId("a2"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("y") == "a2");
    CHECK(h.OfferedTo("x").empty());
    h.CheckInvariants();
  }
}

TEST_CASE("relaxed requirements offer a waiting contact at once") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("q")).ok());
    REQUIRE(h.router->AddAgent(sbt::MakeAgent("a1", {"q"})).ok());  // English, no skills
    sb::Contact c = sbt::MakeContact("c1");
    c.required_skills = {{"mortgage", 5, true}};
    c.language = "fr";
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    REQUIRE(h.OfferedTo("c1").empty());

    REQUIRE(Update(h, "c1", Skills({})).ok());  // still French: waits
    CHECK(h.OfferedTo("c1").empty());
    CHECK(h.router->GetContact(sb::ContactId("c1"))->required_skills.empty());
    const std::size_t events = h.recorder.events.size();
    sb::ContactRoutingUpdate any_language;
    any_language.language = "";
    REQUIRE(Update(h, "c1", any_language).ok());
    CHECK(h.OfferedTo("c1") == "a1");
    REQUIRE(h.recorder.events.size() == events + 1);  // the offer only
    CHECK(h.recorder.events.back().type == RoutingEventType::kOffered);
    CHECK(h.QueueStatsOf("q").entered == 1);  // not counted as entering again
    h.CheckInvariants();
  }
}

TEST_CASE("tightened requirements keep a waiting contact from agents that no longer fit") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("q")).ok());
    sb::Agent novice = sbt::MakeAgent("novice", {"q"}, AgentState::kAway);
    novice.skills = {{"billing", 3}};
    sb::Agent expert = sbt::MakeAgent("expert", {"q"}, AgentState::kAway);
    expert.skills = {{"billing", 9}};
    expert.languages = {"en", "es"};
    REQUIRE(h.router->AddAgent(novice).ok());
    REQUIRE(h.router->AddAgent(expert).ok());
    REQUIRE(h.router->Enqueue(sbt::MakeContact("c1"), sb::QueueId("q")).ok());
    sb::ContactRoutingUpdate u = Skills({{"billing", 8, true}, {"apology", 2, false}});
    u.language = "ES";
    REQUIRE(Update(h, "c1", u).ok());
    const auto info = h.router->GetContact(sb::ContactId("c1"));
    REQUIRE(info.ok());
    CHECK(info->language == "es");
    REQUIRE(info->required_skills.size() == 2);
    CHECK(info->required_skills[0].name == "apology");  // by name
    CHECK(info->required_skills[1].name == "billing");
    CHECK(info->required_skills[1].min_proficiency == 8);

    REQUIRE(h.router->SetAgentState(sb::AgentId("novice"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("c1").empty());
    REQUIRE(h.router->SetAgentState(sb::AgentId("expert"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("c1") == "expert");
    h.CheckInvariants();
  }
}

TEST_CASE("an offered contact keeps its offer; the update applies when it waits again") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("q")).ok());
    REQUIRE(h.router->AddAgent(sbt::MakeAgent("a1", {"q"})).ok());
    sb::Agent skilled = sbt::MakeAgent("a2", {"q"}, AgentState::kAway);
    skilled.skills = {{"vip", 5}};
    REQUIRE(h.router->AddAgent(skilled).ok());
    REQUIRE(h.router->AddAgent(sbt::MakeAgent("a3", {"q"}, AgentState::kAway)).ok());
    REQUIRE(h.router->Enqueue(sbt::MakeContact("c1"), sb::QueueId("q")).ok());
    const auto offer = h.router->CurrentOffer(sb::ContactId("c1"));
    REQUIRE(offer.ok());
    REQUIRE(offer->has_value());
    REQUIRE((*offer)->agent.value() == "a1");

    sb::ContactRoutingUpdate u = Skills({{"vip", 5, true}});
    u.priority = 7;
    REQUIRE(Update(h, "c1", u).ok());
    CHECK(h.router->CurrentOffer(sb::ContactId("c1"))->value().id == (*offer)->id);
    CHECK(h.router->GetContact(sb::ContactId("c1"))->priority == 7);
    h.CheckInvariants();

    REQUIRE(h.router->SetAgentState(sb::AgentId("a3"), AgentState::kAvailable).ok());
    REQUIRE(h.router->Decline((*offer)->id).ok());
    CHECK(h.StateOf("c1") == sb::ContactState::kWaiting);  // a3 lacks vip
    REQUIRE(h.router->SetAgentState(sb::AgentId("a2"), AgentState::kAvailable).ok());
    CHECK(h.OfferedTo("c1") == "a2");
    h.CheckInvariants();
  }
}

TEST_CASE("a reservation for the preferred agent lasts while that agent still fits") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    REQUIRE(h.router->AddQueue(sbt::MakeQueue("q")).ok());
    sb::Agent last = sbt::MakeAgent("last", {"q"}, AgentState::kAway);
    last.skills = {{"billing", 6}};
    REQUIRE(h.router->AddAgent(last).ok());
    sb::Agent other = sbt::MakeAgent("other", {"q"});
    other.skills = {{"billing", 6}, {"loans", 6}};
    REQUIRE(h.router->AddAgent(other).ok());
    REQUIRE(h.router->SetAgentState(sb::AgentId("other"), AgentState::kAway).ok());
    sb::Contact c = sbt::MakeContact("c1");
    c.preferred_agent = sb::AgentId("last");
    c.preferred_agent_wait = absl::Seconds(60);
    REQUIRE(h.router->Enqueue(c, sb::QueueId("q")).ok());
    REQUIRE(h.router->GetContact(sb::ContactId("c1"))->reserved_for.value() == "last");
    REQUIRE(h.router->SetAgentState(sb::AgentId("other"), AgentState::kAvailable).ok());
    REQUIRE(h.OfferedTo("c1").empty());  // reserved: "other" may not take it

    REQUIRE(Update(h, "c1", Skills({{"billing", 5, true}})).ok());  // "last" still fits
    CHECK(h.router->GetContact(sb::ContactId("c1"))->reserved_for.value() == "last");
    CHECK(h.router->GetContact(sb::ContactId("c1"))->reserved_until ==
          sbt::Start() + absl::Seconds(60));
    CHECK(h.OfferedTo("c1").empty());

    REQUIRE(Update(h, "c1", Skills({{"loans", 5, true}})).ok());  // "last" no longer fits
    CHECK(h.router->GetContact(sb::ContactId("c1"))->reserved_for.empty());
    CHECK(h.OfferedTo("c1") == "other");
    h.Advance(absl::Seconds(61));      // the old reservation's end timer is moot
    CHECK(h.OfferedTo("c1").empty());  // rang out after 15 s, back in waiting; nobody else fits
    h.CheckInvariants();
  }
}

TEST_CASE("bad routing updates are refused and change nothing") {
  for (sb::SelectionMode mode : sbt::BothModes()) {
    Harness h(sbt::OptionsFor(mode));
    TwoWaiting(h);
    REQUIRE(h.router->SetAgentState(sb::AgentId("a1"), AgentState::kAvailable).ok());
    h.AcceptOffer("c1");  // in progress
    const std::string before = h.router->DebugString();
    const std::vector<std::string> order = Waiting(h, "q");
    const std::size_t events = h.recorder.events.size();

    absl::Status s = Update(h, "nobody", Priority(1));
    CHECK(s.code() == absl::StatusCode::kNotFound);
    s = Update(h, "c1", Priority(1));
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.message().find("in_progress") != std::string::npos);
    s = Update(h, "c2", Priority(-1));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find("contact 'c2'") != std::string::npos);
    CHECK(s.message().find("priority") != std::string::npos);
    s = Update(h, "c2", Age(absl::Hours(25)));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find("age_adjustment") != std::string::npos);
    CHECK(Update(h, "c2", Age(-absl::InfiniteDuration())).code() ==
          absl::StatusCode::kInvalidArgument);
    s = Update(h, "c2", Skills({{"billing", 11, true}}));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find("required_skills") != std::string::npos);
    sb::ContactRoutingUpdate bad_language = Priority(3);  // valid, but refused with the rest
    bad_language.language = "not a tag";
    s = Update(h, "c2", bad_language);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find("language") != std::string::npos);

    CHECK(h.router->DebugString() == before);
    CHECK(Waiting(h, "q") == order);
    CHECK(h.router->GetContact(sb::ContactId("c2"))->priority == 0);
    CHECK(h.recorder.events.size() == events);
    h.CheckInvariants();
  }
}
