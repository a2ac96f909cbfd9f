#include "window_policy.hpp"

#include <gtest/gtest.h>

using namespace weft::compositor;

namespace {
bool same(const wlr_box& a, const wlr_box& b) {
  return a.x == b.x && a.y == b.y && a.width == b.width && a.height == b.height;
}
}  // namespace

TEST(WorkArea, BottomZoneOf48PixelsEndsApps48PixelsAboveTheBottom) {
  EXPECT_TRUE(same(shrink_by_zone({0, 0, 1280, 800}, Edge::bottom, 48), {0, 0, 1280, 752}));
}

TEST(WorkArea, TopAndLeftZonesMoveTheOrigin) {
  EXPECT_TRUE(same(shrink_by_zone({0, 0, 1280, 800}, Edge::top, 30), {0, 30, 1280, 770}));
  EXPECT_TRUE(same(shrink_by_zone({0, 0, 1280, 800}, Edge::left, 64), {64, 0, 1216, 800}));
  EXPECT_TRUE(same(shrink_by_zone({0, 0, 1280, 800}, Edge::right, 64), {0, 0, 1216, 800}));
}

TEST(WorkArea, ZoneCoveringTheWholeOutputLeavesAtLeastOnePixel) {
  const wlr_box area = shrink_by_zone({0, 0, 1280, 800}, Edge::bottom, 800);
  EXPECT_EQ(area.height, 1);
}

TEST(DialogGeometry, SizeIsClampedToTheWorkAreaAndCentred) {
  EXPECT_TRUE(same(centre_in({0, 0, 1280, 752}, 400, 300), {440, 226, 400, 300}));
  EXPECT_TRUE(same(centre_in({0, 0, 1280, 752}, 5000, 5000), {0, 0, 1280, 752}));
  EXPECT_TRUE(same(centre_in({0, 0, 1280, 752}, 0, -4), {639, 375, 1, 1}));
}
