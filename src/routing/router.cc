// Router: the public face. Each call runs inside Impl::Call, which fixes the call's time and
// delivers the events it produced.
#include "switchboard/router.h"

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/routing/router_impl.h"

namespace switchboard {

absl::StatusOr<std::unique_ptr<Router>> Router::Create(const RouterOptions& options,
                                                       const Clock* clock,
                                                       RouterListener* listener) {
  if (clock == nullptr) return absl::InvalidArgumentError("Router::Create: clock is null");
  // The router keeps its times as int64 nanoseconds since the Unix epoch (keys, ranks, time
  // accounting): outside that range they saturate, so orderings tie and durations come out
  // wrong, and at the infinite past the first daily reset was searched for forever.
  const absl::Time start = clock->Now();
  if (start < kEarliestRouterTime || start > kLatestRouterTime) {
    return absl::InvalidArgumentError(internal::StrCat(
        "Router::Create: the clock reads ", absl::FormatTime(start, absl::UTCTimeZone()),
        ", outside ", absl::FormatTime(kEarliestRouterTime, absl::UTCTimeZone()), " .. ",
        absl::FormatTime(kLatestRouterTime, absl::UTCTimeZone()),
        " (nanoseconds since the Unix epoch in 64 bits)"));
  }
  auto impl = std::make_unique<Impl>(options, clock, listener);
  SB_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Router>(new Router(std::move(impl)));
}

Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Router::~Router() = default;

absl::Status Router::AddQueue(const Queue& queue, std::string_view strategy) {
  return impl_->Call([&] { return impl_->AddQueue(queue, strategy); });
}
absl::Status Router::UpdateQueue(const Queue& queue, std::string_view strategy) {
  return impl_->Call([&] { return impl_->UpdateQueue(queue, strategy); });
}
absl::Status Router::RemoveQueue(const QueueId& queue) {
  return impl_->Call([&] { return impl_->RemoveQueue(queue); });
}
absl::Status Router::AddAgent(const Agent& agent) {
  return impl_->Call([&] { return impl_->AddAgent(agent); });
}
absl::Status Router::UpdateAgent(const Agent& agent) {
  return impl_->Call([&] { return impl_->UpdateAgent(agent); });
}
absl::Status Router::RemoveAgent(const AgentId& agent) {
  return impl_->Call([&] { return impl_->RemoveAgent(agent); });
}
absl::Status Router::SetAgentState(const AgentId& agent, AgentState state,
                                   std::string_view away_reason) {
  return impl_->Call([&] { return impl_->SetAgentState(agent, state, away_reason); });
}
absl::Status Router::Enqueue(const Contact& contact, const QueueId& queue) {
  return impl_->Call([&] { return impl_->Enqueue(contact, queue); });
}
absl::Status Router::Accept(OfferId offer) {
  return impl_->Call([&] { return impl_->Accept(offer); });
}
absl::Status Router::Accept(const ContactId& contact, const AgentId& agent) {
  return impl_->Call([&] { return impl_->Accept(contact, agent); });
}
absl::Status Router::Decline(OfferId offer) {
  return impl_->Call([&] { return impl_->Decline(offer); });
}
absl::Status Router::Decline(const ContactId& contact, const AgentId& agent) {
  return impl_->Call([&] { return impl_->Decline(contact, agent); });
}
absl::Status Router::Rescind(const ContactId& contact) {
  return impl_->Call([&] { return impl_->Rescind(contact); });
}
absl::Status Router::UpdateRouting(const ContactId& contact, const ContactRoutingUpdate& update) {
  return impl_->Call([&] { return impl_->UpdateRouting(contact, update); });
}
absl::Status Router::Complete(const ContactId& contact, std::string_view disposition) {
  return impl_->Call([&] { return impl_->Complete(contact, disposition); });
}
absl::Status Router::Abandon(const ContactId& contact) {
  return impl_->Call([&] { return impl_->Abandon(contact); });
}
absl::Status Router::TransferToQueue(const ContactId& contact, const QueueId& queue,
                                     std::string_view note) {
  return impl_->Call([&] { return impl_->TransferToQueue(contact, queue, note); });
}
absl::Status Router::TransferToAgent(const ContactId& contact, const AgentId& agent,
                                     std::string_view note) {
  return impl_->Call([&] { return impl_->TransferToAgent(contact, agent, note); });
}
absl::Status Router::Tick() {
  return impl_->Call([&] { return impl_->Tick(); }, /*is_tick=*/true);
}
std::optional<absl::Time> Router::NextDeadline() { return impl_->NextDeadline(); }

absl::StatusOr<QueueStats> Router::GetQueueStats(const QueueId& queue) const {
  return impl_->GetQueueStats(queue);
}
absl::StatusOr<AgentStats> Router::GetAgentStats(const AgentId& agent) const {
  return impl_->GetAgentStats(agent);
}
absl::StatusOr<ContactInfo> Router::GetContact(const ContactId& contact) const {
  return impl_->GetContact(contact);
}
absl::StatusOr<std::optional<Offer>> Router::CurrentOffer(const ContactId& contact) const {
  return impl_->CurrentOffer(contact);
}
absl::StatusOr<std::vector<ContactId>> Router::WaitingContacts(const QueueId& queue) const {
  return impl_->WaitingContacts(queue);
}
absl::StatusOr<Agent> Router::GetAgent(const AgentId& agent) const {
  return impl_->GetAgent(agent);
}
absl::StatusOr<Queue> Router::GetQueue(const QueueId& queue) const {
  return impl_->GetQueue(queue);
}
std::size_t Router::queue_count() const { return impl_->queue_count(); }
std::size_t Router::agent_count() const { return impl_->agent_count(); }
std::size_t Router::contact_count() const { return impl_->contact_count(); }
std::string Router::DebugString() const { return impl_->DebugString(); }
const RouterOptions& Router::options() const { return impl_->options(); }
absl::Status Router::CheckInvariants() const { return impl_->CheckInvariants(); }

}  // namespace switchboard
