// Canonical ABI strings: UTF-8, UTF-16 and latin1+UTF-16 (tagged length) between guest memory and host UTF-8.

#include <algorithm>
#include <vector>

#include "canonical_memory.hpp"

namespace weft::runtime::canon {
namespace {



void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xc0 | (c >> 6));
    out += char(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += char(0xe0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3f));
    out += char(0x80 | (c & 0x3f));
  } else {
    out += char(0xf0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3f));
    out += char(0x80 | ((c >> 6) & 0x3f));
    out += char(0x80 | (c & 0x3f));
  }
}

/// Decodes UTF-8 into code points; false on malformed input.
bool decode_utf8(std::string_view s, std::vector<uint32_t>& out) {
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) { cp = c; n = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1f; n = 2; }
    else if ((c >> 4) == 0xe) { cp = c & 0x0f; n = 3; }
    else if ((c >> 3) == 0x1e) { cp = c & 0x07; n = 4; }
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      auto b = uint8_t(s[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || !valid_scalar(cp)) return false;
    out.push_back(cp);
    i += n;
  }
  return true;
}

}  // namespace

std::string load_string_from(CanonContext& cx, uint32_t ptr, uint32_t len) {
  using E = CanonOptions::Encoding;
  std::string out;
  auto from_utf16 = [&](uint32_t units) {
    const uint8_t* p = at(cx, ptr, uint64_t(units) * 2);
    for (uint32_t i = 0; i < units; ++i) {
      uint32_t u = p[2 * i] | (p[2 * i + 1] << 8);
      if (u >= 0xd800 && u < 0xdc00 && i + 1 < units) {
        uint32_t lo = p[2 * i + 2] | (p[2 * i + 3] << 8);
        if (lo >= 0xdc00 && lo < 0xe000) {
          append_utf8(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
          ++i;
          continue;
        }
      }
      if (u >= 0xd800 && u < 0xe000) fault("string is not valid UTF-16 (unpaired surrogate)");
      append_utf8(out, u);
    }
  };
  if (cx.encoding == E::utf8) {
    const uint8_t* p = at(cx, ptr, len);
    out.assign(reinterpret_cast<const char*>(p), len);
    std::vector<uint32_t> cps;
    if (!decode_utf8(out, cps)) fault("string is not valid UTF-8");
  } else if (cx.encoding == E::utf16) {
    if (ptr % 2) fault("UTF-16 string pointer is misaligned");
    from_utf16(len);
  } else {
    if (len & 0x80000000u) {
      if (ptr % 2) fault("UTF-16 string pointer is misaligned");
      from_utf16(len & 0x7fffffffu);
    } else {
      const uint8_t* p = at(cx, ptr, len);
      for (uint32_t i = 0; i < len; ++i) append_utf8(out, p[i]);
    }
  }
  return out;
}

std::pair<uint32_t, uint32_t> store_string_to(CanonContext& cx, const std::string& s) {
  using E = CanonOptions::Encoding;
  std::vector<uint32_t> cps;
  if (!decode_utf8(s, cps)) fault("host string is not valid UTF-8");
  if (cx.encoding == E::utf8) {
    uint32_t ptr = realloc_call(cx, 1, uint32_t(s.size()));
    if (!s.empty()) std::memcpy(at(cx, ptr, s.size()), s.data(), s.size());
    return {ptr, uint32_t(s.size())};
  }
  bool latin1 = cx.encoding == E::latin1_utf16 && std::all_of(cps.begin(), cps.end(), [](uint32_t c) { return c < 256; });
  if (latin1) {
    uint32_t ptr = realloc_call(cx, 2, uint32_t(cps.size()));
    uint8_t* p = at(cx, ptr, cps.size());
    for (size_t i = 0; i < cps.size(); ++i) p[i] = uint8_t(cps[i]);
    return {ptr, uint32_t(cps.size())};
  }
  std::vector<uint16_t> units;
  for (uint32_t c : cps) {
    if (c >= 0x10000) {
      units.push_back(uint16_t(0xd800 + ((c - 0x10000) >> 10)));
      units.push_back(uint16_t(0xdc00 + ((c - 0x10000) & 0x3ff)));
    } else {
      units.push_back(uint16_t(c));
    }
  }
  uint32_t ptr = realloc_call(cx, 2, uint32_t(units.size() * 2));
  uint8_t* p = at(cx, ptr, units.size() * 2);
  for (size_t i = 0; i < units.size(); ++i) {
    p[2 * i] = uint8_t(units[i]);
    p[2 * i + 1] = uint8_t(units[i] >> 8);
  }
  uint32_t len = uint32_t(units.size());
  if (cx.encoding == E::latin1_utf16) len |= 0x80000000u;
  return {ptr, len};
}


}  // namespace weft::runtime::canon
