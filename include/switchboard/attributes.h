// Free-form string attributes carried by contacts, agents and events (CRM fields, IVR inputs,
// campaign ids). Ordered, so that printing and a map read from the wire are deterministic. The
// bytes of a message are not: protobuf writes a map in hash order, which differs from one
// message to the next; serialize with CodedOutputStream::SetSerializationDeterministic(true)
// where the same object must give the same bytes.
//
// Thread-safety: plain values.
//
//   switchboard::Attributes attrs{{"account_type", "gold"}, {"ivr_menu", "2"}};
//   absl::Status s = switchboard::ValidateAttributes(attrs, "contact.attributes");
#ifndef SWITCHBOARD_ATTRIBUTES_H_
#define SWITCHBOARD_ATTRIBUTES_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "switchboard/export.h"

namespace switchboard {

using Attributes = std::map<std::string, std::string, std::less<>>;

// InvalidArgument naming `field` and the key when there are more than kMaxAttributes entries, a
// key is empty or longer than kMaxAttributeKeyLength, a value is longer than
// kMaxAttributeValueLength, or a key or value is not UTF-8.
SWITCHBOARD_EXPORT absl::Status ValidateAttributes(const Attributes& attributes,
                                                   std::string_view field);

}  // namespace switchboard

#endif  // SWITCHBOARD_ATTRIBUTES_H_
