#pragma once
// A CPU copy of one rendered frame and its PNG encoding. Pixels are premultiplied ARGB8888 as WPE exports them and
// wl_shm carries them: one uint32_t per pixel, 0xAARRGGBB (bytes B,G,R,A in memory on little-endian).

#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::webview {

struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 0;
  friend bool operator==(const Rgba&, const Rgba&) = default;
};

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint32_t> pixels;  // row-major, width * height, premultiplied ARGB8888

  [[nodiscard]] bool empty() const { return pixels.empty(); }
  /// Un-premultiplied colour at (x, y); transparent black outside the image.
  [[nodiscard]] Rgba at(int x, int y) const;
  /// Copies `height` rows of `stride` bytes from a mapped ARGB8888 buffer.
  static Image copy_from(const uint8_t* data, int width, int height, int stride);
};

/// True when every channel of `a` is within `tolerance` of `b` (antialiasing and llvmpipe rounding).
[[nodiscard]] bool near(Rgba a, Rgba b, int tolerance = 8);
/// Fraction (0..1) of pixels in the rectangle whose colour is near `colour`.
[[nodiscard]] double fraction_near(const Image& image, int x, int y, int w, int h, Rgba colour, int tolerance = 8);

/// Writes an RGBA PNG at zlib level 1 (fast; screenshots and test artefacts).
[[nodiscard]] Result<void> write_png(const Image& image, const std::string& path);

}  // namespace weft::webview
