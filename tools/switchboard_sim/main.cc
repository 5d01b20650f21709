// switchboard-sim: Erlang C/A formulas, staffing, and the contact-center simulator that drives
// the real switchboard::Router. See docs/harness.md.
#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "tools/switchboard_sim/commands.h"
#include "src/internal/str_cat.h"

namespace {

constexpr const char* kUsage = R"(usage: switchboard-sim <command> [options]

commands:
  erlang   queueing measures of one staffing level (Erlang C or Erlang A)
  staff    the fewest agents that meet a service-level, ASA or abandonment target
  run      simulate a scenario through the real router, compare strategies

Every command accepts --help and --json. Rates are per second, times in seconds.
)";

}  // namespace

namespace switchboard::tools {

int Fail(int code, const char* message) {
  fmt::print(stderr, "switchboard-sim: {}\n", message);
  return code;
}

}  // namespace switchboard::tools

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const int rest = argc - 2;
  const char* const* args = argv + 2;
  if (command == "erlang") return switchboard::tools::ErlangCommand(rest, args, stdout);
  if (command == "staff") return switchboard::tools::StaffCommand(rest, args, stdout);
  if (command == "run") return switchboard::tools::RunCommand(rest, args, stdout);
  fmt::print(stderr, "switchboard-sim: unknown command '{}'\n\n{}",
             switchboard::internal::PrintableText(command), kUsage);
  return 2;
}
