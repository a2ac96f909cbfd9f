// Several outputs on the headless backend (§2.2): the layout left to right, xdg-output names and positions, the panel
// and work area on the primary, app windows on the pointer's output, hot-plug through weft_test_v1 and scale changes,
// Super+Shift+Left/Right moving the focused window to the neighbouring output, and a nested compositor's outputs.

#include <gtest/gtest.h>
#include <linux/input-event-codes.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "compositor_fixture.hpp"

namespace weft::test {
namespace {

constexpr int kSecondWidth = 800;   // px, the second --output
constexpr int kSecondHeight = 600;  // px

/// A compositor started with `--output 1280x800 --output 800x600`: HEADLESS-1 (primary) and HEADLESS-2 right of it.
class TwoOutputs : public CompositorTest {
 protected:
  std::vector<std::string> extra_args() override { return {"--output", "800x600"}; }

  /// The pointer to the middle of a layout box, so the next window opens on the output there.
  void point_at(int x, int y, int width, int height) {
    weft_test_v1_pointer_move(driver->control, wl_fixed_from_int(x + width / 2), wl_fixed_from_int(y + height / 2));
    settle(*driver);
  }

  /// Waits until the driver sees `name` at (x, y) with this logical size.
  ::testing::AssertionResult sees_output(const std::string& name, int x, int y, int width, int height) {
    const bool seen = wait_until([&] {
      const SeenOutput* o = driver->output_named(name);
      return o && o->x == x && o->y == y && o->width == width && o->height == height;
    });
    if (seen) return ::testing::AssertionSuccess();
    const SeenOutput* o = driver->output_named(name);
    if (!o) return ::testing::AssertionFailure() << name << " is not announced";
    return ::testing::AssertionFailure() << name << " is at " << o->x << "," << o->y << " " << o->width << "x"
                                         << o->height << ", not " << x << "," << y << " " << width << "x" << height;
  }

  /// A panel reserving the bottom strip of the primary, configured to the primary's size.
  std::unique_ptr<TestWindow> panel_on_primary(TestClient& shell) {
    auto panel = make_panel(shell);
    wait_configured(*panel, kOutputWidth, kOutputHeight);
    return panel;
  }

  /// An app window on the primary beside the panel: configured to the primary's work area.
  std::unique_ptr<TestWindow> open_on_primary(TestClient& client, const std::string& title, Rgb colour,
                                              std::optional<std::string> role = std::nullopt) {
    auto window = make_app(client, title, colour, std::move(role));
    wait_configured(*window, kOutputWidth, kOutputHeight - kPanelZone);
    return window;
  }

  /// An app window opened with the pointer on HEADLESS-2: it fills that output (no panel zone there).
  std::unique_ptr<TestWindow> open_on_second(TestClient& client, const std::string& title, Rgb colour) {
    point_at(kOutputWidth, 0, kSecondWidth, kSecondHeight);
    auto window = make_app(client, title, colour);
    wait_configured(*window, kSecondWidth, kSecondHeight);
    return window;
  }

  /// Super+Shift+`arrow` on the test keyboard, as a person presses it: modifiers down, the arrow, all released.
  void press_super_shift(uint32_t arrow) {
    for (uint32_t key : {uint32_t{KEY_LEFTMETA}, uint32_t{KEY_LEFTSHIFT}, arrow}) weft_test_v1_key(driver->control, key, 1);
    for (uint32_t key : {arrow, uint32_t{KEY_LEFTSHIFT}, uint32_t{KEY_LEFTMETA}}) weft_test_v1_key(driver->control, key, 0);
    settle(*driver);
  }

  /// The wl_output the client bound for the output with this xdg-output name.
  static wl_output* bound_output(TestClient& client, const std::string& name) {
    const SeenOutput* seen = client.output_named(name);
    return seen ? seen->output : nullptr;
  }

  /// Waits until, of the outputs still announced, the window's surface is on exactly this one (wl_surface.enter
  /// without a later leave; an unplugged output's global is removed, and a client forgets it with it).
  ::testing::AssertionResult shows_only_on(TestWindow& w, const std::string& name) {
    wl_output* output = bound_output(w.client, name);
    if (!output) return ::testing::AssertionFailure() << w.client.outputs.size() << " outputs bound, none is " << name;
    auto announced_entered = [&] {
      std::set<wl_output*> on;
      for (const auto& seen : w.client.outputs)
        if (w.entered.count(seen->output)) on.insert(seen->output);
      return on;
    };
    if (wait_until([&] { return announced_entered() == std::set<wl_output*>{output}; }))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << w.options.title << " is on " << announced_entered().size()
                                         << " announced outputs, not on " << name << " alone";
  }

  /// Waits until the window was configured to this size and drew at it.
  void wait_configured(TestWindow& w, int width, int height) {
    ASSERT_TRUE(wait_until([&] { return w.configured_width == width && w.configured_height == height; }))
        << w.options.title << " is configured " << w.configured_width << "x" << w.configured_height << ", not "
        << width << "x" << height;
    wait_drawn(w);
  }
};

TEST_F(TwoOutputs, AreLaidOutLeftToRightAndClientsSeeTheirXdgOutputNamesAndPositions) {
  settle(*driver);
  ASSERT_EQ(driver->outputs.size(), 2u);
  EXPECT_TRUE(sees_output("HEADLESS-1", 0, 0, kOutputWidth, kOutputHeight));
  EXPECT_TRUE(sees_output("HEADLESS-2", kOutputWidth, 0, kSecondWidth, kSecondHeight));
  EXPECT_EQ(driver->output_named("HEADLESS-2")->mode_width, kSecondWidth);
}

TEST_F(TwoOutputs, ThePanelAndItsZoneStayOnThePrimaryAndAWindowOpensOnThePointersOutput) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto right = open_on_second(*client, "right", kGreen);  // the panel's zone is the primary's only

  point_at(0, 0, kOutputWidth, kOutputHeight);
  auto left = open_on_primary(*client, "left", kRed);
  settle(*shell);

  auto primary = driver->capture("two-outputs-primary");
  ASSERT_TRUE(primary.ok()) << primary.error().message;
  EXPECT_EQ(primary->width, kOutputWidth);
  EXPECT_EQ(primary->at(640, 300), kRed);
  EXPECT_EQ(primary->at(640, kOutputHeight - 10), kBlue) << "the panel shows below the work area";
  auto second = driver->capture_output("HEADLESS-2", "two-outputs-second");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->width, kSecondWidth);
  EXPECT_EQ(second->height, kSecondHeight);
  EXPECT_EQ(second->at(0, 0), kGreen);
  EXPECT_EQ(second->at(kSecondWidth - 1, kSecondHeight - 1), kGreen) << "the window fills the second output";
  // The whole layout in one picture: the primary's window and panel on the left, the second output's window right
  // of them, black below the shorter second output.
  auto layout = driver->capture_output("", "two-outputs-layout");
  ASSERT_TRUE(layout.ok()) << layout.error().message;
  EXPECT_EQ(layout->width, kOutputWidth + kSecondWidth);
  EXPECT_EQ(layout->height, kOutputHeight);
  EXPECT_EQ(layout->at(640, 300), kRed);
  EXPECT_EQ(layout->at(640, kOutputHeight - 10), kBlue);
  EXPECT_EQ(layout->at(kOutputWidth, 0), kGreen);
  EXPECT_EQ(layout->at(kOutputWidth + kSecondWidth - 1, kSecondHeight - 1), kGreen);
  EXPECT_EQ(layout->at(kOutputWidth + 10, kSecondHeight + 10), (Rgb{0, 0, 0})) << "no output there";
  // Each client hears which output its window is on (wl_surface.enter from the scene), and only that one.
  settle(*client);
  const wl_output* second_output = nullptr;
  for (const auto& o : client->outputs)
    if (o->name == "HEADLESS-2") second_output = o->output;
  ASSERT_NE(second_output, nullptr);
  EXPECT_EQ(right->entered, std::set<wl_output*>{const_cast<wl_output*>(second_output)});
  EXPECT_EQ(left->entered.count(const_cast<wl_output*>(second_output)), 0u);
  EXPECT_EQ(left->entered.size(), 1u);
}

TEST_F(TwoOutputs, UnpluggingTheSecondMovesItsWindowToTheFirstAtTheFirstsWorkAreaAndPluggingOneBackWorks) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto moved = open_on_second(*client, "moved", kGreen);

  ASSERT_TRUE(driver->remove_output("HEADLESS-2").ok());
  ASSERT_TRUE(wait_until([&] { return driver->outputs.size() == 1; })) << "wl_output global of HEADLESS-2 stays";
  wait_configured(*moved, kOutputWidth, kOutputHeight - kPanelZone);
  settle(*shell);
  auto state = driver->sync_state();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->mapped_toplevels, 2u);
  auto png = driver->capture("unplugged");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 300), kGreen) << "the window from the unplugged output shows on the primary";
  EXPECT_EQ(png->at(640, kOutputHeight - 10), kBlue);

  // Plugged back: a new output right of the primary, and a window opened there is placed there.
  auto added = driver->add_output(1024, 768);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(sees_output(*added, kOutputWidth, 0, 1024, 768));
  point_at(kOutputWidth, 0, 1024, 768);
  auto next = make_app(*client, "next", kYellow);
  wait_configured(*next, 1024, 768);
  auto third = driver->capture_output(*added, "plugged-back");
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->at(512, 384), kYellow);
  EXPECT_EQ(moved->configured_width, kOutputWidth) << "the moved window stays on the primary";
}

TEST_F(TwoOutputs, UnpluggingAMiddleOutputClosesTheGap) {
  auto added = driver->add_output(640, 480);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(sees_output(*added, kOutputWidth + kSecondWidth, 0, 640, 480));
  ASSERT_TRUE(driver->remove_output("HEADLESS-2").ok());
  EXPECT_TRUE(sees_output(*added, kOutputWidth, 0, 640, 480)) << "the third output moves left into the gap";
}

TEST_F(TwoOutputs, UnpluggingThePrimaryMakesTheNextOutputPrimaryForThePanelAndWindows) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto app = open_on_primary(*client, "app", kRed);

  ASSERT_TRUE(driver->remove_output("HEADLESS-1").ok());
  EXPECT_TRUE(sees_output("HEADLESS-2", 0, 0, kSecondWidth, kSecondHeight));
  wait_configured(*panel, kSecondWidth, kSecondHeight);
  wait_configured(*app, kSecondWidth, kSecondHeight - kPanelZone);
  settle(*shell);
  auto png = driver->capture("primary-unplugged");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->width, kSecondWidth);
  EXPECT_EQ(png->at(400, 300), kRed);
  EXPECT_EQ(png->at(400, kSecondHeight - 10), kBlue);
}

TEST_F(TwoOutputs, AScaleChangeReachesClientsAndShrinksTheWindowsThere) {
  auto client = connect();
  auto app = open_on_second(*client, "scaled", kGreen);
  const int done_before = driver->output_named("HEADLESS-2")->done_events;

  ASSERT_TRUE(driver->set_output_scale("HEADLESS-2", 2).ok());
  ASSERT_TRUE(wait_until([&] {
    const SeenOutput* o = driver->output_named("HEADLESS-2");
    return o->scale == 2 && o->done_events > done_before;
  })) << "wl_output.scale 2 and done never arrived";
  EXPECT_TRUE(sees_output("HEADLESS-2", kOutputWidth, 0, kSecondWidth / 2, kSecondHeight / 2));
  wait_configured(*app, kSecondWidth / 2, kSecondHeight / 2);
}

TEST_F(TwoOutputs, UnpluggingEveryOutputKeepsServingAndTheNextOutputTakesTheWindows) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto app = open_on_second(*client, "survivor", kGreen);
  ASSERT_TRUE(driver->remove_output("HEADLESS-1").ok());
  ASSERT_TRUE(driver->remove_output("HEADLESS-2").ok());
  ASSERT_TRUE(wait_until([&] { return driver->outputs.empty(); }));
  auto state = driver->sync_state();
  ASSERT_TRUE(state) << "the compositor answers without an output";
  EXPECT_EQ(state->mapped_toplevels, 2u);
  EXPECT_FALSE(driver->capture("no-output").ok()) << "nothing to capture";

  auto added = driver->add_output(640, 480);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(sees_output(*added, 0, 0, 640, 480));
  wait_configured(*panel, 640, 480);
  wait_configured(*app, 640, 480 - kPanelZone);
  settle(*shell);
  auto png = driver->capture("replugged-alone");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(320, 200), kGreen);
  EXPECT_EQ(png->at(320, 480 - 10), kBlue);
}

TEST_F(TwoOutputs, BadOutputRequestsAreRefusedWithAReasonAndTheCompositorKeepsServing) {
  auto removed = driver->remove_output("HDMI-A-9");
  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.error().message.find("\"HDMI-A-9\""), std::string::npos) << removed.error().message;
  auto tiny = driver->add_output(0, 600);
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.error().message.find("0x600"), std::string::npos) << tiny.error().message;
  auto huge = driver->add_output(100000, 600);
  EXPECT_FALSE(huge.ok());
  auto scale = driver->set_output_scale("HEADLESS-2", 0);
  ASSERT_FALSE(scale.ok());
  EXPECT_NE(scale.error().message.find("0.25 to 8"), std::string::npos) << scale.error().message;
  auto capture = driver->capture_output("nowhere", "nowhere");
  EXPECT_FALSE(capture.ok());
  ASSERT_TRUE(driver->set_output_scale("HEADLESS-2", 2).ok());
  auto layout = driver->capture_output("", "scaled-layout");
  ASSERT_FALSE(layout.ok()) << "a scaled output's pixels do not fit its logical box";
  EXPECT_NE(layout.error().message.find("HEADLESS-2 is scaled"), std::string::npos) << layout.error().message;
  auto state = driver->sync_state();
  EXPECT_TRUE(state) << "the compositor still answers";
}

TEST_F(TwoOutputs, SuperShiftRightMovesTheFocusedWindowToTheNextOutputAndSuperShiftLeftBringsItBack) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto stays = open_on_primary(*client, "stays", kRed);
  auto mover = open_on_primary(*client, "mover", kGreen, "normal");  // governed by a zweft slot: it hears configure too
  ASSERT_EQ(focused_title(), "mover");
  ASSERT_TRUE(shows_only_on(*mover, "HEADLESS-1"));

  press_super_shift(KEY_RIGHT);
  // Maximized into the second output (no panel zone there): a new configure with its size, drawn, and the surface
  // left the primary and entered the second output.
  wait_configured(*mover, kSecondWidth, kSecondHeight);
  EXPECT_TRUE(mover->maximized);
  EXPECT_TRUE(shows_only_on(*mover, "HEADLESS-2"));
  ASSERT_FALSE(mover->zweft_configures.empty());
  const ZweftConfigure& placed = mover->zweft_configures.back();
  EXPECT_EQ((std::vector<int>{placed.x, placed.y, placed.width, placed.height}),
            (std::vector<int>{kOutputWidth, 0, kSecondWidth, kSecondHeight}))
      << "the slot's configure names the window's new place in layout coordinates";
  EXPECT_EQ(focused_title(), "mover") << "the moved window keeps the keyboard";
  EXPECT_EQ(std::count(client->keys_received.begin(), client->keys_received.end(), uint32_t{KEY_RIGHT}), 0)
      << "the arrow of the chord reached the client";
  settle(*shell);
  auto layout = driver->capture_output("", "moved-right");
  ASSERT_TRUE(layout.ok()) << layout.error().message;
  EXPECT_EQ(layout->at(640, 300), kRed) << "the other window stays on the primary, uncovered";
  EXPECT_EQ(layout->at(640, kOutputHeight - 10), kBlue) << "the panel stays on the primary";
  EXPECT_EQ(layout->at(kOutputWidth, 0), kGreen);
  EXPECT_EQ(layout->at(kOutputWidth + kSecondWidth - 1, kSecondHeight - 1), kGreen);

  // At the layout's right edge there is nowhere to go: nothing changes.
  const size_t configures = mover->zweft_configures.size();
  press_super_shift(KEY_RIGHT);
  settle(*client);
  EXPECT_EQ(mover->configured_width, kSecondWidth);
  EXPECT_EQ(mover->zweft_configures.size(), configures);

  press_super_shift(KEY_LEFT);
  wait_configured(*mover, kOutputWidth, kOutputHeight - kPanelZone);
  EXPECT_TRUE(shows_only_on(*mover, "HEADLESS-1"));
  settle(*shell);
  auto back = driver->capture_output("", "moved-back");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->at(640, 300), kGreen) << "back on the primary, above the window that stayed";
  EXPECT_EQ(back->at(kOutputWidth + 10, 10), kDesktopBackground) << "nothing is left on the second output";
}

TEST_F(TwoOutputs, FootMovedToTheSecondOutputRedrawsAtThatOutputsSize) {
  auto shell = connect();
  auto panel = panel_on_primary(*shell);
  SpawnOptions spawn;
  spawn.argv = {"foot", "-o", "colors.background=800080", "-o", "main.font=DejaVu Sans Mono:size=10"};
  spawn.env = harness->client_env();
  spawn.null_stdio = true;
  auto foot = ChildProcess::spawn(spawn);
  ASSERT_TRUE(foot.ok()) << foot.error().message;
  const Rgb purple{128, 0, 128};
  // foot fills the primary's work area and has the keyboard (a new non-session toplevel takes focus).
  ASSERT_TRUE(wait_until([&] {
    auto png = driver->capture("foot-on-primary");
    return png && png->at(1270, kOutputHeight - kPanelZone - 5) == purple;
  }, std::chrono::seconds(20))) << "foot never filled the primary's work area";
  ASSERT_EQ(focused_title().empty(), false);

  press_super_shift(KEY_RIGHT);
  // foot hears the second output's size and redraws at it: purple to the second output's far corner.
  Result<Png> second = fail("no capture");
  EXPECT_TRUE(wait_until([&] {
    second = driver->capture_output("HEADLESS-2", "foot-on-second");
    return second && second->at(0, 0) == purple && second->at(kSecondWidth - 1, kSecondHeight - 1) == purple;
  }, std::chrono::seconds(20))) << "foot did not redraw over the whole second output";
  auto primary = driver->capture("foot-left-primary");
  ASSERT_TRUE(primary.ok()) << primary.error().message;
  EXPECT_EQ(primary->at(640, 300), kBlue) << "foot is still shown on the primary (the panel beneath should show)";
  foot->terminate(std::chrono::seconds(5));
}

TEST_F(TwoOutputs, AMovedWindowComesBackToThePrimaryWhenItsOutputIsUnplugged) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto mover = open_on_primary(*client, "mover", kGreen);
  press_super_shift(KEY_RIGHT);
  wait_configured(*mover, kSecondWidth, kSecondHeight);

  ASSERT_TRUE(driver->remove_output("HEADLESS-2").ok());
  wait_configured(*mover, kOutputWidth, kOutputHeight - kPanelZone);
  EXPECT_TRUE(shows_only_on(*mover, "HEADLESS-1"));
}

TEST_F(TwoOutputs, OnlyTheExactChordMovesAWindowAndThePanelNeverMoves) {
  auto shell = connect();
  auto client = connect();
  auto panel = panel_on_primary(*shell);
  auto app = open_on_primary(*client, "app", kRed);
  // Super+Right without Shift, and Ctrl+Super+Shift+Right, are the client's keys.
  for (uint32_t key : {uint32_t{KEY_LEFTMETA}, uint32_t{KEY_RIGHT}}) weft_test_v1_key(driver->control, key, 1);
  for (uint32_t key : {uint32_t{KEY_RIGHT}, uint32_t{KEY_LEFTMETA}}) weft_test_v1_key(driver->control, key, 0);
  for (uint32_t key : {uint32_t{KEY_LEFTCTRL}, uint32_t{KEY_LEFTMETA}, uint32_t{KEY_LEFTSHIFT}, uint32_t{KEY_RIGHT}})
    weft_test_v1_key(driver->control, key, 1);
  for (uint32_t key : {uint32_t{KEY_RIGHT}, uint32_t{KEY_LEFTSHIFT}, uint32_t{KEY_LEFTMETA}, uint32_t{KEY_LEFTCTRL}})
    weft_test_v1_key(driver->control, key, 0);
  ASSERT_TRUE(wait_until([&] {
    return std::count(client->keys_received.begin(), client->keys_received.end(), uint32_t{KEY_RIGHT}) == 2;
  })) << "the client did not get both arrows";
  EXPECT_EQ(app->configured_width, kOutputWidth);

  // With the panel focused (no app window focused) the chord moves nothing.
  app.reset();
  ASSERT_TRUE(wait_until([&] { return focused_title() == "panel"; }));
  press_super_shift(KEY_RIGHT);
  settle(*shell);
  EXPECT_EQ(panel->configured_width, kOutputWidth);
  EXPECT_EQ(panel->zweft_configures.back().x, 0);
}

/// A headless compositor hosting a nested one (wayland backend) as its client.
using NestedOutputs = CompositorTest;

TEST_F(NestedOutputs, ANestedCompositorGivenTwoOutputsOpensOneWindowForEach) {
  SpawnOptions spawn;
  spawn.argv = {executable("weft-compositor"), "--backend=wayland", "--output", "640x480", "--output", "640x480"};
  spawn.env = harness->client_env();
  spawn.env.push_back("WLR_RENDERER=pixman");
  spawn.env.push_back("WEFT_COMPOSITOR_SOCKET=" + harness->runtime_dir() + "/nested-appd.sock");
  spawn.null_stdio = true;
  auto nested = ChildProcess::spawn(spawn);
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  EXPECT_TRUE(wait_until([&] {
    auto state = driver->sync_state();
    return state && state->mapped_toplevels == 2;
  })) << "the nested compositor's two outputs are not two windows here";
  const ExitStatus status = nested->terminate(std::chrono::seconds(10));
  EXPECT_TRUE(status.success()) << "the nested compositor ended with " << status.describe();
}

/// weston (headless) as the host: its desktop shell leaves a new window's size to the client, so a nested
/// compositor's windows keep the sizes it asks for (a weft host maximizes them instead, and the outputs follow).
class NestedInWeston : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/weston")) GTEST_SKIP() << "weston is not installed (apt install weston)";
    SpawnOptions spawn;
    spawn.argv = {"weston", "--backend=headless-backend.so", "--socket=host", "--width=2400", "--height=1200",
                  "--idle-time=0", "--no-config"};
    spawn.env = {"XDG_RUNTIME_DIR=" + host_dir_.path(), "HOME=" + host_dir_.path(), "PATH=/usr/bin:/bin"};
    spawn.null_stdio = true;
    spawn.new_process_group = true;  // its desktop-shell and keyboard helpers go with it
    auto weston = ChildProcess::spawn(spawn);
    ASSERT_TRUE(weston.ok()) << weston.error().message;
    weston_ = std::move(*weston);
    const std::string socket = host_dir_.path() + "/host";
    for (int i = 0; i < 200 && !std::filesystem::exists(socket); ++i)  // ≤ 10 s for weston to listen
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(std::filesystem::exists(socket)) << "weston never listened on " << socket;
    host_socket_ = socket;
  }
  void TearDown() override {
    if (weston_.running()) weston_.terminate(std::chrono::seconds(5));
  }

  TempDir host_dir_{"weston-host"};
  std::string host_socket_;
  ChildProcess weston_;
};

TEST_F(NestedInWeston, ANestedCompositorOpensOneWindowOfEachGivenSizeLaidOutLeftToRight) {
  // The harness gives the first --output (1280x800); the second asks for an 800x600 window.
  auto nested = CompositorHarness::start(
      {"--backend=wayland", "--output", "800x600"},
      {"WAYLAND_DISPLAY=" + host_socket_, "LSAN_OPTIONS=suppressions=" WEFT_COMPOSITOR_TEST_DIR "/lsan-nested.supp"});
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  auto driver = TestClient::connect((*nested)->socket_path());
  ASSERT_NE(driver, nullptr);
  driver->capture_dir = (*nested)->runtime_dir();
  auto laid_out = [&] {
    const SeenOutput* first = driver->output_named("WL-1");
    const SeenOutput* second = driver->output_named("WL-2");
    return first && second && first->mode_width == kOutputWidth && first->mode_height == kOutputHeight &&
           first->x == 0 && first->y == 0 && second->mode_width == kSecondWidth &&
           second->mode_height == kSecondHeight && second->x == kOutputWidth && second->y == 0 &&
           second->width == kSecondWidth && second->height == kSecondHeight;
  };
  EXPECT_TRUE(wait_until(laid_out)) << [&] {
    std::string seen;
    for (const auto& o : driver->outputs)
      seen += " " + o->name + " " + std::to_string(o->mode_width) + "x" + std::to_string(o->mode_height) + "@" +
              std::to_string(o->x) + "," + std::to_string(o->y);
    return "the nested outputs are" + seen;
  }();
  // Each window renders at its size: the nested compositor's own picture of each output.
  auto second = driver->capture_output("WL-2", "nested-in-weston-second");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->width, kSecondWidth);
  EXPECT_EQ(second->height, kSecondHeight);
  // An app window opened there is maximized into the primary window's size.
  auto client = TestClient::connect((*nested)->socket_path());
  WindowOptions o;
  o.colour = kRed;
  o.title = "inner";
  auto app = client->create_window(o);
  ASSERT_TRUE(wait_until([&] { return app->configured_width == kOutputWidth && app->drawn_width == kOutputWidth; }))
      << "configured " << app->configured_width << "x" << app->configured_height;
  EXPECT_EQ(app->configured_height, kOutputHeight);
  app.reset();
  client.reset();
  driver.reset();
  const ExitStatus status = (*nested)->process().terminate(std::chrono::seconds(10));
  EXPECT_TRUE(status.success()) << status.describe() << "\n---- nested compositor log ----\n" << (*nested)->log();
}

}  // namespace
}  // namespace weft::test
