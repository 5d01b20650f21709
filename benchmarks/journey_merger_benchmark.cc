// Journey merger benchmarks (issue 4):
//  BM_Ingest: a realistic mix, N customers x 10 events, 3 identifier kinds (phone, email, cookie),
//    5% of customers first seen as two halves that a later cross-channel event merges, 1% of
//    events late. Reports events/s on one core and heap bytes per event (and the attribute
//    payload per event, which the "200 B plus attributes" target excludes). Second argument 0:
//    the events are the caller's, read by Ingest and freed after the run (a host that keeps
//    them, or decodes each into one reused object); 1: each event is dropped right after its
//    Ingest, inside the timing (a host that builds a fresh object per event and frees it, which
//    is what Ingest's by-value signature forced before it took a const reference); 2: as 0, and
//    every call writes into one reused IngestResult (Ingest(event, &result)); 3: IngestBatch,
//    16 events a call, the result and status vectors reused. Compare forms run in separate
//    processes, or with BM_IngestHints: in one process the form run second reuses the heap
//    the first one freed and skips some of the page faults of growing its store.
//  BM_IngestHints: the worth of the prefetch hints, without this shared machine's drift: three
//    mergers take turns on the same events (see the function).
//  BM_ManyValues: limit checks on a customer with many identifier values (see the function).
//  BM_LateEvent: a late event of a customer with a long journey, with and without a rebuild.
//  BM_SharedValue: ingest and snapshots with a value shared by many customers (a store's tablet).
//  BM_Snapshot: SnapshotFor() of a customer with 1,000 events among N others; reports p50/p99.
//    Second argument 0: now; 1: the GetJourney baseline; 2: a snapshot of the past (halfway).
//
// Size is an argument: --customers=N (default 100000); e.g. the full size:
//   journey_merger_benchmark --customers=1000000
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "benchmarks/memory_context.h"
#include "src/internal/str_cat.h"
#include "switchboard/clock.h"
#include "switchboard/journey_merger.h"
#include "tests/full_journey_store.h"

namespace sb = switchboard;
using sb::internal::StrCat;
using K = sb::IdentifierKind;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const sb::TenantId kAcme("acme");
int64_t g_customers = 100000;
constexpr int kEventsPerCustomer = 10;
// Events per IngestBatch call (BM_Ingest/N/3). Small batches did best: the pipeline needs
// only about ten events, and a small batch's results stay in cache from one call to the next
// (at 100k customers, 8 or 16 events a call measured 10 to 25% faster than 1,024).
constexpr size_t kBatch = 16;

uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }

// Bytes in use from the heap, including blocks malloc served with mmap (large arrays and pages:
// uordblks alone leaves them out, which undercounted every store's big tables).
size_t HeapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Hands the heap a run freed back to the system, so that the next benchmark in the process
// pays more of the page faults of growing its store, as a host whose store grows does. It
// lessens the bias towards the form run second (which measured up to 1.5x faster than the same
// form run alone) but does not remove it: compare forms in separate processes.
void ReturnFreedMemory() { malloc_trim(0); }

struct Workload {
  std::vector<sb::TouchpointEvent> events;
  size_t attribute_bytes = 0;
};

// The events are built in arrival order, so that each one's strings and maps sit in memory
// beside the previous one's, as they would for a host that decodes each event just before it
// ingests it. (Built per customer and then sorted, every event's heap blocks were scattered
// across gigabytes, and reading them cost more cache misses than ingesting them.)
Workload MakeWorkload(int64_t customers, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* kIntents[] = {"billing", "move", "cancel", "upgrade", "outage"};
  struct Customer {
    uint32_t cookie_suffix;
    int32_t start;  // minutes after kT0
    bool split;     // first seen as two halves, merged later
  };
  struct Slot {
    absl::Time arrival;
    uint32_t customer;
    uint32_t index;  // 0..kEventsPerCustomer-1
  };
  std::vector<Customer> people;
  people.reserve(static_cast<size_t>(customers));
  std::vector<Slot> slots;
  slots.reserve(static_cast<size_t>(customers * kEventsPerCustomer));
  for (int64_t c = 0; c < customers; ++c) {
    Customer p{static_cast<uint32_t>(rng() % 100000), 0, Below(rng, 100) < 5};
    p.start = static_cast<int32_t>(Below(rng, 60 * 24 * 60));
    people.push_back(p);
    for (int i = 0; i < kEventsPerCustomer; ++i) {
      absl::Time t = kT0 + absl::Minutes(p.start + i * 60 * 24);
      // 1% of events arrive late (up to 3 days).
      if (Below(rng, 100) == 0) t += absl::Minutes(static_cast<int64_t>(Below(rng, 3 * 24 * 60)));
      slots.push_back(Slot{t, static_cast<uint32_t>(c), static_cast<uint32_t>(i)});
    }
  }
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) {
    return std::tie(a.arrival, a.customer, a.index) < std::tie(b.arrival, b.customer, b.index);
  });
  Workload w;
  w.events.reserve(slots.size());
  for (const Slot& s : slots) {
    const int64_t c = s.customer;
    const int i = static_cast<int>(s.index);
    const Customer& p = people[s.customer];
    const std::string phone = StrCat("+1", 2000000000 + c * 7);
    const std::string email = StrCat("user", c, "@example.com");
    const std::string cookie = StrCat("ck", c, "x", p.cookie_suffix);
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat("ev", c, "-", i));
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = e.received_at = kT0 + absl::Minutes(p.start + i * 60 * 24);
    e.source_system = "bench";
    if (p.split) {
      if (i < 5) e.identifiers = {{K::kEmail, email, ""}, {K::kDeviceId, cookie, ""}};
      else if (i < 9) e.identifiers = {{K::kPhone, phone, ""}};
      else e.identifiers = {{K::kPhone, phone, ""}, {K::kEmail, email, ""}};  // the bridge
    } else if (i == 0) {
      e.identifiers = {{K::kPhone, phone, ""}, {K::kEmail, email, ""}, {K::kDeviceId, cookie, ""}};
    } else {
      uint64_t pick = Below(rng, 3);
      if (pick == 0) e.identifiers = {{K::kPhone, phone, ""}};
      else if (pick == 1) e.identifiers = {{K::kEmail, email, ""}};
      else e.identifiers = {{K::kDeviceId, cookie, ""}, {K::kEmail, email, ""}};
    }
    if (Below(rng, 2) == 0) e.attributes["intent"] = kIntents[Below(rng, 5)];
    if (Below(rng, 4) == 0) e.attributes["agent_id"] = StrCat("agent-", Below(rng, 500));
    for (const auto& [k, v] : e.attributes) w.attribute_bytes += k.size() + v.size();
    w.events.push_back(std::move(e));
  }
  return w;
}

void BM_Ingest(benchmark::State& state) {
  const int64_t customers = state.range(0);
  const bool drop_each = state.range(1) == 1;
  const bool reuse_result = state.range(1) == 2;
  const bool batched = state.range(1) == 3;
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365));
  int64_t merges = 0;
  int64_t rebuilt = 0;
  double events = 0;
  double bytes_per_event = 0;
  double attr_bytes_per_event = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Heap measured before the workload exists: the events' contents move into the store, and
    // the workload's own buffer is freed before measuring again, so the difference is what the
    // store holds per event (contents included).
    size_t heap_before = HeapInUse();
    Workload w = MakeWorkload(customers, 42);
    auto merger = *sb::JourneyMerger::Create({}, &clock);
    state.ResumeTiming();
    sb::IngestResult reused;
    std::vector<sb::IngestResult> results;
    std::vector<absl::Status> statuses;
    for (size_t at = 0; batched && at < w.events.size(); at += kBatch) {
      const size_t n = std::min(kBatch, w.events.size() - at);
      if (!merger->IngestBatch(absl::MakeConstSpan(&w.events[at], n), &results, &statuses).ok()) {
        std::abort();
      }
      for (size_t i = 0; i < n; ++i) {
        if (!statuses[i].ok()) std::abort();
        merges += static_cast<int64_t>(results[i].merges.size());
        rebuilt += results[i].rebuilt ? 1 : 0;
      }
    }
    for (sb::TouchpointEvent& e : w.events) {
      if (batched) break;
      if (reuse_result) {
        if (!merger->Ingest(e, &reused).ok()) std::abort();
        merges += static_cast<int64_t>(reused.merges.size());
        rebuilt += reused.rebuilt ? 1 : 0;
        continue;
      }
      absl::StatusOr<sb::IngestResult> r = merger->Ingest(e);
      merges += static_cast<int64_t>(r->merges.size());
      rebuilt += r->rebuilt ? 1 : 0;
      if (drop_each) {
        sb::TouchpointEvent dropped = std::move(e);  // its strings and map are freed here
      }
    }
    state.PauseTiming();
    events = static_cast<double>(w.events.size());
    attr_bytes_per_event = static_cast<double>(w.attribute_bytes) / events;
    w.events.clear();
    w.events.shrink_to_fit();
    bytes_per_event = static_cast<double>(HeapInUse() - heap_before) / events;
    merger.reset();
    ReturnFreedMemory();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
  state.counters["events"] = events;
  state.counters["bytes_per_event"] = bytes_per_event;
  state.counters["attr_bytes_per_event"] = attr_bytes_per_event;
  state.counters["auto_merges"] = static_cast<double>(merges / state.iterations());
  state.counters["late_rebuilds"] = static_cast<double>(rebuilt / state.iterations());
}

// Thread CPU time in ns: the machine is shared, and the target is per core.
int64_t CpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The prefetch hints' worth, measured so that this machine's drift cannot favour one side:
// three mergers ingest the same events side by side, a chunk of 4,096 events each in turn
// (the order rotating from chunk to chunk), each through a forwarding store (so all three pay
// the same extra call per store call). Mode 0: Ingest per event, the store ignoring hints
// (what Ingest was before hints); 1: Ingest per event, hints taken (its prefetch steps run
// back to back before the commit); 2: IngestBatch, kBatch events a call, hints taken.
void BM_IngestHints(benchmark::State& state) {
  const int64_t customers = state.range(0);
  constexpr int kModes = 3;
  constexpr size_t kChunk = 4096;
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365));
  std::array<int64_t, kModes> ns{};
  double events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Workload w = MakeWorkload(customers, 42);
    std::array<std::unique_ptr<sbt::FullJourneyStore>, kModes> stores;
    std::array<std::unique_ptr<sb::JourneyMerger>, kModes> mergers;
    for (int m = 0; m < kModes; ++m) {
      stores[m] = std::make_unique<sbt::FullJourneyStore>();
      stores[m]->forward_hints = m > 0;
      mergers[m] = *sb::JourneyMerger::Create({}, &clock, stores[m].get());
    }
    sb::IngestResult reused;
    std::vector<sb::IngestResult> results;
    std::vector<absl::Status> statuses;
    for (size_t at = 0, chunk = 0; at < w.events.size(); at += kChunk, ++chunk) {
      const size_t end = std::min(at + kChunk, w.events.size());
      for (int turn = 0; turn < kModes; ++turn) {
        const int m = static_cast<int>((chunk + static_cast<size_t>(turn)) % kModes);
        const int64_t start = CpuNs();
        if (m < 2) {
          for (size_t i = at; i < end; ++i) {
            if (!mergers[m]->Ingest(w.events[i], &reused).ok()) std::abort();
          }
        } else {
          for (size_t i = at; i < end; i += kBatch) {
            const size_t n = std::min(kBatch, end - i);
            if (!mergers[m]
                     ->IngestBatch(absl::MakeConstSpan(&w.events[i], n), &results, &statuses)
                     .ok()) {
              std::abort();
            }
          }
        }
        ns[m] += CpuNs() - start;
      }
    }
    events = static_cast<double>(w.events.size());
    for (int m = 1; m < kModes; ++m) {  // the same work was done
      if (stores[m]->GetStats(kAcme).customers != stores[0]->GetStats(kAcme).customers)
        std::abort();
    }
    mergers = {};
    stores = {};
    w.events.clear();
    w.events.shrink_to_fit();
    ReturnFreedMemory();
    state.ResumeTiming();
  }
  const double iterations = static_cast<double>(state.iterations());
  for (int m = 0; m < kModes; ++m) {
    state.counters[StrCat("mode", m, "_events_per_s")] =
        events * iterations / (static_cast<double>(ns[m]) / 1e9);
  }
  state.counters["hints_per_event_vs_none"] =
      static_cast<double>(ns[0]) / static_cast<double>(ns[1]);
  state.counters["batch_vs_none"] = static_cast<double>(ns[0]) / static_cast<double>(ns[2]);
}

// Baseline for the ratio in RESULTS.md: the same events only stored by id (a hash map insert, no
// validation, normalization or resolution).
void BM_IngestBaseline(benchmark::State& state) {
  const int64_t customers = state.range(0);
  double events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Workload w = MakeWorkload(customers, 42);
    auto store = std::make_unique<absl::flat_hash_map<std::string, sb::TouchpointEvent>>();
    state.ResumeTiming();
    for (sb::TouchpointEvent& e : w.events) {
      std::string id = e.id.value();
      store->emplace(std::move(id), std::move(e));
    }
    state.PauseTiming();
    events = static_cast<double>(w.events.size());
    benchmark::DoNotOptimize(store.get());
    store.reset();  // freed outside the timing, as BM_Ingest frees its merger
    ReturnFreedMemory();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
}

// state.range(1) == 1: the baseline, reading the customer's whole journey (what a snapshot would
// cost without the per-customer summary).
// A web message `seconds` after kT0, for the benchmarks that build their events one by one.
sb::TouchpointEvent WebMessage(std::string id, int seconds, std::vector<sb::Identifier> ids) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(std::move(id));
  e.tenant = kAcme;
  e.type = sb::EventType::kMessage;
  e.channel = sb::Channel::kWeb;
  e.occurred_at = e.received_at = kT0 + absl::Seconds(seconds);
  e.source_system = "bench";
  e.identifiers = std::move(ids);
  return e;
}

// One customer N events deep, each event carrying its e-mail and a device id new to it. Device
// ids have a limit (20), so from the 21st on each new one breaks it and is dropped, but stays on
// the customer's list of values: N events leave about N values.
sb::TouchpointEvent ManyValuesEvent(const std::string& who, int i) {
  return WebMessage(StrCat(who, "-", i), i,
                    {{K::kEmail, StrCat(who, "@example.com"), ""},
                     {K::kDeviceId, StrCat(who, "-device-", i), ""}});
}

// The cost of limit checks on a customer with many values. Mode 0: one more such event on top
// of N (Ingest; the customer grows by one value per iteration). Mode 1: Merge of two such
// customers, N events each, then Split back; each replays both journeys, so it costs per event
// what an ingest does. Run both sizes in one process: at 8,000 against 100 (mode 0) or 1,000
// (mode 1), `ns_per_event` should not grow with N.
void BM_ManyValues(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool merge = state.range(1) == 1;
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365));
  auto merger = *sb::JourneyMerger::Create({}, &clock);
  for (int i = 0; i < n; ++i) {
    merger->Ingest(ManyValuesEvent("ana", i)).IgnoreError();
    if (merge) merger->Ingest(ManyValuesEvent("bob", i)).IgnoreError();
  }
  const sb::CustomerId ana("c-ana-0"), bob("c-bob-0");
  int next = n;
  int64_t events = 0;
  double seconds = 0;
  for (auto _ : state) {
    const sb::TouchpointEvent e = ManyValuesEvent("ana", next++);
    const auto t0 = std::chrono::steady_clock::now();
    if (merge) {
      absl::StatusOr<sb::MergeRecord> record = merger->Merge(kAcme, ana, bob, "same", "bench");
      if (!record.ok() || !merger->Split(kAcme, record->id, "bench").ok()) {
        state.SkipWithError("merge or split failed");
        break;
      }
      events += 4 * n;  // both journeys, replayed twice
    } else {
      benchmark::DoNotOptimize(merger->Ingest(e));
      events += 1;
    }
    const auto t1 = std::chrono::steady_clock::now();
    seconds += std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  state.counters["ns_per_event"] = events > 0 ? seconds * 1e9 / static_cast<double>(events) : 0;
}

// One customer N events deep (e-mail, phone and laptop cookie on each, a minute apart); then
// late events, each a minute and a half before a random one of them, with all three (the
// cookie, of a kind that expires, seen on later events too). Mode 0: they join the
// customer without re-resolving it (Resolver::InsertLate); mode 1: the same events marked
// identity-verified, which a limit decision may read, so the customer is re-resolved (the cost
// of any late event before). Run both in one process: mode 1 grows with N, mode 0 should not.
void BM_LateEvent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool verified = state.range(1) == 1;
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365));
  auto merger = *sb::JourneyMerger::Create({}, &clock);
  const std::vector<sb::Identifier> ids = {{K::kEmail, "ana@example.com", ""},
                                           {K::kPhone, "+14155550100", ""},
                                           {K::kDeviceId, "ana-laptop", ""}};
  for (int i = 0; i < n; ++i) {
    merger->Ingest(WebMessage(StrCat("e-", i), 60 * i, ids)).IgnoreError();
  }
  std::mt19937_64 rng(5);
  int next = 0;
  for (auto _ : state) {
    const int before = 2 + static_cast<int>(Below(rng, n - 2));  // after the first event
    sb::TouchpointEvent e = WebMessage(StrCat("late-", next++), 60 * before - 90, ids);
    if (verified) e.attributes["identity_verified"] = "true";
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<sb::IngestResult> r = merger->Ingest(e);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.ok() || r->rebuilt != verified) {
      state.SkipWithError("the late event was not resolved as expected");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
}

// A store's tablet: one device id on the events of N customers, each with its own e-mail, so
// the id is shared (it links none of them). Modes:
//  0: one more customer's event with the tablet (Ingest);
//  1: SnapshotFor a contact that carries only the tablet id ("possibly one of them");
//  2: a returning customer's event with the tablet, the newest so far;
//  3: a new customer's event with the tablet that arrives late (older than other holders' events);
//  4: a returning customer's late event, older than that customer's own latest one;
//  5: Forget of one customer (an erasure request).
// Run both sizes in one process: at 20,000 against 1,000, every mode but the snapshot, which
// ranks every holder, should cost the same.
void BM_SharedValue(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int mode = static_cast<int>(state.range(1));
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365));
  auto merger = *sb::JourneyMerger::Create({}, &clock);
  auto event = [](std::string id, int customer, int seconds) {
    return WebMessage(std::move(id), seconds,
                      {{K::kEmail, StrCat("customer", customer, "@example.com"), ""},
                       {K::kDeviceId, "store-tablet-1", ""}});
  };
  // Customer i's two events at seconds 10 * i and 10 * i + 8, so late events fit between them.
  for (int i = 0; i < n; ++i) {
    merger->Ingest(event(StrCat("t-", i), i, 10 * i)).IgnoreError();
    merger->Ingest(event(StrCat("u-", i), i, 10 * i + 8)).IgnoreError();
  }
  sb::Contact contact;
  contact.id = sb::ContactId("walk-in");
  contact.tenant = kAcme;
  contact.channel = sb::Channel::kInPerson;
  contact.identifiers = {{K::kDeviceId, "store-tablet-1", ""}};
  contact.arrived_at = kT0 + absl::Hours(24 * 300);
  std::mt19937_64 rng(11);
  int next = 0;
  size_t possible = 0;
  absl::StatusOr<sb::ErasureReport> erased = sb::ErasureReport();
  for (auto _ : state) {
    const int k = next++;
    // From customer 6 on: the tablet linked customers 0 to 4 into one until their e-mails
    // reached the limit (5), and customer 6's first event, the third holder's, made it shared.
    const int returning = 6 + static_cast<int>(Below(rng, n - 6));
    sb::TouchpointEvent e;
    switch (mode) {
      case 0:
        e = event(StrCat("n-", k), n + k, 10 * (n + k));
        break;
      case 2:
        e = event(StrCat("r-", k), returning, 10 * (n + k));
        break;
      case 3:
        e = event(StrCat("l-", k), n + k, 10 * (n / 2) + 5);
        break;
      case 4:
        e = event(StrCat("l-", k), returning, 10 * returning + 5);
        break;
      default:
        break;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (mode == 5) {
      // From the last: customer 6's first event is the one that made the tablet shared.
      erased = merger->Forget(kAcme, sb::CustomerId(StrCat("c-t-", n - 1 - k)));
    } else if (mode == 1) {
      absl::StatusOr<sb::ContextSnapshot> snap = merger->SnapshotFor(contact);
      benchmark::DoNotOptimize(snap);
      possible = snap.ok() ? snap->possible_customers.size() : 0;
    } else {
      benchmark::DoNotOptimize(merger->Ingest(e));
    }
    const auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    if (!erased.ok()) {
      state.SkipWithError(std::string(erased.status().message()).c_str());
      break;
    }
  }
  if (mode == 1) state.counters["possible_customers"] = static_cast<double>(possible);
}

void BM_Snapshot(benchmark::State& state) {
  const int64_t customers = state.range(0);
  const bool baseline = state.range(1) == 1;
  // Mode 2: a snapshot of the past (halfway through the history), where the intent's two kept
  // sightings are later than the snapshot and the repeat is read from the journey's window.
  const bool past = state.range(1) == 2;
  Workload w = MakeWorkload(customers, 7);
  sb::ManualClock clock(kT0 + absl::Hours(24 * 365 * 3));
  auto merger = *sb::JourneyMerger::Create({}, &clock);
  for (const sb::TouchpointEvent& e : w.events) merger->Ingest(e).IgnoreError();
  // One heavy customer: 1,000 events across channels with context attributes.
  static const char* kIntents[] = {"billing", "move", "cancel", "upgrade", "outage"};
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat("heavy-", i));
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = e.received_at = kT0 + absl::Minutes(i * 90);
    e.identifiers = {{K::kPhone, "+14155550100", ""}, {K::kEmail, "heavy@example.com", ""}};
    e.attributes["intent"] = kIntents[Below(rng, 5)];
    e.attributes["summary"] = StrCat("touchpoint ", i, " about ", kIntents[Below(rng, 5)]);
    if (i % 3 == 0) e.attributes["agent_id"] = StrCat("agent-", Below(rng, 50));
    if (e.type == sb::EventType::kAgentNote) e.attributes["note"] = StrCat("note ", i);
    if (e.type == sb::EventType::kCaseOpened) e.attributes["case_id"] = StrCat("case-", i % 20);
    merger->Ingest(e).IgnoreError();
  }
  sb::Contact call;
  call.id = sb::ContactId("call-x");
  call.tenant = kAcme;
  call.channel = sb::Channel::kVoice;
  call.identifiers = {{K::kPhone, "(415) 555-0100", ""}};
  call.intent = "billing";
  call.arrived_at = kT0 + absl::Minutes((past ? 500 : 1000) * 90 + 30);
  std::vector<double> ns;
  ns.reserve(1 << 20);
  int64_t touchpoints = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (baseline) {
      absl::StatusOr<sb::Journey> j = merger->GetJourney(kAcme, sb::CustomerId("c-heavy-0"));
      benchmark::DoNotOptimize(j);
      touchpoints = static_cast<int64_t>(j->events.size());
    } else {
      absl::StatusOr<sb::ContextSnapshot> snap = merger->SnapshotFor(call);
      benchmark::DoNotOptimize(snap);
      touchpoints = snap->total_touchpoints;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (ns.size() < ns.capacity()) {
      ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
  }
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) { return ns.empty() ? 0.0 : ns[static_cast<size_t>(p * (ns.size() - 1))]; };
  state.counters["p50_us"] = pct(0.50) / 1000.0;
  state.counters["p99_us"] = pct(0.99) / 1000.0;
  state.counters["touchpoints"] = static_cast<double>(touchpoints);
  if (!baseline) state.counters["repeat"] = merger->SnapshotFor(call)->repeat_contact ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Strip our own flag before Google Benchmark parses the rest.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--customers=", 12) == 0) {
      g_customers = std::max<int64_t>(1, std::atoll(argv[i] + 12));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  benchmark::RegisterBenchmark("BM_Ingest", BM_Ingest)
      ->Args({g_customers, 0})
      ->Args({g_customers, 1})
      ->Args({g_customers, 2})
      ->Args({g_customers, 3})
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);  // CPU time: the machine is shared; the target is per core
  benchmark::RegisterBenchmark("BM_IngestHints", BM_IngestHints)
      ->Arg(g_customers)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_IngestBaseline", BM_IngestBaseline)
      ->Arg(g_customers)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_ManyValues", BM_ManyValues)
      ->Args({100, 0})
      ->Args({8000, 0})
      ->ArgNames({"events", "merge"})
      ->Iterations(2000)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ManyValues", BM_ManyValues)
      ->Args({1000, 1})
      ->Args({8000, 1})
      ->ArgNames({"events", "merge"})
      ->Iterations(2)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_LateEvent", BM_LateEvent)
      ->ArgsProduct({{100, 10000}, {0, 1}})
      ->ArgNames({"events", "verified"})
      ->Iterations(200)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_SharedValue", BM_SharedValue)
      ->ArgsProduct({{1000, 20000}, {0, 1, 2, 3, 4, 5}})
      ->ArgNames({"holders", "mode"})
      ->Iterations(200)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_Snapshot", BM_Snapshot)
      ->Args({std::min<int64_t>(g_customers, 100000), 0})
      ->Args({std::min<int64_t>(g_customers, 100000), 1})
      ->Args({std::min<int64_t>(g_customers, 100000), 2})
      ->Unit(benchmark::kMicrosecond);
  benchmark::Initialize(&argc, argv);
  switchboard_bench::AddMemoryContext();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
