// The shape of a core module and its values (aot_module_shape.hpp). Only the global and data sections are read here;
// every other section is passed on as it is. The reading is as strict as wasm's binary format (LEB128 lengths, sign
// bits), so a module and its shape are valid or invalid together: compiled code found in the cache for a shape is run
// without validating the module again.

#include "aot_module_shape.hpp"

#include <cstring>
#include <string>

namespace weft::runtime {
namespace {

constexpr uint8_t kGlobalSection = 6;
constexpr uint8_t kDataSection = 11;
constexpr uint8_t kEnd = 0x0b;
constexpr uint8_t kGlobalGet = 0x23;
constexpr uint8_t kI32Const = 0x41, kI64Const = 0x42, kF32Const = 0x43, kF64Const = 0x44;
constexpr uint8_t kRefNull = 0xd0, kRefFunc = 0xd2, kSimdPrefix = 0xfd;
constexpr uint32_t kV128Const = 12;
constexpr uint32_t kMaxDataSegmentKind = 2;  // 0 active in memory 0, 1 passive, 2 active with a memory index

/// Signed LEB128 of `bits` (32 or 64) as wasm requires: at most ⌈bits/7⌉ bytes, and the unused bits of a last byte
/// at that limit repeat the sign bit.
std::optional<int64_t> read_leb_signed(std::span<const uint8_t> bytes, size_t& at, unsigned bits) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t value = 0;
  for (unsigned i = 0; i < max_bytes; ++i) {
    if (at >= bytes.size()) return std::nullopt;
    uint8_t b = bytes[at++];
    unsigned shift = 7 * i;
    if (i + 1 == max_bytes) {
      if (b & 0x80) return std::nullopt;
      unsigned used = bits - shift;  // 4 bits of s32's fifth byte, 1 of s64's tenth
      bool negative = (b >> (used - 1)) & 1;
      if (((b & 0x7f) >> used) != (negative ? (0x7f >> used) : 0)) return std::nullopt;
    }
    value |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (shift + 7 < 64 && (b & 0x40)) value |= ~uint64_t(0) << (shift + 7);
      return int64_t(value);
    }
  }
  return std::nullopt;
}

std::string hex_byte(uint8_t b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {'0', 'x', kDigits[b >> 4], kDigits[b & 15]};
}

void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

/// The constant expression at `at` (advanced past its `end`): a numeric constant is appended to `out` as zero of its
/// type and its bits returned; `global.get`, `ref.null`, `ref.func` and `v128.const` are appended as they are
/// (compiled code computes them) and give nullopt. Anything else is refused.
Result<std::optional<uint64_t>> blank_initialiser(std::span<const uint8_t> body, size_t& at, std::vector<uint8_t>& out) {
  size_t start = at;
  if (at >= body.size()) return fail("its initialiser is missing");
  uint8_t op = body[at++];
  std::optional<uint64_t> constant;
  auto fixed = [&](size_t n) -> std::optional<uint64_t> {
    if (body.size() - at < n) return std::nullopt;
    uint64_t bits = 0;
    for (size_t i = 0; i < n; ++i) bits |= uint64_t(body[at + i]) << (8 * i);  // little-endian
    at += n;
    return bits;
  };
  bool well_formed = true;
  switch (op) {
    case kI32Const:
      if (auto v = read_leb_signed(body, at, 32)) constant = uint32_t(*v);
      else well_formed = false;
      break;
    case kI64Const:
      if (auto v = read_leb_signed(body, at, 64)) constant = uint64_t(*v);
      else well_formed = false;
      break;
    case kF32Const:
      constant = fixed(4);
      well_formed = constant.has_value();
      break;
    case kF64Const:
      constant = fixed(8);
      well_formed = constant.has_value();
      break;
    case kGlobalGet:
    case kRefFunc:
      well_formed = read_leb_u32(body, at).has_value();
      break;
    case kRefNull:  // and its heap type
      if (at < body.size()) ++at;
      else well_formed = false;
      break;
    case kSimdPrefix: {
      auto sub = read_leb_u32(body, at);
      well_formed = sub == kV128Const && fixed(8) && fixed(8);
      break;
    }
    default:
      return fail("its initialiser starts with opcode " + hex_byte(op) +
                  ", which is not a constant expression the AOT engine reads");
  }
  if (!well_formed || at >= body.size() || body[at] != kEnd) return fail("its initialiser is malformed");
  ++at;
  if (!constant) {
    append(out, body.subspan(start, at - start));
    return constant;
  }
  static constexpr uint8_t kZero[8] = {};
  out.push_back(op);
  if (op == kF32Const) append(out, std::span(kZero, 4));
  else if (op == kF64Const) append(out, std::span(kZero, 8));
  else out.push_back(0x00);  // LEB128 zero
  out.push_back(kEnd);
  return constant;
}

Result<void> blank_globals(std::span<const uint8_t> body, std::vector<uint8_t>& out, AotModuleValues* values) {
  size_t at = 0;
  auto count = read_leb_u32(body, at);
  if (!count) return fail("global section: malformed count");
  append(out, body.first(at));
  for (uint32_t i = 0; i < *count; ++i) {
    std::string where = "global " + std::to_string(i) + " of the global section: ";
    if (body.size() - at < 2) return fail(where + "runs past the end of the section");
    uint8_t type = body[at], mutability = body[at + 1];
    bool known_type = type == 0x7f || type == 0x7e || type == 0x7d || type == 0x7c || type == 0x7b || type == 0x70 ||
                      type == 0x6f;
    if (!known_type || mutability > 1) return fail(where + "malformed type");
    append(out, body.subspan(at, 2));
    at += 2;
    auto constant = blank_initialiser(body, at, out);
    if (!constant) return fail(where + constant.error().message);
    if (values) values->globals.push_back(constant->value_or(0));
  }
  if (at != body.size()) return fail("global section: bytes after the last global");
  return {};
}

Result<void> blank_data(std::span<const uint8_t> body, std::vector<uint8_t>& out, AotModuleValues* values) {
  size_t at = 0;
  auto count = read_leb_u32(body, at);
  if (!count) return fail("data section: malformed count");
  append(out, body.first(at));
  for (uint32_t i = 0; i < *count; ++i) {
    std::string where = "data segment " + std::to_string(i) + ": ";
    size_t start = at;
    auto kind = read_leb_u32(body, at);
    if (!kind || *kind > kMaxDataSegmentKind) return fail(where + "malformed or unknown kind");
    if (*kind == 2 && !read_leb_u32(body, at)) return fail(where + "malformed memory index");
    append(out, body.subspan(start, at - start));
    AotModuleValues::Segment segment;
    if (*kind != 1) {
      bool i32_const = at < body.size() && body[at] == kI32Const;
      auto offset = blank_initialiser(body, at, out);
      if (!offset) return fail(where + "its offset: " + offset.error().message);
      if (i32_const) segment.offset = uint32_t(**offset);
    }
    auto size = read_leb_u32(body, at);
    if (!size || *size > body.size() - at) return fail(where + "its bytes run past the end of the section");
    static constexpr uint8_t kOneZeroByte[] = {0x01, 0x00};  // wasm2c treats an empty segment apart: never blank to it
    append(out, kOneZeroByte);
    if (values) {
      segment.at = values->bytes.size();
      segment.size = *size;
      append(values->bytes, body.subspan(at, *size));
      values->segments.push_back(segment);
    }
    at += *size;
  }
  if (at != body.size()) return fail("data section: bytes after the last segment");
  return {};
}

}  // namespace

std::optional<uint32_t> read_leb_u32(std::span<const uint8_t> bytes, size_t& at) {
  uint32_t value = 0;
  for (unsigned i = 0; i < 5; ++i) {
    if (at >= bytes.size()) return std::nullopt;
    uint8_t b = bytes[at++];
    if (i == 4 && (b & 0xf0)) return std::nullopt;  // a sixth byte, or bits past 32
    value |= uint32_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return value;
  }
  return std::nullopt;
}

void write_leb_u32(std::vector<uint8_t>& out, uint32_t value) {
  do {
    uint8_t b = value & 0x7f;
    value >>= 7;
    out.push_back(value ? (b | 0x80) : b);
  } while (value);
}

Result<void> walk_module_shape(std::span<const uint8_t> wasm, const AotShapeSink& shape, AotModuleValues* values) {
  static constexpr uint8_t kHeader[8] = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  if (wasm.size() < sizeof kHeader || std::memcmp(wasm.data(), kHeader, sizeof kHeader) != 0)
    return fail("not a core module (no wasm header of version 1)");
  if (values) *values = {};
  auto emit = [&](std::span<const uint8_t> piece) {
    if (shape) shape(piece);
  };
  emit(wasm.first(sizeof kHeader));
  std::vector<uint8_t> blanked;
  for (size_t at = sizeof kHeader; at < wasm.size();) {
    size_t start = at;
    uint8_t id = wasm[at++];
    auto size = read_leb_u32(wasm, at);
    if (!size || *size > wasm.size() - at)
      return fail("the section at byte " + std::to_string(start) + " runs past the end of the module");
    auto body = wasm.subspan(at, *size);
    at += *size;
    if (id != kGlobalSection && id != kDataSection) {
      emit(wasm.subspan(start, at - start));
      continue;
    }
    blanked.clear();
    WEFT_TRY_VOID(id == kDataSection ? blank_data(body, blanked, values) : blank_globals(body, blanked, values));
    std::vector<uint8_t> head = {id};
    write_leb_u32(head, uint32_t(blanked.size()));
    emit(head);
    emit(blanked);
  }
  return {};
}

Result<std::vector<uint8_t>> module_shape(std::span<const uint8_t> wasm, std::string_view name) {
  std::vector<uint8_t> out;
  out.reserve(wasm.size());
  auto walked = walk_module_shape(wasm, [&](std::span<const uint8_t> piece) { append(out, piece); }, nullptr);
  if (!walked) return fail("core module " + std::string(name) + " is invalid: " + walked.error().message);
  return out;
}

Result<AotModuleValues> module_values(std::span<const uint8_t> wasm, std::string_view name) {
  AotModuleValues values;
  auto walked = walk_module_shape(wasm, {}, &values);
  if (!walked) return fail("core module " + std::string(name) + " is invalid: " + walked.error().message);
  return values;
}

}  // namespace weft::runtime
