// Window policy (§2.2) seen as a user sees it: pixels of screenshots and who has keyboard focus.

#include <linux/input-event-codes.h>

#include "compositor_fixture.hpp"

using namespace weft::test;

class WindowPolicy : public CompositorTest {
 protected:
  /// A window that ignores configure sizes, so a lower one stays reachable under a smaller upper one.
  std::unique_ptr<TestWindow> make_fixed(TestClient& client, const std::string& title, Rgb colour, int w, int h) {
    WindowOptions o;
    o.colour = colour;
    o.title = title;
    o.fixed_width = w;
    o.fixed_height = h;
    auto window = client.create_window(o);
    wait_drawn(*window);
    return window;
  }
};

TEST_F(WindowPolicy, PanelSitsAtTheBottomAndAppIsMaximizedIntoTheWorkArea) {
  auto shell = connect();
  auto apps = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*apps, "app", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_height == kOutputHeight - kPanelZone; }))
      << "app configured " << app->configured_width << "x" << app->configured_height;
  wait_drawn(*app);
  EXPECT_EQ(app->configured_width, kOutputWidth);
  EXPECT_TRUE(app->maximized);
  EXPECT_TRUE(wait_until([&] { return app->activated; })) << "the new app window is activated";
  EXPECT_EQ(panel->configured_width, kOutputWidth);
  EXPECT_EQ(panel->configured_height, kOutputHeight);

  auto png = driver->capture("panel-and-app");
  ASSERT_TRUE(png.ok()) << png.error().message;
  ASSERT_EQ(png->width, kOutputWidth);
  ASSERT_EQ(png->height, kOutputHeight);
  EXPECT_EQ(png->at(0, 0), kRed);
  EXPECT_EQ(png->at(640, 400), kRed);
  EXPECT_EQ(png->at(1279, kOutputHeight - kPanelZone - 1), kRed);
  EXPECT_EQ(png->at(0, kOutputHeight - kPanelZone), kBlue) << "panel strip starts 48 px above the bottom";
  EXPECT_EQ(png->at(1279, 799), kBlue);
}

TEST_F(WindowPolicy, ClickOnALowerWindowRaisesAndFocusesIt) {
  auto client = connect();
  auto a = make_fixed(*client, "big", kRed, 600, 500);
  auto b = make_fixed(*client, "small", kGreen, 300, 300);  // on top, at the same origin
  EXPECT_EQ(focused_title(), "small");

  auto before = driver->capture("click-before");
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->at(100, 100), kGreen);
  EXPECT_EQ(before->at(500, 400), kRed);

  driver->click(500, 400);
  EXPECT_EQ(focused_title(), "big");
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == a->surface && a->activated && !b->activated; }));
  settle(*client);
  auto after = driver->capture("click-after");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->at(100, 100), kRed) << "the clicked window is raised above the other";
}

TEST_F(WindowPolicy, ClosingTheFocusedWindowFocusesTheTopmostRemainingApp) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  EXPECT_EQ(focused_title(), "panel") << "with no app window the panel holds focus";
  auto a = make_app(*client, "a", kRed);
  wait_drawn(*a);
  auto b = make_app(*client, "b", kGreen);
  wait_drawn(*b);
  auto c = make_app(*client, "c", kYellow);
  wait_drawn(*c);
  EXPECT_EQ(focused_title(), "c");

  driver->click(640, 300);  // c is on top; clicking it keeps the order
  EXPECT_EQ(focused_title(), "c");
  c.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "b");
  auto png = driver->capture("after-close");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 300), kGreen);
  b.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "a");
  a.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "panel");
  ASSERT_TRUE(wait_until([&] { return shell->keyboard_focus == panel->surface; }));
}

TEST_F(WindowPolicy, ClickOnThePanelFocusesItWithoutRaisingIt) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  driver->click(640, 790);  // the panel strip
  EXPECT_EQ(focused_title(), "panel");
  settle(*shell);
  auto png = driver->capture("panel-clicked");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kRed) << "the panel stays beneath the app";
}

TEST_F(WindowPolicy, SuperTapFocusesThePanelAndDeliversTheKeyThere) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 1);
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return shell->keyboard_focus == panel->surface && !shell->keys_received.empty(); }));
  EXPECT_EQ(shell->keys_received.front(), static_cast<uint32_t>(KEY_LEFTMETA));
  EXPECT_TRUE(client->keys_received.empty()) << "the app never sees the Super tap";

  // Super + another key is not a tap: the app keeps its keys.
  driver->click(640, 300);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 1);
  weft_test_v1_key(driver->control, KEY_A, 1);
  weft_test_v1_key(driver->control, KEY_A, 0);
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return client->keys_received.size() >= 2; }));
  EXPECT_EQ(client->keys_received[0], static_cast<uint32_t>(KEY_LEFTMETA));
  EXPECT_EQ(client->keys_received[1], static_cast<uint32_t>(KEY_A));
}

TEST_F(WindowPolicy, OverlayCoversAppsAndReturnsFocusWhenItGoes) {
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  auto overlay = make_app(*client, "overlay", kGreen, "overlay");
  wait_drawn(*overlay);
  EXPECT_EQ(focused_title(), "overlay");
  auto png = driver->capture("overlay");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 790), kGreen) << "an overlay covers the whole output";
  overlay.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "app");
}

TEST_F(WindowPolicy, TouchTapRaisesTheWindowAndReachesIt) {
  auto client = connect();
  auto a = make_fixed(*client, "big", kRed, 600, 500);
  auto b = make_fixed(*client, "small", kGreen, 300, 300);  // on top, at the same origin
  weft_test_v1_touch_down(driver->control, 0, wl_fixed_from_int(500), wl_fixed_from_int(400));
  weft_test_v1_touch_up(driver->control, 0);
  wl_display_flush(driver->display);
  EXPECT_EQ(focused_title(), "big");
}

TEST_F(WindowPolicy, PopupIsConstrainedToTheOutputAndStacksWithItsParent) {
  auto client = connect();
  auto parent = make_app(*client, "parent", kRed);
  wait_drawn(*parent);
  // Anchored near the right edge: unconstrained it would end 130 px beyond the output.
  PopupOptions options;
  options.anchor_x = 1200;
  options.anchor_y = 20;
  options.width = 200;
  options.height = 100;
  TestPopup popup(*parent, kYellow, options);
  ASSERT_TRUE(wait_until([&] { return popup.drawn; }));
  settle(*client);
  EXPECT_LE(popup.x + popup.width, kOutputWidth) << "popup at x=" << popup.x << " width " << popup.width;
  EXPECT_EQ(popup.width, 200);
  auto png = driver->capture("popup");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(kOutputWidth - 5, 25), kYellow);
  EXPECT_EQ(png->at(kOutputWidth - 205, 25), kRed);

  // Another window raised above the parent covers the popup too.
  auto other = connect();
  auto cover = make_app(*other, "cover", kGreen);
  wait_drawn(*cover);
  auto covered = driver->capture("popup-covered");
  ASSERT_TRUE(covered.ok()) << covered.error().message;
  EXPECT_EQ(covered->at(kOutputWidth - 5, 25), kGreen);
}
