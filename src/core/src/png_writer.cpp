#include "weft/core/png_writer.hpp"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace weft::png {

Result<void> write(const std::string& path, int width, int height, Channels channels,
                   const std::function<void(int y, uint8_t* row)>& fill_row) {
  if (width <= 0 || height <= 0) return fail("write png " + path + ": the image is empty");
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return fail("write png " + path + ": cannot open for writing: " + std::strerror(errno));
  png_structp writer = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = writer ? png_create_info_struct(writer) : nullptr;
  if (!info) {
    png_destroy_write_struct(&writer, nullptr);
    return fail("write png " + path + ": libpng initialisation failed");
  }
  std::vector<uint8_t> row(static_cast<size_t>(width) * static_cast<size_t>(channels));
  // libpng reports errors by longjmp: no object with a destructor is created between setjmp and the last write.
  if (setjmp(png_jmpbuf(writer))) {
    png_destroy_write_struct(&writer, &info);
    return fail("write png " + path + ": libpng failed while encoding");
  }
  png_init_io(writer, file.get());
  png_set_compression_level(writer, 1);
  png_set_IHDR(writer, info, width, height, 8, channels == Channels::rgba ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(writer, info);
  for (int y = 0; y < height; ++y) {
    fill_row(y, row.data());
    png_write_row(writer, row.data());
  }
  png_write_end(writer, nullptr);
  png_destroy_write_struct(&writer, &info);
  if (std::fflush(file.get()) != 0) return fail("write png " + path + ": flush failed: " + std::strerror(errno));
  return ok();
}

Result<Pixels> read(const std::string& path, Layout layout) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return fail("read png " + path + ": cannot open: " + std::strerror(errno));
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_stdio(&image, file.get())) return fail("read png " + path + ": " + image.message);
  image.format = layout == Layout::rgb ? PNG_FORMAT_RGB : PNG_FORMAT_BGRA;
  Pixels out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.bytes.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.bytes.data(), 0, nullptr)) {
    png_image_free(&image);
    return fail("read png " + path + ": " + image.message);
  }
  return out;
}

}  // namespace weft::png
