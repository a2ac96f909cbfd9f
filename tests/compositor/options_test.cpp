#include "options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST(Backend, AnExplicitBackendWinsOverTheEnvironment) {
  EXPECT_EQ(*resolve_backend(BackendKind::drm, {.wlr_backends = "headless", .wayland_display = "wayland-1"}),
            BackendKind::drm);
}

TEST(Backend, AutomaticFollowsWlrBackendsBeforeAnyDisplay) {
  // A session started by systemd units: the user manager's environment says headless, and a WAYLAND_DISPLAY left
  // there by an earlier compositor must not make this one nest inside a socket that is gone.
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {.wlr_backends = "headless", .wayland_display = "wayland-0"}),
            BackendKind::headless);
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {.wlr_backends = "drm,libinput"}), BackendKind::drm);
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {.wlr_backends = "x11"}), BackendKind::x11);
}

TEST(Backend, AutomaticWithoutWlrBackendsNestsInADisplayElseUsesDrm) {
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {.wayland_display = "wayland-0", .display = ":0"}),
            BackendKind::wayland);
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {.display = ":0"}), BackendKind::x11);
  EXPECT_EQ(*resolve_backend(BackendKind::automatic, {}), BackendKind::drm);
}

TEST(Backend, WlrBackendsNamingNoSingleBackendIsRefusedWithItsValue) {
  for (const std::string value : {"headless,x11", "vulkan", "libinput", "auto"}) {
    auto resolved = resolve_backend(BackendKind::automatic, {.wlr_backends = value});
    ASSERT_FALSE(resolved.ok()) << value;
    EXPECT_NE(resolved.error().message.find("WLR_BACKENDS=\"" + value + "\""), std::string::npos)
        << resolved.error().message;
  }
}

namespace {
weft::Result<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "weft-compositor");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST(Options, OutputGivenTwiceMakesThePrimaryAndOneMoreOutput) {
  auto options = parse({"--output", "800x600", "--output", "640x480@30"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->output.width, 800);
  ASSERT_EQ(options->extra_outputs.size(), 1u);
  EXPECT_EQ(options->extra_outputs[0].width, 640);
  EXPECT_EQ(options->extra_outputs[0].refresh_mhz, 30000);
}

TEST(Options, MoreThanSixteenOutputsAreRefused) {
  std::vector<std::string> args;
  for (int i = 0; i < 17; ++i) args.insert(args.end(), {"--output", "64x64"});
  auto options = parse(args);
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.error().message.find("at most 16"), std::string::npos) << options.error().message;
}
