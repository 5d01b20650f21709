// Validation rules of every core type: each rule is broken once and the error must name the
// field (and the object's id where it has one).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/internal/text.h"
#include "switchboard/agent.h"
#include "switchboard/attributes.h"
#include "switchboard/channel.h"
#include "switchboard/clock.h"
#include "switchboard/contact.h"
#include "switchboard/identifier.h"
#include "switchboard/ids.h"
#include "switchboard/journey.h"
#include "switchboard/limits.h"
#include "switchboard/queue.h"
#include "switchboard/skill.h"
#include "switchboard/touchpoint_event.h"

namespace sb = switchboard;
using Catch::Matchers::Contains;

namespace {

sb::Contact ValidContact() {
  sb::Contact c;
  c.id = sb::ContactId("call-1");
  c.tenant = sb::TenantId("acme");
  c.channel = sb::Channel::kVoice;
  c.identifiers = {{sb::IdentifierKind::kPhone, "+14155550100", ""}};
  c.required_skills = {{"billing", 5, true}};
  c.language = "en";
  c.arrived_at = absl::FromUnixSeconds(1'700'000'000);
  return c;
}

sb::Agent ValidAgent() {
  sb::Agent a;
  a.id = sb::AgentId("ana");
  a.tenant = sb::TenantId("acme");
  a.skills = {{"billing", 8}, {"spanish", 6}};
  a.languages = {"en", "es"};
  a.capacities = {sb::DefaultCapacity(sb::Channel::kVoice), sb::DefaultCapacity(sb::Channel::kChat)};
  a.queues = {{sb::QueueId("billing"), 1, absl::ZeroDuration()}};
  return a;
}

sb::Queue ValidQueue() {
  sb::Queue q;
  q.id = sb::QueueId("billing");
  q.tenant = sb::TenantId("acme");
  q.channels = {sb::Channel::kVoice, sb::Channel::kChat};
  q.required_skills = {{"billing", 3, true}};
  return q;
}

sb::TouchpointEvent ValidEvent(const char* id, int64_t second) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(id);
  e.tenant = sb::TenantId("acme");
  e.type = sb::EventType::kMessage;
  e.channel = sb::Channel::kEmail;
  e.occurred_at = e.received_at = absl::FromUnixSeconds(second);
  e.identifiers = {{sb::IdentifierKind::kEmail, "ana@example.com", ""}};
  return e;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

}  // namespace

TEST_CASE("ids reject empty, oversized and unprintable text") {
  CHECK(sb::AgentId("agent-7").Validate().ok());
  CHECK_THAT(Message(sb::AgentId("").Validate()), Contains("agent_id is empty"));
  CHECK_THAT(Message(sb::QueueId(std::string(sb::kMaxIdLength + 1, 'q')).Validate("queue.id")),
             Contains("queue.id"));
  CHECK(sb::ContactId("a b").Validate().code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(sb::ContactId("caf\xc3\xa9").Validate().ok());
  CHECK(sb::ContactId(std::string(sb::kMaxIdLength, 'c')).Validate().ok());
}

TEST_CASE("messages quote the offending text escaped and bounded (docs/core-types.md)") {
  sb::Contact c = ValidContact();
  c.id = sb::ContactId("x\x1b[2J");
  CHECK(Message(c.Validate()) ==
        "contact 'x\\x1b[2J': contact.id 'x\\x1b[2J' has a space, control or non-ASCII character");
  c.id = sb::ContactId(std::string(70000, 'z'));
  const std::string long_id = Message(c.Validate());
  CHECK(long_id.size() < 400);
  CHECK_THAT(long_id, Contains("'" + std::string(128, 'z') + "...(70000 bytes)'"));
  c.id = sb::ContactId("caf\xc3\xa9");  // printable UTF-8 is quoted as is
  CHECK_THAT(Message(c.Validate()), Contains("'caf\xc3\xa9'"));
}

TEST_CASE("times must be finite, after the epoch and before the year 10000") {
  CHECK(sb::ValidateTime(absl::FromUnixSeconds(253'402'300'799), "t").ok());  // 9999-12-31 23:59:59
  CHECK_THAT(Message(sb::ValidateTime(absl::FromUnixSeconds(253'402'300'800), "t")),
             Contains("t is after 9999-12-31"));
  CHECK_THAT(Message(sb::ValidateTime(absl::InfiniteFuture(), "t")), Contains("infinite"));
  CHECK_THAT(Message(sb::ValidateTime(absl::FromUnixSeconds(-1), "t")), Contains("before"));
}

TEST_CASE("ids of different kinds are distinct types and order by value") {
  STATIC_REQUIRE_FALSE(std::is_convertible_v<sb::AgentId, sb::QueueId>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::string, sb::AgentId>);
  CHECK(sb::AgentId("a") < sb::AgentId("b"));
  CHECK(sb::AgentId("a") == sb::AgentId(std::string("a")));
}

TEST_CASE("channels round-trip through their names and carry traits") {
  for (sb::Channel c : sb::kAllChannels) {
    auto parsed = sb::ParseChannel(sb::ChannelName(c));
    REQUIRE(parsed.ok());
    CHECK(*parsed == c);
    CHECK(sb::TraitsOf(c).default_max_concurrent >= 1);
  }
  CHECK(sb::TraitsOf(sb::Channel::kVoice).synchronous);
  CHECK(sb::TraitsOf(sb::Channel::kVoice).exclusive);
  CHECK_FALSE(sb::TraitsOf(sb::Channel::kEmail).synchronous);
  CHECK(sb::DefaultCapacity(sb::Channel::kChat).max_concurrent == 3);
  CHECK(sb::DefaultCapacity(sb::Channel::kEmail).max_concurrent == 5);
  CHECK(sb::DefaultCapacity(sb::Channel::kMessaging).max_concurrent == 4);
  CHECK(sb::DefaultCapacity(sb::Channel::kVoice).max_concurrent == 1);
  auto bad = sb::ParseChannel("carrier_pigeon");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(bad.status()), Contains("carrier_pigeon"));
  CHECK_FALSE(sb::IsKnownChannel(static_cast<sb::Channel>(42)));
}

TEST_CASE("skills check proficiency range and duplicates") {
  CHECK(sb::Skill{"billing", 1}.Validate().ok());
  CHECK(sb::Skill{"billing", 10}.Validate().ok());
  CHECK_THAT(Message(sb::Skill{"billing", 0}.Validate("agent.skills[0]")),
             Contains("agent.skills[0].proficiency"));
  CHECK_FALSE(sb::Skill{"billing", 11}.Validate().ok());
  CHECK_FALSE(sb::Skill{"", 5}.Validate().ok());
  CHECK_FALSE(sb::SkillRequirement{"billing", 0, true}.Validate().ok());
  CHECK_THAT(Message(sb::ValidateSkills({{"a", 2}, {"a", 3}}, "agent.skills")),
             Contains("repeats skill 'a'"));
  std::vector<sb::Skill> many;
  for (int i = 0; i < 20; ++i) many.push_back({"skill-" + std::to_string(i), 5});
  CHECK(sb::ValidateSkills(many, "agent.skills").ok());
  many[17].name = "skill-3";  // long lists take the hash-set path
  CHECK_THAT(Message(sb::ValidateSkills(many, "agent.skills")),
             Contains("agent.skills[17] repeats skill 'skill-3'"));
  many[17] = {"skill-17", 0};
  CHECK_THAT(Message(sb::ValidateSkills(many, "agent.skills")),
             Contains("agent.skills[17].proficiency of skill 'skill-17' is 0"));
  CHECK(sb::SkillRequirement{"billing", 5, true}.IsMetBy({"billing", 5}));
  CHECK_FALSE(sb::SkillRequirement{"billing", 5, true}.IsMetBy({"billing", 4}));
  CHECK_FALSE(sb::SkillRequirement{"billing", 5, true}.IsMetBy({"sales", 9}));
}

TEST_CASE("attributes are bounded in count, key and value size") {
  sb::Attributes ok{{"tier", "gold"}};
  CHECK(sb::ValidateAttributes(ok, "attrs").ok());
  sb::Attributes empty_key{{"", "x"}};
  CHECK_THAT(Message(sb::ValidateAttributes(empty_key, "contact.attributes")),
             Contains("contact.attributes has an empty key"));
  sb::Attributes big_value{{"note", std::string(sb::kMaxAttributeValueLength + 1, 'x')}};
  CHECK_THAT(Message(sb::ValidateAttributes(big_value, "a")), Contains("['note']"));
  sb::Attributes too_many;
  for (size_t i = 0; i <= sb::kMaxAttributes; ++i) too_many["k" + std::to_string(i)] = "v";
  CHECK_FALSE(sb::ValidateAttributes(too_many, "a").ok());
}

TEST_CASE("identifiers need a value and, for some kinds, a scope") {
  CHECK(sb::Identifier{sb::IdentifierKind::kEmail, "a@b.c", ""}.Validate().ok());
  CHECK_FALSE(sb::Identifier{sb::IdentifierKind::kEmail, "", ""}.Validate().ok());
  CHECK_THAT(Message(sb::Identifier{sb::IdentifierKind::kSocialHandle, "@ana", ""}.Validate()),
             Contains("scope"));
  CHECK(sb::Identifier{sb::IdentifierKind::kSocialHandle, "@ana", "x"}.Validate().ok());
  CHECK_FALSE(sb::Identifier{static_cast<sb::IdentifierKind>(99), "v", ""}.Validate().ok());
  for (int k = 0; k < sb::kIdentifierKindCount; ++k) {
    auto kind = static_cast<sb::IdentifierKind>(k);
    auto parsed = sb::ParseIdentifierKind(sb::IdentifierKindName(kind));
    REQUIRE(parsed.ok());
    CHECK(*parsed == kind);
  }
  const auto unknown = sb::ParseIdentifierKind("fax");
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(unknown.status()), Contains("unknown identifier kind 'fax'"));
  std::vector<sb::Identifier> many(sb::kMaxIdentifiers + 1,
                                   sb::Identifier{sb::IdentifierKind::kEmail, "a@b.c", ""});
  CHECK_THAT(Message(sb::ValidateIdentifiers(many, "event.identifiers")),
             Contains("event.identifiers has 33 entries, more than 32"));
  many.pop_back();
  CHECK(sb::ValidateIdentifiers(many, "event.identifiers").ok());
}

// Messages quote times in UTC: the same input gives the same message on every host. ctest runs
// this case a second time with TZ set far from UTC (tests/CMakeLists.txt, "time_zone:"), where
// SWITCHBOARD_TEST_ZONE names the zone so that the run cannot pass in UTC by mistake.
TEST_CASE("a time in a message is in UTC whatever the host's time zone") {
  if (const char* zone = std::getenv("SWITCHBOARD_TEST_ZONE")) {
    REQUIRE(absl::LocalTimeZone().name() == zone);
  }
  sb::Contact c = ValidContact();
  c.arrived_at = absl::UnixEpoch() - absl::Seconds(1);
  CHECK_THAT(Message(c.Validate()),
             Contains("contact.arrived_at is 1969-12-31T23:59:59+00:00, before the Unix epoch"));
}

TEST_CASE("contact validation names the field and the contact") {
  CHECK(ValidContact().Validate().ok());

  auto expect_error = [](sb::Contact c, const std::string& fragment) {
    absl::Status s = c.Validate();
    INFO(Message(s));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Contains(fragment));
  };
  sb::Contact c = ValidContact();
  c.id = sb::ContactId("");
  expect_error(c, "contact.id is empty");

  c = ValidContact();
  c.tenant = sb::TenantId("");
  expect_error(c, "contact 'call-1': contact.tenant");

  c = ValidContact();
  c.channel = static_cast<sb::Channel>(77);
  expect_error(c, "contact.channel 77");

  c = ValidContact();
  c.required_skills[0].min_proficiency = 11;
  expect_error(c, "contact.required_skills[0].min_proficiency");

  c = ValidContact();
  c.arrived_at = absl::UnixEpoch() - absl::Seconds(1);
  expect_error(c, "before the Unix epoch");

  c = ValidContact();
  c.priority = -1;
  expect_error(c, "contact.priority");

  c = ValidContact();
  c.language = "english language";
  expect_error(c, "contact.language");

  c = ValidContact();
  c.attributes["blob"] = std::string(sb::kMaxAttributeValueLength + 1, 'x');
  expect_error(c, "contact.attributes['blob']");

  c = ValidContact();
  c.service_level = sb::ServiceLevelTarget{1.5, absl::Seconds(20)};
  expect_error(c, "contact.service_level.fraction");

  c = ValidContact();
  c.preferred_agent = sb::AgentId("");
  expect_error(c, "contact.preferred_agent");

  c = ValidContact();
  c.preferred_agent = sb::AgentId("ana");
  c.preferred_agent_wait = absl::Seconds(-1);
  expect_error(c, "contact.preferred_agent_wait is -1s, outside 0..24h");
  c.preferred_agent_wait = absl::Hours(25);
  expect_error(c, "contact.preferred_agent_wait is 25h, outside 0..24h");
  c.preferred_agent.reset();
  c.preferred_agent_wait = absl::Seconds(30);
  expect_error(c, "contact.preferred_agent_wait is set but contact.preferred_agent is not");

  c = ValidContact();
  c.identifiers.push_back({sb::IdentifierKind::kCustom, "123", ""});
  expect_error(c, "contact.identifiers[1]");

  c = ValidContact();
  c.direction = static_cast<sb::Direction>(9);
  expect_error(c, "contact 'call-1': contact.direction is not inbound or outbound");
}

TEST_CASE("agent validation covers capacity, skills, queues and languages") {
  CHECK(ValidAgent().Validate().ok());
  auto expect_error = [](sb::Agent a, const std::string& fragment) {
    absl::Status s = a.Validate();
    INFO(Message(s));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Contains(fragment));
  };
  sb::Agent a = ValidAgent();
  a.capacities[1].max_concurrent = -1;
  expect_error(a, "agent 'ana': agent.capacities[1].max_concurrent (chat) is -1");

  a = ValidAgent();
  a.queues[0].delay = absl::Hours(25);
  expect_error(a, "agent 'ana': agent.queues[0].delay is 25h, outside 0..24h");
  a.queues[0].delay = -absl::Seconds(1);
  expect_error(a, "agent.queues[0].delay is -1s, outside 0..24h");
  a.queues[0].delay = sb::kMaxMembershipDelay;
  CHECK(a.Validate().ok());

  a = ValidAgent();
  a.capacities[1].channel = static_cast<sb::Channel>(77);
  expect_error(a, "agent 'ana': agent.capacities[1].channel 77 is not a known channel");

  a = ValidAgent();
  a.capacity_units = 0;
  expect_error(a, "agent.capacity_units");

  a = ValidAgent();
  a.capacities[0].cost_units = 101;
  expect_error(a, "cost_units (voice)");

  a = ValidAgent();
  a.capacities.push_back(sb::DefaultCapacity(sb::Channel::kVoice));
  expect_error(a, "repeats channel voice");

  a = ValidAgent();
  a.skills[0].proficiency = 0;
  expect_error(a, "agent.skills[0].proficiency");

  a = ValidAgent();
  a.queues.push_back({sb::QueueId("billing"), 2, absl::ZeroDuration()});
  expect_error(a, "repeats queue 'billing'");

  a = ValidAgent();
  a.queues[0].delay = -absl::Seconds(1);
  expect_error(a, "agent.queues[0].delay");

  a = ValidAgent();
  a.queues[0].priority = 0;
  expect_error(a, "agent.queues[0].priority");

  a = ValidAgent();
  a.queues.clear();
  for (std::size_t i = 0; i < sb::kMaxAgentQueues; ++i) {
    a.queues.push_back({sb::QueueId("q-" + std::to_string(i)), 1, absl::ZeroDuration()});
  }
  CHECK(a.Validate().ok());
  a.queues.push_back({sb::QueueId("one-too-many"), 1, absl::ZeroDuration()});
  expect_error(a, "agent.queues has 4097 entries, more than 4096");

  a = ValidAgent();
  a.languages.push_back("");
  expect_error(a, "agent.languages[2] is empty");

  a = ValidAgent();
  a.status.state = static_cast<sb::AgentState>(9);
  expect_error(a, "agent.status.state");
}

TEST_CASE("agent helpers answer capacity, proficiency and language questions") {
  sb::Agent a = ValidAgent();
  REQUIRE(a.CapacityFor(sb::Channel::kChat).has_value());
  CHECK(a.CapacityFor(sb::Channel::kChat)->max_concurrent == 3);
  CHECK_FALSE(a.CapacityFor(sb::Channel::kEmail).has_value());
  CHECK(a.ProficiencyIn("billing") == 8);
  CHECK(a.ProficiencyIn("sales") == 0);
  CHECK(a.SpeaksLanguage("es"));
  CHECK(a.SpeaksLanguage(""));
  CHECK_FALSE(a.SpeaksLanguage("he"));
}

TEST_CASE("queue validation covers channels, sizes and durations") {
  CHECK(ValidQueue().Validate().ok());
  auto expect_error = [](sb::Queue q, const std::string& fragment) {
    absl::Status s = q.Validate();
    INFO(Message(s));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Contains(fragment));
  };
  sb::Queue q = ValidQueue();
  q.channels.clear();
  expect_error(q, "queue 'billing': queue.channels is empty");
  q = ValidQueue();
  q.channels.push_back(static_cast<sb::Channel>(50));
  expect_error(q, "queue.channels[2] 50");
  q = ValidQueue();
  q.channels.push_back(sb::Channel::kVoice);
  expect_error(q, "repeats voice");
  q = ValidQueue();
  q.max_waiting = -3;
  expect_error(q, "queue.max_waiting");
  q = ValidQueue();
  q.service_level.threshold = absl::ZeroDuration();
  expect_error(q, "queue.service_level.threshold");
  q = ValidQueue();
  q.wrap_up = absl::Hours(2);
  expect_error(q, "queue.wrap_up");
  q = ValidQueue();
  q.offer_timeout = absl::ZeroDuration();
  expect_error(q, "queue.offer_timeout");
  q = ValidQueue();
  q.priority = 0;
  expect_error(q, "queue.priority");
  q = ValidQueue();
  q.order = static_cast<sb::QueueOrder>(5);
  expect_error(q, "queue 'billing': queue.order is not fifo or lifo");
  CHECK(ValidQueue().Serves(sb::Channel::kChat));
  CHECK_FALSE(ValidQueue().Serves(sb::Channel::kEmail));
}

TEST_CASE("touchpoint events and journeys validate ids, times, tenant and order") {
  CHECK(ValidEvent("e1", 100).Validate().ok());
  sb::TouchpointEvent e = ValidEvent("e1", 100);
  e.tenant = sb::TenantId("");
  CHECK_THAT(Message(e.Validate()), Contains("event 'e1': event.tenant is empty"));
  e = ValidEvent("e1", 100);
  e.occurred_at = absl::UnixEpoch() - absl::Hours(1);
  CHECK_THAT(Message(e.Validate()), Contains("event.occurred_at"));
  e = ValidEvent("e1", 100);
  e.type = static_cast<sb::EventType>(200);
  CHECK_THAT(Message(e.Validate()), Contains("event.type 200"));

  sb::Journey j;
  j.tenant = sb::TenantId("acme");
  j.customer = sb::CustomerId("cust-1");
  j.events = {ValidEvent("e1", 100), ValidEvent("e2", 100), ValidEvent("e0", 200)};
  CHECK(j.Validate().ok());
  std::swap(j.events[0], j.events[2]);
  CHECK_THAT(Message(j.Validate()), Contains("out of order"));
  j.events = {ValidEvent("e1", 100), ValidEvent("e2", 150), ValidEvent("e1", 200)};
  CHECK_THAT(Message(j.Validate()), Contains("repeats event 'e1'"));
  j.events = {ValidEvent("e1", 100)};
  j.events[0].tenant = sb::TenantId("other");
  CHECK_THAT(Message(j.Validate()), Contains("belongs to tenant 'other'"));

  for (int t = 0; t < sb::kEventTypeCount; ++t) {
    auto type = static_cast<sb::EventType>(t);
    auto parsed = sb::ParseEventType(sb::EventTypeName(type));
    REQUIRE(parsed.ok());
    CHECK(*parsed == type);
  }
  const auto unknown = sb::ParseEventType("fax");
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(unknown.status()), Contains("unknown event type 'fax'"));
}

TEST_CASE("manual clock moves only forward") {
  sb::ManualClock clock(absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  CHECK(clock.Now() == absl::FromUnixSeconds(105));
  clock.Advance(-absl::Seconds(50));
  CHECK(clock.Now() == absl::FromUnixSeconds(105));
  clock.Set(absl::FromUnixSeconds(90));
  CHECK(clock.Now() == absl::FromUnixSeconds(105));
  clock.Set(absl::FromUnixSeconds(200));
  CHECK(clock.Now() == absl::FromUnixSeconds(200));
  sb::RealClock real;
  CHECK(real.Now() > absl::FromUnixSeconds(1'600'000'000));
}

TEST_CASE("free text must be UTF-8 because the wire format's strings are") {
  using switchboard::internal::IsValidUtf8;
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xf0\x9f\x93\x9e"));
  CHECK_FALSE(IsValidUtf8("\xff"));                  // never a lead byte
  CHECK_FALSE(IsValidUtf8("\xc3"));                  // truncated sequence
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xe0\x80\xaf"));          // overlong 3-byte form
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));          // UTF-16 surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));      // past U+10FFFF
  CHECK_FALSE(IsValidUtf8("ok\xe2\x82"));            // truncated at the end
  // ASCII is checked eight bytes at a time: bad bytes right after, inside and across words.
  CHECK(IsValidUtf8("sixteen ascii ch" "caf\xc3\xa9" "and more ascii after it"));
  CHECK(IsValidUtf8("1234567\xc3\xa9" "89abcdef"));      // a sequence across two words
  CHECK_FALSE(IsValidUtf8("eight ch\xff"));
  CHECK_FALSE(IsValidUtf8("exactly sixteen!\xc3"));
  CHECK_FALSE(IsValidUtf8("seven c\xe2\x82" "then ascii words"));  // truncated mid-text
  CHECK_FALSE(IsValidUtf8("twenty-four ascii bytes.\x80"));  // a lone continuation byte

  sb::Contact c = ValidContact();
  c.attributes["note"] = "caf\xc3\xa9";
  CHECK(c.Validate().ok());
  c.attributes["note"] = "bad \xff byte";
  CHECK_THAT(Message(c.Validate()), Contains("contact.attributes['note'] is not valid UTF-8"));
  c = ValidContact();
  c.identifiers[0].value = "\xc3";
  CHECK_THAT(Message(c.Validate()), Contains("contact.identifiers[0] (phone) is not valid UTF-8"));
  sb::Agent a = ValidAgent();
  a.name = "Dor\xc3\xad";
  CHECK(a.Validate().ok());
  a.name = "\xed\xa0\x80";
  CHECK_THAT(Message(a.Validate()), Contains("agent.name is not valid UTF-8"));
}
