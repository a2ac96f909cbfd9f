#pragma once
// A core module's shape and its values (issue 12, "JS apps"). Compiled code depends only on the shape: the module
// with every data segment's bytes, every constant data segment offset and every constant global initialiser blanked.
// It reads those values from the module being instantiated (weft_aot_module_values). componentize-js embeds one
// engine module in every JS app of a world and its snapshot changes only the data segments and globals, so those apps
// have one shape, one cache key and one compiled object.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::runtime {

/// What the shape leaves out of a module, for its compiled code to read at instantiate.
struct AotModuleValues {
  struct Segment {
    size_t at = 0;        // where its bytes start in `bytes`
    uint32_t size = 0;    // bytes
    uint32_t offset = 0;  // an active segment's constant offset, else 0 (the compiled code computes any other)
  };
  std::vector<Segment> segments;  // one per data segment, in order
  std::vector<uint8_t> bytes;     // every data segment's bytes, one after another
  std::vector<uint64_t> globals;  // one per defined global: its constant initial value's bits, else 0
};

/// Receives the shape's bytes piece by piece, in order.
using AotShapeSink = std::function<void(std::span<const uint8_t>)>;

/// Walks `wasm`'s sections once: hands `shape` (optional) the module with its values blanked — every data segment
/// holds one zero byte, every `i32.const` segment offset and every constant global initialiser is zero of its type;
/// the result validates exactly when `wasm` does — and fills `values` (optional) with what was blanked. Errors (a
/// malformed section, segment or initialiser; an initialiser that is neither a constant nor a `global.get`) say what
/// is wrong and where.
[[nodiscard]] Result<void> walk_module_shape(std::span<const uint8_t> wasm, const AotShapeSink& shape,
                                             AotModuleValues* values);

/// The shape's bytes, or the values; errors start with `core module <name> is invalid:` like the engines' own.
[[nodiscard]] Result<std::vector<uint8_t>> module_shape(std::span<const uint8_t> wasm, std::string_view name);
[[nodiscard]] Result<AotModuleValues> module_values(std::span<const uint8_t> wasm, std::string_view name);

/// Unsigned LEB128 of at most 32 bits at `at` (advanced past it), as wasm requires (≤ 5 bytes, no bits past 32);
/// nullopt when malformed or past the end.
std::optional<uint32_t> read_leb_u32(std::span<const uint8_t> bytes, size_t& at);
void write_leb_u32(std::vector<uint8_t>& out, uint32_t value);

}  // namespace weft::runtime
