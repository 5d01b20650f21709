#include "src/sim/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "src/internal/str_cat.h"

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
  return internal::PrintableText(path, std::string_view::npos);
}

}  // namespace switchboard::sim::internal_sim
