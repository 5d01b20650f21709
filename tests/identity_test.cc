// Identifier normalization and identity rules: phone to E.164 under a default region, e-mail
// trimming, blocked values and placeholder numbers, rule validation.
#include "switchboard/identity.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace sb = switchboard;
using Catch::Matchers::Contains;

namespace {

sb::PhoneRegion Region(const char* code) { return *sb::FindPhoneRegion(code); }

sb::NormalizeResult Normalize(const sb::IdentityNormalizer& n, sb::IdentifierKind kind,
                              const char* value, const char* scope = "") {
  return n.Normalize(sb::Identifier{kind, value, scope});
}

}  // namespace

TEST_CASE("phone numbers become E.164 under the default region") {
  sb::PhoneRegion us = Region("US");
  CHECK(*sb::NormalizePhone("(415) 555-0100", us) == "+14155550100");
  CHECK(*sb::NormalizePhone("1-415-555-0100", us) == "+14155550100");  // trunk prefix 1
  CHECK(*sb::NormalizePhone("+1 415.555.0100", us) == "+14155550100");
  CHECK(*sb::NormalizePhone("011 44 20 7946 0018", us) == "+442079460018");  // NANP exit code
  CHECK(*sb::NormalizePhone("tel:+14155550100", us) == "+14155550100");
  CHECK(*sb::NormalizePhone("TEL:+14155550100", us) == "+14155550100");  // schemes ignore case

  sb::PhoneRegion gb = Region("GB");
  CHECK(*sb::NormalizePhone("020 7946 0018", gb) == "+442079460018");  // trunk prefix 0
  CHECK(*sb::NormalizePhone("0044 20 7946 0018", gb) == "+442079460018");
  CHECK(*sb::NormalizePhone("+1 (415) 555-0100", gb) == "+14155550100");

  sb::PhoneRegion il = Region("IL");
  CHECK(*sb::NormalizePhone("054-123-4567", il) == "+972541234567");
  sb::PhoneRegion es = Region("ES");  // no trunk prefix
  CHECK(*sb::NormalizePhone("912 345 678", es) == "+34912345678");
}

// "+44 (0)20 7946 0018" is how British numbers are often written: the (0) is the trunk prefix,
// dialled only nationally. It must give the same E.164 as "+44 20 7946 0018", or one number has
// two keys and the customer's channels never link. Where a region keeps its 0 in international
// form (Italy), it stays.
TEST_CASE("a trunk prefix written after the country code is dropped") {
  for (const char* region : {"US", "GB"}) {
    INFO(region);
    sb::PhoneRegion r = Region(region);
    CHECK(*sb::NormalizePhone("+44 (0)20 7946 0018", r) == "+442079460018");
    CHECK(*sb::NormalizePhone("+49 (0)30 1234567", r) == "+49301234567");
    CHECK(*sb::NormalizePhone("+61 (0)2 9876 5432", r) == "+61298765432");
    CHECK(*sb::NormalizePhone("+39 06 1234 5678", r) == "+390612345678");  // Italy keeps it
  }
  CHECK(*sb::NormalizePhone("0044 (0)20 7946 0018", Region("GB")) == "+442079460018");
}

TEST_CASE("malformed phone numbers are rejected with the reason") {
  sb::PhoneRegion us = Region("US");
  CHECK_THAT(std::string(sb::NormalizePhone("call me", us).status().message()),
             Contains("unexpected character"));
  CHECK_THAT(std::string(sb::NormalizePhone("41+5", us).status().message()), Contains("'+'"));
  CHECK_THAT(std::string(sb::NormalizePhone("12345", us).status().message()), Contains("8..15"));
  CHECK_THAT(std::string(sb::NormalizePhone("+1234567890123456", us).status().message()),
             Contains("8..15"));
  CHECK_THAT(std::string(sb::NormalizePhone("+1 415 555 010", us).status().message()),
             Contains("NANP"));
  CHECK_THAT(std::string(sb::NormalizePhone("+0 20 7946 0018", us).status().message()),
             Contains("starts with 0"));
  CHECK(sb::FindPhoneRegion("XX").status().code() == absl::StatusCode::kNotFound);
}

// As libphonenumber does: what web pages, word processors and East Asian keyboards put in numbers.
TEST_CASE("phone numbers may carry Unicode spaces, dashes and full-width forms") {
  auto us = sb::FindPhoneRegion("US");
  REQUIRE(us.ok());
  CHECK(*sb::NormalizePhone("+1\xC2\xA0" "415\xC2\xA0" "555\xC2\xA0" "0100", *us) == "+14155550100");
  CHECK(*sb::NormalizePhone("(415)\xE2\x80\x91" "555\xE2\x80\x93" "0100", *us) == "+14155550100");
  CHECK(*sb::NormalizePhone("415\xE2\x80\xAF" "555\xE2\x88\x92" "0100", *us) == "+14155550100");
  CHECK(*sb::NormalizePhone("\xEF\xBC\x8B\xEF\xBC\x91\xE3\x80\x80\xEF\xBC\x94\xEF\xBC\x91"
                            "\xEF\xBC\x95\xEF\xBC\x8D" "555\xEF\xBC\x8E" "0100",
                            *us) == "+14155550100");
  // Anything else is still refused, and the message shows the whole character.
  absl::StatusOr<std::string> dotted = sb::NormalizePhone("415\xC2\xB7" "555\xC2\xB7" "0100", *us);
  REQUIRE_FALSE(dotted.ok());
  CHECK_THAT(std::string(dotted.status().message()), Contains("unexpected character"));
  CHECK_THAT(std::string(dotted.status().message()), Contains("\xC2\xB7"));
  CHECK_FALSE(sb::NormalizePhone("415\xEF\xBC\x8A" "555 0100", *us).ok());  // full-width '*'
  CHECK_FALSE(sb::NormalizePhone("415 555 0100\xC2", *us).ok());              // cut sequence
  CHECK_FALSE(sb::NormalizePhone("+1 415 \xEF\xBC\x8B" "555 0100", *us).ok());  // late '+'
}

TEST_CASE("e-mail addresses are trimmed and lower-cased") {
  CHECK(*sb::NormalizeEmail("  Ana.Silva@Example.COM ") == "ana.silva@example.com");
  CHECK_FALSE(sb::NormalizeEmail("ana").ok());
  CHECK_FALSE(sb::NormalizeEmail("@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail("ana@@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail("ana@localhost").ok());
  CHECK_FALSE(sb::NormalizeEmail("ana silva@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail("ana\tsilva@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail("ana\x7f@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail(std::string("ana\0@example.com", 16)).ok());
}

// A domain is dot-separated labels, none empty: "a@.b.c" names no host. Both the public function
// and the normalizer's fast path refuse it, with the same reason.
TEST_CASE("an e-mail domain with an empty label is refused on both paths") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  for (const char* raw : {"a@.b.c", "a@b..c", "a@b.c.", "a@.", "a@..", "A@.Example.com"}) {
    INFO(raw);
    absl::StatusOr<std::string> direct = sb::NormalizeEmail(raw);
    REQUIRE_FALSE(direct.ok());
    CHECK_THAT(std::string(direct.status().message()), Contains("empty label"));
    sb::NormalizeResult r = Normalize(*n, sb::IdentifierKind::kEmail, raw);
    CHECK(r.outcome == sb::NormalizeOutcome::kInvalid);
    CHECK(r.reason == "email '" + std::string(raw) + "' " + std::string(direct.status().message()));
  }
  CHECK_FALSE(sb::NormalizeEmail("@b.c").ok());  // the local part may not be empty either
  CHECK(*sb::NormalizeEmail("a@b.c") == "a@b.c");
  CHECK(*sb::NormalizeEmail("a.b@mail.b.co") == "a.b@mail.b.co");
}

// No platform allows white space in a handle, and e-mail addresses refuse it too: "@ ana" is not
// a handle "ana" nor " ana", and would otherwise be a key of its own ("social_handle/x: ana").
TEST_CASE("a social handle with a space or control character inside is invalid") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  for (const char* raw : {"@ ana", "@\tana", "ana silva", "@ana\xC2\xA0silva", "@\xE3\x80\x80" "ana",
                          "ana\x7f"}) {
    INFO(raw);
    sb::NormalizeResult r = Normalize(*n, K::kSocialHandle, raw, "x");
    CHECK(r.outcome == sb::NormalizeOutcome::kInvalid);
    CHECK_FALSE(r.id.has_value());
    CHECK_THAT(r.reason, Contains("social_handle '"));
    CHECK_THAT(r.reason, Contains("contains a space or control character"));
  }
  // Spaces around the handle are trimmed, as for every kind; one leading '@' is dropped.
  sb::NormalizeResult around = Normalize(*n, K::kSocialHandle, " @Ana\xC2\xA0", "x");
  REQUIRE(around.outcome == sb::NormalizeOutcome::kValid);
  CHECK(around.id->Key() == "social_handle/x:ana");
}

// Left lenient on purpose (journeys.md says why): a handle may hold '@' after its leading one
// (Mastodon's user@instance), and an e-mail's local part may break RFC 5321's dot rules.
TEST_CASE("a fediverse handle and a carrier's dotted local part stay valid") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  sb::NormalizeResult handle =
      Normalize(*n, sb::IdentifierKind::kSocialHandle, "@Ana@Mastodon.Social", "mastodon");
  REQUIRE(handle.outcome == sb::NormalizeOutcome::kValid);
  CHECK(handle.id->Key() == "social_handle/mastodon:ana@mastodon.social");
  for (const char* raw : {"taro..x@docomo.ne.jp", "taro.@ezweb.ne.jp", ".taro@example.jp"}) {
    INFO(raw);
    CHECK(sb::NormalizeEmail(raw).ok());
    sb::NormalizeResult email = Normalize(*n, sb::IdentifierKind::kEmail, raw, "");
    CHECK(email.outcome == sb::NormalizeOutcome::kValid);
  }
}

// Pasted values often carry a no-break space: around a value it is trimmed like a space, inside
// an e-mail address it is refused like one.
TEST_CASE("no-break and other Unicode spaces around a value are trimmed") {
  CHECK(*sb::NormalizeEmail("\xC2\xA0" "Ana@Example.com\xC2\xA0") == "ana@example.com");
  CHECK(*sb::NormalizeEmail("ana@example.com\xE2\x80\xAF \xE3\x80\x80") == "ana@example.com");
  CHECK_FALSE(sb::NormalizeEmail("ana\xC2\xA0silva@example.com").ok());
  CHECK_FALSE(sb::NormalizeEmail("\xC2\xA0").ok());
  auto us = sb::FindPhoneRegion("US");
  REQUIRE(us.ok());
  CHECK(*sb::NormalizePhone("\xC2\xA0(415) 555-0100\xC2\xA0", *us) == "+14155550100");
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  sb::NormalizeResult a = n->Normalize({sb::IdentifierKind::kAccountId, "\xC2\xA0" "AC-77\xC2\xA0", ""});
  REQUIRE(a.outcome == sb::NormalizeOutcome::kValid);
  CHECK(a.id->value == "AC-77");
  // A lone lead byte at either end is not a space: left in place (and refused for an e-mail).
  CHECK_FALSE(sb::NormalizeEmail("ana@example.com\xC2").ok());
}

// Every Unicode white space character counts: the spaces U+1680 and U+205F as the no-break ones
// do, the line breaks U+0085, U+2028 and U+2029 as ASCII '\n' does (trimmed at the ends, refused
// inside, not a phone separator). C1 controls (U+0080..U+009F) are control characters too.
TEST_CASE("every Unicode white space is trimmed and refused inside, and C1 controls are controls") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  auto us = sb::FindPhoneRegion("US");
  REQUIRE(us.ok());
  using K = sb::IdentifierKind;
  for (const char* space : {"\xE1\x9A\x80", "\xE2\x81\x9F", "\xC2\x85", "\xE2\x80\xA8",
                            "\xE2\x80\xA9"}) {
    INFO("white space " << sb::NormalizeEmail(std::string("a") + space + "@b.c").status());
    const std::string s(space);
    CHECK(sb::NormalizeEmail(s + "Ana@Example.com" + s).value_or("") == "ana@example.com");
    CHECK_FALSE(sb::NormalizeEmail("ana" + s + "silva@example.com").ok());
    CHECK(Normalize(*n, K::kSocialHandle, ("@ana" + s + "silva").c_str(), "x").outcome ==
          sb::NormalizeOutcome::kInvalid);
    sb::NormalizeResult account = Normalize(*n, K::kAccountId, (s + "AC-77" + s).c_str());
    REQUIRE(account.outcome == sb::NormalizeOutcome::kValid);
    CHECK(account.id->value == "AC-77");
    CHECK(sb::NormalizePhone(s + "(415) 555-0100" + s, *us).value_or("") == "+14155550100");
    sb::IdentityRules rules = sb::IdentityRules::Defaults();
    rules.custom_kinds.push_back({"loyalty" + s, {}});
    CHECK_FALSE(rules.Validate().ok());
  }
  // Spaces separate a number's digits; line breaks do not, as '\n' does not.
  CHECK(sb::NormalizePhone("415\xE1\x9A\x80" "555\xE2\x81\x9F" "0100", *us).value_or("") ==
        "+14155550100");
  absl::StatusOr<std::string> broken = sb::NormalizePhone("415\xE2\x80\xA8" "555 0100", *us);
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(std::string(broken.status().message()), Contains("unexpected character"));
  CHECK_THAT(std::string(broken.status().message()), Contains("\xE2\x80\xA8"));  // quoted whole
  for (const char* control : {"\xC2\x80", "\xC2\x9B", "\xC2\x9F"}) {
    const std::string c(control);
    CHECK_FALSE(sb::NormalizeEmail("ana" + c + "@example.com").ok());
    CHECK(Normalize(*n, K::kSocialHandle, ("@ana" + c).c_str(), "x").outcome ==
          sb::NormalizeOutcome::kInvalid);
  }
  // The characters beside them stay what they were: letters of a UTF-8 address.
  CHECK(sb::NormalizeEmail("ana\xC2\xA9@example.com").ok());  // U+00A9, after the C1 block
  CHECK(sb::NormalizeEmail("ana\xE2\x80\xA7@example.com").ok());  // U+2027, before U+2028
}

// RFC 6531: UTF-8 in the local part and the domain. Only ASCII letters are lower-cased.
TEST_CASE("internationalized e-mail addresses are accepted") {
  CHECK(*sb::NormalizeEmail("Jos\xC3\xA9@Example.com") == "jos\xC3\xA9@example.com");
  CHECK(*sb::NormalizeEmail("user@B\xC3\xBC" "cher.de") == "user@b\xC3\xBC" "cher.de");
  CHECK(*sb::NormalizeEmail("\xC3\x89lodie@example.fr") == "\xC3\x89lodie@example.fr");
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  sb::NormalizeResult r = n->Normalize({sb::IdentifierKind::kEmail, " Jos\xC3\xA9@Example.com", ""});
  REQUIRE(r.outcome == sb::NormalizeOutcome::kValid);
  CHECK(r.id->value == "jos\xC3\xA9@example.com");
}

TEST_CASE("normalizer keeps kinds apart and scopes social handles") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  sb::NormalizeResult handle = Normalize(*n, sb::IdentifierKind::kSocialHandle, "@AnaS", "X");
  REQUIRE(handle.outcome == sb::NormalizeOutcome::kValid);
  CHECK(handle.id->Key() == "social_handle/x:anas");
  sb::NormalizeResult account = Normalize(*n, sb::IdentifierKind::kAccountId, " AC-77 ");
  CHECK(account.id->Key() == "account_id:AC-77");  // case kept, trimmed
  sb::NormalizeResult cookie = Normalize(*n, sb::IdentifierKind::kDeviceId, "ABC-def");
  CHECK(cookie.id->Key() == "device_id:abc-def");
  sb::NormalizeResult custom = Normalize(*n, sb::IdentifierKind::kCustom, "L-1", "Loyalty");
  CHECK(custom.id->Key() == "custom/loyalty:L-1");
  sb::NormalizeResult phone = Normalize(*n, sb::IdentifierKind::kPhone, "nope");
  CHECK(phone.outcome == sb::NormalizeOutcome::kInvalid);
  CHECK_THAT(phone.reason, Contains("nope"));
  CHECK(Normalize(*n, sb::IdentifierKind::kSocialHandle, "@ana").outcome ==
        sb::NormalizeOutcome::kInvalid);  // no platform
}

// The key "<kind>/<scope>:<value>" must name one identity: a scope holding the ':' that ends it
// would let platform "a:b" with handle "c" and platform "a" with handle "b:c" share a key.
TEST_CASE("a scope holding the key's separator is invalid, so distinct handles keep distinct keys") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  sb::NormalizeResult colon = Normalize(*n, K::kSocialHandle, "c", "a:b");
  CHECK(colon.outcome == sb::NormalizeOutcome::kInvalid);
  CHECK_THAT(colon.reason, Contains("a:b"));
  CHECK(Normalize(*n, K::kSocialHandle, "b:c", "a").outcome == sb::NormalizeOutcome::kValid);
  CHECK(Normalize(*n, K::kCustom, "1", "loyalty:x").outcome == sb::NormalizeOutcome::kInvalid);
  CHECK(Normalize(*n, K::kChannelOpaque, "1", "wa:x").outcome == sb::NormalizeOutcome::kInvalid);
  // Kinds without a scope ignore it, as documented.
  CHECK(Normalize(*n, K::kPhone, "(415) 555-0100", "a:b").outcome == sb::NormalizeOutcome::kValid);
  // A custom kind whose name could never be a scope is refused with the rules.
  rules.custom_kinds.push_back({"loyalty:x", {}});
  CHECK_THAT(std::string(rules.Validate().message()), Contains("loyalty:x"));
}

TEST_CASE("a blank scope is no scope: a handle or custom id without one is invalid") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  // Else "social_handle:ana", a key of no platform, would link handles of every platform.
  sb::NormalizeResult handle = Normalize(*n, K::kSocialHandle, "@ana", "  ");
  CHECK(handle.outcome == sb::NormalizeOutcome::kInvalid);
  CHECK_THAT(handle.reason, Contains("scope"));
  CHECK(Normalize(*n, K::kCustom, "L-1", "\xC2\xA0").outcome == sb::NormalizeOutcome::kInvalid);
  // The scope of a channel-opaque id is optional: a blank one is none.
  sb::NormalizeResult opaque = Normalize(*n, K::kChannelOpaque, "abc", " ");
  REQUIRE(opaque.outcome == sb::NormalizeOutcome::kValid);
  CHECK(opaque.id->Key() == "channel_opaque:abc");
}

TEST_CASE("blocked values and placeholder numbers never match") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.blocked_values.push_back("Team@Acme.example");
  rules.blocked_patterns.push_back(R"(.*@mailinator\.com)");
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  CHECK(Normalize(*n, K::kEmail, "NULL").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kDeviceId, "anonymous").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kEmail, " team@acme.EXAMPLE").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kEmail, "x@mailinator.com").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kPhone, "000-000-0000").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kPhone, "+1 111 111 1111").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kAccountId, "0000").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kPhone, "(415) 555-0100").outcome == sb::NormalizeOutcome::kValid);
  // Numbers of other regions: their national digits follow a calling code of 1 to 3 digits.
  for (const char* placeholder : {"+44 0000 000000", "+33 1 11 11 11 11", "+972 2222 2222",
                                  "+7 999 999 9999", "+86 1111 1111 111"}) {
    INFO(placeholder);
    CHECK(Normalize(*n, K::kPhone, placeholder).outcome == sb::NormalizeOutcome::kBlocked);
  }
  for (const char* real : {"+44 20 7946 0018", "+33 1 44 55 66 77", "+972 2 622 2222",
                           "+86 10 1111 1111"}) {
    INFO(real);
    CHECK(Normalize(*n, K::kPhone, real).outcome == sb::NormalizeOutcome::kValid);
  }

  // A value of only spaces is empty, not all zeros: malformed, and said so.
  for (K kind : {K::kAccountId, K::kCustom}) {
    sb::NormalizeResult blank = Normalize(*n, kind, " \t ", "loyalty");
    CHECK(blank.outcome == sb::NormalizeOutcome::kInvalid);
    CHECK_THAT(blank.reason, Contains("empty"));
  }

  rules.block_degenerate_numbers = false;
  auto lax = sb::IdentityNormalizer::Create(rules);
  CHECK(Normalize(*lax, K::kAccountId, "0000").outcome == sb::NormalizeOutcome::kValid);
}

// The normalizer looks a value up among the blocked ones only when some blocked value has its
// length, with every length from 63 bytes on sharing one mark: long values must still be found.
TEST_CASE("blocked values of every length are found, long ones included") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  const std::string long_mailbox = std::string(60, 'a') + "@acme.example";  // 73 bytes
  const std::string other_long = std::string(70, 'b') + "@acme.example";    // 83 bytes
  rules.blocked_values = {"x@y.io", long_mailbox, "CK-7"};
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  CHECK(Normalize(*n, K::kEmail, "X@Y.io").outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kEmail, long_mailbox.c_str()).outcome == sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kDeviceId, "ck-7").outcome == sb::NormalizeOutcome::kBlocked);
  // Same lengths, other values; and a long value that is not blocked.
  CHECK(Normalize(*n, K::kEmail, "z@y.io").outcome == sb::NormalizeOutcome::kValid);
  CHECK(Normalize(*n, K::kDeviceId, "ck-8").outcome == sb::NormalizeOutcome::kValid);
  CHECK(Normalize(*n, K::kEmail, other_long.c_str()).outcome == sb::NormalizeOutcome::kValid);
  // The defaults are replaced, not kept: "null" is an ordinary (malformed) e-mail now.
  CHECK(Normalize(*n, K::kEmail, "null").outcome == sb::NormalizeOutcome::kInvalid);
}

TEST_CASE("a blocked pattern cannot be made to stall on a crafted value") {
  // A nested quantifier: a backtracking engine tries 2^n splits of n 'a's before failing on the
  // last character (std::regex would not finish this test). RE2 answers in linear time.
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.blocked_patterns = {"(a+)+@x\\.io", "(?i)test[0-9]*@.*"};
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  const std::string crafted = std::string(60, 'a') + "@x.iq";
  CHECK(Normalize(*n, K::kEmail, crafted.c_str()).outcome == sb::NormalizeOutcome::kValid);
  CHECK(Normalize(*n, K::kEmail, (std::string(60, 'a') + "@x.io").c_str()).outcome ==
        sb::NormalizeOutcome::kBlocked);
  CHECK(Normalize(*n, K::kEmail, "TEST42@corp.example").outcome == sb::NormalizeOutcome::kBlocked);
  // Backreferences are outside RE2's syntax: refused when the rules are validated.
  rules.blocked_patterns = {"(a)\\1"};
  CHECK_THAT(std::string(rules.Validate().message()), Contains("blocked_patterns"));
}

TEST_CASE("identity rules are validated") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  REQUIRE(rules.Validate().ok());
  CHECK(rules.For(sb::IdentifierKind::kAccountId).Limit() == 1);
  CHECK(rules.For(sb::IdentifierKind::kEmail).Limit() == 5);

  sb::IdentityRules bad = rules;
  bad.For(sb::IdentifierKind::kPhone).priority = 0;
  CHECK_THAT(std::string(bad.Validate().message()), Contains("phone].priority"));
  bad = rules;
  bad.For(sb::IdentifierKind::kEmail).shared_after = 1;
  CHECK_THAT(std::string(bad.Validate().message()), Contains("shared_after"));
  bad = rules;
  bad.For(sb::IdentifierKind::kDeviceId).expiry = absl::ZeroDuration();
  CHECK_THAT(std::string(bad.Validate().message()), Contains("expiry"));
  bad = rules;
  bad.default_phone_region = "ZZ";
  CHECK_THAT(std::string(bad.Validate().message()), Contains("ZZ"));
  bad = rules;
  bad.blocked_patterns = {"(unclosed"};
  CHECK_THAT(std::string(bad.Validate().message()), Contains("(unclosed"));
  bad = rules;
  bad.custom_kinds = {{"loyalty", {}}, {"loyalty", {}}};
  CHECK_THAT(std::string(bad.Validate().message()), Contains("twice"));
  CHECK(sb::IdentityNormalizer::Create(bad).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("custom kinds get their own rule") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  sb::IdentifierRule loyalty;
  loyalty.unique = true;
  loyalty.priority = 15;
  rules.custom_kinds.push_back({"loyalty", loyalty});
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  CHECK(n->RuleFor(sb::IdentifierKind::kCustom, "loyalty").unique);
  CHECK_FALSE(n->RuleFor(sb::IdentifierKind::kCustom, "other").unique);
}

// Scopes are compared trimmed, so a custom kind named " loyalty" never applied, and beside
// "loyalty" it slipped past the "listed twice" check; a name with white space inside cannot be
// told from a typo. Such names are refused with the rules.
TEST_CASE("a custom kind named with white space or a control character is refused") {
  const sb::IdentityRules rules = sb::IdentityRules::Defaults();
  for (const char* name :
       {" loyalty", "loyalty ", "loyalty card", "loyalty\t", "\n", "\xC2\xA0loyalty",
        "loy\x01"
        "alty",
        "loyalty\x7f"}) {
    INFO(name);
    sb::IdentityRules bad = rules;
    bad.custom_kinds = {{"loyalty", {}}, {name, {}}};
    const absl::Status status = bad.Validate();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Contains("identity.custom_kinds name"));
    CHECK_THAT(std::string(status.message()), Contains("white space or a control character"));
    CHECK(sb::IdentityNormalizer::Create(bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  // Any other character stays allowed: '_', '-', '.', digits, non-ASCII letters.
  sb::IdentityRules good = rules;
  good.custom_kinds = {{"loyalty_card", {}}, {"club-2.0", {}}, {"fid\xC3\xA9lit\xC3\xA9", {}}};
  CHECK(good.Validate().ok());
}

// A number has many spellings: an entry of blocked_values that is a phone number blocks the
// number (its E.164 form under the default region), however an identifier writes it.
TEST_CASE("a blocked phone number is blocked however it is written") {
  using K = sb::IdentifierKind;
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.blocked_values.push_back("(415) 555-0100");
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  for (const char* spelling : {"(415) 555-0100", "+1 415 555 0100", "415.555.0100",
                               "1-415-555-0100", "tel:+14155550100", "+14155550100"}) {
    INFO(spelling);
    sb::NormalizeResult r = Normalize(*n, K::kPhone, spelling);
    CHECK(r.outcome == sb::NormalizeOutcome::kBlocked);
    CHECK_THAT(r.reason, Contains("is a blocked value"));
  }
  CHECK(Normalize(*n, K::kPhone, "(415) 555-0101").outcome == sb::NormalizeOutcome::kValid);
  // Entries other than phone numbers block as before.
  CHECK(Normalize(*n, K::kEmail, "NULL").outcome == sb::NormalizeOutcome::kBlocked);

  // A national entry is read in the default region, as a national identifier is.
  rules.default_phone_region = "GB";
  rules.blocked_values = {"020 7946 0018"};
  auto gb = sb::IdentityNormalizer::Create(rules);
  REQUIRE(gb.ok());
  for (const char* spelling : {"+44 20 7946 0018", "0044 (0)20 7946 0018", "020-7946-0018"}) {
    INFO(spelling);
    CHECK(Normalize(*gb, K::kPhone, spelling).outcome == sb::NormalizeOutcome::kBlocked);
  }
  CHECK(Normalize(*gb, K::kPhone, "+44 20 7946 0019").outcome == sb::NormalizeOutcome::kValid);
}

// block_degenerate_numbers covers phones and account ids, as documented. A custom id's format is
// the host's own (a loyalty card numbered 0000 is a real card), so it is not blocked for zeros.
TEST_CASE("placeholder numbers block phones and account ids, not custom ids") {
  using K = sb::IdentifierKind;
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  for (const char* zeros : {"0", "0000", " 0000 "}) {
    INFO(zeros);
    sb::NormalizeResult custom = Normalize(*n, K::kCustom, zeros, "loyalty");
    CHECK(custom.outcome == sb::NormalizeOutcome::kValid);
    CHECK(custom.reason.empty());
    CHECK(Normalize(*n, K::kAccountId, zeros).outcome == sb::NormalizeOutcome::kBlocked);
  }
  CHECK(Normalize(*n, K::kPhone, "000-000-0000").outcome == sb::NormalizeOutcome::kBlocked);
}

// Normalize() checks identifiers and e-mail addresses on a fast path; its reasons must still be
// exactly those of Identifier::Validate() and NormalizeEmail().
TEST_CASE("normalizer reasons match the validators'") {
  auto n = sb::IdentityNormalizer::Create(sb::IdentityRules::Defaults());
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  const std::string too_long(400, 'a');
  const std::vector<sb::Identifier> bad = {
      {K::kEmail, "", ""},
      {K::kEmail, too_long, ""},
      {K::kEmail, "ana\xff@example.com", ""},
      {K::kSocialHandle, "@ana", ""},
      {K::kSocialHandle, "@ana", std::string(200, 'x')},
      {K::kCustom, "123", "loyalty\xc0"},
      {static_cast<K>(99), "x", ""},
  };
  for (const sb::Identifier& id : bad) {
    INFO(id.value.substr(0, 40));
    absl::Status expected = id.Validate();
    REQUIRE_FALSE(expected.ok());
    sb::NormalizeResult r = n->Normalize(id);
    CHECK(r.outcome == sb::NormalizeOutcome::kInvalid);
    CHECK(r.reason == std::string(expected.message()));
  }
  for (const char* raw : {"ana", "@example.com", "ana@@example.com", "ana@localhost",
                          "ana silva@example.com", "ana@example."}) {
    INFO(raw);
    absl::StatusOr<std::string> expected = sb::NormalizeEmail(raw);
    REQUIRE_FALSE(expected.ok());
    sb::NormalizeResult r = Normalize(*n, K::kEmail, raw);
    CHECK(r.outcome == sb::NormalizeOutcome::kInvalid);
    CHECK(r.reason == "email '" + std::string(raw) + "' " + std::string(expected.status().message()));
  }
  // Valid ones still pass the fast path.
  CHECK(Normalize(*n, K::kEmail, " Ana@Example.com ").outcome == sb::NormalizeOutcome::kValid);
  CHECK(Normalize(*n, K::kSocialHandle, "@Ana", "twitter").outcome == sb::NormalizeOutcome::kValid);
}

// Each rule limit at both ends of its range, and one step past them.
TEST_CASE("identity rule limits are accepted at their ends and refused past them") {
  constexpr int kIntMax = std::numeric_limits<int>::max();
  constexpr int kIntMin = std::numeric_limits<int>::min();
  const sb::IdentityRules rules = sb::IdentityRules::Defaults();
  auto with = [&](auto set) {
    sb::IdentityRules r = rules;
    set(r.For(sb::IdentifierKind::kDeviceId));
    return r.Validate();
  };
  for (int p : {1, 1000}) CHECK(with([&](sb::IdentifierRule& r) { r.priority = p; }).ok());
  for (int p : {0, 1001, kIntMin, kIntMax}) {
    CHECK_THAT(std::string(with([&](sb::IdentifierRule& r) { r.priority = p; }).message()),
               Contains("priority"));
  }
  for (int m : {0, 1, kIntMax}) CHECK(with([&](sb::IdentifierRule& r) { r.max_values = m; }).ok());
  for (int m : {-1, kIntMin}) {
    CHECK_THAT(std::string(with([&](sb::IdentifierRule& r) { r.max_values = m; }).message()),
               Contains("max_values"));
  }
  for (int s : {0, 2, kIntMax}) CHECK(with([&](sb::IdentifierRule& r) { r.shared_after = s; }).ok());
  for (int s : {1, -1, kIntMin}) {
    CHECK_THAT(std::string(with([&](sb::IdentifierRule& r) { r.shared_after = s; }).message()),
               Contains("shared_after"));
  }
  for (absl::Duration e : {absl::Nanoseconds(1), absl::InfiniteDuration()}) {
    CHECK(with([&](sb::IdentifierRule& r) { r.expiry = e; }).ok());
  }
  for (absl::Duration e : {absl::ZeroDuration(), -absl::Nanoseconds(1), -absl::InfiniteDuration()}) {
    CHECK_THAT(std::string(with([&](sb::IdentifierRule& r) { r.expiry = e; }).message()),
               Contains("expiry"));
  }
}

// The merger normalizes every identifier into the same few slots, so nothing of one identifier
// may survive into the next: scope, value, verified flag and reason, whatever came before.
TEST_CASE("NormalizeInto into reused storage gives what Normalize gives, in any order") {
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.blocked_values.push_back("team@acme.example");
  rules.blocked_patterns.push_back("cookie-bad.*");
  auto n = sb::IdentityNormalizer::Create(rules);
  REQUIRE(n.ok());
  using K = sb::IdentifierKind;
  const std::vector<sb::Identifier> ids = {{K::kPhone, "(415) 555-0100", ""},
                                           {K::kPhone, "020 7946 0018", ""},
                                           {K::kPhone, "call me", ""},
                                           {K::kPhone, "+1 111 111 1111", ""},
                                           {K::kEmail, "  Ana.Silva@Example.COM ", ""},
                                           {K::kEmail, "a@b..c", ""},
                                           {K::kEmail, "Team@Acme.Example", ""},
                                           {K::kEmail, "", ""},
                                           {K::kAccountId, " AC-1001 ", ""},
                                           {K::kAccountId, "0000", ""},
                                           {K::kSocialHandle, "@Ana", "X"},
                                           {K::kSocialHandle, "ana silva", "x"},
                                           {K::kSocialHandle, "ana", " "},
                                           {K::kDeviceId, "Cookie-ABC", ""},
                                           {K::kDeviceId, "COOKIE-BAD-1", ""},
                                           {K::kDeviceId, "null", ""},
                                           {K::kChannelOpaque, "Sess-9", "WhatsApp"},
                                           {K::kChannelOpaque, "sess-9", ""},
                                           {K::kChannelOpaque, "x", "a:b"},
                                           {K::kCustom, "Card-77", "loyalty"},
                                           {K::kCustom, "Card-77", ""},
                                           {K::kSocialHandle, "@", "x"}};
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    std::vector<sb::Identifier> order = ids;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
    sb::NormalizedIdentifier out{K::kSocialHandle, "stale-scope", "stale-value"};
    std::string reason = "stale reason";
    for (const sb::Identifier& id : order) {
      INFO(sb::IdentifierKindName(id.kind) << " '" << id.value << "' scope '" << id.scope << "'");
      const sb::NormalizeResult fresh = n->Normalize(id);
      const sb::NormalizeOutcome outcome = n->NormalizeInto(id, &out, &reason);
      CHECK(outcome == fresh.outcome);
      CHECK(reason == fresh.reason);
      if (fresh.outcome == sb::NormalizeOutcome::kValid) {
        REQUIRE(fresh.id.has_value());
        CHECK(out == *fresh.id);
      }
    }
  }
}
