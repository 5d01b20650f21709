// What the next agent or bot sees about the customer behind a contact: the last touchpoints across
// channels, open cases, last agent and queue, last intent, whether identity was verified, notes,
// a repeat-contact flag, preferred channel and language, value tier, and the ambiguous
// "possibly A or B" case. Built by JourneyMerger::SnapshotFor in bounded time and size
// (SnapshotOptions). ApplySnapshotToContact turns it into routing input.
//
// Thread-safety: plain values and a pure function.
//
//   absl::StatusOr<switchboard::ContextSnapshot> snap = merger->SnapshotFor(contact);
//   if (snap.ok() && snap->needs_verification) { /* ask "are you Ana or Ben?" */ }
//   switchboard::ApplySnapshotToContact(*snap, switchboard::RoutingInputOptions{}, &contact);
//   // contact.preferred_agent == last agent, contact.required_skills += intent skill,
//   // contact.priority raised by the value tier.
#ifndef SWITCHBOARD_CONTEXT_SNAPSHOT_H_
#define SWITCHBOARD_CONTEXT_SNAPSHOT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "switchboard/channel.h"
#include "switchboard/contact.h"
#include "switchboard/export.h"
#include "switchboard/ids.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard {

// Event attributes the snapshot reads. Hosts set them on TouchpointEvent::attributes.
namespace context_attributes {
inline constexpr std::string_view kAgent = "agent_id";        // the agent who handled it
inline constexpr std::string_view kQueue = "queue_id";        // the queue it went through
inline constexpr std::string_view kIntent = "intent";         // IVR / bot / form intent
inline constexpr std::string_view kSummary = "summary";       // one line for the timeline
inline constexpr std::string_view kNote = "note";             // an agent's note (kAgentNote)
inline constexpr std::string_view kCaseId = "case_id";        // kCaseOpened / kCaseResolved
// "true" when the customer proved identity on this event (PIN, OTP, login); it also marks the
// event's identifiers as verified for identity resolution. Any other value ("True", "1") is not
// a verification.
inline constexpr std::string_view kVerified = "identity_verified";
}  // namespace context_attributes

// Bounds and windows of a snapshot.
struct SnapshotOptions {
  // Touchpoints listed, newest first, 1..100. Default: 10.
  int max_touchpoints = 10;
  // Bytes kept of each touchpoint summary and note (cut at a UTF-8 boundary), 16..4096.
  // Default: 160.
  int max_summary_bytes = 160;
  // Newest notes kept, 0..50. Default: 5.
  int max_notes = 5;
  // Open cases listed, newest first, 0..50. Default: 10.
  int max_open_cases = 10;
  // Candidates listed in the "possibly A or B" case, 2..20: the best ranked (see
  // ContextSnapshot::possible_customers). Default: 5.
  int max_candidates = 5;
  // A contact is a repeat when the same intent was seen within this window before it (the
  // first-contact-resolution miss). Default: 72 hours.
  absl::Duration repeat_window = absl::Hours(72);
  // A verification older than this at the snapshot's time no longer counts. A snapshot of a time
  // before the customer's latest verification reads the journey's events of this window, so a
  // longer window costs more there. Default: 24 hours.
  absl::Duration verification_valid_for = absl::Hours(24);

  // InvalidArgument naming the field when a bound is outside its range or a window is <= 0.
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

struct TouchpointSummary {
  EventId event;
  Channel channel = Channel::kVoice;
  EventType type = EventType::kMessage;
  absl::Time occurred_at = absl::UnixEpoch();
  std::string summary;  // "summary", else "note", else "intent"; cut to max_summary_bytes
  friend bool operator==(const TouchpointSummary&, const TouchpointSummary&) = default;
};

struct OpenCase {
  std::string id;
  absl::Time opened_at = absl::UnixEpoch();
  std::string summary;
  friend bool operator==(const OpenCase&, const OpenCase&) = default;
};

struct ContextSnapshot {
  TenantId tenant;
  // The resolved customer; empty when the contact matches nobody or is ambiguous.
  std::optional<CustomerId> customer;
  // "Possibly A or B": customers the contact may be (a shared family phone, a team mailbox, or
  // identifiers of two customers on one contact). Empty when resolution is certain. Ranked, and
  // cut to max_candidates: customers that a non-shared value of their own links first, then
  // those with more events, then by id.
  std::vector<CustomerId> possible_customers;
  bool needs_verification = false;  // ambiguous: ask the customer to verify before acting

  std::vector<TouchpointSummary> recent;  // newest first
  int64_t total_touchpoints = 0;
  // Newest first, each with the time and summary of its first opening (but see the 64-case limit
  // in docs/journeys.md, "Limits and known weak spots").
  std::vector<OpenCase> open_cases;
  std::optional<AgentId> last_agent;
  std::optional<QueueId> last_queue;
  std::string last_intent;
  // An event at or before the snapshot's time (SnapshotFor: the contact's arrived_at; SnapshotOf:
  // `now`) carried identity_verified=true, at most verification_valid_for before it: skip the IVR
  // check. Events after that time do not count, so a later verification neither hides an earlier
  // one nor stands in for it, whatever order the events arrived in.
  bool identity_verified = false;
  // The time of the latest such verification; the epoch when identity_verified is false (an
  // expired or later verification is not reported).
  absl::Time verified_at = absl::UnixEpoch();
  std::vector<std::string> notes;  // newest first
  // The contact's intent was seen within repeat_window before it (strictly before: an event of
  // the contact itself at or after its arrival is not a repeat of it).
  bool repeat_contact = false;
  // The preferred_channel trait's winner when it names a channel (ChannelName's spelling), else
  // the channel most used (the lowest Channel value on a tie).
  std::optional<Channel> preferred_channel;
  std::string language;
  std::string tier;
  absl::Time built_at = absl::UnixEpoch();

  friend bool operator==(const ContextSnapshot&, const ContextSnapshot&) = default;
};

// How a snapshot becomes routing input.
struct RoutingInputOptions {
  // Priority added per value tier (tier names compared as given). Default: platinum 300,
  // gold 200, silver 100.
  std::map<std::string, int, std::less<>> tier_priority = {
      {"platinum", 300}, {"gold", 200}, {"silver", 100}};
  // Added on top when the contact is a repeat (a first-contact-resolution miss). Default: 50.
  int repeat_priority = 50;
  // The skill asked for an intent is `intent_skill_prefix + intent`. Default: "" (the intent).
  std::string intent_skill_prefix;
  // Minimum proficiency of that skill, and whether it is required. Default: 1, optional (an
  // intent guessed by a bot should not strand the contact).
  int intent_min_proficiency = 1;
  bool intent_skill_required = false;
  // Use the last agent as the preferred agent. Default: true.
  bool prefer_last_agent = true;
  // When the last agent becomes the preferred agent, how long the contact waits for it alone
  // (Contact::preferred_agent_wait; 0..24h). Default: zero (offered to it only if free).
  absl::Duration last_agent_wait = absl::ZeroDuration();

  // InvalidArgument naming the field when intent_min_proficiency is outside
  // kMinProficiency..kMaxProficiency, last_agent_wait outside 0..24h, or the skill prefix is
  // not UTF-8 or longer than a skill name may be. Priorities may be any int (the sum is capped).
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

// Applies `snapshot` to `contact`: the last agent becomes preferred_agent (unless one is already
// set; with options.last_agent_wait as its wait), the intent (contact.intent, else the last
// intent) becomes a skill requirement (unless one with that name is there), the tier and repeat
// flag add their priorities (the sum kept within 0..kMaxContactPriority: a huge one caps, a
// negative one stops at 0), and an empty language is filled. An ambiguous snapshot (no customer)
// changes nothing.
//
// The snapshot's fields come from event attributes, so each is applied only when it passes its
// own type's check, and otherwise skipped without failing the call: a last agent that fails
// AgentId::Validate(), an intent whose skill (prefix + intent) fails SkillRequirement::Validate()
// (empty, over kMaxNameLength bytes, not UTF-8) or would be the contact's kMaxSkills + 1st, a
// language that fails ValidateLanguageTag() ("en_US"). The other fields still apply. Compare the
// contact before and after to see what was applied.
//
// InvalidArgument, for an ambiguous snapshot too, when `contact` is null, when `options` fail
// Validate() (whether or not they would be used), when the snapshot is of another tenant than
// the contact, or when the contact
// itself fails Contact::Validate() (a contact priority already outside 0..kMaxContactPriority is
// reported, not clamped into range); `contact` is then unchanged.
SWITCHBOARD_EXPORT absl::Status ApplySnapshotToContact(const ContextSnapshot& snapshot,
                                                       const RoutingInputOptions& options,
                                                       Contact* contact);

}  // namespace switchboard

#endif  // SWITCHBOARD_CONTEXT_SNAPSHOT_H_
