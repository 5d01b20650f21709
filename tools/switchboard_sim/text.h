// Untrusted text (names from a scenario file, arguments) made safe to print. Scenario, queue and
// strategy names are free text: a name with a control character would break the JSON or drive
// the terminal that shows a table, and invalid UTF-8 would make the JSON invalid.
//
// Thread-safety: pure functions.
//
//   fmt::print("queue {}\n", Displayable(queue_id));  // "a\x1b[2Jb" prints as a\x1B[2Jb
#ifndef SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_TEXT_H_
#define SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_TEXT_H_

#include <string>
#include <string_view>

namespace switchboard::tools {

// `text` with every byte that does not belong to a valid UTF-8 sequence replaced by U+FFFD, so
// that a JSON string holding it is valid (control characters are left to the JSON escaper).
std::string ValidUtf8(std::string_view text);

// `text` for a terminal: control characters (C0, DEL, C1) and bytes that are not valid UTF-8 as
// \xNN escapes, the rest as is.
std::string Displayable(std::string_view text);

}  // namespace switchboard::tools

#endif  // SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_TEXT_H_
