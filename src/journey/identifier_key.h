// The matching key of a normalized identifier ("<kind>[/<scope>]:<value>"), appended to a string
// the caller owns, so that a key built for every ingested identifier can reuse one buffer.
// NormalizedIdentifier::Key() is this into a new string.
#ifndef SWITCHBOARD_SRC_JOURNEY_IDENTIFIER_KEY_H_
#define SWITCHBOARD_SRC_JOURNEY_IDENTIFIER_KEY_H_

#include <string>

#include "switchboard/identity.h"

namespace switchboard::journey_internal {

void AppendKey(const NormalizedIdentifier& id, std::string* out);

}  // namespace switchboard::journey_internal

#endif  // SWITCHBOARD_SRC_JOURNEY_IDENTIFIER_KEY_H_
