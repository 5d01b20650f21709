#include "tools/switchboard_sim/args.h"

#include <charconv>
#include <cmath>

#include "src/internal/str_cat.h"

namespace switchboard::tools {

absl::Status Args::Parse(int argc, const char* const* argv, const std::set<std::string>& flags,
                         const std::set<std::string>& options) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name) > 0) {
      if (value) {
        return absl::InvalidArgumentError(
            internal::StrCat("--", internal::Printable(name), " takes no value"));
      }
      flags_.insert(name);
      continue;
    }
    if (options.count(name) == 0) {
      return absl::InvalidArgumentError(
          internal::StrCat("unknown option --", internal::Printable(name)));
    }
    if (!value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(internal::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    values_.emplace(name, *value);
  }
  return absl::OkStatus();
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;
}

std::vector<std::string> Args::All(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

absl::StatusOr<double> Args::Double(const std::string& name) const {
  std::optional<std::string> text = Get(name);
  if (!text) return absl::InvalidArgumentError(internal::StrCat("--", name, " is required"));
  double value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range && ptr == text->data() + text->size()) {
    return absl::InvalidArgumentError(
        internal::StrCat("--", name, " '", internal::Printable(*text), "' is out of range"));
  }
  if (ec != std::errc() || ptr != text->data() + text->size() || std::isnan(value)) {
    return absl::InvalidArgumentError(
        internal::StrCat("--", name, " '", internal::Printable(*text), "' is not a number"));
  }
  // Every number the tool takes is finite; "inf" is refused here once for all of them.
  if (std::isinf(value)) {
    return absl::InvalidArgumentError(
        internal::StrCat("--", name, " '", internal::Printable(*text), "' is not a finite number"));
  }
  return value;
}

absl::StatusOr<double> Args::DoubleOr(const std::string& name, double fallback) const {
  if (!Has(name)) return fallback;
  return Double(name);
}

absl::StatusOr<long long> Args::Int(const std::string& name) const {
  std::optional<std::string> text = Get(name);
  if (!text) return absl::InvalidArgumentError(internal::StrCat("--", name, " is required"));
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range && ptr == text->data() + text->size()) {
    return absl::InvalidArgumentError(
        internal::StrCat("--", name, " '", internal::Printable(*text), "' is out of range"));
  }
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return absl::InvalidArgumentError(
        internal::StrCat("--", name, " '", internal::Printable(*text), "' is not an integer"));
  }
  return value;
}

absl::StatusOr<long long> Args::IntOr(const std::string& name, long long fallback) const {
  if (!Has(name)) return fallback;
  return Int(name);
}

}  // namespace switchboard::tools
