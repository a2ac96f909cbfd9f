#pragma once
// Component and core-module binaries written byte by byte (LEB128, names, sections) for decoder, engine and linker
// tests, and reading a built fixture's bytes.

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace weft::test {

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

inline void append_name(Bytes& out, std::string_view s) {
  append_u32(out, uint32_t(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

inline void append_section(Bytes& out, uint8_t id, const Bytes& body) {
  out.push_back(id);
  append_u32(out, uint32_t(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

/// A component preamble followed by the given sections (id, body).
inline Bytes component_bytes(std::initializer_list<std::pair<uint8_t, Bytes>> sections) {
  Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  for (const auto& [id, body] : sections) append_section(out, id, body);
  return out;
}

/// The smallest component WEFT accepts: it imports an instance of type `(instance (export "run" (func)))` as
/// `wasi:cli/run@0.2.0` and re-exports it, so it decodes and exports wasi:cli/run@0.2.x.
inline Bytes minimal_component(std::string_view run_name = "wasi:cli/run@0.2.0",
                               std::string_view extra_import = "") {
  Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  Bytes types;
  append_u32(types, 1);
  types.insert(types.end(), {0x42, 0x02, 0x01, 0x40, 0x00, 0x01, 0x00, 0x04, 0x00});
  append_name(types, "run");
  types.insert(types.end(), {0x01, 0x00});
  append_section(out, 7, types);
  Bytes imports;
  append_u32(imports, extra_import.empty() ? 1 : 2);
  imports.push_back(0x00);
  append_name(imports, run_name);
  imports.insert(imports.end(), {0x05, 0x00});
  if (!extra_import.empty()) {
    imports.push_back(0x00);
    append_name(imports, extra_import);
    imports.insert(imports.end(), {0x05, 0x00});
  }
  append_section(out, 10, imports);
  Bytes exports;
  append_u32(exports, 1);
  exports.push_back(0x00);
  append_name(exports, run_name);
  exports.insert(exports.end(), {0x05, 0x00, 0x00});
  append_section(out, 11, exports);
  return out;
}

inline Bytes read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace weft::test
