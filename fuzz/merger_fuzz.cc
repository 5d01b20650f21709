// Fuzz target: a program of JourneyMerger calls read from the bytes: events with hostile values
// mixed in (bad enums, malformed and blocked identifiers, non-UTF-8 text, far times, other
// tenants), redeliveries, merges, splits, erasures and snapshots. Promises checked:
//   - no crash; a rejection says why; a rejected call leaves the merger exactly as it was;
//   - a snapshot stays within its bounds (SnapshotOptions);
//   - an event of another tenant, even with the id and identifiers of one of acme's, changes
//     nothing of acme's;
//   - for a program of events alone, the same events in the reverse order give the same
//     customers, journeys, identifiers, traits and merge records (arrival order does not matter).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_target.h"
#include "switchboard/clock.h"
#include "switchboard/context_snapshot.h"
#include "switchboard/journey_merger.h"

namespace sb = switchboard;
using switchboard_fuzz::ByteReader;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
// The clock stands still a year after kT0, so that when an event arrives does not matter.
const absl::Time kNow = kT0 + absl::Hours(24 * 365);
const sb::TenantId kAcme("acme");

std::string Hostile(ByteReader& in) {
  static const std::vector<std::string> kOdd = {"",
                                                std::string("\xff\xfe", 2),
                                                std::string(5000, 'x'),
                                                "anonymous",
                                                "not a phone",
                                                "  +1 (415) 555-0100 ",
                                                "A@B",
                                                "a@@b.c",
                                                "\xe2\x80\x8b",
                                                std::string("nul\0in", 6)};
  return in.Pick(kOdd);
}

sb::Identifier MakeIdentifier(ByteReader& in) {
  sb::Identifier id;
  const std::uint8_t kind = in.Byte();
  id.kind = static_cast<sb::IdentifierKind>(kind % (sb::kIdentifierKindCount + (kind > 250)));
  const int n = static_cast<int>(in.Range(0, 3));
  switch (id.kind) {
    case sb::IdentifierKind::kPhone:
      id.value = "+1415555" + std::to_string(1000 + n);
      break;
    case sb::IdentifierKind::kEmail:
      id.value = (n == 3 ? std::string("Team") : "u" + std::to_string(n)) + "@Ex.com";
      break;
    default:
      id.value = "v" + std::to_string(n);
  }
  if (id.kind == sb::IdentifierKind::kSocialHandle || id.kind == sb::IdentifierKind::kCustom ||
      id.kind == sb::IdentifierKind::kChannelOpaque) {
    id.scope = in.Hostile() ? Hostile(in) : "x";
  }
  if (in.Hostile()) id.value = Hostile(in);
  return id;
}

sb::TouchpointEvent MakeEvent(ByteReader& in, int serial) {
  sb::TouchpointEvent e;
  e.id = sb::EventId("e" + std::to_string(serial));
  e.tenant = in.Hostile() ? sb::TenantId(in.Chance(128) ? "" : "other") : kAcme;
  // Now and then one past the enum.
  e.type = static_cast<sb::EventType>(in.Hostile() ? sb::kEventTypeCount
                                                   : in.Range(0, sb::kEventTypeCount - 1));
  e.channel = static_cast<sb::Channel>(in.Hostile() ? sb::kChannelCount
                                                    : in.Range(0, sb::kChannelCount - 1));
  // Half-hour steps: many events share a time, and ties are broken by id.
  e.occurred_at = kT0 + absl::Minutes(30 * in.Range(0, 200));
  if (in.Hostile()) e.occurred_at = in.Chance(128) ? kNow + absl::Hours(1) : absl::InfinitePast();
  e.received_at = e.occurred_at;
  for (int n = static_cast<int>(in.Range(0, 3)); n > 0; --n) {
    e.identifiers.push_back(MakeIdentifier(in));
  }
  static const std::vector<std::string> kFields = {
      "language",          "tier",     "intent", "agent_id", "identity_verified", "case_id", "note",
      "preferred_channel", "sentiment"};
  static const std::vector<std::string> kValues = {"en",     "gold", "billing", "agent-1", "true",
                                                   "case-1", "x",    "chat",    "-0.5"};
  for (int n = static_cast<int>(in.Range(0, 3)); n > 0; --n) {
    const std::size_t f = in.Byte() % kFields.size();
    e.attributes[kFields[f]] = in.Hostile() ? Hostile(in) : kValues[in.Byte() % kValues.size()];
  }
  e.source_system = in.Hostile() ? Hostile(in) : "crm";
  return e;
}

// Everything a host can read of the tenant, as text.
std::string Dump(const sb::JourneyMerger& m) {
  std::string out;
  for (const sb::CustomerId& id : m.ListCustomers(kAcme)) {
    const auto p = m.GetCustomer(kAcme, id);
    const auto j = m.GetJourney(kAcme, id);
    FUZZ_CHECK(p.ok() && j.ok(), "a listed customer cannot be read: " + id.value());
    out += "customer " + id.value() + " (" + std::to_string(p->event_count) + "):";
    for (const auto& e : j->events) out += " " + e.id.value();
    out += "\n aliases:";
    for (const auto& a : p->aliases) out += " " + a.value();
    out += "\n ids:";
    for (const auto& ci : p->identifiers) {
      out += " " + std::to_string(static_cast<int>(ci.kind)) + ":" + ci.scope + ":" + ci.value +
             "/" + std::to_string(static_cast<int>(ci.link)) + (ci.verified ? "v" : "");
    }
    out += "\n traits:";
    for (const auto& t : p->traits) out += " " + t.field + "=" + t.value;
    out += "\n";
  }
  for (const sb::MergeRecord& r : m.ListMerges(kAcme)) {
    out += "merge " + r.id + " " + r.survivor.value() + "<-" + r.absorbed.value() + " by " +
           r.evidence.value() + " on " + r.identifier_key + "\n";
  }
  return out;
}

std::unique_ptr<sb::JourneyMerger> NewMerger(const sb::Clock* clock) {
  sb::JourneyMergerOptions options;
  options.identity.For(sb::IdentifierKind::kDeviceId).expiry = absl::Hours(24 * 7);
  auto made = sb::JourneyMerger::Create(options, clock);
  FUZZ_CHECK(made.ok(), "Create refused valid options");
  return std::move(*made);
}

class Program {
 public:
  explicit Program(ByteReader& in) : in_(in), clock_(kNow), merger_(NewMerger(&clock_)) {}

  void Run() {
    // Half the programs ingest and read only, so that the order check applies to them.
    events_only_ = in_.Byte() < 128;
    for (int step = 0; step < 64 && !in_.empty(); ++step) Step(step);
    if (events_only_) CheckReverseOrder();
  }

 private:
  sb::CustomerId AnyCustomer() {
    const std::vector<sb::CustomerId> ids = merger_->ListCustomers(kAcme);
    if (ids.empty() || in_.Hostile()) return sb::CustomerId(in_.Chance(128) ? "" : "c-none");
    return ids[in_.Byte() % ids.size()];
  }

  void Step(int step) {
    int op = in_.Byte() % 10;
    if (events_only_ && op >= 5 && op <= 7) op = 0;  // an event, not a merge, split or erasure
    switch (op) {
      case 0:
      case 1:
      case 2:
      case 3: {
        sb::TouchpointEvent e = MakeEvent(in_, step);
        Mutate([&] { return merger_->Ingest(e).status(); });
        ingested_.push_back(std::move(e));
        break;
      }
      case 4:  // a redelivery, or the same event in another tenant, which acme never sees
        if (!ingested_.empty()) {
          sb::TouchpointEvent e = ingested_[in_.Byte() % ingested_.size()];
          if (in_.Byte() >= 192) {
            e.tenant = sb::TenantId("other");
            const std::string before = Dump(*merger_);
            const absl::Status s = merger_->Ingest(e).status();
            FUZZ_CHECK(switchboard_fuzz::Explained(s), "an error without a message");
            FUZZ_CHECK(Dump(*merger_) == before, "another tenant's event changed acme");
          } else {
            Mutate([&] { return merger_->Ingest(e).status(); });
          }
          ingested_.push_back(e);
        }
        break;
      case 5: {
        const sb::CustomerId a = AnyCustomer();
        const sb::CustomerId b = AnyCustomer();
        const std::string actor = in_.Hostile() ? Hostile(in_) : "ops";
        Mutate([&] { return merger_->Merge(kAcme, a, b, "same person", actor).status(); });
        break;
      }
      case 6: {
        const std::vector<sb::MergeRecord> merges = merger_->ListMerges(kAcme);
        const std::string id =
            merges.empty() || in_.Hostile() ? "m-none" : merges[in_.Byte() % merges.size()].id;
        Mutate([&] { return merger_->Split(kAcme, id, "ops").status(); });
        break;
      }
      case 7: {
        if (in_.Chance(128)) {
          const sb::CustomerId c = AnyCustomer();
          Mutate([&] { return merger_->Forget(kAcme, c).status(); });
        } else {
          const sb::Identifier id = MakeIdentifier(in_);
          Mutate([&] { return merger_->Forget(kAcme, id).status(); });
        }
        break;
      }
      case 8: {  // reads change nothing
        sb::Contact contact;
        contact.id = sb::ContactId("call");
        contact.tenant = kAcme;
        contact.arrived_at = kT0 + absl::Minutes(30 * in_.Range(0, 220));
        for (int n = static_cast<int>(in_.Range(0, 2)); n > 0; --n) {
          contact.identifiers.push_back(MakeIdentifier(in_));
        }
        contact.intent = in_.Chance(128) ? "billing" : "";
        Read([&] { return Bounded(merger_->SnapshotFor(contact)); });
        break;
      }
      default: {
        const sb::CustomerId c = AnyCustomer();
        const absl::Time at =
            in_.Hostile() ? absl::InfiniteFuture() : kT0 + absl::Minutes(30 * in_.Range(0, 220));
        Read([&] { return Bounded(merger_->SnapshotOf(kAcme, c, "billing", at)); });
        const sb::Identifier id = MakeIdentifier(in_);
        Read([&] { return merger_->FindByIdentifier(kAcme, id).status(); });
      }
    }
  }

  // A snapshot holds no more than SnapshotOptions allows (the defaults here), whatever the
  // customer's history.
  static absl::Status Bounded(const absl::StatusOr<sb::ContextSnapshot>& snap) {
    if (!snap.ok()) return snap.status();
    const sb::SnapshotOptions bounds;
    const auto cut = static_cast<std::size_t>(bounds.max_summary_bytes);
    FUZZ_CHECK(snap->recent.size() <= static_cast<std::size_t>(bounds.max_touchpoints),
               "too many touchpoints");
    for (const auto& t : snap->recent) FUZZ_CHECK(t.summary.size() <= cut, "a long summary");
    FUZZ_CHECK(snap->notes.size() <= static_cast<std::size_t>(bounds.max_notes), "too many notes");
    for (const auto& n : snap->notes) FUZZ_CHECK(n.size() <= cut, "a long note");
    FUZZ_CHECK(snap->open_cases.size() <= static_cast<std::size_t>(bounds.max_open_cases),
               "too many open cases");
    for (const auto& c : snap->open_cases) FUZZ_CHECK(c.summary.size() <= cut, "a long case");
    FUZZ_CHECK(snap->possible_customers.size() <= static_cast<std::size_t>(bounds.max_candidates),
               "too many candidates");
    return absl::OkStatus();
  }

  template <typename Call>
  void Mutate(Call call) {
    const std::string before = Dump(*merger_);
    const absl::Status s = call();
    FUZZ_CHECK(switchboard_fuzz::Explained(s), "an error without a message");
    if (!s.ok()) {
      FUZZ_CHECK(Dump(*merger_) == before, "a rejected call changed the merger: " + s.ToString());
    }
  }

  template <typename Call>
  void Read(Call call) {
    const std::string before = Dump(*merger_);
    const absl::Status s = call();
    FUZZ_CHECK(switchboard_fuzz::Explained(s), "an error without a message");
    FUZZ_CHECK(Dump(*merger_) == before, "a read changed the merger");
  }

  void CheckReverseOrder() {
    const auto other = NewMerger(&clock_);
    for (auto it = ingested_.rbegin(); it != ingested_.rend(); ++it) {
      const absl::Status s = other->Ingest(*it).status();
      FUZZ_CHECK(switchboard_fuzz::Explained(s), "an error without a message");
    }
    const std::string forward = Dump(*merger_);
    const std::string reverse = Dump(*other);
    FUZZ_CHECK(forward == reverse,
               "the reverse order gave another result:\n" + forward + "---\n" + reverse);
  }

  ByteReader& in_;
  sb::ManualClock clock_;
  std::unique_ptr<sb::JourneyMerger> merger_;
  std::vector<sb::TouchpointEvent> ingested_;
  bool events_only_ = false;
};

}  // namespace

namespace switchboard_fuzz {

// Random programs (every byte string is one), half of them of events and reads only.
std::vector<std::string> Seeds() { return RandomPrograms(16, 1200); }

}  // namespace switchboard_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Program program(in);
  program.Run();
  return 0;
}
