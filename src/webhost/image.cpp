#include "image.hpp"

#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace weft::webhost {

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
  if (image.empty()) return fail("write_png " + path + ": the image is empty");
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return fail("write_png " + path + ": cannot open for writing: " + std::strerror(errno));
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return fail("write_png " + path + ": libpng initialisation failed");
  }
  std::vector<uint8_t> row(static_cast<size_t>(image.width) * 4);
  // libpng reports errors by longjmp: nothing with a destructor is created between setjmp and the end of the writes.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return fail("write_png " + path + ": libpng failed while encoding");
  }
  png_init_io(png, file.get());
  png_set_compression_level(png, 1);
  png_set_IHDR(png, info, image.width, image.height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      Rgba c = image.at(x, y);
      uint8_t* out = &row[static_cast<size_t>(x) * 4];
      out[0] = c.r, out[1] = c.g, out[2] = c.b, out[3] = c.a;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return ok();
}

}  // namespace weft::webhost
