// A customer identifier as seen on a channel: a phone number, an e-mail address, an account
// number, a social handle. Raw as received; normalization and matching rules belong to the
// journey merger (identity.h), which keeps the raw value next to the normalized one.
//
// Thread-safety: plain values.
//
//   switchboard::Identifier phone{switchboard::IdentifierKind::kPhone, "+1 415 555 0100"};
//   switchboard::Identifier handle{switchboard::IdentifierKind::kSocialHandle, "@ana", "x"};
#ifndef SWITCHBOARD_IDENTIFIER_H_
#define SWITCHBOARD_IDENTIFIER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "switchboard/export.h"

namespace switchboard {

enum class IdentifierKind : unsigned char {
  kPhone = 0,
  kEmail,
  kAccountId,      // the host's customer or account number
  kSocialHandle,   // scope = platform ("x", "facebook", "instagram")
  kDeviceId,       // device or cookie id: weak, may expire
  kChannelOpaque,  // an id only one channel understands (a chat session, a WhatsApp id)
  kCustom,         // scope = the custom kind's name ("loyalty_card")
};

inline constexpr int kIdentifierKindCount = 7;

// Whether identifiers of `kind` are matched within their scope (a social platform, an opaque
// id's channel, a custom kind's name); the scope of any other kind is ignored.
inline constexpr bool IdentifierKindHasScope(IdentifierKind kind) {
  return kind == IdentifierKind::kSocialHandle || kind == IdentifierKind::kChannelOpaque ||
         kind == IdentifierKind::kCustom;
}

struct Identifier {
  IdentifierKind kind = IdentifierKind::kPhone;
  std::string value;  // as received
  // The platform of a social handle, the channel of an opaque id, or the name of a custom kind:
  // part of the matching key. Required for kSocialHandle and kCustom, optional for
  // kChannelOpaque, not part of the key for the others (but checked there too: Validate()
  // refuses an oversized or non-UTF-8 scope on any kind).
  std::string scope;

  // InvalidArgument naming `field` for an unknown kind, an empty, oversized or non-UTF-8 value,
  // an oversized or non-UTF-8 scope, or a missing scope where the kind needs one. It does not
  // check the value's format (a phone number's digits): that is the identity resolver's job,
  // which reports per identifier.
  SWITCHBOARD_EXPORT absl::Status Validate(std::string_view field = "identifier") const;
  friend bool operator==(const Identifier&, const Identifier&) = default;
  friend auto operator<=>(const Identifier&, const Identifier&) = default;
};

SWITCHBOARD_EXPORT absl::Status ValidateIdentifiers(const std::vector<Identifier>& identifiers,
                                                    std::string_view field);

// "phone", "email", "account_id", "social_handle", "device_id", "channel_opaque", "custom".
SWITCHBOARD_EXPORT std::string_view IdentifierKindName(IdentifierKind kind);
SWITCHBOARD_EXPORT absl::StatusOr<IdentifierKind> ParseIdentifierKind(std::string_view name);

}  // namespace switchboard

#endif  // SWITCHBOARD_IDENTIFIER_H_
