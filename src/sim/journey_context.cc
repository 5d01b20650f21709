#include "src/sim/journey_context.h"

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "switchboard/context_snapshot.h"
#include "switchboard/touchpoint_event.h"

namespace switchboard::sim::internal_sim {

absl::StatusOr<std::unique_ptr<JourneyContext>> JourneyContext::Create(const Clock* clock) {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<JourneyMerger> merger,
                      JourneyMerger::Create(JourneyMergerOptions{}, clock));
  return std::unique_ptr<JourneyContext>(new JourneyContext(std::move(merger)));
}

Identifier JourneyContext::CustomerIdentifier(std::string_view customer_key) {
  return {IdentifierKind::kEmail, internal::StrCat("customer-", customer_key, "@sim.example"), ""};
}

absl::Status JourneyContext::RecordEnded(const ContactId& contact, Channel channel,
                                         const Identifier& who, const AgentId& agent,
                                         const QueueId& queue, std::string_view intent,
                                         bool resolved, absl::Time at) {
  TouchpointEvent e;
  e.id = EventId(internal::StrCat("end-", contact.value()));
  e.tenant = TenantId("sim");
  e.type = EventType::kContactEnded;
  e.channel = channel;
  e.occurred_at = e.received_at = at;
  e.identifiers = {who};
  e.attributes[std::string(context_attributes::kAgent)] = agent.value();
  e.attributes[std::string(context_attributes::kQueue)] = queue.value();
  e.attributes[std::string(context_attributes::kIntent)] = std::string(intent);
  e.attributes["resolved"] = resolved ? "true" : "false";
  e.source_system = "switchboard-sim";
  e.contact = contact;
  SB_ASSIGN_OR_RETURN(IngestResult result, merger_->Ingest(e));
  (void)result;
  ++events_;
  return absl::OkStatus();
}

absl::StatusOr<bool> JourneyContext::ApplyContext(Contact& contact) {
  SB_ASSIGN_OR_RETURN(ContextSnapshot snapshot, merger_->SnapshotFor(contact));
  if (!snapshot.customer || snapshot.total_touchpoints == 0) return false;
  SB_RETURN_IF_ERROR(ApplySnapshotToContact(snapshot, RoutingInputOptions{}, &contact));
  return true;
}

}  // namespace switchboard::sim::internal_sim
