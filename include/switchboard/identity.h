// Identity rules of the journey merger: how each identifier kind is normalized before matching
// (phone to E.164, e-mail trimmed and lower-cased...), which values are blocked, and how a kind
// may link events into one customer (unique, limit on distinct values, priority, expiry, shared).
// The vocabulary follows Segment Unify and Amazon Connect Customer Profiles.
//
// Thread-safety: IdentityRules is a plain value. IdentityNormalizer is immutable after Create()
// and safe to use from several threads.
//
//   switchboard::IdentityRules rules = switchboard::IdentityRules::Defaults();
//   rules.default_phone_region = "GB";
//   rules.For(switchboard::IdentifierKind::kEmail).max_values = 3;
//   rules.blocked_values.push_back("team@acme.example");
//   auto normalizer = switchboard::IdentityNormalizer::Create(rules);  // StatusOr
//   switchboard::NormalizeResult r =
//       normalizer->Normalize({switchboard::IdentifierKind::kPhone, "020 7946 0018"});
//   // r.outcome == kValid, r.id->value == "+442079460018", r.id->Key() == "phone:+442079460018"
#ifndef SWITCHBOARD_IDENTITY_H_
#define SWITCHBOARD_IDENTITY_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "switchboard/export.h"
#include "switchboard/identifier.h"

namespace switchboard {

// An identifier after normalization. `value` is what matching compares; the raw value stays in
// the event that carried it.
struct NormalizedIdentifier {
  IdentifierKind kind = IdentifierKind::kPhone;
  // Lower-cased platform / channel / custom kind (never holding ':', which ends it in the key);
  // empty for other kinds.
  std::string scope;
  std::string value;
  // Whether a customer proved a value is a fact of the events carrying it (their
  // context_attributes::kVerified), not of the value: see CustomerIdentifier::verified.

  // The matching key: "<kind>[/<scope>]:<value>", e.g. "email:ana@example.com",
  // "social_handle/x:ana". Unique per tenant for one identity value.
  SWITCHBOARD_EXPORT std::string Key() const;
  friend bool operator==(const NormalizedIdentifier&, const NormalizedIdentifier&) = default;
};

// How one identifier kind may link events into one customer.
struct IdentifierRule {
  // Whether the kind links events at all. A kind that does not match is kept as a contact point.
  // Default: true.
  bool matches = true;
  // At most one distinct value per customer (an account number); social handles count per
  // platform, channel-opaque ids per channel and custom ids per custom kind. Default: false.
  bool unique = false;
  // At most this many distinct linked values per customer (per platform / channel / custom kind,
  // as above);
  // 0 = no limit. Unique implies 1.
  int max_values = 0;
  // Trust, 1 = most trusted .. 1000. When a link would break a limit the merger drops, of the
  // event's identifiers that could cause it, the least trusted first (largest number; unproven
  // before proven on the event or earlier on the customer it links; at equal trust a value not
  // yet linked before one already linked; then the largest key). Default: 100.
  int priority = 100;
  // A value links only events within this time of its last linked sighting, by event time
  // (cookies, device ids); after that the value starts a new holder, and the old one no longer
  // counts towards shared_after. Default: infinite (never expires).
  absl::Duration expiry = absl::InfiniteDuration();
  // A value carried by this many distinct customers becomes "shared": it links context (the
  // snapshot says "possibly A or B") but never merges identity. 0 = never; else >= 2. Default: 2.
  int shared_after = 2;

  // The effective limit on distinct linked values (1 for unique, 0 = none).
  int Limit() const { return unique ? 1 : max_values; }
  friend bool operator==(const IdentifierRule&, const IdentifierRule&) = default;
};

// A rule for one custom identifier kind (Identifier::scope of a kCustom identifier).
struct CustomKindRule {
  std::string name;  // the scope: lower-case, no ':', white space or controls; e.g. "loyalty_card"
  IdentifierRule rule;
  friend bool operator==(const CustomKindRule&, const CustomKindRule&) = default;
};

struct IdentityRules {
  // Per kind, indexed by static_cast<int>(IdentifierKind).
  std::array<IdentifierRule, kIdentifierKindCount> kinds;
  // Custom kinds with their own rule; a custom kind not listed uses kinds[kCustom].
  std::vector<CustomKindRule> custom_kinds;
  // ISO 3166 code of the region a national phone number ("(415) 555-0100") belongs to; see
  // PhoneRegions(). Default: "US".
  std::string default_phone_region = "US";
  // Values never used for matching, compared with the trimmed lower-cased raw value and with the
  // normalized value. An entry that is a phone number also blocks its E.164 form under
  // default_phone_region, so the number is blocked however it is written ("(415) 555-0100"
  // blocks "+1 415 555 0100"). Defaults: "null", "none", "undefined", "anonymous", "unknown",
  // "n/a", ...
  std::vector<std::string> blocked_values;
  // Regular expressions in RE2 syntax (Perl's, without backreferences or lookaround); a
  // normalized value matching one (whole match) is blocked. Matching takes time linear in the
  // value whatever the pattern, so a customer-typed value cannot stall ingest. Default: none
  // (the all-zero rule below is built in and cheaper).
  std::vector<std::string> blocked_patterns;
  // Blocks numbers whose national digits are all one digit ("+44 0000 000000", "+1 111 111
  // 1111"; one too short to be a number, "0000000" in the US, is reported invalid instead) and
  // account ids made only of zeros (not custom ids, whose format is the host's). Default: true.
  bool block_degenerate_numbers = true;

  IdentifierRule& For(IdentifierKind kind) { return kinds[static_cast<int>(kind)]; }
  const IdentifierRule& For(IdentifierKind kind) const { return kinds[static_cast<int>(kind)]; }

  // Account id unique (priority 10); e-mail limit 5 (20); phone limit 5 (30); social handle
  // limit 5 (40); channel-opaque ids (50); device ids limit 20, expiry 30 days, shared after 3
  // (60); custom kinds (70). Shared after 2 everywhere else except account ids (never).
  SWITCHBOARD_EXPORT static IdentityRules Defaults();

  // InvalidArgument naming the field: priority outside 1..1000, negative limit, shared_after 1
  // or negative, expiry <= 0, unknown phone region, a bad regular expression, a custom kind
  // listed twice, unnamed, or named with upper-case letters, ':', white space (ASCII or Unicode,
  // at the ends or inside) or a control character (scopes are trimmed, so such a name could
  // never apply).
  SWITCHBOARD_EXPORT absl::Status Validate() const;
};

// A region's phone numbering facts used to bring national numbers to E.164.
struct PhoneRegion {
  std::string_view code;                  // ISO 3166 alpha-2: "US", "GB"
  std::string_view calling_code;          // "1", "44"
  std::string_view trunk_prefix;          // dialled before national numbers: "0", "1", "" (none)
  std::string_view international_prefix;  // dialled before a calling code: "00", "011"
};

// The built-in regions (US, CA, GB, IE, FR, DE, ES, IT, NL, BE, CH, AT, SE, IL, IN, AU, NZ, BR,
// MX, JP, SG, ZA). Small on purpose: see docs/journeys.md, "Phone numbers".
SWITCHBOARD_EXPORT const std::vector<PhoneRegion>& PhoneRegions();
// NotFound naming the code when the region is not built in.
SWITCHBOARD_EXPORT absl::StatusOr<PhoneRegion> FindPhoneRegion(std::string_view code);

// E.164 ("+14155550100") from an international ("+1 415-555-0100", "0044 20 7946 0018") or
// national ("(415) 555-0100", "020 7946 0018") number; a "tel:" prefix is accepted. Separators
// " -.()/" are ignored, as are no-break and other Unicode spaces and dashes; full-width digits,
// '+' and separators count as their ASCII forms (as in libphonenumber). InvalidArgument with the
// reason: any other character (quoted whole), a misplaced '+', fewer than 8 or
// more than 15 digits, a country code starting with 0, a NANP number that is not 11 digits. A 0
// written after the country code of a built-in region that dials 0 before national numbers
// ("+44 (0)20 7946 0018") is that trunk prefix and is dropped; elsewhere (Italy's "+39 06...")
// it stays.
SWITCHBOARD_EXPORT absl::StatusOr<std::string> NormalizePhone(std::string_view raw,
                                                              const PhoneRegion& region);
// Trimmed, ASCII letters lower-cased; InvalidArgument unless it is "local@domain.tld" without
// spaces or control characters, in valid UTF-8: one '@', a non-empty local part, and a domain of
// at least two dot-separated labels, none empty (so not "a@.b.c", "a@b..c" or "a@b.c."). UTF-8
// addresses (RFC 6531, "josé@bücher.de") are accepted; no-break and other Unicode spaces around
// it are trimmed. The local part's dots are not checked: some carriers issued addresses such as
// "taro..x@..." that break RFC 5321 there and are real.
SWITCHBOARD_EXPORT absl::StatusOr<std::string> NormalizeEmail(std::string_view raw);

enum class NormalizeOutcome : unsigned char { kValid = 0, kInvalid, kBlocked };

struct NormalizeResult {
  NormalizeOutcome outcome = NormalizeOutcome::kInvalid;
  std::optional<NormalizedIdentifier> id;  // set when kValid
  std::string reason;                      // why it was invalid or blocked
};

// Normalizes identifiers under a set of rules. Create once (it compiles the patterns), share.
class SWITCHBOARD_EXPORT IdentityNormalizer {
 public:
  // InvalidArgument when `rules` fail Validate().
  static absl::StatusOr<IdentityNormalizer> Create(IdentityRules rules);

  // Never fails: an invalid or blocked identifier comes back with the reason. Values are trimmed
  // first (ASCII and Unicode spaces at both ends); then an e-mail must pass NormalizeEmail()'s
  // checks, and a social handle loses one leading '@' and must hold no space (Unicode ones
  // included) or control character anywhere ("@ ana", "ana silva" are invalid).
  NormalizeResult Normalize(const Identifier& identifier) const;
  // The same into storage the caller keeps, for a caller that normalizes many identifiers: `out`
  // holds the result when kValid (and is unspecified otherwise), `reason` is empty when kValid;
  // both reuse their strings' capacity. Both non-null.
  NormalizeOutcome NormalizeInto(const Identifier& identifier, NormalizedIdentifier* out,
                                 std::string* reason) const;
  // The rule of a kind (for kCustom, of the custom kind `scope`).
  const IdentifierRule& RuleFor(IdentifierKind kind, std::string_view scope) const;
  const IdentityRules& rules() const { return rules_; }

 private:
  struct Compiled;
  IdentityNormalizer(IdentityRules rules, std::shared_ptr<const Compiled> compiled);
  // Whether `value` matches a blocked pattern (the blocked values are a set, looked up directly).
  bool MatchesBlockedPattern(std::string_view value) const;

  IdentityRules rules_;
  std::shared_ptr<const Compiled> compiled_;  // immutable, shared by copies
};

}  // namespace switchboard

#endif  // SWITCHBOARD_IDENTITY_H_
