#include "src/internal/text.h"

#include "src/internal/str_cat.h"

namespace switchboard::internal {
namespace {

// Length of the sequence a lead byte starts, or 0 for a byte that cannot lead one.
int SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const int length = SequenceLength(*p);
    if (length == 0 || end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if (!IsContinuation(p[i])) return false;
    }
    // Reject overlong 3- and 4-byte forms, UTF-16 surrogates and code points past U+10FFFF.
    if (length == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F))) {
      return false;
    }
    if (length == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))) {
      return false;
    }
    p += length;
  }
  return true;
}

absl::Status ValidateText(std::string_view text, std::string_view field, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        StrCat(field, " is ", text.size(), " bytes, more than ", max_bytes));
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(StrCat(field, " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace switchboard::internal
