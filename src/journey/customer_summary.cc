#include "src/journey/customer_summary.h"

#include <algorithm>
#include <string>

namespace switchboard::journey_internal {
namespace {

namespace attrs = context_attributes;

// Keeps the newer of `into` and (key, value); takes the parts so that callers need not build a
// KeyedValue first (copies only when the value is newer).
void LatestOf(const KeyOrder& o, const SummaryKey& key, const std::string& value,
              KeyedValue* into) {
  if (!key.empty() && o.Less(into->key, key)) {
    into->key = key;
    into->value = value;
  }
}

void Latest(const KeyOrder& o, const KeyedValue& v, KeyedValue* into) {
  LatestOf(o, v.key, v.value, into);
}

const std::string* Attr(const TouchpointEvent& e, std::string_view key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() || it->second.empty() ? nullptr : &it->second;
}

// The key a list of entries is kept newest first by.
const SummaryKey& NewestKey(const KeyedValue& v) { return v.key; }
const SummaryKey& NewestKey(const IntentSightings& i) { return i.latest; }

// Keeps the `limit` newest entries; top-k by key is order-independent.
template <typename Entry>
void AddNewest(const KeyOrder& o, Entry v, size_t limit, std::vector<Entry>* list) {
  auto newer_first = [&](const Entry& a, const Entry& b) {
    return o.Less(NewestKey(b), NewestKey(a));
  };
  list->insert(std::upper_bound(list->begin(), list->end(), v, newer_first), std::move(v));
  if (list->size() > limit) list->resize(limit);
}

// Each intent's two latest sightings, intents ordered by their latest newest first, at most
// kMaxIntentsKept. The kept intents are the top-k by latest sighting, the same in any order.
void AddIntent(const KeyOrder& o, const SummaryKey& key, const std::string& value,
               std::vector<IntentSightings>* intents) {
  if (key.empty()) return;
  auto same = std::find_if(intents->begin(), intents->end(),
                           [&](const IntentSightings& i) { return i.value == value; });
  if (same == intents->end()) {
    AddNewest(o, IntentSightings{key, SummaryKey(), value}, kMaxIntentsKept, intents);
    return;
  }
  if (!o.Less(same->latest, key)) {
    if (key != same->latest && o.Less(same->previous, key)) same->previous = key;
    return;
  }
  // A newer sighting moves the intent up among the newer ones before it (the usual case: a
  // customer's newest event names an intent seen before), without copying its text.
  auto place = std::upper_bound(
      intents->begin(), same, key,
      [&](const SummaryKey& k, const IntentSightings& i) { return o.Less(i.latest, k); });
  std::rotate(place, same, same + 1);
  place->previous = place->latest;
  place->latest = key;
}

void AddCase(const KeyOrder& o, const CaseState& c, std::vector<CaseState>* cases) {
  auto it = std::lower_bound(cases->begin(), cases->end(), c,
                             [](const CaseState& a, const CaseState& b) { return a.id < b.id; });
  if (it == cases->end() || it->id != c.id) {
    cases->insert(it, c);
  } else {
    // Earliest opening, latest opening and latest resolution; the summary travels with the
    // earliest opening.
    if (!c.opened.empty() && (it->opened.empty() || o.Less(c.opened, it->opened))) {
      it->opened = c.opened;
      it->summary = c.summary;
    }
    if (o.Less(it->last_opened, c.last_opened)) it->last_opened = c.last_opened;
    if (o.Less(it->resolved, c.resolved)) it->resolved = c.resolved;
  }
  if (cases->size() > kMaxCasesKept) {
    // Drop the case whose latest event is earliest. That key only grows as parts of a case come
    // together, so the kept cases are the top 64 by it over all of the customer's events in any
    // order of events and merges, and each keeps its latest event, which decides whether it is
    // open. (Dropping by first opening lost a resolution that a merge later brought the opening
    // of, and the case showed as open.)
    auto latest = [&](const CaseState& c) -> const SummaryKey& {
      return o.Less(c.last_opened, c.resolved) ? c.resolved : c.last_opened;
    };
    auto oldest =
        std::min_element(cases->begin(), cases->end(), [&](const CaseState& a, const CaseState& b) {
          const SummaryKey& ka = latest(a);
          const SummaryKey& kb = latest(b);
          if (ka != kb) return o.Less(ka, kb);
          return a.id < b.id;
        });
    cases->erase(oldest);
  }
}

}  // namespace

void AddToSummary(const TouchpointEvent& e, EventHandle handle, const SnapshotOptions& options,
                  const KeyOrder& o, CustomerSummary* s) {
  if (IsKnownChannel(e.channel)) ++s->channel_counts[static_cast<int>(e.channel)];
  if (e.attributes.empty()) return;  // everything below reads attributes
  const SummaryKey key{handle};
  if (const std::string* v = Attr(e, attrs::kAgent)) LatestOf(o, key, *v, &s->last_agent);
  if (const std::string* v = Attr(e, attrs::kQueue)) LatestOf(o, key, *v, &s->last_queue);
  if (const std::string* v = Attr(e, attrs::kIntent)) {
    LatestOf(o, key, *v, &s->last_intent);
    AddIntent(o, key, *v, &s->intents);
  }
  if (const std::string* v = Attr(e, attrs::kVerified); v != nullptr && *v == "true") {
    if (o.Less(s->verified, key)) s->verified = key;
  }
  if (e.type == EventType::kAgentNote) {
    const std::string* note = Attr(e, attrs::kNote);
    if (note == nullptr) note = Attr(e, attrs::kSummary);
    if (note != nullptr && options.max_notes > 0) {
      AddNewest(o, {key, *note}, static_cast<size_t>(options.max_notes), &s->notes);
    }
  }
  if (e.type == EventType::kCaseOpened || e.type == EventType::kCaseResolved) {
    if (const std::string* id = Attr(e, attrs::kCaseId)) {
      CaseState c;
      c.id = *id;
      if (e.type == EventType::kCaseOpened) {
        c.opened = key;
        c.last_opened = key;
        if (const std::string* sum = Attr(e, attrs::kSummary)) c.summary = *sum;
      } else {
        c.resolved = key;
      }
      AddCase(o, c, &s->cases);
    }
  }
}

void AbsorbSummary(const CustomerSummary& from, const SnapshotOptions& options,
                   const KeyOrder& o, CustomerSummary* into) {
  Latest(o, from.last_agent, &into->last_agent);
  Latest(o, from.last_queue, &into->last_queue);
  Latest(o, from.last_intent, &into->last_intent);
  if (o.Less(into->verified, from.verified)) into->verified = from.verified;
  for (const KeyedValue& n : from.notes) {
    AddNewest(o, n, static_cast<size_t>(std::max(options.max_notes, 0)), &into->notes);
  }
  for (const IntentSightings& i : from.intents) {
    AddIntent(o, i.latest, i.value, &into->intents);
    AddIntent(o, i.previous, i.value, &into->intents);
  }
  for (const CaseState& c : from.cases) AddCase(o, c, &into->cases);
  for (int i = 0; i < kChannelCount; ++i) into->channel_counts[i] += from.channel_counts[i];
}

}  // namespace switchboard::journey_internal
