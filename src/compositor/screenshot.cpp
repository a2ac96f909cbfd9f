#include "screenshot.hpp"

#include <png.h>

#include <cstdio>
#include <memory>

namespace weft::compositor {

Result<Image> render_output(wlr_renderer* renderer, wlr_scene* scene, wlr_output* output) {
  Image image;
  image.width = output->width;
  image.height = output->height;
  if (image.width <= 0 || image.height <= 0) return fail("capture: output " + std::string(output->name) + " has no mode");
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * 4);
  if (!wlr_output_attach_render(output, nullptr)) return fail("capture: wlr_output_attach_render failed");
  wlr_renderer_begin(renderer, image.width, image.height);
  wlr_scene_render_output(scene, output, 0, 0, nullptr);
  const bool read = wlr_renderer_read_pixels(renderer, DRM_FORMAT_XRGB8888, nullptr, image.width * 4, image.width,
                                             image.height, 0, 0, 0, 0, image.pixels.data());
  wlr_renderer_end(renderer);
  wlr_output_rollback(output);
  if (!read) return fail("capture: wlr_renderer_read_pixels failed");
  return image;
}

Result<void> write_png(const std::string& path, const Image& image) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return fail("capture: cannot open " + path + " for writing");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return fail("capture: libpng initialisation failed");
  }
  std::vector<uint8_t> row(static_cast<size_t>(image.width) * 3);
  // libpng reports errors by longjmp: nothing with a destructor is created between here and the end of the writes.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return fail("capture: libpng failed writing " + path);
  }
  png_init_io(png, file.get());
  png_set_compression_level(png, 1);
  png_set_IHDR(png, info, image.width, image.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* src = image.pixels.data() + static_cast<size_t>(y) * image.width * 4;
    for (int x = 0; x < image.width; ++x) {
      row[x * 3 + 0] = src[x * 4 + 2];
      row[x * 3 + 1] = src[x * 4 + 1];
      row[x * 3 + 2] = src[x * 4 + 0];
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fflush(file.get()) != 0) return fail("capture: flushing " + path + " failed");
  return ok();
}

}  // namespace weft::compositor
