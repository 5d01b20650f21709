// Strongly typed identifiers. Each id kind is its own type, so passing an AgentId where a
// QueueId is expected fails to compile. Ids are short strings chosen by the host (a CRM key, a
// SIP call id, a UUID); Switchboard never invents their format.
//
// Thread-safety: plain values; const methods are safe to call concurrently.
//
//   switchboard::AgentId agent("agent-17");
//   if (absl::Status s = agent.Validate("agent.id"); !s.ok()) { ... }
#ifndef SWITCHBOARD_IDS_H_
#define SWITCHBOARD_IDS_H_

#include <compare>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "switchboard/export.h"

namespace switchboard {

// Checks the rules shared by every id: not empty, at most kMaxIdLength bytes, printable ASCII
// without spaces. `field` names the offending field in the error, e.g. "contact.id".
SWITCHBOARD_EXPORT absl::Status ValidateIdText(std::string_view text, std::string_view field);

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string value) : value_(std::move(value)) {}
  explicit StrongId(std::string_view value) : value_(value) {}
  explicit StrongId(const char* value) : value_(value) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  // InvalidArgument naming `field` when the id breaks the rules of ValidateIdText.
  absl::Status Validate(std::string_view field = Tag::kField) const {
    return ValidateIdText(value_, field);
  }

  friend bool operator==(const StrongId&, const StrongId&) = default;
  friend auto operator<=>(const StrongId&, const StrongId&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const StrongId& id) {
    return H::combine(std::move(h), id.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) {
    return os << id.value_;
  }

 private:
  std::string value_;
};

struct ContactIdTag { static constexpr const char* kField = "contact_id"; };
struct AgentIdTag { static constexpr const char* kField = "agent_id"; };
struct QueueIdTag { static constexpr const char* kField = "queue_id"; };
struct CustomerIdTag { static constexpr const char* kField = "customer_id"; };
struct TenantIdTag { static constexpr const char* kField = "tenant_id"; };
struct EventIdTag { static constexpr const char* kField = "event_id"; };

using ContactId = StrongId<ContactIdTag>;
using AgentId = StrongId<AgentIdTag>;
using QueueId = StrongId<QueueIdTag>;
using CustomerId = StrongId<CustomerIdTag>;
using TenantId = StrongId<TenantIdTag>;
using EventId = StrongId<EventIdTag>;

}  // namespace switchboard

#endif  // SWITCHBOARD_IDS_H_
