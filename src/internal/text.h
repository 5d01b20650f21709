// Checks shared by every free-text field of the core types.
#ifndef SWITCHBOARD_SRC_INTERNAL_TEXT_H_
#define SWITCHBOARD_SRC_INTERNAL_TEXT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace switchboard::internal {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The allocation-free form of ValidateText: validation runs on every hot-path call (each
// Enqueue, each ingested event), so field names are formatted only once a check has failed.
inline bool TextIsValid(std::string_view text, std::size_t max_bytes) {
  return text.size() <= max_bytes && IsValidUtf8(text);
}

// InvalidArgument naming `field` when `text` is longer than `max_bytes` or is not UTF-8 (the wire
// format's strings must be UTF-8, so such text could not be sent or stored).
absl::Status ValidateText(std::string_view text, std::string_view field, std::size_t max_bytes);

}  // namespace switchboard::internal

#endif  // SWITCHBOARD_SRC_INTERNAL_TEXT_H_
