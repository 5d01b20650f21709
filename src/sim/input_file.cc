#include "src/sim/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "src/internal/str_cat.h"
#include "src/internal/text.h"

namespace switchboard::sim::internal_sim {

absl::StatusOr<std::ifstream> OpenInputFile(const std::string& path, std::string_view what) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return absl::InvalidArgumentError(
        internal::StrCat(what, " '", internal::Printable(path), "' is a directory"));
  }
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    return absl::NotFoundError(internal::StrCat("cannot open ", what, " '",
                                                internal::Printable(path), "'",
                                                error != 0 ? ": " : "",
                                                error != 0 ? std::strerror(error) : ""));
  }
  return in;
}

std::string ShownPath(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size();) {
    const auto c = static_cast<unsigned char>(path[i]);
    const size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string_view piece = path.substr(i, n);
    const bool c1 = c == 0xC2 && piece.size() == 2 && static_cast<unsigned char>(piece[1]) < 0xA0;
    const bool control = c < 0x20 || c == 0x7F || c1;
    if (piece.size() == n && !control && internal::IsValidUtf8(piece)) {
      out.append(piece);
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

}  // namespace switchboard::sim::internal_sim
