// Router::Impl, part 1: construction, queues, agents and presence.
#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/internal/text.h"
#include "src/routing/router_impl.h"
#include "switchboard/limits.h"

namespace switchboard {

using routing::AgentRec;
using routing::ContactRec;
using routing::QueueRec;

Router::Impl::Impl(const RouterOptions& options, const Clock* clock, RouterListener* listener)
    : options_(options),
      clock_(clock),
      listener_(listener),
      interests_(listener != nullptr ? listener->Interests() : RoutingEventMask{0}),
      registry_(options.strategies != nullptr ? options.strategies : &builtin_registry_),
      selector_(
          options.selection == SelectionMode::kLinearScan
              ? routing::MakeScanSelector()
              : routing::MakeIndexedSelector(std::clamp(options.index_selectivity, 1, 1000),
                                             std::clamp(options.index_max_walk, 0, 100000),
                                             std::clamp(options.index_retire_after, 0, 1000000))),
      rng_(options.seed),
      now_(clock->Now()),
      high_water_(clock->Now()),
      delays_applied_at_(clock->Now()) {}

absl::Status Router::Impl::Init() {
  if (options_.max_missed_offers < 0 || options_.max_missed_offers > 1000) {
    return absl::InvalidArgumentError(internal::StrCat(
        "options.max_missed_offers is ", options_.max_missed_offers, ", outside 0..1000"));
  }
  SB_RETURN_IF_ERROR(internal::ValidateText(options_.no_answer_reason,
                                             "options.no_answer_reason", kMaxNameLength));
  if (options_.selection != SelectionMode::kIndexed &&
      options_.selection != SelectionMode::kLinearScan) {
    return absl::InvalidArgumentError("options.selection is not a known mode");
  }
  if (options_.index_selectivity < 1 || options_.index_selectivity > 1000 ||
      options_.index_max_walk < 0 || options_.index_max_walk > 100000) {
    return absl::InvalidArgumentError(internal::StrCat(
        "options.index_selectivity (", options_.index_selectivity, ") or index_max_walk (",
        options_.index_max_walk, ") is out of range"));
  }
  if (options_.index_retire_after < 0 || options_.index_retire_after > 1000000) {
    return absl::InvalidArgumentError(internal::StrCat(
        "options.index_retire_after (", options_.index_retire_after, ") is outside 0..1000000"));
  }
  if (!options_.tenant.empty()) SB_RETURN_IF_ERROR(options_.tenant.Validate("options.tenant"));
  SB_RETURN_IF_ERROR(MakeStrategy(options_.strategy).status());
  ScheduleDayReset(now_);
  return absl::OkStatus();
}

// ---- lookups ---------------------------------------------------------------------------------

absl::StatusOr<QueueRec*> Router::Impl::FindQueue(const QueueId& id) const {
  auto it = queues_.find(id);
  if (it == queues_.end()) {
    return absl::NotFoundError(
        internal::StrCat("queue '", internal::Printable(id.value()), "' is not known"));
  }
  return it->second.get();
}

std::uint32_t Router::Impl::InternLanguage(std::string_view tag) {
  const auto upper = [](char ch) { return absl::ascii_isupper(static_cast<unsigned char>(ch)); };
  if (std::none_of(tag.begin(), tag.end(), upper)) return languages_.Intern(tag);  // no copy
  return languages_.Intern(absl::AsciiStrToLower(absl::string_view(tag.data(), tag.size())));
}

absl::StatusOr<AgentRec*> Router::Impl::FindAgent(const AgentId& id) const {
  // The lookup reads a control group and then the slot it points at; at scale each is a miss to
  // memory, so both are requested at once (the price is hashing the id twice).
  agents_.prefetch(id);
  auto it = agents_.find(id);
  if (it == agents_.end()) {
    return absl::NotFoundError(
        internal::StrCat("agent '", internal::Printable(id.value()), "' is not known"));
  }
  return it->get();
}

absl::StatusOr<ContactRec*> Router::Impl::FindContact(const ContactId& id) const {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) {
    return absl::NotFoundError(
        internal::StrCat("contact '", internal::Printable(id.value()), "' is not in the router"));
  }
  return it->second;
}

absl::Status Router::Impl::CheckTenant(const TenantId& tenant, std::string_view kind,
                                       std::string_view id) const {
  if (options_.tenant.empty() || tenant == options_.tenant) return absl::OkStatus();
  return absl::InvalidArgumentError(
      internal::StrCat(kind, " '", internal::Printable(id), "' belongs to tenant '",
                       internal::Printable(tenant.value()), "', this router serves '",
                       internal::Printable(options_.tenant.value()), "'"));
}

absl::Status Router::Impl::CheckNonEmptyText(std::string_view text, std::size_t max_bytes,
                                             std::string_view kind, std::string_view id,
                                             std::string_view field) {
  if (internal::TextIsValid(text, max_bytes)) return absl::OkStatus();  // nothing to format
  return internal::ValidateText(
      text, internal::StrCat(kind, " '", internal::Printable(id), "': ", field), max_bytes);
}

absl::StatusOr<std::shared_ptr<const AgentSelectionStrategy>> Router::Impl::MakeStrategy(
    std::string_view name) const {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<AgentSelectionStrategy> strategy, registry_->Create(name));
  return std::shared_ptr<const AgentSelectionStrategy>(std::move(strategy));
}

// ---- requirements and signatures -------------------------------------------------------------

std::vector<routing::Requirement> Router::Impl::NormalizeRequirements(
    const std::vector<SkillRequirement>& reqs) {
  std::vector<routing::Requirement> out;
  out.reserve(reqs.size());
  for (const SkillRequirement& r : reqs) {
    out.push_back({skills_.Intern(r.name), r.min_proficiency, r.required});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  return out;
}

const routing::Signature* Router::Impl::SignatureFor(const QueueRec& q, const ContactRec& c) {
  if (c.own_reqs.empty() && c.language == 0 && q.base_sig != nullptr) return q.base_sig;
  absl::InlinedVector<routing::Requirement, 8> all(q.reqs.begin(), q.reqs.end());
  all.insert(all.end(), c.own_reqs.begin(), c.own_reqs.end());
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  // One entry per skill: required if any asks for it (the highest required minimum), else
  // optional with the highest optional minimum. Optional ones matter only to scored strategies.
  // The interning key packs each merged requirement into one integer (no allocation on a hit).
  SignatureKey key;
  std::size_t merged = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    routing::Requirement r{all[i].skill, 0, false};
    int optional_min = 0;
    for (; j < all.size() && all[j].skill == r.skill; ++j) {
      if (all[j].required) {
        r.required = true;
        r.min = std::max(r.min, all[j].min);
      } else {
        optional_min = std::max(optional_min, all[j].min);
      }
    }
    if (!r.required) r.min = optional_min;
    if (r.required || q.traits.uses_skill_score) {
      all[merged++] = r;
      key.push_back(std::uint64_t{r.skill} << 32 |
                    (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.min)) << 1) |
                    (r.required ? 1u : 0u));
    }
    i = j;
  }
  key.push_back(c.language);
  if (auto found = signatures_.find(key); found != signatures_.end()) return found->second.get();
  if (signature_sweep_.Due(signatures_.size())) SweepSignatures();
  auto sig = std::make_unique<routing::Signature>();
  sig->reqs.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(merged));
  sig->language = c.language;
  sig->filter = routing::LanguageQualifyBit(c.language);
  for (const routing::Requirement& r : sig->reqs) {
    if (r.required) sig->filter |= routing::SkillQualifyBit(r.skill);
  }
  std::string& text = sig->key;
  for (const routing::Requirement& r : sig->reqs) {
    text += std::to_string(r.skill);
    text += r.required ? ">=" : "~";
    text += std::to_string(r.min);
    text += ',';
  }
  text += '|';
  text += std::to_string(c.language);
  return signatures_.emplace(std::move(key), std::move(sig)).first->second.get();
}

// Drops the signatures that no queue, contact or index refers to. Runs before a new one is made,
// when the map has doubled since the last sweep (at least 1,024 new ones): O(signatures +
// contacts + pools), so with many contacts and few sets in use a sweep can cost more than the
// signatures made since; it is still rare next to the calls that made them.
void Router::Impl::SweepSignatures() {
  absl::flat_hash_set<const routing::Signature*> in_use;
  for (const auto& [id, q] : queues_) in_use.insert(q->base_sig);
  for (const auto& [id, c] : contacts_) in_use.insert(c->sig);
  selector_->ForEachSignature([&in_use](const routing::Signature* sig) { in_use.insert(sig); });
  absl::erase_if(signatures_,
                 [&in_use](const auto& entry) { return !in_use.contains(entry.second.get()); });
  signature_sweep_.Swept(signatures_.size());
}

// ---- queues ----------------------------------------------------------------------------------

void Router::Impl::ApplyQueueConfig(QueueRec& q, const Queue& config) {
  q.config = config;
  q.priority = config.priority;
  q.lifo = config.order == QueueOrder::kLifo;
  q.reqs = NormalizeRequirements(config.required_skills);
  q.base_sig = nullptr;
  q.base_sig = SignatureFor(q, ContactRec{});  // depends on the strategy's traits too
}

absl::Status Router::Impl::AddQueue(const Queue& queue, std::string_view strategy) {
  SB_RETURN_IF_ERROR(queue.Validate());
  SB_RETURN_IF_ERROR(CheckTenant(queue.tenant, "queue", queue.id.value()));
  if (queues_.contains(queue.id)) {
    return absl::AlreadyExistsError(
        internal::StrCat("queue '", internal::Printable(queue.id.value()), "' already exists"));
  }
  const std::string name(strategy.empty() ? std::string_view(options_.strategy) : strategy);
  SB_ASSIGN_OR_RETURN(auto made, MakeStrategy(name));
  auto rec = std::make_unique<QueueRec>();
  rec->ordinal = next_queue_ordinal_++;
  rec->strategy_name = name;
  rec->strategy = std::move(made);
  rec->traits = rec->strategy->Traits();
  ApplyQueueConfig(*rec, queue);
  queues_.emplace(queue.id, std::move(rec));
  return absl::OkStatus();
}

absl::Status Router::Impl::UpdateQueue(const Queue& queue, std::string_view strategy) {
  SB_RETURN_IF_ERROR(queue.Validate());
  SB_RETURN_IF_ERROR(CheckTenant(queue.tenant, "queue", queue.id.value()));
  SB_ASSIGN_OR_RETURN(QueueRec * q, FindQueue(queue.id));
  std::shared_ptr<const AgentSelectionStrategy> made;
  const bool change_strategy = !strategy.empty() && strategy != q->strategy_name;
  if (change_strategy) {
    SB_ASSIGN_OR_RETURN(made, MakeStrategy(strategy));
  }
  // Only a channel the queue stops serving can strand a contact, so the usual update does not
  // look at the router's contacts. The earliest such contact is named, so that the message does
  // not depend on hash order.
  bool drops_channel = false;
  for (Channel ch : q->config.channels) drops_channel |= !queue.Serves(ch);
  const ContactRec* unserved = nullptr;
  if (drops_channel) {
    for (const auto& [id, c] : contacts_) {
      if (c->queue == q && !queue.Serves(c->channel) &&
          (unserved == nullptr || c->seq < unserved->seq)) {
        unserved = c;
      }
    }
  }
  if (unserved != nullptr) {
    return absl::FailedPreconditionError(internal::StrCat(
        "queue '", internal::Printable(queue.id.value()), "' would no longer serve ",
        ChannelName(unserved->channel), ", the channel of its contact '",
        internal::Printable(unserved->id.value()), "'"));
  }
  ++config_epoch_;
  const std::vector<ContactRec*> waiting = SortedWaiting(*q);
  for (ContactRec* c : waiting) LeaveWaiting(*c);
  selector_->DropQueue(*q);
  if (change_strategy) {
    q->strategy_name = std::string(strategy);
    q->strategy = std::move(made);
    q->traits = q->strategy->Traits();
    q->rr_valid = false;
    q->tickets.clear();
    if (q->traits.uses_tickets) {
      q->tickets.resize(q->members.size());
      std::vector<routing::MemberRef> members = q->members;
      std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
        return a.agent->ordinal < b.agent->ordinal;
      });
      for (const routing::MemberRef& ref : members) {
        routing::TicketOf(ref.agent->memberships[ref.membership]) =
            q->virtual_time + DrawTicketStep(*ref.agent, ref.membership);
      }
    }
  }
  ApplyQueueConfig(*q, queue);
  for (ContactRec* c : waiting) EnterWaiting(*c);
  for (ContactRec* c : SortedWaiting(*q)) {
    if (c->state == ContactState::kWaiting) RouteContact(*c);
  }
  return absl::OkStatus();
}

absl::Status Router::Impl::RemoveQueue(const QueueId& id) {
  SB_ASSIGN_OR_RETURN(QueueRec * q, FindQueue(id));
  if (q->contacts > 0) {
    return absl::FailedPreconditionError(internal::StrCat(
        "queue '", internal::Printable(id.value()), "' still has ", q->contacts, " contact(s)"));
  }
  if (!q->members.empty()) {
    std::vector<std::string> names;
    for (const auto& ref : q->members) names.push_back(ref.agent->id.value());
    std::sort(names.begin(), names.end());
    return absl::FailedPreconditionError(internal::StrCat(
        "queue '", internal::Printable(id.value()), "' is still served by agent '",
        internal::Printable(names.front()), "' and ", names.size() - 1, " other(s)"));
  }
  selector_->DropQueue(*q);
  queues_.erase(id);
  return absl::OkStatus();
}

// ---- agents ----------------------------------------------------------------------------------

bool Router::Impl::UsesDefaultCapacities(const Agent& agent) const {
  return agent.capacities.empty() && options_.default_capacities_when_empty;
}

std::vector<ChannelCapacity> Router::Impl::CapacitiesOf(const Agent& agent) const {
  if (!UsesDefaultCapacities(agent)) return agent.capacities;
  std::vector<ChannelCapacity> out;
  for (Channel ch : kAllChannels) out.push_back(DefaultCapacity(ch));
  return out;
}

absl::Status Router::Impl::ValidateAgent(const Agent& agent, const AgentRec* existing) const {
  SB_RETURN_IF_ERROR(agent.Validate());
  SB_RETURN_IF_ERROR(CheckTenant(agent.tenant, "agent", agent.id.value()));
  if (UsesDefaultCapacities(agent)) {
    // The defaults stand in for capacities the host could have written, and are held to the
    // same rule: a cost above capacity_units would silently close the channel.
    for (const ChannelCapacity& c : CapacitiesOf(agent)) {
      if (c.max_concurrent > 0 && c.cost_units > agent.capacity_units) {
        return absl::InvalidArgumentError(internal::StrCat(
            "agent '", internal::Printable(agent.id.value()), "': capacity_units is ",
            agent.capacity_units, ", below the default cost_units (", ChannelName(c.channel),
            ") of ", c.cost_units, "; list the agent's capacities or raise capacity_units"));
      }
    }
  }
  for (const QueueMembership& m : agent.queues) {
    if (!queues_.contains(m.queue)) {
      return absl::NotFoundError(
          internal::StrCat("agent '", internal::Printable(agent.id.value()), "' serves queue '",
                           internal::Printable(m.queue.value()), "', which is not known"));
    }
  }
  if (existing == nullptr) return absl::OkStatus();
  // The contacts it holds must fit the new limits.
  int used = 0;
  int exclusive = 0;
  for (Channel ch : kAllChannels) {
    const int held = existing->held[static_cast<std::size_t>(ch)];
    if (held == 0) continue;
    const std::optional<ChannelCapacity> cap =
        UsesDefaultCapacities(agent) ? DefaultCapacity(ch) : agent.CapacityFor(ch);
    const int max = cap ? cap->max_concurrent : 0;
    if (held > max) {
      return absl::FailedPreconditionError(
          internal::StrCat("agent '", internal::Printable(agent.id.value()), "' holds ", held, " ",
                           ChannelName(ch), " contact(s), more than the new limit of ", max));
    }
    used += held * cap->cost_units;
    if (TraitsOf(ch).exclusive) exclusive += held;
  }
  if (used > agent.capacity_units) {
    return absl::FailedPreconditionError(internal::StrCat(
        "agent '", internal::Printable(agent.id.value()), "' uses ", used,
        " capacity units, more than the new capacity_units ", agent.capacity_units));
  }
  if (!agent.allow_blending && exclusive > 0 && existing->held_count > 1) {
    return absl::FailedPreconditionError(
        internal::StrCat("agent '", internal::Printable(agent.id.value()),
                         "' holds an exclusive contact alongside others; ",
                         "allow_blending cannot be turned off now"));
  }
  return absl::OkStatus();
}

void Router::Impl::ApplyAgentConfig(AgentRec& a, const Agent& agent) {
  a.id = agent.id;
  a.tenant = tenants_.Intern(agent.tenant.value());
  if (agent.name.empty() && agent.site.empty() && agent.teams.empty() &&
      agent.attributes.empty()) {
    a.details = nullptr;
  } else {
    a.details = std::make_unique<const routing::AgentDetails>(
        routing::AgentDetails{agent.name, agent.site, agent.teams, agent.attributes});
  }
  a.skills.clear();
  a.skills.reserve(agent.skills.size());
  for (std::size_t i = 0; i < agent.skills.size(); ++i) {
    const Skill& s = agent.skills[i];
    a.skills.push_back({skills_.Intern(s.name), static_cast<std::uint16_t>(s.proficiency),
                        static_cast<std::uint16_t>(i)});
  }
  std::sort(a.skills.begin(), a.skills.end(),
            [](const auto& x, const auto& y) { return x.skill < y.skill; });
  a.languages.clear();
  a.languages.reserve(agent.languages.size());
  for (const std::string& l : agent.languages) a.languages.push_back(InternLanguage(l));
  a.qualify_bits = 0;
  for (const routing::AgentSkill& s : a.skills) {
    a.qualify_bits |= routing::SkillQualifyBit(s.skill);
  }
  for (std::uint32_t l : a.languages) a.qualify_bits |= routing::LanguageQualifyBit(l);
  a.max_concurrent.fill(0);
  a.cost.fill(0);
  // Validate() refuses a channel listed twice, so there are at most kChannelCount entries.
  const std::vector<ChannelCapacity> capacities = CapacitiesOf(agent);
  a.capacity_order = static_cast<std::uint64_t>(capacities.size()) << 60;
  for (std::size_t i = 0; i < capacities.size(); ++i) {
    const ChannelCapacity& c = capacities[i];
    const auto ch = static_cast<std::size_t>(c.channel);
    a.max_concurrent[ch] = static_cast<std::uint8_t>(c.max_concurrent);
    a.cost[ch] = static_cast<std::uint16_t>(c.cost_units);
    a.capacity_order |= static_cast<std::uint64_t>(ch) << (4 * i);
  }
  a.capacity_units = agent.capacity_units;
  a.allow_blending = agent.allow_blending;
  a.used_units = 0;
  a.exclusive_held = 0;
  for (Channel ch : kAllChannels) {
    const auto i = static_cast<std::size_t>(ch);
    a.used_units += a.held[i] * a.cost[i];
    if (TraitsOf(ch).exclusive) a.exclusive_held += a.held[i];
  }
}

double Router::Impl::TicketWeightOf(const AgentRec& a, std::uint32_t membership) const {
  const AgentRankInput in = routing::MakeRankInput(a, membership, nullptr);
  const double weight = a.memberships[membership].queue->strategy->TicketWeight(in);
  return weight > 0 && std::isfinite(weight) ? weight : 1;
}

double Router::Impl::DrawTicketStep(const AgentRec& a, std::uint32_t membership) {
  const double weight = TicketWeightOf(a, membership);
  ++draws_;
  return routing::ExponentialFromBits(rng_()) / weight;
}

void Router::Impl::JoinQueues(AgentRec& a, const std::vector<QueueMembership>& queues,
                              const std::vector<KeptTicket>& kept) {
  a.memberships.clear();
  a.memberships.reserve(queues.size());
  for (std::uint32_t i = 0; i < queues.size(); ++i) {
    const QueueMembership& m = queues[i];
    QueueRec* q = queues_.at(m.queue).get();
    auto [delay, unused] = q->delays.try_emplace(m.delay, 0);
    ++delay->second;
    routing::MembershipRec rec;
    rec.queue = q;
    rec.delay = m.delay == absl::ZeroDuration() ? nullptr : &delay->first;
    rec.priority = m.priority;
    rec.pos = static_cast<std::uint32_t>(q->members.size());
    a.memberships.push_back(rec);
    q->members.push_back({&a, i});
    if (q->traits.uses_tickets) {
      q->tickets.push_back(0);  // set below: the weight reads the membership
      const KeptTicket& k = kept[i];
      double& ticket = q->tickets.back();
      if (std::isnan(k.ticket)) {
        ticket = q->virtual_time + DrawTicketStep(a, i);
      } else {
        // The lead over the race was drawn with the old weight. The exponential has no memory,
        // so scaling what is left of it by old / new weight is exactly a fresh draw with the
        // new one (a priority raised from 100 to 1 takes effect at once, not 100 races on).
        ticket = k.ticket;
        const double lead = ticket - q->virtual_time;
        if (lead > 0) ticket = q->virtual_time + lead * k.weight / TicketWeightOf(a, i);
      }
    }
  }
}

void Router::Impl::LeaveQueues(AgentRec& a) {
  for (const routing::MembershipRec& m : a.memberships) {
    QueueRec& q = *m.queue;
    const routing::MemberRef last = q.members.back();
    q.members[m.pos] = last;
    last.agent->memberships[last.membership].pos = m.pos;
    q.members.pop_back();
    if (q.traits.uses_tickets) {
      q.tickets[m.pos] = q.tickets.back();
      q.tickets.pop_back();
    }
    auto delay = q.delays.find(routing::DelayOf(m));
    if (--delay->second == 0) q.delays.erase(delay);
  }
  a.memberships.clear();
}

absl::Status Router::Impl::AddAgent(const Agent& agent) {
  SB_RETURN_IF_ERROR(ValidateAgent(agent, nullptr));
  if (agents_.contains(agent.id)) {
    return absl::AlreadyExistsError(
        internal::StrCat("agent '", internal::Printable(agent.id.value()), "' already exists"));
  }
  const AgentState state = agent.status.state;
  if (state == AgentState::kBusy || state == AgentState::kWrapUp) {
    return absl::InvalidArgumentError(internal::StrCat(
        "agent '", internal::Printable(agent.id.value()), "': status ", AgentStateName(state),
        " is set by the router; start offline, available or away"));
  }
  auto owned = std::make_unique<AgentRec>();
  AgentRec& a = *owned;
  a.ordinal = next_agent_ordinal_++;
  if (free_dense_.empty()) {
    a.dense = next_dense_++;
  } else {
    a.dense = free_dense_.back();
    free_dense_.pop_back();
  }
  ApplyAgentConfig(a, agent);
  a.presence = state;
  a.away_reason = state == AgentState::kAway ? agent.status.away_reason : "";
  a.idle_since = now_;
  a.state_since_ns = now_ns_;
  a.reported_state = ReportedState(a);
  a.reported_reason = !ReportedReason(a).empty();
  agents_.insert(std::move(owned));
  JoinQueues(a, agent.queues, std::vector<KeptTicket>(agent.queues.size()));
  selector_->RebuildSlots(a);
  for (const auto& m : a.memberships) {
    if (m.delay != nullptr) ScheduleDelayChecks(*m.queue);
  }
  RouteAndIndex(a);
  return absl::OkStatus();
}

absl::Status Router::Impl::UpdateAgent(const Agent& agent) {
  SB_ASSIGN_OR_RETURN(AgentRec * a, FindAgent(agent.id));
  SB_RETURN_IF_ERROR(ValidateAgent(agent, a));
  ++config_epoch_;
  absl::flat_hash_map<QueueId, KeptTicket> old_tickets;
  for (std::uint32_t i = 0; i < a->memberships.size(); ++i) {
    const routing::MembershipRec& m = a->memberships[i];
    if (m.queue->traits.uses_tickets) {
      old_tickets[m.queue->config.id] = {routing::TicketOf(m), TicketWeightOf(*a, i)};
    }
  }
  selector_->Unindex(*a);
  selector_->DropSlots(*a);
  LeaveQueues(*a);
  ApplyAgentConfig(*a, agent);
  std::vector<KeptTicket> kept;
  for (const QueueMembership& m : agent.queues) {
    auto it = old_tickets.find(m.queue);
    kept.push_back(it == old_tickets.end() ? KeptTicket() : it->second);
  }
  JoinQueues(*a, agent.queues, kept);
  selector_->RebuildSlots(*a);
  RefreshReported(*a);
  for (const auto& m : a->memberships) {
    if (m.delay != nullptr) ScheduleDelayChecks(*m.queue);
  }
  RouteAndIndex(*a);
  EndReservationsOf(*a, /*all=*/false);  // those it can no longer take
  return absl::OkStatus();
}

absl::Status Router::Impl::RemoveAgent(const AgentId& id) {
  SB_ASSIGN_OR_RETURN(AgentRec * a, FindAgent(id));
  if (a->held_count > 0) {
    return absl::FailedPreconditionError(internal::StrCat(
        "agent '", internal::Printable(id.value()), "' still holds ", a->held_count,
        " contact(s) or offer(s); set it offline and let them finish first"));
  }
  selector_->Unindex(*a);
  selector_->DropSlots(*a);
  LeaveQueues(*a);
  EndReservationsOf(*a, /*all=*/true);  // routed to the others, now that it is out of reach
  free_dense_.push_back(a->dense);
  agents_.erase(id);
  return absl::OkStatus();
}

absl::Status Router::Impl::SetAgentState(const AgentId& id, AgentState state,
                                         std::string_view reason) {
  SB_ASSIGN_OR_RETURN(AgentRec * a, FindAgent(id));  // the lookup requested the record
  routing::PrefetchLists(*a);
  if (state != AgentState::kOffline && state != AgentState::kAvailable &&
      state != AgentState::kAway) {
    return absl::InvalidArgumentError(internal::StrCat(
        "agent '", internal::Printable(id.value()), "': state ", AgentStateName(state),
        " is set by the router; use offline, available or away"));
  }
  SB_RETURN_IF_ERROR(CheckText(reason, kMaxNameLength, "agent", id.value(), "away reason"));
  const std::string new_reason(state == AgentState::kAway ? reason : std::string_view());
  if (a->presence == state && a->away_reason == new_reason) {
    // Nothing to change but the count of missed offers, which being set available resets
    // (the host confirms the agent is there) whether or not it was available already.
    if (state == AgentState::kAvailable) a->consecutive_missed = 0;
    return absl::OkStatus();
  }
  selector_->Unindex(*a);
  a->presence = state;
  const std::string previous_reason = std::exchange(a->away_reason, new_reason);
  if (state == AgentState::kAvailable) {
    a->idle_since = now_;
    a->consecutive_missed = 0;
  }
  ContactRec* pending = state != AgentState::kAvailable ? a->offered : nullptr;
  if (pending != nullptr) {
    selector_->Index(*a);
    EndOffer(*pending, OfferEnd::kRescinded);
    ReturnToQueue(*pending, *a, /*exclude=*/false, &previous_reason);
    return absl::OkStatus();  // ReturnToQueue refreshed and routed both
  }
  RefreshReported(*a, &previous_reason);
  RouteAndIndex(*a);
  return absl::OkStatus();
}

}  // namespace switchboard
