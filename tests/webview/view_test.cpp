// Real WPE views rendered headlessly through the SHM export path: no display server, pixels asserted.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "headless_capture.hpp"
#include "web_view.hpp"
#include "weft/test/pixels.hpp"

namespace weft::webview {
namespace {

const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;

struct ViewHarness {
  glib::Ptr<WebKitWebContext> context{webkit_web_context_new_ephemeral()};
  std::unique_ptr<WebView> view;
  std::unique_ptr<HeadlessCapture> capture;

  explicit ViewHarness(int width = 400, int height = 300) {
    auto created = WebView::create({.width = width, .height = height, .context = context.get()});
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    if (!created.ok()) return;
    view = std::move(created).value();
    capture = std::make_unique<HeadlessCapture>(*view);
  }
};

TEST(HeadlessView, RendersAFixturePageIntoKnownColours) {
  ViewHarness h;
  ASSERT_TRUE(h.view);
  std::string uri = "file://" + kFixtures + "/quadrants.html";
  auto loaded = h.view->load_and_wait(uri.c_str(), 20000);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto image = h.capture->settle(20000);
  ASSERT_TRUE(image.ok()) << image.error().message;
  ASSERT_EQ(image->width, 400);
  ASSERT_EQ(image->height, 300);
  const char* out = std::getenv("WEFT_WEBVIEW_PNG");
  if (out) {
    ASSERT_TRUE(write_png(*image, out).ok());
  }
  EXPECT_GT(test::fraction_near(*image, 10, 10, 180, 130, Rgba{255, 0, 0, 255}), 0.99);
  EXPECT_GT(test::fraction_near(*image, 210, 10, 180, 130, Rgba{0, 255, 0, 255}), 0.99);
  EXPECT_GT(test::fraction_near(*image, 10, 160, 180, 130, Rgba{0, 0, 255, 255}), 0.99);
  // The white quadrant holds black text: mostly white, with some dark glyph pixels.
  double white = test::fraction_near(*image, 200, 150, 200, 150, Rgba{255, 255, 255, 255});
  double dark = test::fraction_near(*image, 200, 150, 200, 150, Rgba{0, 0, 0, 255}, 60);
  EXPECT_GT(white, 0.7);
  EXPECT_GT(dark, 0.01) << "no text pixels in the white quadrant";
}

}  // namespace
}  // namespace weft::webview
