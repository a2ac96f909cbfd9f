#pragma once
// Screenshots of an output: render the scene into memory and write it as PNG (zlib level 1: ≈10× faster than the
// default at 1080p and plenty for test images).

#include <cstdint>
#include <string>
#include <vector>

#include "wlr.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

/// XRGB8888 pixels (bytes B,G,R,X in memory), stride width×4.
struct Image {
  int width = 0;   // px
  int height = 0;  // px
  std::vector<uint8_t> pixels;
};

/// Renders the scene as seen by `output`, whose top left is at layout point (lx, ly) (pixman and GLES2, any backend).
[[nodiscard]] Result<Image> render_output(wlr_renderer* renderer, wlr_scene* scene, wlr_output* output, int lx = 0,
                                          int ly = 0);
/// An image and where its top left goes on a larger canvas (px).
struct PlacedImage {
  const Image* image;
  int x, y;
};
/// A black `width`×`height` canvas with each image copied in at its place (clipped to the canvas): one picture of
/// several outputs.
[[nodiscard]] Image combine_images(int width, int height, const std::vector<PlacedImage>& parts);

/// What a capture renders: the primary output, one output by name, or every output as laid out.
struct CaptureTarget {
  enum class Kind { primary, output, layout };
  Kind kind = Kind::primary;
  std::string output_name;  // for Kind::output
};

/// Writes an 8-bit RGB PNG.
[[nodiscard]] Result<void> write_png(const std::string& path, const Image& image);

}  // namespace weft::compositor
