// The subcommands of switchboard-sim. Each returns the process exit code: 0 success, 1 the
// command failed (bad scenario, infeasible staffing...), 2 a usage error. Output goes to `out`,
// diagnostics to stderr.
#ifndef SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_COMMANDS_H_
#define SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_COMMANDS_H_

#include <cstdio>

namespace switchboard::tools {

int ErlangCommand(int argc, const char* const* argv, std::FILE* out);
int StaffCommand(int argc, const char* const* argv, std::FILE* out);
int RunCommand(int argc, const char* const* argv, std::FILE* out);

// Prints "switchboard-sim: <message>" to stderr and returns `code`.
int Fail(int code, const char* message);

}  // namespace switchboard::tools

#endif  // SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_COMMANDS_H_
