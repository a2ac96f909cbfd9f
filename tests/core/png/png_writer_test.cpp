#include "weft/core/png_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace {

std::string temp_png(const char* name) { return "/tmp/weft-png-" + std::to_string(::getpid()) + "-" + name + ".png"; }

TEST(Png, AnRgbaImageReadsBackWithTheSamePixels) {
  std::string path = temp_png("rgba");
  // A 3×2 image: row 0 red, green, blue; row 1 half-transparent white, black, opaque grey.
  const uint8_t pixels[2][3][4] = {{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}},
                                   {{255, 255, 255, 128}, {0, 0, 0, 255}, {128, 128, 128, 255}}};
  ASSERT_TRUE(weft::png::write(path, 3, 2, weft::png::Channels::rgba,
                               [&](int y, uint8_t* row) { std::memcpy(row, pixels[y], sizeof pixels[y]); })
                  .ok());
  auto decoded = weft::png::read(path, weft::png::Layout::bgra);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->width, 3);
  EXPECT_EQ(decoded->height, 2);
  // B,G,R,A order.
  EXPECT_EQ(std::vector<uint8_t>(decoded->bytes.begin(), decoded->bytes.begin() + 4), (std::vector<uint8_t>{0, 0, 255, 255}));
  EXPECT_EQ(std::vector<uint8_t>(decoded->bytes.begin() + 8, decoded->bytes.begin() + 12),
            (std::vector<uint8_t>{255, 0, 0, 255}));
  EXPECT_EQ(decoded->bytes[12 + 3], 128);  // alpha of the half-transparent pixel survives
  ::unlink(path.c_str());
}

TEST(Png, AnRgbImageReadsBackAsRgb) {
  std::string path = temp_png("rgb");
  ASSERT_TRUE(weft::png::write(path, 2, 1, weft::png::Channels::rgb,
                               [](int, uint8_t* row) {
                                 const uint8_t px[6] = {10, 20, 30, 40, 50, 60};
                                 std::memcpy(row, px, 6);
                               })
                  .ok());
  auto decoded = weft::png::read(path, weft::png::Layout::rgb);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->bytes, (std::vector<uint8_t>{10, 20, 30, 40, 50, 60}));
  ::unlink(path.c_str());
}

TEST(Png, ErrorsNameThePath) {
  auto missing = weft::png::read("/nonexistent/x.png", weft::png::Layout::rgb);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message.rfind("read png /nonexistent/x.png: cannot open", 0), 0u);
  auto unwritable = weft::png::write("/nonexistent/x.png", 1, 1, weft::png::Channels::rgb, [](int, uint8_t*) {});
  EXPECT_FALSE(unwritable.ok());
  auto empty = weft::png::write(temp_png("empty"), 0, 0, weft::png::Channels::rgb, [](int, uint8_t*) {});
  EXPECT_EQ(empty.error().message, "write png " + temp_png("empty") + ": the image is empty");
  std::string not_png = temp_png("text");
  FILE* f = std::fopen(not_png.c_str(), "w");
  std::fputs("not a png", f);
  std::fclose(f);
  EXPECT_FALSE(weft::png::read(not_png, weft::png::Layout::rgb).ok());
  ::unlink(not_png.c_str());
}

}  // namespace
