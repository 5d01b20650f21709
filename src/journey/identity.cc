#include "switchboard/identity.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include <re2/re2.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "src/internal/str_cat.h"
#include "src/internal/status_macros.h"
#include "src/internal/text.h"
#include "src/journey/identifier_key.h"

namespace switchboard {
namespace {

// Blocked patterns run on values that customers type. RE2 matches in time linear in the value
// whatever the pattern, where a backtracking engine (std::regex) can be made to run for hours by
// a nested quantifier and a crafted value, and recurses once per character. Errors are returned
// in the Status, not logged.
RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

// A non-ASCII character that pasted values carry (a web page's no-break space, a word
// processor's dash, an East Asian keyboard's full-width digits; libphonenumber accepts them in
// numbers too): how many UTF-8 bytes it takes at s[i] and the ASCII character it stands for.
// Every non-ASCII white space of Unicode is one: the spaces as ' ', the line breaks (U+0085,
// U+2028, U+2029) as '\n', which, as ASCII's, ends a value but separates no digits.
// Length 0 when s[i] starts none of them. Trim, e-mail checks and phone numbers share it.
struct PastedChar {
  size_t length = 0;
  char as = 0;
};

PastedChar FoldPastedChar(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  const unsigned char b0 = byte(0), b1 = byte(1), b2 = byte(2);
  if (b0 == 0xC2 && b1 == 0xA0) return {2, ' '};  // U+00A0 no-break space
  if (b0 == 0xC2 && b1 == 0x85) return {2, '\n'};  // U+0085 next line
  if (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80) return {3, ' '};  // U+1680 Ogham space mark
  if (b0 == 0xE2 && b1 == 0x80) {
    if (b2 >= 0x80 && b2 <= 0x8A) return {3, ' '};  // U+2000..U+200A spaces
    if (b2 == 0xAF) return {3, ' '};                // U+202F narrow no-break space
    if (b2 >= 0x90 && b2 <= 0x95) return {3, '-'};  // U+2010..U+2015 hyphens and dashes
    if (b2 == 0xA8 || b2 == 0xA9) return {3, '\n'};  // U+2028, U+2029 line, paragraph separators
  }
  if (b0 == 0xE2 && b1 == 0x81 && b2 == 0x9F) return {3, ' '};  // U+205F medium math space
  if (b0 == 0xE2 && b1 == 0x88 && b2 == 0x92) return {3, '-'};  // U+2212 minus sign
  if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) return {3, ' '};  // U+3000 ideographic space
  if (b0 == 0xEF && b1 == 0xBC) {  // full-width forms U+FF08..U+FF19
    if (b2 >= 0x90 && b2 <= 0x99) return {3, static_cast<char>('0' + (b2 - 0x90))};
    static constexpr char kForms[] = "()*+,-./";  // U+FF08..U+FF0F
    if (b2 >= 0x88 && b2 <= 0x8F && b2 != 0x8A && b2 != 0x8C) return {3, kForms[b2 - 0x88]};
  }
  return {};
}

// The length of the Unicode white space (a space or a line break: FoldPastedChar) that starts
// at s[i]; 0 if none.
size_t UnicodeSpaceAt(std::string_view s, size_t i) {
  const PastedChar c = FoldPastedChar(s, i);
  return c.as == ' ' || c.as == '\n' ? c.length : 0;
}

// Whether an ASCII space or control character, a C1 control (U+0080..U+009F) or a Unicode
// white space starts at s[i]. Bytes from 0x80 up are otherwise UTF-8 (identifiers are validated
// as such) and pass.
bool SpaceOrControlAt(std::string_view s, size_t i) {
  const unsigned char u = static_cast<unsigned char>(s[i]);  // signed, UTF-8 read as controls
  if (u < 0x80) return u <= 0x20 || u == 0x7f;
  if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  return UnicodeSpaceAt(s, i) > 0;
}

// Whether `s` holds a space or control character anywhere (SpaceOrControlAt).
bool HasSpaceOrControl(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (SpaceOrControlAt(s, i)) return true;
  }
  return false;
}

// The whole UTF-8 sequence that starts at s[i] (one byte when s[i] is not a lead byte), for
// messages.
std::string_view SequenceAt(std::string_view s, size_t i) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  const size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return s.substr(i, n);
}

// ASCII white space and the Unicode spaces above, at both ends: a value pasted with a no-break
// space around it is the same value.
// (Every identifier passes here several times: an ASCII end, the usual case, is one test.)
std::string_view Trim(std::string_view s) {
  auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80; };
  while (!s.empty()) {
    if (ascii(s.front())) {
      if (!absl::ascii_isspace(static_cast<unsigned char>(s.front()))) break;
      s.remove_prefix(1);
    } else if (size_t n = UnicodeSpaceAt(s, 0)) {
      s.remove_prefix(n);
    } else {
      break;
    }
  }
  while (!s.empty()) {
    if (ascii(s.back())) {
      if (!absl::ascii_isspace(static_cast<unsigned char>(s.back()))) break;
      s.remove_suffix(1);
    } else if (s.size() >= 2 && UnicodeSpaceAt(s, s.size() - 2) == 2) {
      s.remove_suffix(2);
    } else if (s.size() >= 3 && UnicodeSpaceAt(s, s.size() - 3) == 3) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// ASCII letters only (bytes from 0x80 up are UTF-8 and stay), without a table look-up: every
// identifier ingested passes here.
void LowerInto(std::string_view s, std::string* out) {
  out->assign(s.data(), s.size());  // keeps out's capacity
  for (char& c : *out) c = static_cast<char>(c + ((c >= 'A' && c <= 'Z') ? 'a' - 'A' : 0));
}

std::string Lower(std::string_view s) {
  std::string out;
  LowerInto(s, &out);
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return !prefix.empty() && s.substr(0, prefix.size()) == prefix;
}

bool AllSameDigit(std::string_view digits) {
  return !digits.empty() &&
         std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits.front(); });
}

IdentifierRule Rule(int priority, int max_values, int shared_after) {
  IdentifierRule r;
  r.priority = priority;
  r.max_values = max_values;
  r.shared_after = shared_after;
  return r;
}

absl::Status ValidateRule(const IdentifierRule& r, std::string_view field) {
  if (r.priority < 1 || r.priority > 1000) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".priority is ", r.priority, ", outside 1..1000"));
  }
  if (r.max_values < 0) {
    return absl::InvalidArgumentError(internal::StrCat(field, ".max_values is negative"));
  }
  if (r.shared_after < 0 || r.shared_after == 1) {
    return absl::InvalidArgumentError(
        internal::StrCat(field, ".shared_after is ", r.shared_after, "; use 0 (never) or >= 2"));
  }
  if (r.expiry <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(internal::StrCat(field, ".expiry must be positive"));
  }
  return absl::OkStatus();
}

// The length of the calling code an international number starts with. Calling codes are prefix
// free: 1 and 7 have one digit, the two-digit ones are listed, every other has three (ITU-T
// E.164 assignments).
size_t CallingCodeLength(std::string_view digits) {
  if (digits.empty() || digits[0] == '1' || digits[0] == '7') return 1;
  static constexpr std::string_view kTwoDigit[] = {
      "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
      "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
      "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
  const std::string_view two = digits.substr(0, 2);
  for (std::string_view code : kTwoDigit) {
    if (code == two) return 2;
  }
  return 3;
}

// Whether the built-in region of calling code `code` dials 0 before national numbers: a 0
// written right after that code ("+44 (0)20 ...") is then the trunk prefix, not the number's.
bool DropsTrunkZero(std::string_view code) {
  for (const PhoneRegion& r : PhoneRegions()) {
    if (r.calling_code == code) return r.trunk_prefix == "0";
  }
  return false;
}

// The national significant number of an E.164 value (whatever its region: "+44 0000 000000" is
// as much a placeholder as "+1 111 111 1111").
std::string_view NationalPart(std::string_view e164) {
  std::string_view digits = e164.substr(1);
  return digits.substr(std::min(CallingCodeLength(digits), digits.size()));
}

}  // namespace

namespace journey_internal {

void AppendKey(const NormalizedIdentifier& id, std::string* out) {
  // Hot: built several times per ingested event, so plain appends instead of formatting.
  std::string_view name = IdentifierKindName(id.kind);
  out->reserve(out->size() + name.size() + id.scope.size() + id.value.size() + 2);
  out->append(name);
  if (!id.scope.empty()) out->append("/").append(id.scope);
  out->append(":").append(id.value);
}

}  // namespace journey_internal

std::string NormalizedIdentifier::Key() const {
  std::string key;
  journey_internal::AppendKey(*this, &key);
  return key;
}

IdentityRules IdentityRules::Defaults() {
  IdentityRules r;
  IdentifierRule account = Rule(10, 1, 0);
  account.unique = true;
  r.For(IdentifierKind::kAccountId) = account;
  r.For(IdentifierKind::kEmail) = Rule(20, 5, 2);
  r.For(IdentifierKind::kPhone) = Rule(30, 5, 2);
  r.For(IdentifierKind::kSocialHandle) = Rule(40, 5, 2);
  r.For(IdentifierKind::kChannelOpaque) = Rule(50, 0, 2);
  IdentifierRule device = Rule(60, 20, 3);
  device.expiry = absl::Hours(24 * 30);
  r.For(IdentifierKind::kDeviceId) = device;
  r.For(IdentifierKind::kCustom) = Rule(70, 0, 2);
  r.blocked_values = {"null",     "none",    "nil",       "undefined", "anonymous",
                      "unknown",  "n/a",     "na",        "-",         "test",
                      "guest",    "invalid", "noreply@example.com", "test@test.com",
                      "no-reply@example.com"};
  return r;
}

absl::Status IdentityRules::Validate() const {
  for (int i = 0; i < kIdentifierKindCount; ++i) {
    SB_RETURN_IF_ERROR(ValidateRule(
        kinds[i], internal::StrCat("identity.kinds[", IdentifierKindName(IdentifierKind(i)), "]")));
  }
  absl::flat_hash_set<std::string> names;
  for (const CustomKindRule& c : custom_kinds) {
    if (c.name.empty() || c.name != Lower(c.name) || c.name.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(internal::StrCat(
          "identity.custom_kinds name '", internal::Printable(c.name),
          "' must be non-empty and lower-case, without ':'"));
    }
    // Scopes are trimmed before they are compared, so " loyalty" would never apply (and would
    // pass the check below beside "loyalty"); white space inside is a typo, not a kind.
    if (HasSpaceOrControl(c.name)) {
      return absl::InvalidArgumentError(
          internal::StrCat("identity.custom_kinds name '", internal::Printable(c.name),
                           "' holds white space or a control character"));
    }
    if (!names.insert(c.name).second) {
      return absl::InvalidArgumentError(internal::StrCat("identity.custom_kinds lists '",
                                                         internal::Printable(c.name), "' twice"));
    }
    SB_RETURN_IF_ERROR(ValidateRule(c.rule, internal::StrCat("identity.custom_kinds[", c.name, "]")));
  }
  if (!FindPhoneRegion(default_phone_region).ok()) {
    return absl::InvalidArgumentError(internal::StrCat("identity.default_phone_region '",
                                                       internal::Printable(default_phone_region),
                                                       "' is not a built-in region"));
  }
  for (const std::string& p : blocked_patterns) {
    const RE2 re(re2::StringPiece(p.data(), p.size()), PatternOptions());
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          internal::StrCat("identity.blocked_patterns '", internal::Printable(p),
                           "' is not a valid regular expression: ", re.error()));
    }
  }
  return absl::OkStatus();
}

const std::vector<PhoneRegion>& PhoneRegions() {
  static const std::vector<PhoneRegion>* const kRegions = new std::vector<PhoneRegion>{
      {"US", "1", "1", "011"},  {"CA", "1", "1", "011"},  {"GB", "44", "0", "00"},
      {"IE", "353", "0", "00"}, {"FR", "33", "0", "00"},  {"DE", "49", "0", "00"},
      {"ES", "34", "", "00"},   {"IT", "39", "", "00"},   {"NL", "31", "0", "00"},
      {"BE", "32", "0", "00"},  {"CH", "41", "0", "00"},  {"AT", "43", "0", "00"},
      {"SE", "46", "0", "00"},  {"IL", "972", "0", "00"}, {"IN", "91", "0", "00"},
      {"AU", "61", "0", "0011"}, {"NZ", "64", "0", "00"}, {"BR", "55", "0", "00"},
      {"MX", "52", "", "00"},   {"JP", "81", "0", "010"}, {"SG", "65", "", "000"},
      {"ZA", "27", "0", "00"}};
  return *kRegions;
}

absl::StatusOr<PhoneRegion> FindPhoneRegion(std::string_view code) {
  for (const PhoneRegion& r : PhoneRegions()) {
    if (r.code == code) return r;
  }
  return absl::NotFoundError(
      internal::StrCat("phone region '", internal::Printable(code), "' is not built in"));
}

namespace {

// NormalizePhone into `out`, whose capacity is reused (every phone identifier ingested passes
// here): '+' and the digits as read, then the region's rewriting in place.
absl::Status NormalizePhoneInto(std::string_view raw, const PhoneRegion& region, std::string* out) {
  std::string_view s = Trim(raw);
  // A URI scheme ignores case (RFC 3986): "tel:", "TEL:", "Tel:".
  if (absl::StartsWithIgnoreCase(absl::string_view(s.data(), s.size()), "tel:")) {
    s.remove_prefix(4);
  }
  std::string& e164 = *out;
  e164.assign(1, '+');
  bool plus = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const PastedChar folded = FoldPastedChar(s, i);
      if (folded.length == 0 || folded.as == '\n') {  // a line break is not a separator
        return absl::InvalidArgumentError(internal::StrCat(
            "unexpected character '", internal::Printable(SequenceAt(s, i)), "'"));
      }
      c = folded.as;
      i += folded.length - 1;
    }
    if (c >= '0' && c <= '9') {
      e164.push_back(c);
    } else if (c == '+') {
      if (plus || e164.size() > 1) return absl::InvalidArgumentError("'+' is not at the start");
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return absl::InvalidArgumentError(internal::StrCat(
          "unexpected character '", internal::Printable(std::string_view(&s[i], 1)), "'"));
    }
  }
  if (!plus) {
    const std::string_view digits = std::string_view(e164).substr(1);
    if (StartsWith(digits, region.international_prefix)) {
      e164.erase(1, region.international_prefix.size());
    } else {
      // A national number: its trunk prefix becomes the calling code.
      const size_t trunk = StartsWith(digits, region.trunk_prefix) ? region.trunk_prefix.size() : 0;
      e164.replace(1, trunk, region.calling_code);
    }
  }
  // "+44 (0)20 7946 0018": the trunk prefix written in, which international dialling omits.
  const std::string_view international = std::string_view(e164).substr(1);
  const size_t code = CallingCodeLength(international);
  if (international.size() > code && international[code] == '0' &&
      DropsTrunkZero(international.substr(0, code))) {
    e164.erase(1 + code, 1);  // `international` is not read again
  }
  const size_t digits = e164.size() - 1;
  if (digits < 8 || digits > 15) {
    return absl::InvalidArgumentError(
        internal::StrCat("has ", digits, " digits with the country code; E.164 needs 8..15"));
  }
  if (e164[1] == '0') return absl::InvalidArgumentError("country code starts with 0");
  if (e164[1] == '1' && digits != 11) {
    return absl::InvalidArgumentError("a +1 (NANP) number has 10 digits after the country code");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NormalizePhone(std::string_view raw, const PhoneRegion& region) {
  std::string e164;
  SB_RETURN_IF_ERROR(NormalizePhoneInto(raw, region, &e164));
  return e164;
}

namespace {

// Why a trimmed, lower-cased e-mail address is malformed; null when it is not. Internationalized
// addresses (RFC 6531: "josé@example.com", "user@bücher.de") pass; spaces (Unicode ones too) and
// controls do not. The domain is dot-separated labels, none empty (RFC 5321): "a@.b.c" and
// "a@b..c" name no host, so they are typos to report, not keys that could ever reach anyone.
const char* EmailProblem(std::string_view e) {
  // One pass (every e-mail ingested passes here); the checks are then judged in the order of
  // their messages' precedence.
  size_t at = std::string_view::npos;
  bool second_at = false, domain_dot = false, doubled_dot = false, space = false;
  for (size_t i = 0; i < e.size(); ++i) {
    const unsigned char u = static_cast<unsigned char>(e[i]);
    if (u == '@') {
      second_at |= at != std::string_view::npos;
      if (at == std::string_view::npos) at = i;
    } else if (u == '.') {
      if (at != std::string_view::npos) {
        domain_dot = true;
        doubled_dot |= e[i - 1] == '.';  // e[at] is '@', so a pair inside the domain
      }
    } else {
      space |= SpaceOrControlAt(e, i);
    }
  }
  if (at == std::string_view::npos || at == 0 || second_at) {
    return "needs exactly one '@' after a non-empty local part";
  }
  if (!domain_dot) return "the domain needs a dot, e.g. example.com";
  if (e[at + 1] == '.' || e.back() == '.' || doubled_dot) {
    return "the domain has an empty label (a leading, trailing or doubled '.')";
  }
  if (space) return "contains a space or control character";
  return nullptr;
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmail(std::string_view raw) {
  // The normalizer validated its identifiers already; a direct caller may pass any bytes.
  if (!internal::IsValidUtf8(raw)) return absl::InvalidArgumentError("is not valid UTF-8");
  std::string e = Lower(Trim(raw));
  if (const char* problem = EmailProblem(e)) return absl::InvalidArgumentError(problem);
  return e;
}

struct IdentityNormalizer::Compiled {
  absl::flat_hash_set<std::string> blocked;
  // Bit n: some blocked value is n bytes long (bit 63: 63 or more). Most values have a length
  // no blocked value has, and this skips their hash and probe (one or two per identifier).
  uint64_t blocked_lengths = 0;
  std::vector<std::unique_ptr<const RE2>> patterns;
  PhoneRegion region;

  static int LengthBit(std::string_view v) {
    return static_cast<int>(std::min<size_t>(v.size(), 63));
  }
  void Block(std::string value) {
    blocked_lengths |= uint64_t{1} << LengthBit(value);
    blocked.insert(std::move(value));
  }
  bool IsBlocked(std::string_view value) const {
    return ((blocked_lengths >> LengthBit(value)) & 1) != 0 &&
           blocked.contains(absl::string_view(value.data(), value.size()));
  }
};

IdentityNormalizer::IdentityNormalizer(IdentityRules rules, std::shared_ptr<const Compiled> compiled)
    : rules_(std::move(rules)), compiled_(std::move(compiled)) {}

absl::StatusOr<IdentityNormalizer> IdentityNormalizer::Create(IdentityRules rules) {
  SB_RETURN_IF_ERROR(rules.Validate());
  auto compiled = std::make_shared<Compiled>();
  compiled->region = *FindPhoneRegion(rules.default_phone_region);
  for (const std::string& v : rules.blocked_values) {
    compiled->Block(Lower(Trim(v)));
    // A number is blocked however an identifier writes it: its E.164 form is what phones are
    // compared as after normalization.
    if (absl::StatusOr<std::string> phone = NormalizePhone(v, compiled->region); phone.ok()) {
      compiled->Block(*std::move(phone));
    }
  }
  for (const std::string& p : rules.blocked_patterns) {
    compiled->patterns.push_back(
        std::make_unique<const RE2>(re2::StringPiece(p.data(), p.size()), PatternOptions()));
  }
  return IdentityNormalizer(std::move(rules), std::move(compiled));
}

const IdentifierRule& IdentityNormalizer::RuleFor(IdentifierKind kind, std::string_view scope) const {
  if (kind == IdentifierKind::kCustom) {
    for (const CustomKindRule& c : rules_.custom_kinds) {
      if (c.name == scope) return c.rule;
    }
  }
  return rules_.For(kind);
}

bool IdentityNormalizer::MatchesBlockedPattern(std::string_view value) const {
  for (const auto& re : compiled_->patterns) {
    if (RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *re)) return true;
  }
  return false;
}

NormalizeResult IdentityNormalizer::Normalize(const Identifier& identifier) const {
  NormalizeResult result;
  NormalizedIdentifier id;
  result.outcome = NormalizeInto(identifier, &id, &result.reason);
  if (result.outcome == NormalizeOutcome::kValid) result.id = std::move(id);
  return result;
}

NormalizeOutcome IdentityNormalizer::NormalizeInto(const Identifier& identifier,
                                                   NormalizedIdentifier* out,
                                                   std::string* reason) const {
  reason->clear();
  // Core validation formats its message only on failure: no allocation for a valid identifier.
  if (absl::Status s = identifier.Validate(); !s.ok()) {
    reason->assign(s.message().data(), s.message().size());
    return NormalizeOutcome::kInvalid;
  }
  NormalizedIdentifier& id = *out;  // its strings keep their capacity from earlier calls
  id.kind = identifier.kind;
  std::string_view raw = Trim(identifier.value);
  LowerInto(raw, &id.value);  // what the blocked values are compared with, whatever the kind
  if (compiled_->IsBlocked(id.value)) {
    *reason = internal::StrCat("'", internal::Printable(id.value), "' is a blocked value");
    return NormalizeOutcome::kBlocked;
  }
  bool value_is_lowered = false;  // then it was looked up among the blocked values above
  switch (identifier.kind) {
    case IdentifierKind::kPhone: {
      // Written over the lowered raw form, which only the blocked values needed.
      if (absl::Status phone = NormalizePhoneInto(raw, compiled_->region, &id.value); !phone.ok()) {
        *reason = internal::StrCat("phone '", internal::Printable(raw), "' ", phone.message());
        return NormalizeOutcome::kInvalid;
      }
      if (rules_.block_degenerate_numbers && AllSameDigit(NationalPart(id.value))) {
        *reason =
            internal::StrCat("phone '", internal::Printable(id.value), "' is a placeholder number");
        return NormalizeOutcome::kBlocked;
      }
      break;
    }
    case IdentifierKind::kEmail:
      // NormalizeEmail(raw) without lower-casing a second copy: the value is that address.
      if (const char* problem = EmailProblem(id.value)) {
        *reason = internal::StrCat("email '", internal::Printable(raw), "' ", problem);
        return NormalizeOutcome::kInvalid;
      }
      value_is_lowered = true;
      break;
    case IdentifierKind::kAccountId:
    case IdentifierKind::kCustom:
      // Account numbers and custom ids are case-sensitive in most CRMs: only trimmed.
      id.value.assign(raw);
      // Account ids only, as documented: a custom id's format is the host's (a loyalty card
      // may well be numbered 0000). (An empty value is malformed, reported below.)
      if (rules_.block_degenerate_numbers && identifier.kind == IdentifierKind::kAccountId &&
          !raw.empty() && raw.find_first_not_of('0') == std::string_view::npos) {
        *reason = internal::StrCat(IdentifierKindName(identifier.kind), " '",
                                   internal::Printable(raw), "' is all zeros");
        return NormalizeOutcome::kBlocked;
      }
      break;
    case IdentifierKind::kSocialHandle: {
      std::string_view handle = raw;
      if (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
      // No platform allows white space in a handle: "@ ana" or "ana silva" is a display name or
      // a typo, refused as an e-mail with a space is, not a handle of its own.
      if (HasSpaceOrControl(handle)) {
        *reason = internal::StrCat("social_handle '", internal::Printable(raw),
                                   "' contains a space or control character");
        return NormalizeOutcome::kInvalid;
      }
      LowerInto(handle, &id.value);  // `handle` views the identifier, not the value
      break;
    }
    case IdentifierKind::kDeviceId:
    case IdentifierKind::kChannelOpaque:
      value_is_lowered = true;  // cookie ids and UUIDs are case-insensitive in practice
      break;
  }
  if (id.value.empty()) {
    *reason = internal::StrCat(IdentifierKindName(identifier.kind), " '", internal::Printable(raw),
                               "' is empty after normalization");
    return NormalizeOutcome::kInvalid;
  }
  id.scope.clear();
  if (IdentifierKindHasScope(identifier.kind)) {
    LowerInto(Trim(identifier.scope), &id.scope);
    // A blank scope is none: a handle of no platform must not link handles of every platform.
    if (id.scope.empty() && identifier.kind != IdentifierKind::kChannelOpaque) {
      *reason = internal::StrCat(IdentifierKindName(identifier.kind),
                                 " needs a scope (platform or kind name), not a blank one");
      return NormalizeOutcome::kInvalid;
    }
    // The key is "<kind>/<scope>:<value>": a ':' in the scope would let two identities share it.
    if (id.scope.find(':') != std::string::npos) {
      *reason = internal::StrCat(IdentifierKindName(identifier.kind), " scope '",
                                 internal::Printable(identifier.scope),
                                 "' contains ':', which ends the scope in the key");
      return NormalizeOutcome::kInvalid;
    }
  }
  if ((!value_is_lowered && compiled_->IsBlocked(id.value)) ||
      MatchesBlockedPattern(id.value)) {
    *reason = internal::StrCat("'", internal::Printable(id.value), "' is a blocked value");
    return NormalizeOutcome::kBlocked;
  }
  return NormalizeOutcome::kValid;
}

}  // namespace switchboard
