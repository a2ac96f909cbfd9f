#pragma once
// Internal to weft-component: a bounds-checked byte reader with a sticky error. The first malformed construct records
// the error with the absolute offset where that construct starts; every later read returns zero and vector loops
// stop at their next `ok()` check, so no input can make the decoder read out of bounds or loop unboundedly.

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "weft/core/utf8.hpp"

namespace weft::component {

class Reader {
 public:
  Reader(std::span<const uint8_t> data, size_t base) : data_(data), base_(base) {}

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] bool at_end() const { return pos_ >= data_.size(); }
  [[nodiscard]] size_t offset() const { return base_ + pos_; }
  [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] size_t error_offset() const { return error_offset_; }

  /// Records the first error, at the start of the construct being read.
  void fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = base_ + std::min(mark_, data_.size());
    }
    pos_ = data_.size();
  }

  uint8_t byte() {
    mark_ = pos_;
    if (!ok()) return 0;
    if (pos_ >= data_.size()) {
      fail("unexpected end of data");
      return 0;
    }
    return data_[pos_++];
  }

  uint32_t u32() {
    size_t start = pos_;
    uint64_t result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t b = byte();
      mark_ = start;
      if (!ok()) return 0;
      if (shift == 28 && (b & 0x70) != 0) {
        fail("integer too large for u32");
        return 0;
      }
      result |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return uint32_t(result);
    }
    fail("integer representation too long");
    return 0;
  }

  /// Signed LEB128 up to 33 bits (valtype / type opcodes).
  int64_t s33() {
    size_t start = pos_;
    int64_t result = 0;
    int shift = 0;
    uint8_t b = 0;
    do {
      b = byte();
      mark_ = start;
      if (!ok()) return 0;
      if (shift >= 35) {
        fail("integer representation too long");
        return 0;
      }
      result |= int64_t(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) result |= -(int64_t(1) << shift);
    return result;
  }

  std::span<const uint8_t> bytes(size_t n) {
    mark_ = pos_;
    if (!ok()) return {};
    if (n > remaining()) {
      fail("length " + std::to_string(n) + " runs past the end (" + std::to_string(remaining()) + " bytes left)");
      return {};
    }
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  std::string name() {
    size_t start = pos_;
    uint32_t len = u32();
    auto raw = bytes(len);
    mark_ = start;
    if (!ok()) return {};
    std::string s(reinterpret_cast<const char*>(raw.data()), raw.size());
    if (!is_valid_utf8(s)) fail("name is not valid UTF-8");
    return s;
  }

  /// Reads a vector length; each element takes at least one byte, so a count above the remaining size is malformed.
  uint32_t count() {
    size_t start = pos_;
    uint32_t n = u32();
    mark_ = start;
    if (ok() && n > remaining()) fail("vector count " + std::to_string(n) + " exceeds the remaining bytes");
    return ok() ? n : 0;
  }

  Reader sub(size_t n) {
    size_t start = pos_;
    bytes(n);
    if (!ok()) return Reader({}, offset());
    return Reader(data_.subspan(start, n), base_ + start);
  }

 private:
  std::span<const uint8_t> data_;
  size_t base_ = 0;
  size_t pos_ = 0;
  size_t mark_ = 0;  // start of the construct being read, for error offsets
  std::string error_;
  size_t error_offset_ = 0;
};

}  // namespace weft::component
