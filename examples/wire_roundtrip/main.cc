// The program behind docs/wire.md: a contact goes to bytes and back, and bytes carrying a
// channel this build does not know are rejected. Exits non-zero if either surprises it.
#include <cstdio>
#include <string>

#include "switchboard/wire/core_convert.h"

namespace sb = switchboard;

int main() {
  // [send]
  sb::Contact contact;
  contact.id = sb::ContactId("call-0001");
  contact.tenant = sb::TenantId("acme");
  contact.channel = sb::Channel::kVoice;
  contact.identifiers.push_back({sb::IdentifierKind::kPhone, "+14155550100", ""});
  contact.required_skills.push_back({"billing", 5, true});
  contact.arrived_at = absl::FromUnixSeconds(1'700'000'000);

  const std::string bytes = sb::ToProto(contact).SerializeAsString();
  // [send]

  // [receive]
  sb::v1::Contact msg;
  if (!msg.ParseFromString(bytes)) {
    std::fprintf(stderr, "not a switchboard.v1.Contact\n");
    return 1;
  }
  absl::StatusOr<sb::Contact> received = sb::FromProto(msg);
  if (!received.ok()) {
    std::fprintf(stderr, "rejected: %s\n", std::string(received.status().message()).c_str());
    return 1;
  }
  // [receive]
  std::printf("%zu bytes -> contact %s on %s, equal: %s\n", bytes.size(),
              received->id.value().c_str(), std::string(sb::ChannelName(received->channel)).c_str(),
              *received == contact ? "yes" : "no");
  if (!(*received == contact)) return 1;

  // [reject]
  msg.set_channel(static_cast<sb::v1::Channel>(99));  // a channel from a newer schema
  absl::Status status = sb::FromProto(msg).status();
  // InvalidArgument: "contact 'call-0001': contact.channel is 99, not a known channel"
  // [reject]
  std::printf("%s\n", status.ToString().c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 0 : 1;
}
