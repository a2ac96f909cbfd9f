#include "weft/store/fs_at.hpp"

#include <vector>

#include <sodium.h>

#include "weft/store/crypto.hpp"

namespace weft::store {

std::string random_hex(size_t n_bytes) {
  (void)crypto_init();
  std::vector<uint8_t> bytes(n_bytes);
  randombytes_buf(bytes.data(), bytes.size());
  return to_hex(bytes);
}

bool is_portable_name(std::string_view name) {
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  // sodium has no UTF-8 validator: a small strict decoder (no overlongs, no surrogates, ≤ U+10FFFF).
  size_t i = 0;
  while (i < name.size()) {
    auto c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > name.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

}  // namespace weft::store
