#pragma once
// Length-prefixed frames: u32 little-endian body length, then the body. Used by the appd Unix API and the
// compositor⇄appd link. A body above the cap (4 MiB by default) is an error that closes the connection.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::ipc {

inline constexpr size_t kDefaultMaxFrameBytes = 4u * 1024 * 1024;  // bytes

/// Length prefix + body. An error when the body exceeds `max_body`.
[[nodiscard]] Result<std::vector<uint8_t>> encode_frame(std::span<const uint8_t> body,
                                                        size_t max_body = kDefaultMaxFrameBytes);

/// Incremental decoder: feed bytes as they arrive, then take complete bodies. A declared length above the cap is
/// reported as soon as the 4 prefix bytes arrive (without buffering the body).
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_body = kDefaultMaxFrameBytes) : max_body_(max_body) {}
  void feed(std::span<const uint8_t> bytes);
  /// The next complete body, nullopt when more bytes are needed, or an error (`frame of N bytes exceeds the M-byte
  /// limit`) after which the stream is unusable.
  [[nodiscard]] Result<std::optional<std::vector<uint8_t>>> next();
  /// Bytes buffered but not yet returned (a partial frame at EOF means the peer sent a short frame).
  [[nodiscard]] size_t buffered() const { return buffer_.size() - offset_; }
  /// At EOF: ok if nothing is pending, else `connection closed inside a frame (K of N bytes)`.
  [[nodiscard]] Result<void> finish() const;

 private:
  size_t max_body_;
  std::vector<uint8_t> buffer_;
  size_t offset_ = 0;
};

}  // namespace weft::ipc
