#pragma once
// Strict UTF-8 validation (no overlong forms, no surrogates, ≤ U+10FFFF), shared by the decoder (component names),
// the canonical ABI and the weft:app host.

#include <cstdint>
#include <string_view>

namespace weft {

[[nodiscard]] inline bool is_valid_utf8(std::string_view s) {
  static const uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      auto b = uint8_t(s[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return false;
    i += n;
  }
  return true;
}

}  // namespace weft
