// The journey merger's building blocks, each usable on its own: identity rules and normalization
// (identity.h), journey order (event_key.h), per-field trait reconciliation
// (trait_reconciliation.h), a store the host owns (journey_store.h) and batch ingest.
// docs/journeys.md quotes it; CI runs it, and it exits non-zero if any result differs from what the
// comments say.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/clock.h"
#include "switchboard/event_key.h"
#include "switchboard/identity.h"
#include "switchboard/journey_merger.h"
#include "switchboard/journey_store.h"
#include "switchboard/touchpoint_event.h"
#include "switchboard/trait_reconciliation.h"

namespace sb = switchboard;

namespace {

int failures = 0;

void Expect(bool ok, const char* what) {
  std::printf("%-58s %s\n", what, ok ? "ok" : "UNEXPECTED");
  if (!ok) ++failures;
}

sb::TouchpointEvent Event(const std::string& id, int minute, const std::string& source) {
  sb::TouchpointEvent e;
  e.id = sb::EventId(id);
  e.tenant = sb::TenantId("acme");
  e.channel = sb::Channel::kChat;
  e.occurred_at = e.received_at = absl::FromUnixSeconds(1'700'000'000 + 60 * minute);
  e.source_system = source;
  return e;
}

}  // namespace

int main() {
  // [identity] Rules per identifier kind, then one normalizer shared by every event.
  sb::IdentityRules rules = sb::IdentityRules::Defaults();
  rules.default_phone_region = "GB";                    // national numbers are British
  rules.For(sb::IdentifierKind::kEmail).max_values = 3;  // at most 3 e-mails a customer
  rules.blocked_values.push_back("team@acme.example");   // a shared mailbox never links
  absl::StatusOr<sb::IdentityNormalizer> normalizer = sb::IdentityNormalizer::Create(rules);
  if (!normalizer.ok()) return 1;

  using Kind = sb::IdentifierKind;
  sb::NormalizeResult phone = normalizer->Normalize({Kind::kPhone, "020 7946 0018", ""});
  sb::NormalizeResult email = normalizer->Normalize({Kind::kEmail, " Ana@Example.COM ", ""});
  sb::NormalizeResult team = normalizer->Normalize({Kind::kEmail, "team@acme.example", ""});
  sb::NormalizeResult bad = normalizer->Normalize({Kind::kPhone, "call me maybe", ""});
  // In a loop over many identifiers, NormalizeInto reuses the caller's storage.
  sb::NormalizedIdentifier reused;
  std::string reason;
  sb::NormalizeOutcome next =
      normalizer->NormalizeInto({Kind::kEmail, "Bo@Example.com", ""}, &reused, &reason);
  // [identity]
  Expect(phone.outcome == sb::NormalizeOutcome::kValid && phone.id->Key() == "phone:+442079460018",
         "national number to E.164");
  Expect(email.outcome == sb::NormalizeOutcome::kValid && email.id->value == "ana@example.com",
         "e-mail trimmed and lower-cased");
  Expect(team.outcome == sb::NormalizeOutcome::kBlocked, "blocked value reported as blocked");
  Expect(bad.outcome == sb::NormalizeOutcome::kInvalid && !bad.reason.empty(),
         "malformed number reported with its reason");
  std::printf("  reason: %s\n", bad.reason.c_str());
  Expect(next == sb::NormalizeOutcome::kValid && reused.value == "bo@example.com" && reason.empty(),
         "NormalizeInto into reused storage");

  // [phone] The free functions, for a host that normalizes before it sends events.
  absl::StatusOr<sb::PhoneRegion> us = sb::FindPhoneRegion("US");
  absl::StatusOr<std::string> e164 = sb::NormalizePhone("(415) 555-0100", *us);
  // [phone]
  Expect(us.ok() && e164.ok() && *e164 == "+14155550100", "NormalizePhone with the US region");

  // [order] Journey order is occurred-at, then event id, whatever the arrival order.
  sb::TouchpointEvent mail = Event("mail-1", 0, "crm");
  sb::TouchpointEvent chat = Event("chat-1", 60, "web");
  sb::TouchpointEvent call = Event("call-1", 60, "ivr");  // same minute as the chat
  const bool ordered = sb::KeyOf(mail) < sb::KeyOf(call) && sb::KeyOf(call) < sb::KeyOf(chat);
  // [order]
  Expect(ordered, "mail, then call-1 before chat-1 (same time: by id)");

  // [traits] Each field wins by its own rule; losers stay in the history.
  std::vector<sb::TraitRule> trait_rules = sb::DefaultTraitRules();
  trait_rules.push_back({"plan", "plan_code", sb::ReconciliationRule::kSourcePriority,
                         /*ignore_empty=*/true, /*source_priority=*/{"billing", "crm"}});
  mail.attributes = {{"language", "en"}, {"plan_code", "gold"}};
  chat.attributes = {{"language", "es"}, {"plan_code", "silver"}};
  call.attributes = {{"language", ""}};  // an empty field does not erase a known language
  sb::TraitState state;
  for (const sb::TouchpointEvent* e : {&chat, &call, &mail}) {  // arrival order does not matter
    sb::AddToTraits(trait_rules, *e, &state);
  }
  const std::string language = sb::WinningTraitValue(trait_rules, state, "language");
  const std::string plan = sb::WinningTraitValue(trait_rules, state, "plan");
  for (const sb::Trait& t : sb::ReconcileTraits(trait_rules, state)) {
    std::printf("  %s = %s (%s, %zu values seen)\n", t.field.c_str(), t.value.c_str(),
                std::string(sb::ReconciliationRuleName(t.rule)).c_str(), t.history.size());
  }
  // [traits]
  Expect(language == "es", "language: the latest non-empty value");
  Expect(plan == "gold", "plan: crm outranks web (source priority)");

  // [store] A store the host owns: the merger works only through it.
  std::unique_ptr<sb::JourneyStore> store = sb::NewInMemoryJourneyStore();
  sb::ManualClock clock(absl::FromUnixSeconds(1'700'100'000));
  auto merger = sb::JourneyMerger::Create({}, &clock, store.get());
  if (!merger.ok()) return 1;
  mail.identifiers = {{sb::IdentifierKind::kEmail, "ana@example.com", ""}};
  chat.identifiers = {{sb::IdentifierKind::kEmail, "ANA@example.com", ""}};
  sb::IngestResult result;  // one result, its storage reused by every call
  for (const sb::TouchpointEvent& e : {mail, chat}) {
    if (!(*merger)->Ingest(e, &result).ok()) return 1;
  }
  const sb::TenantId acme("acme");
  const sb::JourneyStore::Stats stats = store->GetStats(acme);
  std::printf("  store '%s': %lld events, %lld customers, %lld identifier values\n",
              std::string(store->Name()).c_str(), static_cast<long long>(stats.events),
              static_cast<long long>(stats.customers), static_cast<long long>(stats.values));
  // [store]
  Expect(stats.events == 2 && stats.customers == 1 && stats.values == 1,
         "two events, one customer, one e-mail value");
  Expect(store->FindEvent(acme, "chat-1") != sb::kNoHandle, "the store finds an event by id");

  // [batch] A feed's events a batch at a time: the same outcomes as one Ingest per event, with
  // the store's memory for the next events requested while each is ingested.
  sb::TouchpointEvent sms = Event("sms-1", 9, "sms");
  sms.identifiers = {{sb::IdentifierKind::kEmail, "ana@example.com", ""}};
  sb::TouchpointEvent broken = Event("", 10, "sms");  // no id: refused, the rest go on
  const std::vector<sb::TouchpointEvent> batch = {sms, broken, mail};  // mail: a repeat
  std::vector<sb::IngestResult> results;  // kept from one batch to the next
  std::vector<absl::Status> statuses;
  if (!(*merger)->IngestBatch(batch, &results, &statuses).ok()) return 1;  // null vectors only
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!statuses[i].ok())
      std::printf("  event %zu refused: %s\n", i, statuses[i].ToString().c_str());
  }
  // [batch]
  Expect(statuses[0].ok() && results[0].customer == results[2].customer, "sms joins Ana");
  Expect(statuses[1].code() == absl::StatusCode::kInvalidArgument, "the id-less event is refused");
  Expect(results[2].outcome == sb::IngestOutcome::kDuplicate, "the repeated mail is a duplicate");

  return failures == 0 ? 0 : 1;
}
