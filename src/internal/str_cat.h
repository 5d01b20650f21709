// StrCat for std::string_view. Debian's Abseil is built with its own std::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat does not accept std::string_view; this
// one formats each argument with fmt's "{}" instead.
#ifndef SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_
#define SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_

#include <fmt/format.h>

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

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

// Untrusted text quoted in a message (an id, a name, a value from the caller): shown as is when
// it is printable UTF-8 of at most kMaxPrintableBytes (every valid id and name is), else with
// control characters (C0, DEL, C1) and malformed UTF-8 as \xNN escapes and cut after
// kMaxPrintableBytes with its size noted, so that a message stays short and printable whatever
// the input (a 70 KB id, a NUL, a terminal escape sequence meant for whoever reads the log).
//   return absl::NotFoundError(StrCat("agent '", Printable(id.value()), "' is not known"));
inline constexpr std::size_t kMaxPrintableBytes = 128;
std::string PrintableText(std::string_view text);  // defined in src/core/text.cc
// The same escapes, cut after `max_bytes` (a file path is shown whole: its name is at the end).
std::string PrintableText(std::string_view text, std::size_t max_bytes);

struct Printable {
  explicit Printable(std::string_view t) : text(t) {}
  explicit Printable(absl::string_view t) : text(t.data(), t.size()) {}
  explicit Printable(const std::string& t) : text(t) {}
  explicit Printable(const char* t) : text(t) {}
  std::string_view text;
};

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (fmt::format_to(std::back_inserter(out), "{}", args), ...);
  return out;
}

}  // namespace switchboard::internal

template <>
struct fmt::formatter<switchboard::internal::Printable> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const switchboard::internal::Printable& p, FormatContext& ctx) const {
    const std::string shown = switchboard::internal::PrintableText(p.text);
    return fmt::formatter<std::string_view>::format(std::string_view(shown), ctx);
  }
};

#endif  // SWITCHBOARD_SRC_INTERNAL_STR_CAT_H_
