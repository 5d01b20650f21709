#include "src/internal/text.h"

#include <cstdint>
#include <cstring>

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

// Bytes in the well-formed sequence at the start of [p, end), or 0 when none starts there.
// Rejects overlong 3- and 4-byte forms, UTF-16 surrogates and code points past U+10FFFF.
int ValidSequenceAt(const unsigned char* p, const unsigned char* end) {
  const int length = SequenceLength(*p);
  if (length == 0 || end - p < length) return 0;
  for (int i = 1; i < length; ++i) {
    if (!IsContinuation(p[i])) return 0;
  }
  if (length == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F))) return 0;
  if (length == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))) return 0;
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  // Ids, names and most values are ASCII: eight bytes at a time while no high bit is set.
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if ((word & 0x8080808080808080u) != 0) break;
    p += 8;
  }
  while (p < end) {
    const int length = ValidSequenceAt(p, end);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

std::string PrintableText(std::string_view text) { return PrintableText(text, kMaxPrintableBytes); }

std::string PrintableText(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  const auto* p = begin;
  std::string out;
  while (p < end && out.size() < max_bytes) {
    const int length = ValidSequenceAt(p, end);
    // C0 controls, DEL and C1 controls (U+0080..U+009F: some terminals obey U+009B) as escapes.
    const bool control = length == 1 ? (*p < 0x20 || *p == 0x7F) : (*p == 0xC2 && p[1] < 0xA0);
    if (length > 0 && !control) {
      out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
      p += length;
      continue;
    }
    out += "\\x";
    out += kHex[*p >> 4];
    out += kHex[*p & 0xF];
    ++p;
  }
  if (p < end) out += StrCat("...(", text.size(), " bytes)");
  return out;
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
