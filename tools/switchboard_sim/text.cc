#include "tools/switchboard_sim/text.h"

#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

namespace switchboard::tools {
namespace {

// The length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate, or beyond U+10FFFF).
std::size_t SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[i + k]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t n = 0;  // 110xxxxx, 1110xxxx, 11110xxx lead 2, 3, 4 bytes
  if ((lead & 0xE0) == 0xC0) {
    n = 2;
  } else if ((lead & 0xF0) == 0xE0) {
    n = 3;
  } else if ((lead & 0xF8) == 0xF0) {
    n = 4;
  } else {
    return 0;
  }
  constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};  // below: an overlong form
  std::uint32_t code = lead & (0x7Fu >> n);
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(k) & 0x3Fu);
  }
  if (code < kMin[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

bool IsControl(std::string_view text, std::size_t i, std::size_t n) {
  const auto lead = static_cast<std::uint8_t>(text[i]);
  if (n == 1) return lead < 0x20 || lead == 0x7F;
  // U+0080..U+009F: C1 controls, which some terminals obey (U+009B starts a control sequence).
  return n == 2 && lead == 0xC2 && static_cast<std::uint8_t>(text[i + 1]) < 0xA0;
}

void AppendEscaped(std::string& out, std::string_view bytes) {
  for (char c : bytes) out += fmt::format("\\x{:02X}", static_cast<std::uint8_t>(c));
}

}  // namespace

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string Displayable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = SequenceLength(text, i);
    const std::size_t take = n == 0 ? 1 : n;
    if (n == 0 || IsControl(text, i, n)) {
      AppendEscaped(out, text.substr(i, take));
    } else {
      out.append(text.substr(i, take));
    }
    i += take;
  }
  return out;
}

}  // namespace switchboard::tools
