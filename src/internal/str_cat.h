// StrCat for std::string_view. Debian's Abseil is built with its own std::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat does not accept std::string_view; this
// one formats each argument with fmt's "{}" instead.
#ifndef SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_
#define SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_

#include <iterator>
#include <string>

#include <fmt/format.h>

#include "absl/strings/string_view.h"

// Lets fmt print absl::string_view (Status::message() returns one).
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};

namespace switchboard::internal {

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (fmt::format_to(std::back_inserter(out), "{}", args), ...);
  return out;
}

}  // namespace switchboard::internal

#endif  // SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_
