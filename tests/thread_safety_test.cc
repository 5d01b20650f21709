// The thread-safety promises of the public headers, from several threads at once. Each header's
// "Thread-safety" line says what may be shared; here every call it names is made by kThreads
// threads together over the same objects, each thread starting at another place in the same list
// of calls, and every answer must equal the one a single thread got before the threads started.
// Where an object could cache what a const call computes, the single-threaded answers come from
// a twin built by the same calls, so that the shared object is first read by the threads.
// Built with -fsanitize=thread, a data race in any of those calls fails the run even when the
// answers happen to agree:
//   cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug
//         -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -g" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread
//         -DSWITCHBOARD_BUILD_BENCHMARKS=OFF -DSWITCHBOARD_BUILD_EXAMPLES=OFF
//         -DSWITCHBOARD_BUILD_TOOLS=OFF                              (one command)
//   cmake --build build-tsan --target thread_safety_test && build-tsan/tests/thread_safety_test
//
//  1. JourneyMerger (journey_merger.h): const calls together, over a tenant with merges, splits,
//     erasures, shared values, late events, hashed ids and customers holding 40+ values (the
//     per-customer value index); and, through a store that counts them, no const call of the
//     merger reaches a mutating call of its store (journey_store.h);
//  2. the store's own const methods together (journey_store.h);
//  3. IdentityNormalizer (identity.h), shared and copied;
//  4. clocks (clock.h): RealClock shared, ManualClock read together, also by mergers;
//  5. strategies and their registry (routing_strategy.h), and routers one per thread sharing a
//     registry (docs/routing.md: a router shares nothing with other routers), each listener
//     called on its router's thread (router_listener.h);
//  6. the pure functions and const methods of channel.h, ids.h, erlang.h, metrics.h,
//     trait_reconciliation.h, context_snapshot.h and wire/core_convert.h;
//  7. the simulator (sim/simulator.h, sim/scenario.h): runs and scenario loading re-entrant.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "src/internal/str_cat.h"
#include "switchboard/channel.h"
#include "switchboard/clock.h"
#include "switchboard/context_snapshot.h"
#include "switchboard/erlang.h"
#include "switchboard/identity.h"
#include "switchboard/ids.h"
#include "switchboard/journey_merger.h"
#include "switchboard/journey_store.h"
#include "switchboard/metrics.h"
#include "switchboard/router.h"
#include "switchboard/routing_strategy.h"
#include "switchboard/sim/report.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/sim/simulator.h"
#include "switchboard/trait_reconciliation.h"
#include "switchboard/wire/core_convert.h"
#include "tests/full_journey_store.h"
#include "tests/seeded_random.h"

namespace sb = switchboard;
using sb::internal::StrCat;
using K = sb::IdentifierKind;
using sbt::Below;

namespace {

constexpr int kThreads = 4;
const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const sb::TenantId kAcme("acme");
const sb::TenantId kBeta("beta");

// ---------------------------------------------------------------------------------------------
// Running calls together.

// Runs body(t) for t in [0, kThreads) on kThreads threads that wait for each other before their
// first call, so that they overlap from the start.
template <typename Body>
void RunTogether(const Body& body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ready, &body, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      body(t);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// One call and the answer a single thread got from it when the query was made. Same() makes the
// call again and compares; it is const and may run on any thread.
class Query {
 public:
  template <typename Call>
  static Query Of(std::string name, Call call) {
    using Answer = decltype(call());
    auto want = std::make_shared<const Answer>(call());
    Query q;
    q.name_ = std::move(name);
    q.same_ = [call = std::move(call), want] { return call() == *want; };
    return q;
  }
  // The same call on two equal objects: the answer is taken from `baseline`, and Same() asks
  // `shared`, which no call has read yet, so a cache that a const call fills lazily is filled
  // while the threads run, not before.
  template <typename Target, typename Call>
  static Query On(std::string name, const Target* baseline, const Target* shared, Call call) {
    using Answer = decltype(call(baseline));
    auto want = std::make_shared<const Answer>(call(baseline));
    Query q;
    q.name_ = std::move(name);
    q.same_ = [call = std::move(call), want, shared] { return call(shared) == *want; };
    return q;
  }
  bool Same() const { return same_(); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::function<bool()> same_;
};

// Asks every query `rounds` times from each of kThreads threads at once, each thread starting
// at another place in the list, and checks that every answer equals the single-threaded one.
void AskTogether(const std::vector<Query>& queries, int rounds) {
  REQUIRE(!queries.empty());
  const size_t n = queries.size();
  std::vector<int64_t> first_bad(kThreads, -1);
  std::vector<int64_t> asked(kThreads, 0);
  RunTogether([&](int t) {
    for (int r = 0; r < rounds && first_bad[t] < 0; ++r) {
      const size_t start = (n * static_cast<size_t>(t) / kThreads + 97 * r) % n;
      for (size_t k = 0; k < n; ++k) {
        const size_t i = (start + k) % n;
        ++asked[t];
        if (!queries[i].Same()) {
          first_bad[t] = static_cast<int64_t>(i);
          break;
        }
      }
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t << " of " << kThreads << ", " << n << " queries, " << rounds
                   << " rounds; first answer unlike the single-threaded one: "
                   << (first_bad[t] < 0 ? std::string("none")
                                        : queries[static_cast<size_t>(first_bad[t])].name()));
    CHECK(first_bad[t] == -1);
    CHECK(asked[t] == static_cast<int64_t>(n) * rounds);
  }
}

// ---------------------------------------------------------------------------------------------
// A tenant's worth of journey data.

// An event id too long to embed in a customer id ("c-" + id is over kMaxIdLength): its customer
// id is a hash, found through the store's minted ids.
std::string LongId(const std::string& base) {
  std::string id = base + "-";
  id.resize(127, 'x');
  return id;
}

sb::JourneyMergerOptions MergerOptions() {
  sb::JourneyMergerOptions options;
  options.identity.blocked_patterns = {"fake-[0-9]+@example\\.com"};  // RE2 on every lookup
  sb::IdentifierRule loyalty;
  loyalty.priority = 70;
  loyalty.max_values = 0;
  options.identity.custom_kinds.push_back({"loyalty", loyalty});
  options.snapshot.max_candidates = 4;
  return options;
}

struct Persona {
  std::string phone, email, account, cookie, handle;
};

// Events of `tenant`: personas with a few identifiers each, family phones shared by two, a team
// mailbox, a store tablet carried by many (a shared device id), blocked and malformed values,
// context attributes, cases, long event ids, and `heavy` customers with a fresh chat session id
// and device id on every event (each ends with 40+ values: the per-customer value index).
std::vector<sb::TouchpointEvent> MakeEvents(uint64_t seed, const sb::TenantId& tenant, int personas,
                                            int events, int heavy, int heavy_events) {
  std::mt19937_64 rng(seed);
  std::vector<Persona> people(static_cast<size_t>(personas));
  for (int p = 0; p < personas; ++p) {
    Persona& x = people[static_cast<size_t>(p)];
    const int phone_owner = (p % 5 == 4) ? p - 1 : p;  // every 5th shares a family phone
    x.phone = StrCat("+1415555", 1000 + phone_owner);
    x.email = p % 7 == 6 ? "team@corp.example" : StrCat("p", p, "@example.com");
    x.account = StrCat("AC-", p);
    x.cookie = StrCat("ck-", p, "-", Below(rng, 3));
    x.handle = StrCat("@person", p);
  }
  static const char* kLanguages[] = {"en", "es", "pt", ""};
  static const char* kTiers[] = {"gold", "silver", "bronze"};
  static const char* kIntents[] = {"billing", "move", "cancel", "upgrade"};
  static const char* kSources[] = {"crm", "web", "ivr"};
  static const char* kChannels[] = {"chat", "email", "voice"};
  const std::string prefix = tenant.value() + "-";
  auto attributes = [&](sb::TouchpointEvent& e, int i) {
    if (Below(rng, 3) == 0) e.attributes["language"] = kLanguages[Below(rng, 4)];
    if (Below(rng, 4) == 0) e.attributes["tier"] = kTiers[Below(rng, 3)];
    if (Below(rng, 5) == 0) e.attributes["preferred_channel"] = kChannels[Below(rng, 3)];
    if (Below(rng, 2) == 0) e.attributes["intent"] = kIntents[Below(rng, 4)];
    if (Below(rng, 3) == 0) e.attributes["agent_id"] = StrCat("agent-", Below(rng, 5));
    if (Below(rng, 4) == 0) e.attributes["queue_id"] = StrCat("queue-", Below(rng, 3));
    if (Below(rng, 5) == 0) e.attributes["identity_verified"] = "true";
    if (Below(rng, 6) == 0) e.attributes["summary"] = StrCat("summary of ", i);
    if (e.type == sb::EventType::kAgentNote) e.attributes["note"] = StrCat("note ", i);
    if (e.type == sb::EventType::kCaseOpened || e.type == sb::EventType::kCaseResolved) {
      e.attributes["case_id"] = StrCat("case-", Below(rng, 4));
    }
  };
  auto base = [&](const std::string& id) {
    sb::TouchpointEvent e;
    e.id = sb::EventId(id);
    e.tenant = tenant;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 90)));
    e.received_at = e.occurred_at + absl::Seconds(static_cast<int64_t>(Below(rng, 3)));
    e.source_system = kSources[Below(rng, 3)];
    return e;
  };
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    const Persona& x = people[Below(rng, static_cast<uint64_t>(personas))];
    const std::string id = StrCat(prefix, "e", i);
    sb::TouchpointEvent e = base(i % 53 == 0 ? LongId(id) : id);
    const uint64_t mask = 1 + Below(rng, 31);
    if (mask & 1) e.identifiers.push_back({K::kPhone, x.phone, ""});
    if (mask & 2) e.identifiers.push_back({K::kEmail, x.email, ""});
    if (mask & 4) e.identifiers.push_back({K::kAccountId, x.account, ""});
    if (mask & 8) e.identifiers.push_back({K::kDeviceId, x.cookie, ""});
    if (mask & 16) e.identifiers.push_back({K::kSocialHandle, x.handle, "x"});
    if (Below(rng, 25) == 0) e.identifiers.push_back({K::kDeviceId, "tablet-7", ""});
    if (Below(rng, 20) == 0) e.identifiers.push_back({K::kEmail, "anonymous", ""});
    if (Below(rng, 20) == 0) e.identifiers.push_back({K::kPhone, "not a phone", ""});
    if (Below(rng, 40) == 0) e.identifiers.push_back({K::kEmail, "fake-12@example.com", ""});
    attributes(e, i);
    out.push_back(std::move(e));
  }
  for (int h = 0; h < heavy; ++h) {
    for (int i = 0; i < heavy_events; ++i) {
      sb::TouchpointEvent e = base(StrCat(prefix, "h", h, "-", i));
      e.identifiers.push_back({K::kAccountId, StrCat("HV-", h), ""});
      e.identifiers.push_back({K::kChannelOpaque, StrCat("sess-", h, "-", i), "webchat"});
      e.identifiers.push_back({K::kDeviceId, StrCat("dev-", h, "-", i), ""});  // limit 20
      if (i % 7 == 0) e.identifiers.push_back({K::kCustom, StrCat("L-", h, "-", i), "loyalty"});
      if (i % 9 == 0) e.identifiers.push_back({K::kDeviceId, "tablet-7", ""});
      if (i == 0) e.identifiers.push_back({K::kPhone, StrCat("+1415555", 1000 + h), ""});
      attributes(e, i);
      out.push_back(std::move(e));
    }
  }
  return out;
}

// A merger filled with both tenants' events, mostly in order and some late (they rebuild), with
// redeliveries, explicit merges, splits of an automatic and an explicit merge, erasures by id and
// by identifier, replays of erased events, and late events after all that.
struct Journeys {
  explicit Journeys(sb::JourneyStore* store = nullptr) : clock(kT0 + absl::Hours(24 * 365)) {
    auto made = sb::JourneyMerger::Create(MergerOptions(), &clock, store);
    REQUIRE(made.ok());
    merger = *std::move(made);
    std::mt19937_64 rng(20240611);
    std::vector<sb::TouchpointEvent> acme = MakeEvents(11, kAcme, 260, 2600, 8, 48);
    std::vector<sb::TouchpointEvent> beta = MakeEvents(12, kBeta, 40, 300, 2, 40);
    std::vector<sb::TouchpointEvent> all = acme;
    all.insert(all.end(), beta.begin(), beta.end());
    std::vector<sb::TouchpointEvent> first, last;  // about 100 of them arrive after the rest
    for (const sb::TouchpointEvent& e : all) (Below(rng, 34) == 0 ? last : first).push_back(e);
    // Mostly in journey order (an in-order event is applied incrementally), one in 50 out of it
    // (a late event re-resolves the events connected to it).
    std::sort(first.begin(), first.end(), [](const auto& a, const auto& b) {
      return std::tie(a.occurred_at, a.id) < std::tie(b.occurred_at, b.id);
    });
    for (size_t i = 0; i < first.size() / 100; ++i) {
      std::swap(first[Below(rng, first.size())], first[Below(rng, first.size())]);
    }
    for (int d = 0; d < 60; ++d) first.push_back(first[Below(rng, first.size())]);  // redelivery
    for (const sb::TouchpointEvent& e : first) Ingest(e);
    events = all;

    // Explicit merges: two heavy customers (their replay goes through the value index), and two
    // ordinary ones.
    auto customer_of = [&](const std::string& account) {
      auto match = merger->FindByIdentifier(kAcme, {K::kAccountId, account, ""});
      return match.ok() && match->customer ? *match->customer : sb::CustomerId();
    };
    const sb::CustomerId h0 = customer_of("HV-0"), h1 = customer_of("HV-1");
    REQUIRE(!h0.empty());
    REQUIRE(!h1.empty());
    auto heavy_merge = merger->Merge(kAcme, h0, h1, "same person", "agent-1");
    REQUIRE(heavy_merge.ok());
    auto m2 = merger->Merge(kAcme, customer_of("AC-3"), customer_of("AC-40"), "", "agent-2");
    auto m3 = merger->Merge(kAcme, customer_of("AC-5"), customer_of("AC-60"), "x", "agent-3");
    REQUIRE(m2.ok());
    REQUIRE(m3.ok());
    REQUIRE(merger->Split(kAcme, m3->id, "agent-3").ok());
    for (const sb::MergeRecord& m : merger->ListMerges(kAcme)) {
      if (m.kind == sb::MergeKind::kAutomatic) {
        REQUIRE(merger->Split(kAcme, m.id, "auditor").ok());
        break;
      }
    }
    // Erasures: by id, by identifier; then replays of the erased events (kErased).
    std::vector<sb::CustomerId> listed = merger->ListCustomers(kAcme);
    REQUIRE(listed.size() > 40);
    for (size_t i : {size_t{3}, size_t{17}, size_t{29}}) {
      auto journey = merger->GetJourney(kAcme, listed[i]);
      REQUIRE(journey.ok());
      REQUIRE(merger->Forget(kAcme, listed[i]).ok());
      forgotten.push_back(listed[i]);
      for (const sb::TouchpointEvent& e : journey->events) Ingest(e);
    }
    forgotten_by_identifier = merger->Forget(kAcme, sb::Identifier{K::kAccountId, "AC-77", ""});
    for (const sb::TouchpointEvent& e : last) Ingest(e);  // late: they rebuild
    REQUIRE(merger
                ->Merge(kBeta, merger->ListCustomers(kBeta)[0], merger->ListCustomers(kBeta)[1],
                        "beta merge", "agent-9")
                .ok());
  }
  void Ingest(const sb::TouchpointEvent& e) {
    absl::StatusOr<sb::IngestResult> r = merger->Ingest(e);
    REQUIRE(r.ok());
    if (!r->customer.empty()) handed_out.insert(r->customer);
    for (const auto& [from, to] : r->retired) handed_out.insert(from);
  }

  sb::ManualClock clock;
  std::unique_ptr<sb::JourneyMerger> merger;
  std::vector<sb::TouchpointEvent> events;  // every event, ingested or erased
  std::set<sb::CustomerId> handed_out;      // every customer id ever returned
  std::vector<sb::CustomerId> forgotten;
  absl::StatusOr<sb::ErasureReport> forgotten_by_identifier;
};

struct MatchAnswer {
  absl::Status status;
  std::optional<sb::CustomerId> customer;
  std::vector<sb::CustomerId> possible;
  bool shared = false;
  friend bool operator==(const MatchAnswer&, const MatchAnswer&) = default;
};
MatchAnswer AnswerOf(const absl::StatusOr<sb::IdentityMatch>& m) {
  if (!m.ok()) return {m.status(), std::nullopt, {}, false};
  return {absl::OkStatus(), m->customer, m->possible, m->shared};
}

// Every const call of the merger over `j`'s data: each customer's id, journey, profile and
// snapshots (of both tenants, of aliases and retired ids, of erased and unknown ones), lookups
// of every identifier, snapshots of contacts carrying each event's identifiers (shared values,
// blocked and malformed ones among them), the lists, and calls that fail.
std::vector<Query> MergerQueries(const Journeys& j, const sb::JourneyMerger* shared) {
  const sb::JourneyMerger* base = j.merger.get();
  std::vector<Query> q;
  const absl::Time now = j.clock.Now();
  for (const sb::TenantId& tenant : {kAcme, kBeta, sb::TenantId("nobody"), sb::TenantId("")}) {
    q.push_back(
        Query::On(StrCat("ListCustomers ", tenant.value()), base, shared,
                  [tenant](const sb::JourneyMerger* m) { return m->ListCustomers(tenant); }));
    q.push_back(Query::On(StrCat("ListMerges ", tenant.value()), base, shared,
                          [tenant](const sb::JourneyMerger* m) { return m->ListMerges(tenant); }));
  }
  static const char* kIntents[] = {"", "billing", "move", "cancel"};
  const absl::Time kTimes[] = {now, kT0 + absl::Hours(24 * 45), kT0 + absl::Hours(24 * 80)};
  int k = 0;
  for (const sb::TenantId& tenant : {kAcme, kBeta}) {
    for (const sb::CustomerId& c : base->ListCustomers(tenant)) {
      const std::string name = StrCat(tenant.value(), "/", c.value());
      const std::string intent = kIntents[k % 4];
      const absl::Time at = kTimes[k % 3];
      ++k;
      q.push_back(
          Query::On("Resolve " + name, base, shared,
                    [tenant, c](const sb::JourneyMerger* m) { return m->Resolve(tenant, c); }));
      q.push_back(
          Query::On("GetJourney " + name, base, shared,
                    [tenant, c](const sb::JourneyMerger* m) { return m->GetJourney(tenant, c); }));
      q.push_back(
          Query::On("GetCustomer " + name, base, shared,
                    [tenant, c](const sb::JourneyMerger* m) { return m->GetCustomer(tenant, c); }));
      q.push_back(Query::On("SnapshotOf " + name, base, shared,
                            [tenant, c, intent, at](const sb::JourneyMerger* m) {
                              return m->SnapshotOf(tenant, c, intent, at);
                            }));
    }
  }
  // Aliases, retired ids (some hashed "c~..."), erased and malformed ones.
  std::vector<sb::CustomerId> ids(j.handed_out.begin(), j.handed_out.end());
  ids.insert(ids.end(), j.forgotten.begin(), j.forgotten.end());
  ids.push_back(sb::CustomerId("c-never"));
  ids.push_back(sb::CustomerId("c~0000000000000000"));
  ids.push_back(sb::CustomerId("not an id"));
  for (const sb::CustomerId& c : ids) {
    for (const sb::TenantId& tenant : {kAcme, kBeta}) {
      q.push_back(
          Query::On(StrCat("Resolve ", tenant.value(), "/", c.value()), base, shared,
                    [tenant, c](const sb::JourneyMerger* m) { return m->Resolve(tenant, c); }));
    }
    q.push_back(Query::On(
        "SnapshotOf acme/" + c.value(), base, shared,
        [c, now](const sb::JourneyMerger* m) { return m->SnapshotOf(kAcme, c, "billing", now); }));
  }
  // Every identifier, and a contact per event carrying its identifiers.
  std::set<sb::Identifier> identifiers;
  for (size_t i = 0; i < j.events.size(); ++i) {
    const sb::TouchpointEvent& e = j.events[i];
    identifiers.insert(e.identifiers.begin(), e.identifiers.end());
    if (i % 3 != 0) continue;
    sb::Contact contact;
    contact.id = sb::ContactId(StrCat("contact-", i));
    contact.tenant = e.tenant;
    contact.channel = e.channel;
    contact.identifiers = e.identifiers;
    auto intent = e.attributes.find("intent");
    if (intent != e.attributes.end()) contact.intent = intent->second;
    contact.arrived_at = i % 2 == 0 ? now : e.occurred_at + absl::Hours(1);
    q.push_back(
        Query::On("SnapshotFor " + contact.id.value(), base, shared,
                  [contact](const sb::JourneyMerger* m) { return m->SnapshotFor(contact); }));
  }
  identifiers.insert({K::kEmail, "nobody@example.com", ""});
  identifiers.insert({K::kPhone, "  +1 (415) 555-1003 ", ""});
  for (const sb::TenantId& tenant : {kAcme, kBeta}) {
    for (const sb::Identifier& id : identifiers) {
      q.push_back(Query::On(StrCat("FindByIdentifier ", tenant.value(), " ", id.value), base,
                            shared, [tenant, id](const sb::JourneyMerger* m) {
                              return AnswerOf(m->FindByIdentifier(tenant, id));
                            }));
    }
  }
  // Contacts carrying only shared values, nothing known, or errors.
  for (const std::vector<sb::Identifier>& ids_of_contact :
       std::vector<std::vector<sb::Identifier>>{{{K::kDeviceId, "tablet-7", ""}},
                                                {{K::kEmail, "team@corp.example", ""}},
                                                {{K::kPhone, "+14155551003", ""}},
                                                {{K::kEmail, "nobody@example.com", ""}},
                                                {}}) {
    for (const absl::Time at : {now, kT0, absl::InfiniteFuture()}) {
      for (const char* tenant : {"acme", "beta", ""}) {
        sb::Contact contact;
        contact.id = sb::ContactId("c");
        contact.tenant = sb::TenantId(tenant);
        contact.identifiers = ids_of_contact;
        contact.arrived_at = at;
        q.push_back(
            Query::On(StrCat("SnapshotFor shared/unknown ", tenant), base, shared,
                      [contact](const sb::JourneyMerger* m) { return m->SnapshotFor(contact); }));
      }
    }
  }
  q.push_back(Query::On("options", base, shared, [](const sb::JourneyMerger* m) {
    return std::make_tuple(m->options().snapshot.max_candidates, m->options().erasure_salt,
                           m->options().identity.blocked_patterns, m->options().traits);
  }));
  return q;
}

// The store's const methods over every event of `j` (journey_store.h: an implementation's const
// methods must be safe to call concurrently with each other, "the in-memory store's are").
std::vector<Query> StoreQueries(const Journeys& j, const sb::JourneyStore* shared) {
  const sb::JourneyStore* base = &j.merger->store();
  std::vector<Query> q;
  for (const sb::TenantId& tenant : {kAcme, kBeta, sb::TenantId("nobody")}) {
    q.push_back(
        Query::On("GetStats " + tenant.value(), base, shared, [tenant](const sb::JourneyStore* s) {
          const sb::JourneyStore::Stats st = s->GetStats(tenant);
          return std::vector<int64_t>{st.events,        st.customers,  st.values,
                                      st.merges,        st.links,      st.tombstones,
                                      st.payload_bytes, st.dead_bytes, st.key_bytes};
        }));
    q.push_back(Query::On(
        "store lists " + tenant.value(), base, shared, [tenant](const sb::JourneyStore* s) {
          // In no particular order (the hash tables' layout), which differs between two stores.
          std::vector<sb::EventHandle> customers = s->ListCustomers(tenant);
          std::sort(customers.begin(), customers.end());
          return std::make_tuple(customers, s->ListMerges(tenant), s->LatestOccurredAt(tenant),
                                 s->HasLinks(tenant), s->HasTombstones(tenant),
                                 s->HasTombstone(tenant, 12345), std::string(s->Name()));
        }));
  }
  std::string previous;  // the acme event listed before (none in beta)
  for (const sb::TouchpointEvent& e : j.events) {
    const sb::TenantId tenant = e.tenant;
    const std::string id = e.id.value();
    q.push_back(Query::On(
        "store event " + id, base, shared, [tenant, id, previous](const sb::JourneyStore* s) {
          const sb::EventHandle h = s->FindEvent(tenant, id);
          std::vector<std::string> out = {StrCat(h)};
          if (h == sb::kNoHandle) return std::make_tuple(out, sb::TouchpointEvent(), size_t{0});
          const sb::StoredEvent& rec = s->Event(tenant, h);
          out.push_back(StrCat(absl::ToUnixNanos(rec.occurred_at), " ", rec.customer, " ",
                               rec.minted ? 1 : 0, rec.verified ? 1 : 0, " ",
                               static_cast<int>(rec.type), " ", static_cast<int>(rec.channel)));
          out.push_back(std::string(s->EventIdOf(tenant, h)));
          out.push_back(std::string(s->EventAttribute(tenant, h, "intent").value_or("-")));
          for (sb::ValueHandle v : s->EventValues(tenant, h)) {
            const sb::ValueRecord& value = s->Value(tenant, v);
            out.push_back(StrCat(value.key, " ", value.linked, " ", value.shared ? 1 : 0, " ",
                                 value.holders.size(), " ", value.events.size(), " ",
                                 s->FindValue(tenant, std::string(value.key)) == v ? 1 : 0));
          }
          if (const sb::EventHandle p = s->FindEvent(tenant, previous); p != sb::kNoHandle) {
            out.push_back(StrCat(s->EventLess(tenant, p, h) ? 1 : 0, s->EventLess(tenant, h, p)));
          }
          size_t journey = 0;
          if (const sb::CustomerRecord* c = s->FindCustomer(tenant, rec.customer)) {
            journey = c->events.size() * 1000 + c->values.size();
            out.push_back(StrCat(c->summary.intents.size(), " ", c->traits.fields.size()));
          }
          for (const sb::LinkConstraint& link : s->LinksOf(tenant, id)) out.push_back(link.id);
          out.push_back(s->FindMintedId(tenant, StrCat("c~", id)));
          return std::make_tuple(out, s->ReadEvent(tenant, h), journey);
        }));
    if (tenant == kAcme) previous = id;
    // The prefetch hints are const too: a hint per caller, the store read only.
    q.push_back(Query::On("store prefetch " + id, base, shared, [e](const sb::JourneyStore* s) {
      sb::IngestHint hint;
      hint.tenant = &e.tenant;
      hint.event_id = e.id.value();
      for (const sb::Identifier& i : e.identifiers) {
        if (hint.key_count == sb::IngestHint::kMaxKeys) break;
        hint.keys[static_cast<size_t>(hint.key_count++)] = i.value;
      }
      int steps = 0;
      while (steps < sb::IngestHint::kMaxSteps && s->PrefetchForIngest(&hint)) ++steps;
      // The notes past the keys' hashes hold what the hash tables' slots matched: they depend
      // on the tables' layout, which differs between two stores.
      std::vector<uint32_t> hashes(hint.notes.begin(), hint.notes.begin() + hint.key_count);
      hashes.push_back(hint.notes[3 * sb::IngestHint::kMaxKeys]);
      return std::make_tuple(steps, hint.step, hashes);
    }));
  }
  for (const sb::MergeRecord& merge : base->ListMerges(kAcme)) {
    const std::string id = merge.id;
    q.push_back(Query::On("store merge " + id, base, shared, [id](const sb::JourneyStore* s) {
      const sb::MergeRecord* found = s->FindMerge(kAcme, id);
      return found != nullptr ? std::optional<sb::MergeRecord>(*found) : std::nullopt;
    }));
  }
  for (const char* id : {"x-1", "x-2", "x-3", "s-1", "s-2", "s-3", "s-4", "x-9"}) {
    q.push_back(Query::On(StrCat("store link ", id), base, shared, [id](const sb::JourneyStore* s) {
      const sb::LinkConstraint* found = s->FindLink(kAcme, id);
      return found != nullptr ? std::optional<sb::LinkConstraint>(*found) : std::nullopt;
    }));
  }
  return q;
}

// Pure functions that take what the merger gives: ApplySnapshotToContact (context_snapshot.h)
// and ReconcileTraits (trait_reconciliation.h), over shared snapshots and trait states.
std::vector<Query> SnapshotFunctionQueries(const Journeys& j) {
  std::vector<Query> q;
  auto snapshots = std::make_shared<std::vector<sb::ContextSnapshot>>();
  auto states = std::make_shared<std::vector<sb::TraitState>>();
  const sb::JourneyStore& store = j.merger->store();
  for (const sb::CustomerId& c : j.merger->ListCustomers(kAcme)) {
    auto snap = j.merger->SnapshotOf(kAcme, c, "billing", j.clock.Now());
    REQUIRE(snap.ok());
    snapshots->push_back(*std::move(snap));
  }
  for (sb::EventHandle mint : store.ListCustomers(kAcme)) {
    states->push_back(store.FindCustomer(kAcme, mint)->traits);
  }
  auto options = std::make_shared<sb::RoutingInputOptions>();
  options->intent_skill_prefix = "intent:";
  options->last_agent_wait = absl::Seconds(20);
  const std::vector<sb::TraitRule> rules = MergerOptions().traits;
  for (size_t i = 0; i < snapshots->size(); ++i) {
    q.push_back(Query::Of(StrCat("ApplySnapshotToContact ", i), [snapshots, options, i] {
      sb::Contact contact;
      contact.id = sb::ContactId("call");
      contact.tenant = kAcme;
      contact.arrived_at = kT0;
      contact.intent = "move";
      const absl::Status s = sb::ApplySnapshotToContact((*snapshots)[i], *options, &contact);
      return std::make_pair(s, contact);
    }));
  }
  for (size_t i = 0; i < states->size(); ++i) {
    q.push_back(Query::Of(StrCat("ReconcileTraits ", i), [states, rules, i] {
      std::vector<std::string> out;
      for (const sb::Trait& t : sb::ReconcileTraits(rules, (*states)[i])) {
        out.push_back(StrCat(t.field, "=", t.value, " (", t.history.size(), ")"));
      }
      out.push_back(sb::WinningTraitValue(rules, (*states)[i], "language"));
      return out;
    }));
  }
  // AddToTraits and AbsorbTraits write only their caller's state: shared rules and events.
  auto events = std::make_shared<std::vector<sb::TouchpointEvent>>(
      j.events.begin(), j.events.begin() + std::min<std::ptrdiff_t>(400, j.events.size()));
  for (int i = 0; i < 8; ++i) {
    q.push_back(Query::Of(StrCat("AddToTraits ", i), [events, rules, i] {
      sb::TraitState a, b;
      for (size_t k = 0; k < events->size(); ++k) {
        sb::AddToTraits(rules, (*events)[k], k % 8 == static_cast<size_t>(i) ? &a : &b);
      }
      sb::AbsorbTraits(rules, a, &b);
      return std::make_tuple(b, sb::ReconcileTraits(rules, b), sb::ValidateTraitRules(rules));
    }));
  }
  q.push_back(Query::Of("options Validate", [options] {
    return std::make_pair(options->Validate(), sb::SnapshotOptions{}.Validate());
  }));
  return q;
}

// ---------------------------------------------------------------------------------------------
// Routing: a custom strategy that reads every accessor of its input, and a scripted router run.

class SeniorFirst final : public sb::AgentSelectionStrategy {
 public:
  std::string_view Name() const override { return "senior-first"; }
  sb::StrategyTraits Traits() const override { return {.uses_skill_score = true}; }
  sb::AgentRank Rank(const sb::AgentRankInput& in) const override {
    int64_t seniority = 0;
    auto it = in.attributes().find("seniority");
    if (it != in.attributes().end()) {
      for (char c : it->second) {
        if (c >= '0' && c <= '9') seniority = seniority * 10 + (c - '0');
      }
    }
    const int64_t site = in.site() == "north" ? 0 : 1;
    return sb::AgentRank{
        -seniority * 4 + site + static_cast<int64_t>(in.teams().size()),
        static_cast<double>(in.membership_priority()) - in.skill_score,
        absl::ToInt64Seconds(in.membership_delay()) + static_cast<int64_t>(in.agent_id().size())};
  }
  double TicketWeight(const sb::AgentRankInput& in) const override {
    return 1.0 + static_cast<double>(in.teams().size());
  }
};

std::unique_ptr<sb::AgentSelectionStrategyRegistry> MakeRegistry() {
  auto registry = std::make_unique<sb::AgentSelectionStrategyRegistry>();
  REQUIRE(registry->Register("senior-first", [] { return std::make_unique<SeniorFirst>(); }).ok());
  return registry;
}

// Records the events, and counts those delivered on another thread than the one that made the
// log and calls the router (router_listener.h: OnEvent runs on the thread that called the router).
class Log final : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override {
    events.push_back(e);
    elsewhere += std::this_thread::get_id() != owner;
  }
  std::vector<sb::RoutingEvent> events;
  int elsewhere = 0;
  const std::thread::id owner = std::this_thread::get_id();
};

// What one router did with a fixed script: every event, the status code of every call, and the
// queues' and agents' statistics at the end.
struct RouterRun {
  std::vector<sb::RoutingEvent> events;
  std::vector<int> codes;
  std::vector<sb::QueueStats> queue_stats;
  std::vector<sb::AgentStats> agent_stats;
  int events_elsewhere = 0;  // delivered on another thread than the caller's
  friend bool operator==(const RouterRun&, const RouterRun&) = default;
};

// A router with queues of several strategies (the shared registry's custom one, the seeded
// random ones, best-skill, round-robin) and a seeded script of arrivals, answers, declines,
// completions and abandons. Uses no Catch2 macro: it runs on worker threads.
RouterRun RunRouter(const sb::AgentSelectionStrategyRegistry* registry, int steps) {
  RouterRun run;
  sb::ManualClock clock(kT0);
  Log log;
  sb::RouterOptions options;
  options.strategies = registry;
  options.seed = 77;
  auto made = sb::Router::Create(options, &clock, &log);
  if (!made.ok()) {
    run.codes.push_back(static_cast<int>(made.status().code()));
    return run;
  }
  sb::Router& router = **made;
  auto note = [&](const absl::Status& s) { run.codes.push_back(static_cast<int>(s.code())); };
  static const char* kStrategies[] = {"senior-first", "weighted-random", "best-skill",
                                      "round-robin",  "random",          "least-occupied"};
  std::vector<sb::QueueId> queues;
  for (int i = 0; i < 6; ++i) {
    sb::Queue queue;
    queue.id = sb::QueueId(StrCat("q", i));
    queue.tenant = kAcme;
    queue.channels = {sb::Channel::kVoice, sb::Channel::kChat};
    queue.service_level = {0.8, absl::Seconds(20)};
    queue.wrap_up = absl::Seconds(5 * i);
    queue.offer_timeout = absl::Seconds(15);
    note(router.AddQueue(queue, kStrategies[i]));
    queues.push_back(queue.id);
  }
  std::mt19937_64 rng(5);
  std::vector<sb::AgentId> agents;
  for (int a = 0; a < 14; ++a) {
    sb::Agent agent;
    agent.id = sb::AgentId(StrCat("agent-", a));
    agent.tenant = kAcme;
    agent.languages = {"en"};
    agent.skills = {{"billing", static_cast<int>(1 + Below(rng, 9))},
                    {"spanish", static_cast<int>(1 + Below(rng, 9))}};
    agent.site = a % 3 == 0 ? "north" : "south";
    agent.teams.assign(static_cast<size_t>(a % 3), "team");
    for (size_t t = 0; t < agent.teams.size(); ++t) agent.teams[t] += StrCat(t);
    agent.attributes["seniority"] = StrCat(Below(rng, 30));
    agent.capacities = {{sb::Channel::kVoice, 1, 100}, {sb::Channel::kChat, 3, 33}};
    for (int i = 0; i < 6; ++i) {
      if ((a + i) % 3 != 0) {
        agent.queues.push_back({queues[static_cast<size_t>(i)], static_cast<int>(1 + Below(rng, 3)),
                                absl::ZeroDuration()});
      }
    }
    agent.status.state = sb::AgentState::kAvailable;
    note(router.AddAgent(agent));
    agents.push_back(agent.id);
  }
  std::vector<sb::ContactId> contacts;
  for (int step = 0; step < steps; ++step) {
    clock.Advance(absl::Seconds(static_cast<int64_t>(1 + Below(rng, 6))));
    note(router.Tick());
    switch (Below(rng, 6)) {
      case 0:
      case 1: {
        sb::Contact c;
        c.id = sb::ContactId(StrCat("c", step));
        c.tenant = kAcme;
        c.channel = Below(rng, 2) == 0 ? sb::Channel::kVoice : sb::Channel::kChat;
        c.arrived_at = clock.Now();
        c.language = "en";
        if (Below(rng, 2) == 0) {
          c.required_skills.push_back({"billing", static_cast<int>(1 + Below(rng, 5)), true});
        }
        if (Below(rng, 3) == 0) {
          c.required_skills.push_back({"spanish", static_cast<int>(1 + Below(rng, 5)), false});
        }
        note(router.Enqueue(c, queues[Below(rng, queues.size())]));
        contacts.push_back(c.id);
        break;
      }
      case 2:
      case 3:
        if (!contacts.empty()) {
          const sb::ContactId& c = contacts[Below(rng, contacts.size())];
          auto offer = router.CurrentOffer(c);
          note(offer.status());
          if (offer.ok() && offer->has_value()) {
            note(Below(rng, 4) == 0 ? router.Decline((*offer)->id) : router.Accept((*offer)->id));
          }
        }
        break;
      case 4:
        if (!contacts.empty()) {
          note(router.Complete(contacts[Below(rng, contacts.size())], "resolved"));
        }
        break;
      default:
        if (!contacts.empty()) note(router.Abandon(contacts[Below(rng, contacts.size())]));
        break;
    }
  }
  for (const sb::QueueId& queue : queues) {
    auto stats = router.GetQueueStats(queue);
    note(stats.status());
    if (stats.ok()) run.queue_stats.push_back(*stats);
  }
  for (const sb::AgentId& agent : agents) {
    auto stats = router.GetAgentStats(agent);
    note(stats.status());
    if (stats.ok()) run.agent_stats.push_back(*stats);
  }
  note(router.CheckInvariants());
  run.events = std::move(log.events);
  run.events_elsewhere = log.elsewhere;
  return run;
}

std::vector<double> Fields(const sb::ErlangCResult& r) {
  return {r.offered_load, r.p_wait,           r.asa, r.mean_wait_of_waiting, r.service_level,
          r.occupancy,    r.mean_queue_length};
}
std::vector<double> Fields(const sb::ErlangAResult& r) {
  return {r.offered_load,
          r.p_wait,
          r.p_abandon,
          r.asa,
          r.mean_wait,
          r.mean_wait_of_abandoned,
          r.service_level,
          r.service_level_of_answered,
          r.service_level_excluding_early_abandons,
          r.p_abandon_within_target,
          r.occupancy,
          r.mean_queue_length};
}
template <typename T>
absl::StatusOr<std::vector<double>> FieldsOf(const absl::StatusOr<T>& r) {
  if (!r.ok()) return r.status();
  return Fields(*r);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("journey merger: const calls run together and answer as one thread does") {
  // Two mergers fed the same calls: the answers are taken from the first, and the threads ask
  // the second, whose data no const call has read before they start.
  // Stores that forward to the in-memory store and count the calls of its mutating methods: the
  // merger's const calls must reach only the store's const methods (journey_store.h).
  sbt::FullJourneyStore store, shared_store;
  Journeys j(&store);
  Journeys shared(&shared_store);
  // The data is what the test is about: customers with 40+ values (the value index), merges,
  // erasures, shared values, hashed ids.
  size_t most_values = 0;
  for (const sb::CustomerId& c : j.merger->ListCustomers(kAcme)) {
    auto profile = j.merger->GetCustomer(kAcme, c);
    REQUIRE(profile.ok());
    most_values = std::max(most_values, profile->identifiers.size());
  }
  CHECK(most_values >= 80);  // two heavy customers merged
  CHECK(j.merger->ListMerges(kAcme).size() >= 10);
  CHECK(j.forgotten_by_identifier.ok());
  auto tablet = j.merger->FindByIdentifier(kAcme, {K::kDeviceId, "tablet-7", ""});
  REQUIRE(tablet.ok());
  CHECK(tablet->shared);
  CHECK(std::any_of(j.handed_out.begin(), j.handed_out.end(),
                    [](const sb::CustomerId& c) { return c.value().rfind("c~", 0) == 0; }));
  CHECK(store.GetStats(kAcme).tombstones > 0);
  CHECK(shared.handed_out == j.handed_out);

  const int64_t mutating_before = store.mutating_calls;
  const int64_t shared_mutating_before = shared_store.mutating_calls;
  std::vector<Query> queries = MergerQueries(j, shared.merger.get());
  std::vector<Query> more = SnapshotFunctionQueries(j);
  queries.insert(queries.end(), more.begin(), more.end());
  CHECK(shared_store.mutating_calls == shared_mutating_before);  // not read yet
  AskTogether(queries, 2);
  // No const call of either merger reached a mutating call of its store.
  CHECK(store.mutating_calls == mutating_before);
  CHECK(shared_store.mutating_calls == shared_mutating_before);
}

TEST_CASE("journey merger with its own in-memory store: const calls and the store's together") {
  Journeys j, shared;
  std::vector<Query> queries = StoreQueries(j, &shared.merger->store());
  std::vector<Query> merger = MergerQueries(j, shared.merger.get());
  for (size_t i = 0; i < merger.size(); i += 2) queries.push_back(merger[i]);  // half of them
  AskTogether(queries, 2);
}

TEST_CASE("an identity normalizer is shared and copied across threads") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.default_phone_region = "GB";
  rules.blocked_patterns = {"fake-[0-9]+@example\\.com", "\\+4420794600[0-9]{2}"};
  rules.blocked_values.push_back("020 7946 0999");
  sb::IdentifierRule loyalty;
  loyalty.max_values = 2;
  rules.custom_kinds.push_back({"loyalty", loyalty});
  const sb::IdentityRules shared_rules = rules;
  auto made = sb::IdentityNormalizer::Create(rules);
  auto made_too = sb::IdentityNormalizer::Create(rules);
  REQUIRE(made.ok());
  REQUIRE(made_too.ok());
  // Answers from one, the threads share the other (nothing has used it before they start).
  const sb::IdentityNormalizer baseline = *std::move(made);
  const sb::IdentityNormalizer shared = *std::move(made_too);

  std::vector<sb::Identifier> ids;
  for (const sb::TouchpointEvent& e : MakeEvents(3, kAcme, 60, 400, 2, 20)) {
    ids.insert(ids.end(), e.identifiers.begin(), e.identifiers.end());
  }
  for (const char* phone : {"020 7946 0018", "+44 (0)20 7946 0018", "tel:+442079460018",
                            "\xEF\xBC\x8B\xEF\xBC\x94\xEF\xBC\x94 20 7946 0018", "0000 000000",
                            "020 7946 0999", "+44 20 7946 0012", "12", "abc"}) {
    ids.push_back({K::kPhone, phone, ""});
  }
  for (const char* email : {" Ana@Example.COM ", "fake-3@example.com", "a@.b.c", "jos\xC3\xA9@b.de",
                            "NULL", "a b@c.de"}) {
    ids.push_back({K::kEmail, email, ""});
  }
  ids.push_back({K::kSocialHandle, "@Ana", " X "});
  ids.push_back({K::kSocialHandle, "@ ana", "x"});
  ids.push_back({K::kCustom, "L-1", "loyalty"});
  ids.push_back({K::kCustom, "L-1", "other"});
  ids.push_back({K::kCustom, "L-1", "a:b"});
  ids.push_back({K::kChannelOpaque, "WA-1", ""});
  ids.push_back({K::kAccountId, "000", ""});
  ids.push_back({K::kDeviceId, "", ""});

  const sb::IdentityNormalizer* base = &baseline;
  const sb::IdentityNormalizer* n = &shared;
  std::vector<Query> q;
  for (size_t i = 0; i < ids.size(); ++i) {
    const sb::Identifier id = ids[i];
    q.push_back(Query::On(
        StrCat("Normalize ", i, " ", id.value), base, n, [id](const sb::IdentityNormalizer* n) {
          const sb::NormalizeResult r = n->Normalize(id);
          return std::make_tuple(r.outcome, r.id, r.reason, r.id ? r.id->Key() : std::string());
        }));
    q.push_back(Query::On(
        StrCat("NormalizeInto of a copy ", i), base, n, [id](const sb::IdentityNormalizer* n) {
          const sb::IdentityNormalizer copy = *n;  // copies share the compiled patterns
          sb::NormalizedIdentifier out;
          std::string reason;
          const sb::NormalizeOutcome outcome = copy.NormalizeInto(id, &out, &reason);
          return std::make_tuple(outcome, outcome == sb::NormalizeOutcome::kValid ? out.Key() : "",
                                 reason, copy.RuleFor(id.kind, id.scope));
        }));
  }
  for (int kind = 0; kind < sb::kIdentifierKindCount; ++kind) {
    q.push_back(
        Query::On(StrCat("RuleFor ", kind), base, n, [kind](const sb::IdentityNormalizer* n) {
          return std::make_pair(n->RuleFor(static_cast<K>(kind), "loyalty"),
                                n->rules().blocked_patterns);
        }));
  }
  // IdentityRules is a plain value: its const methods on a shared one.
  q.push_back(Query::Of("rules", [&shared_rules] {
    return std::make_pair(shared_rules.Validate(), shared_rules.For(K::kEmail));
  }));
  AskTogether(q, 3);
}

TEST_CASE("clocks: a RealClock shared, a ManualClock read together") {
  const sb::RealClock real;
  const absl::Time before = absl::Now();
  std::vector<absl::Time> lowest(kThreads, absl::InfiniteFuture());
  std::vector<absl::Time> highest(kThreads, absl::InfinitePast());
  RunTogether([&](int t) {
    for (int i = 0; i < 20000; ++i) {
      const absl::Time now = real.Now();
      lowest[t] = std::min(lowest[t], now);
      highest[t] = std::max(highest[t], now);
    }
  });
  const absl::Time after = absl::Now();
  for (int t = 0; t < kThreads; ++t) {
    // A wall clock may step back (NTP), but not by a minute within the test.
    CHECK(lowest[t] >= before - absl::Minutes(1));
    CHECK(highest[t] <= after + absl::Minutes(1));
  }

  sb::ManualClock manual(kT0);
  manual.Advance(absl::Seconds(90));
  manual.Set(kT0 + absl::Hours(24 * 365));
  const sb::Clock* clock = &manual;
  std::vector<int64_t> wrong(kThreads, 0);
  RunTogether([&](int t) {
    for (int i = 0; i < 20000; ++i) {
      if (clock->Now() != kT0 + absl::Hours(24 * 365)) ++wrong[t];
    }
  });
  for (int t = 0; t < kThreads; ++t) CHECK(wrong[t] == 0);

  // Mergers of their own, one per thread, sharing the clock (each ingest reads it to reject
  // events from the future): each answers as a merger alone did.
  std::vector<sb::TouchpointEvent> events = MakeEvents(21, kAcme, 40, 300, 1, 40);
  sb::TouchpointEvent future = events.front();
  future.id = sb::EventId("from-the-future");
  future.occurred_at = future.received_at = manual.Now() + absl::Hours(1);
  events.push_back(future);
  auto run = [&events, clock] {
    std::vector<std::string> out;
    auto merger = sb::JourneyMerger::Create(MergerOptions(), clock);
    if (!merger.ok()) return out;
    for (const sb::TouchpointEvent& e : events) {
      auto r = (*merger)->Ingest(e);
      out.push_back(r.ok() ? r->customer.value() : std::string(r.status().message()));
    }
    for (const sb::CustomerId& c : (*merger)->ListCustomers(kAcme)) {
      auto journey = (*merger)->GetJourney(kAcme, c);
      out.push_back(StrCat(c.value(), " ", journey.ok() ? journey->events.size() : 0));
    }
    return out;
  };
  const std::vector<std::string> want = run();
  REQUIRE(want.size() > events.size());
  CHECK(want[events.size() - 1].find("future") != std::string::npos);
  std::vector<std::vector<std::string>> got(kThreads);
  RunTogether([&](int t) { got[t] = run(); });
  for (int t = 0; t < kThreads; ++t) CHECK(got[t] == want);
}

TEST_CASE("strategies and the registry: Create, Rank and TicketWeight from several threads") {
  // Answers from one registry and its strategies; the threads share the other ones.
  const std::unique_ptr<sb::AgentSelectionStrategyRegistry> registry = MakeRegistry();
  const std::unique_ptr<sb::AgentSelectionStrategyRegistry> shared = MakeRegistry();
  const std::vector<std::string> names = registry->Names();
  REQUIRE(names.size() == sb::BuiltInAgentSelectionStrategyNames().size() + 1);
  // One instance of each strategy, shared by the threads.
  std::vector<std::unique_ptr<sb::AgentSelectionStrategy>> baseline, strategies;
  for (const std::string& name : names) {
    auto made = registry->Create(name);
    auto made_too = shared->Create(name);
    REQUIRE(made.ok());
    REQUIRE(made_too.ok());
    baseline.push_back(*std::move(made));
    strategies.push_back(*std::move(made_too));
  }
  auto queue = std::make_shared<sb::Queue>();
  queue->id = sb::QueueId("billing");
  queue->tenant = kAcme;
  queue->channels = {sb::Channel::kVoice};
  std::vector<sb::AgentRankInput> inputs;
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    sb::AgentRankInput in;
    in.capacity_units = static_cast<int>(1 + Below(rng, 100));
    in.used_units = static_cast<int>(Below(rng, static_cast<uint64_t>(in.capacity_units)));
    in.queue = queue.get();
    in.idle_since = kT0 + absl::Seconds(static_cast<int64_t>(Below(rng, 100000)));
    in.contacts_held = static_cast<int>(Below(rng, 3));
    in.handled_today = static_cast<int64_t>(Below(rng, 50));
    in.talk_time_today = absl::Seconds(static_cast<int64_t>(Below(rng, 30000)));
    in.skill_score = static_cast<int>(Below(rng, 20));
    in.required_skill_score = in.skill_score / 2;
    in.ticket = static_cast<double>(Below(rng, 1000)) / 7.0;
    inputs.push_back(in);
  }
  using Registry = sb::AgentSelectionStrategyRegistry;
  std::vector<Query> q;
  for (const std::string& name : names) {
    q.push_back(
        Query::On("Create " + name, registry.get(), shared.get(), [name](const Registry* r) {
          auto made = r->Create(name);
          if (!made.ok()) return std::make_tuple(made.status(), std::string(), std::vector<bool>());
          const sb::StrategyTraits t = (*made)->Traits();
          return std::make_tuple(absl::OkStatus(), std::string((*made)->Name()),
                                 std::vector<bool>{t.round_robin, t.uses_tickets,
                                                   t.uses_skill_score, t.ranks_follow_time});
        }));
    // Not a promise of the header (a free function), but it makes the same strategies.
    q.push_back(Query::Of("CreateAgentSelectionStrategy " + name, [name] {
      auto made = sb::CreateAgentSelectionStrategy(name);
      return made.ok() ? std::string((*made)->Name()) : std::string(made.status().message());
    }));
  }
  q.push_back(Query::On("Create unknown", registry.get(), shared.get(),
                        [](const Registry* r) { return r->Create("nope").status(); }));
  q.push_back(Query::On("Names", registry.get(), shared.get(),
                        [](const Registry* r) { return r->Names(); }));
  for (size_t s = 0; s < strategies.size(); ++s) {
    q.push_back(Query::On("Rank by " + names[s], baseline[s].get(), strategies[s].get(),
                          [inputs, queue](const sb::AgentSelectionStrategy* strategy) {
                            std::vector<std::tuple<sb::AgentRank, double, std::string>> out;
                            for (const sb::AgentRankInput& in : inputs) {
                              out.emplace_back(strategy->Rank(in), strategy->TicketWeight(in),
                                               std::string(strategy->Name()));
                            }
                            return out;
                          }));
  }
  AskTogether(q, 20);
}

TEST_CASE("routers one per thread share nothing but the registry") {
  const std::unique_ptr<sb::AgentSelectionStrategyRegistry> registry = MakeRegistry();
  const RouterRun want = RunRouter(registry.get(), 1500);
  REQUIRE(want.events.size() > 300);
  REQUIRE(want.codes.back() == 0);  // CheckInvariants
  CHECK(want.events_elsewhere == 0);
  CHECK(std::any_of(want.events.begin(), want.events.end(), [](const sb::RoutingEvent& e) {
    return e.type == sb::RoutingEventType::kAccepted;
  }));
  std::vector<RouterRun> got(kThreads);
  RunTogether([&](int t) { got[t] = RunRouter(registry.get(), 1500); });
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(got[t].events.size() == want.events.size());
    CHECK(got[t] == want);
  }
}

TEST_CASE("channels, ids, Erlang formulas and measures from several threads") {
  std::vector<Query> q;
  // channel.h
  for (int c = 0; c <= sb::kChannelCount; ++c) {  // the last one is out of range
    const auto channel = static_cast<sb::Channel>(c);
    q.push_back(Query::Of(StrCat("channel ", c), [channel] {
      const sb::ChannelTraits t = sb::TraitsOf(channel);
      const std::string name(sb::ChannelName(channel));
      auto parsed = sb::ParseChannel(name);
      return std::make_tuple(t.synchronous, t.exclusive, t.default_max_concurrent,
                             t.default_cost_units, name, sb::IsKnownChannel(channel),
                             parsed.ok() ? static_cast<int>(*parsed) : -1);
    }));
  }
  q.push_back(Query::Of("ParseChannel bad", [] { return sb::ParseChannel("pigeon").status(); }));
  // ids.h: shared ids, valid and not.
  auto ids = std::make_shared<std::vector<sb::AgentId>>();
  for (const char* v : {"agent-1", "agent-2", "", "with space", "caf\xC3\xA9", "agent-1"}) {
    ids->push_back(sb::AgentId(v));
  }
  ids->push_back(sb::AgentId(std::string(200, 'a')));
  for (size_t i = 0; i < ids->size(); ++i) {
    q.push_back(Query::Of(StrCat("id ", i), [ids, i] {
      const sb::AgentId& id = (*ids)[i];
      const sb::AgentId& next = (*ids)[(i + 1) % ids->size()];
      const auto order = id <=> next;
      return std::make_tuple(id.Validate(), id.Validate("agent.id"), id.value(), id.empty(),
                             id == next, static_cast<int>(order > 0) - static_cast<int>(order < 0),
                             absl::Hash<sb::AgentId>{}(id), sb::ValidateIdText(id.value(), "text"));
    }));
  }
  // erlang.h
  for (int agents : {1, 5, 14, 40, 120}) {
    for (double load : {0.5, 4.0, 13.0, 90.0}) {
      sb::QueueingInput in;
      in.arrival_rate = load / 180.0;
      in.handle_time = 180.0;
      in.agents = agents;
      in.target = 20.0;
      in.patience = 120.0;
      q.push_back(Query::Of(StrCat("erlang ", agents, " ", load), [in, load, agents] {
        return std::make_tuple(
            sb::ErlangB(load, agents), sb::ErlangCWaitProbability(load, agents),
            FieldsOf(sb::ErlangC(in)), sb::ErlangCWaitPercentile(in, 0.9),
            FieldsOf(sb::ErlangA(in)),
            sb::RequiredAgents(sb::QueueModel::kErlangC, in,
                               {sb::StaffingGoal::kServiceLevel, 0.8}),
            sb::RequiredAgents(sb::QueueModel::kErlangA, in,
                               {sb::StaffingGoal::kAbandonment, 0.05}),
            sb::RequiredAgents(sb::QueueModel::kErlangA, in, {sb::StaffingGoal::kAsa, 15.0}),
            in.Validate(true));
      }));
    }
  }
  // metrics.h: a QueueMeasures read together, and the free functions.
  auto options = sb::QueueMeasuresOptions{};
  options.short_abandon = 5.0;
  auto made = sb::QueueMeasures::Create(options);
  REQUIRE(made.ok());
  auto measures = std::make_shared<const sb::QueueMeasures>([&] {
    sb::QueueMeasures m = *made;
    std::mt19937_64 rng(4);
    for (int i = 0; i < 2000; ++i) {
      const double wait = static_cast<double>(Below(rng, 1200)) / 10.0;
      if (Below(rng, 5) == 0) {
        REQUIRE(m.RecordAbandoned(wait).ok());
      } else {
        REQUIRE(m.RecordAnswered(wait, {static_cast<double>(60 + Below(rng, 400)),
                                        static_cast<double>(Below(rng, 60)), 30.0})
                    .ok());
      }
    }
    return m;
  }());
  for (auto definition : {sb::ServiceLevelDefinition::kAnsweredOverOffered,
                          sb::ServiceLevelDefinition::kAnsweredOverAnswered,
                          sb::ServiceLevelDefinition::kExcludeShortAbandons,
                          sb::ServiceLevelDefinition::kAbandonsWithinTargetMet}) {
    q.push_back(Query::Of(StrCat("QueueMeasures ", static_cast<int>(definition)), [measures,
                                                                                   definition] {
      const sb::QueueMeasures& m = *measures;
      std::optional<sb::HandleTime> h = m.MeanHandleTime();
      return std::make_tuple(
          m.ServiceLevel(definition), m.Asa(), m.MeanWait(), m.AbandonmentRate(),
          m.ShortAbandonExcludedRate(), m.MeanAbandonWait(), m.Aht(), m.MaxWait(),
          h ? std::vector<double>{h->talk, h->hold, h->wrap, h->Total()} : std::vector<double>{},
          std::vector<int64_t>{m.offered(), m.answered(), m.answered_within_target(), m.abandoned(),
                               m.abandoned_within_target(), m.short_abandoned()},
          m.options().target, m.options().Validate());
    }));
  }
  auto fcr = std::make_shared<std::vector<sb::FcrContact>>();
  {
    std::mt19937_64 rng(8);
    for (int i = 0; i < 500; ++i) {
      fcr->push_back({StrCat("cust-", Below(rng, 60)),
                      kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 20))),
                      Below(rng, 3) == 0 ? "" : StrCat("reason-", Below(rng, 3))});
    }
  }
  auto scores = std::make_shared<std::vector<int>>();
  auto ces = std::make_shared<std::vector<double>>();
  for (int i = 0; i < 300; ++i) {
    scores->push_back(i % 11);
    ces->push_back(1.0 + i % 7);
  }
  for (int i = 0; i < 8; ++i) {
    q.push_back(Query::Of(StrCat("metrics functions ", i), [fcr, scores, ces, i] {
      auto f =
          sb::FirstContactResolution(*fcr, absl::Hours(24 + 24 * i), kT0 + absl::Hours(24 * 18));
      std::vector<double> fcr_fields;
      if (f.ok()) {
        fcr_fields = {static_cast<double>(f->judged), static_cast<double>(f->resolved),
                      static_cast<double>(f->repeats), f->rate.value_or(-1)};
      }
      const std::vector<double> replications = {0.81, 0.79, 0.84, 0.80 + 0.01 * i};
      auto ci = sb::MeanConfidenceInterval(replications, 0.90 + 0.01 * i);
      std::vector<double> ci_fields;
      if (ci.ok()) ci_fields = {ci->mean, ci->half_width, ci->lower(), ci->upper()};
      std::vector<int> csat(scores->begin(), scores->end());
      for (int& s : csat) s = 1 + s % 5;
      return std::make_tuple(f.status(), fcr_fields, ci.status(), ci_fields,
                             sb::StudentTQuantile(0.975, 1.0 + i), sb::Nps(*scores), sb::Csat(csat),
                             sb::Ces(*ces, 7), sb::Occupancy(100.0 * i, 1000.0));
    }));
  }
  AskTogether(q, 30);
}

TEST_CASE("wire conversions from several threads over shared values") {
  auto events = std::make_shared<const std::vector<sb::TouchpointEvent>>(
      MakeEvents(31, kAcme, 30, 200, 1, 20));
  std::vector<Query> q;
  for (size_t i = 0; i < events->size(); ++i) {
    q.push_back(Query::Of(StrCat("event ", i), [events, i] {
      const sb::TouchpointEvent& e = (*events)[i];
      const sb::v1::TouchpointEvent msg = sb::ToProto(e);
      sb::Contact contact;
      contact.id = sb::ContactId(StrCat("contact-", i));
      contact.tenant = e.tenant;
      contact.channel = e.channel;
      contact.identifiers = e.identifiers;
      contact.attributes = e.attributes;
      contact.arrived_at = e.occurred_at;
      sb::v1::Contact contact_msg;
      sb::ToProto(contact, &contact_msg);
      return std::make_tuple(sb::FromProto(msg), msg.ByteSizeLong(), sb::FromProto(contact_msg),
                             contact_msg.ByteSizeLong(), sb::FromProto(sb::ToProto(e.channel)),
                             sb::FromProto(sb::ToProto(e.type)));
    }));
  }
  AskTogether(q, 4);
}

TEST_CASE("simulator: scenario loading and runs are re-entrant") {
  const std::string path =
      std::string(SWITCHBOARD_SOURCE_DIR) + "/benchmarks/scenarios/journeys.textproto";
  auto loaded = sb::sim::LoadScenarioFile(path);
  REQUIRE(loaded.ok());
  sb::sim::Scenario scenario = *std::move(loaded);
  scenario.duration_s = 1800;  // a short day: the returning customers' journeys still merge
  const sb::sim::Scenario& shared = scenario;
  sb::sim::ExperimentOptions options;
  options.strategies = {"longest-idle", "best-skill"};
  options.replications = 2;
  // One thread's whole answer: the loaded file, one run, and an experiment, with whether every
  // progress callback came on the calling thread.
  auto run = [&path, &shared, &options] {
    std::vector<std::string> out;
    auto again = sb::sim::LoadScenarioFile(path);
    out.push_back(
        again.ok() ? StrCat(again->name, " ", again->contact_types.size(), " ", again->duration_s)
                   : std::string(again.status().message()));
    const std::thread::id me = std::this_thread::get_id();
    int elsewhere = 0;
    sb::sim::RunOptions run_options;
    run_options.strategy = "round-robin";
    run_options.seed = 3;
    run_options.progress = [&](double) { elsewhere += std::this_thread::get_id() != me; };
    auto one = sb::sim::RunScenario(shared, run_options);
    if (one.ok()) {
      out.push_back(StrCat(one->contacts_simulated, " ", one->routing_decisions, " ", one->events,
                           " ", one->router_calls, " ", one->simulated_s, " ", one->journey_events,
                           " ", one->overall.answered, " ", one->overall.resolved));
    } else {
      out.push_back(std::string(one.status().message()));
    }
    sb::sim::ExperimentOptions mine = options;
    mine.progress = [&](double, int) { elsewhere += std::this_thread::get_id() != me; };
    auto experiment = sb::sim::RunExperiment(shared, mine);
    out.push_back(experiment.ok() ? sb::sim::ExperimentToJson(*experiment)
                                  : std::string(experiment.status().message()));
    out.push_back(experiment.ok() ? sb::sim::FormatKpiTables(*experiment) : std::string());
    out.push_back(StrCat("progress elsewhere ", elsewhere));
    return out;
  };
  const std::vector<std::string> want = run();
  REQUIRE(want.size() == 5);
  CHECK(want[1].find(' ') != std::string::npos);
  CHECK(want.back() == "progress elsewhere 0");
  std::vector<std::vector<std::string>> got(kThreads);
  RunTogether([&](int t) { got[t] = run(); });
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(got[t] == want);
  }
}
