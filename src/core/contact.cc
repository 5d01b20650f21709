#include "switchboard/contact.h"

#include "absl/strings/ascii.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/internal/status_macros.h"
#include "switchboard/limits.h"

namespace switchboard {
namespace {

absl::Status WithId(const absl::Status& status, const ContactId& id) {
  if (status.ok()) return status;
  return absl::Status(status.code(), internal::StrCat("contact '", internal::Printable(id.value()),
                                                      "': ", status.message()));
}

absl::Status ValidatePriority(int priority, std::string_view field) {
  if (priority >= 0 && priority <= kMaxContactPriority) return absl::OkStatus();
  return absl::InvalidArgumentError(
      internal::StrCat(field, " is ", priority, ", outside 0..", kMaxContactPriority));
}

absl::Status ValidateFields(const Contact& c) {
  SB_RETURN_IF_ERROR(c.id.Validate("contact.id"));
  SB_RETURN_IF_ERROR(c.tenant.Validate("contact.tenant"));
  if (!IsKnownChannel(c.channel)) {
    return absl::InvalidArgumentError(
        internal::StrCat("contact.channel ", static_cast<int>(c.channel), " is not a known channel"));
  }
  if (c.direction != Direction::kInbound && c.direction != Direction::kOutbound) {
    return absl::InvalidArgumentError("contact.direction is not inbound or outbound");
  }
  SB_RETURN_IF_ERROR(ValidateIdentifiers(c.identifiers, "contact.identifiers"));
  SB_RETURN_IF_ERROR(ValidateAttributes(c.attributes, "contact.attributes"));
  SB_RETURN_IF_ERROR(ValidateSkillRequirements(c.required_skills, "contact.required_skills"));
  SB_RETURN_IF_ERROR(ValidateLanguageTag(c.language, "contact.language"));
  SB_RETURN_IF_ERROR(internal::ValidateText(c.intent, "contact.intent", kMaxNameLength));
  SB_RETURN_IF_ERROR(ValidatePriority(c.priority, "contact.priority"));
  SB_RETURN_IF_ERROR(ValidateTime(c.arrived_at, "contact.arrived_at"));
  if (c.service_level) SB_RETURN_IF_ERROR(c.service_level->Validate("contact.service_level"));
  if (c.preferred_agent) {
    SB_RETURN_IF_ERROR(c.preferred_agent->Validate("contact.preferred_agent"));
  }
  if (c.preferred_agent_wait < absl::ZeroDuration() ||
      c.preferred_agent_wait > kMaxPreferredAgentWait) {
    return absl::InvalidArgumentError(
        internal::StrCat("contact.preferred_agent_wait is ",
                         absl::FormatDuration(c.preferred_agent_wait), ", outside 0..",
                         absl::FormatDuration(kMaxPreferredAgentWait)));
  }
  if (c.preferred_agent_wait > absl::ZeroDuration() && !c.preferred_agent) {
    return absl::InvalidArgumentError(
        "contact.preferred_agent_wait is set but contact.preferred_agent is not");
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kInbound: return "inbound";
    case Direction::kOutbound: return "outbound";
  }
  return "unknown";
}

absl::Status ValidateLanguageTag(std::string_view tag, std::string_view field) {
  if (tag.empty()) return absl::OkStatus();
  bool shape_ok = tag.size() >= 2 && tag.size() <= 35 && absl::ascii_isalpha(tag.front());
  for (char c : tag) shape_ok = shape_ok && (absl::ascii_isalnum(c) || c == '-');
  if (!shape_ok) {
    return absl::InvalidArgumentError(internal::StrCat(
        field, " '", internal::Printable(tag), "' is not a language tag like 'en' or 'he-IL'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTime(absl::Time t, std::string_view field) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(internal::StrCat(field, " is infinite"));
  }
  if (t < absl::UnixEpoch()) {
    // Times in messages are UTC, so that the same input gives the same message on every host.
    return absl::InvalidArgumentError(internal::StrCat(
        field, " is ", absl::FormatTime(t, absl::UTCTimeZone()), ", before the Unix epoch"));
  }
  // Past any real date, and close enough to absl::Time's end that adding a wait or a timeout
  // would saturate to infinity (the last instant protobuf's Timestamp allows, as well).
  constexpr absl::Time kLatest = absl::FromUnixSeconds(253'402'300'799);  // 9999-12-31T23:59:59Z
  if (t > kLatest) {
    return absl::InvalidArgumentError(internal::StrCat(field, " is after 9999-12-31T23:59:59Z"));
  }
  return absl::OkStatus();
}

absl::Status Contact::Validate() const { return WithId(ValidateFields(*this), id); }

absl::Status ContactRoutingUpdate::Validate() const {
  if (priority) SB_RETURN_IF_ERROR(ValidatePriority(*priority, "routing update priority"));
  if (age_adjustment &&
      (*age_adjustment < -kMaxAgeAdjustment || *age_adjustment > kMaxAgeAdjustment)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "routing update age_adjustment is ", absl::FormatDuration(*age_adjustment), ", outside -",
        absl::FormatDuration(kMaxAgeAdjustment), "..", absl::FormatDuration(kMaxAgeAdjustment)));
  }
  if (required_skills) {
    SB_RETURN_IF_ERROR(
        ValidateSkillRequirements(*required_skills, "routing update required_skills"));
  }
  if (language) SB_RETURN_IF_ERROR(ValidateLanguageTag(*language, "routing update language"));
  return absl::OkStatus();
}

}  // namespace switchboard
