// Hand-rolled argument parsing for switchboard-sim: "--name value", "--name=value", repeated
// options and positional arguments. absl flags would make every flag global to the process.
//
// Thread-safety: plain value.
//
//   Args args;
//   absl::Status s = args.Parse(argc - 2, argv + 2, {"json", "help"});  // boolean flags
//   absl::StatusOr<double> rate = args.Double("arrival-rate");
#ifndef SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_ARGS_H_
#define SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace switchboard::tools {

class Args {
 public:
  // `flags` take no value; `options` take one. Anything else starting with "--" is an error.
  absl::Status Parse(int argc, const char* const* argv, const std::set<std::string>& flags,
                     const std::set<std::string>& options);

  bool Flag(const std::string& name) const { return flags_.count(name) > 0; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given, or nullopt.
  std::optional<std::string> Get(const std::string& name) const;
  // Every value given, in order (for repeated options such as --strategy).
  std::vector<std::string> All(const std::string& name) const;
  // InvalidArgument naming --name when it is missing (required) or not a number.
  absl::StatusOr<double> Double(const std::string& name) const;
  absl::StatusOr<double> DoubleOr(const std::string& name, double fallback) const;
  absl::StatusOr<long long> Int(const std::string& name) const;
  absl::StatusOr<long long> IntOr(const std::string& name, long long fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::set<std::string> flags_;
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace switchboard::tools

#endif  // SWITCHBOARD_TOOLS_SWITCHBOARD_SIM_ARGS_H_
