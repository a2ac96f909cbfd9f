#pragma once
// Helpers for runtime tests: build component binaries byte by byte and load built fixtures.

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

namespace weft::runtime::test {

using Bytes = std::vector<uint8_t>;

inline void append_u32(Bytes& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

/// Signed LEB128 of a non-negative value (valtype type indices are s33: 64 needs two bytes).
inline void append_s33(Bytes& out, uint32_t v) {
  uint64_t x = v;
  for (;;) {
    uint8_t b = x & 0x7f;
    x >>= 7;
    bool done = x == 0 && (b & 0x40) == 0;
    out.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}

inline void append_name(Bytes& out, const std::string& s) {
  append_u32(out, uint32_t(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

/// A component preamble followed by the given sections (id, body).
inline Bytes component_bytes(std::initializer_list<std::pair<uint8_t, Bytes>> sections) {
  Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  for (const auto& [id, body] : sections) {
    out.push_back(id);
    append_u32(out, uint32_t(body.size()));
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

inline Bytes read_fixture(const std::string& name) {
  std::ifstream in(std::string(WEFT_RT_FIXTURES) + "/" + name, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace weft::runtime::test
