#include "image.hpp"

#include "weft/core/png_writer.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace weft::webview {

namespace {
uint8_t unpremultiply(uint32_t channel, uint32_t alpha) {
  if (alpha == 0) return 0;
  if (alpha == 255) return static_cast<uint8_t>(channel);
  return static_cast<uint8_t>(std::min<uint32_t>(255, (channel * 255 + alpha / 2) / alpha));
}
}  // namespace

Rgba Image::at(int x, int y) const {
  if (x < 0 || y < 0 || x >= width || y >= height) return {};
  uint32_t p = pixels[static_cast<size_t>(y) * width + x];
  uint32_t a = p >> 24;
  return Rgba{unpremultiply((p >> 16) & 0xff, a), unpremultiply((p >> 8) & 0xff, a), unpremultiply(p & 0xff, a),
              static_cast<uint8_t>(a)};
}

Image Image::copy_from(const uint8_t* data, int width, int height, int stride) {
  Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<size_t>(width) * height);
  for (int row = 0; row < height; ++row)
    std::memcpy(image.pixels.data() + static_cast<size_t>(row) * width, data + static_cast<size_t>(row) * stride,
                static_cast<size_t>(width) * 4);
  return image;
}

bool near(Rgba a, Rgba b, int tolerance) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance && std::abs(a.b - b.b) <= tolerance &&
         std::abs(a.a - b.a) <= tolerance;
}

double fraction_near(const Image& image, int x, int y, int w, int h, Rgba colour, int tolerance) {
  long total = 0, hits = 0;
  for (int yy = y; yy < y + h; ++yy)
    for (int xx = x; xx < x + w; ++xx) {
      ++total;
      if (near(image.at(xx, yy), colour, tolerance)) ++hits;
    }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 0.0;
}

Result<void> write_png(const Image& image, const std::string& path) {
  return png::write(path, image.width, image.height, png::Channels::rgba, [&](int y, uint8_t* row) {
    for (int x = 0; x < image.width; ++x) {
      Rgba c = image.at(x, y);
      uint8_t* out = row + static_cast<size_t>(x) * 4;
      out[0] = c.r, out[1] = c.g, out[2] = c.b, out[3] = c.a;
    }
  });
}

}  // namespace weft::webview
