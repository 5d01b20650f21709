// Opening the simulator's input files (scenarios, traces) with messages that say what is wrong.
//
// Thread-safety: a free function; safe to call concurrently.
#ifndef SWITCHBOARD_SRC_SIM_INPUT_FILE_H_
#define SWITCHBOARD_SRC_SIM_INPUT_FILE_H_

#include <fstream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace switchboard::sim::internal_sim {

// `path` opened for reading. std::ifstream opens a directory without complaint and only the
// first read fails, which would then pass for an empty file: a directory is InvalidArgument
// ("<what> '<path>' is a directory"); a file that cannot be opened is NotFound with the system's
// reason ("cannot open <what> '<path>': No such file or directory").
absl::StatusOr<std::ifstream> OpenInputFile(const std::string& path, std::string_view what);

// `path` as messages show it before a line number ("<path>:7: ..."): control characters (C0,
// DEL, C1) and bytes that are not UTF-8 as \xNN escapes, like internal::Printable, but never cut
// (the file's name is at the end of a long path).
std::string ShownPath(std::string_view path);

}  // namespace switchboard::sim::internal_sim

#endif  // SWITCHBOARD_SRC_SIM_INPUT_FILE_H_
