// Independent oracles for the snapshot fields that journey_property_test.cc does not cover:
// recent touchpoints (bound, order, summary fallback and cut), total_touchpoints, last agent,
// queue and intent, notes, the open cases' times, summaries and order, preferred channel (trait,
// else the most used channel), language and tier, and the reconciled traits of the profile.
// Each expected value is computed here from the events as generated (the customer's membership
// comes from GetJourney), by the rules of context_snapshot.h, trait_reconciliation.h and
// docs/journeys.md, never from the merger's summary. Events arrive in several orders, with
// repeats; the snapshot is taken at random times and around window edges, and under several
// SnapshotOptions bounds. Repeat and verification, which journey_property_test.cc checks on
// unmerged customers, are checked here too, across merges, splits and erasures. Fixed seeds,
// printed on failure.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/internal/str_cat.h"
#include "switchboard/clock.h"
#include "switchboard/journey_merger.h"
#include "tests/seeded_random.h"

namespace sb = switchboard;
using sb::internal::StrCat;
using K = sb::IdentifierKind;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const sb::TenantId kAcme("acme");
const uint64_t kSeeds[] = {3, 11, 42, 2024, 31337, 99991};

using sbt::Below;
using sbt::Shuffle;

// Text of 1- to 4-byte code points, so that cuts at max_summary_bytes land inside sequences.
std::string Utf8Text(std::mt19937_64& rng, uint64_t max_code_points) {
  static const char* kPieces[] = {"a",
                                  "Z",
                                  " ",
                                  "7",
                                  "\xC3\xA9",
                                  "\xE2\x80\x94",
                                  "\xE6\x97\xA5",
                                  "\xF0\x9F\x99\x82"};  // é, em dash, 日, 🙂
  std::string out;
  for (uint64_t i = 0, n = Below(rng, max_code_points + 1); i < n; ++i) {
    out += kPieces[Below(rng, 8)];
  }
  return out;
}

// The traits under test: the defaults plus a first-seen one, a source priority with its own
// list, and a second rule on the same attribute that keeps empty values.
std::vector<sb::TraitRule> OracleTraitRules() {
  std::vector<sb::TraitRule> rules = sb::DefaultTraitRules();
  rules.push_back({"segment", "", sb::ReconciliationRule::kFirstSeen, true, {}});
  rules.push_back(
      {"plan", "plan_code", sb::ReconciliationRule::kSourcePriority, true, {"billing", "crm"}});
  rules.push_back({"plan_any", "plan_code", sb::ReconciliationRule::kMostFrequent, false, {}});
  return rules;
}

// Events of `personas` people over `days` days, at whole minutes so that many tie (broken by
// id, whose string order is not numeric). Each event carries a random subset of its persona's
// e-mail, phone and account, so customers start apart and merge when an event links two.
// Attributes: every context attribute, sometimes empty, and every trait of OracleTraitRules(),
// valid and invalid channel names included.
std::vector<sb::TouchpointEvent> OracleEvents(uint64_t seed, int personas, int events, int days,
                                              uint64_t cases = 6) {
  std::mt19937_64 rng(seed);
  static const char* kChannels[] = {"chat", "email", "voice", "sms", "Chat", "fax", ""};
  static const char* kLanguages[] = {"en", "es", "pt", ""};
  static const char* kTiers[] = {"gold", "silver", "bronze", ""};
  static const char* kIntents[] = {"billing", "move", "cancel", ""};
  static const char* kSources[] = {"crm", "web", "ivr", "billing"};
  static const char* kPlans[] = {"basic", "plus", "max", ""};
  std::vector<sb::TouchpointEvent> out;
  for (int i = 0; i < events; ++i) {
    const uint64_t p = Below(rng, static_cast<uint64_t>(personas));
    sb::TouchpointEvent e;
    e.id = sb::EventId(StrCat(Below(rng, 2) ? "e" : "ev", i));
    e.tenant = kAcme;
    e.type = static_cast<sb::EventType>(Below(rng, sb::kEventTypeCount));
    e.channel = static_cast<sb::Channel>(Below(rng, sb::kChannelCount));
    e.occurred_at = e.received_at =
        kT0 +
        absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * static_cast<uint64_t>(days))));
    e.source_system = kSources[Below(rng, 4)];
    const uint64_t mask = 1 + Below(rng, 7);
    if (mask & 1) e.identifiers.push_back({K::kEmail, StrCat("p", p, "@example.com"), ""});
    if (mask & 2) e.identifiers.push_back({K::kPhone, StrCat("+1415555", 1000 + p), ""});
    if (mask & 4) e.identifiers.push_back({K::kAccountId, StrCat("AC-", p), ""});
    // A family phone or a borrowed device: another persona's value, dropped or shared.
    if (Below(rng, 12) == 0) {
      e.identifiers.push_back({K::kPhone, StrCat("+1415555", 1000 + (p + 1) % personas), ""});
    }
    if (Below(rng, 4) == 0) {
      e.identifiers.push_back({K::kDeviceId, StrCat("ck-", Below(rng, 2) ? p : p / 3), ""});
    }
    // Some ids too long to embed in a customer id: their customers get hashed ids.
    if (Below(rng, 16) == 0) e.id = sb::EventId(StrCat(std::string(125, 'x'), i));
    auto maybe = [&](uint64_t one_in, std::string_view key, std::string value) {
      if (Below(rng, one_in) == 0) e.attributes[std::string(key)] = std::move(value);
    };
    maybe(3, "summary", Below(rng, 6) == 0 ? "" : Utf8Text(rng, 90));
    maybe(e.type == sb::EventType::kAgentNote ? 2 : 6, "note",
          Below(rng, 5) == 0 ? "" : Utf8Text(rng, 90));
    maybe(2, "intent", kIntents[Below(rng, 4)]);
    maybe(3, "agent_id", Below(rng, 6) == 0 ? "" : StrCat("agent-", Below(rng, 5)));
    maybe(4, "queue_id", Below(rng, 6) == 0 ? "" : StrCat("q-", Below(rng, 4)));
    if (e.type == sb::EventType::kCaseOpened || e.type == sb::EventType::kCaseResolved) {
      maybe(1, "case_id", Below(rng, 8) == 0 ? "" : StrCat("case-", Below(rng, cases)));
    }
    maybe(4, "preferred_channel", kChannels[Below(rng, 7)]);
    maybe(3, "language", kLanguages[Below(rng, 4)]);
    maybe(4, "tier", kTiers[Below(rng, 4)]);
    maybe(6, "name", StrCat("Name ", Below(rng, 3)));
    maybe(5, "consent_email", Below(rng, 3) == 0 ? "" : "yes");
    maybe(5, "segment", StrCat("s", Below(rng, 4)));
    maybe(4, "plan_code", kPlans[Below(rng, 4)]);
    maybe(6, "identity_verified", Below(rng, 4) == 0 ? "false" : "true");
    out.push_back(std::move(e));
  }
  return out;
}

// --- The oracle -----------------------------------------------------------------------------

bool EarlierInJourney(const sb::TouchpointEvent& a, const sb::TouchpointEvent& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at < b.occurred_at;
  return a.id.value() < b.id.value();
}

// The attribute's value, or null when absent or empty (an empty attribute is no value).
const std::string* Value(const sb::TouchpointEvent& e, std::string_view key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() || it->second.empty() ? nullptr : &it->second;
}

// The longest prefix of whole code points of at most `max_bytes` bytes.
std::string Cut(std::string_view text, int max_bytes) {
  size_t end = 0;
  while (end < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[end]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (end + len > static_cast<size_t>(max_bytes)) break;
    end += len;
  }
  return std::string(text.substr(0, end));
}

// What the snapshot fields under test must say for `events` (the customer's, in journey order).
// `preferred_channels` holds every acceptable preferred channel: the documented fallback "the
// most used channel" names no tie-break, so any of the tied channels is accepted.
struct Expected {
  sb::ContextSnapshot snap;  // only the fields under test are filled
  std::set<sb::Channel> preferred_channels;
};

std::string Winner(const sb::TraitRule& rule,
                   const std::vector<const sb::TouchpointEvent*>& events);

Expected ExpectedSnapshot(const std::vector<const sb::TouchpointEvent*>& events,
                          const sb::SnapshotOptions& o, const std::vector<sb::TraitRule>& rules) {
  Expected x;
  sb::ContextSnapshot& s = x.snap;
  s.total_touchpoints = static_cast<int64_t>(events.size());
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const sb::TouchpointEvent& e = **it;
    if (static_cast<int>(s.recent.size()) < o.max_touchpoints) {
      sb::TouchpointSummary t;
      t.event = e.id;
      t.channel = e.channel;
      t.type = e.type;
      t.occurred_at = e.occurred_at;
      for (std::string_view key : {"summary", "note", "intent"}) {
        if (const std::string* v = Value(e, key)) {
          t.summary = Cut(*v, o.max_summary_bytes);
          break;
        }
      }
      s.recent.push_back(std::move(t));
    }
    if (const std::string* v = Value(e, "agent_id"); v && !s.last_agent)
      s.last_agent = sb::AgentId(*v);
    if (const std::string* v = Value(e, "queue_id"); v && !s.last_queue)
      s.last_queue = sb::QueueId(*v);
    if (const std::string* v = Value(e, "intent"); v && s.last_intent.empty()) s.last_intent = *v;
    if (e.type == sb::EventType::kAgentNote && static_cast<int>(s.notes.size()) < o.max_notes) {
      const std::string* note = Value(e, "note");
      if (note == nullptr) note = Value(e, "summary");
      if (note != nullptr) s.notes.push_back(Cut(*note, o.max_summary_bytes));
    }
  }
  // Cases: open when opened and not resolved after its latest opening; listed with the first
  // opening's time and summary, newest first by it.
  struct Case {
    const sb::TouchpointEvent* first_opening = nullptr;
    bool open = false;
  };
  std::map<std::string, Case> cases;
  for (const sb::TouchpointEvent* e : events) {
    if (e->type != sb::EventType::kCaseOpened && e->type != sb::EventType::kCaseResolved) continue;
    const std::string* id = Value(*e, "case_id");
    if (id == nullptr) continue;
    Case& c = cases[*id];
    if (e->type == sb::EventType::kCaseOpened) {
      if (c.first_opening == nullptr) c.first_opening = e;
      c.open = true;
    } else {
      c.open = false;
    }
  }
  std::vector<std::pair<const sb::TouchpointEvent*, std::string>> open;
  for (const auto& [id, c] : cases) {
    if (c.open) open.emplace_back(c.first_opening, id);
  }
  std::sort(open.begin(), open.end(),
            [](const auto& a, const auto& b) { return EarlierInJourney(*b.first, *a.first); });
  for (const auto& [opening, id] : open) {
    if (static_cast<int>(s.open_cases.size()) == o.max_open_cases) break;
    const std::string* sum = Value(*opening, "summary");
    s.open_cases.push_back({id, opening->occurred_at, sum ? Cut(*sum, o.max_summary_bytes) : ""});
  }
  // Traits, and the preferred channel's fallback: the most used channel.
  std::string channel_trait;
  for (const sb::TraitRule& r : rules) {
    if (r.field == "preferred_channel") channel_trait = Winner(r, events);
    if (r.field == "language") s.language = Winner(r, events);
    if (r.field == "tier") s.tier = Winner(r, events);
  }
  if (absl::StatusOr<sb::Channel> c = sb::ParseChannel(channel_trait); c.ok()) {
    x.preferred_channels = {*c};
  } else {
    std::map<sb::Channel, int> uses;
    int most = 0;
    for (const sb::TouchpointEvent* e : events) most = std::max(most, ++uses[e->channel]);
    for (const auto& [channel, n] : uses) {
      if (n == most) x.preferred_channels.insert(channel);
    }
  }
  return x;
}

int SourceRank(const sb::TraitRule& rule, const std::string& source) {
  auto it = std::find(rule.source_priority.begin(), rule.source_priority.end(), source);
  return static_cast<int>(it - rule.source_priority.begin());  // unlisted: after all
}

// The events carrying a value of `rule`'s trait, in journey order.
std::vector<std::pair<const sb::TouchpointEvent*, std::string>> Sightings(
    const sb::TraitRule& rule, const std::vector<const sb::TouchpointEvent*>& events) {
  std::vector<std::pair<const sb::TouchpointEvent*, std::string>> out;
  for (const sb::TouchpointEvent* e : events) {
    auto it = e->attributes.find(rule.AttributeKey());
    if (it == e->attributes.end() || (rule.ignore_empty && it->second.empty())) continue;
    out.emplace_back(e, it->second);
  }
  return out;
}

// The winning value by the rule's definition (trait_reconciliation.h), straight from the
// events; "" when none.
std::string Winner(const sb::TraitRule& rule,
                   const std::vector<const sb::TouchpointEvent*>& events) {
  const auto seen = Sightings(rule, events);
  if (seen.empty()) return "";
  switch (rule.rule) {
    case sb::ReconciliationRule::kLatest:
      return seen.back().second;
    case sb::ReconciliationRule::kFirstSeen:
      return seen.front().second;
    case sb::ReconciliationRule::kMostFrequent: {
      std::map<std::string, int> count;
      for (const auto& [e, v] : seen) ++count[v];
      int most = 0;
      for (const auto& [v, n] : count) most = std::max(most, n);
      for (auto it = seen.rbegin(); it != seen.rend(); ++it) {  // ties: latest
        if (count[it->second] == most) return it->second;
      }
      break;
    }
    case sb::ReconciliationRule::kSourcePriority: {
      int best = 1 << 30;
      for (const auto& [e, v] : seen) best = std::min(best, SourceRank(rule, e->source_system));
      for (auto it = seen.rbegin(); it != seen.rend(); ++it) {  // what that rank said last
        if (SourceRank(rule, it->first->source_system) == best) return it->second;
      }
      break;
    }
  }
  return "";
}

std::string KeyText(const sb::EventKey& k) {
  return k.empty() ? "-"
                   : StrCat(absl::FormatTime("%d %H:%M", k.at, absl::UTCTimeZone()), "/", k.id);
}

// A profile's traits as text: winner, and every value with its evidence, in history order.
std::string TraitsText(const std::vector<sb::Trait>& traits) {
  std::string out;
  for (const sb::Trait& t : traits) {
    out += StrCat(t.field, "=", t.value, " (", sb::ReconciliationRuleName(t.rule), ")\n");
    for (const sb::TraitCandidate& c : t.history) {
      out += StrCat("    '", c.value, "' x", c.count, " first ", KeyText(c.first_seen), " last ",
                    KeyText(c.last_seen), " from ", c.last_source, " rank ", c.best_source_rank,
                    " rank-last ", KeyText(c.best_source_last_seen), "\n");
    }
  }
  return out;
}

// The reconciled traits the profile must show: per rule with a value, the winner, then every
// value that competed, winner first then by latest sighting, newest first.
std::vector<sb::Trait> ExpectedTraits(const std::vector<sb::TraitRule>& rules,
                                      const std::vector<const sb::TouchpointEvent*>& events) {
  std::vector<sb::Trait> out;
  for (const sb::TraitRule& rule : rules) {
    const auto seen = Sightings(rule, events);
    if (seen.empty()) continue;
    sb::Trait t;
    t.field = rule.field;
    t.rule = rule.rule;
    t.value = Winner(rule, events);
    std::map<std::string, sb::TraitCandidate> by_value;
    for (const auto& [e, v] : seen) {  // journey order: the last sighting comes last
      sb::TraitCandidate& c = by_value[v];
      const sb::EventKey key = sb::KeyOf(*e);
      const int rank = SourceRank(rule, e->source_system);
      if (c.count++ == 0) {
        c.value = v;
        c.first_seen = key;
        c.best_source_rank = rank;
      }
      c.last_seen = key;
      c.last_source = e->source_system;
      c.best_source_rank = std::min(c.best_source_rank, rank);
    }
    for (auto& [v, c] : by_value) {
      if (rule.rule != sb::ReconciliationRule::kSourcePriority) continue;
      for (const auto& [e, value] : seen) {
        if (value == v && SourceRank(rule, e->source_system) == c.best_source_rank) {
          c.best_source_last_seen = sb::KeyOf(*e);
        }
      }
    }
    for (auto& [v, c] : by_value) t.history.push_back(c);
    std::sort(t.history.begin(), t.history.end(),
              [&](const sb::TraitCandidate& a, const sb::TraitCandidate& b) {
                if ((a.value == t.value) != (b.value == t.value)) return a.value == t.value;
                return b.last_seen < a.last_seen;
              });
    out.push_back(std::move(t));
  }
  return out;
}

// The fields under test as text, so that a failure shows the difference.
std::string FieldsText(const sb::ContextSnapshot& s) {
  std::string out = StrCat("total ", s.total_touchpoints, "\nrecent:\n");
  for (const sb::TouchpointSummary& t : s.recent) {
    out += StrCat(
        "  ", t.event.value(), " ", sb::ChannelName(t.channel), " ", sb::EventTypeName(t.type), " ",
        absl::FormatTime("%d %H:%M", t.occurred_at, absl::UTCTimeZone()), " '", t.summary, "'\n");
  }
  out += StrCat("agent ", s.last_agent ? s.last_agent->value() : "-", " queue ",
                s.last_queue ? s.last_queue->value() : "-", " intent '", s.last_intent, "'\n");
  out += "notes:\n";
  for (const std::string& n : s.notes) out += StrCat("  '", n, "'\n");
  out += "open cases:\n";
  for (const sb::OpenCase& c : s.open_cases) {
    out += StrCat("  ", c.id, " ", absl::FormatTime("%d %H:%M", c.opened_at, absl::UTCTimeZone()),
                  " '", c.summary, "'\n");
  }
  out += StrCat("channel ", s.preferred_channel ? sb::ChannelName(*s.preferred_channel) : "-",
                " language '", s.language, "' tier '", s.tier, "'\n");
  return out;
}

// How often the cases the oracle is about were reached, so that a generator change that stops
// reaching one shows.
struct Coverage {
  int checks = 0;
  int cut = 0;               // a touchpoint summary or note longer than max_summary_bytes
  int channel_fallback = 0;  // a preferred_channel trait that is no channel name
  int merged = 0;            // customers with aliases
  int hashed = 0;            // customers with a hashed id (c~...)
  int reopened = 0;          // open cases opened more than once
};

struct Bounds {
  const char* name;
  sb::SnapshotOptions options;
};

std::vector<Bounds> AllBounds() {
  std::vector<Bounds> out;
  out.push_back({"defaults", sb::SnapshotOptions{}});
  sb::SnapshotOptions low;
  low.max_touchpoints = 1;
  low.max_summary_bytes = 16;
  low.max_notes = 0;
  low.max_open_cases = 0;
  low.repeat_window = absl::Minutes(1);
  low.verification_valid_for = absl::Minutes(1);
  out.push_back({"lowest", low});
  sb::SnapshotOptions high;
  high.max_touchpoints = 100;
  high.max_summary_bytes = 4096;
  high.max_notes = 50;
  high.max_open_cases = 50;
  out.push_back({"highest", high});
  sb::SnapshotOptions mid;
  mid.max_touchpoints = 7;
  mid.max_summary_bytes = 17;  // one past a 16: cuts land at every offset of a sequence
  mid.max_notes = 2;
  mid.max_open_cases = 2;
  out.push_back({"tight", mid});
  return out;
}

sb::JourneyMergerOptions MergerOptions(const sb::SnapshotOptions& snapshot, bool tight = false) {
  sb::JourneyMergerOptions o;
  if (tight) {  // limits, expiry and sharing: more drops, merges and late rebuilds
    o.identity.For(K::kPhone).max_values = 1;
    o.identity.For(K::kEmail).max_values = 1;
    o.identity.For(K::kDeviceId).max_values = 1;
    o.identity.For(K::kDeviceId).expiry = absl::Hours(30);
    o.identity.For(K::kDeviceId).shared_after = 3;
    o.identity.For(K::kEmail).priority = o.identity.For(K::kPhone).priority;
  }
  o.traits = OracleTraitRules();
  o.snapshot = snapshot;
  return o;
}

struct Harness {
  explicit Harness(const sb::JourneyMergerOptions& options) : clock(kT0 + absl::Hours(24 * 365)) {
    merger = *sb::JourneyMerger::Create(options, &clock);
  }
  void Feed(const std::vector<sb::TouchpointEvent>& events) {
    for (const auto& e : events) REQUIRE(merger->Ingest(e).ok());
  }
  sb::ManualClock clock;
  std::unique_ptr<sb::JourneyMerger> merger;
};

// Checks every customer of `h` against the oracle at the instants of `times` (plus each event's
// time and the instants around it), and returns the snapshots as text for comparing orders.
std::string CheckAgainstOracle(const Harness& h,
                               const std::map<std::string, sb::TouchpointEvent>& originals,
                               const std::vector<absl::Time>& times, std::mt19937_64& rng,
                               Coverage* coverage) {
  int* checks = &coverage->checks;
  const sb::JourneyMergerOptions& options = h.merger->options();
  std::string all;
  for (const sb::CustomerId& id : h.merger->ListCustomers(kAcme)) {
    INFO("customer " << id.value());
    auto journey = h.merger->GetJourney(kAcme, id);
    REQUIRE(journey.ok());
    std::vector<const sb::TouchpointEvent*> events;
    for (const sb::TouchpointEvent& e : journey->events) {
      const sb::TouchpointEvent& original = originals.at(e.id.value());
      CHECK(e.attributes == original.attributes);  // as ingested
      events.push_back(&original);
    }
    REQUIRE(std::is_sorted(events.begin(), events.end(),
                           [](auto* a, auto* b) { return EarlierInJourney(*a, *b); }));
    const Expected expected = ExpectedSnapshot(events, options.snapshot, options.traits);
    for (const sb::TouchpointEvent* e : events) {
      for (std::string_view key : {"summary", "note"}) {
        const std::string* v = Value(*e, key);
        if (v != nullptr && static_cast<int>(v->size()) > options.snapshot.max_summary_bytes) {
          ++coverage->cut;
        }
      }
    }
    for (const sb::TraitRule& r : options.traits) {
      if (r.field != "preferred_channel") continue;
      const std::string w = Winner(r, events);
      if (!w.empty() && !sb::ParseChannel(w).ok()) ++coverage->channel_fallback;
    }
    if (id.value().rfind("c~", 0) == 0) ++coverage->hashed;
    for (const sb::OpenCase& c : expected.snap.open_cases) {
      int openings = 0;
      for (const sb::TouchpointEvent* e : events) {
        const std::string* v = Value(*e, "case_id");
        openings += e->type == sb::EventType::kCaseOpened && v != nullptr && *v == c.id;
      }
      coverage->reopened += openings > 1;
    }

    auto profile = h.merger->GetCustomer(kAcme, id);
    REQUIRE(profile.ok());
    coverage->merged += !profile->aliases.empty();
    CHECK(TraitsText(profile->traits) == TraitsText(ExpectedTraits(options.traits, events)));
    ++*checks;

    // Every event's time and a minute either side, the windows' ends after it, random times,
    // and the ends of time: the listed fields and traits must not depend on the snapshot's time
    // (journeys.md: they are of every event stored), repeat and verification must.
    std::vector<absl::Time> at = times;
    for (const sb::TouchpointEvent* e : events) {
      if (Below(rng, 12) != 0) continue;  // a sample: the run stays short
      for (absl::Time t :
           {e->occurred_at, e->occurred_at - absl::Minutes(1), e->occurred_at + absl::Minutes(1),
            e->occurred_at + options.snapshot.repeat_window,
            e->occurred_at + options.snapshot.verification_valid_for}) {
        at.push_back(t);
      }
    }
    static const char* kIntents[] = {"", "billing", "move"};
    for (absl::Time now : at) {
      INFO("at " << absl::FormatTime(now, absl::UTCTimeZone()));
      const std::string intent = kIntents[Below(rng, 3)];
      INFO("intent '" << intent << "'");
      auto snap = h.merger->SnapshotOf(kAcme, id, intent, now);
      REQUIRE(snap.ok());
      CHECK(snap->tenant == kAcme);
      CHECK(snap->customer == id);
      CHECK(snap->built_at == now);
      CHECK(snap->possible_customers.empty());
      CHECK(!snap->needs_verification);
      sb::ContextSnapshot shown = *snap;
      // Any channel tied for most used is right; the text then shows the one given.
      if (shown.preferred_channel && expected.preferred_channels.count(*shown.preferred_channel)) {
        shown.preferred_channel.reset();
      } else {
        INFO("acceptable channels: " << expected.preferred_channels.size());
        CHECK(false);
      }
      sb::ContextSnapshot want = expected.snap;
      want.preferred_channel.reset();
      CHECK(FieldsText(shown) == FieldsText(want));
      // Repeat and verification (journey_property_test.cc checks them on one customer's events;
      // here customers merge and split): only events before (repeat) or at or before
      // (verification) the snapshot's time count, within their windows.
      bool repeat = false;
      absl::Time verified_at = absl::UnixEpoch();
      bool verified = false;
      for (const sb::TouchpointEvent* e : events) {
        const std::string* v = Value(*e, "intent");
        if (v != nullptr && !intent.empty() && *v == intent && e->occurred_at < now &&
            now - e->occurred_at <= options.snapshot.repeat_window) {
          repeat = true;
        }
        v = Value(*e, "identity_verified");
        if (v != nullptr && *v == "true" && e->occurred_at <= now &&
            now - e->occurred_at <= options.snapshot.verification_valid_for) {
          verified = true;
          verified_at = e->occurred_at;
        }
      }
      CHECK(snap->repeat_contact == repeat);
      CHECK(snap->identity_verified == verified);
      CHECK(snap->verified_at == verified_at);
      ++*checks;
    }
    auto last = h.merger->SnapshotOf(kAcme, id, "", absl::InfiniteFuture());
    REQUIRE(last.ok());
    // An alias names the same customer (Resolve() follows it), so it gets the same snapshot.
    for (const sb::CustomerId& alias : profile->aliases) {
      INFO("alias " << alias.value());
      auto by_alias = h.merger->SnapshotOf(kAcme, alias, "", absl::InfiniteFuture());
      REQUIRE(by_alias.ok());
      CHECK(*by_alias == *last);
      ++*checks;
    }
    all += StrCat("customer ", id.value(), "\n", FieldsText(*last), TraitsText(profile->traits));
  }
  return all;
}

// For each customer, a contact carrying a value that links it alone (an e-mail or account
// nobody shares) must get the snapshot SnapshotOf gives at the contact's arrival.
void CheckSnapshotFor(const Harness& h, std::mt19937_64& rng, Coverage* coverage) {
  int* checks = &coverage->checks;
  for (const sb::CustomerId& id : h.merger->ListCustomers(kAcme)) {
    auto profile = h.merger->GetCustomer(kAcme, id);
    REQUIRE(profile.ok());
    for (const sb::CustomerIdentifier& ci : profile->identifiers) {
      if (ci.kind != K::kEmail && ci.kind != K::kAccountId) continue;
      const sb::Identifier identifier{ci.kind, ci.value, ci.scope};
      auto match = h.merger->FindByIdentifier(kAcme, identifier);
      if (!match.ok() || match->shared || match->customer != id) continue;
      sb::Contact contact;
      contact.id = sb::ContactId("probe");
      contact.tenant = kAcme;
      contact.identifiers = {identifier};
      contact.intent = Below(rng, 2) ? "billing" : "";
      contact.arrived_at = kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 12)));
      INFO("customer " << id.value() << " by " << ci.value << " at "
                       << absl::FormatTime(contact.arrived_at, absl::UTCTimeZone()));
      auto by_contact = h.merger->SnapshotFor(contact);
      auto by_id = h.merger->SnapshotOf(kAcme, id, contact.intent, contact.arrived_at);
      REQUIRE(by_contact.ok());
      REQUIRE(by_id.ok());
      CHECK(FieldsText(*by_contact) == FieldsText(*by_id));
      CHECK(*by_contact == *by_id);
      ++*checks;
    }
  }
}

}  // namespace

TEST_CASE("a snapshot's fields and a profile's traits are what the customer's events say") {
  Coverage coverage;
  for (uint64_t seed : kSeeds) {
    const std::vector<sb::TouchpointEvent> events = OracleEvents(seed, 12, 140, 10);
    std::map<std::string, sb::TouchpointEvent> originals;
    for (const sb::TouchpointEvent& e : events) originals.emplace(e.id.value(), e);
    for (const Bounds& bounds : AllBounds()) {
      INFO("seed " << seed << " bounds " << bounds.name);
      std::mt19937_64 rng(seed * 6151);
      std::vector<absl::Time> times = {absl::InfinitePast(), absl::InfiniteFuture(),
                                       absl::UnixEpoch(), kT0, kT0 - absl::Minutes(1)};
      for (int i = 0; i < 4; ++i) {
        times.push_back(kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 12))));
      }
      std::string first;
      for (int order = 0; order < 3; ++order) {
        INFO("order " << order);
        std::vector<sb::TouchpointEvent> arrival = events;
        if (order == 0) {
          std::sort(arrival.begin(), arrival.end(), sb::JourneyOrderLess);
        } else {
          for (int d = 0; d < 20; ++d) arrival.push_back(events[Below(rng, events.size())]);
          Shuffle(&arrival, rng);
          if (order == 2) std::reverse(arrival.begin(), arrival.end() - arrival.size() / 2);
        }
        Harness h(MergerOptions(bounds.options, /*tight=*/seed % 2 == 1));
        if (order == 2) {  // a batch ingests as one call per event
          std::vector<sb::IngestResult> results;
          std::vector<absl::Status> statuses;
          REQUIRE(h.merger->IngestBatch(arrival, &results, &statuses).ok());
          for (const absl::Status& s : statuses) REQUIRE(s.ok());
        } else {
          h.Feed(arrival);
        }
        REQUIRE(h.merger->ListCustomers(kAcme).size() > 3);
        const std::string all = CheckAgainstOracle(h, originals, times, rng, &coverage);
        CheckSnapshotFor(h, rng, &coverage);
        if (order == 0) {
          first = all;
        } else {
          CHECK(all == first);  // the same customers, snapshots and traits in any order
        }
      }
    }
  }
  CHECK(coverage.checks > 1000);
  CHECK(coverage.cut > 0);
  CHECK(coverage.channel_fallback > 0);
  CHECK(coverage.merged > 0);
  CHECK(coverage.hashed > 0);
  CHECK(coverage.reopened > 0);
}

// One customer with up to 300 events and 40 cases (within the summary's 64), so that the
// highest bounds (100 touchpoints, 50 notes, 50 open cases) are reached, and most events arrive
// late: a late event whose values are all linked joins its customer without a rebuild.
TEST_CASE("a long journey's snapshot is what its events say, in any order") {
  Coverage coverage;
  int late_joins = 0;  // events applied late without a rebuild
  for (uint64_t seed : kSeeds) {
    if (seed > 100) break;  // three seeds: each is 12 runs of 250 events of one customer
    const std::vector<sb::TouchpointEvent> events = OracleEvents(seed, 1, 250, 20, 40);
    std::map<std::string, sb::TouchpointEvent> originals;
    for (const sb::TouchpointEvent& e : events) originals.emplace(e.id.value(), e);
    for (const Bounds& bounds : AllBounds()) {
      INFO("seed " << seed << " bounds " << bounds.name);
      std::mt19937_64 rng(seed * 7723);
      const std::vector<absl::Time> times = {
          absl::InfinitePast(), absl::InfiniteFuture(),
          kT0 + absl::Minutes(static_cast<int64_t>(Below(rng, 60 * 24 * 21)))};
      std::string first;
      for (int order = 0; order < 3; ++order) {
        INFO("order " << order);
        std::vector<sb::TouchpointEvent> arrival = events;
        if (order == 0) {
          std::sort(arrival.begin(), arrival.end(), sb::JourneyOrderLess);
        } else {
          Shuffle(&arrival, rng);
        }
        Harness h(MergerOptions(bounds.options));
        for (const sb::TouchpointEvent& e : arrival) {
          auto r = h.merger->Ingest(e);
          REQUIRE(r.ok());
          if (order > 0 && !r->rebuilt) ++late_joins;
        }
        REQUIRE(h.merger->ListCustomers(kAcme).size() == 1);
        const std::string all = CheckAgainstOracle(h, originals, times, rng, &coverage);
        CheckSnapshotFor(h, rng, &coverage);
        if (order == 0) {
          first = all;
        } else {
          CHECK(all == first);
        }
      }
    }
  }
  CHECK(late_joins > 0);
  CHECK(coverage.checks > 500);
  CHECK(coverage.reopened > 0);
}

// Explicit merges, splits (of automatic and explicit merges) and erasures rebuild customers
// from their events; after each, every customer's snapshot and traits still follow from them.
TEST_CASE("after merges, splits and erasures a snapshot is still what the events say") {
  Coverage coverage;
  int operations = 0;
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed * 4093);
    const std::vector<sb::TouchpointEvent> events = OracleEvents(seed + 1000, 10, 160, 10);
    std::map<std::string, sb::TouchpointEvent> originals;
    for (const sb::TouchpointEvent& e : events) originals.emplace(e.id.value(), e);
    std::vector<sb::TouchpointEvent> arrival = events;
    Shuffle(&arrival, rng);
    Harness h(MergerOptions(AllBounds()[seed % 4].options, /*tight=*/seed % 3 == 0));
    const std::vector<absl::Time> times = {absl::InfiniteFuture()};
    size_t fed = 0;
    for (int step = 0; step < 12; ++step) {
      INFO("step " << step);
      const size_t next = std::min(arrival.size(), fed + arrival.size() / 8);
      h.Feed(std::vector<sb::TouchpointEvent>(arrival.begin() + static_cast<long>(fed),
                                              arrival.begin() + static_cast<long>(next)));
      fed = next;
      const std::vector<sb::CustomerId> ids = h.merger->ListCustomers(kAcme);
      const std::vector<sb::MergeRecord> merges = h.merger->ListMerges(kAcme);
      switch (Below(rng, 4)) {
        case 0:
          if (ids.size() >= 2) {
            const sb::CustomerId& a = ids[Below(rng, ids.size())];
            const sb::CustomerId& b = ids[Below(rng, ids.size())];
            if (a != b) operations += h.merger->Merge(kAcme, a, b, "same person", "qa").ok();
          }
          break;
        case 1:
        case 2:
          if (!merges.empty()) {
            operations += h.merger->Split(kAcme, merges[Below(rng, merges.size())].id, "qa").ok();
          }
          break;
        default:
          if (ids.size() > 3) {
            operations += h.merger->Forget(kAcme, ids[Below(rng, ids.size())]).ok();
          }
          break;
      }
      CheckAgainstOracle(h, originals, times, rng, &coverage);
    }
  }
  CHECK(operations > 20);
  CHECK(coverage.checks > 100);
}

// Erasing most customers compacts the store's arenas and reuses slots; the survivors' snapshots,
// whose touchpoint summaries are read back from the arena, and traits still follow from their
// events, also for events ingested after it.
TEST_CASE("after most customers are erased a snapshot is still what the events say") {
  Coverage coverage;
  for (uint64_t seed : kSeeds) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed * 2477);
    std::vector<sb::TouchpointEvent> events = OracleEvents(seed + 2000, 40, 500, 10);
    std::map<std::string, sb::TouchpointEvent> originals;
    for (const sb::TouchpointEvent& e : events) originals.emplace(e.id.value(), e);
    Shuffle(&events, rng);
    Harness h(MergerOptions(sb::SnapshotOptions{}, /*tight=*/seed % 2 == 0));
    const size_t half = events.size() / 2;
    h.Feed(
        std::vector<sb::TouchpointEvent>(events.begin(), events.begin() + static_cast<long>(half)));
    std::vector<sb::CustomerId> ids = h.merger->ListCustomers(kAcme);
    for (size_t i = 0; i + 2 < ids.size(); ++i) {
      auto resolved = h.merger->Resolve(kAcme, ids[i]);
      if (resolved.ok()) h.merger->Forget(kAcme, *resolved).IgnoreError();
    }
    CheckAgainstOracle(h, originals, {absl::InfiniteFuture()}, rng, &coverage);
    h.Feed(
        std::vector<sb::TouchpointEvent>(events.begin() + static_cast<long>(half), events.end()));
    CheckAgainstOracle(h, originals, {absl::InfiniteFuture()}, rng, &coverage);
  }
  CHECK(coverage.checks > 100);
}
