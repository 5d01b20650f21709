// Fuzz target: a program of Router calls read from the bytes, run on an indexed router and on the
// linear-scan oracle in lockstep, with hostile values mixed in (ids out of range, bad enums,
// counts past their bounds, odd language tags, non-UTF-8 text). After every call:
//   - both routers return the same status and emit the same events, and their state dumps match;
//   - a rejected call says why, emits nothing and leaves the router exactly as it was;
//   - Router::CheckInvariants holds for both.
// The property test (tests/router_property_test.cc) checks the same from random sequences;
// here coverage feedback steers the sequences toward the rarer paths.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_target.h"
#include "switchboard/router.h"

namespace sb = switchboard;
using switchboard_fuzz::ByteReader;

namespace {

constexpr std::int64_t kStartSeconds = 1'700'000'000;

class Recorder : public sb::RouterListener {
 public:
  void OnEvent(const sb::RoutingEvent& e) override { events.push_back(e); }
  std::vector<sb::RoutingEvent> events;
};

struct Side {
  explicit Side(sb::SelectionMode mode, const sb::RouterOptions& base)
      : clock(absl::FromUnixSeconds(kStartSeconds)) {
    sb::RouterOptions options = base;
    options.selection = mode;
    auto made = sb::Router::Create(options, &clock, &recorder);
    FUZZ_CHECK(made.ok(), "Create refused valid options: " + std::string(made.status().message()));
    router = std::move(*made);
  }
  sb::ManualClock clock;
  Recorder recorder;
  std::unique_ptr<sb::Router> router;
};

// Text: mostly from a small set (so that ids meet again), sometimes hostile.
std::string Text(ByteReader& in, const char* prefix, int count) {
  if (in.Hostile()) {
    switch (in.Byte() % 3) {
      case 0:
        return "";
      case 1:
        return std::string("\xff\xfe", 2);  // not UTF-8
      default:
        return std::string(300, 'x');  // past the name bounds
    }
  }
  return std::string(prefix) + std::to_string(in.Range(0, count - 1));
}

sb::Channel AnyChannel(ByteReader& in) {
  // Mostly voice and chat (so that capacity and blending rules meet), now and then any channel
  // or a value past the enum.
  const std::uint8_t b = in.Byte();
  if (b < 224) return b % 2 == 0 ? sb::Channel::kVoice : sb::Channel::kChat;
  return static_cast<sb::Channel>(b % (sb::kChannelCount + 1));
}

std::vector<sb::SkillRequirement> Requirements(ByteReader& in) {
  std::vector<sb::SkillRequirement> out;
  for (int n = static_cast<int>(in.Range(0, 2)); n > 0; --n) {
    out.push_back({Text(in, "s", 4), static_cast<int>(in.Around(1, 10)), in.Chance(224)});
  }
  return out;
}

std::string Language(ByteReader& in) {
  static const std::vector<std::string> kTags = {"", "en", "es", "ES", "en-US", "", "en", "es"};
  if (in.Hostile()) return in.Chance(128) ? "x" : "1a";
  return in.Pick(kTags);
}

class Program {
 public:
  explicit Program(ByteReader& in)
      : in_(in),
        indexed_(sb::SelectionMode::kIndexed, Options(in)),
        scan_(sb::SelectionMode::kLinearScan, Options(in)) {}

  void Run() {
    // A center to route in first: queues, then agents who serve them.
    for (int n = static_cast<int>(in_.Range(1, 3)); n > 0; --n) {
      const sb::Queue q = MakeQueue();
      if (Do([&](sb::Router& r) { return r.AddQueue(q); })) Note(&queues_, q.id.value());
    }
    for (int n = static_cast<int>(in_.Range(1, 5)); n > 0; --n) {
      const sb::Agent a = MakeAgent();
      if (Do([&](sb::Router& r) { return r.AddAgent(a); })) Note(&agents_, a.id.value());
    }
    for (int step = 0; step < 200 && !in_.empty(); ++step) Step();
  }

 private:
  sb::Queue MakeQueue() {
    sb::Queue q;
    q.id = sb::QueueId(Text(in_, "q", 3));
    q.tenant = sb::TenantId("acme");
    q.channels = {AnyChannel(in_)};
    if (in_.Chance(96)) {
      const sb::Channel second = AnyChannel(in_);
      if (second != q.channels[0] || in_.Hostile()) q.channels.push_back(second);
    }
    if (in_.Chance(64)) q.required_skills = Requirements(in_);
    q.priority = static_cast<int>(in_.Around(1, 3));
    q.max_waiting = static_cast<int>(in_.Around(0, 4));
    q.wrap_up = absl::Seconds(in_.Around(0, 30));
    q.offer_timeout = absl::Seconds(in_.Around(1, 20));
    q.order = in_.Chance(48) ? sb::QueueOrder::kLifo : sb::QueueOrder::kFifo;
    if (in_.Chance(32)) q.service_level.threshold = absl::Seconds(in_.Around(1, 30));
    return q;
  }

  sb::Agent MakeAgent() {
    sb::Agent a;
    a.id = sb::AgentId(Text(in_, "a", 5));
    a.tenant = sb::TenantId("acme");
    for (int n = static_cast<int>(in_.Range(1, 3)); n > 0; --n) {
      const sb::QueueMembership m{QueueRef(), static_cast<int>(in_.Around(1, 3)),
                                  absl::Seconds(in_.Chance(48) ? in_.Around(0, 20) : 0)};
      const bool repeated = std::any_of(a.queues.begin(), a.queues.end(),
                                        [&](const auto& x) { return x.queue == m.queue; });
      if (!repeated || in_.Hostile()) a.queues.push_back(m);
    }
    for (int n = static_cast<int>(in_.Range(0, 4)); n > 0; --n) {
      const sb::Skill skill{Text(in_, "s", 4), static_cast<int>(in_.Around(3, 10))};
      const bool repeated = std::any_of(a.skills.begin(), a.skills.end(),
                                        [&](const auto& x) { return x.name == skill.name; });
      if (!repeated || in_.Hostile()) a.skills.push_back(skill);
    }
    for (int n = static_cast<int>(in_.Range(0, 2)); n > 0; --n) {
      const std::string tag = Language(in_);
      if (!tag.empty()) a.languages.push_back(tag);
    }
    if (in_.Chance(96)) {
      a.capacities.push_back({sb::Channel::kVoice, static_cast<int>(in_.Around(0, 1)), 100});
      a.capacities.push_back({sb::Channel::kChat, static_cast<int>(in_.Around(0, 3)),
                              static_cast<int>(in_.Around(1, 40))});
    }
    a.capacity_units = in_.Chance(16) ? static_cast<int>(in_.Around(1, 200)) : 100;
    a.allow_blending = in_.Chance(64);
    // Mostly available; now and then a state the host may not set, or a value past the enum.
    static const std::vector<sb::AgentState> kStates = {
        sb::AgentState::kAvailable, sb::AgentState::kAvailable, sb::AgentState::kAway,
        sb::AgentState::kOffline};
    a.status.state =
        in_.Hostile() ? static_cast<sb::AgentState>(in_.Range(3, 5)) : in_.Pick(kStates);
    if (a.status.state == sb::AgentState::kAway) a.status.away_reason = Text(in_, "r", 2);
    return a;
  }

  sb::Contact MakeContact(absl::Time now) {
    sb::Contact c;
    c.id = sb::ContactId(Text(in_, "c", 12));
    c.tenant = sb::TenantId(in_.Hostile() ? "other" : "acme");
    c.channel = AnyChannel(in_);
    c.required_skills = in_.Chance(48) ? Requirements(in_) : std::vector<sb::SkillRequirement>{};
    c.language = Language(in_);
    c.priority = static_cast<int>(in_.Around(0, 3));
    c.arrived_at = now - absl::Seconds(in_.Around(0, 60));
    if (in_.Chance(32)) {
      c.preferred_agent = AgentRef();
      c.preferred_agent_wait = absl::Seconds(in_.Around(0, 30));
    }
    if (in_.Chance(16)) {
      c.service_level = sb::ServiceLevelTarget{0.8, absl::Seconds(in_.Around(1, 9))};
    }
    return c;
  }

  // The offer a call names: one the router made (a live one, usually), or any number.
  sb::OfferId AnyOffer(const std::vector<sb::RoutingEvent>& events) {
    if (in_.Hostile() || events.empty()) {
      return sb::OfferId{static_cast<std::uint64_t>(in_.Range(0, 40))};
    }
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->offer.has_value() && in_.Chance(160)) return it->offer->id;
    }
    return sb::OfferId{static_cast<std::uint64_t>(in_.Range(0, 40))};
  }

  // An id the call names: one the host added (usually), or any other.
  sb::QueueId QueueRef() { return sb::QueueId(Ref(queues_, "q", 3)); }
  sb::AgentId AgentRef() { return sb::AgentId(Ref(agents_, "a", 5)); }
  sb::ContactId ContactRef() { return sb::ContactId(Ref(contacts_, "c", 12)); }
  std::string Ref(const std::vector<std::string>& known, const char* prefix, int count) {
    if (known.empty() || in_.Byte() >= 224) return Text(in_, prefix, count);
    return in_.Pick(known);
  }
  static void Note(std::vector<std::string>* known, const std::string& id) {
    if (std::find(known->begin(), known->end(), id) == known->end()) known->push_back(id);
  }

  // Both routers get the same options: read once, then repeated.
  sb::RouterOptions Options(ByteReader& in) {
    if (options_read_) return options_;
    options_read_ = true;
    static const std::vector<std::string> kStrategies = {
        "longest-idle", "least-occupied", "round-robin",     "fewest-contacts", "least-talk-time",
        "linear",       "random",         "weighted-random", "best-skill"};
    options_.strategy = in.Pick(kStrategies);
    options_.max_missed_offers = static_cast<int>(in.Range(0, 3));
    options_.index_selectivity = static_cast<int>(in.Range(1, 4));
    options_.index_max_walk = static_cast<int>(in.Range(0, 4));
    options_.index_retire_after = static_cast<int>(in.Range(0, 4));
    options_.default_capacities_when_empty = in.Chance(224);
    return options_;
  }

  void Step() {
    const absl::Time now = indexed_.clock.Now();
    switch (in_.Byte() % 16) {
      case 0: {
        const sb::Queue q = MakeQueue();
        if (Do([&](sb::Router& r) { return r.AddQueue(q); })) Note(&queues_, q.id.value());
        break;
      }
      case 1: {
        sb::Queue q = MakeQueue();
        if (!in_.Hostile()) q.id = QueueRef();
        Do([&](sb::Router& r) { return r.UpdateQueue(q); });
        break;
      }
      case 2: {
        const sb::QueueId q = QueueRef();
        Do([&](sb::Router& r) { return r.RemoveQueue(q); });
        break;
      }
      case 3:
      case 4: {
        sb::Agent a = MakeAgent();
        if (in_.Chance(128)) {
          if (Do([&](sb::Router& r) { return r.AddAgent(a); })) Note(&agents_, a.id.value());
        } else {
          if (!in_.Hostile()) a.id = AgentRef();
          Do([&](sb::Router& r) { return r.UpdateAgent(a); });
        }
        break;
      }
      case 5: {
        const sb::AgentId a = AgentRef();
        Do([&](sb::Router& r) { return r.RemoveAgent(a); });
        break;
      }
      case 6: {
        const sb::AgentId a = AgentRef();
        const auto state = in_.Hostile() ? static_cast<sb::AgentState>(in_.Range(3, 5))
                                         : static_cast<sb::AgentState>(in_.Range(0, 2));
        const std::string reason = Text(in_, "r", 2);
        Do([&](sb::Router& r) { return r.SetAgentState(a, state, reason); });
        break;
      }
      case 7:
      case 8: {
        const sb::Contact c = MakeContact(now);
        const sb::QueueId q = QueueRef();
        if (Do([&](sb::Router& r) { return r.Enqueue(c, q); })) Note(&contacts_, c.id.value());
        break;
      }
      case 9: {
        const sb::OfferId offer = AnyOffer(indexed_.recorder.events);
        if (in_.Chance(200)) {
          Do([&](sb::Router& r) { return r.Accept(offer); });
        } else {
          Do([&](sb::Router& r) { return r.Decline(offer); });
        }
        break;
      }
      case 10: {
        const sb::ContactId c = ContactRef();
        const std::string disposition = Text(in_, "d", 2);
        Do([&](sb::Router& r) { return r.Complete(c, disposition); });
        break;
      }
      case 11: {
        const sb::ContactId c = ContactRef();
        if (in_.Chance(128)) {
          Do([&](sb::Router& r) { return r.Abandon(c); });
        } else {
          Do([&](sb::Router& r) { return r.Rescind(c); });
        }
        break;
      }
      case 12: {
        const sb::ContactId c = ContactRef();
        const std::string note = Text(in_, "n", 2);
        if (in_.Chance(128)) {
          const sb::QueueId q = QueueRef();
          Do([&](sb::Router& r) { return r.TransferToQueue(c, q, note); });
        } else {
          const sb::AgentId a = AgentRef();
          Do([&](sb::Router& r) { return r.TransferToAgent(c, a, note); });
        }
        break;
      }
      case 13: {
        const sb::ContactId c = ContactRef();
        sb::ContactRoutingUpdate update;
        if (in_.Chance(128)) update.priority = static_cast<int>(in_.Around(0, 3));
        if (in_.Chance(96)) update.age_adjustment = absl::Seconds(in_.Around(-30, 30));
        if (in_.Chance(96)) update.required_skills = Requirements(in_);
        if (in_.Chance(64)) update.language = Language(in_);
        Do([&](sb::Router& r) { return r.UpdateRouting(c, update); });
        break;
      }
      default: {  // time passes; the host's timer fires
        const absl::Duration step = absl::Milliseconds(in_.Range(0, 40'000));
        indexed_.clock.Advance(step);
        scan_.clock.Advance(step);
        Do([&](sb::Router& r) { return r.Tick(); });
      }
    }
  }

  // Runs the call on both routers and checks them; true when it succeeded.
  template <typename Call>
  bool Do(Call call) {
    const std::string before = indexed_.router->DebugString();
    const std::size_t first = indexed_.recorder.events.size();
    const absl::Status a = call(*indexed_.router);
    const absl::Status b = call(*scan_.router);
    FUZZ_CHECK(a == b,
               "indexed and scan answered differently: " + a.ToString() + " / " + b.ToString());
    FUZZ_CHECK(switchboard_fuzz::Explained(a), "an error without a message");
    const auto& ea = indexed_.recorder.events;
    const auto& eb = scan_.recorder.events;
    FUZZ_CHECK(ea.size() == eb.size(), "indexed and scan emitted different numbers of events");
    for (std::size_t i = first; i < ea.size(); ++i) {
      FUZZ_CHECK(ea[i] == eb[i], "indexed and scan emitted different events (event " +
                                     std::to_string(i) + ", " +
                                     std::string(sb::RoutingEventTypeName(ea[i].type)) + ")");
    }
    const std::string after = indexed_.router->DebugString();
    FUZZ_CHECK(after == scan_.router->DebugString(), "indexed and scan states differ:\n" + after +
                                                         "\n---\n" + scan_.router->DebugString());
    if (!a.ok()) {
      FUZZ_CHECK(after == before, "a rejected call changed the router: " + a.ToString());
      FUZZ_CHECK(ea.size() == first, "a rejected call emitted events: " + a.ToString());
    }
    for (const Side* side : {&indexed_, &scan_}) {
      const absl::Status ok = side->router->CheckInvariants();
      FUZZ_CHECK(ok.ok(), "invariant broken: " + ok.ToString() + "\n" + after);
    }
    return a.ok();
  }

  ByteReader& in_;
  bool options_read_ = false;
  sb::RouterOptions options_;
  std::vector<std::string> queues_, agents_, contacts_;  // added by the host (some since gone)
  Side indexed_;
  Side scan_;
};

}  // namespace

namespace switchboard_fuzz {

// Random programs: every byte string is one, and most of their calls are valid.
std::vector<std::string> Seeds() { return RandomPrograms(16, 1200); }

}  // namespace switchboard_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  Program program(in);
  program.Run();
  return 0;
}
