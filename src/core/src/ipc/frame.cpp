#include "weft/core/ipc/frame.hpp"

#include <string>

namespace weft::ipc {
namespace {
std::string too_large(size_t n, size_t max) {
  return "frame of " + std::to_string(n) + " bytes exceeds the " + std::to_string(max) + "-byte limit";
}
}  // namespace

Result<std::vector<uint8_t>> encode_frame(std::span<const uint8_t> body, size_t max_body) {
  if (body.size() > max_body) return fail(too_large(body.size(), max_body));
  std::vector<uint8_t> out(4 + body.size());
  uint32_t n = static_cast<uint32_t>(body.size());
  out[0] = static_cast<uint8_t>(n);
  out[1] = static_cast<uint8_t>(n >> 8);
  out[2] = static_cast<uint8_t>(n >> 16);
  out[3] = static_cast<uint8_t>(n >> 24);
  std::copy(body.begin(), body.end(), out.begin() + 4);
  return out;
}

void FrameDecoder::feed(std::span<const uint8_t> bytes) {
  // Compact lazily so a long-lived connection does not grow its buffer without bound.
  if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset_));
    offset_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<std::vector<uint8_t>>> FrameDecoder::next() {
  size_t avail = buffer_.size() - offset_;
  if (avail < 4) return std::optional<std::vector<uint8_t>>{};
  const uint8_t* p = buffer_.data() + offset_;
  size_t n = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 | static_cast<size_t>(p[2]) << 16 |
             static_cast<size_t>(p[3]) << 24;
  if (n > max_body_) return fail(too_large(n, max_body_));
  if (avail < 4 + n) return std::optional<std::vector<uint8_t>>{};
  std::vector<uint8_t> body(p + 4, p + 4 + n);
  offset_ += 4 + n;
  return std::optional<std::vector<uint8_t>>{std::move(body)};
}

Result<void> FrameDecoder::finish() const {
  size_t avail = buffered();
  if (avail == 0) return ok();
  if (avail < 4) return fail("connection closed inside a frame's length prefix (" + std::to_string(avail) + " of 4 bytes)");
  const uint8_t* p = buffer_.data() + offset_;
  size_t n = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 | static_cast<size_t>(p[2]) << 16 |
             static_cast<size_t>(p[3]) << 24;
  return fail("connection closed inside a frame (" + std::to_string(avail - 4) + " of " + std::to_string(n) +
              " body bytes)");
}

}  // namespace weft::ipc
