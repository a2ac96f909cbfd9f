#include "options.hpp"

#include <gtest/gtest.h>

using namespace weft::compositor;

TEST(OutputMode, WidthAndHeightWithoutRefreshKeepSixtyHertz) {
  auto mode = parse_output_mode("1920x1080");
  ASSERT_TRUE(mode.ok()) << mode.error().message;
  EXPECT_EQ(mode->width, 1920);
  EXPECT_EQ(mode->height, 1080);
  EXPECT_EQ(mode->refresh_mhz, 60000);
}

TEST(OutputMode, FractionalRefreshIsKeptInMillihertz) {
  auto mode = parse_output_mode("800x600@59.94");
  ASSERT_TRUE(mode.ok()) << mode.error().message;
  EXPECT_EQ(mode->refresh_mhz, 59940);
}

TEST(OutputMode, MalformedModesAreRejectedWithTheirText) {
  for (const char* bad : {"", "1280", "x800", "1280x", "0x800", "1280x-1", "1280x800@", "1280x800@abc", "99999x10",
                          "12a0x800", "1280x800@0"}) {
    auto mode = parse_output_mode(bad);
    ASSERT_FALSE(mode.ok()) << bad;
    EXPECT_NE(mode.error().message.find("--output"), std::string::npos) << mode.error().message;
  }
}

TEST(Backend, KnownNamesParseAndUnknownOnesAreNamed) {
  EXPECT_EQ(*parse_backend("headless"), BackendKind::headless);
  EXPECT_EQ(*parse_backend("x11"), BackendKind::x11);
  EXPECT_EQ(*parse_backend("wayland"), BackendKind::wayland);
  EXPECT_EQ(*parse_backend("drm"), BackendKind::drm);
  EXPECT_EQ(*parse_backend("auto"), BackendKind::automatic);
  auto bad = parse_backend("vulkan");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("\"vulkan\""), std::string::npos);
}
