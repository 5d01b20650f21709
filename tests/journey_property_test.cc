// Randomized properties of the journey merger (fixed seeds, printed on failure):
//  1. the same events fed in any order, with duplicates, give identical customers, ids,
//     journeys, traits and merge records;
//  2. an explicit merge followed by its split restores the exact prior state;
//  3. after Forget nothing is left of the customer: the state equals that of a merger that never
//     saw its events, and a replay of them is ignored;
//  4. splitting an automatic merge leaves the two sides apart and every event resolved;
//  5. a hostile event (damaged on the wire or in C++) is rejected with nothing changed, or is
//     stored whole with one report per identifier;
//  6. 1 again under tight identity rules (limits, shared values, expiry, unique ids), with what
//     lookups by identifier and the snapshots of a contact carrying it answer;
//  7. a snapshot's verification is that of the customer's events up to the snapshot's time;
//  8. IngestBatch in chunks of any size gives exactly the results and state of one Ingest per
//     event, invalid, duplicate, erased and other tenants' events included;
//  9. 1 and 3 with values shared by many customers (store tablets) and late events among them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "src/internal/str_cat.h"
#include "switchboard/clock.h"
#include "switchboard/journey_merger.h"
#include "switchboard/wire/core_convert.h"
#include "tests/full_journey_store.h"
#include "tests/proto_garbage.h"
#include "tests/seeded_random.h"

namespace sb = switchboard;
using sb::internal::StrCat;
using K = sb::IdentifierKind;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const sb::TenantId kAcme("acme");
const uint64_t kSeeds[] = {1, 7, 42, 2024, 31337, 99991};

using sbt::Below;
using sbt::Shuffle;

// `events` plus `repeats` of them again (redeliveries), in a random order.
std::vector<sb::TouchpointEvent> ShuffledWithRepeats(const std::vector<sb::TouchpointEvent>& events,
                                                     int repeats, std::mt19937_64& rng) {
  std::vector<sb::TouchpointEvent> out = events;
  for (int d = 0; d < repeats; ++d) out.push_back(events[Below(rng, events.size())]);
  Shuffle(&out, rng);
  return out;
}

struct Persona {
  std::string phone, email, account, cookie;
};

// A tenant's worth of events: personas with a few identifiers each, family phones shared by two
// personas, a team mailbox, blocked and malformed values, cookies that expire, traits, context
// attributes, and many events at the same minute (ties broken by id). With `cookie_pool` > 0,
// each event carries one of that many cookies of its persona instead of the persona's one.
std::vector<sb::TouchpointEvent> RandomEvents(uint64_t seed, int personas, int events,
                                              int cookie_pool = 0) {
  std::mt19937_64 rng(seed);
  std::vector<Persona> people(personas);
  for (int p = 0; p < personas; ++p) {
    Persona& x = people[p];
    // Every 5th persona shares the phone of the previous one (a family phone).
    int phone_owner = (p % 5 == 4) ? p - 1 : p;
    x.phone = StrCat("+1415555", 1000 + phone_owner);
    x.email = p % 7 == 6 ? "team@corp.example" : StrCat("p", p, "@example.com");
    x.account = StrCat("AC-", p);
    x.cookie = StrCat("ck-", p, "-", Below(rng, 3));
  }
  static const char* kLanguages[] = {"en", "es", "pt", ""};
  static const char* kTiers[] = {"gold", "silver", "bronze"};
  static const char* kIntents[] = {"billing", "move", "cancel", "upgrade"};
  static const char* kSources[] = {"crm", "web", "ivr"};
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    const Persona& x = people[Below(rng, personas)];
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat("e", i));
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = e.received_at = kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 90)) / 30 * 30);
    e.source_system = kSources[Below(rng, 3)];
    uint64_t mask = 1 + Below(rng, 15);
    if (mask & 1) e.identifiers.push_back({K::kPhone, x.phone, ""});
    if (mask & 2) e.identifiers.push_back({K::kEmail, x.email, ""});
    if (mask & 4) e.identifiers.push_back({K::kAccountId, x.account, ""});
    if (mask & 8) {
      const std::string cookie =
          cookie_pool > 0 ? StrCat(x.cookie, "-", Below(rng, static_cast<uint64_t>(cookie_pool)))
                          : x.cookie;
      e.identifiers.push_back({K::kDeviceId, cookie, ""});
    }
    if (Below(rng, 20) == 0) e.identifiers.push_back({K::kEmail, "anonymous", ""});
    if (Below(rng, 20) == 0) e.identifiers.push_back({K::kPhone, "not a phone", ""});
    if (Below(rng, 3) == 0) e.attributes["language"] = kLanguages[Below(rng, 4)];
    if (Below(rng, 4) == 0) e.attributes["tier"] = kTiers[Below(rng, 3)];
    if (Below(rng, 2) == 0) e.attributes["intent"] = kIntents[Below(rng, 4)];
    if (Below(rng, 3) == 0) e.attributes["agent_id"] = StrCat("agent-", Below(rng, 5));
    if (Below(rng, 5) == 0) e.attributes["identity_verified"] = "true";
    if (e.type == sb::EventType::kAgentNote) e.attributes["note"] = StrCat("note ", i);
    if (e.type == sb::EventType::kCaseOpened || e.type == sb::EventType::kCaseResolved) {
      e.attributes["case_id"] = StrCat("case-", Below(rng, 4));
    }
    out.push_back(std::move(e));
  }
  return out;
}

sb::JourneyMergerOptions DefaultOptions() {
  sb::JourneyMergerOptions options;
  options.identity.For(K::kDeviceId).expiry = absl::Hours(24 * 7);
  return options;
}

struct Harness {
  explicit Harness(const sb::JourneyMergerOptions& options = DefaultOptions())
      : clock(kT0 + absl::Hours(24 * 365)) {
    merger = *sb::JourneyMerger::Create(options, &clock);
  }
  void Feed(const std::vector<sb::TouchpointEvent>& events) {
    for (const auto& e : events) REQUIRE(merger->Ingest(e).ok());
  }
  sb::ManualClock clock;
  std::unique_ptr<sb::JourneyMerger> merger;
};

// Everything a host can observe, as text (so a failure shows the difference).
std::string Dump(const sb::JourneyMerger& m) {
  std::string out;
  for (const sb::CustomerId& id : m.ListCustomers(kAcme)) {
    auto p = m.GetCustomer(kAcme, id);
    auto j = m.GetJourney(kAcme, id);
    out += StrCat("customer ", id.value(), " events", p->event_count, "\n  journey:");
    for (const auto& e : j->events) out += StrCat(" ", e.id.value());
    out += "\n  aliases:";
    for (const auto& a : p->aliases) out += StrCat(" ", a.value());
    out += "\n  ids:";
    for (const auto& ci : p->identifiers) {
      out += StrCat(" ", sb::IdentifierKindName(ci.kind), ":", ci.value, "/",
                    sb::ValueLinkName(ci.link), ci.verified ? "/v" : "", "(", ci.raw, ")");
    }
    out += "\n  traits:";
    for (const auto& t : p->traits) {
      out += StrCat(" ", t.field, "=", t.value, "[");
      for (const auto& h : t.history) out += StrCat(h.value, "x", h.count, ",");
      out += "]";
    }
    out += "\n  merges:";
    for (const auto& mid : p->merges) out += StrCat(" ", mid);
    auto snap = m.SnapshotOf(kAcme, id, "billing", kT0 + absl::Hours(24 * 91));
    out += StrCat("\n  snapshot: agent=", snap->last_agent ? snap->last_agent->value() : "-",
                  " intent=", snap->last_intent, " verified=", snap->identity_verified,
                  " repeat=", snap->repeat_contact, " cases=", snap->open_cases.size(), " notes=", snap->notes.size(),
                  " lang=", snap->language, " tier=", snap->tier, " recent=",
                  snap->recent.size(), "\n");
    // Mid-history too, where verifications after the snapshot's time exist (Dense: ~2.5 days in;
    // Random: 45 days in).
    for (absl::Time at : {kT0 + absl::Hours(60), kT0 + absl::Hours(24 * 45)}) {
      auto past = m.SnapshotOf(kAcme, id, "", at);
      out += StrCat("  verified at ", absl::FormatTime(at), ": ", past->identity_verified, " ",
                    absl::FormatTime(past->verified_at), "\n");
    }
  }
  for (const sb::MergeRecord& r : m.ListMerges(kAcme)) {
    out += StrCat("merge ", r.id, " ", r.survivor.value(), "<-", r.absorbed.value(), " by ",
                  r.evidence.value(), " on ", r.identifier_key, " at ", absl::FormatTime(r.at),
                  "\n");
  }
  return out;
}

// A few identifiers of every kind shared at random among events 12 hours apart, so that limits,
// shared values, cookie expiry, unique-id conflicts and merges all meet within 40 events.
std::vector<sb::Identifier> DensePool() {
  std::vector<sb::Identifier> p;
  for (int i = 0; i < 4; ++i) p.push_back({K::kPhone, StrCat("+1415555", 1000 + i), ""});
  for (int i = 0; i < 4; ++i) p.push_back({K::kEmail, StrCat("u", i, "@ex.com"), ""});
  for (int i = 0; i < 3; ++i) p.push_back({K::kAccountId, StrCat("AC-", i), ""});
  for (int i = 0; i < 3; ++i) p.push_back({K::kDeviceId, StrCat("ck-", i), ""});
  for (int i = 0; i < 2; ++i) p.push_back({K::kCustom, StrCat("L", i), "loyalty"});
  for (int i = 0; i < 2; ++i) p.push_back({K::kChannelOpaque, StrCat("wa", i), "whatsapp"});
  return p;
}

std::vector<sb::TouchpointEvent> DenseEvents(uint64_t seed, int events) {
  std::mt19937_64 rng(seed);
  const std::vector<sb::Identifier> pool = DensePool();
  static const char* kValues[] = {"en", "es", "", "pt"};
  static const char* kSources[] = {"crm", "web", "ivr"};
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat(Below(rng, 2) ? "e" : "ev", i));  // string order is not numeric
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = e.received_at = kT0 + absl::Hours(static_cast<int64_t>(Below(rng, 12)) * 12);
    e.source_system = kSources[Below(rng, 3)];
    for (uint64_t j = 0, k = 1 + Below(rng, 3); j < k; ++j) {
      e.identifiers.push_back(pool[Below(rng, pool.size())]);
    }
    if (Below(rng, 3) == 0) e.attributes["language"] = kValues[Below(rng, 4)];
    if (Below(rng, 3) == 0) e.attributes["tier"] = kValues[Below(rng, 4)];
    if (Below(rng, 3) == 0) e.attributes["first"] = kValues[Below(rng, 4)];
    if (Below(rng, 2) == 0) e.attributes["intent"] = Below(rng, 2) ? "billing" : "move";
    if (Below(rng, 4) == 0) e.attributes["identity_verified"] = "true";
    if (e.type == sb::EventType::kCaseOpened || e.type == sb::EventType::kCaseResolved) {
      e.attributes["case_id"] = StrCat("case-", Below(rng, 3));
    }
    out.push_back(std::move(e));
  }
  return out;
}

// Tight limits: two phones and e-mails per customer, cookies that expire within two days and
// (variant 1) turn shared on a third customer, a unique custom id that (variant 0) turns shared
// on a second, channel-opaque ids that (variant 1) link nobody, a first-seen trait. Variants 2
// and 3 allow one phone, e-mail and cookie each, so that most events meet a limit; in variant 3
// e-mails are as trusted as phones (ties decided by what is already linked) and never shared.
constexpr int kTightVariants = 4;
sb::JourneyMergerOptions TightOptions(int variant) {
  sb::JourneyMergerOptions o;
  o.identity.For(K::kPhone).max_values = 2;
  o.identity.For(K::kEmail).max_values = 2;
  o.identity.For(K::kDeviceId).expiry = absl::Hours(30);
  o.identity.For(K::kDeviceId).shared_after = variant == 1 ? 3 : 0;
  o.identity.For(K::kChannelOpaque).matches = variant == 0;  // a contact point only
  o.identity.custom_kinds.push_back({"loyalty", {}});
  o.identity.custom_kinds.back().rule.unique = true;
  o.identity.custom_kinds.back().rule.shared_after = variant == 0 ? 2 : 0;
  o.traits.push_back({"first", "", sb::ReconciliationRule::kFirstSeen, variant == 0, {}});
  o.snapshot.max_candidates = 2;  // shared values have more holders: the cut is exercised
  if (variant >= 2) {
    o.identity.For(K::kPhone).max_values = 1;
    o.identity.For(K::kEmail).max_values = 1;
    o.identity.For(K::kDeviceId).max_values = 1;
  }
  if (variant == 3) {
    o.identity.For(K::kEmail).priority = o.identity.For(K::kPhone).priority;
    o.identity.For(K::kEmail).shared_after = 0;
    o.identity.For(K::kPhone).shared_after = 3;
    o.identity.custom_kinds.back().rule.shared_after = 0;
  }
  return o;
}

// Dump() plus what lookups by each identifier of the pool answer.
std::string DumpWithLookups(const sb::JourneyMerger& m) {
  std::string out = Dump(m);
  for (const sb::Identifier& id : DensePool()) {
    auto found = m.FindByIdentifier(kAcme, id);
    out += StrCat("find ", id.value, ": ");
    if (!found.ok()) {
      out += StrCat(found.status().ToString(), "\n");
      continue;
    }
    out += StrCat(found->customer ? found->customer->value() : "-", " shared=", found->shared,
                  " [");
    for (const auto& c : found->possible) out += StrCat(c.value(), ",");
    out += "]\n";
    // The "possibly A or B" list is ranked and cut (max_candidates = 2 here): the cut too must
    // not depend on arrival order.
    sb::Contact contact;
    contact.id = sb::ContactId("probe");
    contact.tenant = kAcme;
    contact.identifiers = {id};
    contact.arrived_at = kT0 + absl::Hours(24 * 6);
    auto snap = m.SnapshotFor(contact);
    out += StrCat("  snapshot: ", snap->customer ? snap->customer->value() : "-", " [");
    for (const auto& c : snap->possible_customers) out += StrCat(c.value(), ",");
    out += "]\n";
  }
  return out;
}

}  // namespace

// Catches two order-dependent resolutions the looser events above did not reach, fixed in
// a23c3e5 (a merge made the survivor a holder of values it did not hold; failed at seed 39) and
// fe42170 (a late event applied on top of a value another event had since made shared or
// expired; failed at seed 234). A third, a late event changing a customer whose limit had
// turned a later event away (de02985), showed only at seed 53467 of a longer run; its scenario
// test in journey_merger_test.cc pins it.
TEST_CASE("under tight identity rules, any order still gives the same result") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    for (int variant = 0; variant < kTightVariants; ++variant) {
      INFO("seed " << seed << " variant " << variant);
      std::vector<sb::TouchpointEvent> events = DenseEvents(seed, 40);
      std::vector<sb::TouchpointEvent> sorted = events;
      std::sort(sorted.begin(), sorted.end(), sb::JourneyOrderLess);
      Harness reference(TightOptions(variant));
      reference.Feed(sorted);
      const std::string expected = DumpWithLookups(*reference.merger);
      std::mt19937_64 rng(seed * 131 + static_cast<uint64_t>(variant));
      for (int round = 0; round < 2; ++round) {
        INFO("round " << round);
        const std::vector<sb::TouchpointEvent> shuffled = ShuffledWithRepeats(events, 4, rng);
        Harness h(TightOptions(variant));
        h.Feed(shuffled);
        REQUIRE(DumpWithLookups(*h.merger) == expected);
      }
    }
  }
}

TEST_CASE("any order with duplicates gives the same customers, journeys and traits") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 60, 600);
    std::vector<sb::TouchpointEvent> sorted = events;
    std::sort(sorted.begin(), sorted.end(), sb::JourneyOrderLess);
    Harness reference;
    reference.Feed(sorted);
    const std::string expected = Dump(*reference.merger);
    REQUIRE(reference.merger->ListCustomers(kAcme).size() > 5);

    std::mt19937_64 rng(seed * 7919);
    for (int round = 0; round < 3; ++round) {
      INFO("round " << round);
      const std::vector<sb::TouchpointEvent> shuffled = ShuffledWithRepeats(events, 40, rng);
      Harness h;
      h.Feed(shuffled);
      CHECK(Dump(*h.merger) == expected);
    }
  }
}

// Customers with dozens of identifier values, whose values are found through an index rather
// than by a scan of their list (from 32 on): cookies beyond the kind's limit stay unlinked,
// others expire, families merge.
TEST_CASE("customers with many identifier values: any order gives the same result") {
  for (uint64_t seed : kSeeds) {
    for (int limit : {20, 0}) {  // the default limit on cookies, and none
      INFO("seed " << seed << " cookie limit " << limit);
      sb::JourneyMergerOptions options = DefaultOptions();
      options.identity.For(K::kDeviceId).max_values = limit;
      std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 12, 1200, 60);
      std::vector<sb::TouchpointEvent> sorted = events;
      std::sort(sorted.begin(), sorted.end(), sb::JourneyOrderLess);
      Harness reference(options);
      reference.Feed(sorted);
      const std::string expected = Dump(*reference.merger);
      size_t most_values = 0;
      for (const sb::CustomerId& id : reference.merger->ListCustomers(kAcme)) {
        most_values =
            std::max(most_values, reference.merger->GetCustomer(kAcme, id)->identifiers.size());
      }
      REQUIRE(most_values > 32);  // past the index's threshold
      std::mt19937_64 rng(seed * 6007 + static_cast<uint64_t>(limit));
      for (int round = 0; round < 2; ++round) {
        INFO("round " << round);
        const std::vector<sb::TouchpointEvent> shuffled = ShuffledWithRepeats(events, 40, rng);
        Harness h(options);
        h.Feed(shuffled);
        CHECK(Dump(*h.merger) == expected);
      }
    }
  }
}

// Store tablets: three device ids on the events of many customers (shared from the third on),
// beside each customer's own e-mail and sometimes phone, at times with many ties. A late event
// carrying a tablet shared before it leaves the tablet's other holders alone; one earlier than
// the sharing re-resolves them. Checks every order against the sorted one, and erasure of a
// customer against a merger that never saw its events.
std::vector<sb::TouchpointEvent> TabletEvents(uint64_t seed, int personas, int events) {
  std::mt19937_64 rng(seed);
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    const uint64_t p = Below(rng, static_cast<uint64_t>(personas));
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat(Below(rng, 2) ? "t" : "e", i));
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = sb::Channel::kInPerson;
    e.occurred_at = e.received_at = kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 300)) * 5);
    e.source_system = "store";
    if (Below(rng, 4) != 0)
      e.identifiers.push_back({K::kEmail, StrCat("p", p, "@example.com"), ""});
    if (Below(rng, 3) == 0)
      e.identifiers.push_back({K::kPhone, StrCat("+1415555", 1000 + p / 2), ""});
    if (Below(rng, 3) != 0)
      e.identifiers.push_back({K::kDeviceId, StrCat("tab-", Below(rng, 3)), ""});
    if (e.identifiers.empty())
      e.identifiers.push_back({K::kEmail, StrCat("p", p, "@example.com"), ""});
    if (Below(rng, 2) == 0) e.attributes["intent"] = Below(rng, 2) ? "billing" : "move";
    out.push_back(std::move(e));
  }
  return out;
}

std::string DumpWithTablets(const sb::JourneyMerger& m) {
  std::string out = Dump(m);
  for (int t = 0; t < 3; ++t) {
    auto found = m.FindByIdentifier(kAcme, {K::kDeviceId, StrCat("tab-", t), ""});
    out += StrCat("tab-", t, ": ");
    if (!found.ok()) {
      out += StrCat(found.status().ToString(), "\n");
      continue;
    }
    out +=
        StrCat(found->customer ? found->customer->value() : "-", " shared=", found->shared, " [");
    for (const auto& c : found->possible) out += StrCat(c.value(), ",");
    out += "]\n";
  }
  return out;
}

TEST_CASE("values shared by many customers: any order and erasure give the same result") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    const std::vector<sb::TouchpointEvent> events = TabletEvents(seed, 40, 400);
    std::vector<sb::TouchpointEvent> sorted = events;
    std::sort(sorted.begin(), sorted.end(), sb::JourneyOrderLess);
    Harness reference;
    reference.Feed(sorted);
    const std::string expected = DumpWithTablets(*reference.merger);
    REQUIRE(reference.merger->FindByIdentifier(kAcme, {K::kDeviceId, "tab-0", ""})->shared);
    std::mt19937_64 rng(seed * 4099);
    for (int round = 0; round < 2; ++round) {
      INFO("round " << round);
      Harness h;
      h.Feed(ShuffledWithRepeats(events, 20, rng));
      REQUIRE(DumpWithTablets(*h.merger) == expected);
      // Erase a customer: the rest is as if its events had never come.
      const std::vector<sb::CustomerId> customers = h.merger->ListCustomers(kAcme);
      const sb::CustomerId victim = customers[Below(rng, customers.size())];
      INFO("forget " << victim.value());
      absl::StatusOr<sb::Journey> journey = h.merger->GetJourney(kAcme, victim);
      REQUIRE(journey.ok());
      REQUIRE(h.merger->Forget(kAcme, victim).ok());
      std::vector<sb::TouchpointEvent> rest;
      for (const sb::TouchpointEvent& e : sorted) {
        if (std::none_of(journey->events.begin(), journey->events.end(),
                         [&](const sb::TouchpointEvent& v) { return v.id == e.id; })) {
          rest.push_back(e);
        }
      }
      Harness fresh;
      fresh.Feed(rest);
      CHECK(DumpWithTablets(*h.merger) == DumpWithTablets(*fresh.merger));
    }
  }
}

TEST_CASE("an explicit merge then its split restores the exact prior state") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    Harness h;
    std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 30, 200);
    Shuffle(&events, rng);
    h.Feed(events);
    for (int round = 0; round < 4; ++round) {
      INFO("round " << round);
      const std::string before = Dump(*h.merger);
      std::vector<sb::CustomerId> customers = h.merger->ListCustomers(kAcme);
      REQUIRE(customers.size() >= 2);
      size_t a = Below(rng, customers.size());
      size_t b = (a + 1 + Below(rng, customers.size() - 1)) % customers.size();
      auto merged = h.merger->Merge(kAcme, customers[a], customers[b], "property", "tester");
      REQUIRE(merged.ok());
      // (Other customers may change too: later events now see the merged customer's limits.)
      CHECK(*h.merger->Resolve(kAcme, customers[a]) == *h.merger->Resolve(kAcme, customers[b]));
      REQUIRE(h.merger->Split(kAcme, merged->id, "tester").ok());
      CHECK(Dump(*h.merger) == before);
    }
  }
}

TEST_CASE("nothing is left of a forgotten customer") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 30, 200);
    Harness h;
    h.Feed(events);
    std::vector<sb::CustomerId> customers = h.merger->ListCustomers(kAcme);
    sb::CustomerId victim = customers[Below(rng, customers.size())];
    auto journey = h.merger->GetJourney(kAcme, victim);
    auto profile = h.merger->GetCustomer(kAcme, victim);
    REQUIRE(journey.ok());
    auto report = h.merger->Forget(kAcme, victim);
    REQUIRE(report.ok());
    CHECK(report->events == static_cast<int64_t>(journey->events.size()));

    // The same state as a merger that never saw the victim's events.
    std::vector<sb::TouchpointEvent> rest;
    for (const auto& e : events) {
      bool erased = std::any_of(journey->events.begin(), journey->events.end(),
                                [&](const sb::TouchpointEvent& v) { return v.id == e.id; });
      if (!erased) rest.push_back(e);
    }
    Harness fresh;
    fresh.Feed(rest);
    CHECK(Dump(*h.merger) == Dump(*fresh.merger));

    // No trace: events, ids, aliases; a replay of the erased events is ignored.
    for (const auto& e : journey->events) {
      CHECK(h.merger->store().FindEvent(kAcme, e.id.value()) == sb::kNoHandle);
    }
    CHECK_FALSE(h.merger->Resolve(kAcme, victim).ok());
    for (const auto& alias : profile->aliases) CHECK_FALSE(h.merger->Resolve(kAcme, alias).ok());
    for (const auto& e : journey->events) {
      auto r = h.merger->Ingest(e);
      REQUIRE(r.ok());
      CHECK(r->outcome == sb::IngestOutcome::kErased);
    }
    CHECK(Dump(*h.merger) == Dump(*fresh.merger));
    CHECK(h.merger->store().GetStats(kAcme).tombstones == report->tombstones);
  }
}

TEST_CASE("splitting an automatic merge keeps both sides apart and every event resolved") {
  int splits = 0;
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    Harness h;
    std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 30, 200);
    h.Feed(events);
    std::vector<sb::MergeRecord> merges = h.merger->ListMerges(kAcme);
    if (merges.empty()) continue;
    const sb::MergeRecord m = merges[seed % merges.size()];
    INFO("merge " << m.id);
    auto split = h.merger->Split(kAcme, m.id, "tester");
    REQUIRE(split.ok());
    ++splits;
    CHECK(split->survivor != split->restored);
    int64_t total = 0;
    for (const auto& id : h.merger->ListCustomers(kAcme)) {
      auto j = h.merger->GetJourney(kAcme, id);
      REQUIRE(j->Validate().ok());
      total += static_cast<int64_t>(j->events.size());
    }
    CHECK(total == static_cast<int64_t>(events.size()));
  }
  CHECK(splits > 0);
}

namespace {

// Damage that only Ingest can catch: FromProto would refuse most of it, but a C++ caller can
// hand any of it over directly.
void DamageDirectly(sb::TouchpointEvent* e, sb::testing::ProtoGarbage& g) {
  switch (g.Below(8)) {
    case 0:
      if (!e->identifiers.empty())
        e->identifiers[g.Below(e->identifiers.size())].value = g.HostileText();
      break;
    case 1:
      e->identifiers.push_back({static_cast<K>(g.Below(20)), g.HostileText(), g.HostileText()});
      break;
    case 2:
      for (int i = 0; i < 40; ++i)
        e->identifiers.push_back({K::kEmail, StrCat("m", i, "@x.example"), ""});
      break;
    case 3:
      e->attributes[g.HostileText()] = g.HostileText();
      break;
    case 4: {
      const absl::Time times[] = {absl::InfiniteFuture(), absl::InfinitePast(), absl::UnixEpoch(),
                                  kT0 + absl::Hours(24 * 400), absl::FromUnixSeconds(-5)};
      e->occurred_at = times[g.Below(5)];
      break;
    }
    case 5:
      e->channel = static_cast<sb::Channel>(g.Below(40));
      e->type = static_cast<sb::EventType>(g.Below(40));
      break;
    case 6:
      e->source_system = g.HostileText();
      e->tenant = sb::TenantId(g.HostileText());
      break;
    default:
      e->id = sb::EventId(g.HostileText());
      break;
  }
}

}  // namespace

TEST_CASE("a hostile event is rejected with nothing changed or stored whole") {
  for (uint64_t seed : {kSeeds[0], kSeeds[3]}) {
    INFO("seed " << seed);
    Harness h;
    const std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 20, 120);
    h.Feed({events.begin(), events.begin() + 60});
    sb::testing::ProtoGarbage garbage(seed);
    int rejected = 0;
    int stored = 0;
    for (int round = 0; round < 1000; ++round) {
      INFO("round " << round);
      sb::TouchpointEvent e = events[60 + static_cast<size_t>(round) % 60];
      e.id = sb::EventId(StrCat("h", round));
      if (round % 2 == 0) {  // through the wire: what FromProto lets pass
        sb::v1::TouchpointEvent msg = sb::ToProto(e);
        garbage.Damage(&msg);
        absl::StatusOr<sb::TouchpointEvent> read = sb::FromProto(msg);
        if (!read.ok()) continue;
        e = *std::move(read);
      } else {
        DamageDirectly(&e, garbage);
      }
      const std::string before = Dump(*h.merger);
      const int64_t events_before = h.merger->store().GetStats(kAcme).events;
      absl::StatusOr<sb::IngestResult> r = h.merger->Ingest(e);
      if (!r.ok()) {
        INFO(r.status().ToString());
        CHECK((r.status().code() == absl::StatusCode::kInvalidArgument ||
               r.status().code() == absl::StatusCode::kResourceExhausted));
        CHECK(r.status().message().size() < 1000);
        CHECK(h.merger->store().GetStats(kAcme).events == events_before);
        CHECK(Dump(*h.merger) == before);
        ++rejected;
        continue;
      }
      ++stored;
      if (r->outcome != sb::IngestOutcome::kAccepted) {  // a hostile id may repeat an earlier one
        CHECK(r->identifiers.empty());
        continue;
      }
      REQUIRE(r->identifiers.size() == e.identifiers.size());
      for (const sb::IdentifierReport& report : r->identifiers) CHECK(report.reason.size() < 1000);
      absl::StatusOr<sb::Journey> journey = h.merger->GetJourney(e.tenant, r->customer);
      REQUIRE(journey.ok());
      CHECK(std::any_of(journey->events.begin(), journey->events.end(),
                        [&](const sb::TouchpointEvent& x) { return x.id == e.id; }));
    }
    INFO("rejected " << rejected << ", stored " << stored);
    CHECK(rejected > 20);
    CHECK(stored > 20);
  }
}

namespace {

// One IngestResult as text, reports included, so that two can be compared and a difference shown.
std::string ResultText(const sb::IngestResult& r) {
  std::string out = StrCat("outcome ", static_cast<int>(r.outcome), " customer ",
                           r.customer.value(), " rebuilt ", r.rebuilt, "\n");
  for (const sb::IdentifierReport& report : r.identifiers) {
    out += StrCat("  ", sb::IdentifierKindName(report.identifier.kind), " '",
                  report.identifier.value, "' key '", report.key, "' ",
                  sb::IdentifierOutcomeName(report.outcome), " '", report.reason, "'\n");
  }
  for (const std::string& m : r.merges) out += StrCat("  merge ", m, "\n");
  for (const auto& [old_id, now] : r.retired) {
    out += StrCat("  retired ", old_id.value(), " -> ", now.value(), "\n");
  }
  return out;
}

}  // namespace

// Ingest(event, &result) reuses one result's storage across calls; whatever the previous call
// left in it (more or fewer reports, invalid ones with reasons, merges, a duplicate's or an
// erased event's empty list, an error), each call must read exactly like a fresh result.
TEST_CASE("a reused IngestResult reads exactly like a fresh one") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 30, 300);
    for (int i = 0; i < 60; ++i) events.push_back(events[Below(rng, events.size())]);  // repeats
    sb::TouchpointEvent bad = events[0];
    bad.id = sb::EventId("");
    events.insert(events.begin() + static_cast<std::ptrdiff_t>(Below(rng, events.size())), bad);
    Harness fresh, reused;
    sb::IngestResult result;
    auto both = [&](const sb::TouchpointEvent& e) {
      INFO("event '" << e.id.value() << "'");
      absl::StatusOr<sb::IngestResult> expected = fresh.merger->Ingest(e);
      const absl::Status status = reused.merger->Ingest(e, &result);
      REQUIRE(status == expected.status());
      CHECK(ResultText(result) == ResultText(expected.ok() ? *expected : sb::IngestResult()));
      if (!expected.ok()) return;
      for (const auto& [old_id, now] : expected->retired) {  // each points where it says
        INFO("retired " << old_id.value() << " -> " << now.value());
        CHECK(old_id != now);
        const absl::StatusOr<sb::CustomerId> resolved = fresh.merger->Resolve(e.tenant, old_id);
        REQUIRE(resolved.ok());
        CHECK(*resolved == now);
        CHECK(fresh.merger->Resolve(e.tenant, now).value_or(sb::CustomerId()) == now);
      }
    };
    for (const auto& e : events) both(e);
    // Erased events replayed: kErased with no reports, after results that had some.
    const sb::CustomerId victim = fresh.merger->ListCustomers(kAcme).front();
    auto journey = fresh.merger->GetJourney(kAcme, victim);
    REQUIRE(journey.ok());
    REQUIRE(fresh.merger->Forget(kAcme, victim).ok());
    REQUIRE(reused.merger->Forget(kAcme, victim).ok());
    int fresh_ids = 0;
    for (const auto& e : journey->events) {
      sb::TouchpointEvent accepted = events[Below(rng, events.size())];  // leaves reports
      accepted.id = sb::EventId(StrCat("new-", fresh_ids++));
      both(accepted);
      both(e);
    }
    CHECK(Dump(*reused.merger) == Dump(*fresh.merger));
  }
  sb::ManualClock clock(kT0);
  auto merger = *sb::JourneyMerger::Create(sb::JourneyMergerOptions{}, &clock);
  CHECK(merger->Ingest(sb::TouchpointEvent{}, nullptr).code() ==
        absl::StatusCode::kInvalidArgument);
}

namespace {

// What identity_verified and verified_at must be, read from the journey itself: the latest
// verifying event at or before `now`, if within the window.
std::pair<bool, absl::Time> ExpectedVerification(const sb::Journey& journey, absl::Time now,
                                                 absl::Duration valid_for) {
  for (auto e = journey.events.rbegin(); e != journey.events.rend(); ++e) {
    if (e->occurred_at > now) continue;
    auto v = e->attributes.find("identity_verified");
    if (v == e->attributes.end() || v->second != "true") continue;
    if (now - e->occurred_at > valid_for) break;
    return {true, e->occurred_at};
  }
  return {false, absl::UnixEpoch()};
}

}  // namespace

TEST_CASE("a snapshot's verification counts only the customer's events up to its time") {
  int hidden = 0;  // cases where the customer's latest verification is after `now`
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed * 104729);
    for (bool dense : {false, true}) {
      std::vector<sb::TouchpointEvent> events =
          dense ? DenseEvents(seed, 60) : RandomEvents(seed, 30, 300);
      Shuffle(&events, rng);  // arrival order must not matter
      Harness h;
      h.Feed(events);
      const absl::Duration valid_for = h.merger->options().snapshot.verification_valid_for;
      for (const sb::CustomerId& id : h.merger->ListCustomers(kAcme)) {
        auto journey = h.merger->GetJourney(kAcme, id);
        REQUIRE(journey.ok());
        absl::Time latest = absl::InfinitePast();
        for (const auto& e : journey->events) {
          auto v = e.attributes.find("identity_verified");
          if (v != e.attributes.end() && v->second == "true") latest = e.occurred_at;
        }
        // Every event's time and the instants around it and around its window's end.
        for (const auto& e : journey->events) {
          for (absl::Time now : {e.occurred_at, e.occurred_at - absl::Minutes(1),
                                 e.occurred_at + absl::Minutes(1), e.occurred_at + valid_for,
                                 e.occurred_at + valid_for + absl::Minutes(1)}) {
            INFO("customer " << id.value() << " at " << absl::FormatTime(now));
            auto snap = h.merger->SnapshotOf(kAcme, id, "", now);
            REQUIRE(snap.ok());
            const auto [verified, at] = ExpectedVerification(*journey, now, valid_for);
            CHECK(snap->identity_verified == verified);
            CHECK(snap->verified_at == at);
            if (latest > now && verified) ++hidden;
          }
        }
      }
    }
  }
  CHECK(hidden > 0);  // the case the summary alone got wrong was reached
}

namespace {

// One customer's events over 10 days, each naming one of `intents` intents (a few often, most
// rarely). With more than the summary's 32, many are dropped and seen again.
std::vector<sb::TouchpointEvent> ManyIntentEvents(uint64_t seed, int events, uint64_t intents) {
  std::mt19937_64 rng(seed);
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat("i", i));
    e.tenant = kAcme;
    e.type = sb::EventType::kMessage;
    e.channel = sb::Channel::kChat;
    e.occurred_at = e.received_at =
        kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 10)) / 10 * 10);
    e.identifiers = {{K::kEmail, "ana@example.com", ""}};
    const uint64_t topic = Below(rng, 3) == 0 ? Below(rng, 4) : Below(rng, intents);
    e.attributes["intent"] = StrCat("topic-", topic);
    out.push_back(std::move(e));
  }
  return out;
}

// What repeat_contact must say, from the journey: the intent on an event strictly before `now`,
// within the window.
bool ExpectedRepeat(const sb::Journey& journey, const std::string& intent, absl::Time now,
                    absl::Duration window) {
  for (const sb::TouchpointEvent& e : journey.events) {
    auto it = e.attributes.find("intent");
    if (it != e.attributes.end() && it->second == intent && e.occurred_at < now &&
        now - e.occurred_at <= window) {
      return true;
    }
  }
  return false;
}

}  // namespace

// The summary keeps two sightings of the 32 intents seen last; whatever it dropped, in whatever
// order the events came, a snapshot at any time says what the journey says: with 12 intents
// (none dropped) and with 48. (An intent dropped and seen again lost its earlier sightings here,
// 0be19e6, and a late sighting older than the dropped ones then took their place.)
TEST_CASE("a snapshot's repeat counts the customer's sightings of the intent before its time") {
  // Checks of a repeat at a time before a later sighting of the intent: where the summary's
  // latest sighting cannot answer (the case an intent dropped and seen again got wrong).
  int before_a_later_sighting = 0;
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    for (uint64_t intents : {12, 48}) {
      INFO(intents << " intents");
      std::mt19937_64 rng(seed * 7919 + intents);
      std::vector<sb::TouchpointEvent> events = ManyIntentEvents(seed, 160, intents);
      Shuffle(&events, rng);  // arrival order must not matter
      Harness h;
      h.Feed(events);
      const absl::Duration window = h.merger->options().snapshot.repeat_window;
      const std::vector<sb::CustomerId> ids = h.merger->ListCustomers(kAcme);
      REQUIRE(ids.size() == 1);
      auto journey = h.merger->GetJourney(kAcme, ids[0]);
      REQUIRE(journey.ok());
      for (const sb::TouchpointEvent& e : journey->events) {
        const std::string& intent = e.attributes.at("intent");
        for (absl::Time now :
             {e.occurred_at, e.occurred_at - absl::Minutes(5), e.occurred_at + absl::Minutes(5),
              e.occurred_at + window, e.occurred_at + window + absl::Minutes(5)}) {
          INFO("intent " << intent << " at " << absl::FormatTime(now, absl::UTCTimeZone()));
          auto snap = h.merger->SnapshotOf(kAcme, ids[0], intent, now);
          REQUIRE(snap.ok());
          const bool expected = ExpectedRepeat(*journey, intent, now, window);
          CHECK(snap->repeat_contact == expected);
          if (expected && now < e.occurred_at) ++before_a_later_sighting;
        }
      }
    }
  }
  CHECK(before_a_later_sighting > 0);
}

// The summary keeps the 64 cases with the latest events. With 100 cases opened and resolved in
// a random order of arrival, which cases a snapshot lists as open is the same in every order,
// and each is open by the journey: opened, and not resolved after its latest opening. (Their
// opening times may differ for a case dropped and seen again: journeys.md, limits.)
TEST_CASE("which cases a snapshot lists as open does not depend on the order of events") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed * 31);
    std::vector<sb::TouchpointEvent> events;
    for (int i = 0; i < 400; ++i) {
      sb::TouchpointEvent e;
      e.id = sb::EventId(StrCat("k", i));
      e.tenant = kAcme;
      e.type = Below(rng, 2) == 0 ? sb::EventType::kCaseOpened : sb::EventType::kCaseResolved;
      e.channel = sb::Channel::kEmail;
      e.occurred_at = e.received_at = kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 5000)));
      e.identifiers = {{K::kEmail, "ana@example.com", ""}};
      e.attributes["case_id"] = StrCat("case-", Below(rng, 100));
      events.push_back(std::move(e));
    }
    sb::JourneyMergerOptions options = DefaultOptions();
    options.snapshot.max_open_cases = 50;  // no cut: the lists compare whole
    std::vector<std::string> first;
    for (int order = 0; order < 3; ++order) {
      INFO("order " << order);
      Shuffle(&events, rng);
      Harness h(options);
      h.Feed(events);
      const std::vector<sb::CustomerId> ids = h.merger->ListCustomers(kAcme);
      REQUIRE(ids.size() == 1);
      auto snap = h.merger->SnapshotOf(kAcme, ids[0], "", kT0 + absl::Hours(24 * 10));
      REQUIRE(snap.ok());
      std::vector<std::string> open;
      for (const sb::OpenCase& c : snap->open_cases) open.push_back(c.id);
      std::sort(open.begin(), open.end());
      auto journey = h.merger->GetJourney(kAcme, ids[0]);
      REQUIRE(journey.ok());
      for (const std::string& id : open) {  // open by the journey
        absl::Time opened = absl::InfinitePast(), resolved = absl::InfinitePast();
        for (const sb::TouchpointEvent& e : journey->events) {
          if (e.attributes.at("case_id") != id) continue;
          absl::Time& t = e.type == sb::EventType::kCaseOpened ? opened : resolved;
          t = std::max(t, e.occurred_at);
        }
        INFO("case " << id);
        CHECK(opened > absl::InfinitePast());
        CHECK(opened >= resolved);
      }
      if (order == 0) {
        first = open;
        CHECK(!open.empty());
      } else {
        CHECK(open == first);
      }
    }
  }
}

namespace {

// A mixed stream: ordinary, dense (tight rules) and hostile events, repeats, an invalid one, and
// some for a second tenant.
std::vector<sb::TouchpointEvent> MixedStream(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<sb::TouchpointEvent> events = RandomEvents(seed, 25, 200);
  for (sb::TouchpointEvent e : DenseEvents(seed, 60)) {
    e.id = sb::EventId(StrCat("d-", e.id.value()));
    events.push_back(std::move(e));
  }
  sb::testing::ProtoGarbage garbage(seed);
  for (int i = 0; i < 40; ++i) {
    sb::TouchpointEvent e = events[Below(rng, events.size())];
    e.id = sb::EventId(StrCat("h", i));
    DamageDirectly(&e, garbage);
    events.push_back(std::move(e));
  }
  for (int i = 0; i < 30; ++i) {
    sb::TouchpointEvent e = events[Below(rng, events.size())];
    if (i % 2 == 0) e.tenant = sb::TenantId("globex");
    events.push_back(std::move(e));  // a repeat, or the same event for another tenant
  }
  Shuffle(&events, rng);
  return events;
}

}  // namespace

TEST_CASE("a batch ingests exactly as one call per event") {
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed ^ 0xB47C);
    const std::vector<sb::TouchpointEvent> events = MixedStream(seed);
    for (int variant = 0; variant < 2; ++variant) {
      INFO("variant " << variant);
      const sb::JourneyMergerOptions options =
          variant == 0 ? DefaultOptions() : TightOptions(static_cast<int>(seed % kTightVariants));
      Harness single(options), batched(options);
      std::vector<sb::IngestResult> results;
      std::vector<absl::Status> statuses;
      int rejected = 0;
      size_t at = 0;
      sb::CustomerId victim;
      std::optional<size_t> erased_after;  // the events fed before the erasure
      // Chunks of every size class: empty, one, shorter and longer than the pipeline.
      for (int chunk = 0; at < events.size(); ++chunk) {
        const size_t sizes[] = {0, 1, 3, 11, 12, 40, 97};
        const size_t n = std::min(sizes[Below(rng, 7)], events.size() - at);
        INFO("chunk " << chunk << " at " << at << " of " << n);
        REQUIRE(batched.merger
                    ->IngestBatch(absl::MakeConstSpan(events.data() + at, n), &results, &statuses)
                    .ok());
        REQUIRE(results.size() == n);
        REQUIRE(statuses.size() == n);
        for (size_t i = 0; i < n; ++i) {
          INFO("event " << at + i << " '" << events[at + i].id.value() << "'");
          absl::StatusOr<sb::IngestResult> expected = single.merger->Ingest(events[at + i]);
          REQUIRE(statuses[i] == expected.status());
          rejected += expected.ok() ? 0 : 1;
          CHECK(ResultText(results[i]) ==
                ResultText(expected.ok() ? *expected : sb::IngestResult()));
        }
        at += n;
        if (chunk == 6) {  // erase someone mid-stream: later replays of their events are kErased
          victim = single.merger->ListCustomers(kAcme).front();
          erased_after = at;
          REQUIRE(single.merger->Forget(kAcme, victim).ok());
          REQUIRE(batched.merger->Forget(kAcme, victim).ok());
        }
      }
      CHECK(rejected > 0);
      CHECK(DumpWithLookups(*batched.merger) == DumpWithLookups(*single.merger));
      {  // The hints change nothing: the same calls through a store that ignores them.
        sbt::FullJourneyStore no_hints;
        auto plain = *sb::JourneyMerger::Create(options, &single.clock, &no_hints);
        for (size_t i = 0; i <= events.size(); ++i) {
          if (erased_after == i) REQUIRE(plain->Forget(kAcme, victim).ok());
          if (i < events.size()) plain->Ingest(events[i]).IgnoreError();
        }
        CHECK(DumpWithLookups(*plain) == DumpWithLookups(*single.merger));
      }
      CHECK(batched.merger->ListCustomers(sb::TenantId("globex")) ==
            single.merger->ListCustomers(sb::TenantId("globex")));
      // Replayed whole in one batch: every event is now a duplicate, erased or rejected again.
      REQUIRE(batched.merger->IngestBatch(events, &results, &statuses).ok());
      for (size_t i = 0; i < events.size(); ++i) {
        INFO("replay " << i);
        absl::StatusOr<sb::IngestResult> expected = single.merger->Ingest(events[i]);
        REQUIRE(statuses[i] == expected.status());
        CHECK(ResultText(results[i]) == ResultText(expected.ok() ? *expected : sb::IngestResult()));
      }
      CHECK(DumpWithLookups(*batched.merger) == DumpWithLookups(*single.merger));
    }
  }
  sb::ManualClock clock(kT0);
  auto merger = *sb::JourneyMerger::Create(sb::JourneyMergerOptions{}, &clock);
  std::vector<sb::IngestResult> results;
  std::vector<absl::Status> statuses;
  const std::vector<sb::TouchpointEvent> one = RandomEvents(1, 1, 1);
  CHECK(merger->IngestBatch(one, nullptr, &statuses).code() == absl::StatusCode::kInvalidArgument);
  CHECK(merger->IngestBatch(one, &results, nullptr).code() == absl::StatusCode::kInvalidArgument);
  CHECK(merger->store().GetStats(kAcme).events == 0);
}
