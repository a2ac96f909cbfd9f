#pragma once
// Internal to weft-runtime's canonical ABI: guest memory access and string transcoding. A malformed guest value
// throws CanonFault; canonical_abi.cpp catches it at every public function, so no exception leaves the ABI code.

#include <cstring>
#include <string>
#include <utility>

#include "weft/runtime/canonical_abi.hpp"

namespace weft::runtime::canon {

struct CanonFault {
  std::string message;
};
[[noreturn]] inline void fault(std::string message) { throw CanonFault{std::move(message)}; }

// ---- memory access ----

inline std::span<uint8_t> mem(CanonContext& cx) {
  if (!cx.memory) fault("canonical ABI needs a memory but the function has no memory option");
  if (cx.memory_access.available()) return cx.memory_access.current();
  return cx.engine->memory(*cx.memory);
}

inline uint8_t* at(CanonContext& cx, uint32_t ptr, uint64_t len) {
  auto m = mem(cx);
  if (uint64_t(ptr) + len > m.size())
    fault("pointer " + std::to_string(ptr) + "+" + std::to_string(len) + " is outside linear memory (" +
          std::to_string(m.size()) + " bytes)");
  return m.data() + ptr;
}

template <class T>
inline T read(CanonContext& cx, uint32_t ptr) {
  T v;
  std::memcpy(&v, at(cx, ptr, sizeof(T)), sizeof(T));
  return v;
}
template <class T>
inline void write(CanonContext& cx, uint32_t ptr, T v) {
  std::memcpy(at(cx, ptr, sizeof(T)), &v, sizeof(T));
}

inline uint32_t realloc_call(CanonContext& cx, uint32_t align, uint32_t size) {
  if (!cx.realloc) fault("canonical ABI needs cabi_realloc but the function has no realloc option");
  std::vector<CoreValue> out;
  CoreValue args[] = {CoreValue::i32(0), CoreValue::i32(0), CoreValue::i32(align), CoreValue::i32(size)};
  if (auto trap = cx.engine->call(*cx.realloc, args, out)) fault("cabi_realloc trapped: " + trap->message);
  if (out.size() != 1) fault("cabi_realloc returned no pointer");
  uint32_t ptr = out[0].as_i32();
  if (ptr % align) fault("cabi_realloc returned a misaligned pointer");
  at(cx, ptr, size);
  return ptr;
}

/// A guest string at (ptr, len) in the context's encoding, as UTF-8.
std::string load_string_from(CanonContext& cx, uint32_t ptr, uint32_t len);
/// Copies a host UTF-8 string into guest memory (through realloc) in the context's encoding: (ptr, len).
std::pair<uint32_t, uint32_t> store_string_to(CanonContext& cx, const std::string& s);

}  // namespace weft::runtime::canon
