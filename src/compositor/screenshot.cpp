#include "screenshot.hpp"

#include "weft/core/png_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

namespace weft::compositor {

Result<Image> render_output(wlr_renderer* renderer, wlr_scene* scene, wlr_output* output, int lx, int ly) {
  Image image;
  image.width = output->width;
  image.height = output->height;
  if (image.width <= 0 || image.height <= 0) return fail("capture: output " + std::string(output->name) + " has no mode");
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * 4);
  if (!wlr_output_attach_render(output, nullptr)) return fail("capture: wlr_output_attach_render failed");
  wlr_renderer_begin(renderer, image.width, image.height);
  wlr_scene_render_output(scene, output, lx, ly, nullptr);
  const bool read = wlr_renderer_read_pixels(renderer, DRM_FORMAT_XRGB8888, nullptr, image.width * 4, image.width,
                                             image.height, 0, 0, 0, 0, image.pixels.data());
  wlr_renderer_end(renderer);
  wlr_output_rollback(output);
  if (!read) return fail("capture: wlr_renderer_read_pixels failed");
  return image;
}

Image combine_images(int width, int height, const std::vector<PlacedImage>& parts) {
  Image canvas;
  canvas.width = std::max(width, 0);
  canvas.height = std::max(height, 0);
  canvas.pixels.assign(static_cast<size_t>(canvas.width) * canvas.height * 4, 0);
  for (const PlacedImage& part : parts) {
    const Image& image = *part.image;
    const int x0 = std::max(part.x, 0);
    const int x1 = std::min(part.x + image.width, canvas.width);
    if (x1 <= x0) continue;
    for (int y = std::max(part.y, 0); y < std::min(part.y + image.height, canvas.height); ++y) {
      const uint8_t* src = image.pixels.data() + (static_cast<size_t>(y - part.y) * image.width + (x0 - part.x)) * 4;
      uint8_t* dst = canvas.pixels.data() + (static_cast<size_t>(y) * canvas.width + x0) * 4;
      std::memcpy(dst, src, static_cast<size_t>(x1 - x0) * 4);
    }
  }
  return canvas;
}

Result<void> write_png(const std::string& path, const Image& image) {
  // The capture is XRGB8888 in memory order B, G, R, X.
  return png::write(path, image.width, image.height, png::Channels::rgb, [&](int y, uint8_t* row) {
    const uint8_t* src = image.pixels.data() + static_cast<size_t>(y) * image.width * 4;
    for (int x = 0; x < image.width; ++x) {
      row[x * 3 + 0] = src[x * 4 + 2];
      row[x * 3 + 1] = src[x * 4 + 1];
      row[x * 3 + 2] = src[x * 4 + 0];
    }
  });
}

}  // namespace weft::compositor
