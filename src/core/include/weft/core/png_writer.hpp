#pragma once
// One PNG encoder for every WEFT process that writes screenshots (compositor captures, web-host frames, tests).
// Library `weft-png` (libpng), kept apart from weft-core so processes that never write images do not link libpng.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::png {

enum class Channels { rgb = 3, rgba = 4 };

/// Writes an 8-bit PNG at zlib level 1 (screenshots are written often and looked at, not archived). `fill_row(y, row)`
/// fills one row of width × channels bytes (R, G, B[, A], non-premultiplied). Errors name the path and the step.
[[nodiscard]] Result<void> write(const std::string& path, int width, int height, Channels channels,
                                 const std::function<void(int y, uint8_t* row)>& fill_row);

/// A decoded PNG: `bytes` holds height rows of width pixels in the requested layout, no padding.
struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> bytes;
};
/// Byte order of each decoded pixel: rgb = R,G,B; bgra = B,G,R,A (a little-endian 0xAARRGGBB uint32).
enum class Layout { rgb, bgra };

/// Reads any PNG (tests compare captured screenshots by pixels). Errors name the path and libpng's reason.
[[nodiscard]] Result<Pixels> read(const std::string& path, Layout layout);

}  // namespace weft::png
